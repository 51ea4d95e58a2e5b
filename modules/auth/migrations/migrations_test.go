package migrations_test

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gopod/gopod/generator/migration"
	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/modules/auth/migrations"
	"github.com/gopod/gopod/modules/auth/models"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/dbschema"
	"github.com/gopod/gopod/runtime/migrate"
)

var update = flag.Bool("update", false, "rewrite the migrations folder from the models")

var dbURL string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "authmigrations", &dbURL)) }

// gopodTable tells gopod's side tables from 2.4's.
func gopodTable(m *model.Model) bool { return strings.HasPrefix(m.Table, "gopod_") }

func analyze(t *testing.T) []*model.Model {
	t.Helper()
	var files []model.File
	err := fs.WalkDir(models.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !model.IsModelFile(p) {
			return err
		}
		src, err := fs.ReadFile(models.Files, p)
		files = append(files, model.File{Path: "models/" + p, Src: src})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, diags := model.Analyze(files, model.Options{Database: true})
	for _, d := range diags {
		if d.Fails() {
			t.Fatal(d)
		}
	}
	return ms
}

func at(t *testing.T, version string) func() time.Time {
	t.Helper()
	tm, err := time.Parse("20060102150405.000", version[:14]+"."+version[14:17])
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return tm }
}

// sideTables lists the side tables each gopod version adds.
var sideTables = map[string][]string{
	"20261127045013582-gopod":   {"gopod_auth_attempt", "gopod_auth_key_state", "gopod_auth_request_state"},
	"20261205141717603-gopod-2": {"gopod_auth_reset_state", "gopod_auth_used_token"},
}

// TestFolderIsGenerated regenerates the migrations folder from the models:
// first 2.4's version from 2.4's tables alone, then each gopod version
// with the side tables up to it. The result must equal the embedded folder
// byte for byte.
func TestFolderIsGenerated(t *testing.T) {
	all := analyze(t)
	added := map[string]bool{}
	for _, tables := range sideTables {
		for _, tbl := range tables {
			added[tbl] = true
		}
	}
	for _, m := range all {
		if gopodTable(m) && !added[m.Table] {
			t.Errorf("side table %s is in no version of sideTables", m.Table)
		}
	}
	versions := migrations.Versions()
	if versions[0] != migrations.Serverpod24Version {
		t.Fatalf("first version %s, want 2.4's %s", versions[0], migrations.Serverpod24Version)
	}
	dir := t.TempDir()
	present := map[string]bool{}
	for i, v := range versions {
		if i > 0 {
			if sideTables[v] == nil {
				t.Fatalf("version %s is not in sideTables", v)
			}
			for _, tbl := range sideTables[v] {
				present[tbl] = true
			}
		}
		var ms []*model.Model
		for _, m := range all {
			if !gopodTable(m) || present[m.Table] {
				ms = append(ms, m)
			}
		}
		tag := ""
		if name, t, ok := strings.Cut(v, "-"); ok {
			v, tag = name, t
		}
		res, err := migration.Create(context.Background(), migration.Options{
			Dir: dir, ProjectName: "serverpod_auth", Models: ms, Tag: tag, Now: at(t, v),
		})
		if err != nil {
			t.Fatalf("creating %s: %v", versions[i], err)
		}
		if res.Version != versions[i] {
			t.Fatalf("created %q, want %q", res.Version, versions[i])
		}
	}
	got := os.DirFS(filepath.Join(dir, "migrations"))
	if *update {
		if err := os.CopyFS(".", got); err != nil {
			t.Fatal(err)
		}
		return
	}
	compare(t, got, migrations.FS())
}

