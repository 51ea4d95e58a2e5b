package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var gopodBin struct {
	once sync.Once
	path string
	err  error
}

// gopodBinary builds the gopod command once for the package's tests, into
// a directory that outlives any one test.
func gopodBinary(t *testing.T) string {
	t.Helper()
	gopodBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "gopod-bin-")
		if err != nil {
			gopodBin.err = err
			return
		}
		gopodBin.path = filepath.Join(dir, "gopod")
		out, err := exec.Command("go", "build", "-o", gopodBin.path, ".").CombinedOutput()
		if err != nil {
			gopodBin.err = &buildError{err: err, out: string(out)}
		}
	})
	if gopodBin.err != nil {
		t.Fatalf("building gopod: %v", gopodBin.err)
	}
	return gopodBin.path
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if gopodBin.path != "" {
		os.RemoveAll(filepath.Dir(gopodBin.path))
	}
	os.Exit(code)
}

// printedSteps returns the commands gopod create tells the user to run next.
func printedSteps(t *testing.T, out string) [][]string {
	t.Helper()
	_, after, ok := strings.Cut(out, "Start it with:\n")
	if !ok {
		t.Fatalf("gopod create printed no next steps:\n%s", out)
	}
	var steps [][]string
	sc := bufio.NewScanner(strings.NewReader(after))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "  ")
		if !ok {
			break
		}
		steps = append(steps, strings.Fields(line))
	}
	return steps
}

// gopodRun is a `gopod run` started as a user would start it, its output
// going to a file.
type gopodRun struct {
	cmd  *exec.Cmd
	log  string
	done chan error
}

func startGopodRun(t *testing.T, bin, dir string, args ...string) *gopodRun {
	t.Helper()
	log := filepath.Join(t.TempDir(), "server.log")
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	// A port of the server's choosing: a fixed one may be taken by another
	// process on the machine.
	cmd.Env = append(os.Environ(), "SERVERPOD_API_SERVER_PORT=0")
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &gopodRun{cmd: cmd, log: log, done: make(chan error, 1)}
	go func() { r.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			r.stop(t)
		}
	})
	return r
}

func (r *gopodRun) output() string {
	b, _ := os.ReadFile(r.log)
	return string(b)
}

// waitFor waits until the output matches re and returns the match; it
// fails when gopod run exits first, or after two minutes (the first run
// builds the server).
func (r *gopodRun) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	for range 1200 {
		if m := re.FindStringSubmatch(r.output()); m != nil {
			return m
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("gopod run exited (%v) before its output matched %s:\n%s", err, re, r.output())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("gopod run's output did not match %s:\n%s", re, r.output())
	return nil
}

// stop interrupts gopod run as Ctrl-C does and checks that it stops cleanly.
func (r *gopodRun) stop(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("gopod run exited with %v on interrupt:\n%s", err, r.output())
		}
	case <-time.After(90 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
		t.Errorf("gopod run did not stop on interrupt:\n%s", r.output())
	}
}

var (
	serving         = regexp.MustCompile(`msg=serving api=http://\S*:(\d+)/`)
	databaseMatches = regexp.MustCompile(`msg="the database matches the latest migration" version=(\S+)`)
)

