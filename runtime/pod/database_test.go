package pod

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/core"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/dbschema"
	"github.com/gopod/gopod/runtime/migrate"
)

// testDB is the URL of this package's database.
var testDB string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "pod", &testDB)) }

// The versions of the shop project's migrations.
const (
	shopV1 = "20240101000000000"
	shopV2 = "20240102000000000"
)

// shopDefinition is the shop project's schema at a version: the core
// tables and a book table, which gained a nullable pages column in v2.
func shopDefinition(t *testing.T, version string) *dbschema.DatabaseDefinition {
	t.Helper()
	data, err := fs.ReadFile(core.Migrations(), path.Join(core.Version, "definition.json"))
	if err != nil {
		t.Fatal(err)
	}
	def, err := dbschema.DecodeDefinition(data)
	if err != nil {
		t.Fatal(err)
	}
	book := &dbschema.TableDefinition{
		Name: "book", DartName: "Book", Module: "shop", Schema: dbschema.DefaultSchema,
		Columns: []*dbschema.ColumnDefinition{
			{Name: "id", ColumnType: dbschema.ColumnBigint, ColumnDefault: "nextval('book_id_seq'::regclass)", DartType: "int?"},
			{Name: "title", ColumnType: dbschema.ColumnText, DartType: "String"},
		},
		Indexes: []*dbschema.IndexDefinition{{
			IndexName: "book_pkey", Elements: []dbschema.IndexElement{{Definition: "id"}}, Type: "btree", IsUnique: true, IsPrimary: true,
		}},
		ForeignKeys: []*dbschema.ForeignKeyDefinition{},
		Managed:     dbschema.Bool(true),
	}
	if version >= shopV2 {
		book.Columns = append(book.Columns, &dbschema.ColumnDefinition{Name: "pages", ColumnType: dbschema.ColumnBigint, IsNullable: true, DartType: "int?"})
	}
	def.ModuleName = "shop"
	def.Tables = append(def.Tables, book)
	def.InstalledModules = []dbschema.ModuleVersion{{Module: core.ModuleName, Version: core.Version}, {Module: "shop", Version: version}}
	return def
}

// shopProject holds the migrations folder of the shop project up to the
// given versions, in Serverpod's layout.
func shopProject(t *testing.T, versions ...string) fstest.MapFS {
	t.Helper()
	project := fstest.MapFS{}
	var previous *dbschema.DatabaseDefinition
	for _, v := range versions {
		def := shopDefinition(t, v)
		definitionSQL, err := dbschema.DefinitionSQL(def)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := dbschema.Diff(previous, def, dbschema.DiffOptions{})
		if err != nil {
			t.Fatal(err)
		}
		dir := path.Join(migrate.MigrationsDir, v)
		project[path.Join(dir, "definition.json")] = &fstest.MapFile{Data: dbschema.EncodeDefinition(def)}
		project[path.Join(dir, migrate.DefinitionFile)] = &fstest.MapFile{Data: []byte(definitionSQL)}
		project[path.Join(dir, migrate.MigrationFile)] = &fstest.MapFile{Data: []byte(dbschema.MigrationSQL(plan, def.InstalledModules[1:], nil))}
		previous = def
	}
	return project
}

// emptyDatabase drops everything in the test database's public schema and
// returns a handle on it.
func emptyDatabase(t *testing.T) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, testDB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	if _, err := d.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	return d
}

func applyMigrations(t *testing.T, d *db.DB, project fs.FS) {
	t.Helper()
	if _, err := migrate.New(db.Pool(d), project, "shop").Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyDatabase: at start the server compares the database with the
// latest migration and warns, naming what differs and the command that
// fixes it.
func TestVerifyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("uses PostgreSQL")
	}
	cases := []struct {
		name    string
		mode    string
		project fstest.MapFS
		prepare func(t *testing.T, d *db.DB)
		level   string   // of the record about the database
		want    []string // in that record
	}{{
		name:    "up to date",
		project: shopProject(t, shopV1, shopV2),
		prepare: func(t *testing.T, d *db.DB) { applyMigrations(t, d, shopProject(t, shopV1, shopV2)) },
		level:   "INFO",
		want:    []string{"matches the latest migration", "version=" + shopV2},
	}, {
		name:    "one migration behind",
		project: shopProject(t, shopV1, shopV2),
		prepare: func(t *testing.T, d *db.DB) { applyMigrations(t, d, shopProject(t, shopV1)) },
		level:   "WARN",
		want:    []string{"migrations are not applied", "pending=" + shopV2, "installed=" + shopV1, `fix="gopod migrate, or start the server with --apply-migrations"`},
	}, {
		name:    "one migration behind in production",
		mode:    config.ModeProduction,
		project: shopProject(t, shopV1, shopV2),
		prepare: func(t *testing.T, d *db.DB) { applyMigrations(t, d, shopProject(t, shopV1)) },
		level:   "WARN",
		want:    []string{"pending=" + shopV2, `fix="gopod migrate --mode production, or start the server with --apply-migrations"`},
	}, {
		name:    "fresh database",
		project: shopProject(t, shopV1, shopV2),
		prepare: func(*testing.T, *db.DB) {},
		level:   "WARN",
		want:    []string{"pending=" + shopV2, "installed=none", "--apply-migrations"},
	}, {
		name:    "drifted column",
		project: shopProject(t, shopV1, shopV2),
		prepare: func(t *testing.T, d *db.DB) {
			applyMigrations(t, d, shopProject(t, shopV1, shopV2))
			if _, err := d.Exec(context.Background(), `ALTER TABLE "book" ALTER COLUMN "pages" TYPE text`); err != nil {
				t.Fatal(err)
			}
		},
		level: "WARN",
		want: []string{"does not match the latest migration", "version=" + shopV2, `ALTER COLUMN \"pages\" TYPE bigint`,
			`fix="gopod create-repair-migration, then start the server with --apply-repair-migration"`},
	}, {
		name:    "dropped table",
		project: shopProject(t, shopV1, shopV2),
		prepare: func(t *testing.T, d *db.DB) {
			applyMigrations(t, d, shopProject(t, shopV1, shopV2))
			if _, err := d.Exec(context.Background(), `DROP TABLE "book"`); err != nil {
				t.Fatal(err)
			}
		},
		level: "WARN",
		want:  []string{`CREATE TABLE \"book\"`, "create-repair-migration"},
	}, {
		name:    "newer database",
		project: shopProject(t, shopV1),
		prepare: func(t *testing.T, d *db.DB) { applyMigrations(t, d, shopProject(t, shopV1, shopV2)) },
		level:   "WARN",
		want:    []string{"could not compare", "version " + shopV2 + " not found in project"},
	}, {
		name:    "no migrations",
		project: fstest.MapFS{},
		prepare: func(*testing.T, *db.DB) {},
		level:   "WARN",
		want:    []string{"the project has no migrations", "gopod create-migration"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := emptyDatabase(t)
			c.prepare(t, d)
			var logs bytes.Buffer
			s := NewServer(NewDispatch("shop"), WithDatabase(d), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			mode := c.mode
			if mode == "" {
				mode = config.ModeDevelopment
			}
			s.verifyDatabase(context.Background(), c.project, mode, true)
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("want one record, got:\n%s", logs.String())
			}
			t.Log(lines[0])
			if !strings.Contains(lines[0], "level="+c.level) {
				t.Errorf("want level %s:\n%s", c.level, lines[0])
			}
			for _, w := range c.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("the record lacks %s:\n%s", w, lines[0])
				}
			}
		})
	}
}

