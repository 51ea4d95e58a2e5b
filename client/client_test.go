package client

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopod/gopod/wire"
)

// boom stands in for a generated exception.
type boom struct{ Reason string }

func (b *boom) Error() string     { return "boom: " + b.Reason }
func (b *boom) ClassName() string { return "Boom" }
func (b *boom) EncodeJSON(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("reason")
	e.String(b.Reason)
	e.ObjectEnd()
}
func (b *boom) DecodeJSON(v any) error {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	b.Reason, err = wire.Field(o, "reason", wire.DecodeString)
	return err
}

func registry() *wire.Registry {
	r := wire.NewRegistry()
	r.Add("Boom", func(v any) (any, error) {
		var b boom
		err := b.DecodeJSON(v)
		return &b, err
	})
	return r
}

func TestCallSendsWhatServerpodClientSends(t *testing.T) {
	var gotPath, gotBody, gotAuth, gotType string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotPath, gotBody, gotAuth, gotType = r.URL.Path, string(b), r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		io.WriteString(w, `"Hello Bob"`)
	}))
	defer ts.Close()
	keys := NewMemoryKeyManager()
	keys.Put("42:secret")
	c := NewCaller(ts.URL, registry(), WithAuthKeyManager(keys))
	got, err := Call(context.Background(), c, "serverpod_auth.email", "authenticate", func(e *wire.Encoder) {
		e.Key("email")
		e.String("bob@example.com")
		e.Key("password")
		e.Null()
	}, wire.DecodeString)
	if err != nil || got != "Hello Bob" {
		t.Fatalf("Call = %q, %v", got, err)
	}
	if gotPath != "/serverpod_auth.email" || gotBody != `{"email":"bob@example.com","password":null,"method":"authenticate"}` {
		t.Errorf("sent %s %s", gotPath, gotBody)
	}
	if gotAuth != "Basic "+base64.StdEncoding.EncodeToString([]byte("42:secret")) || gotType != "application/json; charset=utf-8" {
		t.Errorf("headers: %q %q", gotAuth, gotType)
	}
}

func TestErrorsCarryStatusAndExceptions(t *testing.T) {
	for _, tc := range []struct {
		status   int
		body     string
		sentinel error
	}{
		{400, "Missing required query parameter: name\n", ErrBadRequest},
		{401, "", ErrUnauthorized},
		{403, "", ErrForbidden},
		{404, "Endpoint nope not found\n", ErrNotFound},
		{500, "Internal server error. Call log id: 3\n", ErrInternalServerError},
	} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		}))
		err := CallVoid(context.Background(), NewCaller(ts.URL, registry()), "example", "hello", nil)
		ts.Close()
		var se *StatusError
		if !errors.As(err, &se) || se.StatusCode != tc.status || se.Body != tc.body || !errors.Is(err, tc.sentinel) {
			t.Errorf("status %d: %v", tc.status, err)
		}
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, `{"className":"Boom","data":{"reason":"nope"}}`)
	}))
	defer ts.Close()
	err := CallVoid(context.Background(), NewCaller(ts.URL, registry()), "example", "hello", nil)
	var b *boom
	if !errors.As(err, &b) || b.Reason != "nope" {
		t.Errorf("exception: %v", err)
	}
}

func TestTimeoutAndContext(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(release)
	c := NewCaller(ts.URL, nil, WithTimeout(50*time.Millisecond))
	if err := CallVoid(context.Background(), c, "slow", "wait", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := CallVoid(ctx, NewCaller(ts.URL, nil), "slow", "wait", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestFileKeyManagerIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app", "key")
	m := NewFileKeyManager(path)
	if k, err := m.Get(); err != nil || k != "" {
		t.Fatalf("empty store: %q, %v", k, err)
	}
	if err := m.Put("7:abc"); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", info.Mode().Perm(), err)
	}
	if k, _ := NewFileKeyManager(path).Get(); k != "7:abc" {
		t.Errorf("a new manager reads %q", k)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := m.Remove(); err != nil {
		t.Fatal(err)
	}
	if k, _ := m.Get(); k != "" || m.Remove() != nil {
		t.Errorf("after remove: %q", k)
	}
}
