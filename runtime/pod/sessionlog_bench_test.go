package pod

import (
	"context"
	"flag"
	"log/slog"
	"slices"
	"testing"

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

// benchSessionLog measures loopback calls of a method that runs one query,
// on a server whose session log runs in mode.
func benchSessionLog(b *testing.B, d *db.DB, mode sessionLogMode) (dropped, written uint64) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	opts := []Option{WithLogger(quiet), WithDatabase(d)}
	if mode.settings != nil {
		rs := dblog.DefaultRuntimeSettings()
		rs.LogSettings = mode.settings()
		loaded, err := dblog.LoadSettings(ctx, d)
		if err != nil {
			b.Fatal(err)
		}
		rs.ID = loaded.ID
		if err := dblog.StoreSettings(ctx, d, &rs); err != nil {
			b.Fatal(err)
		}
		opts = append(opts, WithSessionLog(dblog.New(d, dblog.Options{ServerID: "bench", Console: quiet})))
	}
	srv := NewServer(loggedDispatch(), opts...)
	stop := srv.startMachinery(ctx, config.RoleServerless)
	benchLoopback(b, srv, "/logged/read", "")
	b.StopTimer()
	if l := srv.SessionLog(); l != nil {
		if err := l.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		dropped, written = l.Dropped(), l.Written()
	}
	stop()
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

// TestSessionLogCost runs BenchmarkSessionLog's modes interleaved for
// -sessionlog.rounds rounds and reports calls per second of each mode
// relative to "default", as median and range:
//
//	go test -run SessionLogCost -sessionlog.rounds 10 ./runtime/pod
func TestSessionLogCost(t *testing.T) {
	if *sessionLogRounds <= 0 {
		t.Skip("a measurement; run with -sessionlog.rounds N")
	}
	d := coreDB(t)
	ratios := map[string][]float64{}
	var lost uint64
	for round := range *sessionLogRounds {
		nsPerOp := map[string]float64{}
		order := slices.Clone(sessionLogModes)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, mode := range order {
			var dropped uint64
			r := testing.Benchmark(func(b *testing.B) { dropped, _ = benchSessionLog(b, d, mode) })
			nsPerOp[mode.name] = float64(r.T.Nanoseconds()) / float64(r.N)
			lost += dropped
		}
		for _, mode := range sessionLogModes {
			// Calls per second of the mode over those of "default".
			ratios[mode.name] = append(ratios[mode.name], nsPerOp["default"]/nsPerOp[mode.name])
		}
		t.Logf("round %d: ns/call %v", round+1, nsPerOp)
	}
	for _, mode := range sessionLogModes {
		r := slices.Sorted(slices.Values(ratios[mode.name]))
		t.Logf("%-8s calls/s relative to default: median %.3f, range %.3f–%.3f", mode.name, median(r), r[0], r[len(r)-1])
	}
	t.Logf("sessions dropped while logging all: %d", lost)
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
