// Package db is gopod's database access on PostgreSQL through pgx: a
// connection pool, transactions with nested savepoints, typed errors for
// constraint violations, and the ORM that generated code runs on.
//
// For each table class the generator declares typed columns (CompanyT),
// a repository (CompanyDB), includes (CompanyInclude) and the relations
// of the relation helpers (CompanyLinks); this package builds and runs
// the statements:
//
//	companies, err := db.Find(session, protocol.CompanyDB,
//		db.Where(protocol.CompanyT.Name.Like("A%").And(
//			protocol.CompanyT.Employees.Count().GreaterThan(10))),
//		db.OrderBy(protocol.CompanyT.Name.Asc()),
//		db.Limit(20),
//		db.Include(protocol.CompanyInclude{
//			Employees: &protocol.EmployeeIncludeList{Limit: 5},
//		}),
//	)
//	err = db.Attach(session, protocol.CompanyLinks.Employees, company, employee)
//
// Statements bind every value as a parameter and quote every identifier;
// statements of the same shape have the same text, so pgx prepares each
// once per connection. Columns hold what Serverpod 2.4 stores in them.
//
// The generated code declares each table as data, not code: the columns
// and the fields of the class's struct that hold them. A Table runs on a
// pointer to a slice of that struct (a *[]Company), whose fields it reads
// and writes through a plan made once per table from the struct's type.
// The typed API (Find, Insert, Attach, ...) is generic functions that
// wrap the Table's methods: Go compiles a generic function only where it
// is called, once for each struct type it is called with, while the
// methods of a generic type, or any function generated per table, would
// be compiled for every table class on every change of a model, most of
// the rebuild of a project of many tables. So the generic types that
// generated code declares (Repo, ListLink, ObjectLink) have no methods.
package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Querier runs SQL: a pool, a connection or a transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Conn is what queries run on: a context together with a Querier. A
// *pod.Session is a Conn on the server's database, and inside
// Transaction the *Tx is a Conn on the transaction, so the same ORM call
// works in and out of transactions.
type Conn interface {
	context.Context
	Querier() Querier
}

// DB is a pool of connections to one database.
type DB struct {
	// pool is always a *pgxpool.Pool, held as an interface so that
	// pgxpool is not part of DB's type: every package whose code reaches
	// *DB (through *pod.Session, say) reads that type from export data,
	// and would compile the generic puddle pool inside pgxpool.Pool anew.
	pool pgxPool
}

// pgxPool is what DB uses of *pgxpool.Pool.
type pgxPool interface {
	Querier
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Close()
}

// Open connects to the database at connString (a postgres:// URL or a
// key=value string) and checks that it answers.
func Open(ctx context.Context, connString string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("database settings: %w", err)
	}
	cfg.ConnConfig.Tracer = tracer{}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to the database at %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &DB{pool: pool}, nil
}

// New wraps an existing pool. Its queries reach QueryObservers when its
// ConnConfig.Tracer is QueryTracer(), as Open sets it.
func New(pool *pgxpool.Pool) *DB { return &DB{pool: pool} }

// Pool returns the pgx pool under d (nil for a zero DB). It is not a
// method of DB so that DB's method set, which importers read with the
// type, does not mention pgxpool.
func Pool(d *DB) *pgxpool.Pool {
	p, _ := d.pool.(*pgxpool.Pool)
	return p
}

// Close closes every connection.
func (d *DB) Close() { d.pool.Close() }

// Exec runs a statement; errors are typed (see Error).
func (d *DB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := d.pool.Exec(ctx, sql, args...)
	return tag, Wrap(err)
}

// Query runs a query.
func (d *DB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := d.pool.Query(ctx, sql, args...)
	return rows, Wrap(err)
}

// QueryRow runs a query returning at most one row.
func (d *DB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{d.pool.QueryRow(ctx, sql, args...)}
}

// row types the error of Scan.
type row struct{ pgx.Row }

func (r row) Scan(dest ...any) error { return Wrap(r.Row.Scan(dest...)) }

// With returns a Conn that runs on d with ctx, for code that has a context
// but no session (background jobs, tests).
func (d *DB) With(ctx context.Context) Conn { return dbConn{ctx, d} }

type dbConn struct {
	context.Context
	db *DB
}

func (c dbConn) Querier() Querier { return c.db }

