// Package podtest runs a gopod project's server inside the project's own
// `go test`, as the test tools Serverpod 2.4 generates (withServerpod) do:
// each test gets the server on a database of its own, calls it through the
// generated Go client (or uses its session directly), and can act as any
// user with any scopes without signing in.
//
//	func TestMain(m *testing.M) { os.Exit(podtest.Main(m)) }
//
//	func TestHello(t *testing.T) {
//		p := podtest.Start(t, dispatch.New())
//		c := client.New(p.URL())
//		got, err := c.Example.Hello(t.Context(), "World")
//		...
//		admin := client.New(p.URL(), p.As(1, "admin").ClientOption())
//	}
//
// # The database
//
// The tests use the project's test configuration (config/test.yaml and the
// test section of config/passwords.yaml). With no database host
// configured, podtest starts an embedded PostgreSQL, as gopod run does in
// development, with its data under .gopod/test-postgres/; otherwise it uses
// the configured server. The first Start of a test binary applies the
// project's migrations to the configured database (the test database), and
// only then.
//
// Each test then gets a fresh database copied from the migrated one
// (CREATE DATABASE ... TEMPLATE), dropped when the test ends. Serverpod's
// tools roll back a transaction instead; a copied database is chosen here
// because it leaves the server exactly as it runs in production: its pool
// hands calls several connections at once, the auth module and endpoints
// run transactions of their own (which would otherwise have to become
// savepoints), advisory locks and SKIP LOCKED claims behave as they do in
// production, and tests may run in parallel (t.Parallel) without seeing
// each other's rows. A copy of a small schema takes about a tenth of a
// second. The database server must let the configured user create
// databases.
//
// # Acting as a user
//
// As returns a user: its ClientOption makes the generated client send a
// key that the server takes for that user and scopes, and its Session is a
// session authenticated as the user, for calling endpoint methods or
// module functions directly. Keys of real users (signed in through the
// auth module) work as well.
//
// # Time
//
// Code that reads a clock takes it as a function: the auth module's
// Config.Now, for example. Clock is a clock a test sets and advances, so
// that a validation code or a password reset can be made to expire.
//
// # What does not run
//
// The server is served as cmd/server serves it, with the options a test
// passes (modules, authentication handler, future calls), but its
// background work does not run: future calls are stored but not executed,
// health metrics and session logs are not written. When the test
// configuration enables Redis, each test's messages have a channel prefix
// of their own, but the tests share Redis's global cache.
package podtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/runtime/pgembed"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/storage"
)

// Options configure an Env.
type Options struct {
	// Dir is the project's directory, the one holding config/. Empty means
	// the nearest directory, from the working directory up, that holds
	// config/generator.yaml (go test runs a package's tests in the
	// package's directory).
	Dir string
	// RunMode selects config/<mode>.yaml; config.ModeTest when empty.
	RunMode string
	// DatabaseURL, when set, is the test database instead of the one the
	// configuration names: a postgres:// URL whose database is migrated
	// and copied for each test.
	DatabaseURL string
	// LogLevel is the level of the server's log, which goes to the test's
	// output (shown for failed tests, or with -v); slog.LevelWarn when
	// zero, since Info logs every call.
	LogLevel slog.Level
}

// Env is the test environment of one test binary: the project, its
// configuration, and the migrated test database every test's database is
// copied from. Most projects use the default one through Start and Main.
type Env struct {
	opts Options

	once     sync.Once
	setupErr error
	root     string
	cfg      *config.Config
	cluster  *pgembed.Cluster
	tempDir  string   // the cluster's data when the project's was taken
	template *url.URL // the migrated test database

	mu       sync.Mutex
	migrated map[string]error // by project name
}

// NewEnv returns an environment; nothing happens until its first Start.
func NewEnv(opts Options) *Env {
	if opts.RunMode == "" {
		opts.RunMode = config.ModeTest
	}
	if opts.LogLevel == 0 {
		opts.LogLevel = slog.LevelWarn
	}
	return &Env{opts: opts, migrated: map[string]error{}}
}

var defaultEnv = NewEnv(Options{})

// Start starts the server of dispatch d for the test in the default
// environment; see Env.Start.
func Start(tb testing.TB, d *pod.Dispatch, opts ...pod.Option) *Pod {
	tb.Helper()
	return defaultEnv.Start(tb, d, opts...)
}

