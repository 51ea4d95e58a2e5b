// Package pgembed runs a project-local PostgreSQL cluster for development,
// from the PostgreSQL binaries installed on the machine.
//
// Start creates the cluster on first use (initdb, UTF8, a generated
// superuser password), starts it listening on a Unix socket only (no TCP
// port: a program on the machine, or a page in a browser, cannot reach it
// over the network), with password authentication, waits until it accepts
// connections and creates the project's database. Stop shuts it down. The
// cluster's data survives between runs. The password is kept in the data
// directory (PasswordFile, mode 0600).
//
// PostgreSQL refuses to run as root. When gopod runs as root (CI, many
// containers) the cluster's files are owned by, and its processes run as, an
// unprivileged user: the owner of an existing data directory, or else the
// postgres system user. When that user cannot reach the data directory
// (a project under root's home, say), the cluster is kept in a
// per-project directory it can reach (see Options.FallbackDirs) and
// Cluster.DataDir says where.
package pgembed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Defaults for Options fields left empty.
const (
	DefaultUser         = "postgres"
	DefaultSystemUser   = "postgres"
	DefaultStartTimeout = time.Minute
)

// Files gopod keeps in the data directory: the server log, the superuser's
// password, and the client authentication rules (rewritten on every start).
const (
	logName      = "gopod-postgres.log"
	PasswordFile = "gopod-password"
	hbaName      = "pg_hba.conf"
)

// hbaConf lets clients in over the Unix socket with the password, and no
// one any other way (the server has no TCP listener either).
const hbaConf = `# Written by gopod on every start of the embedded development database:
# password connections over its Unix socket only.
local all all scram-sha-256
`

// Options configure Start.
type Options struct {
	// DataDir is the cluster's data directory, normally
	// <project>/.gopod/postgres. It is created when missing.
	DataDir string
	// Database is created when it does not exist. Empty creates none.
	Database string
	// User is the cluster's superuser; DefaultUser when empty.
	User string
	// Port to listen on; 0 picks a free one on every start.
	Port int
	// BinDir holds initdb and postgres. Empty searches pg_config --bindir,
	// /usr/lib/postgresql/*/bin (highest version first) and PATH.
	BinDir string
	// SystemUser is who runs the cluster when gopod runs as root and the
	// data directory does not already belong to an ordinary user;
	// DefaultSystemUser when empty.
	SystemUser string
	// StartTimeout bounds initdb plus startup when ctx has no earlier
	// deadline; DefaultStartTimeout when zero.
	StartTimeout time.Duration
	// FallbackDirs are where a cluster goes when gopod runs as root and the
	// unprivileged user cannot reach DataDir: the first directory it can
	// reach gets a subdirectory for the project. Nil means the user cache
	// directory, then /var/lib/gopod.
	FallbackDirs []string
}

