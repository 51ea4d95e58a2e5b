package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/db/dbtest"
)

// useTestDatabase points the project's development config at a fresh
// database through Serverpod's environment variables.
func useTestDatabase(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	dbURL, drop, err := dbtest.Create(ctx, "cli")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(dbURL)
	t.Setenv("SERVERPOD_DATABASE_HOST", u.Hostname())
	t.Setenv("SERVERPOD_DATABASE_PORT", u.Port())
	t.Setenv("SERVERPOD_DATABASE_NAME", strings.TrimPrefix(u.Path, "/"))
	t.Setenv("SERVERPOD_DATABASE_USER", u.User.Username())
	pw, _ := u.User.Password()
	t.Setenv("SERVERPOD_DATABASE_PASSWORD", pw)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx); drop() })
	return conn
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out := runCLI(t, dir, args...)
	if code != 0 {
		t.Fatalf("gopod %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

func exec1(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestMigrationJourney follows a schema through its life: a table, then a
// column, an index and a relation, then a rename, then a destructive
// change; rows survive every step and the live schema never drifts.
func TestMigrationJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("uses PostgreSQL")
	}
	conn := useTestDatabase(t)
	root := t.TempDir()
	dir := filepath.Join(root, "shop")
	mustRun(t, root, "create", "shop", "--no-auth")

	writeFile(t, filepath.Join(dir, "models", "book.spy.yaml"), "class: Book\ntable: book\nfields:\n  title: String\n")
	out := mustRun(t, dir, "create-migration", "--tag", "books")
	if !strings.Contains(out, "Migration created: migrations/") || !strings.Contains(out, "-books") {
		t.Fatalf("create-migration: %s", out)
	}
	if out := mustRun(t, dir, "create-migration"); !strings.Contains(out, "No changes") {
		t.Fatalf("second create-migration: %s", out)
	}
	mustRun(t, dir, "migrate", "--check-drift")
	exec1(t, conn, `INSERT INTO book (title) VALUES ('Dune'), ('Emma')`)

	// A column, an index and a relation.
	writeFile(t, filepath.Join(dir, "models", "author.spy.yaml"), "class: Author\ntable: author\nfields:\n  name: String\n")
	writeFile(t, filepath.Join(dir, "models", "book.spy.yaml"), `class: Book
table: book
fields:
  title: String
  pages: int?
  author: Author?, relation(optional)
indexes:
  book_title_idx:
    fields: title
`)
	if code, out := runCLI(t, dir, "create-migration", "--check"); code != 1 || !strings.Contains(out, "pages") {
		t.Fatalf("--check on changed models: exit %d\n%s", code, out)
	}
	mustRun(t, dir, "create-migration")
	mustRun(t, dir, "migrate", "--check-drift")
	if n := queryInt(t, conn, `SELECT count(*) FROM book WHERE "authorId" IS NULL AND pages IS NULL`); n != 2 {
		t.Fatalf("rows after adding columns: %d", n)
	}
	exec1(t, conn, `INSERT INTO author (name) VALUES ('Frank')`)
	exec1(t, conn, `UPDATE book SET "authorId" = (SELECT id FROM author) WHERE title = 'Dune'`)

	// A rename keeps the data.
	writeFile(t, filepath.Join(dir, "models", "book.spy.yaml"), `class: Book
table: book
fields:
  headline: String, renamedFrom=title
  pages: int?
  author: Author?, relation(optional)
indexes:
  book_title_idx:
    fields: headline
`)
	out = mustRun(t, dir, "create-migration", "--tag", "rename")
	if !strings.Contains(out, "RENAME COLUMN") {
		t.Fatalf("rename migration does not rename:\n%s", out)
	}
	mustRun(t, dir, "migrate", "--check-drift")
	if n := queryInt(t, conn, `SELECT count(*) FROM book WHERE headline IN ('Dune', 'Emma')`); n != 2 {
		t.Fatalf("renamed column lost its rows: %d", n)
	}

	// Dropping a column is refused without --force, then done with it.
	writeFile(t, filepath.Join(dir, "models", "book.spy.yaml"), `class: Book
table: book
fields:
  headline: String
  author: Author?, relation(optional)
indexes:
  book_title_idx:
    fields: headline
`)
	code, out := runCLI(t, dir, "create-migration")
	if code != 1 || !strings.Contains(out, "pages") || !strings.Contains(out, "--force") {
		t.Fatalf("a destructive change was not refused: exit %d\n%s", code, out)
	}
	mustRun(t, dir, "create-migration", "--force")
	mustRun(t, dir, "migrate", "--check-drift")
	if n := queryInt(t, conn, `SELECT count(*) FROM book b JOIN author a ON a.id = b."authorId"`); n != 1 {
		t.Fatalf("relation lost after dropping a column: %d", n)
	}

	// Rolling back the last version restores the column (not its data).
	mustRun(t, dir, "migrate", "--down", "1")
	if n := queryInt(t, conn, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'book' AND column_name = 'pages'`); n != 1 {
		t.Fatal("down migration did not restore the column")
	}
	if code, out := runCLI(t, dir, "migrate", "--check-drift"); code != 0 {
		t.Fatalf("re-applying after down: exit %d\n%s", code, out)
	}

	// A drifted database is repaired back to the latest version.
	exec1(t, conn, `ALTER TABLE book ADD COLUMN stray text`)
	if code, _ := runCLI(t, dir, "migrate", "--check-drift"); code != 1 {
		t.Fatal("--check-drift missed a stray column")
	}
	out = mustRun(t, dir, "create-repair-migration", "--force")
	if !strings.Contains(out, "Repair migration created") {
		t.Fatalf("create-repair-migration: %s", out)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "repair-migration"))
	if len(entries) != 1 {
		t.Fatalf("repair-migration holds %d files", len(entries))
	}
	repair, _ := os.ReadFile(filepath.Join(dir, "repair-migration", entries[0].Name()))
	if !strings.Contains(string(repair), `DROP COLUMN "stray"`) || !strings.Contains(string(repair), "_repair") {
		t.Fatalf("repair migration:\n%s", repair)
	}
}

// TestServersApplyMigrationsOnce starts two servers at the same time with
// --apply-migrations in the maintenance role: each migration runs once
// (the advisory lock), and a failing migration exits 1 and leaves the
// database and serverpod_migrations as they were.
func TestServersApplyMigrationsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a server and uses PostgreSQL")
	}
	conn := useTestDatabase(t)
	root := t.TempDir()
	dir := filepath.Join(root, "shop")
	mustRun(t, root, "create", "shop", "--no-auth")
	writeFile(t, filepath.Join(dir, "models", "book.spy.yaml"), "class: Book\ntable: book\nfields:\n  title: String\n")
	mustRun(t, dir, "create-migration")
	mustRun(t, dir, "migrate")
	writeFile(t, filepath.Join(dir, "models", "book.spy.yaml"), "class: Book\ntable: book\nfields:\n  title: String\n  pages: int?\n")
	mustRun(t, dir, "create-migration", "--tag", "pages")
	v2 := latestVersionDir(t, dir)
	// A statement that shows how many times the version ran.
	appendBeforeCommit(t, filepath.Join(v2, "migration.sql"), `INSERT INTO book (title) VALUES ('applied');`)

	bin := filepath.Join(root, "server")
	goBuild(t, dir, bin, "./cmd/server")
	maintenance := func() *exec.Cmd {
		cmd := exec.Command(bin, "--role", "maintenance", "--apply-migrations")
		cmd.Dir = dir
		return cmd
	}
	a, b := maintenance(), maintenance()
	var outA, outB bytes.Buffer
	a.Stdout, a.Stderr = &outA, &outA
	b.Stdout, b.Stderr = &outB, &outB
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	if errA, errB := a.Wait(), b.Wait(); errA != nil || errB != nil {
		t.Fatalf("servers: %v, %v\n%s\n%s", errA, errB, outA.String(), outB.String())
	}
	if n := queryInt(t, conn, `SELECT count(*) FROM book WHERE title = 'applied'`); n != 1 {
		t.Fatalf("the migration ran %d times", n)
	}

	// A failing version: the server exits 1, naming the statement, and
	// nothing of it stays.
	writeFile(t, filepath.Join(dir, "models", "book.spy.yaml"), "class: Book\ntable: book\nfields:\n  title: String\n  pages: int?\n  isbn: String?\n")
	mustRun(t, dir, "create-migration", "--tag", "isbn")
	appendBeforeCommit(t, filepath.Join(latestVersionDir(t, dir), "migration.sql"), `INSERT INTO missing_table (x) VALUES (1);`)
	var before string
	conn.QueryRow(context.Background(), `SELECT version FROM serverpod_migrations WHERE module = 'shop'`).Scan(&before)
	fail := maintenance()
	out, err := fail.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 || !strings.Contains(string(out), "missing_table") {
		t.Fatalf("failing migration: %v\n%s", err, out)
	}
	var after string
	conn.QueryRow(context.Background(), `SELECT version FROM serverpod_migrations WHERE module = 'shop'`).Scan(&after)
	if after != before {
		t.Errorf("serverpod_migrations moved from %s to %s", before, after)
	}
	if n := queryInt(t, conn, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'book' AND column_name = 'isbn'`); n != 0 {
		t.Error("a failed migration left its column behind")
	}
}

func latestVersionDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	latest := ""
	for _, e := range entries {
		if e.IsDir() && e.Name() > latest {
			latest = e.Name()
		}
	}
	return filepath.Join(dir, "migrations", latest)
}

func appendBeforeCommit(t *testing.T, file, stmt string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.LastIndex(s, "COMMIT;")
	if i < 0 {
		t.Fatalf("%s has no COMMIT", file)
	}
	writeFile(t, file, s[:i]+stmt+"\n"+s[i:])
}
