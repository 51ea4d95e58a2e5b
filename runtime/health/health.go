// Package health records a server's health metrics in the database every
// minute, as Serverpod 2.4 does, so that Serverpod's tools chart them:
//
//   - serverpod_health_metric: serverpod_database (seconds to write and
//     read back a row), serverpod_cpu (the one-minute load average) and
//     serverpod_memory (the share of the machine's memory in use), plus
//     any metrics of the server's own checks;
//   - serverpod_health_connection_info: the API server's HTTP
//     connections, active, idle and closing.
//
// Rows are stamped with their minute (granularity 1); the unique index on
// (timestamp, serverId, name, granularity) keeps one row per minute and
// server id however many servers share the id. Old rows are compacted as in
// Serverpod 2.4: minute rows older than 48 hours into hour rows
// (granularity 60), hour rows older than 31 days into day rows (1440).
package health

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gopod/gopod/runtime/db"
)

// Metric names Serverpod 2.4 records.
const (
	MetricDatabase = "serverpod_database"
	MetricCPU      = "serverpod_cpu"
	MetricMemory   = "serverpod_memory"
)

// Granularities of rows, in minutes.
const (
	Minute = 1
	Hour   = 60
	Day    = 60 * 24
)

// Metric is one measurement.
type Metric struct {
	Name    string
	Value   float64
	Healthy bool
}

// Check measures metrics of the server's own, in addition to the default
// ones (Serverpod's healthCheckHandler).
type Check func(ctx context.Context) ([]Metric, error)

// Options configure a Recorder.
type Options struct {
	ServerID string
	// Interval is how often metrics are recorded: a minute, on the minute.
	// Tests shorten it; rows stay stamped with their minute.
	Interval time.Duration
	// Connections counts the API server's HTTP connections; nil records
	// no connection row.
	Connections *ConnCounter
	Checks      []Check
	// Log receives failures; nil means slog.Default().
	Log *slog.Logger
}

// Recorder records the health metrics of one server.
type Recorder struct {
	db   *db.DB
	opts Options
	// failing is the failure last logged: the same failure minute after
	// minute is logged once.
	failing string
}

// New returns a recorder writing to d.
func New(d *db.DB, opts Options) *Recorder {
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Recorder{db: d, opts: opts}
}

// Run records the metrics at every interval boundary (each minute) and
// compacts old rows, until ctx is done.
func (r *Recorder) Run(ctx context.Context) {
	for {
		now := time.Now()
		next := now.Truncate(r.opts.Interval).Add(r.opts.Interval)
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		r.Once(ctx)
	}
}

// Once records the metrics of the current minute and compacts old rows,
// logging what fails: one round of Run, and the maintenance role's pass.
func (r *Recorder) Once(ctx context.Context) {
	now := time.Now()
	_, err := r.Record(ctx, now)
	if err == nil {
		err = r.Compact(ctx, now)
	}
	switch {
	case err != nil && ctx.Err() == nil && err.Error() != r.failing:
		r.failing = err.Error()
		r.opts.Log.Warn("recording health metrics", "error", err)
	case err == nil && r.failing != "":
		r.failing = ""
		r.opts.Log.Info("recording health metrics works again")
	}
}

// Record measures the metrics and writes them, stamped with the minute of
// now. A minute already recorded under this server id is left as it is.
// It returns the metrics measured.
func (r *Recorder) Record(ctx context.Context, now time.Time) ([]Metric, error) {
	minute := now.UTC().Truncate(time.Minute)
	metrics := r.measure(ctx)
	// One statement for all metrics: the arrays are unnested into rows.
	names := make([]string, len(metrics))
	healthy := make([]bool, len(metrics))
	values := make([]float64, len(metrics))
	for i, m := range metrics {
		names[i], healthy[i], values[i] = m.Name, m.Healthy, m.Value
	}
	if _, err := r.db.Exec(ctx, `INSERT INTO "serverpod_health_metric"
    ("name", "serverId", "timestamp", "isHealthy", "value", "granularity")
    SELECT m."name", $4, $5, m."isHealthy", m."value", $6
    FROM unnest($1::text[], $2::boolean[], $3::double precision[]) AS m("name", "isHealthy", "value")
    ON CONFLICT ("timestamp", "serverId", "name", "granularity") DO NOTHING`,
		names, healthy, values, r.opts.ServerID, minute, Minute); err != nil {
		return metrics, fmt.Errorf("writing health metrics %s: %w", strings.Join(names, ", "), err)
	}
	if c := r.opts.Connections; c != nil {
		n := c.Counts()
		if _, err := r.db.Exec(ctx, `INSERT INTO "serverpod_health_connection_info"
    ("serverId", "timestamp", "active", "closing", "idle", "granularity") VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT ("timestamp", "serverId", "granularity") DO NOTHING`,
			r.opts.ServerID, minute, n.Active, n.Closing, n.Idle, Minute); err != nil {
			return metrics, fmt.Errorf("writing health connection info: %w", err)
		}
	}
	return metrics, nil
}

