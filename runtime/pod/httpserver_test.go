package pod

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gopod/gopod/runtime/config"
)

// shortTimeouts are timeouts a test can outwait.
func shortTimeouts() config.HTTP {
	h := config.DefaultHTTP()
	h.ReadHeaderTimeout, h.ReadTimeout, h.WriteTimeout, h.IdleTimeout = time.Second, time.Second, time.Second, time.Second
	return h
}

// serve runs s with Serve on a loopback port until the test ends, and
// returns its address.
func serve(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, &config.Config{RunMode: config.ModeTest}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// TestSlowBodies replays finding 7: 50 clients on loopback send the
// headers and part of a body, then nothing more. The server used to hold
// them open for ever; each must now be closed once the read timeout has
// passed. So must clients that stop in the middle of their headers, and
// kept-alive connections that stay idle.
func TestSlowBodies(t *testing.T) {
	s := NewServer(testDispatch(), WithHTTP(shortTimeouts()), WithLogger(slog.New(slog.DiscardHandler)))
	addr := serve(t, s)
	kinds := []struct {
		name    string
		clients int
		send    string
	}{
		{"partial body", 50, "POST /example/hello HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"name\":\""},
		{"partial headers", 10, "POST /example/hello HTTP/1.1\r\nHost: x\r\nContent-Type: appl"},
		{"idle after a call", 10, "POST /example/hello HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n{\"name\":\"x\"}"},
	}
	start := time.Now()
	// A connection still open this long after its timeout was held.
	giveUp := start.Add(20 * time.Second)
	var wg sync.WaitGroup
	var mu sync.Mutex
	held := map[string]int{}
	var last time.Duration
	for _, k := range kinds {
		for range k.clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				defer conn.Close()
				io.WriteString(conn, k.send)
				conn.SetReadDeadline(giveUp)
				_, err = io.Copy(io.Discard, conn) // until the server closes
				mu.Lock()
				defer mu.Unlock()
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					held[k.name]++
				}
				last = max(last, time.Since(start))
			}()
		}
	}
	wg.Wait()
	for _, k := range kinds {
		if held[k.name] > 0 {
			t.Errorf("%s: %d of %d connections still open after %v (timeouts 1s)", k.name, held[k.name], k.clients, giveUp.Sub(start))
		}
	}
	t.Logf("all 70 connections closed within %v of the first (timeouts 1s)", last.Round(time.Millisecond))
}

// TestLongLivedWebSocket: the read, write and idle timeouts end slow
// requests, not WebSocket connections, which outlive them all.
func TestLongLivedWebSocket(t *testing.T) {
	s := NewServer(testDispatch(), WithHTTP(shortTimeouts()), WithLogger(slog.New(slog.DiscardHandler)))
	addr := serve(t, s)
	socks := map[string]*websocket.Conn{}
	for _, path := range []string{"/v1/websocket", "/websocket"} {
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+path, nil)
		if err != nil {
			t.Fatalf("dial %s: %v", path, err)
		}
		defer ws.Close()
		socks[path] = ws
	}
	time.Sleep(2500 * time.Millisecond) // past every timeout
	ws := socks["/v1/websocket"]
	if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatalf("write after the timeouts: %v", err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != `{"type":"pong"}` {
		t.Fatalf("after the timeouts read %q, %v; want a pong", msg, err)
	}
	// The legacy protocol has no ping: its socket must still be open, so
	// a read waits rather than seeing a close.
	legacy := socks["/websocket"]
	legacy.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, msg, err := legacy.ReadMessage()
	if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("legacy socket after the timeouts: read %q, %v; want it open", msg, err)
	}
}

