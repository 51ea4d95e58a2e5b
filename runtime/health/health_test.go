package health

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/core/coretest"
	"github.com/gopod/gopod/runtime/db"
)

var database *db.DB

func TestMain(m *testing.M) { os.Exit(coretest.Main(m, "health", &database)) }

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

type metricRow struct {
	name      string
	timestamp time.Time
	healthy   bool
	value     float64
}

func metrics(t *testing.T, serverID string, granularity int) []metricRow {
	t.Helper()
	rows, err := database.Query(context.Background(), `SELECT "name", "timestamp", "isHealthy", "value" FROM serverpod_health_metric
    WHERE "serverId" = $1 AND "granularity" = $2 ORDER BY "timestamp", "name"`, serverID, granularity)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []metricRow
	for rows.Next() {
		var m metricRow
		if err := rows.Scan(&m.name, &m.timestamp, &m.healthy, &m.value); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestRunRecordsEachMinuteOnce(t *testing.T) {
	const server = "run"
	conns := NewConnCounter()
	a, b := &net.TCPConn{}, &net.TCPConn{}
	conns.Track(a, http.StateNew)
	conns.Track(a, http.StateActive)
	conns.Track(b, http.StateNew)
	conns.Track(b, http.StateIdle)
	extra := func(context.Context) ([]Metric, error) {
		return []Metric{{Name: "queue", Value: 3, Healthy: false}}, nil
	}
	broken := func(context.Context) ([]Metric, error) { return nil, errors.New("no queue") }
	r := New(database, Options{ServerID: server, Interval: 50 * time.Millisecond, Connections: conns,
		Checks: []Check{extra, broken}, Log: quiet()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := database.QueryRow(context.Background(), `SELECT count(*) FROM serverpod_health_connection_info WHERE "serverId" = $1`, server).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			// Let a few more rounds run within the minute.
			time.Sleep(200 * time.Millisecond)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no health rows were written")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done

	rows := metrics(t, server, Minute)
	minutes := map[time.Time]bool{}
	byName := map[string]int{}
	for _, m := range rows {
		minutes[m.timestamp] = true
		byName[m.name]++
		if !m.timestamp.Equal(m.timestamp.Truncate(time.Minute)) {
			t.Errorf("%s stamped %v, not on the minute", m.name, m.timestamp)
		}
		switch m.name {
		case MetricDatabase:
			if !m.healthy || m.value <= 0 || m.value > 60 {
				t.Errorf("database metric: %+v", m)
			}
		case MetricMemory:
			if !m.healthy || m.value <= 0 || m.value >= 1 {
				t.Errorf("memory metric: %+v", m)
			}
		case MetricCPU:
			if !m.healthy || m.value < 0 {
				t.Errorf("cpu metric: %+v", m)
			}
		case "queue":
			if m.healthy || m.value != 3 {
				t.Errorf("the server's own metric: %+v", m)
			}
		default:
			t.Errorf("unexpected metric %+v", m)
		}
	}
	for _, name := range []string{MetricDatabase, MetricCPU, MetricMemory, "queue"} {
		if byName[name] != len(minutes) {
			t.Errorf("%d rows of %s over %d minutes: one per minute expected", byName[name], name, len(minutes))
		}
	}
	var active, closing, idle, granularity int64
	if err := database.QueryRow(context.Background(), `SELECT "active", "closing", "idle", "granularity" FROM serverpod_health_connection_info
    WHERE "serverId" = $1 ORDER BY "timestamp" LIMIT 1`, server).Scan(&active, &closing, &idle, &granularity); err != nil {
		t.Fatal(err)
	}
	if active != 1 || closing != 0 || idle != 1 || granularity != Minute {
		t.Errorf("connection row: active %d closing %d idle %d granularity %d", active, closing, idle, granularity)
	}
}

func TestServersSharingAnIDWriteOneRow(t *testing.T) {
	const server = "shared"
	now := time.Now()
	for range 3 {
		if _, err := New(database, Options{ServerID: server, Log: quiet()}).Record(context.Background(), now); err != nil {
			t.Fatal(err)
		}
	}
	if rows := metrics(t, server, Minute); len(rows) != 3 {
		t.Errorf("%d rows, want one per metric: %+v", len(rows), rows)
	}
}

func TestCompact(t *testing.T) {
	const server = "compact"
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 12, 30, 0, 0, time.UTC)
	insert := func(name string, at time.Time, healthy bool, value float64, granularity int) {
		t.Helper()
		if _, err := database.Exec(ctx, `INSERT INTO serverpod_health_metric ("name", "serverId", "timestamp", "isHealthy", "value", "granularity")
    VALUES ($1, $2, $3, $4, $5, $6)`, name, server, at, healthy, value, granularity); err != nil {
			t.Fatal(err)
		}
		if name != MetricCPU {
			return
		}
		if _, err := database.Exec(ctx, `INSERT INTO serverpod_health_connection_info ("serverId", "timestamp", "active", "closing", "idle", "granularity")
    VALUES ($1, $2, $3, 0, $4, $5)`, server, at, int64(value), int64(10-value), granularity); err != nil {
			t.Fatal(err)
		}
	}
	old := now.Add(-72 * time.Hour).Truncate(time.Hour)
	insert(MetricCPU, old, true, 1, Minute)
	insert(MetricCPU, old.Add(time.Minute), true, 3, Minute)
	insert(MetricDatabase, old, true, 0.5, Minute)
	insert(MetricDatabase, old.Add(2*time.Minute), false, 1.5, Minute)
	insert(MetricCPU, old.Add(time.Hour), true, 5, Minute)
	recent := now.Add(-time.Hour)
	insert(MetricCPU, recent, true, 9, Minute)
	ancient := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	insert(MetricCPU, ancient.Add(time.Hour), true, 2, Hour)
	insert(MetricCPU, ancient.Add(5*time.Hour), true, 4, Hour)

	if err := New(database, Options{ServerID: server, Log: quiet()}).Compact(ctx, now); err != nil {
		t.Fatal(err)
	}
	if got := metrics(t, server, Minute); len(got) != 1 || !got[0].timestamp.Equal(recent) {
		t.Errorf("minute rows left: %+v, want only the recent one", got)
	}
	hours := metrics(t, server, Hour)
	want := []metricRow{
		{MetricCPU, old, true, 2},
		{MetricDatabase, old, false, 1},
		{MetricCPU, old.Add(time.Hour), true, 5},
	}
	if len(hours) != len(want) {
		t.Fatalf("hour rows: %+v, want %+v", hours, want)
	}
	for i, w := range want {
		h := hours[i]
		if h.name != w.name || !h.timestamp.Equal(w.timestamp) || h.healthy != w.healthy || math.Abs(h.value-w.value) > 1e-9 {
			t.Errorf("hour row %d: %+v, want %+v", i, h, w)
		}
	}
	if days := metrics(t, server, Day); len(days) != 1 || !days[0].timestamp.Equal(ancient) || days[0].value != 3 {
		t.Errorf("day rows: %+v, want the mean of the ancient hours", days)
	}
	var active, idle int64
	if err := database.QueryRow(ctx, `SELECT "active", "idle" FROM serverpod_health_connection_info
    WHERE "serverId" = $1 AND "granularity" = $2 AND "timestamp" = $3`, server, Hour, old).Scan(&active, &idle); err != nil {
		t.Fatal(err)
	}
	if active != 3 || idle != 9 {
		t.Errorf("hourly connections: active %d idle %d, want the highest of the hour (3, 9)", active, idle)
	}
}

func TestConnCounter(t *testing.T) {
	c := NewConnCounter()
	a, b, h := &net.TCPConn{}, &net.TCPConn{}, &net.TCPConn{}
	steps := []struct {
		conn  net.Conn
		state http.ConnState
		want  Connections
	}{
		{a, http.StateNew, Connections{Active: 1}},
		{a, http.StateActive, Connections{Active: 1}},
		{b, http.StateNew, Connections{Active: 2}},
		{a, http.StateIdle, Connections{Active: 1, Idle: 1}},
		{h, http.StateNew, Connections{Active: 2, Idle: 1}},
		{h, http.StateHijacked, Connections{Active: 1, Idle: 1}},
		{a, http.StateClosed, Connections{Active: 1}},
		{b, http.StateClosed, Connections{}},
	}
	for i, s := range steps {
		c.Track(s.conn, s.state)
		if got := c.Counts(); got != s.want {
			t.Errorf("step %d (%v): %+v, want %+v", i, s.state, got, s.want)
		}
	}
}
