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
	"time"

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
	if c.Port == 0 || c.User != "postgres" || c.Database != "shop" || len(c.Password) < 32 || c.Relocated || c.DataDir != dataDir {
		t.Errorf("connection settings = port %d user %s password %q db %s, data %s (relocated %v)", c.Port, c.User, c.Password, c.Database, c.DataDir, c.Relocated)
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
	if _, err := Start(ctx, opts); !errors.Is(err, ErrRunning) {
		t.Errorf("second Start while running: err = %v, want ErrRunning", err)
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

// TestRootRelocatesUnreachableProject: run as root in a project folder the
// postgres user cannot reach, the cluster goes to the first fallback
// directory it can reach, and stays there across restarts. It used to fail
// with advice to chmod.
func TestRootRelocatesUnreachableProject(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root has to hand the cluster to another user")
	}
	fallback := reachableTempDir(t)
	private, closed := t.TempDir(), t.TempDir()
	for _, d := range []string{private, closed} {
		if err := os.Chmod(d, 0o700); err != nil { // as root's home is
			t.Fatal(err)
		}
	}
	unreachable := filepath.Join(closed, "cache")
	dataDir := filepath.Join(private, "myapp", ".gopod", "postgres")
	opts := Options{DataDir: dataDir, Database: "shop", FallbackDirs: []string{unreachable, fallback}}
	c := startOrSkip(t, opts)
	if !c.Relocated || filepath.Dir(filepath.Dir(c.DataDir)) != fallback || !strings.HasPrefix(filepath.Base(filepath.Dir(c.DataDir)), "myapp-") {
		t.Fatalf("DataDir = %s (relocated %v), want myapp-<key>/postgres under %s", c.DataDir, c.Relocated, fallback)
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the unreachable data directory was made: %v", err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	conn.Exec(ctx, "CREATE TABLE kept (x int)")
	conn.Close(ctx)
	c.Stop(ctx)

	c2 := startOrSkip(t, opts)
	if c2.DataDir != c.DataDir {
		t.Errorf("restart: DataDir = %s, want %s", c2.DataDir, c.DataDir)
	}
	conn, err = pgx.Connect(ctx, c2.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT * FROM kept"); err != nil {
		t.Errorf("restart lost the data: %v", err)
	}

	if _, err := Start(ctx, Options{DataDir: filepath.Join(private, "other", ".gopod", "postgres"), FallbackDirs: []string{unreachable}}); err == nil ||
		!strings.Contains(err.Error(), "chmod o+x") {
		t.Errorf("no reachable fallback: err = %v, want advice to make the directory searchable", err)
	}
}

// TestSocketOnlyWithPassword replays finding 11: the development database
// trusted every local connection as superuser. Now nothing listens on TCP,
// and the socket asks for the generated password, which only the data
// directory's owner can read.
func TestSocketOnlyWithPassword(t *testing.T) {
	ctx := context.Background()
	c := startOrSkip(t, Options{DataDir: filepath.Join(reachableTempDir(t), "pg")})
	if conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port))); err == nil {
		conn.Close()
		t.Errorf("something listens on 127.0.0.1:%d", c.Port)
	}
	fi, err := os.Stat(filepath.Join(c.DataDir, PasswordFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file: %v, %v; want mode 0600", fi, err)
	}
	if b, _ := os.ReadFile(filepath.Join(c.DataDir, PasswordFile)); string(b) != c.Password {
		t.Errorf("password file holds %q, want %q", b, c.Password)
	}
	for name, pw := range map[string]string{"no password": "", "wrong password": "x" + c.Password} {
		if conn, err := pgx.Connect(ctx, withPassword(c, pw)); err == nil {
			conn.Close(ctx)
			t.Errorf("%s: connected", name)
		}
	}
	conn, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		t.Fatalf("with the password: %v", err)
	}
	conn.Close(ctx)
}

// TestLegacyClusterGetsPassword: a cluster made before gopod set
// passwords (trust on every connection) is given one on its next start.
func TestLegacyClusterGetsPassword(t *testing.T) {
	ctx := context.Background()
	dataDir := filepath.Join(reachableTempDir(t), "pg")
	c := startOrSkip(t, Options{DataDir: dataDir})
	conn, err := pgx.Connect(ctx, c.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	conn.Exec(ctx, "CREATE TABLE kept (x int)")
	conn.Close(ctx)
	c.Stop(ctx)
	// What initdb --auth trust left, before this version.
	os.Remove(filepath.Join(dataDir, PasswordFile))
	if err := os.WriteFile(filepath.Join(dataDir, hbaName), []byte("local all all trust\nhost all all 127.0.0.1/32 trust\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	c2 := startOrSkip(t, Options{DataDir: dataDir})
	if c2.Password == "" || c2.Password == c.Password {
		t.Fatalf("password %q after the upgrade", c2.Password)
	}
	hba, _ := os.ReadFile(filepath.Join(dataDir, hbaName))
	if string(hba) != hbaConf {
		t.Errorf("pg_hba.conf = %q", hba)
	}
	// The reload is asynchronous: wait for the password to be required.
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, withPassword(c2, ""))
		if err != nil {
			break
		}
		conn.Close(ctx)
		if time.Now().After(deadline) {
			t.Fatal("no password still accepted 10 s after the upgrade")
		}
		time.Sleep(50 * time.Millisecond)
	}
	conn, err = pgx.Connect(ctx, c2.ConnString())
	if err != nil {
		t.Fatalf("with the new password: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT * FROM kept"); err != nil {
		t.Errorf("the upgrade lost the data: %v", err)
	}
}

// TestLongPathSocket: a data directory too deep for a socket path gets
// its socket in a private directory of its own, still no TCP.
func TestLongPathSocket(t *testing.T) {
	deep := filepath.Join(reachableTempDir(t), strings.Repeat("d", 60), strings.Repeat("e", 60))
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	c := startOrSkip(t, Options{DataDir: filepath.Join(deep, "pg")})
	if c.SocketDir == c.DataDir || len(c.SocketDir) > 60 {
		t.Errorf("SocketDir = %s", c.SocketDir)
	}
	conn, err := pgx.Connect(context.Background(), c.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.SocketDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket directory left after Stop: %v", err)
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

// withPassword is c's connection string with another password.
func withPassword(c *Cluster, pw string) string {
	return (&Cluster{User: c.User, Password: pw, SocketDir: c.SocketDir, Port: c.Port}).connString("postgres")
}
