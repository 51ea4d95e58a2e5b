package podtest_test

import (
	"context"
	"errors"
	"iter"
	"os"
	"sync"
	"testing"
	"time"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
	authdispatch "github.com/gopod/gopod/modules/auth/dispatch"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/podtest"
	"github.com/gopod/gopod/runtime/stream"
	"github.com/gopod/gopod/wire"
)

// env runs the project in testdata/project on a database of the local
// PostgreSQL made for this package.
var env *podtest.Env

func TestMain(m *testing.M) {
	os.Exit(dbtest.MainWith(m, "podtest", func(url string) (func(), error) {
		env = podtest.NewEnv(podtest.Options{Dir: "testdata/project", DatabaseURL: url})
		return func() { _ = env.Close() }, nil
	}))
}

// The project's endpoints, written as a user writes them, and their
// dispatch, written as gopod generate writes one.

type NotesEndpoint struct{ pod.Endpoint }

func (e *NotesEndpoint) Add(s *pod.Session, text string) (int64, error) {
	var id int64
	err := s.Querier().QueryRow(s, `INSERT INTO podtest_note (text) VALUES ($1) RETURNING id`, text).Scan(&id)
	return id, err
}

func (e *NotesEndpoint) Count(s *pod.Session) (int64, error) {
	var n int64
	err := s.Querier().QueryRow(s, `SELECT count(*) FROM podtest_note`).Scan(&n)
	return n, err
}

// SecureEndpoint needs a signed-in caller.
type SecureEndpoint struct{ pod.Endpoint }

func (e *SecureEndpoint) RequireLogin() bool { return true }

func (e *SecureEndpoint) Whoami(s *pod.Session) (int64, error) {
	id, _ := s.UserID()
	return id, nil
}

// Ticks streams the caller's user id n times.
func (e *SecureEndpoint) Ticks(s *pod.Session, n int64) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		id, _ := s.UserID()
		for range n {
			if !yield(id, nil) {
				return
			}
		}
	}
}

// AdminEndpoint needs the admin scope.
type AdminEndpoint struct{ pod.Endpoint }

func (e *AdminEndpoint) RequiredScopes() []string { return []string{pod.ScopeAdmin} }

func (e *AdminEndpoint) Ping(s *pod.Session) (string, error) { return "pong", nil }

func newDispatch() *pod.Dispatch {
	d := pod.NewDispatch("podtestproject")
	notes, secure, admin := &NotesEndpoint{}, &SecureEndpoint{}, &AdminEndpoint{}
	d.Add(pod.NewConnector("notes", "", notes,
		&pod.Method{Name: "add", Params: []pod.Param{{Name: "text", Type: "String"}},
			Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
				text, err := pod.Arg(a, "text", wire.DecodeString)
				if err != nil {
					return err
				}
				id, err := notes.Add(s, text)
				if err != nil {
					return err
				}
				e.Int(id)
				return nil
			}},
		&pod.Method{Name: "count",
			Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
				n, err := notes.Count(s)
				if err != nil {
					return err
				}
				e.Int(n)
				return nil
			}},
	))
	d.Add(pod.NewConnector("secure", "", secure,
		&pod.Method{Name: "whoami",
			Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
				id, err := secure.Whoami(s)
				if err != nil {
					return err
				}
				e.Int(id)
				return nil
			}},
		&pod.Method{Name: "ticks", Params: []pod.Param{{Name: "n", Type: "int"}}, Returns: pod.ReturnsStream,
			Stream: func(s *pod.Session, a *pod.Args) (stream.Run, error) {
				n, err := pod.Arg(a, "n", wire.DecodeInt)
				if err != nil {
					return nil, err
				}
				return func(c *stream.Call) error {
					return stream.SendAll(c, wire.IntClass, secure.Ticks(s, n))
				}, nil
			}},
	))
	d.Add(pod.NewConnector("admin", "", admin,
		&pod.Method{Name: "ping",
			Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
				r, err := admin.Ping(s)
				if err != nil {
					return err
				}
				e.String(r)
				return nil
			}},
	))
	d.AddModule("serverpod_auth", authdispatch.New())
	return d
}

// client is the project's Go client, written as gopod generate writes one.
type client struct {
	caller *podclient.Caller
	auth   *authclient.Caller
}

func newClient(url string, opts ...podclient.Option) *client {
	c := podclient.NewCaller(url, wire.NewRegistry(), opts...)
	return &client{caller: c, auth: authclient.NewCaller(c)}
}

func (c *client) add(ctx context.Context, text string) (int64, error) {
	return podclient.Call(ctx, c.caller, "notes", "add", func(e *wire.Encoder) {
		e.Key("text")
		e.String(text)
	}, wire.DecodeInt)
}

func (c *client) count(ctx context.Context) (int64, error) {
	return podclient.Call(ctx, c.caller, "notes", "count", nil, wire.DecodeInt)
}

func (c *client) whoami(ctx context.Context) (int64, error) {
	return podclient.Call(ctx, c.caller, "secure", "whoami", nil, wire.DecodeInt)
}

func (c *client) ticks(ctx context.Context, n int64) iter.Seq2[int64, error] {
	return podclient.Stream(ctx, c.caller, "secure", "ticks", func(e *wire.Encoder) {
		e.Key("n")
		e.Int(n)
	}, nil, wire.IntClass)
}

func (c *client) ping(ctx context.Context) (string, error) {
	return podclient.Call(ctx, c.caller, "admin", "ping", nil, wire.DecodeString)
}

