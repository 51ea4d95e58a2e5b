package migration

import (
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gopod/gopod/runtime/db/dbtest"

	"github.com/gopod/gopod/runtime/core"
	"github.com/gopod/gopod/runtime/dbschema"
)

var testDB *sql.DB

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	return dbtest.MainWith(m, "migration", func(url string) (func(), error) {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, err
		}
		testDB = db
		return func() { db.Close() }, nil
	})
}

func emptyDatabase(t *testing.T) {
	t.Helper()
	if _, err := testDB.Exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
}

func execFile(t *testing.T, parts ...string) {
	t.Helper()
	script := readFile(t, parts...)
	if _, err := testDB.Exec(string(script)); err != nil {
		t.Fatalf("%s failed: %v", filepath.Join(parts...), err)
	}
}

func definitionAt(t *testing.T, parts ...string) *dbschema.DatabaseDefinition {
	t.Helper()
	d, err := dbschema.DecodeDefinition(readFile(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func noDrift(t *testing.T, when string, want *dbschema.DatabaseDefinition) {
	t.Helper()
	drift, err := dbschema.Drift(ctx, testDB, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Errorf("%s, the database differs from the definition:\n%s", when, strings.Join(drift, ";\n"))
	}
}

func installedVersions(t *testing.T) []dbschema.ModuleVersion {
	t.Helper()
	live, err := dbschema.Inspect(ctx, testDB)
	if err != nil {
		t.Fatal(err)
	}
	return live.InstalledModules
}

// TestTakeOverServerpod24Database builds a database the way Serverpod 2.4
// would (its definition.sql), then applies gopod's next migration and its
// down script.
func TestTakeOverServerpod24Database(t *testing.T) {
	emptyDatabase(t)
	dir := serverpod24Project(t)
	execFile(t, dir, "migrations", fixtureVersion, definitionSQLFile)
	prev := definitionAt(t, dir, "migrations", fixtureVersion, definitionFile)
	noDrift(t, "after 2.4's definition.sql", prev)
	if _, err := testDB.Exec(`INSERT INTO "author" ("name") VALUES ('Ann'); INSERT INTO "book" ("title", "authorId") SELECT 'Notes', "id" FROM "author"`); err != nil {
		t.Fatal(err)
	}

	const next = "20250301090000000"
	res, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v2"), Now: at(t, next)})
	if err != nil {
		t.Fatal(err)
	}
	execFile(t, res.Dir, migrationSQLFile)
	noDrift(t, "after migration.sql", definitionAt(t, res.Dir, definitionFile))
	want := []dbschema.ModuleVersion{{Module: "shelf", Version: next}, {Module: core.ModuleName, Version: core.Version}}
	if got := installedVersions(t); !reflect.DeepEqual(got, want) {
		t.Errorf("versions after migration.sql %+v, want %+v", got, want)
	}

	execFile(t, res.Dir, downSQLFile)
	noDrift(t, "after down.sql", prev)
	want[0].Version = fixtureVersion
	if got := installedVersions(t); !reflect.DeepEqual(got, want) {
		t.Errorf("versions after down.sql %+v, want %+v", got, want)
	}
	var title string
	if err := testDB.QueryRow(`SELECT "title" FROM "book"`).Scan(&title); err != nil || title != "Notes" {
		t.Errorf("the book row after the round trip: %q, %v", title, err)
	}
}

// TestCoreDefinitionSQL applies the core's definition.sql to an empty
// database: the result matches the core definition.
func TestCoreDefinitionSQL(t *testing.T) {
	emptyDatabase(t)
	script, err := readCore(core.Version + "/" + definitionSQLFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testDB.Exec(script); err != nil {
		t.Fatal(err)
	}
	data, err := readCore(core.Version + "/" + definitionFile)
	if err != nil {
		t.Fatal(err)
	}
	def, err := dbschema.DecodeDefinition([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	noDrift(t, "after the core's definition.sql", def)
}

// TestFirstMigrationThenDown applies a project's first migration.sql to an
// empty database and undoes it with down.sql.
func TestFirstMigrationThenDown(t *testing.T) {
	emptyDatabase(t)
	dir := t.TempDir()
	res, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v2"), Now: at(t, "20250101120000000")})
	if err != nil {
		t.Fatal(err)
	}
	execFile(t, res.Dir, migrationSQLFile)
	noDrift(t, "after the first migration.sql", definitionAt(t, res.Dir, definitionFile))
	execFile(t, res.Dir, downSQLFile)
	live, err := dbschema.Inspect(ctx, testDB)
	if err != nil {
		t.Fatal(err)
	}
	if len(live.Tables) != 0 {
		t.Errorf("%d tables left after down.sql", len(live.Tables))
	}
}

func readCore(name string) (string, error) {
	b, err := fs.ReadFile(core.Migrations(), name)
	return string(b), err
}