// SendBatch sends the statements of b on c in one round trip and hands
// their results to read, in order. On the database they run as one
// implicit transaction (pgx ends a batch with a single Sync), so a
// transaction-scoped advisory lock taken first holds until the last
// statement; on a *Tx they run inside the transaction. Errors are typed
// (see Error).
func SendBatch(c Conn, b *pgx.Batch, read func(pgx.BatchResults) error) error {
	var r pgx.BatchResults
	switch q := c.Querier().(type) {
	case *DB:
		r = q.pool.SendBatch(c, b)
	case txQuerier:
		r = q.tx.SendBatch(c, b)
	default:
		return fmt.Errorf("db: %T cannot send a batch", q)
	}
	err := read(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	return Wrap(err)
}

// IsolationLevel of a transaction.
type IsolationLevel = pgx.TxIsoLevel

// Isolation levels, as Serverpod's TransactionSettings names them.
const (
	ReadUncommitted IsolationLevel = pgx.ReadUncommitted
	ReadCommitted   IsolationLevel = pgx.ReadCommitted
	RepeatableRead  IsolationLevel = pgx.RepeatableRead
	Serializable    IsolationLevel = pgx.Serializable
)

// TxOptions tune a transaction.
type TxOptions struct {
	Isolation IsolationLevel
	ReadOnly  bool
}

// Tx is a transaction (or, when nested, a savepoint inside one). It is a
// Conn, so ORM calls made with it run inside the transaction.
type Tx struct {
	context.Context
	tx pgx.Tx
}

// Querier returns the transaction.
func (t *Tx) Querier() Querier { return txQuerier{t.tx} }

type txQuerier struct{ tx pgx.Tx }

func (q txQuerier) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := q.tx.Exec(ctx, sql, args...)
	return tag, Wrap(err)
}

func (q txQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := q.tx.Query(ctx, sql, args...)
	return rows, Wrap(err)
}

func (q txQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{q.tx.QueryRow(ctx, sql, args...)}
}

// Transaction runs fn in a transaction on c: it commits when fn returns
// nil and rolls back when fn returns an error or panics. Called with a
// *Tx, it nests as a savepoint, which rolls back alone.
func Transaction(c Conn, fn func(tx *Tx) error, opts ...TxOptions) (err error) {
	var tx pgx.Tx
	switch q := c.Querier().(type) {
	case txQuerier:
		tx, err = q.tx.Begin(c) // a savepoint
	case *DB:
		var o pgx.TxOptions
		if len(opts) > 0 {
			o.IsoLevel = opts[0].Isolation
			if opts[0].ReadOnly {
				o.AccessMode = pgx.ReadOnly
			}
		}
		tx, err = q.pool.BeginTx(c, o)
	default:
		return fmt.Errorf("db: %T cannot start a transaction", q)
	}
	if err != nil {
		return fmt.Errorf("starting a transaction: %w", Wrap(err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(c))
			panic(p)
		}
		if err != nil {
			if rerr := tx.Rollback(context.WithoutCancel(c)); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
				err = errors.Join(err, fmt.Errorf("rolling back: %w", rerr))
			}
			return
		}
		if cerr := tx.Commit(c); cerr != nil {
			err = fmt.Errorf("committing: %w", Wrap(cerr))
		}
	}()
	return fn(&Tx{Context: c, tx: tx})
}

// Savepoint is a point inside a transaction to roll back to.
type Savepoint struct {
	ctx context.Context
	tx  pgx.Tx
}

// Savepoint creates a savepoint (Serverpod's createSavepoint).
func (t *Tx) Savepoint() (*Savepoint, error) {
	sp, err := t.tx.Begin(t)
	if err != nil {
		return nil, fmt.Errorf("creating a savepoint: %w", Wrap(err))
	}
	return &Savepoint{ctx: t, tx: sp}, nil
}

// Release keeps the work done since the savepoint.
func (s *Savepoint) Release() error { return Wrap(s.tx.Commit(s.ctx)) }

// Rollback undoes the work done since the savepoint; the transaction goes on.
func (s *Savepoint) Rollback() error { return Wrap(s.tx.Rollback(s.ctx)) }

// CopyFrom bulk-loads rows into a table inside the transaction with
// PostgreSQL's COPY, the fastest way to insert many rows.
func (t *Tx) CopyFrom(table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	n, err := t.tx.CopyFrom(t, table, columns, src)
	return n, Wrap(err)
}
