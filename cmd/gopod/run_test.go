package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/project"
)

// TestWithDevelopmentMigrations: gopod run asks the server to apply
// migrations only to the development database gopod runs itself.
func TestWithDevelopmentMigrations(t *testing.T) {
	const embedded = "database:\n  name: shop\n"
	const own = "database:\n  host: db.example.com\n  name: shop\n  user: shop\n"
	cases := []struct {
		name       string
		config     string // config/<mode>.yaml
		mode       string
		migrations bool
		args       []string
		want       []string
		say        string
	}{
		{name: "embedded", config: embedded, mode: "development", migrations: true,
			args: []string{"--logging", "verbose"}, want: []string{"--apply-migrations", "--logging", "verbose"}, say: "applying pending migrations"},
		{name: "embedded in test mode", config: embedded, mode: "test", migrations: true,
			args: []string{"--mode", "test"}, want: []string{"--apply-migrations", "--mode", "test"}, say: "The test database is gopod's own"},
		{name: "already asked", config: embedded, mode: "development", migrations: true,
			args: []string{"-a"}, want: []string{"-a"}},
		{name: "a database of your own", config: own, mode: "development", migrations: true,
			args: nil, want: nil},
		{name: "production", config: embedded, mode: "production", migrations: true,
			args: []string{"--mode", "production"}, want: []string{"--mode", "production"}},
		{name: "no migrations", config: embedded, mode: "development",
			args: nil, want: nil, say: "gopod create-migration"},
		{name: "bad flag", config: embedded, mode: "development", migrations: true,
			args: []string{"--role", "cook"}, want: []string{"--role", "cook"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "config", c.mode+".yaml"), c.config)
			if c.migrations {
				if err := os.MkdirAll(filepath.Join(dir, "migrations", "20240101000000000"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			var out bytes.Buffer
			got := withDevelopmentMigrations(c.args, &out)
			if !slices.Equal(got, c.want) {
				t.Errorf("server flags %q, want %q", got, c.want)
			}
			if c.say == "" && out.Len() > 0 || !strings.Contains(out.String(), c.say) {
				t.Errorf("printed %q, want %q", out.String(), c.say)
			}
		})
	}
}

// TestServerBuildFlags: gopod run builds the generated packages for a
// quick build, and the server without the schema comparison (which it
// then makes itself), in the development and test modes only.
func TestServerBuildFlags(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/shop\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "generator.yaml"), []byte("type: server\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	quick := "-gcflags=example.com/shop/generated/protocol=" + project.DevelopmentGCFlags
	noAtlas := "-tags=" + project.NoAtlasTag
	for _, tc := range []struct {
		args    []string
		goflags string
		quick   bool
		tags    string // the -tags flag, "" for none
	}{
		{nil, "", true, noAtlas},
		{[]string{"--mode", "test"}, "", true, noAtlas},
		{[]string{"-m", "staging"}, "", false, ""},
		{[]string{"--mode", "production", "--apply-migrations"}, "", false, ""},
		{[]string{"--role", "cook"}, "", true, noAtlas}, // refused by the server, which says why
		// The command line's -tags would replace $GOFLAGS's, whose last
		// one counts.
		{nil, "-mod=mod -tags=netgo,osusergo", true, "-tags=netgo,osusergo," + project.NoAtlasTag},
		{nil, "-tags=netgo --tags=sqlite", true, "-tags=sqlite," + project.NoAtlasTag},
		{[]string{"--mode", "production"}, "-tags=netgo", false, ""}, // go build reads $GOFLAGS itself
	} {
		flags, err := serverBuildFlags(dir, developmentBuild(tc.args), tc.goflags)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(flags, quick); got != tc.quick {
			t.Errorf("%q: quick build %v, want %v (flags %q)", tc.args, got, tc.quick, flags)
		}
		var tags string
		for _, f := range flags {
			if strings.HasPrefix(f, "-tags=") {
				tags = f
			}
		}
		if tags != tc.tags {
			t.Errorf("%q, GOFLAGS %q: tags %q, want %q (flags %q)", tc.args, tc.goflags, tags, tc.tags, flags)
		}
	}
}
