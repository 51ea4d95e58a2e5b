package migration

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/runtime/core"
	"github.com/gopod/gopod/runtime/dbschema"
)

// The testdata/serverpod24 project is a migrations folder in Serverpod 2.4's
// format, written by hand: one version, 20250101120000000, holding the core
// tables and the project "shelf"'s author and book tables.
const fixtureVersion = "20250101120000000"

// serverpod24Project copies the 2.4 migrations folder into a new project
// directory.
func serverpod24Project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range readTree(t, filepath.Join("testdata", "serverpod24")) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func shelfModels(t *testing.T, version string) []*model.Model {
	t.Helper()
	return analyzeFS(t, os.DirFS(filepath.Join("testdata", "shelf", version)), "models", model.Options{})
}

func readFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCoreTablesMatchServerpod24 compares the core's definition, made from
// gopod's core models, with the core tables of the hand-written 2.4
// definition, table by table, byte for byte.
func TestCoreTablesMatchServerpod24(t *testing.T) {
	data, err := fs.ReadFile(core.Migrations(), core.Version+"/"+definitionProjectFile)
	if err != nil {
		t.Fatal(err)
	}
	gopod, err := dbschema.DecodeDefinition(data)
	if err != nil {
		t.Fatal(err)
	}
	sp24, err := dbschema.DecodeDefinition(readFile(t, "testdata", "serverpod24", "migrations", fixtureVersion, definitionFile))
	if err != nil {
		t.Fatal(err)
	}
	var want []*dbschema.TableDefinition
	for _, tbl := range sp24.Tables {
		if tbl.Module == core.ModuleName {
			want = append(want, tbl)
		}
	}
	if len(gopod.Tables) != 13 || len(want) != 13 {
		t.Fatalf("%d core tables from the models, %d in the 2.4 definition; want 13", len(gopod.Tables), len(want))
	}
	for i, tbl := range gopod.Tables {
		got := dbschema.EncodeDefinition(&dbschema.DatabaseDefinition{Tables: []*dbschema.TableDefinition{tbl}})
		exp := dbschema.EncodeDefinition(&dbschema.DatabaseDefinition{Tables: []*dbschema.TableDefinition{want[i]}})
		if string(got) != string(exp) {
			t.Errorf("core table %s differs from 2.4's:\n%s", tbl.Name, firstDifference(string(got), string(exp)))
		}
	}
}

