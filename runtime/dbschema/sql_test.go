package dbschema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefinitionSQLMatchesServerpod renders the hand-made 2.4 definition and
// compares it with the definition.sql written beside it in 2.4's layout.
func TestDefinitionSQLMatchesServerpod(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "serverpod24", "definition.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "serverpod24", "definition.sql"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeDefinition(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DefinitionSQL(d)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("definition.sql differs:\n%s", firstDiff(got, string(want)))
	}
}

func TestDefinitionSQLSkipsUnmanagedAndRejectsBadColumns(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "serverpod24", "definition_extras.json"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeDefinition(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DefinitionSQL(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got, "external_stats") {
		t.Error("the unmanaged table external_stats is in definition.sql")
	}
	for _, want := range []string{
		`CREATE INDEX "audit_event_lower_idx" ON "audit" USING hash (lower(event)) WHERE (ref IS NOT NULL);`,
		`INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")` + "\n    VALUES ('shelf', '20250101120000000', now())",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("definition.sql lacks %s", want)
		}
	}

	bad := []struct {
		name string
		col  *ColumnDefinition
		want string
	}{
		{"nullable id", &ColumnDefinition{Name: "id", ColumnType: ColumnBigint, IsNullable: true}, "the id column must not be nullable"},
		{"text id", &ColumnDefinition{Name: "id", ColumnType: ColumnText}, "the id column must be integer or bigint"},
		{"unknown type", &ColumnDefinition{Name: "x", ColumnType: ColumnUnknown}, `column "x": column type unknown has no PostgreSQL type`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			d := &DatabaseDefinition{Tables: []*TableDefinition{{Name: "t", Columns: []*ColumnDefinition{tt.col}}}}
			_, err := DefinitionSQL(d)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
