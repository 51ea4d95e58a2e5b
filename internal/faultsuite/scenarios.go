//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

const password = "faultsuite-password-1"

// signUp creates an account through the auth module's email endpoints and
// signs in, returning the key ("<id>:<secret>").
func signUp(ctx context.Context, srv *server, email string) (string, error) {
	c := newCaller("", 1, 30*time.Second)
	r := c.call(ctx, srv.url("/serverpod_auth.email"), map[string]any{"method": "createAccountRequest", "userName": "load", "email": email, "password": password})
	if r.err != nil || r.status != http.StatusOK || string(r.body) != "true" {
		return "", fmt.Errorf("createAccountRequest: %d %s %v", r.status, r.body, r.err)
	}
	code, err := srv.grep(regexp.MustCompile(`validation-code email=`+regexp.QuoteMeta(email)+` code=(\S+)`), 10*time.Second)
	if err != nil {
		return "", err
	}
	r = c.call(ctx, srv.url("/serverpod_auth.email"), map[string]any{"method": "createAccount", "email": email, "verificationCode": code})
	if r.err != nil || r.status != http.StatusOK || string(r.body) == "null" {
		return "", fmt.Errorf("createAccount: %d %s %v", r.status, r.body, r.err)
	}
	return signIn(ctx, srv, email)
}

func signIn(ctx context.Context, srv *server, email string) (string, error) {
	c := newCaller("", 1, 30*time.Second)
	r := c.call(ctx, srv.url("/serverpod_auth.email"), map[string]any{"method": "authenticate", "email": email, "password": password})
	var resp struct {
		Success bool   `json:"success"`
		Key     string `json:"key"`
		KeyID   int64  `json:"keyId"`
	}
	if r.err != nil || r.status != http.StatusOK || json.Unmarshal(r.body, &resp) != nil || !resp.Success {
		return "", fmt.Errorf("authenticate: %d %s %v", r.status, r.body, r.err)
	}
	return fmt.Sprintf("%d:%s", resp.KeyID, resp.Key), nil
}

func readJob(url string) job {
	return func(ctx context.Context, c *caller) result {
		return c.call(ctx, url, map[string]any{"method": "read"})
	}
}

// statsClient samples without keeping connections open, which would be
// counted among the server's goroutines.
var statsClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// stats is a sample of a server's goroutines and memory.
type stats struct {
	at         time.Duration
	goroutines int
	rssKiB     int64
}