// Main runs the tests and then stops what the default environment started
// (the embedded PostgreSQL). Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(podtest.Main(m)) }
//
// Without it the embedded PostgreSQL is stopped when the test binary
// exits, less gracefully.
func Main(m *testing.M) int {
	code := m.Run()
	if err := defaultEnv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "podtest:", err)
	}
	return code
}

// Close stops the embedded PostgreSQL, if the environment started one.
func (e *Env) Close() error {
	var err error
	if e.cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = e.cluster.Stop(ctx)
	}
	if e.tempDir != "" {
		err = errors.Join(err, os.RemoveAll(e.tempDir))
	}
	return err
}

// findProject returns the nearest directory from dir up holding
// config/generator.yaml.
func findProject(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "config", "generator.yaml")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no gopod project (config/generator.yaml) in %s or above it; set podtest.Options.Dir", dir)
		}
	}
}

// setup finds the project, reads its configuration and makes the test
// database reachable, once per environment.
func (e *Env) setup(ctx context.Context) error {
	e.once.Do(func() { e.setupErr = e.doSetup(ctx) })
	return e.setupErr
}

func (e *Env) doSetup(ctx context.Context) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root := e.opts.Dir
	if root == "" {
		if root, err = findProject(wd); err != nil {
			return err
		}
	}
	if e.root, err = filepath.Abs(root); err != nil {
		return err
	}
	if e.cfg, err = config.Load(config.Options{Dir: e.root, RunMode: e.opts.RunMode}); err != nil {
		return fmt.Errorf("podtest: %w", err)
	}
	switch {
	case e.opts.DatabaseURL != "":
		if e.template, err = url.Parse(e.opts.DatabaseURL); err != nil {
			return fmt.Errorf("podtest: the database URL: %w", err)
		}
		return e.ensureTemplate(ctx)
	case e.cfg.Database.Embedded:
		return e.startEmbedded(ctx, wd)
	default:
		if e.template, err = url.Parse(pod.ConnString(e.cfg.Database)); err != nil {
			return err
		}
		return e.ensureTemplate(ctx)
	}
}

// EmbeddedDataDir is where a project keeps the embedded PostgreSQL of its
// tests, one cluster per test package (a subdirectory named after the
// package's directory), since go test runs packages in parallel.
const EmbeddedDataDir = ".gopod/test-postgres"

func (e *Env) startEmbedded(ctx context.Context, wd string) error {
	name := e.cfg.Database.Name
	if name == "" {
		name = "gopod_test"
	}
	rel, err := filepath.Rel(e.root, wd)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = "."
	}
	slug := strings.NewReplacer(string(filepath.Separator), "_", ".", "_").Replace(rel)
	if slug == "_" {
		slug = "root"
	}
	dataDir := filepath.Join(e.root, filepath.FromSlash(EmbeddedDataDir), slug)
	cluster, err := pgembed.Start(ctx, pgembed.Options{DataDir: dataDir, Database: name})
	if errors.Is(err, pgembed.ErrRunning) {
		// Another run of the same package's tests holds the cluster:
		// this run gets a cluster of its own, made afresh.
		if e.tempDir, err = os.MkdirTemp("", "podtest-postgres-"); err != nil {
			return err
		}
		// MkdirTemp makes it 0700: run as root, the postgres account
		// that the cluster runs as could not reach it, and pgembed would
		// move the cluster to a cache folder that nothing removes.
		if err = os.Chmod(e.tempDir, 0o755); err != nil {
			return err
		}
		cluster, err = pgembed.Start(ctx, pgembed.Options{DataDir: filepath.Join(e.tempDir, "data"), Database: name})
	}
	if err != nil {
		return fmt.Errorf("podtest: starting the embedded test database (configure database.host in config/%s.yaml to use a server of your own): %w", e.opts.RunMode, err)
	}
	e.cluster = cluster
	if e.template, err = url.Parse(cluster.ConnString()); err != nil {
		return err
	}
	// The cluster is this package's alone, so databases left behind by an
	// earlier run that was killed can go.
	return e.dropLeftovers(ctx)
}

// adminURL is the URL of the maintenance database of the test database's
// server, where databases are created and dropped.
func (e *Env) adminURL() string {
	u := *e.template
	u.Path = "/postgres"
	return u.String()
}

