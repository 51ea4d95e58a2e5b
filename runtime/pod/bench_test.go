package pod

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// bareHello is what a hand-written net/http JSON handler for the same call
// does: read the body, decode it, encode the answer.
func bareHello(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, DefaultMaxRequestSize))
	if err != nil || json.Unmarshal(body, &req) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	out, _ := json.Marshal("Hello " + req.Name)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(out)
}

const helloBody = `{"name":"World","method":"hello"}`

func benchServer() *Server {
	return NewServer(testDispatch(), WithAuthenticationHandler(testAuth), WithLogger(slog.New(slog.DiscardHandler)))
}

// benchInProcess measures the handler alone, without a network.
func benchInProcess(b *testing.B, h http.Handler, path, auth string) {
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", path, strings.NewReader(helloBody))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkInProcessBareNetHTTP(b *testing.B) {
	benchInProcess(b, http.HandlerFunc(bareHello), "/example", "")
}

func BenchmarkInProcessCall(b *testing.B) {
	benchInProcess(b, benchServer(), "/example", "")
}

func BenchmarkInProcessCallAuthenticated(b *testing.B) {
	benchInProcess(b, benchServer(), "/secure/whoami", basic("42:secret"))
}

// benchLoopback measures full HTTP calls over loopback with keep-alive,
// from as many goroutines as GOMAXPROCS.
func benchLoopback(b *testing.B, h http.Handler, path, auth string) {
	ts := httptest.NewServer(h)
	defer ts.Close()
	client := ts.Client()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", ts.URL+path, bytes.NewReader([]byte(helloBody)))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

func BenchmarkLoopbackBareNetHTTP(b *testing.B) {
	benchLoopback(b, http.HandlerFunc(bareHello), "/example", "")
}

func BenchmarkLoopbackCall(b *testing.B) {
	benchLoopback(b, benchServer(), "/example", "")
}

func BenchmarkLoopbackCallAuthenticated(b *testing.B) {
	benchLoopback(b, benchServer(), "/secure/whoami", basic("42:secret"))
}
