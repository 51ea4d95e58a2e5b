package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
