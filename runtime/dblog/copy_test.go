package dblog

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/db"
)

// TestCopyDataMatchesPgx writes the same rows with the writer's binary
// COPY encoding and with pgx's generic CopyFrom, into copies of the log
// tables, and compares what the tables hold: every type, null and not,
// times in and out of UTC.
func TestCopyDataMatchesPgx(t *testing.T) {
	ctx := context.Background()
	conn, err := db.Pool(database).Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	berlin := time.FixedZone("CET", 3600)
	at := time.Date(2026, 12, 5, 18, 30, 1, 123456789, time.UTC)
	before2000 := time.Date(1969, 7, 20, 20, 17, 40, 999_999_999, time.UTC)
	full := &sessionRow{id: 42, serverID: "server-ü", time: at, touched: at.In(berlin), module: ptr("auth"),
		endpoint: ptr("example"), method: ptr("hello"), duration: ptr(0.000123), numQueries: ptr(int64(-3)),
		slow: ptr(true), err: ptr("boom"), stackTrace: ptr("#0 main\n"), authenticatedUserID: ptr(int64(1) << 40),
		isOpen: ptr(false)}
	empty := &sessionRow{id: 43, serverID: "", time: before2000, touched: before2000, endpoint: ptr(""), slow: ptr(false)}
	logs := []logRow{
		{sessionLogID: 42, messageID: ptr(int64(7)), reference: ptr("ref"), serverID: "s", time: at, level: 3,
			message: "hello ✓", err: ptr("e"), stackTrace: ptr("st"), order: 1},
		{sessionLogID: 43, serverID: "s", time: before2000.In(berlin), message: "", order: -1},
	}
	queries := []queryRow{
		{serverID: "s", sessionLogID: 42, messageID: ptr(int64(1)), query: "SELECT 1", duration: 1.5,
			numRows: ptr(int64(0)), err: ptr("e"), stackTrace: ptr("st"), slow: true, order: 2},
		{serverID: "s", sessionLogID: 43, query: "", duration: 0, order: 3},
	}
	messages := []messageRow{
		{sessionLogID: 42, serverID: "s", messageID: 9, endpoint: "chat", messageName: "Msg", duration: 2.25,
			err: ptr("e"), stackTrace: ptr("st"), slow: true, order: 4},
		{sessionLogID: 43, serverID: "s", messageID: -9, endpoint: "", messageName: "", order: 5},
	}
	sessionValues := func(s *sessionRow) []any {
		return []any{s.id, s.serverID, s.time, val(s.module), val(s.endpoint), val(s.method), val(s.duration),
			val(s.numQueries), val(s.slow), val(s.err), val(s.stackTrace), val(s.authenticatedUserID), val(s.isOpen), s.touched}
	}
	var c [4]copyData
	var generic [4][][]any
	for i := range c {
		c[i].reset()
	}
	for _, s := range []*sessionRow{full, empty} {
		c[0].session(s, true)
		generic[0] = append(generic[0], sessionValues(s))
	}
	for i := range logs {
		l := &logs[i]
		c[1].log(l)
		generic[1] = append(generic[1], []any{l.sessionLogID, val(l.messageID), val(l.reference), l.serverID, l.time,
			l.level, l.message, val(l.err), val(l.stackTrace), l.order})
	}
	for i := range queries {
		q := &queries[i]
		c[2].query(q)
		generic[2] = append(generic[2], []any{q.serverID, q.sessionLogID, val(q.messageID), q.query, q.duration,
			val(q.numRows), val(q.err), val(q.stackTrace), q.slow, q.order})
	}
	for i := range messages {
		m := &messages[i]
		c[3].message(m)
		generic[3] = append(generic[3], []any{m.sessionLogID, m.serverID, m.messageID, m.endpoint, m.messageName,
			m.duration, val(m.err), val(m.stackTrace), m.slow, m.order})
	}
	tables := []struct {
		name    string
		columns []string
	}{
		{"serverpod_session_log", sessionColumns},
		{"serverpod_log", logColumns},
		{"serverpod_query_log", queryColumns},
		{"serverpod_message_log", messageColumns},
	}
	for i, table := range tables {
		t.Run(table.name, func(t *testing.T) {
			var got [2][]string
			for k := range got {
				tmp := fmt.Sprintf("copy_test_%d", k)
				if _, err := conn.Exec(ctx, fmt.Sprintf(`DROP TABLE IF EXISTS %s; CREATE TEMP TABLE %s (LIKE %q INCLUDING DEFAULTS)`, tmp, tmp, table.name)); err != nil {
					t.Fatal(err)
				}
				if k == 0 {
					_, err = conn.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(c[i].bytes()), copySQL(tmp, table.columns))
				} else {
					_, err = conn.CopyFrom(ctx, pgx.Identifier{tmp}, table.columns, pgx.CopyFromRows(generic[i]))
				}
				if err != nil {
					t.Fatal(err)
				}
				var cols string
				for j, name := range table.columns {
					if j > 0 {
						cols += " || '|' || "
					}
					cols += fmt.Sprintf(`coalesce(%q::text, 'NULL')`, name)
				}
				rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT %s FROM %s ORDER BY ctid`, cols, tmp))
				if err != nil {
					t.Fatal(err)
				}
				got[k], err = pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					t.Fatal(err)
				}
			}
			if len(got[0]) != 2 || fmt.Sprint(got[0]) != fmt.Sprint(got[1]) {
				t.Errorf("binary COPY wrote\n%q\npgx wrote\n%q", got[0], got[1])
			}
		})
	}
}
