package pod

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

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

var sessionLogRounds = flag.Int("sessionlog.rounds", 0, "rounds of TestSessionLogCost (0 skips it)")

// TestSessionLogCost compares the cost of a call in each mode of
// BenchmarkSessionLog, the modes interleaved for -sessionlog.rounds rounds,
// as median and range of the ratios to mode "default" (calls per second of
// the mode over those of "default"):
//
//	go test ./runtime/pod -run SessionLogCost -v -args -sessionlog.rounds=20
//
// Two measures: loopback calls per second (testing.Benchmark), which other
// work on the machine disturbs; and CPU time per call of the server and of
// the PostgreSQL backends serving its database, log writing included, which
// it disturbs far less. With the CPUs to itself, a server's calls per second
// follow the second.
func TestSessionLogCost(t *testing.T) {
	if *sessionLogRounds <= 0 {
		t.Skip("a measurement; run with -sessionlog.rounds N")
	}
	d := coreDB(t)
	wall, cpu := map[string][]float64{}, map[string][]float64{}
	// extra is how much more CPU time per call logging every session
	// takes than the default settings, in this process and in the backends.
	var extraSelf, extraDB []float64
	var lost uint64
	for round := range *sessionLogRounds {
		nsPerCall, cpuPerCall := map[string]float64{}, map[string]float64{}
		selfPerCall, dbPerCall := map[string]float64{}, map[string]float64{}
		order := slices.Clone(sessionLogModes)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, mode := range order {
			var dropped uint64
			r := testing.Benchmark(func(b *testing.B) { dropped, _ = benchSessionLog(b, d, mode) })
			nsPerCall[mode.name] = float64(r.T.Nanoseconds()) / float64(r.N)
			self, backends, cpuDropped := measureCPU(t, d, mode, 4000)
			cpuPerCall[mode.name] = self + backends
			selfPerCall[mode.name], dbPerCall[mode.name] = self, backends
			lost += dropped + cpuDropped
		}
		for _, mode := range sessionLogModes {
			wall[mode.name] = append(wall[mode.name], nsPerCall["default"]/nsPerCall[mode.name])
			cpu[mode.name] = append(cpu[mode.name], cpuPerCall["default"]/cpuPerCall[mode.name])
		}
		extraSelf = append(extraSelf, selfPerCall["all"]-selfPerCall["default"])
		extraDB = append(extraDB, dbPerCall["all"]-dbPerCall["default"])
		var line strings.Builder
		for _, mode := range sessionLogModes {
			fmt.Fprintf(&line, " %s %.0f/%.0f", mode.name, nsPerCall[mode.name], cpuPerCall[mode.name])
		}
		t.Logf("round %d, loopback/CPU ns per call:%s", round+1, line.String())
	}
	for _, mode := range sessionLogModes {
		w := slices.Sorted(slices.Values(wall[mode.name]))
		c := slices.Sorted(slices.Values(cpu[mode.name]))
		t.Logf("%-8s calls/s relative to default: loopback median %.3f (%.3f–%.3f), by CPU time median %.3f (%.3f–%.3f)",
			mode.name, median(w), w[0], w[len(w)-1], median(c), c[0], c[len(c)-1])
	}
	es, ed := slices.Sorted(slices.Values(extraSelf)), slices.Sorted(slices.Values(extraDB))
	t.Logf("logging every session adds per call, median: %.1f µs of CPU in the server, %.1f µs in the database backends",
		median(es)/1e3, median(ed)/1e3)
	t.Logf("sessions dropped: %d", lost)
}

// measureCPU runs calls in-process calls in mode from two goroutines, writes
// the logs, and returns the CPU time per call of this process and of the
// database's backends.
func measureCPU(t *testing.T, d *db.DB, mode sessionLogMode, calls int) (self, backends float64, dropped uint64) {
	t.Helper()
	ctx := context.Background()
	srv, stop := sessionLogServer(t, d, mode)
	defer stop()
	selfBefore, dbBefore := cpuNow(t, d)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls / 2 {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest("POST", "/logged/read", strings.NewReader(helloBody)))
				if rec.Code != 200 {
					t.Errorf("status %d", rec.Code)
					return
				}
			}
		}()
	}
	wg.Wait()
	if l := srv.SessionLog(); l != nil {
		if err := l.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		dropped = l.Dropped()
	}
	selfAfter, dbAfter := cpuNow(t, d)
	return float64(selfAfter-selfBefore) / float64(calls), float64(dbAfter-dbBefore) / float64(calls), dropped
}

// cpuNow is the CPU time, in nanoseconds, this process and the backends
// connected to d's database have used.
func cpuNow(t *testing.T, d *db.DB) (self, backends int64) {
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
	for _, pid := range pids {
		// The first field of schedstat is the time on a CPU, in ns.
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
		if err != nil {
			t.Skipf("cannot read the backends' CPU time: %v", err)
		}
		f := strings.Fields(string(b))
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		backends += n
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
