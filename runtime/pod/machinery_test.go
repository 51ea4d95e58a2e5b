package pod

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/core/coretest"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/dblog"
	"github.com/gopod/gopod/runtime/futurecall"
	"github.com/gopod/gopod/wire"
)

// coreDB returns a fresh database with the core tables, dropped after the
// test.
func coreDB(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	url, drop, err := dbtest.Create(ctx, "pod")
	if err != nil {
		t.Fatal(err)
	}
	d, err := coretest.Open(ctx, url)
	if err != nil {
		drop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		drop()
	})
	return d
}

// loggedDispatch has methods that log, query and fail.
func loggedDispatch() *Dispatch {
	d := NewDispatch("test")
	d.Add(NewConnector("logged", "", &exampleEndpoint{},
		&Method{Name: "work", Call: func(s *Session, a *Args, e *wire.Encoder) error {
			s.Log.Info("working", "items", 3)
			var n int
			if err := s.Querier().QueryRow(s, `SELECT 2`).Scan(&n); err != nil {
				return err
			}
			e.Int(int64(n))
			return nil
		}},
		&Method{Name: "read", Call: func(s *Session, a *Args, e *wire.Encoder) error {
			var n int64
			if err := s.Querier().QueryRow(s, `SELECT count(*) FROM "serverpod_runtime_settings"`).Scan(&n); err != nil {
				return err
			}
			e.Int(n)
			return nil
		}},
		&Method{Name: "fail", Call: func(*Session, *Args, *wire.Encoder) error { return errors.New("database is down") }},
		&Method{Name: "boom", Call: func(*Session, *Args, *wire.Encoder) error { panic("kaboom") }},
	))
	d.Add(NewConnector("secure", "", &secureEndpoint{}, &Method{Name: "whoami", Call: func(s *Session, a *Args, e *wire.Encoder) error {
		id, _ := s.UserID()
		e.Int(id)
		return nil
	}}))
	return d
}

// loggedServer returns a server writing session logs with the given
// settings, its session log running until the test ends.
func loggedServer(t *testing.T, d *db.DB, set dblog.LogSettings, opts ...Option) *Server {
	t.Helper()
	ctx := context.Background()
	rs := dblog.DefaultRuntimeSettings()
	rs.LogSettings = set
	if err := dblog.StoreSettings(ctx, d, &rs); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.DiscardHandler)
	base := []Option{WithLogger(quiet), WithDatabase(d), WithAuthenticationHandler(testAuth),
		WithSessionLog(dblog.New(d, dblog.Options{ServerID: "test", Console: quiet}))}
	srv := NewServer(loggedDispatch(), append(base, opts...)...)
	stop := srv.startMachinery(ctx, config.RoleServerless)
	t.Cleanup(stop)
	return srv
}

