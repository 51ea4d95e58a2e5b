package db

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Meta is what generated code tells the ORM about a table class T: its
// table and how to move a T's fields in and out of the table's columns.
// The functions are generated per class, so reading and writing rows needs
// no reflection.
type Meta[T any] struct {
	Table *Table
	// ID returns the row's id, nil while the row is not inserted.
	ID func(m *T) *int64
	// Scan returns where to read each column of Table into m, in order.
	Scan func(m *T) []any
	// Values returns the values of the columns after id, in order; a nil
	// value is null.
	Values func(m *T) ([]any, error)
}

// Repo reads and writes the rows of one table class (Serverpod's
// Model.db). Every method takes a Conn first: a *pod.Session, or a *Tx
// inside Transaction.
type Repo[T any] struct {
	meta Meta[T]
	// Statements that never change, built once so that the hot paths only
	// bind values (and hit pgx's prepared statement cache).
	byID      string
	insertOne string
	update    string
	deleteOne string
	deleteIDs string
}

// maxParams is PostgreSQL's limit of parameters in one statement.
const maxParams = 65535

// NewRepo returns the repository of the table class described by m.
func NewRepo[T any](m Meta[T]) *Repo[T] {
	t := m.Table
	r := &Repo[T]{meta: m}
	id := quoteIdent("id")
	r.byID = "SELECT " + t.selectList + " FROM " + quoteIdent(t.name) + " WHERE " + quoteIdent(t.name) + "." + id + " = $1"
	r.insertOne = t.insertPrefix + valuesTuple(len(t.columns)-1, 1) + " RETURNING " + t.returningList
	r.update = r.updateSQL(nil)
	r.deleteOne = "DELETE FROM " + quoteIdent(t.name) + " WHERE " + id + " = $1 RETURNING " + t.returningList
	r.deleteIDs = "DELETE FROM " + quoteIdent(t.name) + " WHERE " + id + " = ANY($1) RETURNING " + t.returningList
	return r
}

// valuesTuple is ($first, ..., $first+n-1), or (DEFAULT) for no columns.
func valuesTuple(n, first int) string {
	if n == 0 {
		return "(DEFAULT)"
	}
	var b strings.Builder
	b.WriteByte('(')
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(placeholder(first + i))
	}
	b.WriteByte(')')
	return b.String()
}

// Table is the repository's table.
func (r *Repo[T]) Table() *Table { return r.meta.Table }

func (r *Repo[T]) errorf(action string, err error) error {
	return fmt.Errorf("%s %s: %w", action, r.meta.Table.name, Wrap(err))
}

