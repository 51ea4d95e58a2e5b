package generator

import (
	"context"
	"fmt"
	"time"

	"github.com/gopod/gopod/generator/migration"
	"github.com/gopod/gopod/generator/project"
)

// MigrationOptions of a create-migration run.
type MigrationOptions struct {
	Dir   string
	Tag   string
	Force bool
	Check bool
	Now   func() time.Time
}

// CreateMigration compares the project's table models (and its modules'
// tables) with the latest migration and writes the next one; see
// migration.Create.
func CreateMigration(ctx context.Context, o MigrationOptions) (*migration.Result, error) {
	p, err := project.Load(o.Dir)
	if err != nil {
		return nil, err
	}
	if !p.Database {
		return nil, &project.Error{File: project.ConfigPath, Msg: "the database feature is off (features: database: false); turn it on to create migrations"}
	}
	mods, err := resolveModules(p)
	if err != nil {
		return nil, err
	}
	models, diags, err := analyzeModels(p, mods, customClasses(p))
	if err != nil {
		return nil, err
	}
	if failing(diags) {
		return nil, &DiagnosticsError{Diagnostics: diags}
	}
	var modules []migration.Module
	for _, m := range mods {
		mm := migration.Module{Name: m.name, Migrations: m.migrations}
		if m.migrations == nil {
			if hasTables(m) {
				return nil, fmt.Errorf("module %s has tables but ships no migrations", m.name)
			}
			continue
		}
		modules = append(modules, mm)
	}
	return migration.Create(ctx, migration.Options{
		Dir: p.Dir, ProjectName: p.Name, Models: models, Modules: modules,
		Tag: o.Tag, Force: o.Force, Check: o.Check, Now: o.Now,
	})
}

func hasTables(m *moduleInfo) bool {
	for _, x := range m.analyzed {
		if x.HasTable() {
			return true
		}
	}
	return false
}