func (e *Env) templateName() string { return strings.TrimPrefix(e.template.Path, "/") }

// ensureTemplate creates the configured test database when it is missing.
func (e *Env) ensureTemplate(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, e.adminURL())
	if err != nil {
		return fmt.Errorf("podtest: connecting to the test database's server: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{e.templateName()}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // it exists
		return nil
	}
	if err != nil {
		return fmt.Errorf("podtest: creating the test database %s: %w", e.templateName(), err)
	}
	return nil
}

// databasePrefix starts the name of every database a test gets.
const databasePrefix = "podtest_"

func (e *Env) dropLeftovers(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, e.adminURL())
	if err != nil {
		return fmt.Errorf("podtest: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, databasePrefix)
	if err != nil {
		return fmt.Errorf("podtest: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("podtest: %w", err)
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("podtest: dropping %s, left by an earlier run: %w", n, err)
		}
	}
	return nil
}

// migrate applies the project's migrations to the test database, once per
// environment and project name.
func (e *Env) migrate(ctx context.Context, project string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err, done := e.migrated[project]; done {
		return err
	}
	err := e.doMigrate(ctx, project)
	e.migrated[project] = err
	return err
}

func (e *Env) doMigrate(ctx context.Context, project string) error {
	d, err := db.Open(ctx, e.template.String())
	if err != nil {
		return fmt.Errorf("podtest: the test database: %w", err)
	}
	// Copying a database needs it without connections.
	defer d.Close()
	_, err = migrate.New(db.Pool(d), os.DirFS(e.root), project).Apply(ctx)
	if errors.Is(err, migrate.ErrNoMigrations) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("podtest: migrating the test database: %w", err)
	}
	return nil
}

// newDatabase copies the test database into a new one and returns its
// URL and a function that drops it.
func (e *Env) newDatabase(ctx context.Context) (name, dbURL string, drop func() error, err error) {
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	name = databasePrefix + hex.EncodeToString(suffix)
	admin, err := pgx.Connect(ctx, e.adminURL())
	if err != nil {
		return "", "", nil, fmt.Errorf("podtest: connecting to the test database's server: %w", err)
	}
	create := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " TEMPLATE " + pgx.Identifier{e.templateName()}.Sanitize()
	for attempt := 1; ; attempt++ {
		_, err = admin.Exec(ctx, create)
		var pgErr *pgconn.PgError
		// 55006: the test database is in use (another test binary
		// migrating it, say); PostgreSQL has waited 5 s already.
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" || attempt == 6 || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
	if err != nil {
		admin.Close(context.WithoutCancel(ctx))
		return "", "", nil, fmt.Errorf("podtest: copying the test database %s: %w", e.templateName(), err)
	}
	drop = func() error {
		defer admin.Close(context.Background())
		_, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		return err
	}
	u := *e.template
	u.Path = "/" + name
	return name, u.String(), drop, nil
}

// Pod is the project's server running for one test.
type Pod struct {
	srv   *pod.Server
	db    *db.DB
	dbURL string
	url   string
	ctx   context.Context

	mu    sync.Mutex
	users map[string]*pod.AuthenticationInfo
	next  int64
}

// Start serves dispatch d on a loopback port for the test, with the
// options cmd/server passes to pod.Main (modules, an authentication
// handler, future calls) on a fresh copy of the migrated test database;
// both end with the test. The server has the test configuration's
// passwords, the database file storages, and Redis when the configuration
// enables it.
func (e *Env) Start(tb testing.TB, d *pod.Dispatch, opts ...pod.Option) *Pod {
	tb.Helper()
	ctx := context.Background()
	if err := e.setup(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := e.migrate(ctx, d.ProjectName); err != nil {
		tb.Fatal(err)
	}
	dbName, dbURL, drop, err := e.newDatabase(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Errorf("podtest: dropping the test's database: %v", err)
		}
	})
	database, err := db.Open(ctx, dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(database.Close)

	p := &Pod{db: database, dbURL: dbURL, users: map[string]*pod.AuthenticationInfo{}}
	logger := slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: e.opts.LogLevel}))
	cfg := *e.cfg
	public := storage.Server{Scheme: "http", Host: "127.0.0.1"}
	publicStorage := storage.NewDatabase(storage.Public, public)
	privateStorage := storage.NewDatabase(storage.Private, public)
	base := []pod.Option{
		pod.WithLogger(logger),
		pod.WithRunMode(cfg.RunMode),
		pod.WithMaxRequestSize(int64(cfg.MaxRequestSize)),
		pod.WithPasswords(cfg.Passwords),
		pod.WithDatabase(database),
		pod.WithStorage(publicStorage),
		pod.WithStorage(privateStorage),
		pod.WithRoute(storage.Path, storage.Handler(database, publicStorage, logger, publicStorage, privateStorage)),
	}
	if cfg.Redis.Enabled {
		rdb, err := pod.OpenRedis(ctx, cfg.Redis)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { rdb.Close() })
		// A prefix of its own keeps the test's messages from the others'.
		base = append(base, pod.WithRedis(rdb, cfg.ServerID), pod.WithMessagesPrefix("gopod:"+dbName+":"))
	}
	opts = append(append(base, opts...), pod.WithAuthenticationOverride(p.lookup))
	p.srv = pod.NewServer(d, opts...)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	cfg.APIServer.Port = port
	p.url = "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	serveCtx, stop := context.WithCancel(ctx)
	p.ctx = serveCtx
	served := make(chan error, 1)
	go p.srv.Messages().Run(serveCtx)
	go func() { served <- p.srv.Serve(serveCtx, ln, &cfg) }()
	tb.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			tb.Errorf("podtest: stopping the server: %v", err)
		}
	})
	return p
}