// collect scans every row of rs into new Ts appended to out.
func (r *Repo[T]) collect(rs pgx.Rows, out []T) ([]T, error) {
	defer rs.Close()
	for rs.Next() {
		var m T
		if err := rs.Scan(r.meta.Scan(&m)...); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, Wrap(rs.Err())
}

// rescan reads the rows of rs over copies of rows, in order: the rows an
// INSERT or UPDATE returns, with their ids and database defaults, and the
// fields that are not columns kept.
func (r *Repo[T]) rescan(rs pgx.Rows, rows []T) ([]T, error) {
	defer rs.Close()
	out := make([]T, 0, len(rows))
	for rs.Next() {
		if len(out) == len(rows) {
			return nil, errors.New("db: more rows returned than written")
		}
		m := rows[len(out)]
		if err := rs.Scan(r.meta.Scan(&m)...); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rs.Err(); err != nil {
		return nil, Wrap(err)
	}
	return out, nil
}

func (r *Repo[T]) loads(q *query) ([]Load[T], error) {
	if q.include == nil {
		return nil, nil
	}
	l, ok := q.include.([]Load[T])
	if !ok {
		return nil, fmt.Errorf("db: an include of another table (%T) used on table %s", q.include, r.meta.Table.name)
	}
	return l, nil
}

// find runs the SELECT of q (with the extra condition, grouped by
// partition for included lists) and loads the relations asked for.
func (r *Repo[T]) find(c Conn, q *query, extra Expr, partition string, loads []Load[T]) ([]T, error) {
	sql, args, err := selectSQL(r.meta.Table, q, extra, partition)
	if err != nil {
		return nil, err
	}
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return nil, err
	}
	out, err := r.collect(rs, []T{})
	if err != nil {
		return nil, err
	}
	for _, l := range loads {
		if err := l.load(c, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Find returns the rows matching the options (Where, OrderBy, Limit,
// Offset, Include); all rows without any.
func (r *Repo[T]) Find(c Conn, opts ...Option) ([]T, error) {
	q, err := parse("Find", opts, setWhere|setOrderBy|setLimit|setOffset|setInclude)
	if err != nil {
		return nil, err
	}
	loads, err := r.loads(q)
	if err != nil {
		return nil, err
	}
	out, err := r.find(c, q, Expr{}, "", loads)
	if err != nil {
		return nil, r.errorf("finding rows of", err)
	}
	return out, nil
}

// FindFirstRow returns the first row matching the options (Where,
// OrderBy, Offset, Include), or nil when there is none.
func (r *Repo[T]) FindFirstRow(c Conn, opts ...Option) (*T, error) {
	q, err := parse("FindFirstRow", opts, setWhere|setOrderBy|setOffset|setInclude)
	if err != nil {
		return nil, err
	}
	loads, err := r.loads(q)
	if err != nil {
		return nil, err
	}
	q.limit, q.set = 1, q.set|setLimit
	out, err := r.find(c, q, Expr{}, "", loads)
	if err != nil {
		return nil, r.errorf("finding a row of", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// FindByID returns the row with the given id, or nil when there is none.
// It takes only the Include option.
func (r *Repo[T]) FindByID(c Conn, id int64, opts ...Option) (*T, error) {
	var loads []Load[T]
	if len(opts) > 0 {
		q, err := parse("FindByID", opts, setInclude)
		if err != nil {
			return nil, err
		}
		if loads, err = r.loads(q); err != nil {
			return nil, err
		}
	}
	rs, err := c.Querier().Query(c, r.byID, id)
	if err != nil {
		return nil, r.errorf("finding by id in", err)
	}
	defer rs.Close()
	if !rs.Next() {
		if err := rs.Err(); err != nil {
			return nil, r.errorf("finding by id in", err)
		}
		return nil, nil
	}
	row := make([]T, 1)
	if err := rs.Scan(r.meta.Scan(&row[0])...); err != nil {
		return nil, r.errorf("finding by id in", err)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, r.errorf("finding by id in", err)
	}
	for _, l := range loads {
		if err := l.load(c, row); err != nil {
			return nil, r.errorf("finding by id in", err)
		}
	}
	return &row[0], nil
}

// Count returns the number of rows matching the options (Where, and
// Limit to count at most that many).
func (r *Repo[T]) Count(c Conn, opts ...Option) (int64, error) {
	q, err := parse("Count", opts, setWhere|setLimit)
	if err != nil {
		return 0, err
	}
	sql, args, err := countSQL(r.meta.Table, q)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := c.Querier().QueryRow(c, sql, args...).Scan(&n); err != nil {
		return 0, r.errorf("counting rows of", err)
	}
	return n, nil
}

// Insert inserts rows and returns them as stored: with their new ids and
// the database defaults of null columns that have one. An id already set
// is ignored, as in Serverpod. It is atomic: when one row fails, none is
// inserted.
func (r *Repo[T]) Insert(c Conn, rows ...T) ([]T, error) {
	if len(rows) == 0 {
		return []T{}, nil
	}
	per := maxParams / max(len(r.meta.Table.columns)-1, 1)
	if len(rows) <= per {
		out, err := r.insert(c, rows)
		if err != nil {
			return nil, r.errorf("inserting into", err)
		}
		return out, nil
	}
	out := make([]T, 0, len(rows))
	err := Transaction(c, func(tx *Tx) error {
		for start := 0; start < len(rows); start += per {
			got, err := r.insert(tx, rows[start:min(start+per, len(rows))])
			if err != nil {
				return err
			}
			out = append(out, got...)
		}
		return nil
	})
	if err != nil {
		return nil, r.errorf("inserting into", err)
	}
	return out, nil
}

// InsertRow inserts one row and returns it as stored, with its new id.
func (r *Repo[T]) InsertRow(c Conn, row T) (T, error) {
	out, err := r.insert(c, []T{row})
	if err != nil {
		var zero T
		return zero, r.errorf("inserting into", err)
	}
	return out[0], nil
}

func (r *Repo[T]) insert(c Conn, rows []T) ([]T, error) {
	cols := r.meta.Table.columns[1:]
	args := make([]any, 0, len(rows)*len(cols))
	// A null value of a column with a default stores the default, which
	// only the DEFAULT keyword can ask for; such rows get their own
	// statement text, all others share the prepared one.
	var defaults [][]bool
	for i := range rows {
		vals, err := r.meta.Values(&rows[i])
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		if len(vals) != len(cols) {
			return nil, fmt.Errorf("db: %d values for the %d columns of %s", len(vals), len(cols), r.meta.Table.name)
		}
		for j, v := range vals {
			if v == nil && cols[j].HasDefault {
				if defaults == nil {
					defaults = make([][]bool, len(rows))
				}
				if defaults[i] == nil {
					defaults[i] = make([]bool, len(cols))
				}
				defaults[i][j] = true
				continue
			}
			args = append(args, v)
		}
	}
	sql := r.insertOne
	if len(rows) > 1 || defaults != nil {
		var b strings.Builder
		b.WriteString(r.meta.Table.insertPrefix)
		n := 0
		for i := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			if len(cols) == 0 {
				b.WriteString("(DEFAULT)")
				continue
			}
			b.WriteByte('(')
			for j := range cols {
				if j > 0 {
					b.WriteString(", ")
				}
				if defaults != nil && defaults[i] != nil && defaults[i][j] {
					b.WriteString("DEFAULT")
					continue
				}
				n++
				b.WriteString(placeholder(n))
			}
			b.WriteByte(')')
		}
		b.WriteString(" RETURNING " + r.meta.Table.returningList)
		sql = b.String()
	}
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return nil, err
	}
	out, err := r.rescan(rs, rows)
	if err != nil {
		return nil, err
	}
	if len(out) != len(rows) {
		return nil, fmt.Errorf("db: %d rows inserted, %d returned", len(rows), len(out))
	}
	return out, nil
}

// updateSQL is the UPDATE of the columns at the indexes set (into the
// columns after id), all of them when set is nil.
func (r *Repo[T]) updateSQL(set []int) string {
	t := r.meta.Table
	cols := t.columns[1:]
	var b strings.Builder
	b.WriteString("UPDATE " + quoteIdent(t.name) + " SET ")
	n := 0
	write := func(j int) {
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		b.WriteString(quoteIdent(cols[j].Name) + " = " + placeholder(n))
	}
	if set == nil {
		for j := range cols {
			write(j)
		}
	} else {
		for _, j := range set {
			write(j)
		}
	}
	if n == 0 {
		// Nothing but the id: the statement only checks that the row exists.
		b.WriteString(quoteIdent("id") + " = " + quoteIdent("id"))
	}
	b.WriteString(" WHERE " + quoteIdent("id") + " = " + placeholder(n+1) + " RETURNING " + t.returningList)
	return b.String()
}

// updateColumns turns chosen columns into indexes into the columns after
// id; nil means all of them.
func (r *Repo[T]) updateColumns(columns []AnyColumn) ([]int, error) {
	if len(columns) == 0 {
		return nil, nil
	}
	t := r.meta.Table
	set := make([]int, 0, len(columns))
	for _, ac := range columns {
		if ac == nil {
			return nil, errors.New("db: a nil column to update")
		}
		c := ac.column()
		if c.ref == nil || c.ref.parent != nil || c.ref.table != t {
			return nil, fmt.Errorf("db: column %q is not a column of table %s", c.name, t.name)
		}
		if c.name == "id" {
			return nil, fmt.Errorf("db: the id of %s cannot be updated", t.name)
		}
		j := t.column(c.name) - 1
		if j < 0 {
			return nil, fmt.Errorf("db: table %s has no column %q", t.name, c.name)
		}
		dup := false
		for _, k := range set {
			dup = dup || k == j
		}
		if !dup {
			set = append(set, j)
		}
	}
	return set, nil
}

// Update writes rows (every column, or only the columns given) and
// returns them as stored. Every row needs its id. It is atomic: when one
// row fails or does not exist, none is updated.
func (r *Repo[T]) Update(c Conn, rows []T, columns ...AnyColumn) ([]T, error) {
	set, err := r.updateColumns(columns)
	if err != nil {
		return nil, err
	}
	sql := r.update
	if set != nil {
		sql = r.updateSQL(set)
	}
	switch len(rows) {
	case 0:
		return []T{}, nil
	case 1:
		row, err := r.updateRow(c, sql, set, rows[0])
		if err != nil {
			return nil, r.errorf("updating", err)
		}
		return []T{row}, nil
	}
	out := make([]T, 0, len(rows))
	err = Transaction(c, func(tx *Tx) error {
		for i := range rows {
			row, err := r.updateRow(tx, sql, set, rows[i])
			if err != nil {
				return err
			}
			out = append(out, row)
		}
		return nil
	})
	if err != nil {
		return nil, r.errorf("updating", err)
	}
	return out, nil
}

// UpdateRow writes row (every column, or only the columns given) and
// returns it as stored. The row needs its id; a row that does not exist
// is ErrNotFound.
func (r *Repo[T]) UpdateRow(c Conn, row T, columns ...AnyColumn) (T, error) {
	var zero T
	set, err := r.updateColumns(columns)
	if err != nil {
		return zero, err
	}
	sql := r.update
	if set != nil {
		sql = r.updateSQL(set)
	}
	out, err := r.updateRow(c, sql, set, row)
	if err != nil {
		return zero, r.errorf("updating", err)
	}
	return out, nil
}

func (r *Repo[T]) updateRow(c Conn, sql string, set []int, row T) (T, error) {
	var zero T
	id := r.meta.ID(&row)
	if id == nil {
		return zero, errNoID
	}
	vals, err := r.meta.Values(&row)
	if err != nil {
		return zero, err
	}
	args := vals
	if set != nil {
		args = make([]any, 0, len(set)+1)
		for _, j := range set {
			args = append(args, vals[j])
		}
	}
	args = append(args, *id)
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return zero, err
	}
	out, err := r.rescan(rs, []T{row})
	if err != nil {
		return zero, err
	}
	if len(out) == 0 {
		return zero, fmt.Errorf("%w: id %d", ErrNotFound, *id)
	}
	return out[0], nil
}

// ids returns the ids of rows, all of which must have one.
func (r *Repo[T]) ids(rows []T) ([]int64, error) {
	ids := make([]int64, len(rows))
	for i := range rows {
		id := r.meta.ID(&rows[i])
		if id == nil {
			return nil, fmt.Errorf("row %d: %w", i, errNoID)
		}
		ids[i] = *id
	}
	return ids, nil
}

// Delete deletes rows (by their ids) and returns the rows deleted, as they
// were stored. Rows that no longer exist are skipped.
func (r *Repo[T]) Delete(c Conn, rows ...T) ([]T, error) {
	ids, err := r.ids(rows)
	if err != nil {
		return nil, r.errorf("deleting from", err)
	}
	if len(ids) == 0 {
		return []T{}, nil
	}
	rs, err := c.Querier().Query(c, r.deleteIDs, ids)
	if err != nil {
		return nil, r.errorf("deleting from", err)
	}
	out, err := r.collect(rs, make([]T, 0, len(ids)))
	if err != nil {
		return nil, r.errorf("deleting from", err)
	}
	return out, nil
}

// DeleteRow deletes row and returns it as it was stored; a row that does
// not exist is ErrNotFound.
func (r *Repo[T]) DeleteRow(c Conn, row T) (T, error) {
	var zero T
	id := r.meta.ID(&row)
	if id == nil {
		return zero, r.errorf("deleting from", errNoID)
	}
	rs, err := c.Querier().Query(c, r.deleteOne, *id)
	if err != nil {
		return zero, r.errorf("deleting from", err)
	}
	out, err := r.collect(rs, nil)
	if err != nil {
		return zero, r.errorf("deleting from", err)
	}
	if len(out) == 0 {
		return zero, r.errorf("deleting from", fmt.Errorf("%w: id %d", ErrNotFound, *id))
	}
	return out[0], nil
}

// DeleteWhere deletes the rows matching where and returns them. The
// condition is required; Constant(true) deletes every row.
func (r *Repo[T]) DeleteWhere(c Conn, where Expr) ([]T, error) {
	if where.IsZero() {
		return nil, fmt.Errorf("db: DeleteWhere on %s needs a condition; use db.Constant(true) to delete every row", r.meta.Table.name)
	}
	sql, args, err := deleteWhereSQL(r.meta.Table, where)
	if err != nil {
		return nil, err
	}
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return nil, r.errorf("deleting from", err)
	}
	out, err := r.collect(rs, []T{})
	if err != nil {
		return nil, r.errorf("deleting from", err)
	}
	return out, nil
}
