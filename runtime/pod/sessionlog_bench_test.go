package pod

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/dblog"
)

// sessionLogMode is one way of running the benchmark's server.
type sessionLogMode struct {
	name string
	// settings are nil for a server without a database session log.
	settings func() dblog.LogSettings
}

var sessionLogModes = []sessionLogMode{
	{"none", nil},
	{"default", func() dblog.LogSettings { return dblog.DefaultRuntimeSettings().LogSettings }},
	{"all", func() dblog.LogSettings {
		s := dblog.DefaultRuntimeSettings().LogSettings
		s.LogAllSessions = true
		return s
	}},
}

// sessionLogServer returns a server whose session log runs in mode, and
// the function that stops it.
func sessionLogServer(t testing.TB, d *db.DB, mode sessionLogMode) (*Server, func()) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	opts := []Option{WithLogger(quiet), WithDatabase(d)}
	if mode.settings != nil {
		rs := dblog.DefaultRuntimeSettings()
		rs.LogSettings = mode.settings()
		loaded, err := dblog.LoadSettings(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		rs.ID = loaded.ID
		if err := dblog.StoreSettings(ctx, d, &rs); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, WithSessionLog(dblog.New(d, dblog.Options{ServerID: "bench", Console: quiet})))
	}
	srv := NewServer(loggedDispatch(), opts...)
	return srv, srv.startMachinery(ctx, config.RoleServerless)
}

// benchSessionLog measures loopback calls of a method that runs one query,
// on a server whose session log runs in mode, and writes the logs before
// it stops timing.
func benchSessionLog(b *testing.B, d *db.DB, mode sessionLogMode) (dropped, written uint64) {
	srv, stop := sessionLogServer(b, d, mode)
	defer stop()
	b.ResetTimer()
	benchLoopback(b, srv, "/logged/read", "")
	if l := srv.SessionLog(); l != nil {
		if err := l.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		dropped, written = l.Dropped(), l.Written()
	}
	return dropped, written
}

// BenchmarkSessionLog compares calls with no database session log, with
// Serverpod's default settings (slow and failed sessions: nothing for
// these calls) and with every session logged. With -count=N the modes run
// interleaved; TestSessionLogCost summarizes such runs.
func BenchmarkSessionLog(b *testing.B) {
	d := coreDB(b)
	for _, mode := range sessionLogModes {
		b.Run(mode.name, func(b *testing.B) {
			dropped, written := benchSessionLog(b, d, mode)
			if mode.name == "all" {
				b.ReportMetric(float64(dropped), "dropped")
				b.ReportMetric(float64(written), "written")
			}
		})
	}
}