// TestNextMigrationAfterServerpod24 takes a 2.4 migrations folder as the
// previous state. The models add a column and a table; the migration must
// do exactly that, and the core and unchanged tables must not change.
func TestNextMigrationAfterServerpod24(t *testing.T) {
	dir := serverpod24Project(t)
	const next = "20250301090000000"
	res, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v2"), Now: at(t, next)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Version != next {
		t.Fatalf("result: changed %v, version %q", res.Changed, res.Version)
	}
	want := []string{
		`ALTER TABLE "book" ADD COLUMN "isbn" text NULL`,
		"CREATE TABLE \"review\" (\n    \"id\" bigserial NOT NULL,\n    \"bookId\" bigint NOT NULL,\n    \"stars\" bigint NOT NULL,\n    \"text\" text NULL,\n    PRIMARY KEY (\"id\"),\n    CONSTRAINT \"review_fk_0\" FOREIGN KEY (\"bookId\") REFERENCES \"book\" (\"id\") ON UPDATE NO ACTION ON DELETE NO ACTION\n)",
		`CREATE INDEX "review_book_idx" ON "review" ("bookId")`,
	}
	if got := res.Plan.Up(); !reflect.DeepEqual(got, want) {
		t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, ";\n"), strings.Join(want, ";\n"))
	}
	if ws := res.Plan.Warnings(); len(ws) != 0 {
		t.Errorf("warnings: %v", ws)
	}
	var actions []string
	for _, a := range res.Plan.Migration.Actions {
		actions = append(actions, a.Type.String()+" "+a.TableName())
	}
	if want := []string{"alterTable book", "createTable review"}; !reflect.DeepEqual(actions, want) {
		t.Errorf("actions %v, want %v", actions, want)
	}

	// Every table that did not change is written exactly as 2.4 wrote it.
	prev, err := dbschema.DecodeDefinition(readFile(t, dir, "migrations", fixtureVersion, definitionFile))
	if err != nil {
		t.Fatal(err)
	}
	full, err := dbschema.DecodeDefinition(readFile(t, dir, "migrations", next, definitionFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, pt := range prev.Tables {
		if pt.Name == "book" {
			continue
		}
		nt := full.Table(pt.Name)
		if nt == nil {
			t.Errorf("table %s is missing from the new definition", pt.Name)
			continue
		}
		a := dbschema.EncodeDefinition(&dbschema.DatabaseDefinition{Tables: []*dbschema.TableDefinition{pt}})
		b := dbschema.EncodeDefinition(&dbschema.DatabaseDefinition{Tables: []*dbschema.TableDefinition{nt}})
		if string(a) != string(b) {
			t.Errorf("table %s changed:\n%s", pt.Name, firstDifference(string(b), string(a)))
		}
	}
	wantModules := []dbschema.ModuleVersion{{Module: "shelf", Version: next}, {Module: core.ModuleName, Version: core.Version}}
	if !reflect.DeepEqual(full.InstalledModules, wantModules) {
		t.Errorf("installed modules %+v, want %+v", full.InstalledModules, wantModules)
	}
	project, err := dbschema.DecodeDefinition(readFile(t, dir, "migrations", next, definitionProjectFile))
	if err != nil {
		t.Fatal(err)
	}
	wantBefore := []dbschema.ModuleVersion{{Module: "shelf", Version: fixtureVersion}, {Module: core.ModuleName, Version: core.Version}}
	if len(project.Tables) != 3 || !reflect.DeepEqual(project.InstalledModules, wantBefore) {
		t.Errorf("definition_project.json: %d tables, modules %+v", len(project.Tables), project.InstalledModules)
	}
	registry := string(readFile(t, dir, "migrations", registryFile))
	if !strings.HasPrefix(registry, registryHeader) || !strings.HasSuffix(registry, "\n"+fixtureVersion+"\n"+next+"\n") {
		t.Errorf("registry:\n%s", registry)
	}

	// The whole version folder, as a golden file.
	compareTree(t, filepath.Join(dir, "migrations", next), filepath.Join("testdata", "golden", "next"))
}

// TestUnchangedModels: models equal to the latest migration change nothing
// and write nothing; Force writes an empty migration with the version
// records only.
func TestUnchangedModels(t *testing.T) {
	dir := serverpod24Project(t)
	before := readTree(t, dir)
	res, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v1"), Now: at(t, "20250301090000000")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || res.Version != "" || !res.Plan.Empty() {
		t.Fatalf("result: %+v", res)
	}
	if !reflect.DeepEqual(readTree(t, dir), before) {
		t.Fatal("files were written although nothing changed")
	}

	res, err = Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v1"), Force: true, Now: at(t, "20250301090000000")})
	if err != nil {
		t.Fatal(err)
	}
	sql := string(readFile(t, res.Dir, migrationSQLFile))
	if strings.Contains(sql, "ACTION") || !strings.Contains(sql, "VALUES ('shelf', '20250301090000000', now())") {
		t.Errorf("empty migration:\n%s", sql)
	}
}

