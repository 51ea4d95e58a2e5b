package streamtest

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/pod"
)

// Server is the streamtest project served on loopback.
type Server struct {
	Pod       *pod.Server
	URL       string // http://127.0.0.1:port/
	WebSocket string // ws://127.0.0.1:port
	Keys      *Keys
	Endpoints *Endpoints
}

// Start serves the project for the test, with keys user-7 (user 7) and
// admin-1 (user 1, admin scope), a quiet logger, and the authentication
// of streams checked every 20 ms; opts come after these.
func Start(tb testing.TB, opts ...pod.Option) *Server {
	tb.Helper()
	return StartWith(tb, nil, opts...)
}

// StartWith is Start with a dispatch that configure may add to (a
// module's endpoints, say).
func StartWith(tb testing.TB, configure func(d *pod.Dispatch), opts ...pod.Option) *Server {
	tb.Helper()
	d, eps := New()
	if configure != nil {
		configure(d)
	}
	keys := NewKeys()
	keys.Add("user-7", 7)
	keys.Add("admin-1", 1, pod.ScopeAdmin)
	base := []pod.Option{
		pod.WithAuthenticationHandler(keys.Handler),
		pod.WithLogger(slog.New(slog.DiscardHandler)),
		pod.WithStreamAuthRecheck(20 * time.Millisecond),
	}
	srv := pod.NewServer(d, append(base, opts...)...)
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		srv.Streams().Shutdown()
		ts.Close()
	})
	return &Server{Pod: srv, URL: ts.URL + "/", WebSocket: "ws" + strings.TrimPrefix(ts.URL, "http"), Keys: keys, Endpoints: eps}
}
