package pod

import (
	"context"
	"fmt"
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

// TestRejectedValueIsBadRequest: a value from the call that PostgreSQL
// cannot store (a NUL in a string, a number out of range) is the caller's
// mistake and answers 400 with PostgreSQL's reason, not a 500.
func TestRejectedValueIsBadRequest(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, testDB)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	disp := NewDispatch("test")
	disp.Add(NewConnector("data", "", &exampleEndpoint{},
		&Method{Name: "echo", Call: func(s *Session, a *Args, e *wire.Encoder) error {
			text, err := Arg(a, "text", wire.DecodeString)
			if err != nil {
				return err
			}
			if err := s.Querier().QueryRow(s, "SELECT $1::text", text).Scan(&text); err != nil {
				return fmt.Errorf("echoing: %w", err)
			}
			e.String(text)
			return nil
		}},
		&Method{Name: "small", Call: func(s *Session, a *Args, e *wire.Encoder) error {
			n, err := Arg(a, "n", wire.DecodeInt)
			if err != nil {
				return err
			}
			var small int16
			if err := s.Querier().QueryRow(s, "SELECT $1::bigint::smallint", n).Scan(&small); err != nil {
				return err
			}
			e.Int(int64(small))
			return nil
		}},
		&Method{Name: "divide", Call: func(s *Session, a *Args, e *wire.Encoder) error {
			var n int64
			return s.Querier().QueryRow(s, "SELECT 1 / (SELECT 0)").Scan(&n)
		}},
	))
	srv := NewServer(disp, WithDatabase(d), WithLogger(slog.New(slog.DiscardHandler)))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	for _, tc := range []struct {
		body   string
		status int
		prefix string
	}{
		{`{"method":"echo","text":"plain"}`, http.StatusOK, `"plain"`},
		{`{"method":"echo","text":"a\u0000b"}`, http.StatusBadRequest, "Bad request: the database cannot store a value of this call (invalid byte sequence"},
		{`{"method":"small","n":1000000}`, http.StatusBadRequest, "Bad request: the database cannot store a value of this call (smallint out of range). Call log id: "},
		// The query's own fault stays a server error.
		{`{"method":"divide"}`, http.StatusInternalServerError, "Internal server error. Call log id: "},
	} {
		resp, err := http.Post(ts.URL+"/data", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.HasPrefix(string(body), tc.prefix) {
			t.Errorf("%s: %d %q; want %d %q...", tc.body, resp.StatusCode, body, tc.status, tc.prefix)
		}
	}
}