// TestWarningsRefuseTheMigration: a destructive change is listed and
// refused without Force, and nothing is written; with Force it is written.
func TestWarningsRefuseTheMigration(t *testing.T) {
	dir := serverpod24Project(t)
	before := readTree(t, dir)
	models := analyzeSources(t, map[string]string{
		"models/author.spy.yaml": "class: Author\ntable: author\nfields:\n  name: String\n  joined: DateTime, default=now\n",
		"models/book.spy.yaml":   "class: Book\ntable: book\nfields:\n  title: String\n  authorId: int, relation(parent=author, onDelete=Cascade)\n  pages: int, default=0\n  status: String\n  tags: List<String>?\nindexes:\n  book_title_idx:\n    fields: title\n",
	})
	opts := Options{Dir: dir, ProjectName: "shelf", Models: models, Now: at(t, "20250301090000000")}
	res, err := Create(ctx, opts)
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("error %v, want a RefusedError", err)
	}
	var kinds []string
	for _, w := range refused.Warnings {
		kinds = append(kinds, w.Type.String())
	}
	// email and its unique index go; status changes its Dart type and is
	// recreated with NOT NULL and no default.
	want := []string{"columnDropped", "columnDropped", "notNullAdded"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("warnings %v, want %v", kinds, want)
	}
	msg := err.Error()
	for _, s := range []string{`destructive: Column "email" of table "author" will be dropped.`, "Column status of table book is modified in a way that it must be deleted and recreated.", "--force"} {
		if !strings.Contains(msg, s) {
			t.Errorf("the refusal does not say %q:\n%s", s, msg)
		}
	}
	if res == nil || !res.Changed {
		t.Error("a refused migration still reports the change")
	}
	if !reflect.DeepEqual(readTree(t, dir), before) {
		t.Fatal("files were written although the migration was refused")
	}

	opts.Force = true
	res, err = Create(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, err := dbschema.DecodeMigration(readFile(t, res.Dir, migrationFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Warnings) != 3 || !m.Warnings[0].Destructive {
		t.Errorf("migration.json warnings: %+v", m.Warnings)
	}
}

// TestCheck reports a change without writing anything.
func TestCheck(t *testing.T) {
	dir := serverpod24Project(t)
	before := readTree(t, dir)
	res, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v2"), Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || !strings.Contains(res.Diff, `ALTER TABLE "book" ADD COLUMN "isbn" text NULL;`) || !strings.Contains(res.Diff, "-- ACTION CREATE TABLE") {
		t.Errorf("check: changed %v, diff:\n%s", res.Changed, res.Diff)
	}
	if !reflect.DeepEqual(readTree(t, dir), before) {
		t.Fatal("check mode wrote files")
	}
	res, err = Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v1"), Check: true})
	if err != nil || res.Changed || res.Diff != "" {
		t.Fatalf("check of unchanged models: %+v, %v", res, err)
	}
}

func TestRenamedFromRenames(t *testing.T) {
	dir := serverpod24Project(t)
	renamed := analyzeSources(t, map[string]string{
		"models/author.spy.yaml":      string(readFile(t, "testdata", "shelf", "v1", "author.spy.yaml")),
		"models/book_status.spy.yaml": string(readFile(t, "testdata", "shelf", "v1", "book_status.spy.yaml")),
		"models/book.spy.yaml": strings.NewReplacer(
			"  title: String\n", "  heading:\n    type: String\n    renamedFrom: title\n",
			"fields: title\n", "fields: heading\n",
		).Replace(string(readFile(t, "testdata", "shelf", "v1", "book.spy.yaml"))),
	})
	res, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: renamed, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`ALTER TABLE "book" RENAME COLUMN "title" TO "heading"`}
	if got := res.Plan.Up(); !reflect.DeepEqual(got, want) {
		t.Errorf("statements %q, want %q", got, want)
	}
}

