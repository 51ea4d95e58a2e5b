package db

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/db/dbtest"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "db", &dbURL)) }

func open(t *testing.T) *DB {
	t.Helper()
	d, err := Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func count(t *testing.T, c Conn, table string) int {
	t.Helper()
	var n int
	if err := c.Querier().QueryRow(c, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTransactionsAndSavepoints(t *testing.T) {
	d := open(t)
	c := d.With(context.Background())
	if _, err := d.Exec(c, `CREATE TABLE tx_test (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	insert := func(c Conn, name string) error {
		_, err := c.Querier().Exec(c, `INSERT INTO tx_test (name) VALUES ($1)`, name)
		return err
	}

	// A failing transaction leaves nothing behind.
	err := Transaction(c, func(tx *Tx) error {
		if err := insert(tx, "a"); err != nil {
			return err
		}
		return insert(tx, "a")
	})
	if !errors.Is(err, ErrUniqueViolation) {
		t.Fatalf("duplicate insert: %v", err)
	}
	if n := count(t, c, "tx_test"); n != 0 {
		t.Fatalf("rolled back transaction left %d rows", n)
	}

	// A nested transaction is a savepoint: its failure alone is undone.
	err = Transaction(c, func(tx *Tx) error {
		if err := insert(tx, "kept"); err != nil {
			return err
		}
		if err := Transaction(tx, func(inner *Tx) error {
			insert(inner, "undone")
			return errors.New("give up the inner part")
		}); err == nil {
			t.Error("inner transaction error lost")
		}
		sp, err := tx.Savepoint()
		if err != nil {
			return err
		}
		insert(tx, "rolled back")
		if err := sp.Rollback(); err != nil {
			return err
		}
		sp, err = tx.Savepoint()
		if err != nil {
			return err
		}
		insert(tx, "released")
		return sp.Release()
	}, TxOptions{Isolation: Serializable})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.Query(c, `SELECT name FROM tx_test ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	if len(names) != 2 || names[0] != "kept" || names[1] != "released" {
		t.Fatalf("rows after savepoints: %v", names)
	}

	// A panic rolls back and propagates.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic swallowed")
			}
		}()
		Transaction(c, func(tx *Tx) error {
			insert(tx, "panicked")
			panic("boom")
		})
	}()
	if n := count(t, c, "tx_test"); n != 2 {
		t.Fatalf("panicking transaction left rows: %d", n)
	}
}

func TestTypedErrors(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE TABLE parent (id bigserial PRIMARY KEY)`,
		`CREATE TABLE child (id bigserial PRIMARY KEY, "parentId" bigint NOT NULL REFERENCES parent(id), n int CHECK (n > 0))`,
	} {
		if _, err := d.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		sql  string
		want error
	}{
		{`INSERT INTO child ("parentId", n) VALUES (999, 1)`, ErrForeignKeyViolation},
		{`INSERT INTO child ("parentId", n) VALUES (NULL, 1)`, ErrNotNullViolation},
		{`INSERT INTO parent (id) VALUES (1); INSERT INTO child ("parentId", n) VALUES (1, -1)`, ErrCheckViolation},
		{`SELECT * FROM missing`, ErrUndefinedTable},
	} {
		_, err := d.Exec(ctx, tc.sql)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.sql, err, tc.want)
		}
		var de *Error
		if !errors.As(err, &de) || de.Code == "" {
			t.Errorf("%s: error %T is not a *db.Error", tc.sql, err)
		}
	}
	var n int
	if err := d.QueryRow(ctx, `SELECT 1 WHERE false`).Scan(&n); !errors.Is(err, ErrNotFound) {
		t.Errorf("no rows: %v", err)
	}
}

// TestPoolReturnsThePoolUnderDB checks that the pool DB holds behind an
// interface comes back as the *pgxpool.Pool it was made from.
func TestPoolReturnsThePoolUnderDB(t *testing.T) {
	d := open(t)
	defer d.Close()
	p := Pool(d)
	if p == nil {
		t.Fatal("Pool of an open DB is nil")
	}
	if Pool(New(p)) != p {
		t.Error("Pool(New(p)) is not p")
	}
	if got := Pool(&DB{}); got != nil {
		t.Errorf("Pool of a zero DB = %p, want nil", got)
	}
	var one int
	if err := p.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("querying through Pool: %d, %v", one, err)
	}
}

// TestSendBatch: a batch runs on the database in one round trip, and on a
// transaction inside it; a Querier of another kind is refused.
func TestSendBatch(t *testing.T) {
	d := open(t)
	c := d.With(context.Background())
	b := &pgx.Batch{}
	b.Queue(`SELECT 1`)
	b.Queue(`SELECT $1::text`, "two")
	var one int
	var two string
	err := SendBatch(c, b, func(r pgx.BatchResults) error {
		if err := r.QueryRow().Scan(&one); err != nil {
			return err
		}
		return r.QueryRow().Scan(&two)
	})
	if err != nil || one != 1 || two != "two" {
		t.Fatalf("batch on the database: %d %q %v", one, two, err)
	}

	// In a transaction the batch sees the transaction's id.
	err = Transaction(c, func(tx *Tx) error {
		var want, got int64
		if err := tx.Querier().QueryRow(tx, `SELECT txid_current()`).Scan(&want); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`SELECT txid_current()`)
		if err := SendBatch(tx, b, func(r pgx.BatchResults) error { return r.QueryRow().Scan(&got) }); err != nil {
			return err
		}
		if got != want {
			t.Errorf("the batch ran in transaction %d, not %d", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A failing statement's error comes back typed.
	b = &pgx.Batch{}
	b.Queue(`SELECT 1/0`)
	err = SendBatch(c, b, func(r pgx.BatchResults) error {
		_, err := r.Exec()
		return err
	})
	var dbErr *Error
	if !errors.As(err, &dbErr) {
		t.Errorf("division by zero: %T %v, want a *db.Error", err, err)
	}

	if err := SendBatch(otherConn{c}, &pgx.Batch{}, func(pgx.BatchResults) error { return nil }); err == nil {
		t.Error("a batch on a Querier that is neither the database nor a transaction was sent")
	}
}

// otherConn is a Conn whose Querier is neither a *DB nor a transaction.
type otherConn struct{ Conn }

func (c otherConn) Querier() Querier { return otherQuerier{c.Conn.Querier()} }

type otherQuerier struct{ Querier }