// TestFirstRun is a new user's first hour: gopod create, then the next
// steps exactly as printed, then sign-up and sign-in through the generated
// Go client; then the same project against a database of the user's own,
// which gopod run leaves unmigrated unless asked.
func TestFirstRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a project and runs PostgreSQL")
	}
	bin := gopodBinary(t)
	root := t.TempDir()
	reachable(t, root)
	create := exec.Command(bin, "create", "hello")
	create.Dir = root
	out, err := create.CombinedOutput()
	if err != nil {
		t.Fatalf("gopod create hello: %v\n%s", err, out)
	}
	dir := filepath.Join(root, "hello")

	var version string
	t.Run("create writes the first migration", func(t *testing.T) {
		if !strings.Contains(string(out), "Creating default database migration.") {
			t.Errorf("gopod create did not say it creates the migration:\n%s", out)
		}
		entries, err := os.ReadDir(filepath.Join(dir, "migrations"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				if version != "" {
					t.Errorf("more than one migration: %s and %s", version, e.Name())
				}
				version = e.Name()
			}
		}
		sql, err := os.ReadFile(filepath.Join(dir, "migrations", version, "definition.sql"))
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"serverpod_migrations", "serverpod_user_info", "serverpod_email_auth", "gopod_auth_attempt"} {
			if !strings.Contains(string(sql), `CREATE TABLE "`+table+`"`) {
				t.Errorf("the first migration does not create %s", table)
			}
		}
		if code, out := runCLI(t, dir, "create-migration", "--check"); code != 0 {
			t.Errorf("the first migration does not match the models: exit %d\n%s", code, out)
		}
		if code, out := runCLI(t, dir, "generate", "--check"); code != 0 {
			t.Errorf("a fresh project is stale: %s", out)
		}
	})

	t.Run("the new project's go test passes", func(t *testing.T) {
		test := exec.Command("go", "test", "-count=1", "-v", "./...")
		test.Dir = dir
		out, err := test.CombinedOutput()
		if err != nil {
			t.Fatalf("go test ./... in the new project: %v\n%s", err, out)
		}
		for _, want := range []string{"--- PASS: TestHello", "--- PASS: TestCountTo", "--- PASS: TestEcho", "--- PASS: TestRemindLater", "--- PASS: TestSignedIn", "ok  \thello/endpoints"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("go test's output lacks %q:\n%s", want, out)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".gopod", "test-postgres", "endpoints", "postmaster.pid")); !os.IsNotExist(err) {
			t.Errorf("the test database still runs after go test ended (%v)", err)
		}
	})

	t.Run("the printed steps serve sign-up and sign-in", func(t *testing.T) {
		steps := printedSteps(t, string(out))
		if len(steps) == 0 || steps[len(steps)-1][0] != "gopod" {
			t.Fatalf("the next steps do not end in a gopod command: %q", steps)
		}
		// The client is built first, so that only the steps run between
		// the server's start and the calls.
		writeFile(t, filepath.Join(dir, "cmd", "hello", "main.go"), readFile(t, filepath.Join("testdata", "helloclient", "main.go")))
		client := filepath.Join(t.TempDir(), "hello-client")
		goBuild(t, dir, client, "./cmd/hello")

		var server *gopodRun
		wd := root
		for _, step := range steps {
			switch step[0] {
			case "cd":
				if len(step) != 2 {
					t.Fatalf("step %q", step)
				}
				wd = filepath.Join(wd, step[1])
			case "gopod":
				server = startGopodRun(t, bin, wd, step[1:]...)
			default:
				t.Fatalf("a step this test cannot take: %q", step)
			}
		}
		port := server.waitFor(t, serving)[1]
		if got := server.waitFor(t, databaseMatches)[1]; got != version {
			t.Errorf("the database matches %s, want %s", got, version)
		}
		log := server.output()
		for _, want := range []string{"applying pending migrations at start", "msg=\"applied database migrations\" versions=" + version} {
			if !strings.Contains(log, want) {
				t.Errorf("gopod run's output lacks %q:\n%s", want, log)
			}
		}
		calls, err := exec.Command(client, "http://127.0.0.1:"+port+"/", server.log).CombinedOutput()
		if err != nil {
			t.Fatalf("the client: %v\n%s\nserver:\n%s", err, calls, server.output())
		}
		for _, want := range []string{"example.hello: Hello World", "example.remindLater: scheduled", "email.createAccountRequest: true", "email.authenticate: success true", "status.isSignedIn: true"} {
			if !strings.Contains(string(calls), want) {
				t.Errorf("the client's output lacks %q:\n%s", want, calls)
			}
		}
		// The scaffold's future call runs.
		server.waitFor(t, regexp.MustCompile(`msg=reminder name="the future"`))
		server.stop(t)
		if strings.Contains(server.output(), "level=WARN") || strings.Contains(server.output(), "level=ERROR") {
			t.Errorf("the first run logged a warning or an error:\n%s", server.output())
		}
		if _, err := os.Stat(filepath.Join(dir, ".gopod", "postgres", "postmaster.pid")); !os.IsNotExist(err) {
			t.Errorf("the development database still runs after gopod run stopped (%v)", err)
		}
		// The match above was gopod run's finding: the server it built
		// leaves the comparison, and atlas, out.
		info, err := exec.Command("go", "version", "-m", filepath.Join(dir, ".gopod", "bin", "server")).CombinedOutput()
		if err != nil {
			t.Fatalf("go version -m: %v\n%s", err, info)
		}
		if !strings.Contains(string(info), "-tags=gopod_noatlas") || strings.Contains(string(info), "ariga.io/atlas") {
			t.Errorf("gopod run's server is not built without atlas:\n%s", info)
		}
	})

	t.Run("a database of your own is migrated only when asked", func(t *testing.T) {
		conn := useTestDatabase(t)
		server := startGopodRun(t, bin, dir, "run")
		warning := server.waitFor(t, regexp.MustCompile(`level=WARN msg="the database does not match the latest migration: migrations are not applied" pending=(\S+) installed=none fix="gopod migrate, or start the server with --apply-migrations"`))
		if warning[1] != version {
			t.Errorf("pending %s, want %s", warning[1], version)
		}
		server.waitFor(t, serving)
		server.stop(t)
		if strings.Contains(server.output(), "applying pending migrations") || strings.Contains(server.output(), "applied database migrations") {
			t.Errorf("gopod run migrated a database of the user's own without being asked:\n%s", server.output())
		}
		if n := queryInt(t, conn, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`); n != 0 {
			t.Errorf("the database has %d tables", n)
		}
	})

	t.Run("gopod run warns of a database that differs from the migration", func(t *testing.T) {
		conn := useTestDatabase(t)
		if code, out := runCLI(t, dir, "migrate"); code != 0 {
			t.Fatalf("gopod migrate: exit %d\n%s", code, out)
		}
		if _, err := conn.Exec(context.Background(), `ALTER TABLE "serverpod_user_info" ADD COLUMN "stray" text`); err != nil {
			t.Fatal(err)
		}
		server := startGopodRun(t, bin, dir, "run")
		warning := server.waitFor(t, regexp.MustCompile(`level=WARN msg="the database does not match the latest migration" version=(\S+) differences=(.*) fix="gopod create-repair-migration, then start the server with --apply-repair-migration"`))
		if warning[1] != version {
			t.Errorf("the warning names %s, want %s", warning[1], version)
		}
		if !strings.Contains(warning[2], "stray") {
			t.Errorf("the differences do not name the stray column: %s", warning[2])
		}
		server.waitFor(t, serving)
		server.stop(t)
	})
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNextSteps: the steps gopod create prints survive a directory a shell
// would split or expand.
func TestNextSteps(t *testing.T) {
	cases := []struct{ dir, want string }{
		{"hello", "  cd hello\n"},
		{"apps/hello-2", "  cd apps/hello-2\n"},
		{"my apps/hello", "  cd 'my apps/hello'\n"},
		{"it's", `  cd 'it'\''s'` + "\n"},
		{"$HOME", "  cd '$HOME'\n"},
	}
	for _, c := range cases {
		if got := nextSteps("hello", c.dir); !strings.Contains(got, c.want) || !strings.Contains(got, "  gopod run\n") {
			t.Errorf("nextSteps(%q):\n%s", c.dir, got)
		}
	}
}