// TestWriteTimeoutFromFirstByte: a call may compute longer than the write
// timeout (the limit starts with the response), but a client that stops
// reading a response is let go after it.
func TestWriteTimeoutFromFirstByte(t *testing.T) {
	writeErr := make(chan error, 1)
	s := NewServer(testDispatch(), WithHTTP(shortTimeouts()), WithLogger(slog.New(slog.DiscardHandler)),
		WithRoute("/slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(1500 * time.Millisecond)
			io.WriteString(w, "computed")
		})),
		WithRoute("/huge", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			chunk := make([]byte, 64<<10)
			var err error
			for i := 0; i < 4096 && err == nil; i++ { // 256 MiB at most
				_, err = w.Write(chunk)
			}
			writeErr <- err
		})))
	addr := serve(t, s)
	resp, err := http.Get("http://" + addr + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "computed" {
		t.Errorf("a call longer than the write timeout answered %q", b)
	}

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	fmt.Fprintf(conn, "GET /huge HTTP/1.1\r\nHost: x\r\n\r\n") // and never read
	select {
	case err := <-writeErr:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("writing to a client that does not read ended with %v, want the deadline", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a client that does not read held the response for 20 s (write timeout 1 s)")
	}
}

// TestSecurityHeaders: every answer, errors included, carries nosniff and
// the other headers Serverpod 2.4 (Dart's HttpServer) sends.
func TestSecurityHeaders(t *testing.T) {
	s := NewServer(testDispatch(), WithAuthenticationHandler(testAuth), WithLogger(slog.New(slog.DiscardHandler)), WithMaxRequestSize(64))
	ts := httptest.NewServer(s)
	defer ts.Close()
	for _, tt := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/", "", 200},
		{"POST", "/example/hello", `{"name":"x"}`, 200},
		{"POST", "/example/hello", `{"name":`, 400},
		{"POST", "/nope/hello", `{}`, 404},
		{"POST", "/example/hello", strings.Repeat("x", 100), 413},
		{"POST", "/secure/whoami", `{}`, 401},
		{"POST", "/example/boom", `{}`, 500},
		{"POST", "/example/throw", `{}`, 400},
		{"OPTIONS", "/example/hello", "", 200},
		{"GET", "/v1/websocket", "", 400}, // not an upgrade
	} {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
		}
		for k, v := range map[string]string{
			"X-Content-Type-Options":       "nosniff",
			"X-Frame-Options":              "SAMEORIGIN",
			"X-Xss-Protection":             "1; mode=block",
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Methods": "POST",
		} {
			if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
				t.Errorf("%s %s (%d): %s = %q, want %q", tt.method, tt.path, resp.StatusCode, k, got, v)
			}
		}
	}
}

