//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/generator"
)

// Secrets of the suite's project (config/passwords.yaml).
const passwordsYAML = `production:
  database: 'faultsuite-postgres-password'
  serviceSecret: 'faultsuite-service-secret-0123456789'
  authKeySalt: 'faultsuite-auth-key-salt-0123456789'
  emailPasswordPepper: 'faultsuite-pepper-0123456789'
  authCodeSecret: 'faultsuite-code-secret-0123456789'
`

// The suite's models: ack holds the acknowledged writes; the second
// migration adds extra, with an index and a foreign key, and a column to
// ack, so that killing it has something to interrupt.
const (
	ackModel = `class: Ack
table: ack
fields:
  client: String
  seq: int
indexes:
  ack_client_seq:
    fields: client, seq
    unique: true
`
	ackModelV2 = `class: Ack
table: ack
fields:
  client: String
  seq: int
  note: String?
indexes:
  ack_client_seq:
    fields: client, seq
    unique: true
  ack_note:
    fields: note
`
	extraModel = `class: Extra
table: extra
fields:
  ack: Ack?, relation
  label: String
  weight: double
indexes:
  extra_label:
    fields: label, weight
`
)

// freePort returns a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// project is the suite's gopod project on disk: config, models and two
// migrations made by gopod's generator; v1Dir holds the first migration
// alone.
type project struct {
	dir, v1Dir string
	versions   []string
}

func writeProject(ctx context.Context, root string, pgPort, redisPort int) (*project, error) {
	p := &project{dir: filepath.Join(root, "project"), v1Dir: filepath.Join(root, "project-v1")}
	config := fmt.Sprintf(`apiServer:
  port: 8080
  publicHost: localhost
  publicPort: 8080
  publicScheme: http
database:
  host: 127.0.0.1
  port: %d
  name: faultsuite
  user: postgres
redis:
  enabled: false
  host: 127.0.0.1
  port: %d
`, pgPort, redisPort)
	files := map[string]string{
		"go.mod":                 "module faultsuite\n\ngo 1.26\n",
		"config/generator.yaml":  "type: server\nname: " + projectName + "\nmodules:\n  serverpod_auth:\n    nickname: auth\n",
		"config/production.yaml": config,
		"config/passwords.yaml":  passwordsYAML,
		"models/ack.spy.yaml":    ackModel,
	}
	for name, data := range files {
		if err := writeFile(filepath.Join(p.dir, name), data); err != nil {
			return nil, err
		}
	}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	create := func() error {
		clock = clock.Add(time.Hour)
		res, err := generator.CreateMigration(ctx, generator.MigrationOptions{Dir: p.dir, Now: func() time.Time { return clock }})
		if err != nil {
			return fmt.Errorf("creating a migration of the suite's project: %w", err)
		}
		p.versions = append(p.versions, res.Version)
		return nil
	}
	if err := create(); err != nil {
		return nil, err
	}
	if err := os.CopyFS(p.v1Dir, os.DirFS(p.dir)); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(p.dir, "models/ack.spy.yaml"), ackModelV2); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(p.dir, "models/extra.spy.yaml"), extraModel); err != nil {
		return nil, err
	}
	if err := create(); err != nil {
		return nil, err
	}
	return p, nil
}

func writeFile(path, data string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(data), 0o644)
}

// postgres is the suite's own PostgreSQL cluster: initdb into a
// temporary directory, listening on a loopback port of its own with a
// password, so that the suite can stop and kill it without touching any
// other. As root it runs as the postgres user, since PostgreSQL refuses
// root.
type postgres struct {
	dataDir  string
	port     int
	bin      string
	password string
	cred     *syscall.Credential
	cmd      *exec.Cmd
	done     chan struct{}
}

func startPostgres(ctx context.Context, dataDir string, port int) (*postgres, error) {
	pg := &postgres{dataDir: dataDir, port: port, password: "faultsuite-postgres-password"}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) > 0 {
		slices.Sort(bins)
		pg.bin = filepath.Dir(bins[len(bins)-1])
	} else if p, err := exec.LookPath("initdb"); err == nil {
		pg.bin = filepath.Dir(p)
	} else {
		return nil, errors.New("the suite needs PostgreSQL's initdb and postgres (/usr/lib/postgresql/*/bin or PATH)")
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		pg.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	pwfile := filepath.Join(filepath.Dir(dataDir), "pgpass")
	if err := os.WriteFile(pwfile, []byte(pg.password+"\n"), 0o644); err != nil {
		return nil, err
	}
	if pg.cred != nil {
		for _, p := range []string{dataDir, pwfile} {
			if err := os.Chown(p, int(pg.cred.Uid), int(pg.cred.Gid)); err != nil {
				return nil, err
			}
		}
	}
	initdb := exec.CommandContext(ctx, filepath.Join(pg.bin, "initdb"), "--pgdata", dataDir, "--username", "postgres",
		"--auth", "scram-sha-256", "--pwfile", pwfile, "--encoding", "UTF8", "--locale", "C")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred, Pdeathsig: syscall.SIGKILL}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return pg, pg.start(ctx)
}

