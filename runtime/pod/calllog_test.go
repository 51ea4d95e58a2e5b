package pod

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/dblog"
	"github.com/gopod/gopod/wire"
)

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCallLineByModeAndLogging: the per-call console line appears in the
// development run mode, and elsewhere only with --logging verbose (Main's
// logger is at Debug then), as Serverpod 2.4's CALL line and verbose
// request lines do.
func TestCallLineByModeAndLogging(t *testing.T) {
	for _, tc := range []struct {
		mode    string
		logging config.LoggingMode
		want    bool
	}{
		{config.ModeDevelopment, config.LoggingNormal, true},
		{config.ModeDevelopment, config.LoggingVerbose, true},
		{"", config.LoggingNormal, true},
		{"test", config.LoggingNormal, false},
		{"staging", config.LoggingNormal, false},
		{config.ModeProduction, config.LoggingNormal, false},
		{config.ModeProduction, config.LoggingVerbose, true},
	} {
		t.Run(tc.mode+"/"+string(tc.logging), func(t *testing.T) {
			var out lockedBuffer
			level := slog.LevelInfo
			if tc.logging == config.LoggingVerbose {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: level}))
			srv := NewServer(testDispatch(), WithLogger(log), WithRunMode(tc.mode))
			req := httptest.NewRequest("POST", "/example", strings.NewReader(helloBody))
			srv.ServeHTTP(httptest.NewRecorder(), req)
			got := strings.Contains(out.String(), "msg=call endpoint=example method=hello status=200")
			if got != tc.want {
				t.Errorf("call line written: %t, want %t; log:\n%s", got, tc.want, out.String())
			}
		})
	}
}

// TestCallLineOffAllocatesNothing: with its level off, the call line costs
// no formatting and no allocation.
func TestCallLineOffAllocatesNothing(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := NewServer(testDispatch(), WithLogger(log), WithRunMode(config.ModeProduction))
	c := &outcome{endpoint: "example", method: "hello", status: 200}
	ctx := context.Background()
	start := time.Now()
	if n := testing.AllocsPerRun(1000, func() { srv.logCall(ctx, c, start) }); n != 0 {
		t.Errorf("%v allocations per call line that is off", n)
	}
}

// BenchmarkCallLine is the per-call line alone: off (production), and on
// (development) into a discarding text handler.
func BenchmarkCallLine(b *testing.B) {
	for _, mode := range []string{config.ModeProduction, config.ModeDevelopment} {
		b.Run(mode, func(b *testing.B) {
			log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
			srv := NewServer(testDispatch(), WithLogger(log), WithRunMode(mode))
			c := &outcome{endpoint: "example", method: "hello", status: 200}
			ctx := context.Background()
			start := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				srv.logCall(ctx, c, start)
			}
		})
	}
}

// BenchmarkInProcessCallLogging is a whole call in process with Main's
// console logger, by run mode.
func BenchmarkInProcessCallLogging(b *testing.B) {
	for _, mode := range []string{config.ModeProduction, config.ModeDevelopment} {
		b.Run(mode, func(b *testing.B) {
			log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
			benchInProcess(b, NewServer(testDispatch(), WithLogger(log), WithRunMode(mode)), "/example", "")
		})
	}
}

// TestClientDisconnectMidCall: a client that gives up during a call (here
// while the method waits on the database) is logged at debug level with
// status 499; no error line, no failed session in the database's session
// log.
func TestClientDisconnectMidCall(t *testing.T) {
	d := coreDB(t)
	ctx := context.Background()
	rs := dblog.DefaultRuntimeSettings() // failed sessions are logged
	if err := dblog.StoreSettings(ctx, d, &rs); err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	started := make(chan struct{}, 1)
	disp := NewDispatch("test")
	disp.Add(NewConnector("hang", "", &exampleEndpoint{},
		&Method{Name: "wait", Call: func(s *Session, a *Args, e *wire.Encoder) error {
			started <- struct{}{}
			var x int
			if err := s.Querier().QueryRow(s, "SELECT 1 FROM pg_sleep(20)").Scan(&x); err != nil {
				return err
			}
			e.Int(int64(x))
			return nil
		}},
		&Method{Name: "fail", Call: func(*Session, *Args, *wire.Encoder) error { return context.Canceled }},
	))
	srv := NewServer(disp, WithLogger(log), WithDatabase(d),
		WithSessionLog(dblog.New(d, dblog.Options{ServerID: "test", Console: slog.New(slog.DiscardHandler)})))
	stop := srv.startMachinery(ctx, config.RoleServerless)
	defer stop()
	ts := httptest.NewServer(srv)
	defer ts.Close()

	reqCtx, cancel := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(reqCtx, "POST", ts.URL+"/hang/wait", strings.NewReader("{}"))
	errc := make(chan error, 1)
	go func() {
		resp, err := ts.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	select {
	case <-started:
	case <-time.After(20 * time.Second):
		t.Fatal("the call did not start")
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the cancelled request got an answer")
	}
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "status=499") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	logged := out.String()
	if !strings.Contains(logged, "level=DEBUG msg=call endpoint=hang method=wait status=499") {
		t.Errorf("no debug call line with status 499:\n%s", logged)
	}
	if !strings.Contains(logged, `level=DEBUG msg="client disconnected during the call" endpoint=hang method=wait`) {
		t.Errorf("no debug line for the disconnect:\n%s", logged)
	}
	if strings.Contains(logged, "level=ERROR") {
		t.Errorf("a disconnect was logged as an error:\n%s", logged)
	}

	// A method that fails with context.Canceled while its client is still
	// there is a failure like any other.
	if code, _ := call(t, srv, "/hang/fail", ""); code != http.StatusInternalServerError {
		t.Errorf("a cancelled method with its client connected answered %d", code)
	}

	flushLog(t, srv)
	var failed, waits int
	if err := d.QueryRow(ctx, `SELECT count(*) FILTER (WHERE "error" IS NOT NULL AND "method" = 'wait'),
    count(*) FILTER (WHERE "method" = 'fail' AND "error" IS NOT NULL)
    FROM serverpod_session_log WHERE "endpoint" = 'hang'`).Scan(&waits, &failed); err != nil {
		t.Fatal(err)
	}
	if waits != 0 {
		t.Errorf("%d failed session logs for the disconnected call", waits)
	}
	if failed != 1 {
		t.Errorf("%d failed session logs for the failing call, want 1", failed)
	}
}
