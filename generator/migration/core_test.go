package migration

import (
	"path/filepath"
	"testing"

	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/runtime/core"
)

// TestCoreMigrations regenerates the core's migrations folder from the core
// models and compares it with the one embedded in package core.
func TestCoreMigrations(t *testing.T) {
	models := analyzeFS(t, core.Models(), "models", model.Options{})
	dir := t.TempDir()
	res, err := Create(ctx, Options{Dir: dir, ProjectName: core.ModuleName, Models: models, Now: at(t, core.Version)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != core.Version {
		t.Fatalf("version %s, want %s", res.Version, core.Version)
	}
	compareTree(t, filepath.Join(dir, "migrations"), filepath.Join("..", "..", "runtime", "core", "migrations"))
}