// TestCORS: by default any origin may call, as in 2.4, and a Flutter web
// app's preflight passes; with allowed origins, only those.
func TestCORS(t *testing.T) {
	preflight := func(t *testing.T, url, origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", url+"/example/hello", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type,authorization")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	t.Run("default", func(t *testing.T) {
		ts := httptest.NewServer(NewServer(testDispatch()))
		defer ts.Close()
		resp := preflight(t, ts.URL, "http://localhost:53012")
		if resp.StatusCode != 200 || resp.ContentLength != 0 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
			resp.Header.Get("Access-Control-Allow-Methods") != "POST" ||
			resp.Header.Get("Access-Control-Allow-Headers") != "Content-Type, Authorization, Accept, User-Agent, X-Requested-With" {
			t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("allowed origins", func(t *testing.T) {
		h := config.DefaultHTTP()
		h.AllowedOrigins = []string{"https://app.shop.example"}
		ts := httptest.NewServer(NewServer(testDispatch(), WithHTTP(h)))
		defer ts.Close()
		for origin, allowed := range map[string]bool{"https://app.shop.example": true, "https://evil.example": false, "": false} {
			resp := preflight(t, ts.URL, origin)
			got := resp.Header.Get("Access-Control-Allow-Origin")
			if allowed && got != origin || !allowed && got != "" {
				t.Errorf("origin %q: Access-Control-Allow-Origin = %q", origin, got)
			}
			if v := resp.Header.Values("Vary"); len(v) != 1 || v[0] != "Origin" {
				t.Errorf("origin %q: Vary = %q", origin, v)
			}
			req, _ := http.NewRequest("POST", ts.URL+"/example/hello", strings.NewReader(`{"name":"x"}`))
			req.Header.Set("Origin", origin)
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if got := r.Header.Get("Access-Control-Allow-Origin"); allowed && got != origin || !allowed && got != "" {
				t.Errorf("call from %q: Access-Control-Allow-Origin = %q", origin, got)
			}
			// WebSocket upgrades are not subject to CORS in browsers: the
			// server checks the origin itself. No origin: not a browser.
			hdr := http.Header{}
			if origin != "" {
				hdr.Set("Origin", origin)
			}
			ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/v1/websocket", hdr)
			if ws != nil {
				ws.Close()
			}
			if upgraded := err == nil; upgraded != (allowed || origin == "") {
				t.Errorf("WebSocket from %q: upgraded %v (%v)", origin, upgraded, resp.Status)
			} else if !upgraded && resp.StatusCode != http.StatusForbidden {
				t.Errorf("WebSocket from %q: status %d, want 403", origin, resp.StatusCode)
			}
		}
	})
}

// rawCall posts body to path with the given Accept-Encoding (none when
// empty) and returns the response with its body as sent.
func rawCall(t *testing.T, url, path, body, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+path, strings.NewReader(body))
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	// A transport of its own that leaves the body as it came.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGzip: answers of a kilobyte or more are gzipped for clients that
// accept it, and decode to the same bytes; small ones go as they are.
func TestGzip(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 4000)...)
	s := NewServer(testDispatch(), WithLogger(slog.New(slog.DiscardHandler)),
		WithRoute("/image", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(png)
		})),
		WithRoute("/sniffed", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for range 100 {
				io.WriteString(w, "<html>hello</html>\n") // in pieces, no type
			}
		})))
	ts := httptest.NewServer(s)
	defer ts.Close()
	long := strings.Repeat("abc", 1000)
	bigBody := `{"name":"` + long + `"}`
	want := `"Hello ` + long + `"`

	for _, tt := range []struct {
		name, path, body, accept string
		gzipped                  bool
	}{
		{"large, accepted", "/example/hello", bigBody, "gzip", true},
		{"large, accepted among others", "/example/hello", bigBody, "br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"large, refused", "/example/hello", bigBody, "gzip;q=0", false},
		{"large, not asked", "/example/hello", bigBody, "", false},
		{"small", "/example/hello", `{"name":"x"}`, "gzip", false},
		{"error text", "/" + strings.Repeat("a", 1100) + "/x", `{}`, "gzip", true},
		{"image", "/image", "", "gzip", false},
		{"sniffed html in pieces", "/sniffed", "", "gzip", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, b := rawCall(t, ts.URL, tt.path, tt.body, tt.accept)
			if got := resp.Header.Get("Content-Encoding") == "gzip"; got != tt.gzipped {
				t.Fatalf("gzipped %v, want %v (%d bytes, %v)", got, tt.gzipped, len(b), resp.Header)
			}
			if tt.gzipped {
				if resp.Header.Get("Vary") != "Accept-Encoding" {
					t.Errorf("headers %v", resp.Header)
				}
				b = gunzip(t, b)
			} else if len(b) < compressMin && resp.ContentLength != int64(len(b)) {
				t.Errorf("Content-Length %d for %d bytes", resp.ContentLength, len(b))
			}
			if tt.path == "/example/hello" && resp.StatusCode == 200 && string(b) != want && tt.body == bigBody {
				t.Errorf("body %.40q..., want %.40q...", b, want)
			}
			if tt.path == "/image" && !bytes.Equal(b, png) {
				t.Errorf("image changed")
			}
			if tt.path == "/sniffed" && (resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || len(b) != 1900) {
				t.Errorf("sniffed: %q, %d bytes", resp.Header.Get("Content-Type"), len(b))
			}
		})
	}

	// Go's own client asks for gzip and decodes it unseen.
	resp, err := http.Post(ts.URL+"/example/hello", "application/json", strings.NewReader(bigBody))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !resp.Uncompressed || string(b) != want {
		t.Errorf("Go client: uncompressed %v, body %.40q", resp.Uncompressed, b)
	}

	h := config.DefaultHTTP()
	h.Compress = false
	off := httptest.NewServer(NewServer(testDispatch(), WithHTTP(h)))
	defer off.Close()
	if resp, _ := rawCall(t, off.URL, "/example/hello", bigBody, "gzip"); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("compress: false still gzipped")
	}
}

// TestGzipFlush: a handler that flushes gets its bytes to the client
// before it returns, gzipped or not.
func TestGzipFlush(t *testing.T) {
	release := make(chan struct{})
	s := NewServer(testDispatch(), WithRoute("/events", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, strings.Repeat("event\n", 300))
		http.NewResponseController(w).Flush()
		<-release
	})))
	ts := httptest.NewServer(s)
	defer ts.Close()
	defer close(release)
	resp, err := http.Get(ts.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "event\n" || !resp.Uncompressed {
		t.Errorf("read %q, %v (uncompressed %v) before the handler returned", line, err, resp.Uncompressed)
	}
}
