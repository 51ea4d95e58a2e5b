package db

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

type recorder struct {
	mu      sync.Mutex
	queries []ObservedQuery
}

func (r *recorder) ObserveQuery(q ObservedQuery) {
	r.mu.Lock()
	r.queries = append(r.queries, q)
	r.mu.Unlock()
}

func TestQueryObserver(t *testing.T) {
	d := open(t)
	rec := &recorder{}
	ctx := WithQueryObserver(context.Background(), rec)
	if _, err := d.Exec(ctx, `SELECT generate_series(1, 4)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.QueryRow(ctx, `SELECT $1::int`, 5).Scan(&n); err != nil || n != 5 {
		t.Fatalf("QueryRow: %d, %v", n, err)
	}
	if _, err := d.Exec(ctx, `SELECT * FROM missing_table`); err == nil {
		t.Fatal("no error for a missing table")
	}
	err := Transaction(d.With(ctx), func(tx *Tx) error {
		_, err := tx.Querier().Exec(tx, `SELECT 1`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A batch's statements are reported one by one.
	b := &pgx.Batch{}
	b.Queue(`SELECT generate_series(1, 2)`)
	b.Queue(`SELECT $1::int`, 7)
	if err := Pool(d).SendBatch(ctx, b).Close(); err != nil {
		t.Fatal(err)
	}
	// A context without an observer is not reported.
	if _, err := d.Exec(context.Background(), `SELECT 1`); err != nil {
		t.Fatal(err)
	}

	want := []struct {
		sql     string
		rows    int64
		failing bool
	}{
		{`SELECT generate_series(1, 4)`, 4, false},
		{`SELECT $1::int`, 1, false},
		{`SELECT * FROM missing_table`, 0, true},
		{`begin`, 0, false},
		{`SELECT 1`, 1, false},
		{`commit`, 0, false},
		{`SELECT generate_series(1, 2)`, 2, false},
		{`SELECT $1::int`, 1, false},
	}
	if len(rec.queries) != len(want) {
		t.Fatalf("observed %d queries, want %d: %+v", len(rec.queries), len(want), rec.queries)
	}
	for i, w := range want {
		q := rec.queries[i]
		if q.SQL != w.sql || q.Rows != w.rows || (q.Err != nil) != w.failing || q.Duration <= 0 {
			t.Errorf("query %d: %+v, want %+v", i, q, w)
		}
	}
	if !errors.Is(rec.queries[2].Err, ErrUndefinedTable) {
		t.Errorf("the failed query's error is not typed: %v", rec.queries[2].Err)
	}
	var _ pgx.QueryTracer = QueryTracer()
	var _ pgx.BatchTracer = tracer{}
}