// start runs postgres and waits until it accepts connections.
func (pg *postgres) start(ctx context.Context) error {
	log, err := os.OpenFile(filepath.Join(filepath.Dir(pg.dataDir), "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	// After a SIGKILL the old server's backends take a moment to notice
	// and exit; until then a new server refuses the data directory.
	for attempt := 1; attempt <= 40; attempt++ {
		pg.cmd = exec.Command(filepath.Join(pg.bin, "postgres"), "-D", pg.dataDir, "-p", strconv.Itoa(pg.port),
			"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200")
		pg.cmd.Stdout, pg.cmd.Stderr = log, log
		pg.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred, Pdeathsig: syscall.SIGKILL}
		if err := pg.cmd.Start(); err != nil {
			return err
		}
		done := make(chan struct{})
		pg.done = done
		cmd := pg.cmd
		go func() { _ = cmd.Wait(); close(done) }()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			select {
			case <-done:
				goto retry
			default:
			}
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			conn, err := pgx.Connect(cctx, pg.url("postgres"))
			cancel()
			if err == nil {
				conn.Close(ctx)
				return nil
			}
		}
		pg.kill()
		return errors.New("the suite's PostgreSQL did not accept connections in 30 s")
	retry:
		time.Sleep(250 * time.Millisecond)
	}
	return errors.New("the suite's PostgreSQL would not start; see postgres.log in the suite's directory")
}

// stop shuts the cluster down in fast mode (SIGINT) and waits for it.
func (pg *postgres) stop() error {
	if pg.cmd == nil || pg.cmd.Process == nil {
		return nil
	}
	_ = syscall.Kill(pg.cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-pg.done:
		return nil
	case <-time.After(30 * time.Second):
		return pg.kill()
	}
}

// kill sends SIGKILL to the postmaster, by its PID, and waits until it
// has exited.
func (pg *postgres) kill() error {
	pid := pg.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return fmt.Errorf("killing PostgreSQL (pid %d): %w", pid, err)
	}
	select {
	case <-pg.done:
	case <-time.After(10 * time.Second):
		return fmt.Errorf("PostgreSQL (pid %d) did not exit after SIGKILL", pid)
	}
	return nil
}

func (pg *postgres) url(database string) string {
	return fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/%s?sslmode=disable", pg.password, pg.port, database)
}

// createDatabase makes an empty database on the suite's cluster.
func (pg *postgres) createDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, pg.url("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

// redisServer is the suite's own redis-server, on a port of its own.
type redisServer struct {
	port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

func startRedis(dir string, port int) (*redisServer, error) {
	r := &redisServer{port: port, dir: dir}
	return r, r.start()
}

func (r *redisServer) start() error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("the Redis scenario needs redis-server: %w", err)
	}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	log, err := os.OpenFile(filepath.Join(r.dir, "redis.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.dir)
	r.cmd.Stdout, r.cmd.Stderr = log, log
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		return err
	}
	r.done = make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.kill()
	return errors.New("redis-server did not accept connections in 10 s")
}

// kill stops the suite's redis-server with SIGKILL, by its PID.
func (r *redisServer) kill() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(r.cmd.Process.Pid, syscall.SIGKILL)
	<-r.done
}

// server is a gopod server process of the suite.
type server struct {
	name    string
	port    int
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	waitErr error
}

// startServer runs the suite's binary as a server (-serve) in dir with
// Serverpod's flags args and environment overrides env, and waits until
// it answers when wait is set.
func startServer(dir, logDir, name string, env []string, wait bool, args ...string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{name: name, port: port, logPath: filepath.Join(logDir, name+".log")}
	log, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	s.cmd = exec.Command(self, append([]string{"-serve", "--"}, append([]string{"--mode", "production", "--server-id", name}, args...)...)...)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = log, log
	s.cmd.Env = append(append(os.Environ(), "SERVERPOD_API_SERVER_PORT="+strconv.Itoa(port)), env...)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	s.done = make(chan struct{})
	go func() { s.waitErr = s.cmd.Wait(); close(s.done) }()
	if !wait {
		return s, nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url("/"))
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("server %s exited at start (%v); its log %s ends:\n%s", name, s.waitErr, s.logPath, s.tail())
		case <-time.After(100 * time.Millisecond):
		}
	}
	s.kill()
	return nil, fmt.Errorf("server %s did not answer in 60 s; its log ends:\n%s", name, s.tail())
}

func (s *server) url(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(s.port) + path
}

// signal sends sig to the server by its PID.
func (s *server) signal(sig syscall.Signal) { _ = syscall.Kill(s.cmd.Process.Pid, sig) }

// kill stops the server with SIGKILL and waits for it.
func (s *server) kill() {
	s.signal(syscall.SIGKILL)
	<-s.done
}

// wait waits up to d for the server to exit and returns its exit code.
func (s *server) wait(d time.Duration) (int, error) {
	select {
	case <-s.done:
		var exit *exec.ExitError
		if errors.As(s.waitErr, &exit) {
			return exit.ExitCode(), nil
		}
		return 0, s.waitErr
	case <-time.After(d):
		return -1, fmt.Errorf("server %s still runs after %v", s.name, d)
	}
}

// stop asks the server to shut down (SIGTERM) and waits for it.
func (s *server) stop() {
	s.signal(syscall.SIGTERM)
	if _, err := s.wait(40 * time.Second); err != nil {
		s.kill()
	}
}

func (s *server) tail() string {
	data, _ := os.ReadFile(s.logPath)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// grep returns the first submatch of re in the server's output, waiting
// up to d for it to appear.
func (s *server) grep(re *regexp.Regexp, d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	for {
		f, err := os.Open(s.logPath)
		if err != nil {
			return "", err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				f.Close()
				return m[1], nil
			}
		}
		f.Close()
		if time.Now().After(deadline) {
			return "", fmt.Errorf("%s did not appear in %s", re, s.logPath)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rssKiB reads the resident set size of a process from /proc.
func rssKiB(pid int) (int64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS")
}
