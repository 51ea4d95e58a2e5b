package migrate

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gopod/gopod/runtime/db/dbtest"
)

// serverEnv names the PostgreSQL server the tests use; each test package
// gets a fresh database on it.
// testDB is the URL of this package's database.
var testDB string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "migrate", &testDB)) }

// schemaPool returns a pool whose tables live in a schema of their own, so
// that every test starts from an empty database. Unqualified names in the
// migrations resolve there through search_path.
func schemaPool(t *testing.T, schema string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(testDB)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// freshSchema creates an empty schema named after the test.
func freshSchema(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	schema := strings.ToLower(strings.NewReplacer("/", "_", " ", "_", "-", "_").Replace(t.Name()))
	conn, err := pgx.Connect(ctx, testDB)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{schema}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+ident+" CASCADE; CREATE SCHEMA "+ident); err != nil {
		t.Fatal(err)
	}
	return schema
}

const (
	v1 = "20240101000000000"
	v2 = "20240102000000000"
	v3 = "20240103000000000"
)

// project builds a project's files from directories under testdata, later
// ones adding to and replacing earlier ones; only the listed versions of
// migrations/ are kept (all when versions is nil).
func project(t *testing.T, versions []string, dirs ...string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, dir := range dirs {
		root := filepath.Join("testdata", dir)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if parts := strings.Split(rel, "/"); versions != nil && parts[0] == MigrationsDir && len(parts) > 2 && !slices.Contains(versions, parts[1]) {
				return nil
			}
			data, err := os.ReadFile(p)
			fsys[rel] = &fstest.MapFile{Data: data}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return fsys
}

func modules(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	m, err := installedModules(context.Background(), conn.Conn())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func tables(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		"SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func columns(t *testing.T, pool *pgxpool.Pool, table string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		"SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", table)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func exists(t *testing.T, pool *pgxpool.Pool, regclass string) bool {
	t.Helper()
	var ok bool
	if err := pool.QueryRow(context.Background(), "SELECT to_regclass($1) IS NOT NULL", regclass).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func steps(r *Result) []string {
	var out []string
	for _, s := range r.Steps {
		out = append(out, string(s.Kind)+" "+s.Version)
	}
	return out
}

func TestApplyFresh(t *testing.T) {
	ctx := context.Background()
	pool := schemaPool(t, freshSchema(t), 2)
	m := New(pool, project(t, nil, "shop"), "shop")

	res, err := m.Apply(ctx)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got, want := steps(res), []string{"definition " + v3}; !slices.Equal(got, want) {
		t.Errorf("steps = %v, want %v: a fresh database gets only the latest definition.sql", got, want)
	}
	if res.From != "" || res.To != v3 || res.Steps[0].File != "migrations/"+v3+"/definition.sql" {
		t.Errorf("result = %+v", res)
	}
	if got, want := tables(t, pool), []string{"customer", "order", "serverpod_migrations"}; !slices.Equal(got, want) {
		t.Errorf("tables = %v, want %v", got, want)
	}
	if got, want := modules(t, pool), map[string]string{"shop": v3}; !maps.Equal(got, want) {
		t.Errorf("serverpod_migrations = %v, want %v", got, want)
	}

	again, err := m.Apply(ctx)
	if err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if again.Changed() || again.String() != "Latest database migration already applied." {
		t.Errorf("second Apply = %+v (%q), want nothing to do", again, again.String())
	}
	st, err := m.Status(ctx)
	if err != nil || st.Installed != v3 || len(st.Pending) != 0 {
		t.Errorf("Status = %+v, %v", st, err)
	}
}

func TestApplyIncremental(t *testing.T) {
	ctx := context.Background()
	pool := schemaPool(t, freshSchema(t), 2)

	res, err := New(pool, project(t, []string{v1}, "shop"), "shop").Apply(ctx)
	if err != nil {
		t.Fatalf("Apply v1: %v", err)
	}
	if got, want := steps(res), []string{"definition " + v1}; !slices.Equal(got, want) {
		t.Errorf("steps = %v, want %v", got, want)
	}
	if got, want := modules(t, pool), map[string]string{"shop": v1, "serverpod": "20240516151843329"}; !maps.Equal(got, want) {
		t.Errorf("after v1: serverpod_migrations = %v, want %v", got, want)
	}

	m := New(pool, project(t, nil, "shop"), "shop")
	st, err := m.Status(ctx)
	if err != nil || !slices.Equal(st.Pending, []string{v2, v3}) {
		t.Errorf("Status before = %+v, %v; want v2 and v3 pending", st, err)
	}
	res, err = m.Apply(ctx)
	if err != nil {
		t.Fatalf("Apply v2, v3: %v", err)
	}
	if got, want := steps(res), []string{"migration " + v2, "migration " + v3}; !slices.Equal(got, want) {
		t.Errorf("steps = %v, want %v", got, want)
	}
	if res.From != v1 || res.To != v3 || res.Steps[1].Statements != 6 {
		t.Errorf("result = %+v, want from v1 to v3 with 6 statements in v3", res)
	}
	if want := "Applied database migrations:\n - " + v2 + "\n - " + v3; res.String() != want {
		t.Errorf("String() = %q, want %q", res.String(), want)
	}
	// v3 removes the serverpod row with Serverpod's own DELETE form.
	if got, want := modules(t, pool), map[string]string{"shop": v3}; !maps.Equal(got, want) {
		t.Errorf("serverpod_migrations = %v, want %v", got, want)
	}
	if got, want := columns(t, pool, "customer"), []string{"id", "name", "email"}; !slices.Equal(got, want) {
		t.Errorf("customer columns = %v, want %v", got, want)
	}
	// The statements with semicolons in strings, comments and a function
	// body arrived whole.
	var comment string
	var count int64
	if err := pool.QueryRow(ctx, `SELECT obj_description('"customer"'::regclass, 'pg_class'), "order_count"(1)`).Scan(&comment, &count); err != nil {
		t.Fatal(err)
	}
	if comment != "Buyers; O'Brien -- included" || count != 0 {
		t.Errorf("comment = %q, order_count = %d", comment, count)
	}
}

func TestApplyFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	pool := schemaPool(t, freshSchema(t), 2)
	if _, err := New(pool, project(t, []string{v1}, "shop"), "shop").Apply(ctx); err != nil {
		t.Fatal(err)
	}

	// v2 is good, v3 fails in its third statement.
	m := New(pool, project(t, []string{v1, v2, v3}, "shop", "failing"), "shop")
	res, err := m.Apply(ctx)
	var merr *Error
	if !errors.As(err, &merr) {
		t.Fatalf("Apply error = %v, want a *migrate.Error", err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42703" {
		t.Errorf("cause = %v, want PostgreSQL's undefined_column", merr.Err)
	}
	file := "migrations/" + v3 + "/migration.sql"
	if merr.Version != v3 || merr.File != file || merr.Line != 16 || merr.Column != 33 {
		t.Errorf("error at %s %s:%d:%d, want %s %s:16:33 (the column name)", merr.Version, merr.File, merr.Line, merr.Column, v3, file)
	}
	if !strings.HasPrefix(merr.Statement, `INSERT INTO "customer" ("name", "nickname")`) {
		t.Errorf("statement = %q", merr.Statement)
	}
	for _, want := range []string{"failed to apply migration " + v3, file + ":16:33", `column "nickname" of relation "customer" does not exist`, "in statement: INSERT", "rolled back"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	// v2 ran before the failure and stays; nothing of v3 remains.
	if res == nil || !slices.Equal(steps(res), []string{"migration " + v2}) || res.To != v2 {
		t.Errorf("result = %+v, want v2 applied", res)
	}
	if got := modules(t, pool); got["shop"] != v2 {
		t.Errorf("installed = %v, want shop at v2", got)
	}
	if exists(t, pool, "audit") || slices.Contains(columns(t, pool, "customer"), "vip") {
		t.Errorf("v3's table or column survived the failure")
	}

	// Once fixed, the migration applies.
	fixed := project(t, nil, "shop")
	res, err = New(pool, fixed, "shop").Apply(ctx)
	if err != nil || !slices.Equal(steps(res), []string{"migration " + v3}) {
		t.Errorf("Apply after fix = %v, %v", res, err)
	}
}

func TestApplyErrors(t *testing.T) {
	ctx := context.Background()
	single := func(sql string) fstest.MapFS {
		return fstest.MapFS{"migrations/" + v1 + "/definition.sql": {Data: []byte(sql)}}
	}
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		install string // recorded version of shop before Apply
		want    []string
		is      error
	}{
		{name: "no migrations", fsys: fstest.MapFS{}, want: []string{"no migrations found"}, is: ErrNoMigrations},
		{name: "installed version unknown", fsys: project(t, nil, "shop"), install: "20231231000000000",
			want: []string{"version 20231231000000000 not found in project"}},
		{name: "missing file", fsys: fstest.MapFS{"migrations/" + v1 + "/migration.sql": {Data: []byte("SELECT 1;")}},
			want: []string{"read migration " + v1}},
		{name: "commit in the middle", fsys: single("BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;\nCREATE TABLE b (x int);\n"),
			want: []string{"migrations/" + v1 + "/definition.sql:3: COMMIT inside the migration"}},
		{name: "begin without commit", fsys: single("BEGIN;\nCREATE TABLE a (x int);\n"),
			want: []string{"definition.sql:1: the migration starts a transaction with BEGIN but does not end with COMMIT"}},
		{name: "rollback", fsys: single("CREATE TABLE a (x int);\nROLLBACK;\n"),
			want: []string{"definition.sql:2: ROLLBACK inside the migration"}},
		// Without BEGIN and COMMIT the file still runs as one transaction.
		{name: "failure without BEGIN", fsys: single("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1), (1);\nCREATE UNIQUE INDEX ON a (x);\n"),
			want: []string{"definition.sql:3:1:", "could not create unique index", "in statement: CREATE UNIQUE INDEX"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := schemaPool(t, freshSchema(t), 1)
			if tt.install != "" {
				if _, err := New(pool, project(t, nil, "shop"), "shop").Apply(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := pool.Exec(ctx, `UPDATE "serverpod_migrations" SET "version" = $1 WHERE "module" = 'shop'`, tt.install); err != nil {
					t.Fatal(err)
				}
			}
			before := tables(t, pool)
			_, err := New(pool, tt.fsys, "shop").Apply(ctx)
			if err == nil {
				t.Fatal("Apply succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if after := tables(t, pool); !slices.Equal(before, after) {
				t.Errorf("tables changed from %v to %v", before, after)
			}
		})
	}
}

// Servers started together must apply each migration once. v2 adds a
// column, so a second application would fail.
func TestApplyConcurrently(t *testing.T) {
	ctx := context.Background()
	schema := freshSchema(t)
	if _, err := New(schemaPool(t, schema, 1), project(t, []string{v1}, "shop"), "shop").Apply(ctx); err != nil {
		t.Fatal(err)
	}
	const servers = 4
	var (
		wg      sync.WaitGroup
		results [servers]*Result
		errs    [servers]error
	)
	files := project(t, nil, "shop")
	for i := range servers {
		pool := schemaPool(t, schema, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = New(pool, files, "shop").Apply(ctx)
		}()
	}
	wg.Wait()
	applied := 0
	for i := range servers {
		if errs[i] != nil {
			t.Errorf("server %d: %v", i, errs[i])
			continue
		}
		if results[i].Changed() {
			applied++
			if got, want := steps(results[i]), []string{"migration " + v2, "migration " + v3}; !slices.Equal(got, want) {
				t.Errorf("server %d applied %v, want %v", i, got, want)
			}
		}
	}
	if applied != 1 {
		t.Errorf("%d servers applied migrations, want exactly 1", applied)
	}
}

// A Serverpod 2.7+ server migrating the same database holds the same lock;
// gopod waits for it and then sees its work.
func TestApplyWaitsForServerpodLock(t *testing.T) {
	ctx := context.Background()
	schema := freshSchema(t)
	holder := schemaPool(t, schema, 2)
	conn, err := holder.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext('serverpod_migration_lock'))"); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := New(schemaPool(t, schema, 1), project(t, nil, "shop"), "shop").Apply(ctx)
		done <- err
	}()

	// Wait until the applier is blocked on the advisory lock.
	for {
		var waiting bool
		err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("Apply finished while the lock was held: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if exists(t, holder, "serverpod_migrations") {
		t.Error("Apply changed the database while another server held the lock")
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock(hashtext('serverpod_migration_lock'))"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Apply after the lock was released: %v", err)
	}
	if got := modules(t, holder)["shop"]; got != v3 {
		t.Errorf("installed = %q, want %s", got, v3)
	}
}

func TestDown(t *testing.T) {
	ctx := context.Background()
	pool := schemaPool(t, freshSchema(t), 2)
	if _, err := New(pool, project(t, []string{v1}, "shop"), "shop").Apply(ctx); err != nil {
		t.Fatal(err)
	}
	m := New(pool, project(t, nil, "shop"), "shop")
	if _, err := m.Apply(ctx); err != nil {
		t.Fatal(err)
	}

	res, err := m.Down(ctx, 1)
	if err != nil {
		t.Fatalf("Down(1): %v", err)
	}
	if got, want := steps(res), []string{"down " + v3}; !slices.Equal(got, want) || res.From != v3 || res.To != v2 {
		t.Errorf("Down(1) = %v from %s to %s, want %v from v3 to v2", got, res.From, res.To, want)
	}
	if want := "Rolled back database migration:\n - " + v3; res.String() != want {
		t.Errorf("String() = %q, want %q", res.String(), want)
	}
	if got, want := modules(t, pool), map[string]string{"shop": v2, "serverpod": "20240516151843329"}; !maps.Equal(got, want) {
		t.Errorf("after Down(1): serverpod_migrations = %v, want %v", got, want)
	}
	if exists(t, pool, "order_customer_idx") {
		t.Error("v3's index survived its down migration")
	}

	// Going back up reapplies v3.
	if res, err := m.Apply(ctx); err != nil || !slices.Equal(steps(res), []string{"migration " + v3}) {
		t.Fatalf("Apply after Down = %v, %v", res, err)
	}

	if _, err := m.Down(ctx, 4); err == nil || !strings.Contains(err.Error(), "only 3 (up to "+v3+") are applied") {
		t.Errorf("Down(4) error = %v", err)
	}
	res, err = m.Down(ctx, 3)
	if err != nil {
		t.Fatalf("Down(3): %v", err)
	}
	if got, want := steps(res), []string{"down " + v3, "down " + v2, "down " + v1}; !slices.Equal(got, want) || res.To != "" {
		t.Errorf("Down(3) = %v to %q, want %v to nothing", got, res.To, want)
	}
	if got := tables(t, pool); len(got) != 0 {
		t.Errorf("tables after rolling back everything = %v", got)
	}
	if _, err := m.Down(ctx, 1); err == nil || !strings.Contains(err.Error(), "nothing to roll back") {
		t.Errorf("Down on an empty database: %v", err)
	}
	// And the empty database takes the latest definition again.
	if res, err := m.Apply(ctx); err != nil || !slices.Equal(steps(res), []string{"definition " + v3}) {
		t.Errorf("Apply after rolling back everything = %v, %v", res, err)
	}
}

func TestDownErrors(t *testing.T) {
	ctx := context.Background()
	pool := schemaPool(t, freshSchema(t), 1)
	files := project(t, nil, "shop")
	if _, err := New(pool, files, "shop").Apply(ctx); err != nil {
		t.Fatal(err)
	}
	delete(files, path.Join(MigrationsDir, v2, DownFile))
	m := New(pool, files, "shop")
	// v3 has its down.sql but v2 does not: nothing may run.
	_, err := m.Down(ctx, 2)
	if err == nil || !strings.Contains(err.Error(), "migrations/"+v2+"/down.sql does not exist") {
		t.Errorf("Down(2) error = %v, want the missing down.sql named", err)
	}
	if got := modules(t, pool)["shop"]; got != v3 {
		t.Errorf("installed = %s after a refused Down, want %s", got, v3)
	}
	if _, err := m.Down(ctx, 0); err == nil {
		t.Error("Down(0) succeeded")
	}
}

func TestApplyRepair(t *testing.T) {
	ctx := context.Background()
	pool := schemaPool(t, freshSchema(t), 2)
	files := project(t, nil, "shop", "repair")
	m := New(pool, files, "shop")
	if _, err := m.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	// Someone dropped an index by hand; the repair migration restores it.
	if _, err := pool.Exec(ctx, `DROP INDEX "order_customer_idx"`); err != nil {
		t.Fatal(err)
	}

	res, err := m.ApplyRepair(ctx)
	if err != nil {
		t.Fatalf("ApplyRepair: %v", err)
	}
	want := RepairResult{Status: RepairApplied, Version: "20240201000000000", File: "repair-migration/20240201000000000.sql", Statements: 3}
	if *res != want {
		t.Errorf("ApplyRepair = %+v, want %+v", *res, want)
	}
	if !exists(t, pool, "order_customer_idx") {
		t.Error("the repair migration did not run")
	}
	if got := modules(t, pool)[RepairModule]; got != "20240201000000000" {
		t.Errorf("_repair row = %q", got)
	}

	// The second time it is recognised and skipped.
	if _, err := pool.Exec(ctx, `DROP INDEX "order_customer_idx"`); err != nil {
		t.Fatal(err)
	}
	res, err = m.ApplyRepair(ctx)
	if err != nil || res.Status != RepairAlreadyApplied {
		t.Errorf("second ApplyRepair = %+v, %v; want already applied", res, err)
	}
	if exists(t, pool, "order_customer_idx") {
		t.Error("an applied repair migration ran again")
	}

	// No repair-migration directory: nothing to do.
	res, err = New(pool, project(t, nil, "shop"), "shop").ApplyRepair(ctx)
	if err != nil || res.Status != RepairNotFound {
		t.Errorf("ApplyRepair without a file = %+v, %v", res, err)
	}
	// Two files: gopod does not guess.
	files["repair-migration/20240301000000000.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;")}
	if _, err := New(pool, files, "shop").ApplyRepair(ctx); err == nil || !strings.Contains(err.Error(), "holds 2 repair migrations") {
		t.Errorf("ApplyRepair with two files: %v", err)
	}
}

// A repair migration that fails leaves the database untouched.
func TestApplyRepairFailure(t *testing.T) {
	ctx := context.Background()
	pool := schemaPool(t, freshSchema(t), 1)
	files := project(t, nil, "shop")
	m := New(pool, files, "shop")
	if _, err := m.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	files["repair-migration/20240201000000000.sql"] = &fstest.MapFile{Data: []byte(
		"BEGIN;\nALTER TABLE \"customer\" ADD COLUMN \"x\" text;\nALTER TABLE \"missing\" ADD COLUMN \"y\" text;\nCOMMIT;\n")}
	_, err := m.ApplyRepair(ctx)
	var merr *Error
	if !errors.As(err, &merr) || merr.Kind != KindRepair || merr.Line != 3 {
		t.Fatalf("ApplyRepair error = %v, want a repair failure at line 3", err)
	}
	if !strings.Contains(err.Error(), "failed to apply repair migration 20240201000000000: repair-migration/20240201000000000.sql:3:") {
		t.Errorf("message = %q", err)
	}
	if slices.Contains(columns(t, pool, "customer"), "x") || modules(t, pool)[RepairModule] != "" {
		t.Error("the failed repair migration left changes behind")
	}
}
