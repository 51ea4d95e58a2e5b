package futurecall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/core/coretest"
	"github.com/gopod/gopod/runtime/db"
)

var database *db.DB

func TestMain(m *testing.M) { os.Exit(coretest.Main(m, "futurecall", &database)) }

// waitFor polls cond until it holds, failing after a generous bound: the
// test checks an outcome, not a speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// run starts m.Run and returns a function that stops it and waits.
func run(m *Manager) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func pending(t *testing.T, name string) int {
	t.Helper()
	var n int
	if err := database.QueryRow(context.Background(), `SELECT count(*) FROM serverpod_future_call WHERE "name" = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTwoServersRunEachCallOnce(t *testing.T) {
	ctx := context.Background()
	const name, calls = "twoServers", 100
	var (
		mu   sync.Mutex
		runs = map[string]int{}
		by   = map[string]int{}
	)
	newServer := func(id string) *Manager {
		// Each server has its own pool, as separate processes would.
		d, err := db.Open(ctx, db.Pool(database).Config().ConnString())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		m := New(d, Options{ServerID: id, ScanInterval: 20 * time.Millisecond, Concurrency: 4, Log: quiet()})
		err = m.Register(name, func(_ context.Context, c Call) error {
			mu.Lock()
			runs[string(c.Argument)]++
			by[id]++
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := newServer("a"), newServer("b")
	due := time.Now().Add(-time.Second)
	for i := range calls {
		m := a
		if i%2 == 1 {
			m = b
		}
		if err := m.Schedule(database.With(ctx), name, fmt.Appendf(nil, `{"n":%d}`, i), due, ""); err != nil {
			t.Fatal(err)
		}
	}
	stopA, stopB := run(a), run(b)
	waitFor(t, "all calls to run", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(runs) == calls
	})
	stopA()
	stopB()
	for arg, n := range runs {
		if n != 1 {
			t.Errorf("call %s ran %d times", arg, n)
		}
	}
	if n := pending(t, name); n != 0 {
		t.Errorf("%d calls left in the table", n)
	}
	t.Logf("server a ran %d calls, server b %d", by["a"], by["b"])
}

func TestCallScheduledBeforeRestartRunsAfter(t *testing.T) {
	ctx := context.Background()
	const name = "afterRestart"
	before := New(database, Options{ServerID: "s1", Log: quiet()})
	if err := before.Register(name, func(context.Context, Call) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := before.Schedule(database.With(ctx), name, []byte(`{"text":"hello"}`), time.Now().Add(200*time.Millisecond), "greeting"); err != nil {
		t.Fatal(err)
	}
	// The first server stops without running anything; a new one starts.
	after := New(database, Options{ServerID: "s1", ScanInterval: 20 * time.Millisecond, Log: quiet()})
	got := make(chan Call, 1)
	if err := after.Register(name, func(_ context.Context, c Call) error { got <- c; return nil }); err != nil {
		t.Fatal(err)
	}
	stop := run(after)
	defer stop()
	select {
	case c := <-got:
		if string(c.Argument) != `{"text":"hello"}` || c.Identifier != "greeting" || c.ServerID != "s1" || c.Name != name {
			t.Errorf("ran %+v", c)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the call scheduled before the restart never ran")
	}
}

func TestCancel(t *testing.T) {
	ctx := context.Background()
	const name = "cancel"
	var ran sync.Map
	m := New(database, Options{ScanInterval: 20 * time.Millisecond, Log: quiet()})
	if err := m.Register(name, func(_ context.Context, c Call) error { ran.Store(string(c.Argument), true); return nil }); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(300 * time.Millisecond)
	for _, s := range []struct{ arg, ident string }{{`"a"`, "x"}, {`"b"`, "x"}, {`"c"`, "y"}} {
		if err := m.Schedule(database.With(ctx), name, []byte(s.arg), at, s.ident); err != nil {
			t.Fatal(err)
		}
	}
	n, err := m.Cancel(database.With(ctx), "x")
	if err != nil || n != 2 {
		t.Fatalf("Cancel = %d, %v; want 2", n, err)
	}
	if n, err := m.Cancel(database.With(ctx), "nothing"); err != nil || n != 0 {
		t.Fatalf("cancelling nothing: %d, %v", n, err)
	}
	stop := run(m)
	waitFor(t, "the call that was not cancelled", func() bool { _, ok := ran.Load(`"c"`); return ok })
	stop()
	for _, arg := range []string{`"a"`, `"b"`} {
		if _, ok := ran.Load(arg); ok {
			t.Errorf("cancelled call %s ran", arg)
		}
	}
}

// captured collects error records.
type captured struct {
	mu   sync.Mutex
	msgs []string
}

func (c *captured) Enabled(context.Context, slog.Level) bool { return true }
func (c *captured) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	c.mu.Lock()
	c.msgs = append(c.msgs, b.String())
	c.mu.Unlock()
	return nil
}
func (c *captured) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *captured) WithGroup(string) slog.Handler      { return c }

func TestFailingCallsDoNotStopOthers(t *testing.T) {
	ctx := context.Background()
	const name = "failing"
	logs := &captured{}
	m := New(database, Options{Concurrency: 2, Log: slog.New(logs)})
	var ok atomic.Int32
	err := m.Register(name, func(_ context.Context, c Call) error {
		switch string(c.Argument) {
		case `"error"`:
			return errors.New("the mail server refused")
		case `"panic"`:
			panic("nil map")
		}
		ok.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(-time.Minute)
	for _, arg := range []string{`"fine"`, `"error"`, `"fine"`, `"panic"`, `"fine"`} {
		if err := m.Schedule(database.With(ctx), name, []byte(arg), due, ""); err != nil {
			t.Fatal(err)
		}
	}
	n, err := m.RunDue(ctx)
	if err != nil || n != 5 {
		t.Fatalf("RunDue = %d, %v; want 5", n, err)
	}
	if ok.Load() != 3 {
		t.Errorf("%d good calls ran, want 3", ok.Load())
	}
	joined := strings.Join(logs.msgs, "\n")
	if !strings.Contains(joined, "the mail server refused") || !strings.Contains(joined, "panic: nil map") {
		t.Errorf("failures were not logged:\n%s", joined)
	}
	if n := pending(t, name); n != 0 {
		t.Errorf("failed calls left %d rows; Serverpod does not retry them", n)
	}
}

func TestRunDueLeavesLaterCalls(t *testing.T) {
	ctx := context.Background()
	const name = "maintenance"
	m := New(database, Options{Concurrency: -1, Log: quiet()})
	var ran atomic.Int32
	if err := m.Register(name, func(context.Context, Call) error { ran.Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range 150 {
		if err := m.Schedule(database.With(ctx), name, nil, time.Now().Add(-time.Duration(i)*time.Second), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Schedule(database.With(ctx), name, nil, time.Now().Add(time.Hour), "later"); err != nil {
		t.Fatal(err)
	}
	n, err := m.RunDue(ctx)
	if err != nil || n != 150 || ran.Load() != 150 {
		t.Fatalf("RunDue = %d, %v (ran %d); want 150", n, err, ran.Load())
	}
	if n := pending(t, name); n != 1 {
		t.Errorf("%d calls left, want the one due in an hour", n)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	ctx := context.Background()
	const name = "limited"
	m := New(database, Options{Concurrency: 2, ScanInterval: 10 * time.Millisecond, Log: quiet()})
	var now, most, done atomic.Int32
	release := make(chan struct{})
	err := m.Register(name, func(context.Context, Call) error {
		n := now.Add(1)
		for {
			old := most.Load()
			if n <= old || most.CompareAndSwap(old, n) {
				break
			}
		}
		<-release
		now.Add(-1)
		done.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 6 {
		if err := m.Schedule(database.With(ctx), name, nil, time.Now().Add(-time.Second), ""); err != nil {
			t.Fatal(err)
		}
	}
	stop := run(m)
	waitFor(t, "two calls to start", func() bool { return now.Load() == 2 })
	close(release)
	waitFor(t, "all calls to finish", func() bool { return done.Load() == 6 })
	stop()
	if most.Load() != 2 {
		t.Errorf("%d calls ran at once, want at most 2", most.Load())
	}
}

func TestScheduleChecksTheName(t *testing.T) {
	m := New(database, Options{Log: quiet()})
	err := m.Schedule(database.With(context.Background()), "unknown", nil, time.Now(), "")
	if !errors.Is(err, ErrUnknownCall) {
		t.Fatalf("scheduling an unregistered call: %v", err)
	}
	if err := m.Register("dup", func(context.Context, Call) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := m.Register("dup", func(context.Context, Call) error { return nil }); err == nil {
		t.Fatal("registering a name twice succeeded")
	}
}

// A call another server knows nothing of waits instead of being dropped.
func TestUnknownCallsWait(t *testing.T) {
	ctx := context.Background()
	if _, err := database.Exec(ctx, `INSERT INTO serverpod_future_call ("name", "time", "serializedObject", "serverId")
    VALUES ('onlyElsewhere', $1, NULL, 'default')`, time.Now().UTC().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	m := New(database, Options{Log: quiet()})
	if err := m.Register("something", func(context.Context, Call) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := m.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pending(t, "onlyElsewhere"); n != 1 {
		t.Errorf("the unknown call's row is gone")
	}
}
