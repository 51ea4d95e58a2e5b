//go:build !gopod_noatlas

package pod

import (
	"context"
	"fmt"
	"io/fs"
	"path"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/dbschema"
	"github.com/gopod/gopod/runtime/migrate"
)

// driftFrom compares the live schema of d with the definition of version.
func driftFrom(ctx context.Context, d *db.DB, project fs.FS, version string) ([]string, error) {
	data, err := fs.ReadFile(project, path.Join(migrate.MigrationsDir, version, "definition.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the latest definition: %w", err)
	}
	want, err := dbschema.DecodeDefinition(data)
	if err != nil {
		return nil, fmt.Errorf("migrations/%s/definition.json: %w", version, err)
	}
	sqlDB := stdlib.OpenDBFromPool(db.Pool(d))
	defer sqlDB.Close()
	// One connection at a time: the inspection runs its queries in turn,
	// and a server's pool is for serving.
	sqlDB.SetMaxOpenConns(1)
	return dbschema.Drift(ctx, sqlDB, want)
}
