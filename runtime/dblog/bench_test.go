package dblog

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// benchBatch sets the writer's MaxBatch in BenchmarkLogEverySession, to
// see what a batch costs beyond its rows.
var benchBatch = flag.Int("dblog.batch", 0, "MaxBatch of BenchmarkLogEverySession (0: the default)")

// BenchmarkLogEverySession is the cost of logging one session with every
// session logged: open, close, and its share of the batched write, until
// the rows are in the table. db-ns/op is the CPU time of the database
// backends per session.
func BenchmarkLogEverySession(b *testing.B) {
	ctx := context.Background()
	if _, err := database.Exec(ctx, `DELETE FROM serverpod_runtime_settings`); err != nil {
		b.Fatal(err)
	}
	rs := DefaultRuntimeSettings()
	rs.LogSettings.LogAllSessions = true
	if err := StoreSettings(ctx, database, &rs); err != nil {
		b.Fatal(err)
	}
	// Sessions here close far faster than calls end: a queue that holds
	// them all makes the time until Flush returns the writer's.
	l := New(database, Options{ServerID: "bench", Console: slog.New(slog.DiscardHandler), Writer: WriterOptions{QueueSize: b.N + 1, MaxBatch: *benchBatch}})
	if err := l.Start(ctx); err != nil {
		b.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(runCtx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	b.ReportAllocs()
	before := backendsCPU(b)
	b.ResetTimer()
	for range b.N {
		l.Open(SessionInfo{Endpoint: "example", Method: "hello"}).Close(Outcome{})
	}
	if err := l.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(backendsCPU(b)-before)/float64(b.N), "db-ns/op")
	if l.Dropped() > 0 {
		b.Fatalf("%d sessions dropped", l.Dropped())
	}
}

// backendsCPU is the CPU time, in nanoseconds, the backends connected to
// the test database have used.
func backendsCPU(b *testing.B) int64 {
	b.Helper()
	rows, err := database.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	for _, pid := range pids {
		// The first field of schedstat is the time on a CPU, in ns.
		s, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
		if err != nil {
			b.Skipf("cannot read the backends' CPU time: %v", err)
		}
		n, err := strconv.ParseInt(strings.Fields(string(s))[0], 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		total += n
	}
	return total
}