// TestVerifyDatabaseListsFewDifferences: a database far from its
// migration gets a readable warning that points to the full list.
func TestVerifyDatabaseListsFewDifferences(t *testing.T) {
	if testing.Short() {
		t.Skip("uses PostgreSQL")
	}
	d := emptyDatabase(t)
	project := shopProject(t, shopV1, shopV2)
	applyMigrations(t, d, project)
	ctx := context.Background()
	for i := range maxListedDifferences + 2 {
		if _, err := d.Exec(ctx, fmt.Sprintf(`ALTER TABLE "book" ADD COLUMN "stray%d" text`, i)); err != nil {
			t.Fatal(err)
		}
	}
	in, err := CheckIntegrity(ctx, d, project, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Drift) == 0 {
		t.Fatal("no drift found")
	}
	var logs bytes.Buffer
	s := NewServer(NewDispatch("shop"), WithDatabase(d), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	s.verifyDatabase(ctx, project, config.ModeDevelopment, true)
	if len(in.Drift) > maxListedDifferences && !strings.Contains(logs.String(), fmt.Sprintf("and %d more (gopod migrate --check-drift lists them)", len(in.Drift)-maxListedDifferences)) {
		t.Errorf("%d differences, warning:\n%s", len(in.Drift), logs.String())
	}
	for i := range maxListedDifferences + 2 {
		if !strings.Contains(strings.Join(in.Drift, "\n"), fmt.Sprintf(`"stray%d"`, i)) {
			t.Errorf("drift misses stray%d: %v", i, in.Drift)
		}
	}
}

// TestRunServesWhileVerifying: the start-up comparison never holds up
// serving or stopping. Here it waits on serverpod_migrations, which another
// transaction holds locked (as a server applying migrations does); the
// health check answers meanwhile, and the server stops when asked.
func TestRunServesWhileVerifying(t *testing.T) {
	if testing.Short() {
		t.Skip("uses PostgreSQL")
	}
	ctx := context.Background()
	d := emptyDatabase(t)
	project := shopProject(t, shopV1, shopV2)
	applyMigrations(t, d, project)
	dir := t.TempDir()
	for name, f := range project {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)

	locker, err := pgx.Connect(ctx, testDB)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(ctx)
	if _, err := locker.Exec(ctx, `BEGIN; LOCK TABLE "serverpod_migrations" IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	defer locker.Exec(ctx, "ROLLBACK")

	var logs syncBuffer
	s := NewServer(NewDispatch("shop"), WithDatabase(d), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	cfg := &config.Config{RunMode: config.ModeProduction, ServerID: "default"}
	go func() { done <- s.Run(runCtx, cfg, config.DefaultArgs()) }()

	serving := regexp.MustCompile(`msg=serving api=http://\S*:(\d+)/`)
	var port string
	waitUntil(t, "the server to serve", &logs, done, func() bool {
		m := serving.FindStringSubmatch(logs.String())
		if m != nil {
			port = m[1]
		}
		return m != nil
	})
	waitUntil(t, "the comparison to wait for the lock", &logs, done, func() bool {
		var waiting bool
		err := locker.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND relation = '"serverpod_migrations"'::regclass)`).Scan(&waiting)
		return err == nil && waiting
	})
	resp, err := http.Get("http://127.0.0.1:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health check while comparing: %s", resp.Status)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(ShutdownTimeout + IntegrityCheckTimeout):
		t.Fatalf("Run did not return after the interrupt:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("an interrupted comparison is not a warning:\n%s", logs.String())
	}
}

// waitUntil polls ok until it holds; it fails the test when Run returns
// first, or after a minute.
func waitUntil(t *testing.T, what string, logs fmt.Stringer, done <-chan error, ok func() bool) {
	t.Helper()
	for range 600 {
		if ok() {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("Run returned (%v) while waiting for %s:\n%s", err, what, logs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("timed out waiting for %s:\n%s", what, logs.String())
}

// syncBuffer collects the log of a running server for the test to read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