// Cluster is a running PostgreSQL server. Its exported fields are the
// connection settings.
type Cluster struct {
	Port     int // names the socket (.s.PGSQL.<port>); nothing listens on it
	User     string
	Password string
	Database string

	// DataDir is where the cluster is: Options.DataDir, or a directory
	// under a fallback directory (Relocated).
	DataDir   string
	Relocated bool
	SocketDir string // where the Unix socket is: DataDir, or a short directory when that path is too long
	LogFile   string // the server's log
	BinDir    string
	Version   string // server version, such as 15.4

	cmd      *exec.Cmd
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// Start starts the cluster in opts.DataDir, creating it first when needed.
// The caller must call Stop; if the process dies without doing so, Linux
// stops the cluster too.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.DataDir == "" {
		return nil, errors.New("start embedded PostgreSQL: no data directory given")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("start embedded PostgreSQL: %w", err)
	}
	user := orDefault(opts.User, DefaultUser)
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	systemUser := orDefault(opts.SystemUser, DefaultSystemUser)
	acct, err := chooseAccount(dataDir, systemUser)
	if err != nil {
		return nil, err
	}
	relocated := false
	if acct != nil && !isCluster(dataDir) {
		if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
			return nil, fmt.Errorf("create the parent of the PostgreSQL data directory: %w", err)
		}
		if reachErr := checkReachable(dataDir, acct); reachErr != nil {
			fallback, err := fallbackDir(dataDir, opts.FallbackDirs, acct)
			if err != nil {
				return nil, errors.Join(reachErr, err)
			}
			dataDir, relocated = fallback, true
			if acct, err = chooseAccount(dataDir, systemUser); err != nil {
				return nil, err
			}
		}
	}
	major, err := dataDirVersion(dataDir)
	if err != nil {
		return nil, err
	}
	bin, err := findBinaries(ctx, opts.BinDir, major, dataDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return nil, fmt.Errorf("create the parent of the PostgreSQL data directory: %w", err)
	}
	if err := checkReachable(dataDir, acct); err != nil {
		return nil, err
	}
	if major == "" {
		if err := initdb(ctx, bin, dataDir, user, acct); err != nil {
			return nil, err
		}
	} else if !ownedBy(dataDir, acct) {
		if err := chownTree(dataDir, acct); err != nil {
			return nil, fmt.Errorf("give the PostgreSQL data directory to user %s: %w", acct.name, err)
		}
	}
	if err := checkPidFile(dataDir); err != nil {
		return nil, err
	}
	// A cluster created before gopod used passwords has none yet: it
	// starts once more with the old rules, only to set one.
	password, err := readPassword(dataDir)
	if err != nil {
		return nil, err
	}
	needsPassword := password == ""
	if needsPassword {
		if password, err = newPassword(); err != nil {
			return nil, err
		}
	} else if err := writeHBA(dataDir, acct); err != nil {
		return nil, err
	}

	c := &Cluster{
		User:      user,
		Password:  password,
		Database:  opts.Database,
		DataDir:   dataDir,
		Relocated: relocated,
		LogFile:   filepath.Join(dataDir, logName),
		BinDir:    bin.dir,
		Version:   bin.version,
	}
	// The socket path must fit in sun_path (104 bytes on macOS, 108 on
	// Linux); a longer one goes to a short directory of its own.
	c.SocketDir = dataDir
	if len(filepath.Join(dataDir, ".s.PGSQL.65535")) >= 104 {
		if c.SocketDir, err = shortSocketDir(dataDir, acct); err != nil {
			return nil, err
		}
	}
	for attempt := 1; ; attempt++ {
		c.Port = opts.Port
		if c.Port == 0 {
			if c.Port, err = freePort(); err != nil {
				return nil, err
			}
		}
		err = c.launch(ctx, bin, acct)
		// Another program can take a free port between our check and
		// PostgreSQL's bind; try again with a new one.
		if errors.Is(err, errPortTaken) && opts.Port == 0 && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	if needsPassword {
		if err := c.setPassword(ctx, acct); err != nil {
			return nil, errors.Join(err, c.Stop(context.WithoutCancel(ctx)))
		}
	}
	if c.Database != "" {
		if err := c.createDatabase(ctx); err != nil {
			return nil, errors.Join(err, c.Stop(context.WithoutCancel(ctx)))
		}
	}
	return c, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// dataDirVersion returns the major version recorded in an initialized data
// directory, "" for a missing or empty one, and an error for a directory
// that holds something else.
func dataDirVersion(dataDir string) (string, error) {
	v, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if err == nil {
		return strings.TrimSpace(string(v)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read the PostgreSQL data directory: %w", err)
	}
	entries, err := os.ReadDir(dataDir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the PostgreSQL data directory: %w", err)
	}
	return "", fmt.Errorf("%s is not empty but is not a PostgreSQL data directory (it has no PG_VERSION): move it away or delete it, and gopod creates a new cluster there", dataDir)
}

// initdb creates the cluster in a temporary sibling directory and renames
// it into place, so an interrupted initdb never leaves a half-made cluster
// where the next start would find it.
func initdb(ctx context.Context, bin binaries, dataDir, user string, acct *account) error {
	tmp, err := os.MkdirTemp(filepath.Dir(dataDir), "."+filepath.Base(dataDir)+".init-")
	if err != nil {
		return fmt.Errorf("create the PostgreSQL data directory: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := chownTree(tmp, acct); err != nil {
		return fmt.Errorf("give the PostgreSQL data directory to user %s: %w", acct.name, err)
	}
	password, err := newPassword()
	if err != nil {
		return err
	}
	// initdb reads the password from a file next to the new cluster, which
	// only the cluster's user can read.
	pwfile := tmp + ".pw"
	if err := writePrivate(pwfile, password, acct); err != nil {
		return err
	}
	defer os.Remove(pwfile)
	cmd := exec.CommandContext(ctx, bin.path("initdb"),
		"--pgdata", tmp, "--username", user, "--pwfile", pwfile,
		"--auth-local", "scram-sha-256", "--auth-host", "reject", "--encoding", "UTF8", "--locale", "C")
	cmd.Env = childEnv()
	cmd.SysProcAttr = sysProcAttr(acct)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb failed: %w\n%s", err, tail(out, 20))
	}
	if err := writePrivate(filepath.Join(tmp, PasswordFile), password, acct); err != nil {
		return err
	}
	if err := writeHBA(tmp, acct); err != nil {
		return err
	}
	if err := os.Rename(tmp, dataDir); err != nil {
		// Another process may have created the cluster meanwhile.
		if v, verr := dataDirVersion(dataDir); verr == nil && v != "" {
			return nil
		}
		return fmt.Errorf("move the new PostgreSQL cluster into place: %w", err)
	}
	done = true
	return nil
}

// ErrRunning is wrapped by the error Start returns when a live server
// already uses the data directory.
var ErrRunning = errors.New("PostgreSQL is already running")

// checkPidFile refuses to start a second server on a data directory that a
// live one uses, and removes the lock file a crashed one left behind.
func checkPidFile(dataDir string) error {
	p := filepath.Join(dataDir, "postmaster.pid")
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	lines := strings.Split(string(data), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(lines[0]))
	if pid < 0 { // single-user mode writes the negative pid
		pid = -pid
	}
	if processAlive(pid) && isPostgres(pid) {
		port := "unknown"
		if len(lines) > 3 {
			port = strings.TrimSpace(lines[3])
		}
		return fmt.Errorf("%w on %s (pid %d, port %s), probably for another gopod server of this project: "+
			"stop that server, or stop PostgreSQL with kill -INT %d", ErrRunning, dataDir, pid, port, pid)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the stale %s left by a crashed server: %w", p, err)
	}
	return nil
}

// freePort picks a port number no one listens on. The cluster does not
// listen on it either; the number names its socket and its shared memory,
// which should not collide with another server's.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for PostgreSQL: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// childEnv is the environment without the PG* variables, which would
// otherwise redirect the tools, plus the C locale so that log messages are
// predictable.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_ALL=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

var errPortTaken = errors.New("port already in use")

// launch starts postgres and waits until it accepts connections.
func (c *Cluster) launch(ctx context.Context, bin binaries, acct *account) error {
	logf, err := os.OpenFile(c.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open the PostgreSQL log: %w", err)
	}
	defer logf.Close()
	if err := chownTree(c.LogFile, acct); err != nil {
		return fmt.Errorf("give the PostgreSQL log to user %s: %w", acct.name, err)
	}
	logStart, _ := logf.Seek(0, io.SeekEnd)

	c.cmd = exec.Command(bin.path("postgres"),
		"-D", c.DataDir,
		"-p", strconv.Itoa(c.Port),
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories="+c.SocketDir,
		"-c", "unix_socket_permissions=0700",
	)
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	c.cmd.Env = childEnv()
	c.cmd.SysProcAttr = sysProcAttr(acct)
	c.exited = make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// Linux sends the parent-death signal when the starting thread
		// ends, so that thread stays with this goroutine until postgres
		// has exited.
		if lockThread {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		if err := c.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.waitErr = c.cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}

	for {
		// Each attempt is short: until postgres has bound the port,
		// another program may be listening there and never answer.
		attemptCtx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgconn.Connect(attemptCtx, c.connString("postgres"))
		cancel()
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-c.exited:
			log := c.logSince(logStart)
			if strings.Contains(log, "could not bind") || strings.Contains(log, "Address already in use") {
				return fmt.Errorf("%w: PostgreSQL could not create its socket for port %d in %s; stop what uses it, or choose another port", errPortTaken, c.Port, c.SocketDir)
			}
			return fmt.Errorf("PostgreSQL exited during startup (%v); its log %s says:\n%s", c.waitErr, c.LogFile, log)
		case <-ctx.Done():
			stopErr := c.Stop(context.WithoutCancel(ctx))
			return errors.Join(fmt.Errorf("PostgreSQL did not accept connections in time: %w; its log %s says:\n%s",
				ctx.Err(), c.LogFile, c.logSince(logStart)), stopErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logSince returns the end of what the server logged since offset.
func (c *Cluster) logSince(offset int64) string {
	f, err := os.Open(c.LogFile)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	data, _ := io.ReadAll(f)
	return string(tail(data, 20))
}

func tail(b []byte, lines int) []byte {
	b = bytes.TrimRight(b, "\n")
	for i, n := len(b)-1, 0; i >= 0; i-- {
		if b[i] == '\n' {
			if n++; n == lines {
				return b[i+1:]
			}
		}
	}
	return b
}

func (c *Cluster) createDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.connString("postgres"))
	if err != nil {
		return fmt.Errorf("connect to the embedded PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.Database).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %q: %w", c.Database, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.Database}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %q: %w", c.Database, err)
	}
	return nil
}

func (c *Cluster) connString(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(c.User, c.Password),
		Path:     "/" + database,
		RawQuery: url.Values{"host": {c.SocketDir}, "port": {strconv.Itoa(c.Port)}, "sslmode": {"disable"}}.Encode(),
	}
	return u.String()
}

// ConnString is a connection URL for the cluster's database, for pgx.
func (c *Cluster) ConnString() string { return c.connString(orDefault(c.Database, "postgres")) }

// ConnStringFor is a connection URL for another database of the cluster.
func (c *Cluster) ConnStringFor(database string) string { return c.connString(database) }

// Done is closed when the server process has exited, whether through Stop
// or not.
func (c *Cluster) Done() <-chan struct{} { return c.exited }

// Stop shuts the server down in fast mode: open transactions are rolled
// back and clients disconnected. If ctx ends first the server is stopped
// immediately, and recovers from its log on the next start. Stop may be
// called more than once.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() {
		c.stopErr = c.stop(ctx)
		if c.SocketDir != c.DataDir {
			// The socket directory of a deep data directory is made on
			// every start; PostgreSQL has removed its socket from it.
			_ = os.Remove(c.SocketDir)
		}
	})
	return c.stopErr
}

func (c *Cluster) stop(ctx context.Context) error {
	select {
	case <-c.exited:
		return c.exitErr()
	default:
	}
	if err := interrupt(c.cmd.Process); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	select {
	case <-c.exited:
		return c.exitErr()
	case <-ctx.Done():
		_ = quit(c.cmd.Process)
		<-c.exited
		return fmt.Errorf("PostgreSQL did not shut down in time and was stopped immediately: %w", ctx.Err())
	}
}

func (c *Cluster) exitErr() error {
	if c.waitErr != nil {
		return fmt.Errorf("PostgreSQL exited with %w; see %s", c.waitErr, c.LogFile)
	}
	return nil
}
