package dblog

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/core/coretest"
	"github.com/gopod/gopod/runtime/db"
)

var database *db.DB

func TestMain(m *testing.M) { os.Exit(coretest.Main(m, "dblog", &database)) }

// The JSON Serverpod 2.4 writes for its default settings (toJson of
// LogSettings, Dart's doubles keep their .0).
const defaultSettingsJSON = `{"logLevel":1,"logAllSessions":false,"logAllQueries":false,"logSlowSessions":true,` +
	`"logStreamingSessionsContinuously":true,"logSlowQueries":true,"logFailedSessions":true,"logFailedQueries":true,` +
	`"slowSessionDuration":1.0,"slowQueryDuration":1.0}`

func TestLoadSettingsWritesDefaults(t *testing.T) {
	ctx := context.Background()
	if _, err := database.Exec(ctx, `DELETE FROM serverpod_runtime_settings`); err != nil {
		t.Fatal(err)
	}
	rs, err := LoadSettings(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultRuntimeSettings()
	want.ID = rs.ID
	if rs.ID == 0 || rs.LogSettings != want.LogSettings || len(rs.LogSettingsOverrides) != 0 || rs.LogServiceCalls || rs.LogMalformedCalls {
		t.Fatalf("loaded %+v, want %+v", rs, want)
	}
	var settings, overrides string
	var service, malformed bool
	if err := database.QueryRow(ctx, `SELECT "logSettings"::text, "logSettingsOverrides"::text, "logServiceCalls", "logMalformedCalls"
    FROM serverpod_runtime_settings`).Scan(&settings, &overrides, &service, &malformed); err != nil {
		t.Fatal(err)
	}
	if settings != defaultSettingsJSON || overrides != "[]" || service || malformed {
		t.Errorf("stored row:\n%s\n%s %v %v\nwant Serverpod's defaults:\n%s\n[] false false", settings, overrides, service, malformed, defaultSettingsJSON)
	}
	// Loading again reads the row instead of adding one.
	again, err := LoadSettings(ctx, database)
	if err != nil || again.ID != rs.ID {
		t.Fatalf("second load: %+v, %v", again, err)
	}
}

func TestLoadSettingsOfServerpod(t *testing.T) {
	ctx := context.Background()
	if _, err := database.Exec(ctx, `DELETE FROM serverpod_runtime_settings`); err != nil {
		t.Fatal(err)
	}
	// A row as Serverpod Insights stores it after the settings were edited.
	_, err := database.Exec(ctx, `INSERT INTO serverpod_runtime_settings ("logSettings", "logSettingsOverrides", "logServiceCalls", "logMalformedCalls")
    VALUES ($1, $2, true, false)`,
		`{"logLevel":0,"logAllSessions":true,"logAllQueries":true,"logSlowSessions":true,"logStreamingSessionsContinuously":false,"logSlowQueries":true,"logFailedSessions":true,"logFailedQueries":true,"slowSessionDuration":0.5,"slowQueryDuration":0.25}`,
		`[{"endpoint":"example","logSettings":`+defaultSettingsJSON+`},{"endpoint":"example","method":"hello","logSettings":{"logLevel":3,"logAllSessions":false,"logAllQueries":false,"logSlowSessions":false,"logStreamingSessionsContinuously":false,"logSlowQueries":false,"logFailedSessions":false,"logFailedQueries":false,"slowSessionDuration":2,"slowQueryDuration":2}}]`)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := LoadSettings(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	if !rs.LogServiceCalls || rs.LogSettings.LogLevel != LevelDebug || !rs.LogSettings.LogAllQueries || rs.LogSettings.SlowQueryDuration != 0.25 {
		t.Fatalf("settings: %+v", rs)
	}
	tests := []struct {
		endpoint, method string
		want             LogSettings
	}{
		{"example", "hello", rs.LogSettingsOverrides[1].LogSettings},
		{"example", "other", DefaultRuntimeSettings().LogSettings},
		{"other", "hello", rs.LogSettings},
	}
	for _, tt := range tests {
		if got := *rs.For(tt.endpoint, tt.method); got != tt.want {
			t.Errorf("For(%s, %s) = %+v, want %+v", tt.endpoint, tt.method, got, tt.want)
		}
	}
	// Stored back, the row reads the same.
	if err := StoreSettings(ctx, database, &rs); err != nil {
		t.Fatal(err)
	}
	back, err := LoadSettings(ctx, database)
	if err != nil || back.LogSettings != rs.LogSettings || len(back.LogSettingsOverrides) != 2 || *back.LogSettingsOverrides[1].Method != "hello" {
		t.Fatalf("after storing: %+v, %v", back, err)
	}
}

func TestLoadSettingsRefusesBadRows(t *testing.T) {
	ctx := context.Background()
	if _, err := database.Exec(ctx, `DELETE FROM serverpod_runtime_settings`); err != nil {
		t.Fatal(err)
	}
	if _, err := database.Exec(ctx, `INSERT INTO serverpod_runtime_settings ("logSettings", "logSettingsOverrides", "logServiceCalls", "logMalformedCalls")
    VALUES ('{"logLevel":9}', '[]', false, false)`); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSettings(ctx, database); err == nil || !strings.Contains(err.Error(), "logLevel") {
		t.Fatalf("bad level: %v, want an error naming logLevel", err)
	}
}

// useSettings stores settings and returns a running logger with them.
func useSettings(t *testing.T, set LogSettings, opts Options) *Logger {
	t.Helper()
	ctx := context.Background()
	if _, err := database.Exec(ctx, `DELETE FROM serverpod_runtime_settings`); err != nil {
		t.Fatal(err)
	}
	rs := DefaultRuntimeSettings()
	rs.LogSettings = set
	if err := StoreSettings(ctx, database, &rs); err != nil {
		t.Fatal(err)
	}
	if opts.ServerID == "" {
		opts.ServerID = "test-" + strings.ReplaceAll(t.Name(), "/", "-")
	}
	opts.Console = slog.New(slog.DiscardHandler)
	l := New(database, opts)
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(runCtx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return l
}

func flush(t *testing.T, l *Logger) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// sessionLog is a row of serverpod_session_log as read back.
type sessionLog struct {
	ID                     int64
	ServerID               string
	Time, Touched          time.Time
	Module, Endpoint, Meth *string
	Duration               *float64
	NumQueries             *int64
	Slow                   *bool
	Error, StackTrace      *string
	AuthenticatedUserID    *int64
	IsOpen                 *bool
}

func sessionLogs(t *testing.T, serverID string) []sessionLog {
	t.Helper()
	rows, err := database.Query(context.Background(), `SELECT "id", "serverId", "time", "touched", "module", "endpoint", "method",
    "duration", "numQueries", "slow", "error", "stackTrace", "authenticatedUserId", "isOpen"
    FROM serverpod_session_log WHERE "serverId" = $1 ORDER BY "id"`, serverID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sessionLog, error) {
		var s sessionLog
		err := r.Scan(&s.ID, &s.ServerID, &s.Time, &s.Touched, &s.Module, &s.Endpoint, &s.Meth, &s.Duration, &s.NumQueries,
			&s.Slow, &s.Error, &s.StackTrace, &s.AuthenticatedUserID, &s.IsOpen)
		return s, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// logEntry is a row of serverpod_log as read back.
type logEntry struct {
	SessionLogID      int64
	MessageID         *int64
	Reference         *string
	ServerID          string
	Time              time.Time
	Level             int64
	Message           string
	Error, StackTrace *string
	Order             int64
}

func logEntries(t *testing.T, sessionLogID int64) []logEntry {
	t.Helper()
	rows, err := database.Query(context.Background(), `SELECT "sessionLogId", "messageId", "reference", "serverId", "time",
    "logLevel", "message", "error", "stackTrace", "order" FROM serverpod_log WHERE "sessionLogId" = $1 ORDER BY "order"`, sessionLogID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (logEntry, error) {
		var e logEntry
		err := r.Scan(&e.SessionLogID, &e.MessageID, &e.Reference, &e.ServerID, &e.Time, &e.Level, &e.Message, &e.Error, &e.StackTrace, &e.Order)
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// queryEntry is a row of serverpod_query_log as read back.
type queryEntry struct {
	ServerID          string
	SessionLogID      int64
	MessageID         *int64
	Query             string
	Duration          float64
	NumRows           *int64
	Error, StackTrace *string
	Slow              bool
	Order             int64
}

func queryEntries(t *testing.T, sessionLogID int64) []queryEntry {
	t.Helper()
	rows, err := database.Query(context.Background(), `SELECT "serverId", "sessionLogId", "messageId", "query", "duration",
    "numRows", "error", "stackTrace", "slow", "order" FROM serverpod_query_log WHERE "sessionLogId" = $1 ORDER BY "order"`, sessionLogID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (queryEntry, error) {
		var q queryEntry
		err := r.Scan(&q.ServerID, &q.SessionLogID, &q.MessageID, &q.Query, &q.Duration, &q.NumRows, &q.Error, &q.StackTrace, &q.Slow, &q.Order)
		return q, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

func TestFailedSessionRows(t *testing.T) {
	l := useSettings(t, DefaultRuntimeSettings().LogSettings, Options{})
	before := time.Now().UTC().Add(-time.Second)
	s := l.Open(SessionInfo{Endpoint: "example", Method: "hello"})
	ctx := db.WithQueryObserver(context.Background(), s)
	var one int
	if err := database.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		t.Fatal(err)
	}
	if _, err := database.Exec(ctx, `SELECT * FROM no_such_table`); err == nil {
		t.Fatal("query of a missing table succeeded")
	}
	log := slog.New(NewHandler(nil, s))
	log.Debug("below the level")
	log.Info("looking up", "name", "World")
	log.Error("it broke", "error", errors.New("disk full"), "stackTrace", "main.go:1")
	user := int64(42)
	id := s.Close(Outcome{Err: errors.New("database is down"), StackTrace: "example.go:10", UserID: &user})
	if id == 0 {
		t.Fatal("a failed session's Close returned no id")
	}
	flush(t, l)
	after := time.Now().UTC().Add(time.Second)

	rows := sessionLogs(t, l.serverID)
	if len(rows) != 1 {
		t.Fatalf("%d session rows, want 1", len(rows))
	}
	r := rows[0]
	// Column by column, what Serverpod 2.4's finalizeLog writes for a
	// method call that threw.
	if r.ID != id || r.Module != nil || str(r.Endpoint) != "example" || str(r.Meth) != "hello" ||
		r.Duration == nil || *r.Duration <= 0 || r.NumQueries == nil || *r.NumQueries != 2 ||
		r.Slow == nil || *r.Slow || str(r.Error) != "database is down" || str(r.StackTrace) != "example.go:10" ||
		r.AuthenticatedUserID == nil || *r.AuthenticatedUserID != 42 || r.IsOpen == nil || *r.IsOpen ||
		!r.Time.Equal(r.Touched) || r.Time.Before(before) || r.Time.After(after) {
		t.Errorf("session row: %+v", r)
	}

	entries := logEntries(t, id)
	if len(entries) != 2 {
		t.Fatalf("%d log entries, want 2: %+v", len(entries), entries)
	}
	// The failed query took order 1; the debug entry was not written.
	info, bad := entries[0], entries[1]
	if info.Level != int64(LevelInfo) || info.Message != "looking up name=World" || info.Error != nil || info.StackTrace != nil ||
		info.Order != 2 || info.MessageID != nil || info.Reference != nil || info.ServerID != l.serverID || info.Time.Before(before) {
		t.Errorf("info entry: %+v", info)
	}
	if bad.Level != int64(LevelError) || bad.Message != "it broke" || str(bad.Error) != "disk full" || str(bad.StackTrace) != "main.go:1" || bad.Order != 3 {
		t.Errorf("error entry: %+v", bad)
	}

	queries := queryEntries(t, id)
	if len(queries) != 1 {
		t.Fatalf("%d query rows, want the failed one: %+v", len(queries), queries)
	}
	q := queries[0]
	if q.Query != "SELECT * FROM no_such_table" || q.NumRows != nil || !strings.Contains(str(q.Error), "no_such_table") ||
		!strings.Contains(str(q.StackTrace), "TestFailedSessionRows") || q.Slow || q.Order != 1 || q.ServerID != l.serverID || q.Duration <= 0 {
		t.Errorf("query row: %+v\nerror %s\nstack %s", q, str(q.Error), str(q.StackTrace))
	}
}

func TestSlowSessionRows(t *testing.T) {
	set := DefaultRuntimeSettings().LogSettings
	set.SlowSessionDuration = 0 // every session is slow
	set.SlowQueryDuration = 0
	l := useSettings(t, set, Options{})
	s := l.Open(SessionInfo{Endpoint: "example", Method: "hello"})
	ctx := db.WithQueryObserver(context.Background(), s)
	if _, err := database.Exec(ctx, `SELECT generate_series(1, 3)`); err != nil {
		t.Fatal(err)
	}
	if id := s.Close(Outcome{}); id != 0 {
		t.Errorf("a successful session's Close returned %d, want 0", id)
	}
	// A streaming session is never slow.
	l.Open(SessionInfo{Endpoint: "chat", LongLived: true}).Close(Outcome{})
	flush(t, l)
	rows := sessionLogs(t, l.serverID)
	if len(rows) != 1 {
		t.Fatalf("%d session rows, want 1: %+v", len(rows), rows)
	}
	r := rows[0]
	if r.Slow == nil || !*r.Slow || r.Error != nil || r.StackTrace != nil || r.AuthenticatedUserID != nil || *r.NumQueries != 1 || *r.IsOpen {
		t.Errorf("slow session row: %+v", r)
	}
	queries := queryEntries(t, r.ID)
	if len(queries) != 1 || !queries[0].Slow || queries[0].NumRows == nil || *queries[0].NumRows != 3 || queries[0].Error != nil || queries[0].Order != 1 {
		t.Errorf("slow query rows: %+v", queries)
	}
}

func TestAllSessionsMode(t *testing.T) {
	set := DefaultRuntimeSettings().LogSettings
	set.LogAllSessions = true
	set.LogAllQueries = true
	l := useSettings(t, set, Options{})
	for i := range 3 {
		s := l.Open(SessionInfo{Endpoint: "example", Method: "hello"})
		if i == 1 {
			if _, err := database.Exec(db.WithQueryObserver(context.Background(), s), `SELECT 1`); err != nil {
				t.Fatal(err)
			}
		}
		s.Close(Outcome{})
	}
	// A future call session, as pod opens it.
	l.Open(SessionInfo{Endpoint: "FutureCall", Method: "reminder"}).Close(Outcome{})
	flush(t, l)
	rows := sessionLogs(t, l.serverID)
	if len(rows) != 4 {
		t.Fatalf("%d session rows, want 4", len(rows))
	}
	for i, r := range rows[:3] {
		if r.Slow == nil || *r.Slow || r.Error != nil || str(r.Endpoint) != "example" {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	if q := queryEntries(t, rows[1].ID); len(q) != 1 || q[0].Query != "SELECT 1" || q[0].Slow {
		t.Errorf("logged query: %+v", q)
	}
	if str(rows[3].Endpoint) != "FutureCall" || str(rows[3].Meth) != "reminder" {
		t.Errorf("future call row: %+v", rows[3])
	}
}

func TestDefaultModeWritesOnlyWhatMatters(t *testing.T) {
	l := useSettings(t, DefaultRuntimeSettings().LogSettings, Options{})
	quiet := l.Open(SessionInfo{Endpoint: "example", Method: "quiet"})
	slog.New(NewHandler(nil, quiet)).Debug("not at the log level")
	quiet.Close(Outcome{})
	// An entry at the log level makes Serverpod write the session.
	chatty := l.Open(SessionInfo{Endpoint: "example", Method: "chatty"})
	slog.New(NewHandler(nil, chatty)).Warn("careful")
	chatty.Close(Outcome{})
	flush(t, l)
	rows := sessionLogs(t, l.serverID)
	if len(rows) != 1 || str(rows[0].Meth) != "chatty" || *rows[0].Slow {
		t.Fatalf("rows: %+v, want only the session that logged", rows)
	}
	if e := logEntries(t, rows[0].ID); len(e) != 1 || e[0].Level != int64(LevelWarning) || e[0].Order != 1 {
		t.Errorf("entries: %+v", e)
	}
}

func TestContinuousStreamingSession(t *testing.T) {
	set := DefaultRuntimeSettings().LogSettings
	set.LogAllSessions = true
	l := useSettings(t, set, Options{})
	s := l.Open(SessionInfo{Endpoint: "chat", LongLived: true})
	s.SetMessageID(7)
	s.Message("chat", "ChatMessage", 7, time.Millisecond, nil, "")
	slog.New(NewHandler(nil, s)).Info("joined")
	flush(t, l)
	rows := sessionLogs(t, l.serverID)
	if len(rows) != 1 || rows[0].IsOpen == nil || !*rows[0].IsOpen || rows[0].Duration != nil || rows[0].Meth != nil {
		t.Fatalf("while open: %+v", rows)
	}
	id := rows[0].ID
	var n int
	if err := database.QueryRow(context.Background(), `SELECT count(*) FROM serverpod_message_log WHERE "sessionLogId" = $1
    AND "messageId" = 7 AND "endpoint" = 'chat' AND "messageName" = 'ChatMessage' AND NOT "slow" AND "error" IS NULL AND "order" = 1`, id).Scan(&n); err != nil || n != 1 {
		t.Fatalf("message rows: %d, %v", n, err)
	}
	if e := logEntries(t, id); len(e) != 1 || e[0].MessageID == nil || *e[0].MessageID != 7 || e[0].Order != 2 {
		t.Errorf("entries while open: %+v", e)
	}
	s.Close(Outcome{})
	flush(t, l)
	rows = sessionLogs(t, l.serverID)
	if len(rows) != 1 || rows[0].ID != id || *rows[0].IsOpen || rows[0].Duration == nil || *rows[0].Slow {
		t.Fatalf("after closing: %+v", rows)
	}
}

func TestFullQueueDrops(t *testing.T) {
	set := DefaultRuntimeSettings().LogSettings
	set.LogAllSessions = true
	ctx := context.Background()
	if _, err := database.Exec(ctx, `DELETE FROM serverpod_runtime_settings`); err != nil {
		t.Fatal(err)
	}
	rs := DefaultRuntimeSettings()
	rs.LogSettings = set
	if err := StoreSettings(ctx, database, &rs); err != nil {
		t.Fatal(err)
	}
	// Not running: nothing empties the queue of two.
	l := New(database, Options{ServerID: "test-drops", Console: slog.New(slog.DiscardHandler), Writer: WriterOptions{QueueSize: 2}})
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Nothing reads the queue: a Close that waited for room would hang.
	for range 5 {
		l.Open(SessionInfo{Endpoint: "example", Method: "hello"}).Close(Outcome{})
	}
	if got := l.Dropped(); got != 3 {
		t.Errorf("Dropped() = %d, want 3", got)
	}
}

func TestHandlerFormatsAttributes(t *testing.T) {
	set := DefaultRuntimeSettings().LogSettings
	set.LogLevel = LevelDebug
	l := useSettings(t, set, Options{})
	s := l.Open(SessionInfo{Endpoint: "example", Method: "attrs"})
	var console strings.Builder
	log := slog.New(NewHandler(slog.NewTextHandler(&console, &slog.HandlerOptions{Level: slog.LevelWarn}), s))
	log.With("user", 7).WithGroup("req").Info("hello", "path", "/x", slog.Group("q", "a", 1))
	log.Log(context.Background(), SlogFatal, "the end", "err", errors.New("boom"))
	s.Close(Outcome{})
	flush(t, l)
	rows := sessionLogs(t, l.serverID)
	if len(rows) != 1 {
		t.Fatalf("rows: %+v", rows)
	}
	e := logEntries(t, rows[0].ID)
	if len(e) != 2 || e[0].Message != "hello user=7 req.path=/x req.q.a=1" || e[0].Level != int64(LevelInfo) ||
		e[1].Message != "the end" || e[1].Level != int64(LevelFatal) || str(e[1].Error) != "boom" {
		t.Errorf("entries: %+v", e)
	}
	// The console still gets what its own level lets through.
	if out := console.String(); strings.Contains(out, "hello") || !strings.Contains(out, "the end") {
		t.Errorf("console output: %q", out)
	}
}

func TestLevelMapping(t *testing.T) {
	tests := []struct {
		in   slog.Level
		want Level
	}{
		{slog.LevelDebug - 4, LevelDebug}, {slog.LevelDebug, LevelDebug}, {slog.LevelInfo, LevelInfo},
		{slog.LevelInfo + 1, LevelInfo}, {slog.LevelWarn, LevelWarning}, {slog.LevelError, LevelError},
		{SlogFatal, LevelFatal}, {SlogFatal + 8, LevelFatal},
	}
	for _, tt := range tests {
		if got := LevelOf(tt.in); got != tt.want {
			t.Errorf("LevelOf(%v) = %d, want %d", tt.in, got, tt.want)
		}
		if back := LevelOf(tt.want.Slog()); back != tt.want {
			t.Errorf("round trip of %d gives %d", tt.want, back)
		}
	}
}

// Stopping the logger writes what is queued, and a write under way when it
// stops is not cut short.
func TestStopWritesEverything(t *testing.T) {
	ctx := context.Background()
	if _, err := database.Exec(ctx, `DELETE FROM serverpod_runtime_settings`); err != nil {
		t.Fatal(err)
	}
	rs := DefaultRuntimeSettings()
	rs.LogSettings.LogAllSessions = true
	if err := StoreSettings(ctx, database, &rs); err != nil {
		t.Fatal(err)
	}
	l := New(database, Options{ServerID: "test-stop", Console: slog.New(slog.DiscardHandler), Writer: WriterOptions{MaxBatch: 10}})
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(runCtx)
	}()
	const sessions = 300
	for i := range sessions {
		s := l.Open(SessionInfo{Endpoint: "example", Method: "hello"})
		slog.New(NewHandler(nil, s)).Info("entry", "i", i)
		s.Close(Outcome{})
	}
	cancel()
	<-done
	if got := len(sessionLogs(t, "test-stop")); got != sessions || l.Dropped() != 0 {
		t.Errorf("%d of %d sessions written, %d dropped", got, sessions, l.Dropped())
	}
}

// TestWriterReconnects ends the writer's connection from the database's
// side: the batch written on it may be lost, the next ones are written on
// a new connection.
func TestWriterReconnects(t *testing.T) {
	ctx := context.Background()
	set := DefaultRuntimeSettings().LogSettings
	set.LogAllSessions = true
	l := useSettings(t, set, Options{})
	l.Open(SessionInfo{Endpoint: "example", Method: "before"}).Close(Outcome{})
	flush(t, l)
	var ended bool
	if err := database.QueryRow(ctx, `SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'COPY "serverpod_session_log"%'`).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if !ended {
		t.Fatal("found no writer connection to end")
	}
	l.Open(SessionInfo{Endpoint: "example", Method: "lost"}).Close(Outcome{})
	flush(t, l)
	l.Open(SessionInfo{Endpoint: "example", Method: "after"}).Close(Outcome{})
	flush(t, l)
	var methods []string
	for _, r := range sessionLogs(t, l.serverID) {
		methods = append(methods, str(r.Meth))
	}
	t.Logf("rows written: %v", methods)
	if len(methods) < 2 || methods[0] != "before" || methods[len(methods)-1] != "after" {
		t.Errorf("rows written: %v, want before, (lost,) after", methods)
	}
}