func sample(ctx context.Context, srv *server) (stats, error) {
	var s stats
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.url(statsPath), nil)
	resp, err := statsClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	var body struct {
		Goroutines int `json:"goroutines"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return s, err
	}
	s.goroutines = body.Goroutines
	s.rssKiB, err = rssKiB(srv.cmd.Process.Pid)
	return s, err
}

// dumpGoroutines prints the server's goroutines, grouped by stack.
func dumpGoroutines(ctx context.Context, srv *server) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.url(statsPath+"?goroutines"), nil)
	resp, err := statsClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	_, _ = io.Copy(os.Stdout, resp.Body)
}

// idleSample samples the server once the connections of earlier load
// are gone.
func idleSample(ctx context.Context, srv *server) (stats, error) {
	time.Sleep(2 * time.Second)
	return sample(ctx, srv)
}

// peak measures the highest rate of authenticated reads the server
// serves with cfg.conns connections.
func (s *suite) peak(ctx context.Context, srv *server) (float64, error) {
	c := newCaller(s.key, s.cfg.conns, 10*time.Second)
	// A short run first, so that connections and caches are warm.
	runLoad(ctx, c, s.cfg.conns, 0, s.cfg.peak/4, func(int64) job { return readJob(srv.url("/load")) })
	lr := runLoad(ctx, c, s.cfg.conns, 0, s.cfg.peak, func(int64) job { return readJob(srv.url("/load")) })
	c.http.CloseIdleConnections()
	sum := summarize(lr.results, s.cfg.peak)
	fmt.Printf("  peak: %v\n", sum)
	if sum.ok == 0 || sum.ok != sum.calls {
		return 0, fmt.Errorf("%w: the peak run had failures: %q", errScenario, firstErrors(lr.results, 3))
	}
	return sum.rate, nil
}

// steady: 70% of the peak for cfg.steady after cfg.warmup.
func (s *suite) steady(ctx context.Context) error {
	srv, err := s.start("steady", false)
	if err != nil {
		return err
	}
	peak, err := s.peak(ctx, srv)
	if err != nil {
		return err
	}
	rate := 0.7 * peak
	total := s.cfg.warmup + s.cfg.steady
	idleBefore, err := idleSample(ctx, srv)
	if err != nil {
		return err
	}
	step("%.0f calls/s (70%% of %.0f) for %v, the first %v warm-up", rate, peak, total, s.cfg.warmup)
	var samples []stats
	var mu sync.Mutex
	sctx, stopSampling := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-tick.C:
			}
			st, err := sample(sctx, srv)
			if err == nil {
				st.at = time.Since(start)
				mu.Lock()
				samples = append(samples, st)
				mu.Unlock()
			}
		}
	}()
	// Enough workers that a burst of slow answers does not hold up the
	// calls due meanwhile (which would lower the rate asked for).
	workers := 8 * s.cfg.conns
	c := newCaller(s.key, workers, 10*time.Second)
	lr := runLoad(ctx, c, workers, rate, total, func(int64) job { return readJob(srv.url("/load")) })
	stopSampling()
	wg.Wait()
	c.http.CloseIdleConnections()
	idleAfter, err := idleSample(ctx, srv)
	if err != nil {
		return err
	}
	sum := summarize(lr.results, total)
	fmt.Printf("  load: %v; %d calls started late (generator behind)\n", sum, lr.behind.Load())
	s.check(sum.ok == sum.calls && sum.calls > 0, "zero errors (%d of %d failed: %q)", sum.calls-sum.ok, sum.calls, firstErrors(lr.results, 3))
	window := min(10*time.Second, s.cfg.steady/2)
	early := average(samples, s.cfg.warmup, s.cfg.warmup+window)
	late := average(samples, total-window, total)
	fmt.Printf("  after warm-up: %.0f goroutines, %.1f MiB RSS; at the end: %.0f goroutines, %.1f MiB RSS (%d samples)\n",
		early.goroutines, early.rss/1024, late.goroutines, late.rss/1024, len(samples))
	// Flat: under load the goroutines vary with the calls in flight,
	// which the load's connections bound; idle, before and after the
	// load, they must be the same. RSS grows by less than a tenth.
	s.check(late.goroutines <= early.goroutines+float64(workers), "goroutines under load within the load's %d connections (%.0f → %.0f)", workers, early.goroutines, late.goroutines)
	s.check(idleAfter.goroutines <= idleBefore.goroutines+5, "goroutines idle before and after the load (%d → %d)", idleBefore.goroutines, idleAfter.goroutines)
	if idleAfter.goroutines > idleBefore.goroutines+5 {
		dumpGoroutines(ctx, srv)
	}
	s.check(late.rss <= early.rss*1.10+2048, "RSS flat (%.1f → %.1f MiB)", early.rss/1024, late.rss/1024)
	return nil
}

type meanStats struct{ goroutines, rss float64 }

func average(samples []stats, from, to time.Duration) meanStats {
	var m meanStats
	n := 0
	for _, st := range samples {
		if st.at >= from && st.at <= to {
			m.goroutines += float64(st.goroutines)
			m.rss += float64(st.rssKiB)
			n++
		}
	}
	if n > 0 {
		m.goroutines /= float64(n)
		m.rss /= float64(n)
	}
	return m
}

// mixedJob alternates reads and writes; a write's result carries its seq.
func mixedJob(url, client string, acked *ackLog) func(i int64) job {
	return func(i int64) job {
		if i%2 == 0 {
			return readJob(url)
		}
		return func(ctx context.Context, c *caller) result {
			r := c.call(ctx, url, map[string]any{"method": "write", "client": client, "seq": i})
			if r.err == nil && r.status == http.StatusOK && string(r.body) == fmt.Sprint(i) {
				acked.add(i)
			}
			return r
		}
	}
}

type ackLog struct {
	mu   sync.Mutex
	seqs []int64
}

func (a *ackLog) add(seq int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seqs = append(a.seqs, seq)
}

// lost returns the acknowledged writes of client missing from the database.
func (s *suite) lost(ctx context.Context, client string, acked *ackLog) ([]int64, error) {
	d, err := db.Open(ctx, s.pg.url("faultsuite"))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	rows, err := d.Query(ctx, `SELECT "seq" FROM "ack" WHERE "client" = $1`, client)
	if err != nil {
		return nil, err
	}
	stored := map[int64]bool{}
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		stored[seq] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var lost []int64
	for _, seq := range acked.seqs {
		if !stored[seq] {
			lost = append(lost, seq)
		}
	}
	return lost, nil
}

// outage describes the calls around a fault: those started while it
// lasted and how long the service took to come back.
func outage(rs []result, from, back time.Time) (during summary, failedMax time.Duration, recovered time.Duration, afterFailures int) {
	var in []result
	var lastFailure time.Time
	for _, r := range rs {
		ok := r.err == nil && r.status == http.StatusOK
		if !r.start.Before(from) && r.start.Before(back) {
			in = append(in, r)
			if !ok {
				failedMax = max(failedMax, r.latency)
			}
		}
		if !ok && !r.start.Before(from) {
			lastFailure = r.start
		}
		if !ok && !r.start.Before(back) {
			afterFailures++
		}
	}
	during = summarize(in, back.Sub(from))
	if lastFailure.After(back) {
		recovered = lastFailure.Sub(back)
	}
	return during, failedMax, recovered, afterFailures
}

// postgresRestart: PostgreSQL stopped for a few seconds under reads and
// writes, then started again.
func (s *suite) postgresRestart(ctx context.Context) error {
	srv, err := s.start("pgrestart", false)
	if err != nil {
		return err
	}
	peak, err := s.peak(ctx, srv)
	if err != nil {
		return err
	}
	rate := 0.7 * peak
	before, down := 5*time.Second, 3*time.Second
	total := before + down + 12*time.Second
	if s.cfg.smoke {
		before, down, total = 2*time.Second, 2*time.Second, 10*time.Second
	}
	acked := &ackLog{}
	c := newCaller(s.key, 2*s.cfg.conns, 10*time.Second)
	var lr *loadRun
	done := make(chan struct{})
	go func() {
		defer close(done)
		lr = runLoad(ctx, c, 2*s.cfg.conns, rate, total, mixedJob(srv.url("/load"), "pgrestart", acked))
	}()
	time.Sleep(before)
	step("stopping PostgreSQL under %.0f calls/s (half writes)", rate)
	stopAt := time.Now()
	if err := s.pg.stop(); err != nil {
		return err
	}
	time.Sleep(down)
	step("starting PostgreSQL")
	if err := s.pg.start(ctx); err != nil {
		return err
	}
	backAt := time.Now()
	step("PostgreSQL is back after %v", backAt.Sub(stopAt).Round(time.Millisecond))
	<-done
	sum := summarize(lr.results, total)
	fmt.Printf("  load: %v; %d calls started late (generator behind)\n", sum, lr.behind.Load())
	during, failedMax, recovered, after := outage(lr.results, stopAt, backAt)
	fmt.Printf("  while down: %v\n", during)
	failed := failedOnly(lr.results, stopAt, backAt)
	n503 := 0
	for _, r := range failed {
		if r.status == http.StatusServiceUnavailable {
			n503++
		}
	}
	s.check(len(failed) > 0 && n503 == len(failed), "failures while down are 503 answers (%d of %d; %d other 5xx, %d other status, %d transport errors: %q)",
		n503, len(failed), during.status5xx-n503, during.otherStatus, during.transport, firstErrors(failed, 3))
	s.check(failedMax < 2*time.Second, "failed calls fail fast (slowest %v)", round(failedMax))
	s.check(recovered <= 5*time.Second, "calls succeed again within 5 s of PostgreSQL's return (last failure %v after; %d failures after)", round(recovered), after)
	lost, err := s.lost(ctx, "pgrestart", acked)
	if err != nil {
		return err
	}
	s.check(len(lost) == 0, "no acknowledged write lost (%d acknowledged, %d lost)", len(acked.seqs), len(lost))
	return nil
}

func failedOnly(rs []result, from, to time.Time) []result {
	var out []result
	for _, r := range rs {
		if !r.start.Before(from) && r.start.Before(to) && (r.err != nil || r.status != http.StatusOK) {
			out = append(out, r)
		}
	}
	return out
}

// redisRestart: two servers sharing Redis under load; Redis killed and
// started again; a sign-out on one server while Redis is down must reach
// the other once Redis is back.
func (s *suite) redisRestart(ctx context.Context) error {
	if err := s.redis.start(); err != nil {
		return err
	}
	a, err := s.start("redis-a", true)
	if err != nil {
		return err
	}
	b, err := s.start("redis-b", true)
	if err != nil {
		return err
	}
	// A second device of the user: used on b, signed out on a.
	device, err := signIn(ctx, a, "load@example.com")
	if err != nil {
		return err
	}
	onB := newCaller(device, 1, 5*time.Second)
	if r := onB.call(ctx, b.url("/load"), map[string]any{"method": "read"}); r.status != http.StatusOK {
		return fmt.Errorf("the second device's key on b: %d %s %v", r.status, r.body, r.err)
	}
	before, down := 5*time.Second, 4*time.Second
	total := before + down + 15*time.Second
	if s.cfg.smoke {
		before, down, total = 2*time.Second, 2*time.Second, 10*time.Second
	}
	rate := 400.0
	c := newCaller(s.key, s.cfg.conns, 10*time.Second)
	var lr *loadRun
	done := make(chan struct{})
	go func() {
		defer close(done)
		urls := []string{a.url("/load"), b.url("/load")}
		lr = runLoad(ctx, c, s.cfg.conns, rate, total, func(i int64) job { return readJob(urls[i%2]) })
	}()
	time.Sleep(before)
	step("killing Redis under %.0f calls/s on two servers", rate)
	killAt := time.Now()
	s.redis.kill()
	time.Sleep(down / 2)
	// Sign the device out on a while Redis is down.
	out := newCaller(device, 1, 10*time.Second).call(ctx, a.url("/serverpod_auth.status"), map[string]any{"method": "signOutDevice"})
	s.check(out.err == nil && out.status == http.StatusOK, "sign-out on a while Redis is down answers (%d %s %v)", out.status, strings.TrimSpace(string(out.body)), out.err)
	time.Sleep(down / 2)
	step("starting Redis")
	if err := s.redis.start(); err != nil {
		return err
	}
	backAt := time.Now()
	// The revocation must reach b: its key stops working there.
	revoked := time.Duration(-1)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		r := onB.call(ctx, b.url("/load"), map[string]any{"method": "read"})
		if r.status == http.StatusUnauthorized {
			revoked = time.Since(backAt)
			break
		}
	}
	<-done
	sum := summarize(lr.results, total)
	fmt.Printf("  load: %v\n", sum)
	during, _, _, _ := outage(lr.results, killAt, backAt)
	fmt.Printf("  while Redis was down: %v\n", during)
	s.check(sum.ok == sum.calls, "calls keep working (%d of %d failed: %q)", sum.calls-sum.ok, sum.calls, firstErrors(lr.results, 3))
	if revoked >= 0 {
		s.check(true, "the sign-out made on a while Redis was down reaches b %v after Redis is back", round(revoked))
	} else {
		s.check(false, "the sign-out made on a while Redis was down did not reach b within 30 s of Redis being back")
	}
	return nil
}

// migrationKills: migrations killed at random points; the next apply
// completes and the schema equals the models.
func (s *suite) migrationKills(ctx context.Context) error {
	// How long each kind of apply takes, process start included: the
	// kills fall at random points within it.
	full, err := s.probeApply(ctx, "mig_probe", false)
	if err != nil {
		return err
	}
	upgradeTime, err := s.probeApply(ctx, "mig_probe_up", true)
	if err != nil {
		return err
	}
	step("an apply takes %v on an empty database, %v from the first migration (%d rows); killing %d",
		full.Round(time.Millisecond), upgradeTime.Round(time.Millisecond), ackRows, s.cfg.migrations)
	failures, interrupted := 0, 0
	for i := range s.cfg.migrations {
		name := fmt.Sprintf("mig_%d", i)
		upgrade := i%2 == 1 // the second migration on a database at the first
		if err := s.prepareMigration(ctx, name, upgrade); err != nil {
			return err
		}
		window := full
		if upgrade {
			window = upgradeTime
		}
		killPostgres := i%4 >= 2
		delay := time.Duration(rand.Int64N(int64(window)))
		what := "server"
		if killPostgres {
			what = "PostgreSQL"
		}
		kind := "definition on an empty database"
		if upgrade {
			kind = "migration " + s.project.versions[1]
		}
		err := s.apply(ctx, s.project.dir, name, func(srv *server) error {
			time.Sleep(delay)
			if killPostgres {
				if err := s.pg.kill(); err != nil {
					return err
				}
				return s.pg.start(ctx)
			}
			srv.signal(syscall.SIGKILL)
			return nil
		})
		if err != nil && !errors.Is(err, errKilled) {
			return err
		}
		// Where the kill left the database: a kill that came after the
		// apply finished tests nothing, and is said so.
		state := "the apply had finished"
		if errors.Is(err, errKilled) {
			in, ierr := s.integrity(ctx, name)
			if ierr != nil {
				return ierr
			}
			state = fmt.Sprintf("killed with %s installed", orNone(in.Installed))
			interrupted++
		}
		// The next apply completes, and leaves the schema as the models say.
		if err := s.apply(ctx, s.project.dir, name, nil); err != nil {
			fmt.Printf("  FAIL %s killed after %v in %s (%s): the next apply: %v\n", what, delay.Round(time.Millisecond), kind, state, err)
			failures++
			continue
		}
		in, err := s.integrity(ctx, name)
		if err != nil {
			return err
		}
		ok := len(in.Pending) == 0 && len(in.Drift) == 0 && in.Installed == s.project.versions[len(s.project.versions)-1]
		if !ok {
			failures++
		}
		mark := "ok  "
		if !ok {
			mark = "FAIL"
		}
		fmt.Printf("  %s %s killed after %v in %s (%s): next apply completes; installed %s, %d pending, %d differences from the models %q\n",
			mark, what, delay.Round(time.Millisecond), kind, state, in.Installed, len(in.Pending), len(in.Drift), in.Drift)
	}
	s.check(failures == 0, "%d of %d killed migrations (%d interrupted mid-apply) recovered with the schema of the models", s.cfg.migrations-failures, s.cfg.migrations, interrupted)
	return nil
}

// ackRows fills the ack table before the second migration, which adds
// a column and an index to it, so that the migration takes long enough to
// be killed halfway.
const ackRows = 300000

// prepareMigration makes database name: empty, or at the first migration
// with ackRows rows in ack.
func (s *suite) prepareMigration(ctx context.Context, name string, upgrade bool) error {
	if err := s.pg.createDatabase(ctx, name); err != nil {
		return err
	}
	if !upgrade {
		return nil
	}
	if err := s.apply(ctx, s.project.v1Dir, name, nil); err != nil {
		return err
	}
	d, err := db.Open(ctx, s.pg.url(name))
	if err != nil {
		return err
	}
	defer d.Close()
	_, err = d.Exec(ctx, `INSERT INTO "ack" ("client", "seq") SELECT 'fill-' || (n % 97), n FROM generate_series(1, $1) AS n`, ackRows)
	return err
}

// probeApply times an apply of the latest migrations.
func (s *suite) probeApply(ctx context.Context, name string, upgrade bool) (time.Duration, error) {
	if err := s.prepareMigration(ctx, name, upgrade); err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := s.apply(ctx, s.project.dir, name, nil); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

var errKilled = errors.New("killed")

func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// apply runs the server in the maintenance role with --apply-migrations on
// database name, in project dir; fault, when given, runs meanwhile.
func (s *suite) apply(ctx context.Context, dir, name string, fault func(*server) error) error {
	env := []string{"SERVERPOD_DATABASE_NAME=" + name, "SERVERPOD_REDIS_ENABLED=false"}
	srv, err := startServer(dir, s.root, "apply-"+name, env, false, "--role", "maintenance", "--apply-migrations")
	if err != nil {
		return err
	}
	if fault != nil {
		if err := fault(srv); err != nil {
			srv.kill()
			return err
		}
	}
	code, err := srv.wait(2 * time.Minute)
	if err != nil {
		srv.kill()
		return err
	}
	if code != 0 {
		if fault != nil {
			return errKilled
		}
		return fmt.Errorf("apply exited %d; its log ends:\n%s", code, srv.tail())
	}
	return nil
}

func (s *suite) integrity(ctx context.Context, name string) (*pod.Integrity, error) {
	d, err := db.Open(ctx, s.pg.url(name))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return pod.CheckIntegrity(ctx, d, os.DirFS(s.project.dir), projectName)
}

// shutdown: SIGTERM while calls are in flight and more keep coming.
func (s *suite) shutdown(ctx context.Context) error {
	srv, err := s.start("shutdown", false)
	if err != nil {
		return err
	}
	const slowCalls, slowMS = 16, 3000
	c := newCaller(s.key, s.cfg.conns+slowCalls, 20*time.Second)
	var lr *loadRun
	done := make(chan struct{})
	go func() {
		defer close(done)
		lr = runLoad(ctx, c, s.cfg.conns, 300, 8*time.Second, func(int64) job { return readJob(srv.url("/load")) })
	}()
	time.Sleep(time.Second)
	slow := make(chan result, slowCalls)
	for range slowCalls {
		go func() {
			slow <- c.call(ctx, srv.url("/load"), map[string]any{"method": "slow", "ms": slowMS})
		}()
	}
	time.Sleep(500 * time.Millisecond)
	step("SIGTERM with %d calls of %d ms in flight, under 300 calls/s", slowCalls, slowMS)
	termAt := time.Now()
	srv.signal(syscall.SIGTERM)
	code, err := srv.wait(40 * time.Second)
	exited := time.Since(termAt)
	if err != nil {
		return err
	}
	completed := 0
	var slowErrs []string
	for range slowCalls {
		r := <-slow
		if r.err == nil && r.status == http.StatusOK {
			completed++
		} else {
			slowErrs = append(slowErrs, fmt.Sprint(r.status, " ", r.err))
		}
	}
	<-done
	after := failedOnly(lr.results, termAt, time.Now())
	refused, unclean := 0, 0
	var uncleanErrs []string
	for _, r := range after {
		if r.err != nil && closedBeforeAnswer(r.err) {
			refused++
		} else {
			unclean++
			if len(uncleanErrs) < 3 {
				uncleanErrs = append(uncleanErrs, fmt.Sprint(r.status, " ", r.err))
			}
		}
	}
	before := summarize(beforeTime(lr.results, termAt), 0)
	fmt.Printf("  before SIGTERM: %v\n", before)
	s.check(code == 0, "the server exits 0 (exit %d, after %v)", code, round(exited))
	s.check(completed == slowCalls, "calls in flight complete (%d of %d; %q)", completed, slowCalls, slowErrs)
	s.check(unclean == 0, "calls after SIGTERM are refused cleanly (%d refused, %d otherwise: %q)", refused, unclean, uncleanErrs)
	return nil
}

// closedBeforeAnswer reports whether a call failed without the server
// taking it: the port was closed, or the server closed an idle
// keep-alive connection as the request went out (which a client retries).
func closedBeforeAnswer(err error) bool {
	msg := err.Error()
	for _, s := range []string{"connection refused", "server closed idle connection", "EOF", "connection reset by peer"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func beforeTime(rs []result, t time.Time) []result {
	var out []result
	for _, r := range rs {
		if r.start.Before(t) {
			out = append(out, r)
		}
	}
	return out
}
