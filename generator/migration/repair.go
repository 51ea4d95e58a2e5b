package migration

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gopod/gopod/runtime/dbschema"
)

// repairDir is Serverpod's folder for the one pending repair migration.
const repairDir = "repair-migration"

// RepairModule is the serverpod_migrations row that records repairs.
const RepairModule = "_repair"

// RepairOptions describe a create-repair-migration run.
type RepairOptions struct {
	// Dir is the project's directory.
	Dir string
	// Live is the database's current schema (dbschema.Inspect).
	Live *dbschema.DatabaseDefinition
	// Version is the migration version to bring the database to; the
	// latest when empty.
	Version string
	Tag     string
	// Force writes the repair even with warnings, or when nothing differs.
	Force bool
	Now   func() time.Time
}

// RepairResult is the outcome of CreateRepair.
type RepairResult struct {
	// File is the written repair migration, empty when nothing was written.
	File string
	Plan *dbschema.Plan
}

// CreateRepair writes repair-migration/<name>.sql, which brings a drifted
// database to the schema of a migration version: the statements from the
// live schema to that version's definition.json, the module versions of
// that version, and a _repair row. The folder holds one file at a time, as
// in Serverpod; applying it is the server's --apply-repair-migration.
func CreateRepair(ctx context.Context, o RepairOptions) (*RepairResult, error) {
	if o.Tag != "" && !tagPattern.MatchString(o.Tag) {
		return nil, fmt.Errorf("invalid tag %q: use lower-case letters and digits, in words joined by single hyphens", o.Tag)
	}
	dir := filepath.Join(o.Dir, migrationsDir)
	versions, err := listVersions(dir)
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("%s has no migrations to repair towards; create one first", dir)
	}
	target := o.Version
	if target == "" {
		target = versions[len(versions)-1]
	} else if !slices.Contains(versions, target) {
		return nil, fmt.Errorf("version %s is not in %s", target, dir)
	}
	want, _, err := latestDefinition(dir, []string{target})
	if err != nil {
		return nil, err
	}
	plan, err := dbschema.Diff(o.Live, want, dbschema.DiffOptions{})
	if err != nil {
		return nil, fmt.Errorf("comparing the database with %s: %w", target, err)
	}
	if plan.Empty() && sameModules(o.Live.InstalledModules, want.InstalledModules) && !o.Force {
		return &RepairResult{Plan: plan}, nil
	}
	if warnings := plan.Warnings(); len(warnings) > 0 && !o.Force {
		return nil, &RefusedError{Warnings: warnings}
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	name := now().UTC().Format(versionLayout)
	name = name[:14] + name[15:] // drop the layout's decimal point
	if o.Tag != "" {
		name += "-" + o.Tag
	}
	installed := append(slices.Clone(want.InstalledModules), dbschema.ModuleVersion{Module: RepairModule, Version: name})
	var removed []dbschema.ModuleVersion
	for _, m := range o.Live.InstalledModules {
		if m.Module == RepairModule {
			continue
		}
		if !slices.ContainsFunc(want.InstalledModules, func(w dbschema.ModuleVersion) bool { return w.Module == m.Module }) {
			removed = append(removed, m)
		}
	}
	folder := filepath.Join(o.Dir, repairDir)
	if err := os.RemoveAll(folder); err != nil {
		return nil, fmt.Errorf("clearing %s: %w", folder, err)
	}
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", folder, err)
	}
	file := filepath.Join(folder, name+".sql")
	if err := os.WriteFile(file, []byte(dbschema.MigrationSQL(plan, installed, removed)), 0o644); err != nil {
		return nil, fmt.Errorf("writing %s: %w", file, err)
	}
	return &RepairResult{File: file, Plan: plan}, nil
}

// sameModules compares module versions, ignoring timestamps and the
// _repair row.
func sameModules(live, want []dbschema.ModuleVersion) bool {
	versions := func(ms []dbschema.ModuleVersion) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			if m.Module != RepairModule {
				out[m.Module] = m.Version
			}
		}
		return out
	}
	return maps.Equal(versions(live), versions(want))
}