func TestCreateErrors(t *testing.T) {
	t.Run("invalid tag", func(t *testing.T) {
		_, err := Create(ctx, Options{Dir: t.TempDir(), ProjectName: "shelf", Tag: "Add_Table"})
		if err == nil || !strings.Contains(err.Error(), `invalid tag "Add_Table"`) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("corrupt latest version", func(t *testing.T) {
		dir := serverpod24Project(t)
		broken := filepath.Join(dir, "migrations", "20250201000000000")
		if err := os.MkdirAll(broken, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(broken, definitionFile), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v2")})
		if err == nil || !strings.Contains(err.Error(), "the latest migration 20250201000000000 is corrupt or incomplete") || !strings.Contains(err.Error(), "the file is empty") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("latest version without definition", func(t *testing.T) {
		dir := serverpod24Project(t)
		if err := os.MkdirAll(filepath.Join(dir, "migrations", "20250201000000000-wip"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v2")})
		if err == nil || !strings.Contains(err.Error(), "20250201000000000-wip is corrupt or incomplete") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("stray folder", func(t *testing.T) {
		dir := serverpod24Project(t)
		if err := os.MkdirAll(filepath.Join(dir, "migrations", "backup"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v2")})
		if err == nil || !strings.Contains(err.Error(), "folder backup is not a migration version") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("clock behind the latest version", func(t *testing.T) {
		dir := serverpod24Project(t)
		_, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v2"), Now: at(t, "20241231000000000")})
		if err == nil || !strings.Contains(err.Error(), "would not sort after the latest version") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("table of the project and a module", func(t *testing.T) {
		models := analyzeSources(t, map[string]string{"models/m.spy.yaml": "class: Clash\ntable: serverpod_method\nfields:\n  x: int\n"})
		_, err := Create(ctx, Options{Dir: t.TempDir(), ProjectName: "shelf", Models: models})
		if err == nil || !strings.Contains(err.Error(), `table "serverpod_method" is defined by both shelf and serverpod`) {
			t.Fatalf("error %v", err)
		}
	})
}

func TestTagAndFirstMigration(t *testing.T) {
	dir := t.TempDir()
	res, err := Create(ctx, Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v1"), Tag: "initial", Now: at(t, "20250101120000000")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "20250101120000000-initial" {
		t.Fatalf("version %q", res.Version)
	}
	// The first migration of a project creates its tables and the core's;
	// apart from the tag, its definition is the hand-written 2.4 one.
	got := readFile(t, res.Dir, definitionFile)
	want := strings.ReplaceAll(string(readFile(t, "testdata", "serverpod24", "migrations", fixtureVersion, definitionFile)), fixtureVersion, fixtureVersion+"-initial")
	if string(got) != want {
		t.Errorf("definition.json differs from 2.4's:\n%s", firstDifference(string(got), want))
	}
	gotSQL := readFile(t, res.Dir, definitionSQLFile)
	wantSQL := strings.ReplaceAll(string(readFile(t, "testdata", "serverpod24", "migrations", fixtureVersion, definitionSQLFile)), fixtureVersion, fixtureVersion+"-initial")
	if string(gotSQL) != wantSQL {
		t.Errorf("definition.sql differs from 2.4's:\n%s", firstDifference(string(gotSQL), wantSQL))
	}
	registry := string(readFile(t, dir, "migrations", registryFile))
	if registry != registryHeader+"20250101120000000-initial\n" {
		t.Errorf("registry:\n%s", registry)
	}
}

func TestModuleFromModels(t *testing.T) {
	moduleModels := analyzeSources(t, map[string]string{"models/k.spy.yaml": "class: Kudos\ntable: kudos_entry\nfields:\n  total: int\n"})
	def, err := TargetDefinition("shelf", "20250301090000000", shelfModels(t, "v1"), []Module{{Name: "kudos", Models: moduleModels, Version: "20250101000000000"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tbl := range def.Tables {
		if tbl.Module != core.ModuleName {
			names = append(names, tbl.Module+"."+tbl.Name)
		}
	}
	if want := []string{"shelf.author", "shelf.book", "kudos.kudos_entry"}; !reflect.DeepEqual(names, want) {
		t.Errorf("tables %v, want %v", names, want)
	}
	wantModules := []dbschema.ModuleVersion{{Module: "shelf", Version: "20250301090000000"}, {Module: "kudos", Version: "20250101000000000"}, {Module: core.ModuleName, Version: core.Version}}
	if !reflect.DeepEqual(def.InstalledModules, wantModules) {
		t.Errorf("installed modules %+v, want %+v", def.InstalledModules, wantModules)
	}
}

// TestModuleVersionChange: upgrading a module whose tables stay the same
// still needs a migration, to record the version.
func TestModuleVersionChange(t *testing.T) {
	dir := serverpod24Project(t)
	kudos := analyzeSources(t, map[string]string{"models/k.spy.yaml": "class: Kudos\ntable: kudos_entry\nfields:\n  total: int\n"})
	opts := Options{Dir: dir, ProjectName: "shelf", Models: shelfModels(t, "v1"), Modules: []Module{{Name: "kudos", Models: kudos, Version: "1"}}, Now: at(t, "20250301090000000")}
	res, err := Create(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Diff, "-- module kudos is installed at version 1") {
		t.Errorf("diff:\n%s", res.Diff)
	}
	opts.Modules[0].Version, opts.Check, opts.Now = "2", true, at(t, "20250302090000000")
	res, err = Create(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || !res.Plan.Empty() || !strings.Contains(res.Diff, "module kudos changes from version 1 to 2") {
		t.Errorf("check after the upgrade: changed %v, diff:\n%s", res.Changed, res.Diff)
	}
	opts.Check = false
	res, err = Create(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	sql := string(readFile(t, res.Dir, migrationSQLFile))
	if strings.Contains(sql, "ACTION") || !strings.Contains(sql, "VALUES ('kudos', '2', now())") {
		t.Errorf("migration.sql:\n%s", sql)
	}
}
