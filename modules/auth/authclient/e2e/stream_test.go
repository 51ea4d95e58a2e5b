package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
	"github.com/gopod/gopod/modules/auth/dispatch"
	"github.com/gopod/gopod/modules/auth/migrations"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/stream/streamtest"
)

var (
	ctx   = context.Background()
	dbURL string
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "authclient_e2e", &dbURL)) }

const guard = 10 * time.Second

// cluster is servers sharing one database and one Redis, with a Redis
// prefix of their own so that other tests' messages stay apart.
type cluster struct {
	t      *testing.T
	db     *db.DB
	rdb    *redis.Client
	prefix string

	mu    sync.Mutex
	codes map[string]string // email → last validation code
}

var migrateOnce sync.Once

func newCluster(t *testing.T) *cluster {
	t.Helper()
	database, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(database.Close)
	migrateOnce.Do(func() {
		if _, err := migrate.New(db.Pool(database), moduleProject{}, auth.ModuleName).Apply(ctx); err != nil {
			t.Fatal(err)
		}
	})
	addr := os.Getenv("GOPOD_TEST_REDIS")
	if addr == "" {
		addr = "localhost:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("these tests need Redis at %s (.ci/run starts it; GOPOD_TEST_REDIS points elsewhere): %v", addr, err)
	}
	t.Cleanup(func() { rdb.Close() })
	suffix := make([]byte, 6)
	rand.Read(suffix)
	return &cluster{t: t, db: database, rdb: rdb, prefix: "gopod:test:" + hex.EncodeToString(suffix) + ":", codes: map[string]string{}}
}

// moduleProject is a project whose migrations/ folder is the auth
// module's.
type moduleProject struct{}

