package main

import (
	"context"
	"net/url"
	"os"
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
