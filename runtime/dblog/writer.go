package dblog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/db"
)

// sessionRow is a row of serverpod_session_log.
type sessionRow struct {
	id                  int64
	serverID            string
	time, touched       time.Time
	module              *string
	endpoint, method    *string
	duration            *float64
	numQueries          *int64
	slow                *bool
	err, stackTrace     *string
	authenticatedUserID *int64
	isOpen              *bool
}

// logRow is a row of serverpod_log.
type logRow struct {
	sessionLogID int64
	messageID    *int64
	reference    *string
	serverID     string
	time         time.Time
	level        int64 // a Level
	message      string
	err          *string
	stackTrace   *string
	order        int64
}

// queryRow is a row of serverpod_query_log.
type queryRow struct {
	serverID     string
	sessionLogID int64
	messageID    *int64
	query        string
	duration     float64
	numRows      *int64
	err          *string
	stackTrace   *string
	slow         bool
	order        int64
}

// messageRow is a row of serverpod_message_log.
type messageRow struct {
	sessionLogID int64
	serverID     string
	messageID    int64
	endpoint     string
	messageName  string
	duration     float64
	err          *string
	stackTrace   *string
	slow         bool
	order        int64
}

// item is one unit of work for the writer: a session row to insert (or,
// with update, to write over its open row) and entries that belong to it.
// Entries of an item without a session row belong to an open session
// whose id they carry.
type item struct {
	session  *sessionRow
	update   bool
	logs     []logRow
	queries  []queryRow
	messages []messageRow
}

// WriterOptions tune the writer; zero values take the defaults.
type WriterOptions struct {
	// QueueSize is how many sessions may wait to be written (10000); when
	// the queue is full, further sessions are dropped and counted.
	QueueSize int
	// MaxBatch is the most sessions written in one transaction (500).
	MaxBatch int
	// Linger is how long the writer lets sessions gather before writing
	// them (100ms), unless MaxBatch of them are waiting sooner: fewer,
	// larger batches cost the database less per row. A batch costs the
	// database about as much as 15 rows on top of its rows, so at a few
	// thousand calls a second a 10ms linger's batches of a few dozen rows
	// would double what the rows cost.
	Linger time.Duration
	// WriteTimeout bounds one batch (10s).
	WriteTimeout time.Duration
	// ReservedIDs is how many session log ids are kept ready for failed
	// calls, whose answer names the id (32).
	ReservedIDs int
}

