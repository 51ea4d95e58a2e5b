// Package coretest gives a test package a fresh database with Serverpod's
// core tables, for the server machinery that writes them (session logs,
// future calls, health metrics, file storage).
package coretest

import (
	"context"
	"fmt"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/gopod/gopod/runtime/core"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/migrate"
)

// Main runs a test package's tests with a fresh database that has the core
// tables, opened into *d before the tests start:
//
//	var database *db.DB
//
//	func TestMain(m *testing.M) { os.Exit(coretest.Main(m, "futurecall", &database)) }
func Main(m *testing.M, name string, d **db.DB) int {
	return dbtest.MainWith(m, name, func(url string) (func(), error) {
		opened, err := Open(context.Background(), url)
		if err != nil {
			return nil, err
		}
		*d = opened
		return opened.Close, nil
	})
}

// Open connects to the database at url and applies the core migration.
func Open(ctx context.Context, url string) (*db.DB, error) {
	d, err := db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	project := fstest.MapFS{}
	err = fs.WalkDir(core.Migrations(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(core.Migrations(), p)
		project["migrations/"+p] = &fstest.MapFile{Data: data}
		return err
	})
	if err == nil {
		_, err = migrate.New(db.Pool(d), project, core.ModuleName).Apply(ctx)
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("applying the core migrations: %w", err)
	}
	return d, nil
}
