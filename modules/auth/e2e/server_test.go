package e2e_test

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/dispatch"
	"github.com/gopod/gopod/modules/auth/migrations"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/storage"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "auth_e2e", &dbURL)) }

// server is a pod server with the auth module on the package's database,
// migrated as a project using the module would be.
type server struct {
	t    *testing.T
	db   *db.DB
	http *httptest.Server
	url  string

	mu    sync.Mutex
	codes map[string]string // email → last validation code sent
}

func startServer(t *testing.T, configure func(*auth.Config)) *server {
	t.Helper()
	ctx := context.Background()
	database, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(database.Close)
	if err := applyMigrations(ctx, database); err != nil {
		t.Fatal(err)
	}

	s := &server{t: t, db: database, codes: map[string]string{}}
	var handler http.Handler
	s.http = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(s.http.Close)
	s.url = s.http.URL + "/"
	u, _ := url.Parse(s.http.URL)
	port, _ := strconv.Atoi(u.Port())
	images := storage.NewDatabase(storage.Public, storage.Server{Scheme: "http", Host: u.Hostname(), Port: port})

	cfg := auth.Config{
		// Argon2id at its production cost would make the test slow for
		// nothing it checks.
		PasswordCost: auth.PasswordCost{MemoryKiB: 1024, Time: 1, Threads: 1},
		Storage:      images,
		SendValidationEmail: func(_ *pod.Session, email, code string) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.codes[email] = code
			return nil
		},
		SendPasswordResetEmail: func(*pod.Session, *protocol.UserInfo, string) error { return nil },
	}
	if configure != nil {
		configure(&cfg)
	}
	module := auth.New(cfg)
	root := pod.NewDispatch("e2e")
	root.AddModule(auth.ModuleName, dispatch.New())
	handler = pod.NewServer(root,
		pod.WithDatabase(database),
		pod.WithModule(module),
		pod.WithAuthenticationHandler(module.AuthenticationHandler),
		pod.WithPasswords(map[string]string{
			auth.PasswordAuthKeySalt: "e2e-auth-key-salt",
			auth.PasswordEmailPepper: "e2e-pepper",
			auth.PasswordCodeSecret:  "e2e-code-secret-0123456789",
		}),
		pod.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		pod.WithRoute(storage.Path, storage.Handler(database, images, nil)),
	)
	return s
}

var migrateOnce sync.Once
var migrateErr error

// applyMigrations applies the module's migrations folder once per package.
func applyMigrations(ctx context.Context, database *db.DB) error {
	migrateOnce.Do(func() {
		project := fstest.MapFS{}
		migrateErr = fs.WalkDir(migrations.FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(migrations.FS(), p)
			project["migrations/"+p] = &fstest.MapFile{Data: b}
			return err
		})
		if migrateErr == nil {
			_, migrateErr = migrate.New(db.Pool(database), project, auth.ModuleName).Apply(ctx)
		}
	})
	return migrateErr
}

// code returns the last validation code sent to email.
func (s *server) code(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.codes[email]
}

// queryInt runs a query returning one integer.
func (s *server) queryInt(sql string, args ...any) int64 {
	s.t.Helper()
	var n int64
	if err := s.db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
	return n
}