// measure takes the default metrics and those of the server's checks. A
// metric the platform cannot measure is left out, as in Serverpod.
func (r *Recorder) measure(ctx context.Context) []Metric {
	var metrics []Metric
	// A failed check is recorded as unhealthy; writing it then fails too
	// when the database is down, and Once logs that.
	seconds, err := CheckDatabase(ctx, r.db)
	metrics = append(metrics, Metric{Name: MetricDatabase, Value: seconds, Healthy: err == nil})
	if load, err := cpuLoad(); err == nil {
		metrics = append(metrics, Metric{Name: MetricCPU, Value: load, Healthy: true})
	}
	if used, err := memoryUsage(); err == nil {
		metrics = append(metrics, Metric{Name: MetricMemory, Value: used, Healthy: true})
	}
	for _, check := range r.opts.Checks {
		ms, err := check(ctx)
		if err != nil {
			r.opts.Log.Warn("health check failed", "error", err)
			continue
		}
		metrics = append(metrics, ms...)
	}
	return metrics
}

// CheckDatabase writes a random number to serverpod_readwrite_test, reads
// it back and removes the row, returning how long that took in seconds.
func CheckDatabase(ctx context.Context, d *db.DB) (float64, error) {
	start := time.Now()
	n := rand.Int64N(1 << 40)
	var id, got int64
	if err := d.QueryRow(ctx, `INSERT INTO "serverpod_readwrite_test" ("number") VALUES ($1) RETURNING "id", "number"`, n).Scan(&id, &got); err != nil {
		return 0, err
	}
	seconds := time.Since(start).Seconds()
	_, _ = d.Exec(ctx, `DELETE FROM "serverpod_readwrite_test" WHERE "id" = $1`, id)
	if got != n {
		return seconds, fmt.Errorf("read back %d after writing %d", got, n)
	}
	return seconds, nil
}

// cpuLoad is the one-minute load average, the value Serverpod 2.4 records.
func cpuLoad() (float64, error) {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, fmt.Errorf("/proc/loadavg is empty")
	}
	return strconv.ParseFloat(fields[0], 64)
}

// memoryUsage is the share of the machine's memory in use: total less
// available, over total.
func memoryUsage() (float64, error) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	var total, available float64
	for line := range strings.SplitSeq(string(data), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		switch name {
		case "MemTotal":
			total = v
		case "MemAvailable":
			available = v
		}
	}
	if total <= 0 {
		return 0, fmt.Errorf("/proc/meminfo has no MemTotal")
	}
	return (total - available) / total, nil
}

// Compact folds this server's minute rows older than 48 hours into hour
// rows, and its hour rows older than 31 days into day rows: an hour keeps
// the mean of its metrics (healthy only if every minute was) and the
// highest connection counts.
func (r *Recorder) Compact(ctx context.Context, now time.Time) error {
	now = now.UTC()
	hourStart := now.Truncate(time.Hour)
	dayStart := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		from, to int
		unit     string
		before   time.Time
	}{
		{Minute, Hour, "hour", hourStart.Add(-48 * time.Hour)},
		{Hour, Day, "day", dayStart.AddDate(0, 0, -31)},
	} {
		if _, err := r.db.Exec(ctx, `WITH old AS (
    DELETE FROM "serverpod_health_metric" WHERE "serverId" = $1 AND "granularity" = $2 AND "timestamp" < $3
    RETURNING "name", "timestamp", "isHealthy", "value")
INSERT INTO "serverpod_health_metric" ("name", "serverId", "timestamp", "isHealthy", "value", "granularity")
SELECT "name", $1, date_trunc($5, "timestamp"), bool_and("isHealthy"), avg("value"), $4 FROM old
GROUP BY "name", date_trunc($5, "timestamp")
ON CONFLICT ("timestamp", "serverId", "name", "granularity") DO NOTHING`,
			r.opts.ServerID, step.from, step.before, step.to, step.unit); err != nil {
			return fmt.Errorf("compacting health metrics: %w", err)
		}
		if _, err := r.db.Exec(ctx, `WITH old AS (
    DELETE FROM "serverpod_health_connection_info" WHERE "serverId" = $1 AND "granularity" = $2 AND "timestamp" < $3
    RETURNING "timestamp", "active", "closing", "idle")
INSERT INTO "serverpod_health_connection_info" ("serverId", "timestamp", "active", "closing", "idle", "granularity")
SELECT $1, date_trunc($5, "timestamp"), max("active"), max("closing"), max("idle"), $4 FROM old
GROUP BY date_trunc($5, "timestamp")
ON CONFLICT ("timestamp", "serverId", "granularity") DO NOTHING`,
			r.opts.ServerID, step.from, step.before, step.to, step.unit); err != nil {
			return fmt.Errorf("compacting health connection info: %w", err)
		}
	}
	return nil
}