// BenchmarkSessionLogInProcess is BenchmarkSessionLog without HTTP: what
// the session log adds to a call in allocations and CPU, the logs written
// as the calls go.
func BenchmarkSessionLogInProcess(b *testing.B) {
	d := coreDB(b)
	for _, mode := range sessionLogModes {
		b.Run(mode.name, func(b *testing.B) {
			srv, stop := sessionLogServer(b, d, mode)
			defer stop()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest("POST", "/logged/read", strings.NewReader(helloBody)))
				if rec.Code != 200 {
					b.Fatalf("status %d", rec.Code)
				}
			}
			if l := srv.SessionLog(); l != nil {
				if err := l.Flush(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var (
	sessionLogRounds = flag.Int("sessionlog.rounds", 0, "rounds of TestSessionLogCost (0 skips it)")
	sessionLogCalls  = flag.Int("sessionlog.calls", 2000, "calls per mode and round of TestSessionLogCost")
)

// TestSessionLogCost compares the cost of a call in each mode of
// BenchmarkSessionLog, the modes interleaved (their order alternating) for
// -sessionlog.rounds short rounds, as median and range of the ratios to
// mode "default" (calls per second of the mode over those of "default"):
//
//	go test ./runtime/pod -run SessionLogCost -v -args -sessionlog.rounds=40
//
// Each round serves -sessionlog.calls calls over loopback HTTP to a client
// in a separate process (this test binary run again), two at a time, and
// writes the logs. Two measures: calls per second seen by the client, which
// other work on the machine disturbs; and the CPU time per call of the
// server process and of the PostgreSQL backends serving its database, log
// writing included, which it disturbs far less. The client's own CPU time
// is in neither. With the CPUs to itself, a server's calls per second
// follow the second.
func TestSessionLogCost(t *testing.T) {
	if *sessionLogRounds <= 0 {
		t.Skip("a measurement; run with -sessionlog.rounds N")
	}
	d := coreDB(t)
	wall, cpu := map[string][]float64{}, map[string][]float64{}
	// extra is how much more CPU time per call logging every session
	// takes than the default settings, in the server and in the backends.
	var extraSelf, extraDB []float64
	// offCPU and offWall compare every session logged with no database
	// log at all, round by round.
	var offCPU, offWall []float64
	var lost uint64
	for round := range *sessionLogRounds {
		nsPerCall, cpuPerCall := map[string]float64{}, map[string]float64{}
		selfPerCall, dbPerCall := map[string]float64{}, map[string]float64{}
		order := slices.Clone(sessionLogModes)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, mode := range order {
			m := measureCalls(t, d, mode, *sessionLogCalls)
			nsPerCall[mode.name] = m.wall
			cpuPerCall[mode.name] = m.self + m.backends
			selfPerCall[mode.name], dbPerCall[mode.name] = m.self, m.backends
			lost += m.dropped
		}
		for _, mode := range sessionLogModes {
			wall[mode.name] = append(wall[mode.name], nsPerCall["default"]/nsPerCall[mode.name])
			cpu[mode.name] = append(cpu[mode.name], cpuPerCall["default"]/cpuPerCall[mode.name])
		}
		offCPU = append(offCPU, cpuPerCall["none"]/cpuPerCall["all"])
		offWall = append(offWall, nsPerCall["none"]/nsPerCall["all"])
		extraSelf = append(extraSelf, selfPerCall["all"]-selfPerCall["default"])
		extraDB = append(extraDB, dbPerCall["all"]-dbPerCall["default"])
		var line strings.Builder
		for _, mode := range sessionLogModes {
			fmt.Fprintf(&line, " %s %.0f/%.0f+%.0f", mode.name, nsPerCall[mode.name], selfPerCall[mode.name], dbPerCall[mode.name])
		}
		t.Logf("round %d, ns per call, loopback/CPU server+database:%s", round+1, line.String())
	}
	for _, mode := range sessionLogModes {
		w := slices.Sorted(slices.Values(wall[mode.name]))
		c := slices.Sorted(slices.Values(cpu[mode.name]))
		t.Logf("%-8s calls/s relative to default: loopback median %.3f (%.3f–%.3f), by CPU time median %.3f (%.3f–%.3f)",
			mode.name, median(w), w[0], w[len(w)-1], median(c), c[0], c[len(c)-1])
	}
	oc, ow := slices.Sorted(slices.Values(offCPU)), slices.Sorted(slices.Values(offWall))
	t.Logf("all      calls/s relative to none:    loopback median %.3f (%.3f–%.3f), by CPU time median %.3f (%.3f–%.3f)",
		median(ow), ow[0], ow[len(ow)-1], median(oc), oc[0], oc[len(oc)-1])
	es, ed := slices.Sorted(slices.Values(extraSelf)), slices.Sorted(slices.Values(extraDB))
	t.Logf("logging every session adds per call, median (min–max): %.1f µs (%.1f–%.1f) of CPU in the server, %.1f µs (%.1f–%.1f) in the database backends",
		median(es)/1e3, es[0]/1e3, es[len(es)-1]/1e3, median(ed)/1e3, ed[0]/1e3, ed[len(ed)-1]/1e3)
	t.Logf("sessions dropped: %d", lost)
}

// callCost is what measureCalls measured, per call in nanoseconds.
type callCost struct {
	wall, self, backends float64
	dropped              uint64
}

// measureCalls serves calls calls in mode over loopback HTTP to a client
// process, writes the logs, and returns the client's wall time and the CPU
// time of this process and of the database's backends per call.
func measureCalls(t *testing.T, d *db.DB, mode sessionLogMode, calls int) callCost {
	t.Helper()
	ctx := context.Background()
	srv, stop := sessionLogServer(t, d, mode)
	defer stop()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	// Warm up: the first calls open connections (the log writer's among
	// them) and prepare statements, once per server, not per call.
	for range 50 {
		srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/logged/read", strings.NewReader(helloBody)))
	}
	if l := srv.SessionLog(); l != nil {
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	selfBefore, dbBefore := cpuNow(t, d)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSessionLogClient$")
	cmd.Env = append(os.Environ(), sessionLogClientEnv+"="+ts.URL+"/logged/read "+strconv.Itoa(calls))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client: %v\n%s", err, out)
	}
	var c callCost
	if _, err := fmt.Sscanf(lastLine(string(out), "elapsed "), "elapsed %f", &c.wall); err != nil {
		t.Fatalf("client said: %s", out)
	}
	c.wall /= float64(calls)
	if l := srv.SessionLog(); l != nil {
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		c.dropped = l.Dropped()
	}
	selfAfter, dbAfter := cpuNow(t, d)
	c.self = float64(selfAfter-selfBefore) / float64(calls)
	var backends int64
	for pid, after := range dbAfter {
		// A backend that started meanwhile (an autovacuum worker, say)
		// counts whole; one that ended meanwhile is lost.
		backends += after - dbBefore[pid]
	}
	c.backends = float64(backends) / float64(calls)
	return c
}

func lastLine(out, prefix string) string {
	for _, l := range slices.Backward(strings.Split(out, "\n")) {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

const sessionLogClientEnv = "GOPOD_SESSIONLOG_CLIENT"

// TestSessionLogClient is the client process of TestSessionLogCost: it
// makes the calls the environment names, two at a time, and prints how
// long they took.
func TestSessionLogClient(t *testing.T) {
	spec := os.Getenv(sessionLogClientEnv)
	if spec == "" {
		t.Skip("the client of TestSessionLogCost")
	}
	url, n, _ := strings.Cut(spec, " ")
	calls, err := strconv.Atoi(n)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	call := func() error {
		resp, err := client.Post(url, "application/json", strings.NewReader(helloBody))
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		return err
	}
	// Open both connections before timing.
	for range 2 {
		if err := call(); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls / 2 {
				if err := call(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	fmt.Printf("\nelapsed %d\n", elapsed.Nanoseconds())
}

// cpuNow is the CPU time, in nanoseconds, this process and each backend
// connected to d's database have used.
func cpuNow(t *testing.T, d *db.DB) (self int64, backends map[int32]int64) {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	self = ru.Utime.Nano() + ru.Stime.Nano()
	rows, err := d.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		t.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	backends = map[int32]int64{}
	for _, pid := range pids {
		// The first field of schedstat is the time on a CPU, in ns.
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
		if errors.Is(err, fs.ErrNotExist) {
			continue // it ended since
		}
		if err != nil {
			t.Skipf("cannot read the backends' CPU time: %v", err)
		}
		f := strings.Fields(string(b))
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		backends[pid] = n
	}
	return self, backends
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
