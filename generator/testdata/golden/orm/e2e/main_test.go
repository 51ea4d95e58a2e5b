// Package e2e runs the generated ORM against a real PostgreSQL: the
// project's tables are created the way a user creates them (gopod
// create-migration, then applying the migration), and every column type,
// operator, relation and error is checked on them.
package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gopod/gopod/generator"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/wire"
)

var (
	database *db.DB
	dbURL    string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	ctx := context.Background()
	url, drop, err := dbtest.Create(ctx, "orm_e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer drop()
	dbURL = url
	if err := createTables(ctx, url); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer pool.Close()
	database = db.New(pool)
	return m.Run()
}

// createTables creates the project's first migration in a copy of the
// project and applies it, as gopod create-migration and the server do.
func createTables(ctx context.Context, url string) error {
	dir, err := os.MkdirTemp("", "orm-project")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, p := range []string{"go.mod", "config", "models"} {
		if err := os.CopyFS(filepath.Join(dir, p), os.DirFS(filepath.Join("..", p))); err != nil {
			// go.mod is a file, not a tree.
			b, rerr := os.ReadFile(filepath.Join("..", p))
			if rerr != nil {
				return fmt.Errorf("copying %s: %w", p, err)
			}
			if err := os.WriteFile(filepath.Join(dir, p), b, 0o644); err != nil {
				return err
			}
		}
	}
	if _, err := generator.CreateMigration(ctx, generator.MigrationOptions{Dir: dir}); err != nil {
		return fmt.Errorf("creating the migration: %w", err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := migrate.New(pool, os.DirFS(dir), "orm").Apply(ctx); err != nil {
		return fmt.Errorf("applying the migration: %w", err)
	}
	return nil
}

// conn is a connection for one test.
func conn(t *testing.T) db.Conn {
	t.Helper()
	return database.With(context.Background())
}

// reset empties the tables a test uses.
func reset(t *testing.T, tables ...string) {
	t.Helper()
	if _, err := database.Exec(context.Background(), `TRUNCATE "`+strings.Join(tables, `", "`)+`" RESTART IDENTITY CASCADE`); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// jsonOf is a model's full JSON, the same for equal values; comparing it
// compares every field, times and URLs included.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := wire.MarshalModel(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// insert stores row and returns it with its id.
func insert[T any](t *testing.T, repo *db.Repo[T], row T) T {
	t.Helper()
	got, err := db.InsertRow(conn(t), repo, row)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
