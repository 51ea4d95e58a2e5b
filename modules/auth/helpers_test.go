package auth_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

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
	"github.com/gopod/gopod/runtime/storage"
	"github.com/gopod/gopod/wire"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "auth", &dbURL)) }

var (
	dbOnce   sync.Once
	database *db.DB
	dbErr    error
)

// testDB is the package's database with the module's migrations applied.
func testDB(tb testing.TB) *db.DB {
	tb.Helper()
	dbOnce.Do(func() {
		ctx := context.Background()
		database, dbErr = db.Open(ctx, dbURL)
		if dbErr != nil {
			return
		}
		project := fstest.MapFS{}
		dbErr = fs.WalkDir(migrations.FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(migrations.FS(), p)
			project["migrations/"+p] = &fstest.MapFile{Data: b}
			return err
		})
		if dbErr == nil {
			_, dbErr = migrate.New(db.Pool(database), project, auth.ModuleName).Apply(ctx)
		}
	})
	if dbErr != nil {
		tb.Fatalf("test database: %v", dbErr)
	}
	return database
}

// clock is a settable clock. It starts at the real time so that rows of
// different tests stay within each other's windows.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC().Truncate(time.Millisecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testCost keeps Argon2 cheap in tests; the benchmarks use the real cost.
var testCost = auth.PasswordCost{MemoryKiB: 1024, Time: 1, Threads: 1}

// Secrets of the test servers.
var testPasswords = map[string]string{
	auth.PasswordAuthKeySalt: "test-auth-key-salt",
	auth.PasswordEmailPepper: "test-pepper",
	auth.PasswordCodeSecret:  "test-code-secret-0123456789",
}

var ipCounter atomic.Int32

// env is one test's server: the auth module on a pod server backed by the
// package's database, reachable over HTTP from one client address.
type env struct {
	t      testing.TB
	db     *db.DB
	clock  *clock
	module *auth.Module
	server *pod.Server
	http   *httptest.Server
	ip     string
	logs   *lockedWriter

	mu     sync.Mutex
	codes  map[string]string // email → last code sent
	resets map[string]string // email → last reset code sent
}

// newEnv starts a server; configure adjusts the module's configuration
// (its clock, storage and mail senders are set already).
func newEnv(tb testing.TB, configure func(*auth.Config)) *env {
	tb.Helper()
	return newEnvWith(tb, testPasswords, configure)
}

