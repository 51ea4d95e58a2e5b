package core

import (
	"io/fs"
	"strings"
	"testing"
)

func TestEmbeddedFiles(t *testing.T) {
	models, err := fs.Glob(Models(), "*.spy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 16 {
		t.Errorf("%d model files, want 16 (13 tables, LogLevel, LogSettings, LogSettingsOverride)", len(models))
	}
	for _, name := range []string{"definition.json", "definition_project.json", "definition.sql", "migration.json", "migration.sql", "down.sql"} {
		if _, err := fs.Stat(Migrations(), Version+"/"+name); err != nil {
			t.Errorf("migrations/%s/%s: %v", Version, name, err)
		}
	}
	registry, err := fs.ReadFile(Migrations(), "migration_registry.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(registry), "\n"+Version+"\n") {
		t.Errorf("the registry does not end with the core version:\n%s", registry)
	}
}
