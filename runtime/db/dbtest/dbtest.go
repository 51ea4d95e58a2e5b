// Package dbtest gives a test package a fresh PostgreSQL database of its
// own: created on a real server when the package's tests start, dropped
// when they end. The server is GOPOD_TEST_POSTGRES (a postgres:// URL) or
// the local one at localhost:5432 as user postgres.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5"
)

// ServerEnv names the variable that points tests at a PostgreSQL server.
const ServerEnv = "GOPOD_TEST_POSTGRES"

const defaultServer = "postgres://postgres@localhost:5432/postgres?sslmode=disable"

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]`)

// Main runs a test package's tests with a fresh database whose URL it
// hands to url before the tests start. Use it from TestMain:
//
//	var dbURL string
//
//	func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "orm", &dbURL)) }
func Main(m *testing.M, name string, url *string) int {
	return MainWith(m, name, func(u string) (func(), error) {
		*url = u
		return func() {}, nil
	})
}

// MainWith is Main for packages that prepare something from the URL (open
// a handle, say) before their tests run; setup's cleanup runs after them.
func MainWith(m *testing.M, name string, setup func(url string) (cleanup func(), err error)) int {
	dbURL, drop, err := Create(context.Background(), name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer drop()
	cleanup, err := setup(dbURL)
	if err != nil {
		fmt.Fprintf(os.Stderr, "preparing the test database: %v\n", err)
		return 1
	}
	defer cleanup()
	return m.Run()
}

// Create makes a uniquely named database and returns its URL and a
// function that drops it.
func Create(ctx context.Context, name string) (string, func(), error) {
	server := os.Getenv(ServerEnv)
	if server == "" {
		server = defaultServer
	}
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", nil, fmt.Errorf("these tests need PostgreSQL: %w\nstart it (.ci/run does), or point %s at a server", err, ServerEnv)
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	db := "gopod_" + unsafeChars.ReplaceAllString(name, "_") + "_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		admin.Close(ctx)
		return "", nil, fmt.Errorf("creating the test database: %w", err)
	}
	u, err := url.Parse(server)
	if err != nil {
		admin.Close(ctx)
		return "", nil, fmt.Errorf("%s must be a postgres:// URL: %w", ServerEnv, err)
	}
	u.Path = "/" + db
	drop := func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE "+db+" WITH (FORCE)")
		admin.Close(context.Background())
	}
	return u.String(), drop, nil
}
