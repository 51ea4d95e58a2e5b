package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// secureEndpoint is an endpoint the streaming test adds to its project: a
// signed-in stream, which the server closes when its key is revoked.
const secureEndpoint = `package endpoints

import (
	"iter"

	"github.com/gopod/gopod/runtime/pod"
)

// SecureEndpoint answers signed-in callers only.
type SecureEndpoint struct{ pod.Endpoint }

// RequireLogin makes callers sign in.
func (e *SecureEndpoint) RequireLogin() bool { return true }

// Watch streams the caller's user id, then holds the stream open.
func (e *SecureEndpoint) Watch(s *pod.Session) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		id, _ := s.UserID()
		if yield(id, nil) {
			<-s.Done()
		}
	}
}
`

// TestStreaming creates a project, adds a signed-in streaming endpoint,
// generates, builds and runs the server, and streams through the
// generated Go client: the scaffold's countTo and echo, its legacy
// message echo on /websocket, and a signed-in stream that closes with an
// error when its key is signed out.
func TestStreaming(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project and uses PostgreSQL")
	}
	useTestDatabase(t)
	root := t.TempDir()
	dir := filepath.Join(root, "chat")
	mustRun(t, root, "create", "chat")
	writeFile(t, filepath.Join(dir, "endpoints", "secure.go"), secureEndpoint)
	mustRun(t, dir, "generate")
	writeFile(t, filepath.Join(dir, "cmd", "chat", "main.go"), readFile(t, filepath.Join("testdata", "streamclient", "main.go")))
	server, cli := filepath.Join(root, "server"), filepath.Join(root, "chat-client")
	goBuild(t, dir, server, "./cmd/server")
	goBuild(t, dir, cli, "./cmd/chat")

	run := startGopodRun(t, server, dir, "--apply-migrations")
	port := run.waitFor(t, serving)[1]
	out, err := exec.Command(cli, "http://127.0.0.1:"+port+"/", run.log).CombinedOutput()
	if err != nil {
		t.Fatalf("the client: %v\n%s\nserver:\n%s", err, out, run.output())
	}
	for _, want := range []string{
		"example.countTo: 1 2 3 4 5",
		"example.echo: a b c",
		"legacy echo: Example legacy 7",
		"signed in true",
		"secure.watch: closed after sign-out",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the client's output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("client:\n%s", out)
	run.stop(t)
	if regexp.MustCompile(`level=(WARN|ERROR)`).MatchString(run.output()) {
		t.Errorf("the server logged a warning or an error:\n%s", run.output())
	}
}