func call(t *testing.T, h http.Handler, path, auth string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(""))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func flushLog(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.SessionLog().Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCallLogIDNamesTheSessionLogRow(t *testing.T) {
	d := coreDB(t)
	srv := loggedServer(t, d, dblog.DefaultRuntimeSettings().LogSettings)
	for _, tc := range []struct {
		path, error string
		stack       bool
	}{
		{"/logged/fail", "database is down", false},
		{"/logged/boom", "panic: kaboom", true},
	} {
		code, body := call(t, srv, tc.path, "")
		id, ok := strings.CutPrefix(body, "Internal server error. Call log id: ")
		n, err := strconv.ParseInt(strings.TrimSuffix(id, "\n"), 10, 64)
		if code != 500 || !ok || err != nil || n <= 0 {
			t.Fatalf("%s: %d %q", tc.path, code, body)
		}
		flushLog(t, srv)
		var (
			endpoint, method, errText string
			stack                     *string
			open, slow                bool
		)
		if err := d.QueryRow(context.Background(), `SELECT "endpoint", "method", "error", "stackTrace", "isOpen", "slow"
    FROM serverpod_session_log WHERE "id" = $1`, n).Scan(&endpoint, &method, &errText, &stack, &open, &slow); err != nil {
			t.Fatalf("%s: row %d: %v", tc.path, n, err)
		}
		if "/"+endpoint+"/"+method != tc.path || errText != tc.error || (stack != nil) != tc.stack || open || slow {
			t.Errorf("%s: row %d is %s.%s %q stack %v", tc.path, n, endpoint, method, errText, stack != nil)
		}
	}
}

func TestCallLogIDIsZeroWhenFailuresAreNotLogged(t *testing.T) {
	d := coreDB(t)
	set := dblog.DefaultRuntimeSettings().LogSettings
	set.LogFailedSessions = false
	srv := loggedServer(t, d, set)
	if code, body := call(t, srv, "/logged/fail", ""); code != 500 || body != "Internal server error. Call log id: 0\n" {
		t.Errorf("%d %q", code, body)
	}
}

func TestEveryCallLogged(t *testing.T) {
	d := coreDB(t)
	set := dblog.DefaultRuntimeSettings().LogSettings
	set.LogAllSessions = true
	set.LogAllQueries = true
	srv := loggedServer(t, d, set)
	if code, body := call(t, srv, "/logged/work", ""); code != 200 || body != "2" {
		t.Fatalf("work: %d %q", code, body)
	}
	if code, _ := call(t, srv, "/secure/whoami", basic("42:secret")); code != 200 {
		t.Fatalf("whoami: %d", code)
	}
	if code, _ := call(t, srv, "/secure/whoami", ""); code != 401 {
		t.Fatalf("whoami without a key: %d", code)
	}
	flushLog(t, srv)
	rows, err := d.Query(context.Background(), `SELECT "id", "endpoint", "method", "numQueries", "authenticatedUserId", "error"
    FROM serverpod_session_log ORDER BY "id"`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var workID int64
	for rows.Next() {
		var (
			id         int64
			ep, m      string
			queries    int64
			user       *int64
			errMessage *string
		)
		if err := rows.Scan(&id, &ep, &m, &queries, &user, &errMessage); err != nil {
			t.Fatal(err)
		}
		if m == "work" {
			workID = id
		}
		u := "-"
		if user != nil {
			u = strconv.FormatInt(*user, 10)
		}
		got = append(got, fmt.Sprintf("%s.%s queries=%d user=%s failed=%v", ep, m, queries, u, errMessage != nil))
	}
	want := []string{"logged.work queries=1 user=- failed=false", "secure.whoami queries=0 user=42 failed=false", "secure.whoami queries=0 user=- failed=false"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("session rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var message, query string
	if err := d.QueryRow(context.Background(), `SELECT l."message", q."query" FROM serverpod_log l JOIN serverpod_query_log q USING ("sessionLogId")
    WHERE l."sessionLogId" = $1`, workID).Scan(&message, &query); err != nil {
		t.Fatal(err)
	}
	if message != "working items=3" || query != "SELECT 2" {
		t.Errorf("entries of the call: %q, %q", message, query)
	}
}

// reminder stands in for a generated model.
type reminder struct{ Text string }

func (r *reminder) EncodeJSON(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("text")
	e.String(r.Text)
	e.ObjectEnd()
}

func (r *reminder) DecodeJSON(v any) error {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	r.Text, err = wire.Field(o, "text", wire.DecodeString)
	return err
}

type other struct{}

func (*other) EncodeJSON(e *wire.Encoder) { e.Null() }

func TestFutureCallsOfTheServer(t *testing.T) {
	d := coreDB(t)
	ctx := context.Background()
	var (
		mu  sync.Mutex
		got []string
	)
	set := dblog.DefaultRuntimeSettings().LogSettings
	srv := loggedServer(t, d, set,
		WithFutureCall("remind", func(s *Session, r *reminder) error {
			mu.Lock()
			defer mu.Unlock()
			if r == nil {
				got = append(got, "<nil>")
				return nil
			}
			got = append(got, r.Text)
			if r.Text == "fail" {
				return errors.New("no mail server")
			}
			return nil
		}),
		WithFutureCallOptions(futurecall.Options{ServerID: "test"}, true))
	sess := srv.NewSession(ctx)
	for _, text := range []string{"call mom", "fail"} {
		if err := srv.FutureCallWithDelay(sess, "remind", &reminder{Text: text}, -time.Second, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.FutureCallAtTime(sess, "remind", nil, time.Now().Add(-time.Second), "empty"); err != nil {
		t.Fatal(err)
	}
	if err := srv.FutureCallWithDelay(sess, "remind", &reminder{Text: "cancelled"}, -time.Second, "x"); err != nil {
		t.Fatal(err)
	}
	if err := srv.CancelFutureCall(sess, "x"); err != nil {
		t.Fatal(err)
	}
	if err := srv.FutureCallWithDelay(sess, "remind", &other{}, 0, ""); err == nil || !strings.Contains(err.Error(), "takes a *pod.reminder") {
		t.Errorf("scheduling with the wrong argument type: %v", err)
	}
	if err := srv.FutureCallWithDelay(sess, "nobody", nil, 0, ""); !errors.Is(err, futurecall.ErrUnknownCall) {
		t.Errorf("scheduling an unknown call: %v", err)
	}
	// A 2.4 server wrote this one.
	if _, err := d.Exec(ctx, `INSERT INTO serverpod_future_call ("name", "time", "serializedObject", "serverId") VALUES ('remind', $1, '{"text":"from 2.4"}', 'default')`,
		time.Now().UTC().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := d.QueryRow(ctx, `SELECT "serializedObject" FROM serverpod_future_call WHERE "serverId" = 'test' ORDER BY "id" LIMIT 1`).Scan(&stored); err != nil || stored != `{"text":"call mom"}` {
		t.Errorf("stored argument %q, %v", stored, err)
	}
	if n, err := srv.FutureCalls().RunDue(ctx); err != nil || n != 4 {
		t.Fatalf("RunDue = %d, %v", n, err)
	}
	mu.Lock()
	joined := strings.Join(got, ",")
	mu.Unlock()
	for _, want := range []string{"from 2.4", "call mom", "fail", "<nil>"} {
		if !strings.Contains(joined, want) {
			t.Errorf("ran %s; missing %q", joined, want)
		}
	}
	if strings.Contains(joined, "cancelled") {
		t.Errorf("a cancelled call ran: %s", joined)
	}
	// The failed call's session is logged as Serverpod logs future calls.
	flushLog(t, srv)
	var endpoint, method, errText string
	if err := d.QueryRow(ctx, `SELECT "endpoint", "method", "error" FROM serverpod_session_log WHERE "error" IS NOT NULL`).Scan(&endpoint, &method, &errText); err != nil {
		t.Fatal(err)
	}
	if endpoint != "FutureCall" || method != "remind" || errText != "no mail server" {
		t.Errorf("future call session row: %s %s %q", endpoint, method, errText)
	}
}

func TestMaintenanceRoleRunsDueCallsAndExits(t *testing.T) {
	d := coreDB(t)
	ctx := context.Background()
	ran := make(chan string, 4)
	srv := NewServer(NewDispatch("test"), WithLogger(slog.New(slog.DiscardHandler)), WithDatabase(d),
		WithFutureCall("job", func(s *Session, r *reminder) error { ran <- r.Text; return nil }))
	sess := srv.NewSession(ctx)
	if err := srv.FutureCallWithDelay(sess, "job", &reminder{Text: "due"}, -time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	if err := srv.FutureCallWithDelay(sess, "job", &reminder{Text: "later"}, time.Hour, ""); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{RunMode: config.ModeDevelopment, ServerID: "maint"}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, cfg, config.Args{Role: config.RoleMaintenance}) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the maintenance role did not return")
	}
	close(ran)
	var texts []string
	for r := range ran {
		texts = append(texts, r)
	}
	if strings.Join(texts, ",") != "due" {
		t.Errorf("ran %v, want only the due call", texts)
	}
	var metrics int
	if err := d.QueryRow(ctx, `SELECT count(*) FROM serverpod_health_metric`).Scan(&metrics); err != nil || metrics == 0 {
		t.Errorf("the maintenance pass wrote %d health metrics (%v)", metrics, err)
	}
}

// Without a database nothing of this runs, and calls still work.
func TestNoDatabaseNoMachinery(t *testing.T) {
	srv := NewServer(loggedDispatch(), WithLogger(slog.New(slog.DiscardHandler)))
	stop := srv.startMachinery(context.Background(), config.RoleMonolith)
	defer stop()
	if code, body := call(t, srv, "/logged/fail", ""); code != 500 || body != "Internal server error. Call log id: 1\n" {
		t.Errorf("%d %q", code, body)
	}
	if err := srv.FutureCallWithDelay(srv.NewSession(context.Background()), "x", nil, 0, ""); !errors.Is(err, ErrNoFutureCalls) {
		t.Errorf("scheduling without a database: %v", err)
	}
}
