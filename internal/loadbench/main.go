// Command loadbench measures gopod's hot paths against hand-written
// baselines over loopback HTTP, in one run:
//
//   - a plain call vs a bare net/http JSON handler;
//   - a signed-in call that reads one row by id through the ORM vs a raw
//     pgx handler doing the same (auth key looked up, cached, and checked
//     with sha256; the row read with pgx);
//   - an email sign-in vs x/crypto's Argon2id at the same cost behind a
//     net/http handler;
//   - the signed-in call vs PocketBase (v0.39.11) serving a signed-in
//     user their own record, when -pocketbase names its binary (README
//     says how to build it); the figure is skipped without it.
//
// Each server runs in a process of its own: gopod's is pod.Main in the
// production run mode, configured by files as a project's would be, with
// the auth module. The load comes from wrk when it is installed (64
// connections) and from a Go load generator otherwise. Rounds of gopod and
// its baseline alternate, each pair in the other order than the last, so
// that both sides see the same load from other work on the machine; the
// figures are the ratios of each pair, as median and min–max.
//
// It needs PostgreSQL (GOPOD_TEST_POSTGRES, or localhost:5432 as user
// postgres) and creates and drops a database of its own:
//
//	go run ./internal/loadbench
//	go run ./internal/loadbench -pairs 12 -profile /tmp/prof
//	go run ./internal/loadbench -figures pocketbase -pocketbase PATH
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/migrations"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/migrate"
)

// The account the signed-in figures use.
const (
	benchEmail    = "bench@example.com"
	benchPassword = "loadbench-password-1"
)

