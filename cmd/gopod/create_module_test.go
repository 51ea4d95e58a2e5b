package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCreateModule: gopod create --template module makes a module that
// generates and has its first migration, and says how a server uses it.
func TestCreateModule(t *testing.T) {
	root := t.TempDir()
	code, out := runCLI(t, root, "create", "greeter", "--template", "module")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"generated greeter/generated/dispatch/dispatch.go", "generated greeter/greeter_client/pubspec.yaml", "created greeter/migrations/", "path: ../greeter"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	gen, err := os.ReadFile(filepath.Join(root, "greeter", "config", "generator.yaml"))
	if err != nil || !strings.Contains(string(gen), "type: module") {
		t.Errorf("generator.yaml: %v\n%s", err, gen)
	}
	if _, err := os.Stat(filepath.Join(root, "greeter", "cmd")); err == nil {
		t.Error("a module got a server command")
	}
	if code, out := runCLI(t, root, "create", "other", "--template", "plugin"); code == 0 || !strings.Contains(out, `unknown template "plugin"`) {
		t.Errorf("unknown template: exit %d\n%s", code, out)
	}
}