// TestIsolation: what one test writes, no other test sees, even when
// they run at the same time.
func TestIsolation(t *testing.T) {
	for _, name := range []string{"a", "b", "c"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := env.Start(t, newDispatch())
			c := newClient(p.URL())
			for i := range 3 {
				if _, err := c.add(t.Context(), name); err != nil {
					t.Fatalf("add %d: %v", i, err)
				}
			}
			if n, err := c.count(t.Context()); err != nil || n != 3 {
				t.Fatalf("count = %d, %v; want 3: another test's notes are visible", n, err)
			}
		})
	}
	t.Run("after", func(t *testing.T) {
		p := env.Start(t, newDispatch())
		if n, err := newClient(p.URL()).count(t.Context()); err != nil || n != 0 {
			t.Fatalf("count = %d, %v; want 0 after the other tests", n, err)
		}
		// The session is a db.Conn on the test's database too.
		if _, err := (&NotesEndpoint{}).Add(p.Session(t.Context()), "direct"); err != nil {
			t.Fatal(err)
		}
		if n, err := newClient(p.URL()).count(t.Context()); err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want the note added through the session", n, err)
		}
	})
}

// TestActingAsUser: a user and scopes without signing in, through the
// client and through a session.
func TestActingAsUser(t *testing.T) {
	module := auth.New(auth.Config{})
	p := env.Start(t, newDispatch(), pod.WithModule(module), pod.WithAuthenticationHandler(module.AuthenticationHandler))
	ctx := t.Context()

	if _, err := newClient(p.URL()).whoami(ctx); !errors.Is(err, podclient.ErrUnauthorized) {
		t.Errorf("anonymous whoami: %v, want 401", err)
	}
	alice := p.As(7)
	if id, err := newClient(p.URL(), alice.ClientOption()).whoami(ctx); err != nil || id != 7 {
		t.Errorf("whoami as 7 = %d, %v", id, err)
	}
	if id, err := (&SecureEndpoint{}).Whoami(alice.Session(ctx)); err != nil || id != 7 {
		t.Errorf("whoami through the session = %d, %v", id, err)
	}
	// The auth module sees the user as signed in.
	if ok, err := newClient(p.URL(), alice.ClientOption()).auth.Status.IsSignedIn(ctx); err != nil || !ok {
		t.Errorf("status.isSignedIn as 7 = %t, %v", ok, err)
	}
	alice.Revoke()
	if _, err := newClient(p.URL(), alice.ClientOption()).whoami(ctx); !errors.Is(err, podclient.ErrUnauthorized) {
		t.Errorf("whoami with a revoked user: %v, want 401", err)
	}
}

func TestScopes(t *testing.T) {
	p := env.Start(t, newDispatch())
	cases := []struct {
		name string
		opts []podclient.Option
		want error
	}{
		{"anonymous", nil, podclient.ErrUnauthorized},
		{"no scopes", []podclient.Option{p.As(1).ClientOption()}, podclient.ErrForbidden},
		{"another scope", []podclient.Option{p.As(1, "editor").ClientOption()}, podclient.ErrForbidden},
		{"admin", []podclient.Option{p.As(1, "editor", pod.ScopeAdmin).ClientOption()}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newClient(p.URL(), tc.opts...).ping(t.Context())
			if !errors.Is(err, tc.want) || (tc.want == nil && got != "pong") {
				t.Errorf("admin.ping = %q, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestStreams: method streams reach the server as the user.
func TestStreams(t *testing.T) {
	p := env.Start(t, newDispatch())
	var got []int64
	for v, err := range newClient(p.URL(), p.As(42).ClientOption()).ticks(t.Context(), 3) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if len(got) != 3 || got[0] != 42 || got[2] != 42 {
		t.Errorf("ticks as 42 = %v", got)
	}
	for _, err := range newClient(p.URL()).ticks(t.Context(), 3) {
		if !errors.Is(err, podclient.ErrUnauthorized) {
			t.Errorf("anonymous ticks: %v, want 401", err)
		}
		break
	}
}

// TestClock: the auth module's account requests expire by the test's
// clock.
func TestClock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration
		created bool
	}{
		{"within a day", 23 * time.Hour, true},
		{"after a day", 25 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := podtest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			var mu sync.Mutex
			codes := map[string]string{}
			module := auth.New(auth.Config{
				Now: clock.Now,
				SendValidationEmail: func(s *pod.Session, email, code string) error {
					mu.Lock()
					defer mu.Unlock()
					codes[email] = code
					return nil
				},
			})
			p := env.Start(t, newDispatch(), pod.WithModule(module), pod.WithAuthenticationHandler(module.AuthenticationHandler))
			c := newClient(p.URL())
			const email = "clock@example.com"
			if ok, err := c.auth.Email.CreateAccountRequest(t.Context(), "clock", email, "a long enough password"); err != nil || !ok {
				t.Fatalf("createAccountRequest = %t, %v", ok, err)
			}
			mu.Lock()
			code := codes[email]
			mu.Unlock()
			clock.Advance(tc.advance)
			user, err := c.auth.Email.CreateAccount(t.Context(), email, code)
			if err != nil {
				t.Fatal(err)
			}
			if (user != nil) != tc.created {
				t.Errorf("createAccount after %v = %v, want created %t", tc.advance, user, tc.created)
			}
			if user != nil && !user.Created.Equal(clock.Now()) {
				t.Errorf("the user was created at %v, want the clock's %v", user.Created, clock.Now())
			}
		})
	}
}