func main() {
	var (
		kind       = flag.String("serve", "", "run one server (internal: the benchmark starts its servers this way)")
		dbURL      = flag.String("db", "", "database URL of a server (internal)")
		cpuProfile = flag.String("cpuprofile", "", "write a CPU profile of a server (internal)")

		pairs          = flag.Int("pairs", 8, "pairs of rounds per figure")
		duration       = flag.Duration("duration", 5*time.Second, "length of a round of calls")
		signInDuration = flag.Duration("signin-duration", 10*time.Second, "length of a round of sign-ins")
		warmup         = flag.Duration("warmup", 2*time.Second, "load on each server before the rounds")
		conns          = flag.Int("conns", 64, "connections of the load generator")
		threads        = flag.Int("threads", 2, "threads of wrk")
		figures        = flag.String("figures", "plain,signed,signin,pocketbase", "figures to measure")
		pocketBase     = flag.String("pocketbase", "", "PocketBase binary for the pocketbase figure (skipped when empty)")
		profileDir     = flag.String("profile", "", "write CPU profiles of the servers into this folder")
		noWrk          = flag.Bool("no-wrk", false, "use the Go load generator even when wrk is installed")
	)
	flag.Parse()
	if *kind != "" {
		if err := serve(childOptions{kind: *kind, dbURL: *dbURL, cpuProfile: *cpuProfile}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := &bench{pairs: *pairs, duration: *duration, signInDuration: *signInDuration, warmup: *warmup, profileDir: *profileDir, pocketBase: *pocketBase}
	if path, err := exec.LookPath("wrk"); err == nil && !*noWrk {
		b.load = &wrkLoader{path: path, conns: *conns, threads: *threads}
	} else {
		b.load = &goLoader{conns: *conns}
	}
	err := b.run(ctx, strings.Split(*figures, ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

type bench struct {
	pairs                            int
	duration, signInDuration, warmup time.Duration
	profileDir                       string
	pocketBase                       string // path of PocketBase's binary
	load                             loader
	db                               *pgx.Conn // reads which backends serve the database
	dir                              string
	children                         []*child
}

// figure is one line of the report: gopod's request and its baseline's.
type figure struct {
	id, title, goal   string
	goalRatio         float64
	gopod, baseline   side
	check             func(gopodBody, baselineBody string) error
	duration          time.Duration
	ratios, cpuRatios []float64
}

// side is one server of a figure and what its rounds measured.
type side struct {
	req    request
	server *child
	// rates are the requests per second of each round; perCPU the
	// requests per CPU-second the server process used in it, a figure
	// that other work on the machine disturbs less.
	rates, perCPU []float64
	// withDB adds the CPU of the PostgreSQL backends serving the
	// benchmark's database to the server's (for a comparison with a
	// server whose database runs in its own process).
	withDB bool
}

// round loads one side for d and records what it did.
func (b *bench) round(ctx context.Context, s *side, d time.Duration) error {
	pid := s.server.cmd.Process.Pid
	var db0 map[int]time.Duration
	dbOK := true
	if s.withDB {
		db0, dbOK = backendCPU(ctx, b.db)
	}
	cpu0, ok0 := processCPU(pid)
	res, err := b.load.run(ctx, s.req, d)
	if err != nil {
		return err
	}
	cpu1, ok1 := processCPU(pid)
	if s.withDB {
		db1, ok := backendCPU(ctx, b.db)
		dbOK = dbOK && ok
		cpu1 += backendDelta(db0, db1)
	}
	ok1 = ok1 && dbOK
	s.rates = append(s.rates, res.rate)
	if ok0 && ok1 && cpu1 > cpu0 {
		s.perCPU = append(s.perCPU, float64(res.requests)/(cpu1-cpu0).Seconds())
	}
	return nil
}

func (b *bench) run(ctx context.Context, which []string) error {
	dir, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b.dir = dir
	if w, ok := b.load.(*wrkLoader); ok {
		w.dir = dir
	}
	defer b.stopChildren()

	dbURL, drop, err := dbtest.Create(ctx, "loadbench")
	if err != nil {
		return err
	}
	defer drop()
	if err := prepareDatabase(ctx, dbURL); err != nil {
		return err
	}
	if b.db, err = pgx.Connect(ctx, dbURL); err != nil {
		return err
	}
	defer b.db.Close(context.Background())

	gopod, err := b.start(ctx, kindGopod, dbURL)
	if err != nil {
		return err
	}
	key, err := signUp(gopod)
	if err != nil {
		return err
	}
	authorization := "Basic " + base64.StdEncoding.EncodeToString([]byte(key))
	hello := `{"method":"hello","name":"World"}`
	signIn := fmt.Sprintf(`{"method":"authenticate","email":%q,"password":%q}`, benchEmail, benchPassword)

	var figs []*figure
	for _, id := range which {
		f := &figure{id: id, duration: b.duration}
		switch id {
		case "plain":
			bare, err := b.start(ctx, kindBare, dbURL)
			if err != nil {
				return err
			}
			f.title, f.goal, f.goalRatio = "plain call vs a bare net/http JSON handler", "≥ 0.9", 0.9
			f.gopod = side{server: gopod, req: request{url: gopod.url("/bench"), body: hello}}
			f.baseline = side{server: bare, req: request{url: bare.url("/hello"), body: hello}}
			f.check = func(g, b string) error { return same(g, b) }
		case "signed":
			pgx, err := b.start(ctx, kindPgx, dbURL)
			if err != nil {
				return err
			}
			f.title, f.goal, f.goalRatio = "signed-in call + one ORM read by id vs a raw pgx handler doing the same", "≥ 0.9", 0.9
			f.gopod = side{server: gopod, req: request{url: gopod.url("/me"), body: `{"method":"get"}`, authorization: authorization}}
			f.baseline = side{server: pgx, req: request{url: pgx.url("/me"), body: `{"method":"get"}`, authorization: authorization}}
			f.check = func(g, b string) error {
				if !strings.Contains(g, `"userIdentifier":"`+benchEmail+`"`) || !strings.Contains(b, `"userIdentifier":"`+benchEmail+`"`) {
					return fmt.Errorf("unexpected answers %s and %s", g, b)
				}
				return nil
			}
		case "signin":
			argon, err := b.start(ctx, kindArgon2, dbURL)
			if err != nil {
				return err
			}
			f.title, f.goal, f.goalRatio = "email sign-in vs x/crypto's Argon2id, same cost", "≥ 0.95", 0.95
			f.duration = b.signInDuration
			f.gopod = side{server: gopod, req: request{url: gopod.url("/serverpod_auth.email"), body: signIn, expect: `{"success":true`}}
			f.baseline = side{server: argon, req: request{url: argon.url("/authenticate"), body: signIn, expect: `{"success":true`}}
			f.check = func(g, b string) error {
				if !strings.HasPrefix(g, `{"success":true`) || b != `{"success":true}` {
					return fmt.Errorf("unexpected answers %s and %s", g, b)
				}
				return nil
			}
		case "pocketbase":
			if b.pocketBase == "" {
				fmt.Println("pocketbase: skipped, no -pocketbase binary given (README says how to build one)")
				continue
			}
			pb, err := b.startPocketBase(ctx, b.pocketBase)
			if err != nil {
				return fmt.Errorf("pocketbase: %w", err)
			}
			if pb.version != pocketBaseVersion {
				fmt.Printf("pocketbase: the binary reports version %q, the figure is meant for %s\n", pb.version, pocketBaseVersion)
			}
			f.title, f.goal, f.goalRatio = "signed-in call + one ORM read by id vs PocketBase "+pb.version+" reading one's own record", "≥ 5", 5
			f.gopod = side{server: gopod, req: request{url: gopod.url("/me"), body: `{"method":"get"}`, authorization: authorization}, withDB: true}
			f.baseline = side{server: pb.server, req: request{method: http.MethodGet, url: pb.server.url("/api/collections/users/records/" + pb.recordID), authorization: pb.token}}
			f.check = func(g, b string) error {
				if !strings.Contains(g, `"userIdentifier":"`+benchEmail+`"`) || !strings.Contains(b, `"email":"`+benchEmail+`"`) {
					return fmt.Errorf("unexpected answers %s and %s", g, b)
				}
				return nil
			}
		default:
			return fmt.Errorf("unknown figure %q (plain, signed, signin, pocketbase)", id)
		}
		if err := checkFigure(f); err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		figs = append(figs, f)
	}

	fmt.Printf("load: %s; %d pairs of %v rounds (sign-ins %v); GOMAXPROCS of the servers: %s\n",
		b.load.name(), b.pairs, b.duration, b.signInDuration, gomaxprocs())
	for _, f := range figs {
		for _, r := range []request{f.baseline.req, f.gopod.req} {
			if _, err := b.load.run(ctx, r, b.warmup); err != nil {
				return fmt.Errorf("%s: warm-up: %w", f.id, err)
			}
		}
	}
	for i := range b.pairs {
		for _, f := range figs {
			sides := []*side{&f.gopod, &f.baseline}
			if i%2 == 1 {
				sides[0], sides[1] = sides[1], sides[0]
			}
			for _, sd := range sides {
				if err := b.round(ctx, sd, f.duration); err != nil {
					return fmt.Errorf("%s, pair %d: %w", f.id, i+1, err)
				}
			}
			g, base := f.gopod.rates[i], f.baseline.rates[i]
			f.ratios = append(f.ratios, g/base)
			line := fmt.Sprintf("pair %2d %-7s gopod %9.1f/s  baseline %9.1f/s  ratio %.3f", i+1, f.id, g, base, g/base)
			if gc, bc := f.gopod.perCPU, f.baseline.perCPU; len(gc) > i && len(bc) > i {
				f.cpuRatios = append(f.cpuRatios, gc[i]/bc[i])
				line += fmt.Sprintf("  per server CPU-second %9.1f vs %9.1f, ratio %.3f", gc[i], bc[i], gc[i]/bc[i])
			}
			fmt.Println(line)
		}
	}
	fmt.Println()
	fmt.Println("| figure | baseline, median (min–max) | gopod / baseline, median (min–max) | goal | the same per server CPU-second |")
	fmt.Println("|---|---|---|---|---|")
	for _, f := range figs {
		bm, bl, bh := stats(f.baseline.rates)
		rm, rl, rh := stats(f.ratios)
		met := "met"
		if rm < f.goalRatio {
			met = "not met"
		}
		cpu := "not measured"
		if len(f.cpuRatios) == len(f.ratios) {
			cm, cl, ch := stats(f.cpuRatios)
			cpu = fmt.Sprintf("%.2f (%.2f–%.2f)", cm, cl, ch)
			if f.gopod.withDB {
				cpu += ", gopod's with its PostgreSQL backends"
			}
		}
		fmt.Printf("| %s | %.0f/s (%.0f–%.0f) | %.2f (%.2f–%.2f) | %s: %s | %s |\n", f.title, bm, bl, bh, rm, rl, rh, f.goal, met, cpu)
	}
	fmt.Printf("\n%d pairs, %s\n", b.pairs, b.load.name())
	return nil
}

// checkFigure makes one call to each side and compares the answers.
func checkFigure(f *figure) error {
	gs, g, err := post(f.gopod.req)
	if err != nil {
		return err
	}
	bs, bb, err := post(f.baseline.req)
	if err != nil {
		return err
	}
	if gs != 200 || bs != 200 {
		return fmt.Errorf("status %d %q from gopod, %d %q from the baseline", gs, g, bs, bb)
	}
	return f.check(g, bb)
}

func same(a, b string) error {
	if a != b {
		return fmt.Errorf("answers differ: %q vs %q", a, b)
	}
	return nil
}

// stats returns the median, minimum and maximum.
func stats(xs []float64) (median, lo, hi float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[0], s[n-1]
}

func gomaxprocs() string {
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		return v
	}
	return "default (the cores)"
}

// prepareDatabase gives the database the auth module's migrations, whose
// definition holds the core tables too, as a project's does.
func prepareDatabase(ctx context.Context, url string) error {
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	project := fstest.MapFS{}
	err = fs.WalkDir(migrations.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations.FS(), p)
		project["migrations/"+p] = &fstest.MapFile{Data: data}
		return err
	})
	if err == nil {
		_, err = migrate.New(db.Pool(d), project, auth.ModuleName).Apply(ctx)
	}
	if err != nil {
		return fmt.Errorf("applying the auth module's migrations: %w", err)
	}
	return nil
}

// signUp creates the benchmark's account through the auth module's email
// endpoint and signs it in; it returns the auth key ("id:secret").
func signUp(gopod *child) (string, error) {
	u := gopod.url("/serverpod_auth.email")
	call := func(body string) (string, error) {
		status, out, err := post(request{url: u, body: body})
		if err == nil && status != 200 {
			err = fmt.Errorf("status %d: %s", status, out)
		}
		return out, err
	}
	if _, err := call(fmt.Sprintf(`{"method":"createAccountRequest","userName":"bench","email":%q,"password":%q}`, benchEmail, benchPassword)); err != nil {
		return "", fmt.Errorf("createAccountRequest: %w", err)
	}
	var code string
	select {
	case code = <-gopod.codes:
	case <-time.After(30 * time.Second):
		return "", fmt.Errorf("no validation code from gopod's server")
	}
	if _, err := call(fmt.Sprintf(`{"method":"createAccount","email":%q,"verificationCode":%q}`, benchEmail, code)); err != nil {
		return "", fmt.Errorf("createAccount: %w", err)
	}
	out, err := call(fmt.Sprintf(`{"method":"authenticate","email":%q,"password":%q}`, benchEmail, benchPassword))
	if err != nil {
		return "", fmt.Errorf("authenticate: %w", err)
	}
	var r struct {
		Success bool   `json:"success"`
		KeyID   int64  `json:"keyId"`
		Key     string `json:"key"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || !r.Success {
		return "", fmt.Errorf("authenticate: %s", out)
	}
	return fmt.Sprintf("%d:%s", r.KeyID, r.Key), nil
}

// child is a server process.
type child struct {
	kind, addr string
	cmd        *exec.Cmd
	codes      chan string
	logPath    string
}

func (c *child) url(path string) string { return "http://" + c.addr + path }

// start runs a server process of the given kind and waits until it
// answers.
func (b *bench) start(ctx context.Context, kind, dbURL string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-serve", kind, "-db", dbURL}
	if b.profileDir != "" {
		if err := os.MkdirAll(b.profileDir, 0o755); err != nil {
			return nil, err
		}
		args = append(args, "-cpuprofile", filepath.Join(b.profileDir, kind+".pprof"))
	}
	c := &child{kind: kind, codes: make(chan string, 4), logPath: filepath.Join(b.dir, kind+".log")}
	logFile, err := os.Create(c.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	c.cmd = exec.Command(exe, args...)
	c.cmd.Stderr = logFile
	setParentDeathSignal(c.cmd)
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	b.children = append(b.children, c)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 2 && f[0] == "listening":
				addr <- f[1]
			case len(f) == 3 && f[0] == "code":
				c.codes <- f[2]
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			log, _ := os.ReadFile(c.logPath)
			return nil, fmt.Errorf("the %s server did not start:\n%s", kind, log)
		}
		c.addr = a
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("the %s server did not start within a minute", kind)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return c, nil
}

// stopChildren ends the server processes this run started and waits for
// them (so that their profiles are complete).
func (b *bench) stopChildren() {
	for _, c := range b.children {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, c := range b.children {
		done := make(chan struct{})
		go func() { _ = c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(40 * time.Second):
			_ = c.cmd.Process.Kill()
			<-done
		}
	}
}