func (o *WriterOptions) defaults() {
	if o.QueueSize <= 0 {
		o.QueueSize = 10000
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 500
	}
	if o.Linger <= 0 {
		o.Linger = 100 * time.Millisecond
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.ReservedIDs <= 0 {
		o.ReservedIDs = 32
	}
}

// writer writes log rows in batches from one goroutine, so that calls
// never wait for the log tables: a call hands its rows over and returns.
type writer struct {
	db       *db.DB
	log      *slog.Logger
	opts     WriterOptions
	queue    chan item
	reserve  chan int64
	refill   chan struct{}
	full     chan struct{}
	flushReq chan chan struct{}
	sequence string

	// conn is the writer's own connection, nil until the first write and
	// after a failed one. Only the writer's goroutine uses it.
	conn *pgx.Conn
	// copies hold the batch being written.
	copies batchCopies

	dropped, written atomic.Uint64
	lastWarn         time.Time
}

func newWriter(d *db.DB, log *slog.Logger, opts WriterOptions) *writer {
	opts.defaults()
	return &writer{
		db:       d,
		log:      log,
		opts:     opts,
		queue:    make(chan item, opts.QueueSize),
		reserve:  make(chan int64, opts.ReservedIDs),
		refill:   make(chan struct{}, 1),
		full:     make(chan struct{}, 1),
		flushReq: make(chan chan struct{}),
	}
}

// prepare finds the id sequence of serverpod_session_log, which also
// checks that the log tables exist.
func (w *writer) prepare(ctx context.Context) error {
	var seq *string
	if err := w.db.QueryRow(ctx, `SELECT pg_get_serial_sequence('"serverpod_session_log"', 'id')`).Scan(&seq); err != nil {
		return fmt.Errorf("finding the session log table: %w", err)
	}
	if seq == nil {
		return errors.New("serverpod_session_log.id has no sequence")
	}
	w.sequence = *seq
	return w.refillReserve(ctx)
}

// submit queues it without waiting; a full queue drops it. Once a batch is
// waiting, it cuts the writer's linger short.
func (w *writer) submit(it item) bool {
	select {
	case w.queue <- it:
		if len(w.queue) >= w.opts.MaxBatch {
			select {
			case w.full <- struct{}{}:
			default:
			}
		}
		return true
	default:
		w.dropped.Add(1)
		return false
	}
}

// reserveID hands out a session log id for a session that needs its id
// before its row is written (a failed call names it in its answer, an open
// streaming session in its entries). It takes a reserved id when one is
// ready and asks the sequence otherwise, waiting at most wait; 0 means no
// id could be had.
func (w *writer) reserveID(ctx context.Context, wait time.Duration) int64 {
	select {
	case id := <-w.reserve:
		if len(w.reserve) < cap(w.reserve)/2 {
			select {
			case w.refill <- struct{}{}:
			default:
			}
		}
		return id
	default:
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait)
	defer cancel()
	ids, err := w.nextIDs(ctx, 1)
	if err != nil {
		return 0
	}
	return ids[0]
}

func (w *writer) nextIDs(ctx context.Context, n int) ([]int64, error) {
	rows, err := w.db.Query(ctx, `SELECT nextval($1::regclass) FROM generate_series(1, $2)`, w.sequence, n)
	if err != nil {
		return nil, fmt.Errorf("taking session log ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("taking session log ids: %w", db.Wrap(err))
	}
	return ids, nil
}

func (w *writer) refillReserve(ctx context.Context) error {
	n := cap(w.reserve) - len(w.reserve)
	if n <= 0 {
		return nil
	}
	ids, err := w.nextIDs(ctx, n)
	if err != nil {
		return err
	}
	for _, id := range ids {
		select {
		case w.reserve <- id:
		default:
			return nil
		}
	}
	return nil
}

// run writes queued items until ctx is done, then writes what is still
// queued. Writes do not end with ctx, so that stopping does not cut one
// short; each is bounded by the write timeout instead.
func (w *writer) run(ctx context.Context) {
	wctx := context.WithoutCancel(ctx)
	batch := make([]item, 0, w.opts.MaxBatch)
	for {
		select {
		case <-ctx.Done():
			w.flushQueued(wctx, batch)
			w.closeConn()
			return
		case <-w.refill:
			w.timed(wctx, w.refillReserve)
		case done := <-w.flushReq:
			w.flushQueued(wctx, batch)
			close(done)
		case it := <-w.queue:
			// Let more sessions gather before writing. Not receiving
			// meanwhile keeps closing sessions cheap: a send to a
			// buffered channel nobody waits on wakes no goroutine.
			t := time.NewTimer(w.opts.Linger)
			var done chan struct{}
			select {
			case <-t.C:
			case <-w.full:
			case <-ctx.Done():
			case done = <-w.flushReq:
			}
			t.Stop()
			batch = w.drain(append(batch[:0], it))
			w.flush(wctx, batch)
			clear(batch)
			w.flushQueued(wctx, batch)
			if done != nil {
				close(done)
			}
		}
	}
}

// flushQueued writes everything queued, batch after batch.
func (w *writer) flushQueued(ctx context.Context, batch []item) {
	for {
		batch = w.drain(batch[:0])
		if len(batch) == 0 {
			return
		}
		w.flush(ctx, batch)
		clear(batch)
	}
}

// drain adds queued items to batch without waiting, up to MaxBatch.
func (w *writer) drain(batch []item) []item {
	for len(batch) < w.opts.MaxBatch {
		select {
		case it := <-w.queue:
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}

func (w *writer) timed(ctx context.Context, f func(context.Context) error) {
	ctx, cancel := context.WithTimeout(ctx, w.opts.WriteTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		w.warn(err, 0)
	}
}

func (w *writer) flush(ctx context.Context, batch []item) {
	ctx, cancel := context.WithTimeout(ctx, w.opts.WriteTimeout)
	defer cancel()
	if err := w.write(ctx, batch); err != nil {
		w.dropped.Add(uint64(len(batch)))
		w.warn(err, len(batch))
		return
	}
	w.written.Add(uint64(len(batch)))
	if len(w.reserve) < cap(w.reserve)/2 {
		if err := w.refillReserve(ctx); err != nil {
			w.warn(err, 0)
		}
	}
}

// warn reports a failed write at most once a minute, so that a database
// outage does not flood the console.
func (w *writer) warn(err error, lost int) {
	now := time.Now()
	if now.Sub(w.lastWarn) < time.Minute {
		return
	}
	w.lastWarn = now
	w.log.Warn("writing session logs to the database failed; logs are dropped until it recovers",
		"error", err, "lostSessions", lost, "droppedSoFar", w.dropped.Load())
}

// write stores a batch in one transaction: the session rows first, then
// their entries, then the rows of sessions that closed after being written
// open. When a session has entries, its id is taken from the sequence here,
// so that they can name it, and so are the ids of the batch's other
// sessions, to number them in the order they closed; a batch of sessions
// without entries lets the table number them.
func (w *writer) write(ctx context.Context, batch []item) error {
	if slices.ContainsFunc(batch, func(it item) bool { return it.needsID() }) {
		var missing int
		for i := range batch {
			if s := batch[i].session; s != nil && s.id == 0 && !batch[i].update {
				missing++
			}
		}
		ids, err := w.nextIDs(ctx, missing)
		if err != nil {
			return err
		}
		for i := range batch {
			if s := batch[i].session; s != nil && s.id == 0 && !batch[i].update {
				s.id, ids = ids[0], ids[1:]
			}
		}
	}
	c := &w.copies
	for _, d := range []*copyData{&c.numbered, &c.plain, &c.logs, &c.queries, &c.messages} {
		d.reset()
	}
	var updates [][]any
	for i := range batch {
		it := &batch[i]
		if s := it.session; s != nil {
			switch {
			case it.update:
				updates = append(updates, []any{s.id, s.serverID, s.time, val(s.module), val(s.endpoint), val(s.method),
					val(s.duration), val(s.numQueries), val(s.slow), val(s.err), val(s.stackTrace),
					val(s.authenticatedUserID), val(s.isOpen), s.touched})
			case s.id == 0:
				c.plain.session(s, false)
			default:
				c.numbered.session(s, true)
			}
		}
		for j := range it.logs {
			l := &it.logs[j]
			if it.session != nil {
				l.sessionLogID = it.session.id
			}
			c.logs.log(l)
		}
		for j := range it.queries {
			q := &it.queries[j]
			if it.session != nil {
				q.sessionLogID = it.session.id
			}
			c.queries.query(q)
		}
		for j := range it.messages {
			m := &it.messages[j]
			if it.session != nil {
				m.sessionLogID = it.session.id
			}
			c.messages.message(m)
		}
	}
	// Sessions first: the entries refer to them.
	copies := []copyStatement{
		{copyNumberedSessions, &c.numbered},
		{copyPlainSessions, &c.plain},
		{copyLogs, &c.logs},
		{copyQueries, &c.queries},
		{copyMessages, &c.messages},
	}
	copies = slices.DeleteFunc(copies, func(c copyStatement) bool { return c.data.rows == 0 })
	conn, err := w.connect(ctx)
	if err != nil {
		return err
	}
	if err := writeCopies(ctx, conn, copies, updates); err != nil {
		// Whatever state the connection is in, the next batch starts on
		// a fresh one.
		w.closeConn()
		return err
	}
	return nil
}

// copyStatement is one COPY of a batch.
type copyStatement struct {
	sql  string
	data *copyData
}

// batchCopies are the writer's COPY data, kept from batch to batch so that
// their buffers are reused.
type batchCopies struct {
	numbered, plain, logs, queries, messages copyData
}

// writeCopies stores the rows on conn: with one COPY alone, which is atomic
// by itself, else in one transaction.
func writeCopies(ctx context.Context, conn *pgx.Conn, copies []copyStatement, updates [][]any) error {
	copyAll := func() error {
		for _, c := range copies {
			if _, err := conn.PgConn().CopyFrom(ctx, bytes.NewReader(c.data.bytes()), c.sql); err != nil {
				return fmt.Errorf("writing session logs (%s): %w", c.sql[:strings.Index(c.sql, " (")], db.Wrap(err))
			}
		}
		return nil
	}
	if len(copies) == 1 && len(updates) == 0 {
		return copyAll()
	}
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := copyAll(); err != nil {
			return err
		}
		for _, row := range updates {
			if _, err := tx.Exec(ctx, updateSession, row...); err != nil {
				return fmt.Errorf("closing a session log: %w", db.Wrap(err))
			}
		}
		return nil
	})
}

// connect returns the writer's connection, opening it when there is none.
// It is its own, not one of the pool's, so that it can commit without
// waiting for the database to flush its write-ahead log to disk
// (synchronous_commit off, for this connection only): on this kind of
// load that wait is most of what a small batch costs the database. The
// price is that a crash of the database server (not of gopod) can lose the
// log rows of the last fraction of a second (at most three times the
// server's wal_writer_delay); what was written stays consistent. Session
// logs are diagnostics, and Serverpod 2.4 writes them with ordinary
// inserts that a call does not wait for either.
func (w *writer) connect(ctx context.Context) (*pgx.Conn, error) {
	if w.conn != nil && !w.conn.IsClosed() {
		return w.conn, nil
	}
	cfg := db.Pool(w.db).Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["synchronous_commit"] = "off"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting the session log writer: %w", db.Wrap(err))
	}
	w.conn = conn
	return conn, nil
}

func (w *writer) closeConn() {
	if w.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = w.conn.Close(ctx)
	w.conn = nil
}

// val is the value p points to, or nil for null. pgx encodes values of
// its basic types without reflection, unlike pointers to them.
func val[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// needsID reports whether the item's session row must be numbered before
// it is written: its entries refer to it.
func (it item) needsID() bool {
	return it.session != nil && it.session.id == 0 && !it.update &&
		len(it.logs)+len(it.queries)+len(it.messages) > 0
}

const updateSession = `UPDATE "serverpod_session_log" SET "serverId" = $2, "time" = $3, "module" = $4, "endpoint" = $5,
    "method" = $6, "duration" = $7, "numQueries" = $8, "slow" = $9, "error" = $10, "stackTrace" = $11,
    "authenticatedUserId" = $12, "isOpen" = $13, "touched" = $14 WHERE "id" = $1`
