package pod

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/wire"
)

// TestDatabaseUnavailable: a call whose database cannot be reached answers
// 503 with Retry-After, not a 500 like a failing method (found by the
// fault suite restarting PostgreSQL under load); other failures stay 500.
func TestDatabaseUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@"+closed+"/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	d := NewDispatch("test")
	d.Add(NewConnector("data", "", &exampleEndpoint{},
		&Method{Name: "read", Call: func(s *Session, a *Args, e *wire.Encoder) error {
			var n int64
			if err := s.Querier().QueryRow(s, "SELECT 1").Scan(&n); err != nil {
				return err
			}
			e.Int(n)
			return nil
		}},
		&Method{Name: "fail", Call: func(s *Session, a *Args, e *wire.Encoder) error {
			return io.ErrUnexpectedEOF
		}},
	))
	srv := NewServer(d, WithDatabase(db.New(pool)), WithLogger(slog.New(slog.DiscardHandler)))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	for _, tc := range []struct {
		method     string
		status     int
		body       string
		retryAfter string
	}{
		{"read", http.StatusServiceUnavailable, "Service unavailable: the database cannot be reached. Call log id: ", "1"},
		{"fail", http.StatusInternalServerError, "Internal server error. Call log id: ", ""},
	} {
		resp, err := http.Post(ts.URL+"/data", "application/json", strings.NewReader(`{"method":"`+tc.method+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.HasPrefix(string(body), tc.body) || resp.Header.Get("Retry-After") != tc.retryAfter {
			t.Errorf("data.%s: %d %q Retry-After %q; want %d %q... Retry-After %q",
				tc.method, resp.StatusCode, body, resp.Header.Get("Retry-After"), tc.status, tc.body, tc.retryAfter)
		}
	}
}