func (moduleProject) Open(name string) (fs.File, error) {
	if name == migrate.MigrationsDir {
		return migrations.FS().Open(".")
	}
	if rest, ok := strings.CutPrefix(name, migrate.MigrationsDir+"/"); ok {
		return migrations.FS().Open(rest)
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// server is one server of the cluster: the streamtest project with the
// auth module.
type server struct {
	*streamtest.Server
	pod *pod.Server
}

func (c *cluster) server(id string) *server {
	c.t.Helper()
	module := auth.New(auth.Config{
		PasswordCost: auth.PasswordCost{MemoryKiB: 1024, Time: 1, Threads: 1},
		SendValidationEmail: func(_ *pod.Session, email, code string) error {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.codes[email] = code
			return nil
		},
		SendPasswordResetEmail: func(*pod.Session, *protocol.UserInfo, string) error { return nil },
	})
	s := streamtest.StartWith(c.t, func(d *pod.Dispatch) { d.AddModule(auth.ModuleName, dispatch.New()) },
		pod.WithDatabase(c.db),
		pod.WithRedis(c.rdb, id),
		pod.WithMessagesPrefix(c.prefix),
		pod.WithModule(module),
		pod.WithAuthenticationHandler(module.AuthenticationHandler),
		pod.WithPasswords(map[string]string{
			auth.PasswordAuthKeySalt: "e2e-auth-key-salt",
			auth.PasswordEmailPepper: "e2e-pepper",
			auth.PasswordCodeSecret:  "e2e-code-secret-0123456789",
		}),
		pod.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	)
	runCtx, stop := context.WithCancel(ctx)
	c.t.Cleanup(stop)
	go s.Pod.Messages().Run(runCtx)
	select {
	case <-s.Pod.Messages().Ready():
	case <-time.After(guard):
		c.t.Fatal("the server never subscribed to Redis")
	}
	return &server{Server: s, pod: s.Pod}
}

// device is an app: a key manager, the project's client sending that key,
// the auth module's caller over the same connection, and a session
// manager.
type device struct {
	keys   *podclient.MemoryKeyManager
	client *streamtest.Client
	auth   *authclient.Caller
	sm     *authclient.SessionManager
}

func (s *server) device() *device {
	keys := podclient.NewMemoryKeyManager()
	c := streamtest.NewClient(s.URL, podclient.WithAuthKeyManager(keys))
	a := authclient.NewCaller(c.Caller)
	return &device{keys: keys, client: c, auth: a, sm: authclient.NewSessionManager(a, keys, nil)}
}

// signUp creates an account and returns its user id.
func (c *cluster) signUp(d *device, email string) int64 {
	c.t.Helper()
	ctl := authclient.NewEmailAuthController(d.sm)
	if err := ctl.CreateAccountRequest(ctx, "Ada", email, "correct horse battery"); err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	code := c.codes[email]
	c.mu.Unlock()
	u, err := ctl.ValidateAccount(ctx, email, code)
	if err != nil {
		c.t.Fatal(err)
	}
	return *u.ID
}

func signIn(t *testing.T, d *device, email string) {
	t.Helper()
	if _, err := authclient.NewEmailAuthController(d.sm).SignIn(ctx, email, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
}

// pull starts ranging over seq; next returns its next value or error.
func pull[T any](t *testing.T, seq iter.Seq2[T, error]) func() (T, error) {
	t.Helper()
	type item struct {
		v   T
		err error
	}
	ch := make(chan item)
	done := make(chan struct{})
	go func() {
		defer close(ch)
		for v, err := range seq {
			select {
			case ch <- item{v, err}:
			case <-done:
				return
			}
		}
	}()
	t.Cleanup(func() { close(done) })
	return func() (T, error) {
		t.Helper()
		select {
		case it, ok := <-ch:
			if !ok {
				var zero T
				return zero, errors.New("the stream ended")
			}
			return it.v, it.err
		case <-time.After(guard):
			t.Fatal("the stream sent nothing")
			var zero T
			return zero, nil
		}
	}
}

// TestSessionManagerMovesStreams: the streams a device has open follow
// its sign-in and sign-out.
func TestSessionManagerMovesStreams(t *testing.T) {
	c := newCluster(t)
	srv := c.server("a")
	phone := srv.device()
	if err := phone.sm.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	userID := c.signUp(phone, "ada@example.com")

	whoami := pull(t, phone.client.Example.Whoami(ctx))
	if id, err := whoami(); err != nil || id != 0 {
		t.Fatalf("signed out: %d, %v", id, err)
	}
	signIn(t, phone, "ada@example.com")
	if id, err := whoami(); err != nil || id != userID {
		t.Fatalf("after sign-in: %d, %v; want %d", id, err, userID)
	}
	watch := pull(t, phone.client.Secure.Watch(ctx))
	if id, err := watch(); err != nil || id != userID {
		t.Fatalf("a signed-in stream: %d, %v", id, err)
	}

	if err := phone.sm.SignOutDevice(ctx); err != nil {
		t.Fatal(err)
	}
	if id, err := whoami(); err != nil || id != 0 {
		t.Fatalf("after sign-out: %d, %v; want 0", id, err)
	}
	// A stream that requires login cannot go on: either the server closed
	// it when the key was revoked, or it could not open again without one.
	if _, err := watch(); !errors.Is(err, podclient.ErrStreamFailed) && !errors.Is(err, podclient.ErrUnauthorized) {
		t.Fatalf("a signed-in stream after sign-out: %v", err)
	}
}

// TestRevokedKeyClosesStream: another device signing the user out
// everywhere closes this device's signed-in stream.
func TestRevokedKeyClosesStream(t *testing.T) {
	c := newCluster(t)
	srv := c.server("a")
	phone, laptop := srv.device(), srv.device()
	c.signUp(phone, "bob@example.com")
	signIn(t, phone, "bob@example.com")
	signIn(t, laptop, "bob@example.com")
	watch := pull(t, phone.client.Secure.Watch(ctx))
	if _, err := watch(); err != nil {
		t.Fatal(err)
	}
	if err := laptop.sm.SignOutAllDevices(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := watch(); !errors.Is(err, podclient.ErrStreamFailed) {
		t.Fatalf("got %v, want the stream closed with an error", err)
	}
}

// TestTwoServers: a message posted on one server reaches a stream on the
// other, and a sign-out on one closes a signed-in stream on the other.
func TestTwoServers(t *testing.T) {
	c := newCluster(t)
	a, b := c.server("a"), c.server("b")

	listener := b.device()
	lobby := pull(t, listener.client.Example.Listen(ctx, "lobby"))
	waitFor(t, func() bool { return b.pod.Messages().Listening("room:lobby") > 0 })
	if err := a.device().client.Example.Say(ctx, "lobby", "hello from a"); err != nil {
		t.Fatal(err)
	}
	if n, err := lobby(); err != nil || n.Text != "hello from a" {
		t.Fatalf("got %v, %v", n, err)
	}

	phone := a.device()
	userID := c.signUp(phone, "cy@example.com")
	signIn(t, phone, "cy@example.com")
	key, _ := phone.keys.Get()
	other := b.device()
	other.keys.Put(key)
	watch := pull(t, other.client.Secure.Watch(ctx))
	if id, err := watch(); err != nil || id != userID {
		t.Fatalf("on b: %d, %v", id, err)
	}
	if err := phone.sm.SignOutDevice(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := watch(); !errors.Is(err, podclient.ErrStreamFailed) {
		t.Fatalf("on b after the sign-out on a: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(time.Millisecond)
	}
}
