package db

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// QueryObserver learns of every query run with a context that carries it
// (see WithQueryObserver). The session log counts and records a session's
// queries this way, as Serverpod's query log does.
//
// ObserveQuery runs in the goroutine that ran the query, right after it
// ended, so a stack trace taken there shows the caller.
type QueryObserver interface {
	ObserveQuery(q ObservedQuery)
}

// ObservedQuery describes one finished query.
type ObservedQuery struct {
	SQL      string
	Duration time.Duration
	// Rows is the number of rows the statement returned or changed.
	Rows int64
	Err  error
}

type observerKey struct{}

// WithQueryObserver returns a context whose queries are reported to o.
// Queries run with other contexts cost one context lookup.
func WithQueryObserver(ctx context.Context, o QueryObserver) context.Context {
	return context.WithValue(ctx, observerKey{}, o)
}

// QueryTracer returns the pgx tracer that reports queries to observers.
// Open installs it; set it on the ConnConfig of a pool made elsewhere.
func QueryTracer() pgx.QueryTracer { return tracer{} }

// tracer does nothing for a context without an observer.
type tracer struct{}

type queryStart struct {
	observer QueryObserver
	sql      string
	start    time.Time
}

type queryStartKey struct{}

func (tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	o, _ := ctx.Value(observerKey{}).(QueryObserver)
	if o == nil {
		return ctx
	}
	return context.WithValue(ctx, queryStartKey{}, &queryStart{observer: o, sql: data.SQL, start: time.Now()})
}

func (tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	qs, _ := ctx.Value(queryStartKey{}).(*queryStart)
	if qs == nil {
		return
	}
	qs.observer.ObserveQuery(ObservedQuery{
		SQL:      qs.sql,
		Duration: time.Since(qs.start),
		Rows:     data.CommandTag.RowsAffected(),
		Err:      Wrap(data.Err),
	})
}

// batchStart is queryStart for a batch: its statements are reported one
// by one as their results are read, each timed from the one before.
type batchStart struct {
	observer QueryObserver
	last     time.Time
}

type batchStartKey struct{}

func (tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	o, _ := ctx.Value(observerKey{}).(QueryObserver)
	if o == nil {
		return ctx
	}
	return context.WithValue(ctx, batchStartKey{}, &batchStart{observer: o, last: time.Now()})
}

func (tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	bs, _ := ctx.Value(batchStartKey{}).(*batchStart)
	if bs == nil {
		return
	}
	now := time.Now()
	bs.observer.ObserveQuery(ObservedQuery{
		SQL:      data.SQL,
		Duration: now.Sub(bs.last),
		Rows:     data.CommandTag.RowsAffected(),
		Err:      Wrap(data.Err),
	})
	bs.last = now
}

func (tracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
