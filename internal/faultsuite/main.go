//go:build linux

// Command faultsuite runs gopod servers under load and breaks what they
// depend on, and says how they fared:
//
//   - steady: the peak rate of an authenticated call that reads the
//     database, then 60 s at 70% of it: no errors, and goroutines and RSS
//     flat after warm-up;
//   - postgres: PostgreSQL stopped and started again under load (reads and
//     writes): calls fail fast with a 5xx while it is down, succeed again
//     within 5 s of its return, and no acknowledged write is lost;
//   - redis: two servers sharing Redis under load while Redis is killed
//     and started again: calls keep working, and a sign-out made on one
//     server while Redis was down reaches the other once it is back;
//   - migration: migrations killed at random points (SIGKILL of the
//     server, or of PostgreSQL), after which the next apply completes and
//     the schema equals the models;
//   - shutdown: SIGTERM under load: calls in flight complete, new ones are
//     refused, the process exits 0.
//
// It starts its own PostgreSQL (initdb into a temporary directory, its own
// loopback port; run as the postgres user when the suite runs as root) and
// its own redis-server, kills them by PID, and talks to loopback only. The
// servers are this binary run with -serve: pod.Main with the auth module,
// configured by files as a project is, with migrations written by gopod's
// generator.
//
//	go run ./internal/faultsuite                 # every scenario, about 5 minutes
//	go run ./internal/faultsuite -smoke          # each scenario briefly
//	go run ./internal/faultsuite -scenarios steady,postgres
//
// The exit status is 1 when a scenario fails its checks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config is the suite's settings.
type config struct {
	smoke      bool
	steady     time.Duration
	warmup     time.Duration
	peak       time.Duration
	conns      int
	migrations int
	keep       bool
}

func main() {
	serveMode := flag.Bool("serve", false, "run one server with the Serverpod flags after -- (internal)")
	scenarios := flag.String("scenarios", "steady,postgres,redis,migration,shutdown", "scenarios to run, in order")
	smoke := flag.Bool("smoke", false, "run each scenario briefly (a check that the suite works, not figures)")
	steady := flag.Duration("duration", 60*time.Second, "length of the steady load after warm-up")
	conns := flag.Int("conns", 32, "connections of the load generator")
	migrations := flag.Int("migration-kills", 12, "migrations to kill")
	keep := flag.Bool("keep", false, "keep the temporary directory (logs, data) for a look")
	flag.Parse()
	if *serveMode {
		os.Exit(serve(flag.Args()))
	}
	cfg := config{smoke: *smoke, steady: *steady, warmup: 10 * time.Second, peak: 10 * time.Second,
		conns: *conns, migrations: *migrations, keep: *keep}
	if cfg.smoke {
		cfg.steady, cfg.warmup, cfg.peak, cfg.migrations = 4*time.Second, 2*time.Second, 2*time.Second, 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed, err := run(ctx, cfg, strings.Split(*scenarios, ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, "faultsuite:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// suite is what the scenarios share.
type suite struct {
	cfg     config
	root    string
	pg      *postgres
	redis   *redisServer
	project *project
	servers []*server
	key     string // the signed-in user's key
	failed  bool
}

func run(ctx context.Context, cfg config, scenarios []string) (failed bool, err error) {
	root, err := os.MkdirTemp("", "faultsuite-")
	if err != nil {
		return false, err
	}
	// PostgreSQL runs as the postgres user when the suite runs as root,
	// and must reach its data directory.
	if err := os.Chmod(root, 0o755); err != nil {
		return false, err
	}
	s := &suite{cfg: cfg, root: root}
	defer func() {
		for _, srv := range s.servers {
			srv.kill()
		}
		if s.redis != nil {
			s.redis.kill()
		}
		if s.pg != nil {
			if err := s.pg.stop(); err != nil {
				fmt.Fprintln(os.Stderr, "stopping the suite's PostgreSQL:", err)
			}
		}
		if cfg.keep {
			fmt.Println("kept", root)
		} else {
			os.RemoveAll(root)
		}
	}()
	pgPort, err := freePort()
	if err != nil {
		return false, err
	}
	redisPort, err := freePort()
	if err != nil {
		return false, err
	}
	step("starting PostgreSQL on 127.0.0.1:%d", pgPort)
	if s.pg, err = startPostgres(ctx, filepath.Join(root, "pg"), pgPort); err != nil {
		return false, err
	}
	if s.project, err = writeProject(ctx, root, pgPort, redisPort); err != nil {
		return false, err
	}
	step("project with migrations %s", strings.Join(s.project.versions, ", "))
	if err := s.pg.createDatabase(ctx, "faultsuite"); err != nil {
		return false, err
	}
	s.redis = &redisServer{port: redisPort, dir: filepath.Join(root, "redis")}
	first, err := s.start("setup", false, "--apply-migrations")
	if err != nil {
		return false, err
	}
	if s.key, err = signUp(ctx, first, "load@example.com"); err != nil {
		return false, err
	}
	s.stopServer(first)

	for _, name := range scenarios {
		if ctx.Err() != nil {
			return s.failed, ctx.Err()
		}
		fmt.Printf("\n== %s\n", name)
		var err error
		switch strings.TrimSpace(name) {
		case "steady":
			err = s.steady(ctx)
		case "postgres":
			err = s.postgresRestart(ctx)
		case "redis":
			err = s.redisRestart(ctx)
		case "migration":
			err = s.migrationKills(ctx)
		case "shutdown":
			err = s.shutdown(ctx)
		default:
			err = fmt.Errorf("unknown scenario %q", name)
		}
		if err != nil {
			s.failed = true
			fmt.Printf("FAIL %s: %v\n", name, err)
		}
		for _, srv := range s.servers {
			srv.kill()
		}
		s.servers = nil
	}
	if s.failed {
		fmt.Println("\nFAIL")
	} else {
		fmt.Println("\nPASS")
	}
	return s.failed, nil
}

func step(format string, args ...any) {
	fmt.Printf("%s  %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// start runs a server of the project on the suite's database.
func (s *suite) start(name string, redis bool, args ...string) (*server, error) {
	env := []string{"SERVERPOD_REDIS_ENABLED=" + fmt.Sprint(redis)}
	srv, err := startServer(s.project.dir, s.root, name, env, true, args...)
	if err != nil {
		return nil, err
	}
	s.servers = append(s.servers, srv)
	return srv, nil
}

func (s *suite) stopServer(srv *server) {
	srv.stop()
	for i, x := range s.servers {
		if x == srv {
			s.servers = append(s.servers[:i], s.servers[i+1:]...)
			break
		}
	}
}

// check records a failed expectation without stopping the scenario.
func (s *suite) check(ok bool, format string, args ...any) {
	mark := "ok  "
	if !ok {
		mark = "FAIL"
		s.failed = true
	}
	fmt.Printf("  %s %s\n", mark, fmt.Sprintf(format, args...))
}

var errScenario = errors.New("scenario failed")
