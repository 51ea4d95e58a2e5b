package stream_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/gopod/gopod/runtime/core/coretest"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/dblog"
	"github.com/gopod/gopod/runtime/pod"
)

// TestSessionLogs: with every session logged, a method stream is one
// session (failed when its method failed) and an endpoint streaming
// connection one per endpoint with hooks, whose messages are logged.
func TestSessionLogs(t *testing.T) {
	ctx := context.Background()
	url, drop, err := dbtest.Create(ctx, "stream")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	d, err := coretest.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	rs := dblog.DefaultRuntimeSettings()
	rs.LogSettings.LogAllSessions = true
	if err := dblog.StoreSettings(ctx, d, &rs); err != nil {
		t.Fatal(err)
	}
	logs := dblog.New(d, dblog.Options{ServerID: "test", Console: slog.New(slog.DiscardHandler)})
	if err := logs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go logs.Run(runCtx)
	h := newHarness(t, pod.WithDatabase(d), pod.WithSessionLog(logs))

	s := h.dial("/v1/websocket")
	s.send(open("example", "countTo", `{\"n\":1}`, ""))
	for range 3 { // omsr, the value, the close
		s.next()
	}
	s.send(open("example", "crash", "{}", ""))
	for range 3 {
		s.next()
	}
	legacy := h.dial("/websocket")
	legacy.next() // welcome
	legacy.send(`{"endpoint":"example","object":{"className":"Note","data":{"text":"hi"}}}`)
	legacy.next()
	legacy.ws.Close()
	waitUntil(t, "the connections close", func() bool { return h.srv.Streams().Connections() == 1 })

	type row struct{ endpoint, method, err string }
	var got []row
	waitUntil(t, "the sessions are logged", func() bool {
		fctx, cancel := context.WithTimeout(ctx, guard)
		defer cancel()
		if err := logs.Flush(fctx); err != nil {
			t.Fatal(err)
		}
		rows, err := d.Query(ctx, `SELECT "endpoint", coalesce("method", ''), coalesce("error", '') FROM serverpod_session_log WHERE NOT "isOpen" ORDER BY "id"`)
		if err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.endpoint, &r.method, &r.err); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		return len(got) >= 3
	})
	for _, want := range []row{
		{"example", "countTo", ""},
		{"example", "crash", "the database is down"},
		{"example", "", ""}, // the endpoint streaming connection
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no session %+v in %+v", want, got)
		}
	}
	var messages int
	if err := d.QueryRow(ctx, `SELECT count(*) FROM serverpod_message_log WHERE "endpoint" = 'example' AND "messageName" = 'Note'`).Scan(&messages); err != nil {
		t.Fatal(err)
	}
	if messages != 1 {
		t.Errorf("%d messages logged, want 1", messages)
	}
}
