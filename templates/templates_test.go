package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var gopodGoMod = []byte("module github.com/gopod/gopod\n\ngo 1.26.8\n\nrequire github.com/jackc/pgx/v5 v5.12.0\n")

func TestCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	files, err := Create(CreateOptions{Dir: dir, Name: "shop", Module: "example.com/shop", GopodDir: "/opt/gopod", GopodGoMod: gopodGoMod, GopodGoSum: []byte("sum\n"), Auth: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "cmd/server/main.go", "config/generator.yaml", "config/passwords.yaml", "endpoints/example.go", "go.mod", "go.sum", "models/example.spy.yaml"}
	for _, w := range want {
		if !strings.Contains(strings.Join(files, " "), w) {
			t.Errorf("%s not written (%v)", w, files)
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	for _, w := range []string{"module example.com/shop", "replace github.com/gopod/gopod => /opt/gopod", "github.com/jackc/pgx/v5 v5.12.0 // indirect"} {
		if !strings.Contains(string(gomod), w) {
			t.Errorf("go.mod lacks %q:\n%s", w, gomod)
		}
	}
	main, _ := os.ReadFile(filepath.Join(dir, "cmd", "server", "main.go"))
	if !strings.Contains(string(main), "example.com/shop/generated/dispatch") || !strings.Contains(string(main), "auth.New(") ||
		!strings.Contains(string(main), "ConcealAccounts: true") {
		t.Errorf("main.go:\n%s", main)
	}
	info, err := os.Stat(filepath.Join(dir, "config", "passwords.yaml"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("passwords.yaml mode %v", info.Mode().Perm())
	}
	pw, _ := os.ReadFile(filepath.Join(dir, "config", "passwords.yaml"))
	if strings.Contains(string(pw), "{{") || strings.Count(string(pw), "authKeySalt") != 4 {
		t.Errorf("passwords.yaml:\n%s", pw)
	}
	// Secrets differ from one another.
	lines := strings.Split(string(pw), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), ": '"); ok && (k == "authKeySalt" || k == "serviceSecret") {
			if seen[v] {
				t.Errorf("secret %s repeated", v)
			}
			seen[v] = true
		}
	}
}

func TestCreateWithoutAuth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if _, err := Create(CreateOptions{Dir: dir, Name: "shop", GopodDir: "/opt/gopod", GopodGoMod: gopodGoMod}); err != nil {
		t.Fatal(err)
	}
	gen, _ := os.ReadFile(filepath.Join(dir, "config", "generator.yaml"))
	main, _ := os.ReadFile(filepath.Join(dir, "cmd", "server", "main.go"))
	if strings.Contains(string(gen), "serverpod_auth") || strings.Contains(string(main), "auth") {
		t.Errorf("auth wired in without being asked:\n%s\n%s", gen, main)
	}
}

func TestCreateRefuses(t *testing.T) {
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine"), 0o644)
	for _, tc := range []struct {
		name, dir, want string
	}{
		{"Shop", filepath.Join(t.TempDir(), "x"), "must start with a lower-case letter"},
		{"my-shop", filepath.Join(t.TempDir(), "x"), "must start with a lower-case letter"},
		{"shop", full, "already exists and is not empty"},
	} {
		_, err := Create(CreateOptions{Dir: tc.dir, Name: tc.name, GopodDir: "/opt/gopod", GopodGoMod: gopodGoMod})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s in %s: %v, want %q", tc.name, tc.dir, err, tc.want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(full, "keep.txt")); string(b) != "mine" {
		t.Error("an existing file was touched")
	}
}

func TestCreateModule(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "greeter")
	files, err := Create(CreateOptions{Dir: dir, Name: "greeter", Module: "example.com/greeter", GopodDir: "/opt/gopod", GopodGoMod: gopodGoMod, GopodGoSum: []byte("sum\n"), Template: TemplateModule})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "README.md", "config/generator.yaml", "endpoints/greeting.go", "go.mod", "go.sum", "models/greeting.spy.yaml"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("wrote %v, want %v", files, want)
	}
	gen, _ := os.ReadFile(filepath.Join(dir, "config", "generator.yaml"))
	for _, w := range []string{"type: module", "name: greeter", "nickname: greeter", "client_package_path: greeter_client"} {
		if !strings.Contains(string(gen), w) {
			t.Errorf("generator.yaml lacks %q:\n%s", w, gen)
		}
	}
	ep, _ := os.ReadFile(filepath.Join(dir, "endpoints", "greeting.go"))
	if !strings.Contains(string(ep), `"example.com/greeter/generated/protocol"`) {
		t.Errorf("endpoint:\n%s", ep)
	}
	if _, err := Create(CreateOptions{Dir: filepath.Join(t.TempDir(), "x"), Name: "x", GopodDir: "/opt/gopod", GopodGoMod: gopodGoMod, Template: "plugin"}); err == nil || !strings.Contains(err.Error(), `unknown template "plugin"`) {
		t.Errorf("unknown template: %v", err)
	}
}
