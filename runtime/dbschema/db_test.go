package dbschema

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gopod/gopod/runtime/db/dbtest"
)

var testDB *sql.DB

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	return dbtest.MainWith(m, "dbschema", func(url string) (func(), error) {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, err
		}
		testDB = db
		return func() { db.Close() }, nil
	})
}

// emptyDatabase drops everything in the public schema.
func emptyDatabase(t *testing.T) {
	t.Helper()
	if _, err := testDB.Exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
}

func execScript(t *testing.T, name, script string) {
	t.Helper()
	if _, err := testDB.Exec(script); err != nil {
		t.Fatalf("%s failed: %v\n%s", name, err, script)
	}
}

func noDrift(t *testing.T, when string, want *DatabaseDefinition) {
	t.Helper()
	drift, err := Drift(context.Background(), testDB, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Errorf("%s, the database differs from the definition:\n%s", when, strings.Join(drift, ";\n"))
	}
}

func readDefinition(t *testing.T, name string) *DatabaseDefinition {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "serverpod24", name))
	if err != nil {
		t.Fatal(err)
	}
	d, err := DecodeDefinition(data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDefinitionSQLHasNoDrift applies definition.sql to an empty database
// and inspects the result.
func TestDefinitionSQLHasNoDrift(t *testing.T) {
	for _, name := range []string{"definition.json", "definition_extras.json"} {
		t.Run(name, func(t *testing.T) {
			emptyDatabase(t)
			want := readDefinition(t, name)
			if want.Table(MigrationsTable) == nil {
				// The version records need their table.
				execScript(t, "create serverpod_migrations", `CREATE TABLE "serverpod_migrations" ("id" bigserial PRIMARY KEY, "module" text NOT NULL, "version" text NOT NULL, "timestamp" timestamp without time zone);
CREATE UNIQUE INDEX "serverpod_migrations_ids" ON "serverpod_migrations" USING btree ("module");`)
			}
			script, err := DefinitionSQL(want)
			if err != nil {
				t.Fatal(err)
			}
			execScript(t, "definition.sql", script)
			noDrift(t, "after definition.sql", want)

			live, err := Inspect(context.Background(), testDB)
			if err != nil {
				t.Fatal(err)
			}
			if len(live.InstalledModules) != len(want.InstalledModules) {
				t.Errorf("installed modules %+v, want %+v", live.InstalledModules, want.InstalledModules)
			}
			for i, m := range live.InstalledModules {
				if w := want.InstalledModules[i]; i < len(want.InstalledModules) && (m.Module != w.Module || m.Version != w.Version) {
					t.Errorf("installed module %d is %+v, want %+v", i, m, w)
				}
			}
			for _, wt := range want.Tables {
				lt := live.Table(wt.Name)
				if !wt.IsManaged() {
					if lt != nil {
						t.Errorf("unmanaged table %s was created", wt.Name)
					}
					continue
				}
				if lt == nil {
					t.Errorf("table %s is missing", wt.Name)
					continue
				}
				compareInspected(t, wt, lt)
			}
		})
	}
}

// compareInspected checks that an inspected table says what the definition
// says, apart from what a database cannot know (Dart names and types).
func compareInspected(t *testing.T, want, got *TableDefinition) {
	t.Helper()
	strip := func(td *TableDefinition) *TableDefinition {
		c := *td
		c.DartName, c.Module, c.Managed, c.TableSpace = "", "", nil, ""
		c.Columns = nil
		for _, col := range td.Columns {
			cc := *col
			cc.DartType = ""
			c.Columns = append(c.Columns, &cc)
		}
		c.Indexes = nil
		for _, x := range td.Indexes {
			xc := *x
			xc.TableSpace = ""
			c.Indexes = append(c.Indexes, &xc)
		}
		// A database lists indexes by name.
		sort.Slice(c.Indexes, func(i, j int) bool { return c.Indexes[i].IndexName < c.Indexes[j].IndexName })
		return &c
	}
	w, g := strip(want), strip(got)
	if !reflect.DeepEqual(EncodeDefinition(&DatabaseDefinition{Tables: []*TableDefinition{w}}), EncodeDefinition(&DatabaseDefinition{Tables: []*TableDefinition{g}})) {
		t.Errorf("table %s inspected as\n%s\nwant\n%s", want.Name,
			EncodeDefinition(&DatabaseDefinition{Tables: []*TableDefinition{g}}),
			EncodeDefinition(&DatabaseDefinition{Tables: []*TableDefinition{w}}))
	}
}

// TestMigrationThenDown applies each policy case's migration to a database
// made from its previous definition, checks the database matches the
// target, then applies the down script and checks it matches the previous
// definition again.
func TestMigrationThenDown(t *testing.T) {
	for _, tc := range policyCases() {
		if len(tc.up) == 0 {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			from, to := tc.definitions(t)
			emptyDatabase(t)
			prepare(t, from)
			p, err := Diff(from, to, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			execScript(t, "migration.sql", MigrationSQL(p, nil, nil))
			noDrift(t, "after migration.sql", to)
			execScript(t, "down.sql", DownSQL(p, nil, nil))
			noDrift(t, "after down.sql", from)
		})
	}
}

// prepare creates the tables of d: the managed ones through definition.sql,
// the unmanaged ones as someone else would have.
func prepare(t *testing.T, d *DatabaseDefinition) {
	t.Helper()
	script, err := DefinitionSQL(d)
	if err != nil {
		t.Fatal(err)
	}
	execScript(t, "definition.sql", script)
	for _, tbl := range d.Tables {
		if tbl.IsManaged() {
			continue
		}
		var b strings.Builder
		if err := writeCreateTable(&b, tbl, false); err != nil {
			t.Fatal(err)
		}
		execScript(t, "unmanaged table", b.String())
	}
}

// TestNotNullColumnFailsSafely shows what the notNullAdded warning promises:
// on a table with rows the migration fails and changes nothing.
func TestNotNullColumnFailsSafely(t *testing.T) {
	from, to := shelfV1(), shelfV1()
	a := to.Table("author")
	a.Columns = append(a.Columns, column("score", ColumnBigint, false, "int"))
	emptyDatabase(t)
	prepare(t, from)
	execScript(t, "insert", `INSERT INTO "author" ("name") VALUES ('Ann')`)
	p, err := Diff(from, to, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testDB.Exec(MigrationSQL(p, nil, nil)); err == nil || !strings.Contains(err.Error(), "score") {
		t.Fatalf("migration on a table with rows: error %v, want a NOT NULL violation on score", err)
	}
	// The failed transaction must be rolled back: the connection pool hands
	// out a clean connection and the table is unchanged.
	noDrift(t, "after the failed migration", from)
	var n int
	if err := testDB.QueryRow(`SELECT count(*) FROM "author"`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows after the failed migration: %d, %v", n, err)
	}
}

// TestRenameKeepsData shows that a rename is not a drop and an add.
func TestRenameKeepsData(t *testing.T) {
	from, to := shelfV1(), shelfV1()
	c := to.Table("author").Column("name")
	c.Name, c.PreviousName = "fullName", "name"
	emptyDatabase(t)
	prepare(t, from)
	execScript(t, "insert", `INSERT INTO "author" ("name") VALUES ('Ann')`)
	p, err := Diff(from, to, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	execScript(t, "migration.sql", MigrationSQL(p, nil, nil))
	var name string
	if err := testDB.QueryRow(`SELECT "fullName" FROM "author"`).Scan(&name); err != nil || name != "Ann" {
		t.Fatalf("renamed column holds %q, %v", name, err)
	}
}