func compare(t *testing.T, got, want fs.FS) {
	t.Helper()
	files := func(fsys fs.FS) map[string]string {
		out := map[string]string{}
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			out[p] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	g, w := files(got), files(want)
	for p, content := range w {
		if g[p] != content {
			t.Errorf("%s differs from what the models give (rerun with -update after checking why)", p)
		}
	}
	for p := range g {
		if _, ok := w[p]; !ok {
			t.Errorf("%s is missing from the folder", p)
		}
	}
}

// TestServerpod24TablesUnchanged checks that every later version keeps
// 2.4's tables exactly, so a project that moves from 2.4's module to
// gopod's sees only the side tables as new.
func TestServerpod24TablesUnchanged(t *testing.T) {
	def := func(v string) *dbschema.DatabaseDefinition {
		data, err := fs.ReadFile(migrations.FS(), path.Join(v, "definition_project.json"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := dbschema.DecodeDefinition(data)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	base := def(migrations.Serverpod24Version)
	if len(base.Tables) != 8 {
		t.Errorf("2.4's version has %d tables, want 8", len(base.Tables))
	}
	for _, v := range migrations.Versions()[1:] {
		d := def(v)
		for _, want := range base.Tables {
			if got := d.Table(want.Name); !reflect.DeepEqual(got, want) {
				t.Errorf("%s changes 2.4's table %s", v, want.Name)
			}
		}
		for _, tbl := range d.Tables {
			if base.Table(tbl.Name) == nil && !strings.HasPrefix(tbl.Name, "gopod_") {
				t.Errorf("%s adds %s, which is neither 2.4's nor a gopod_ side table", v, tbl.Name)
			}
		}
	}
	if migrations.Latest() != migrations.Versions()[len(migrations.Versions())-1] {
		t.Error("Latest is not the last version")
	}
}

// project lays the first n versions out as a project directory with a
// migrations folder, for migrate.
func project(t *testing.T, n int) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	keep := migrations.Versions()[:n]
	err := fs.WalkDir(migrations.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		top, _, _ := strings.Cut(p, "/")
		if p != "migration_registry.txt" && !contains(keep, top) {
			return nil
		}
		b, err := fs.ReadFile(migrations.FS(), p)
		out["migrations/"+p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestTakeOverServerpod24Database makes a database as Serverpod 2.4 left it
// (its last auth version, with a user, a key and a password in it), then
// applies gopod's versions: the side tables arrive, the rows stay.
func TestTakeOverServerpod24Database(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := migrate.New(db.Pool(d), project(t, 1), "serverpod_auth").Apply(ctx); err != nil {
		t.Fatalf("making a 2.4 database: %v", err)
	}
	for _, q := range []string{
		`INSERT INTO serverpod_user_info ("userIdentifier", "userName", created, "scopeNames", blocked) VALUES ('a@b.cd', 'a', now(), '[]', false)`,
		`INSERT INTO serverpod_auth_key ("userId", hash, "scopeNames", method) VALUES (1, 'h', '[]', 'email')`,
		`INSERT INTO serverpod_email_auth ("userId", email, hash) VALUES (1, 'a@b.cd', 'x')`,
	} {
		if _, err := d.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	res, err := migrate.New(db.Pool(d), project(t, len(migrations.Versions())), "serverpod_auth").Apply(ctx)
	if err != nil {
		t.Fatalf("applying gopod's versions: %v", err)
	}
	if res.From != migrations.Serverpod24Version || res.To != migrations.Latest() {
		t.Errorf("migrated from %s to %s, want %s to %s", res.From, res.To, migrations.Serverpod24Version, migrations.Latest())
	}
	var users, keys int
	if err := d.QueryRow(ctx, `SELECT (SELECT count(*) FROM serverpod_user_info), (SELECT count(*) FROM serverpod_auth_key)`).Scan(&users, &keys); err != nil {
		t.Fatal(err)
	}
	if users != 1 || keys != 1 {
		t.Errorf("%d users and %d keys after the migration, want 1 and 1", users, keys)
	}
	// The side tables work, and follow the rows they describe.
	if _, err := d.Exec(ctx, `INSERT INTO gopod_auth_key_state ("authKeyId", created) VALUES (1, now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `DELETE FROM serverpod_auth_key WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	var states int
	if err := d.QueryRow(ctx, `SELECT count(*) FROM gopod_auth_key_state`).Scan(&states); err != nil || states != 0 {
		t.Errorf("key state rows after deleting the key: %d, %v; want 0", states, err)
	}
}
