package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/jackc/pgx/v5"
)

// RepairStatus says what ApplyRepair did.
type RepairStatus string

// Outcomes of ApplyRepair.
const (
	RepairApplied        RepairStatus = "applied"
	RepairAlreadyApplied RepairStatus = "already applied"
	RepairNotFound       RepairStatus = "not found"
)

// RepairResult says what ApplyRepair did.
type RepairResult struct {
	Status     RepairStatus
	Version    string // the repair migration's name, from its file name
	File       string // path in the project
	Statements int
}

// String is the server log's summary.
func (r *RepairResult) String() string {
	switch r.Status {
	case RepairApplied:
		return fmt.Sprintf("Database repair migration %q applied.", r.Version)
	case RepairAlreadyApplied:
		return fmt.Sprintf("Database repair migration %q was already applied.", r.Version)
	}
	return "No database repair migration found in " + RepairMigrationDir + "/."
}

// ApplyRepair runs the repair migration in repair-migration/ (written by
// create-repair-migration), unless the _repair row of serverpod_migrations
// says it already ran. The file brings the database to a version's schema
// and records the versions itself; ApplyRepair also records its name under
// _repair in the same transaction, so that it runs once. Run it before
// Apply, as Serverpod does when both flags are given.
func (m *Migrator) ApplyRepair(ctx context.Context) (*RepairResult, error) {
	f, version, err := m.repairFile()
	if err != nil || f == nil {
		return &RepairResult{Status: RepairNotFound}, err
	}
	res := &RepairResult{Version: version, File: f.name}
	err = m.withLock(ctx, func(conn *pgx.Conn) error {
		modules, err := installedModules(ctx, conn)
		if err != nil {
			return err
		}
		if modules[RepairModule] == version {
			res.Status = RepairAlreadyApplied
			return nil
		}
		n, err := runFile(ctx, conn, KindRepair, m.module, version, *f, func(ctx context.Context, tx *pgx.Conn) error {
			return recordVersion(ctx, tx, RepairModule, version)
		})
		if err != nil {
			return err
		}
		res.Status, res.Statements = RepairApplied, n
		return nil
	})
	return res, err
}

// repairFile loads the repair migration. Serverpod takes the first .sql file
// the directory lists, in no defined order; create-repair-migration leaves
// exactly one, so gopod refuses to guess when there are several.
func (m *Migrator) repairFile() (*sqlFile, string, error) {
	entries, err := fs.ReadDir(m.project, RepairMigrationDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("list repair migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	switch len(names) {
	case 0:
		return nil, "", nil
	case 1:
	default:
		return nil, "", fmt.Errorf("%s/ holds %d repair migrations (%s); keep only the one to apply", RepairMigrationDir, len(names), strings.Join(names, ", "))
	}
	name := path.Join(RepairMigrationDir, names[0])
	data, err := fs.ReadFile(m.project, name)
	if err != nil {
		return nil, "", fmt.Errorf("read the repair migration: %w", err)
	}
	version, _, _ := strings.Cut(names[0], ".")
	return &sqlFile{name: name, src: string(data)}, version, nil
}
