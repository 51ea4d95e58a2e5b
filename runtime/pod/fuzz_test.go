package pod

import (
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzServeCall throws arbitrary paths, bodies and authorization headers at
// the call handler: a malformed request must be answered with a 4xx and a
// reason, never a panic or a 500.
func FuzzServeCall(f *testing.F) {
	f.Add("/example", `{"method":"hello","name":"Bob"}`, "")
	f.Add("/example/add", `{"a":1,"b":null}`, "Basic NDI6c2VjcmV0")
	f.Add("/example/add?a=[1]", `null`, "Bearer x")
	f.Add("/serverpod_auth.status", `{"method":"whoami"}`, "Basic ===")
	f.Add("/secure/whoami", ``, "Basic")
	f.Add("/a.b/c", `{"method":5}`, "basic YQ== ")
	srv := NewServer(testDispatch(), WithAuthenticationHandler(testAuth), WithLogger(slog.New(slog.DiscardHandler)))
	f.Fuzz(func(t *testing.T, path, body, auth string) {
		if strings.Contains(path, "boom") || strings.Contains(path, "fail") || strings.Contains(body, "boom") || strings.Contains(body, "fail") || auth == "crash" {
			t.Skip("methods that fail on purpose")
		}
		u, err := url.Parse(path)
		if err != nil || !strings.HasPrefix(u.Path, "/") || u.Path == "/" {
			t.Skip()
		}
		// The parsed URL is set on the request as it is: NewRequest would
		// parse its text again and panic on what url.Parse lets through
		// (a space in the query), and the handler must cope with any URL.
		req := httptest.NewRequest("POST", "http://x/", strings.NewReader(body))
		req.URL, req.RequestURI = u, u.RequestURI()
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q (auth %q) answered %d: %s", path, body, auth, rec.Code, rec.Body)
		}
	})
}
