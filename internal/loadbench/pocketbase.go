package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PocketBase's side of the comparison: its release binary's code (the
// examples/base command of github.com/pocketbase/pocketbase), built by
// the user (see README) and passed with -pocketbase. The benchmark gives
// it a data folder of its own, a superuser, and one user in the `users`
// auth collection that a new PocketBase creates; the load is that user
// reading their own record with their token, which the collection's
// default view rule (id = @request.auth.id) allows.

// pocketBaseVersion is the release the figure is meant for; another
// version still runs, with a note.
const pocketBaseVersion = "0.39.11"

const (
	pbSuperuserEmail    = "admin@example.com"
	pbSuperuserPassword = "loadbench-superuser-1"
)

// pocketBaseSetup is what the benchmark needs to drive PocketBase.
type pocketBaseSetup struct {
	server   *child
	version  string
	token    string // the user's auth token
	recordID string // the user's record id
}

// startPocketBase runs the binary at path as a server on loopback with a
// fresh data folder, and signs its one user in.
func (b *bench) startPocketBase(ctx context.Context, path string) (*pocketBaseSetup, error) {
	out, err := exec.CommandContext(ctx, path, "--version").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w\n%s", path, err, out)
	}
	f := strings.Fields(string(out))
	if len(f) == 0 {
		return nil, fmt.Errorf("%s --version printed nothing", path)
	}
	version := f[len(f)-1]

	dataDir := filepath.Join(b.dir, "pb_data")
	// The superuser is created before the server starts, as PocketBase's
	// own command does it; the first run of the command also applies
	// PocketBase's migrations, which create the users collection.
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err = exec.CommandContext(cctx, path, "superuser", "upsert", pbSuperuserEmail, pbSuperuserPassword, "--dir", dataDir).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("creating PocketBase's superuser: %w\n%s", err, out)
	}

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c := &child{kind: "pocketbase", addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), logPath: filepath.Join(b.dir, "pocketbase.log")}
	logFile, err := os.Create(c.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	c.cmd = exec.Command(path, "serve", "--http", c.addr, "--dir", dataDir)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	setParentDeathSignal(c.cmd)
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting PocketBase: %w", err)
	}
	b.children = append(b.children, c)
	if err := waitHealthy(ctx, c); err != nil {
		return nil, err
	}

	var admin struct {
		Token string `json:"token"`
	}
	if err := pbCall(c, http.MethodPost, "/api/collections/_superusers/auth-with-password", "",
		map[string]string{"identity": pbSuperuserEmail, "password": pbSuperuserPassword}, &admin); err != nil {
		return nil, fmt.Errorf("signing PocketBase's superuser in: %w", err)
	}
	if err := pbCall(c, http.MethodPost, "/api/collections/users/records", admin.Token, map[string]string{
		"email": benchEmail, "password": benchPassword, "passwordConfirm": benchPassword, "name": "bench",
	}, nil); err != nil {
		return nil, fmt.Errorf("creating PocketBase's user: %w", err)
	}
	var user struct {
		Token  string `json:"token"`
		Record struct {
			ID string `json:"id"`
		} `json:"record"`
	}
	if err := pbCall(c, http.MethodPost, "/api/collections/users/auth-with-password", "",
		map[string]string{"identity": benchEmail, "password": benchPassword}, &user); err != nil {
		return nil, fmt.Errorf("signing PocketBase's user in: %w", err)
	}
	if user.Token == "" || user.Record.ID == "" {
		return nil, fmt.Errorf("PocketBase's sign-in gave no token or record id")
	}
	return &pocketBaseSetup{server: c, version: version, token: user.Token, recordID: user.Record.ID}, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy waits up to a minute for PocketBase's health endpoint.
func waitHealthy(ctx context.Context, c *child) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if status, _, err := post(request{method: http.MethodGet, url: c.url("/api/health")}); err == nil && status == http.StatusOK {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	log, _ := os.ReadFile(c.logPath)
	return fmt.Errorf("PocketBase did not answer within a minute:\n%s", log)
}

// pbCall sends a JSON request to PocketBase and decodes its answer into
// out when out is not nil.
func pbCall(c *child, method, path, token string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, c.url(path), strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, answer)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer, out)
}

// backendCPU returns the CPU time used so far by each PostgreSQL backend
// serving the benchmark's database (other than conn's own), read from
// /proc: PostgreSQL runs on this machine. PocketBase's SQLite runs inside
// its process, so gopod's CPU per request in the PocketBase figure counts
// these too. Only one server is under load at a time, so the idle
// connections of the others add next to nothing.
func backendCPU(ctx context.Context, conn *pgx.Conn) (map[int]time.Duration, bool) {
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`)
	if err != nil {
		return nil, false
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, false
	}
	cpu := make(map[int]time.Duration, len(pids))
	for _, pid := range pids {
		if t, ok := processCPU(int(pid)); ok {
			cpu[int(pid)] = t
		}
	}
	return cpu, len(cpu) > 0
}

// backendDelta is the CPU the backends used between two readings; a
// backend that started in between counts whole, one that ended is lost.
func backendDelta(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	return d
}
