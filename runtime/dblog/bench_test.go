package dblog

import (
	"context"
	"log/slog"
	"testing"
)

// BenchmarkLogEverySession is the cost of logging one session with every
// session logged: open, close, and its share of the batched write, until
// the rows are in the table.
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
	l := New(database, Options{ServerID: "bench", Console: slog.New(slog.DiscardHandler), Writer: WriterOptions{QueueSize: b.N + 1}})
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
	b.ResetTimer()
	for range b.N {
		l.Open(SessionInfo{Endpoint: "example", Method: "hello"}).Close(Outcome{})
	}
	if err := l.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if l.Dropped() > 0 {
		b.Fatalf("%d sessions dropped", l.Dropped())
	}
}