// URL is the server's address, for the generated client:
// client.New(p.URL()).
func (p *Pod) URL() string { return p.url }

// Server is the running server.
func (p *Pod) Server() *pod.Server { return p.srv }

// DB is the test's database.
func (p *Pod) DB() *db.DB { return p.db }

// DatabaseURL is the URL of the test's database.
func (p *Pod) DatabaseURL() string { return p.dbURL }

// Session returns a session with no caller, for calling endpoint methods,
// the ORM or module functions directly (a db.Conn on the test's
// database).
func (p *Pod) Session(ctx context.Context) *pod.Session {
	return p.srv.NewSession(ctx)
}

// User is a caller the server takes for a given user with given scopes.
type User struct {
	p    *Pod
	key  string
	info *pod.AuthenticationInfo
}

// As returns a caller authenticated as userID with the given scopes, with
// no sign-in: the server takes its key for this identity, whatever the
// authentication handler would say. The user need not exist.
func (p *Pod) As(userID int64, scopes ...string) *User {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next++
	key := "podtest-" + strconv.FormatInt(p.next, 10)
	info := &pod.AuthenticationInfo{UserID: userID, Scopes: append([]string(nil), scopes...), AuthID: key}
	p.users[key] = info
	return &User{p: p, key: key, info: info}
}

func (p *Pod) lookup(key string) (*pod.AuthenticationInfo, bool) {
	if !strings.HasPrefix(key, "podtest-") {
		return nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	info, ok := p.users[key]
	if !ok {
		return nil, false
	}
	c := *info
	c.Scopes = append([]string(nil), info.Scopes...)
	return &c, true
}

// Revoke makes the user's key unknown from now on: calls with it are
// unauthenticated, and its open streams are closed as after a sign-out.
func (u *User) Revoke() {
	u.p.mu.Lock()
	defer u.p.mu.Unlock()
	delete(u.p.users, u.key)
}

// Key is the authentication key the user's calls send.
func (u *User) Key() string { return u.key }

// Info is the identity the server sees.
func (u *User) Info() *pod.AuthenticationInfo {
	c := *u.info
	c.Scopes = append([]string(nil), u.info.Scopes...)
	return &c
}

// ClientOption makes a generated client call as the user:
// client.New(p.URL(), p.As(7).ClientOption()).
func (u *User) ClientOption() podclient.Option {
	keys := podclient.NewMemoryKeyManager()
	_ = keys.Put(u.key) // a memory key manager never fails
	return podclient.WithAuthKeyManager(keys)
}

// Session returns a session authenticated as the user, for calling
// endpoint methods or module functions directly.
func (u *User) Session(ctx context.Context) *pod.Session {
	s := u.p.srv.NewSession(ctx)
	s.SetAuthenticated(u.Info())
	return s
}

// Clock is a clock a test controls, for code that takes its time from a
// function (the auth module's Config.Now): it stands still until the test
// sets or advances it. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock showing start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