// newEnvWith is newEnv with other secrets in passwords.yaml, and more
// server options.
func newEnvWith(tb testing.TB, passwords map[string]string, configure func(*auth.Config), opts ...pod.Option) *env {
	tb.Helper()
	e := &env{t: tb, db: testDB(tb), clock: newClock(), codes: map[string]string{}, resets: map[string]string{}, logs: &lockedWriter{w: &strings.Builder{}}}
	n := ipCounter.Add(1)
	e.ip = fmt.Sprintf("10.%d.%d.%d", n/65536%256, n/256%256, n%256)

	var handler http.Handler
	e.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Calls from clients bound to a loopback address of their own
		// (clientAt) keep their real address; the others play e.ip or
		// the address the X-Test-Client header names.
		if ip := r.Header.Get("X-Test-Client"); ip != "" {
			r.RemoteAddr = net.JoinHostPort(ip, "40000")
		} else if host, _, _ := net.SplitHostPort(r.RemoteAddr); host == "127.0.0.1" {
			r.RemoteAddr = e.ip + ":40000"
		}
		handler.ServeHTTP(w, r)
	}))
	tb.Cleanup(e.http.Close)
	u, _ := url.Parse(e.http.URL)
	port, _ := strconv.Atoi(u.Port())
	store := storage.NewDatabase(storage.Public, storage.Server{Scheme: "http", Host: u.Hostname(), Port: port})

	cfg := auth.Config{
		Now:          e.clock.Now,
		PasswordCost: testCost,
		Storage:      store,
		SendValidationEmail: func(s *pod.Session, email, code string) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.codes[email] = code
			return nil
		},
		SendPasswordResetEmail: func(s *pod.Session, user *protocol.UserInfo, code string) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.resets[*user.Email] = code
			return nil
		},
	}
	if configure != nil {
		configure(&cfg)
	}
	e.module = auth.New(cfg)
	root := pod.NewDispatch("authtest")
	root.AddModule(auth.ModuleName, dispatch.New())
	e.server = pod.NewServer(root, append([]pod.Option{
		pod.WithDatabase(e.db),
		pod.WithModule(e.module),
		pod.WithAuthenticationHandler(e.module.AuthenticationHandler),
		pod.WithPasswords(passwords),
		pod.WithLogger(slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
		pod.WithRoute(storage.Path, storage.Handler(e.db, store, nil)),
	}, opts...)...)
	handler = e.server
	return e
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// client returns a generated client with its own key store.
func (e *env) client() *authclient.Caller {
	return authclient.NewCaller(podclient.NewCaller(e.http.URL+"/", authclient.Registry(),
		podclient.WithAuthKeyManager(podclient.NewMemoryKeyManager())))
}

// signedInClient returns a client holding the key of a sign-in.
func (e *env) signedInClient(r authclient.AuthenticationResponse) *authclient.Caller {
	e.t.Helper()
	if !r.Success || r.KeyID == nil || r.Key == nil {
		e.t.Fatalf("sign-in failed: %s", mustJSON(r))
	}
	keys := podclient.NewMemoryKeyManager()
	if err := keys.Put(fmt.Sprintf("%d:%s", *r.KeyID, *r.Key)); err != nil {
		e.t.Fatal(err)
	}
	return authclient.NewCaller(podclient.NewCaller(e.http.URL+"/", authclient.Registry(), podclient.WithAuthKeyManager(keys)))
}

func mustJSON(v any) string {
	b, err := wire.MarshalModel(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// raw posts a call as a Serverpod 2.4 client does and returns the status
// and body. key, when not empty, is sent as 2.4's Basic header.
func (e *env) raw(endpoint, body, key string) (int, string) {
	e.t.Helper()
	return e.rawFrom("", endpoint, body, key)
}

// rawFrom is raw from another client address.
func (e *env) rawFrom(ip, endpoint, body, key string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.http.URL+"/"+endpoint, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if key != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(key)))
	}
	if ip != "" {
		req.Header.Set("X-Test-Client", ip)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// exec runs SQL on the test database.
func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.db.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

// queryInt runs a query returning one integer.
func (e *env) queryInt(sql string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (e *env) queryString(sql string, args ...any) string {
	e.t.Helper()
	var s string
	if err := e.db.QueryRow(context.Background(), sql, args...).Scan(&s); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func (e *env) code(email string) string {
	e.module.WaitForMail()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.codes[email]
}

func (e *env) resetCode(email string) string {
	e.module.WaitForMail()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.resets[email]
}

var emailCounter atomic.Int64

// newEmail returns an address no other test uses.
func newEmail(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@example.com", prefix, time.Now().UnixNano()%1e9, emailCounter.Add(1))
}

// signUp creates an account through the email endpoints and returns the
// user.
func (e *env) signUp(c *authclient.Caller, userName, email, password string) *authclient.UserInfo {
	e.t.Helper()
	ctx := context.Background()
	ok, err := c.Email.CreateAccountRequest(ctx, userName, email, password)
	if err != nil || !ok {
		e.t.Fatalf("createAccountRequest(%s): %v, %v", email, ok, err)
	}
	u, err := c.Email.CreateAccount(ctx, email, e.code(email))
	if err != nil || u == nil {
		e.t.Fatalf("createAccount(%s): %v, %v", email, u, err)
	}
	return u
}

// signIn signs in with email and password and fails the test otherwise.
func (e *env) signIn(c *authclient.Caller, email, password string) authclient.AuthenticationResponse {
	e.t.Helper()
	r, err := c.Email.Authenticate(context.Background(), email, password)
	if err != nil || !r.Success {
		e.t.Fatalf("authenticate(%s): %s, %v", email, mustJSON(r), err)
	}
	return r
}

func keyOf(r authclient.AuthenticationResponse) string {
	return fmt.Sprintf("%d:%s", *r.KeyID, *r.Key)
}

// Logs returns what the server logged at warning level and above.
func (e *env) Logs() string {
	e.logs.mu.Lock()
	defer e.logs.mu.Unlock()
	return e.logs.w.(*strings.Builder).String()
}

// rawHeader posts a call with the Authorization header as given.
func (e *env) rawHeader(endpoint, body, authorization string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.http.URL+"/"+endpoint, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var loopbackCounter atomic.Int32

// loopbackIP returns a loopback address no other test uses, other than
// 127.0.0.1, for a client to bind to.
func loopbackIP() string {
	n := loopbackCounter.Add(1)
	return fmt.Sprintf("127.0.%d.%d", n/250, n%250+2)
}

// clientAt returns a generated client whose connections come from ip (a
// loopback address from loopbackIP): the server sees that address as the
// client's, as it would see a real one.
func (e *env) clientAt(ip string) *authclient.Caller {
	e.t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	transport := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 64}
	e.t.Cleanup(transport.CloseIdleConnections)
	return authclient.NewCaller(podclient.NewCaller(e.http.URL+"/", authclient.Registry(),
		podclient.WithHTTPClient(&http.Client{Transport: transport, Timeout: time.Minute}),
		podclient.WithAuthKeyManager(podclient.NewMemoryKeyManager())))
}

// parallel runs n calls at once and waits for all of them.
func parallel(n int, call func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call(i)
		}()
	}
	wg.Wait()
}
