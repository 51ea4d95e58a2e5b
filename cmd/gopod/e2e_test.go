package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func goBuild(t *testing.T, dir, out, pkg string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}

// startServer runs the project's server binary on a free port and waits
// for its health check; the server is stopped with SIGINT at the end.
func startServer(t *testing.T, dir, bin string, env ...string) string {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), fmt.Sprintf("SERVERPOD_API_SERVER_PORT=%d", port)), env...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Errorf("server did not stop on SIGINT; logs:\n%s", logs.String())
		}
	})
	host := fmt.Sprintf("http://127.0.0.1:%d/", port)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			t.Fatalf("server exited early:\n%s", logs.String())
		default:
		}
		if resp, err := http.Get(host); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return host
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server did not answer its health check:\n%s", logs.String())
	return ""
}

const helloClient = `package main

import (
	"context"
	"fmt"
	"os"

	"hello/client"
)

func main() {
	c := client.New(os.Args[1])
	greeting, err := c.Example.Hello(context.Background(), "World")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(greeting)
}
`

// TestCreateGenerateBuildCall is the whole user journey: create a project,
// generate, build, serve, and call it through the generated Go client.
func TestCreateGenerateBuildCall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "hello")
	if code, out := runCLI(t, root, "create", "hello", "--no-auth"); code != 0 {
		t.Fatalf("gopod create: exit %d\n%s", code, out)
	}
	if code, out := runCLI(t, dir, "generate", "--check"); code != 0 {
		t.Fatalf("a fresh project is stale: %s", out)
	}
	if err := os.MkdirAll(filepath.Join(dir, "cmd", "hello"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cmd", "hello", "main.go"), []byte(helloClient), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "bin")
	goBuild(t, dir, filepath.Join(bin, "server"), "./cmd/server")
	goBuild(t, dir, filepath.Join(bin, "hello"), "./cmd/hello")
	host := startServer(t, dir, filepath.Join(bin, "server"))

	out, err := exec.Command(filepath.Join(bin, "hello"), host).CombinedOutput()
	if err != nil {
		t.Fatalf("client: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "Hello World" {
		t.Fatalf("example.hello(World) = %q, want Hello World", got)
	}
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
