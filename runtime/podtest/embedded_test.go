package podtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/pgembed"
)

// TestEmbeddedTakenGetsOwnCluster: when another test run holds the
// package's embedded cluster, this run starts one of its own in a
// temporary folder and removes it on Close, even run as root, where a
// folder the postgres account cannot reach would make pgembed move the
// cluster somewhere nothing removes it.
func TestEmbeddedTakenGetsOwnCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two PostgreSQL clusters")
	}
	// Not t.TempDir: its parent is 0700, so run as root the postgres
	// account could not reach the held cluster, and pgembed would move
	// that one to its fallback folder, outside what the test removes.
	root, err := os.MkdirTemp("", "podtest-taken-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"generator.yaml": "type: server\n",
		"test.yaml":      "apiServer:\n  port: 9080\n  publicHost: localhost\n  publicPort: 9080\n  publicScheme: http\n",
	} {
		if err := os.MkdirAll(filepath.Join(root, "config"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "config", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	held, err := pgembed.Start(ctx, pgembed.Options{DataDir: filepath.Join(root, filepath.FromSlash(EmbeddedDataDir), "root"), Database: "gopod_test"})
	if err != nil {
		t.Fatalf("holding the package's cluster: %v", err)
	}
	t.Cleanup(func() { _ = held.Stop(context.Background()) })
	if !strings.HasPrefix(held.DataDir, root+string(filepath.Separator)) {
		t.Fatalf("the held cluster went to %s, outside the test's folder", held.DataDir)
	}

	e := NewEnv(Options{Dir: root})
	if err := e.setup(ctx); err != nil {
		t.Fatalf("setup: %v", err)
	}
	dataDir := e.cluster.DataDir
	if e.tempDir == "" || !strings.HasPrefix(dataDir, e.tempDir+string(filepath.Separator)) {
		_ = e.Close()
		t.Fatalf("second cluster in %s, want one under the run's own temporary folder %q", dataDir, e.tempDir)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(e.tempDir); !os.IsNotExist(err) {
		t.Errorf("the temporary cluster's folder is still there after Close (stat: %v)", err)
	}
}
