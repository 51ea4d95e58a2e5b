package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	wd, _ := os.Getwd()
	if dir != "" {
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	code := run(context.Background(), args, &out, &out)
	return code, out.String()
}

func goBuild(t *testing.T, dir, out, pkg string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

// reachable lets PostgreSQL's unprivileged user through the test's
// temporary directories: tests run as root in CI, where the embedded
// database runs as the postgres user.
func reachable(t *testing.T, dir string) {
	t.Helper()
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		if info, err := os.Stat(d); err == nil && info.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(d, info.Mode().Perm()|0o011); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the writes of a running command.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestGenerateIsDeterministicAndChecksStaleness: generating twice writes
// the same bytes, and --check fails once a model changes.
func TestGenerateIsDeterministicAndChecksStaleness(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a project")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "hello")
	if code, out := runCLI(t, root, "create", "hello", "--no-auth"); code != 0 {
		t.Fatalf("gopod create: exit %d\n%s", code, out)
	}
	snapshot := func() map[string]string {
		files := map[string]string{}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				files[p] = string(b)
			}
			return nil
		})
		return files
	}
	before := snapshot()
	if code, out := runCLI(t, dir, "generate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("second generate: exit %d: %s", code, out)
	}
	after := snapshot()
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed on regenerating", p)
		}
	}
	model := filepath.Join(dir, "models", "example.spy.yaml")
	src, _ := os.ReadFile(model)
	if err := os.WriteFile(model, append(src, "  extra: String?\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := runCLI(t, dir, "generate", "--check")
	if code != 1 || !strings.Contains(out, "generated/protocol/example.go") {
		t.Fatalf("--check on a changed model: exit %d, output:\n%s", code, out)
	}
	if got := snapshot(); got[filepath.Join(dir, "generated", "protocol", "example.go")] != before[filepath.Join(dir, "generated", "protocol", "example.go")] {
		t.Error("--check wrote files")
	}
	if code, out := runCLI(t, dir, "generate"); code != 0 {
		t.Fatalf("generate: %s", out)
	}
	if code, out := runCLI(t, dir, "generate", "--check"); code != 0 {
		t.Fatalf("--check after generating: exit %d: %s", code, out)
	}
}

// TestGenerateReportsErrorsWithPositions: a broken model or endpoint stops
// generation with the file and line, and nothing is written.
func TestGenerateReportsErrorsWithPositions(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a project")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "hello")
	if code, out := runCLI(t, root, "create", "hello", "--no-auth"); code != 0 {
		t.Fatalf("gopod create: exit %d\n%s", code, out)
	}
	model := filepath.Join(dir, "models", "example.spy.yaml")
	good, _ := os.ReadFile(model)
	if err := os.WriteFile(model, []byte("class: Example\nfields:\n  name: Strin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := runCLI(t, dir, "generate")
	if code == 0 || !strings.Contains(out, "models/example.spy.yaml:3") {
		t.Fatalf("bad model: exit %d, output:\n%s", code, out)
	}
	os.WriteFile(model, good, 0o644)

	ep := filepath.Join(dir, "endpoints", "example.go")
	src, _ := os.ReadFile(ep)
	bad := strings.Replace(string(src), "name string) (string, error)", "name int) (string, error)", 1)
	bad = strings.Replace(bad, `return "Hello " + name, nil`, `return "Hello", nil`, 1)
	os.WriteFile(ep, []byte(bad), 0o644)
	code, out = runCLI(t, dir, "generate")
	if code == 0 || !strings.Contains(out, "endpoints/example.go:") || !strings.Contains(out, "int64") {
		t.Fatalf("bad endpoint: exit %d, output:\n%s", code, out)
	}
}

// TestWatchRegeneratesOnChange: generate --watch picks up an edited model
// and rewrites the generated code, then stops on interrupt.
func TestWatchRegeneratesOnChange(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a project")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "hello")
	mustRun(t, root, "create", "hello", "--no-auth")
	waitFor := watchProject(t, dir)
	model := filepath.Join(dir, "models", "example.spy.yaml")
	src, _ := os.ReadFile(model)
	writeFile(t, model, string(src)+"  note: String?\n")
	generated := filepath.Join(dir, "generated", "protocol", "example.go")
	waitFor("the regenerated model", func() bool {
		b, _ := os.ReadFile(generated)
		return strings.Contains(string(b), "Note *string")
	})
}

// watchProject runs generate --watch on dir until the test ends, waits for
// its first run, and returns a function that waits up to a minute for ok,
// failing the test with the watcher's output when it does not come.
func watchProject(t *testing.T, dir string) func(what string, ok func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"generate", "--watch", "--dir", dir}, &logs, &logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("generate --watch did not stop")
		}
	})
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; output:\n%s", what, logs.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("the first run", func() bool { return strings.Contains(logs.String(), "up to date") })
	return waitFor
}

// TestWatchRegeneratesOnModuleChange: generate --watch follows a module
// the project starts using by path while it watches, and regenerates the
// project when a model of that module is saved.
func TestWatchRegeneratesOnModuleChange(t *testing.T) {
	if testing.Short() {
		t.Skip("creates and generates two projects")
	}
	root := t.TempDir()
	mustRun(t, root, "create", "greeter", "--template", "module")
	mustRun(t, root, "create", "shop", "--no-auth")
	dir := filepath.Join(root, "shop")
	waitFor := watchProject(t, dir)

	// The project starts using the module while watched, as its README
	// says: go.mod requires it, generator.yaml lists it by path, and a
	// model refers to its class.
	goMod := exec.Command("go", "mod", "edit", "-require=greeter@v0.0.0-00010101000000-000000000000", "-replace=greeter=../greeter")
	goMod.Dir = dir
	if out, err := goMod.CombinedOutput(); err != nil {
		t.Fatalf("go mod edit: %v\n%s", err, out)
	}
	config := filepath.Join(dir, "config", "generator.yaml")
	src, _ := os.ReadFile(config)
	writeFile(t, config, string(src)+"\nmodules:\n  greeter:\n    nickname: greet\n    path: ../greeter\n")
	writeFile(t, filepath.Join(dir, "models", "visit.spy.yaml"), "class: Visit\ntable: visit\nfields:\n  greeting: module:greet:Greeting?, relation\n  note: String\n")
	visit := filepath.Join(dir, "generated", "protocol", "visit.go")
	// The project's code for the relation names the module's table.
	joins := func(table string) func() bool {
		return func() bool {
			b, _ := os.ReadFile(visit)
			return strings.Contains(string(b), " "+table+",")
		}
	}
	waitFor("the model using the module", joins("greeter_greeting"))

	model := filepath.Join(root, "greeter", "models", "greeting.spy.yaml")
	src, _ = os.ReadFile(model)
	renamed := strings.Replace(string(src), "table: greeter_greeting\n", "table: greeter_greetings\n", 1)
	if renamed == string(src) {
		t.Fatalf("the module's model has no table greeter_greeting:\n%s", src)
	}
	writeFile(t, model, renamed)
	waitFor("the project regenerated after the module's model changed", joins("greeter_greetings"))
}
