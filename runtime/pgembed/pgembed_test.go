package pgembed

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// reachableTempDir returns a temporary directory that the cluster's user can
// reach even when the test runs as root: t.TempDir's parent is private to
// its creator.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

func startOrSkip(t *testing.T, opts Options) *Cluster {
	t.Helper()
	c, err := Start(context.Background(), opts)
	if errors.Is(err, ErrNoBinaries) {
		t.Skipf("PostgreSQL is not installed: %v", err)
	}
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c
}

func TestStartStopRestart(t *testing.T) {
	ctx := context.Background()
	dataDir := filepath.Join(reachableTempDir(t), "project", ".gopod", "postgres")
	opts := Options{DataDir: dataDir, Database: "shop"}

	c := startOrSkip(t, opts)
	if c.Host != "127.0.0.1" || c.Port == 0 || c.User != "postgres" || c.Database != "shop" {
		t.Errorf("connection settings = %s:%d user %s db %s", c.Host, c.Port, c.User, c.Database)
	}
	if c.SocketDir != dataDir {
		t.Errorf("SocketDir = %q, want the data directory %q", c.SocketDir, dataDir)
	}
	if _, err := os.Stat(filepath.Join(c.SocketDir, ".s.PGSQL."+strconv.Itoa(c.Port))); err != nil {
		t.Errorf("no socket in the data directory: %v", err)
	}
	if os.Geteuid() == 0 {
		if ownerUID(t, dataDir) == 0 {
			t.Errorf("running as root, but the data directory belongs to root")
		}
	}

	conn, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	var encoding string
	if err := conn.QueryRow(ctx, "SHOW server_encoding").Scan(&encoding); err != nil || encoding != "UTF8" {
		t.Errorf("server_encoding = %q, %v; want UTF8", encoding, err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL); INSERT INTO item (name) VALUES ('kept')"); err != nil {
		t.Fatalf("create table: %v", err)
	}
	conn.Close(ctx)

	// A second server on the same data directory must be refused while the
	// first one runs.
	if _, err := Start(ctx, opts); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second Start while running: err = %v, want 'already running'", err)
	}

	if err := c.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case <-c.Done():
	default:
		t.Error("Done not closed after Stop")
	}
	if _, err := os.Stat(filepath.Join(dataDir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid still there after Stop: %v", err)
	}

	// A crashed server leaves postmaster.pid behind, naming a dead process.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := strconv.Itoa(dead.Process.Pid) + "\n" + dataDir + "\n1700000000\n5999\n"
	if err := os.WriteFile(filepath.Join(dataDir, "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}

	c2 := startOrSkip(t, opts)
	conn, err = pgx.Connect(ctx, c2.ConnString())
	if err != nil {
		t.Fatalf("connect after restart: %v", err)
	}
	defer conn.Close(ctx)
	var name string
	if err := conn.QueryRow(ctx, "SELECT name FROM item").Scan(&name); err != nil || name != "kept" {
		t.Errorf("after restart: name = %q, %v; want the row written before Stop", name, err)
	}
	if err := c2.Stop(ctx); err != nil {
		t.Errorf("Stop after restart: %v", err)
	}
}

func TestStartErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) Options
		want  []string
		is    error
	}{
		{
			name: "no binaries",
			setup: func(t *testing.T, dir string) Options {
				bin := filepath.Join(dir, "bin")
				os.Mkdir(bin, 0o755)
				return Options{DataDir: filepath.Join(dir, "data"), BinDir: bin}
			},
			want: []string{"no PostgreSQL server binaries found", "apt-get install postgresql"},
			is:   ErrNoBinaries,
		},
		{
			name: "directory that is not a cluster",
			setup: func(t *testing.T, dir string) Options {
				data := filepath.Join(dir, "data")
				os.Mkdir(data, 0o755)
				os.WriteFile(filepath.Join(data, "notes.txt"), []byte("mine"), 0o644)
				return Options{DataDir: data}
			},
			want: []string{"not a PostgreSQL data directory", "no PG_VERSION"},
		},
		{
			name: "cluster of a version that is not installed",
			setup: func(t *testing.T, dir string) Options {
				data := filepath.Join(dir, "data")
				os.Mkdir(data, 0o700)
				os.WriteFile(filepath.Join(data, "PG_VERSION"), []byte("9.4\n"), 0o600)
				return Options{DataDir: data}
			},
			want: []string{"created by PostgreSQL 9.4", "install PostgreSQL 9.4"},
			is:   ErrNoBinaries,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Start(context.Background(), tt.setup(t, reachableTempDir(t)))
			if err == nil {
				t.Fatal("Start succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestRootNeedsReachableDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root has to hand the cluster to another user")
	}
	private := t.TempDir() // its parent is 0700 and owned by root
	_, err := Start(context.Background(), Options{DataDir: filepath.Join(private, "pg")})
	if errors.Is(err, ErrNoBinaries) {
		t.Skip(err)
	}
	if err == nil || !strings.Contains(err.Error(), "chmod o+x") {
		t.Errorf("err = %v, want advice to make the directory searchable", err)
	}
}

func TestVersionOrder(t *testing.T) {
	dirs := []string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/13/bin", "/usr/lib/postgresql/9.10/bin"}
	sort.Slice(dirs, func(i, j int) bool { return versionLess(dirs[i], dirs[j]) })
	want := []string{"/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/9.10/bin", "/usr/lib/postgresql/13/bin", "/usr/lib/postgresql/16/bin"}
	if !slices.Equal(dirs, want) {
		t.Errorf("sorted = %v, want %v", dirs, want)
	}
}

func TestPinnedPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = Start(context.Background(), Options{DataDir: filepath.Join(reachableTempDir(t), "pg"), Port: port})
	if errors.Is(err, ErrNoBinaries) {
		t.Skip(err)
	}
	if err == nil || !strings.Contains(err.Error(), "could not listen on 127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("Start on a taken port: err = %v", err)
	}
}
