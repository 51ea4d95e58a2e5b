package db

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"github.com/jackc/pgx/v5"
)

// maxParams is PostgreSQL's limit of parameters in one statement.
const maxParams = 65535

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

func (t *Table) errorf(action string, err error) error {
	return fmt.Errorf("%s %s: %w", action, t.name, Wrap(err))
}

// id returns the id of row i of rows, which must have one.
func id(rows rowSlice, i int) (int64, error) { return rows.p.id(rows.at(i)) }

// scan reads the current row of rs into the row at row.
func scan(rs pgx.Rows, d *destList, p *rowPlan, row unsafe.Pointer) error {
	d.reset()
	p.scan(row, d)
	return rs.Scan(d.list...)
}

// collect appends every row of rs to rows.
func collect(rs pgx.Rows, rows rowSlice) error {
	defer rs.Close()
	d := new(destList)
	zero := rows.h.cap
	for rs.Next() {
		if err := scan(rs, d, rows.p, rows.add(&zero)); err != nil {
			return err
		}
	}
	return Wrap(rs.Err())
}

// rescan reads the rows of rs over the rows at indexes [from, to), in
// order, and returns how many it read: the rows an INSERT or UPDATE
// returns, with their ids and database defaults, and the fields that are
// not columns kept.
func rescan(rs pgx.Rows, rows rowSlice, from, to int) (int, error) {
	defer rs.Close()
	d := new(destList)
	n := 0
	for rs.Next() {
		if from+n == to {
			return n, errors.New("db: more rows returned than written")
		}
		if err := scan(rs, d, rows.p, rows.at(from+n)); err != nil {
			return n, err
		}
		n++
	}
	return n, Wrap(rs.Err())
}

// loads returns the loads of the Include option of q.
func (t *Table) loads(q *query) ([]relLoad, error) {
	if q.include == nil {
		return nil, nil
	}
	v := reflect.ValueOf(q.include)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	if t.include == nil || v.Type() != t.include {
		return nil, fmt.Errorf("db: an include of another table (%T) used on table %s, whose include is %v", q.include, t.name, t.include)
	}
	return t.loadsOf(v)
}

// find runs the SELECT of q (with the extra condition, grouped by
// partition for included lists) into rows and loads the relations asked
// for.
func (t *Table) find(c Conn, rows rowSlice, q *query, extra Expr, partition string, loads []relLoad) error {
	sql, args, err := selectSQL(t, q, extra, partition)
	if err != nil {
		return err
	}
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return err
	}
	if err := collect(rs, rows); err != nil {
		return err
	}
	for _, l := range loads {
		if err := l.load(c, t, rows); err != nil {
			return err
		}
	}
	return nil
}

// Find reads into rows, a pointer to an empty slice of the table's
// struct, the rows matching the options (Where, OrderBy, Limit, Offset,
// Include); all rows without any.
func (t *Table) Find(c Conn, rows any, opts ...Option) error {
	r, err := t.rowsOf(rows)
	if err != nil {
		return err
	}
	q, err := parse("Find", opts, setWhere|setOrderBy|setLimit|setOffset|setInclude)
	if err != nil {
		return err
	}
	loads, err := t.loads(q)
	if err != nil {
		return err
	}
	if err := t.find(c, r, q, Expr{}, "", loads); err != nil {
		return t.errorf("finding rows of", err)
	}
	return nil
}

// FindFirstRow reads into rows (as Find does) the first row matching
// the options (Where, OrderBy, Offset, Include), if there is one.
func (t *Table) FindFirstRow(c Conn, rows any, opts ...Option) error {
	r, err := t.rowsOf(rows)
	if err != nil {
		return err
	}
	q, err := parse("FindFirstRow", opts, setWhere|setOrderBy|setOffset|setInclude)
	if err != nil {
		return err
	}
	loads, err := t.loads(q)
	if err != nil {
		return err
	}
	q.limit, q.set = 1, q.set|setLimit
	if err := t.find(c, r, q, Expr{}, "", loads); err != nil {
		return t.errorf("finding a row of", err)
	}
	return nil
}

// FindByID reads into rows (as Find does) the row with the given id,
// if there is one. It takes only the Include option.
func (t *Table) FindByID(c Conn, rows any, id int64, opts ...Option) error {
	r, err := t.rowsOf(rows)
	if err != nil {
		return err
	}
	var loads []relLoad
	if len(opts) > 0 {
		q, err := parse("FindByID", opts, setInclude)
		if err != nil {
			return err
		}
		if loads, err = t.loads(q); err != nil {
			return err
		}
	}
	rs, err := c.Querier().Query(c, t.byID, id)
	if err != nil {
		return t.errorf("finding by id in", err)
	}
	if err := collect(rs, r); err != nil {
		return t.errorf("finding by id in", err)
	}
	if r.len() == 0 {
		return nil
	}
	for _, l := range loads {
		if err := l.load(c, t, r); err != nil {
			return t.errorf("finding by id in", err)
		}
	}
	return nil
}

// Count returns the number of rows matching the options (Where, and
// Limit to count at most that many).
func (t *Table) Count(c Conn, opts ...Option) (int64, error) {
	q, err := parse("Count", opts, setWhere|setLimit)
	if err != nil {
		return 0, err
	}
	sql, args, err := countSQL(t, q)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := c.Querier().QueryRow(c, sql, args...).Scan(&n); err != nil {
		return 0, t.errorf("counting rows of", err)
	}
	return n, nil
}

// Insert inserts rows, a pointer to a slice of the table's struct, and
// reads them back over themselves as stored: with their new ids and the
// database defaults of null columns that have one. An id already set is
// ignored, as in Serverpod. It is atomic: when one row fails, none is
// inserted.
func (t *Table) Insert(c Conn, rows any) error {
	r, err := t.rowsOf(rows)
	if err != nil {
		return err
	}
	n := r.len()
	if n == 0 {
		return nil
	}
	per := maxParams / max(len(t.columns)-1, 1)
	if n <= per {
		if err := t.insert(c, r, 0, n); err != nil {
			return t.errorf("inserting into", err)
		}
		return nil
	}
	err = Transaction(c, func(tx *Tx) error {
		for start := 0; start < n; start += per {
			if err := t.insert(tx, r, start, min(start+per, n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return t.errorf("inserting into", err)
	}
	return nil
}

// insert inserts the rows at indexes [from, to) with one statement.
func (t *Table) insert(c Conn, rows rowSlice, from, to int) error {
	cols := t.columns[1:]
	args := make([]any, 0, (to-from)*len(cols))
	// A null value of a column with a default stores the default, which
	// only the DEFAULT keyword can ask for; such rows get their own
	// statement text, all others share the prepared one.
	var defaults [][]bool
	a := new(argList)
	for i := from; i < to; i++ {
		a.reset()
		rows.p.values(rows.at(i), a)
		if a.err != nil {
			return fmt.Errorf("row %d: %w", i, a.err)
		}
		for j, v := range a.list {
			if v == nil && cols[j].HasDefault {
				if defaults == nil {
					defaults = make([][]bool, to-from)
				}
				if defaults[i-from] == nil {
					defaults[i-from] = make([]bool, len(cols))
				}
				defaults[i-from][j] = true
				continue
			}
			args = append(args, v)
		}
	}
	sql := t.insertOne
	if to-from > 1 || defaults != nil {
		sql = t.insertSQL(to-from, defaults)
	}
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return err
	}
	got, err := rescan(rs, rows, from, to)
	if err != nil {
		return err
	}
	if got != to-from {
		return fmt.Errorf("db: %d rows inserted, %d returned", to-from, got)
	}
	return nil
}

// insertSQL is the INSERT of n rows, with DEFAULT where defaults says.
func (t *Table) insertSQL(n int, defaults [][]bool) string {
	cols := t.columns[1:]
	var b strings.Builder
	b.WriteString(t.insertPrefix)
	param := 0
	for i := range n {
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
			param++
			b.WriteString(placeholder(param))
		}
		b.WriteByte(')')
	}
	b.WriteString(" RETURNING " + t.returningList)
	return b.String()
}

// updateSQL is the UPDATE of the columns at the indexes set (into the
// columns after id), all of them when set is nil.
func (t *Table) updateSQL(set []int) string {
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
func (t *Table) updateColumns(columns []AnyColumn) ([]int, error) {
	if len(columns) == 0 {
		return nil, nil
	}
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

// Update writes rows (every column, or only the columns given) and reads
// them back over themselves as stored. Every row needs its id. It is
// atomic: when one row fails or does not exist (ErrNotFound), none is
// updated.
func (t *Table) Update(c Conn, rows any, columns ...AnyColumn) error {
	r, err := t.rowsOf(rows)
	if err != nil {
		return err
	}
	set, err := t.updateColumns(columns)
	if err != nil {
		return err
	}
	sql := t.update
	if set != nil {
		sql = t.updateSQL(set)
	}
	// The values of each row are collected in turn into one list.
	a := new(argList)
	switch r.len() {
	case 0:
		return nil
	case 1:
		if err := t.updateRow(c, sql, set, r, 0, a); err != nil {
			return t.errorf("updating", err)
		}
		return nil
	}
	err = Transaction(c, func(tx *Tx) error {
		for i := range r.len() {
			if err := t.updateRow(tx, sql, set, r, i, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return t.errorf("updating", err)
	}
	return nil
}

// updateRow writes row i of rows with sql, collecting its values in a.
func (t *Table) updateRow(c Conn, sql string, set []int, rows rowSlice, i int, a *argList) error {
	id, err := id(rows, i)
	if err != nil {
		return err
	}
	a.reset()
	rows.p.values(rows.at(i), a)
	if a.err != nil {
		return a.err
	}
	args := a.list
	if set != nil {
		args = make([]any, 0, len(set)+1)
		for _, j := range set {
			args = append(args, a.list[j])
		}
	}
	args = append(args, id)
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return err
	}
	n, err := rescan(rs, rows, i, i+1)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: id %d", ErrNotFound, id)
	}
	return nil
}

// ids returns the ids of rows, all of which must have one.
func ids(rows rowSlice) ([]int64, error) {
	ids := make([]int64, rows.len())
	for i := range ids {
		id, err := id(rows, i)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		ids[i] = id
	}
	return ids, nil
}

// Delete deletes rows (by their ids) and appends the rows deleted, as
// they were stored, to deleted. Rows that no longer exist are skipped.
func (t *Table) Delete(c Conn, rows, deleted any) error {
	r, err := t.rowsOf(rows)
	if err != nil {
		return err
	}
	out, err := t.rowsOf(deleted)
	if err != nil {
		return err
	}
	ids, err := ids(r)
	if err != nil {
		return t.errorf("deleting from", err)
	}
	if len(ids) == 0 {
		return nil
	}
	rs, err := c.Querier().Query(c, t.deleteIDs, ids)
	if err != nil {
		return t.errorf("deleting from", err)
	}
	if err := collect(rs, out); err != nil {
		return t.errorf("deleting from", err)
	}
	return nil
}

// DeleteRow deletes row, a pointer to one of the table's rows, by its id
// and appends it, as it was stored, to deleted; a row without an id is
// an error, a row that does not exist is ErrNotFound.
func (t *Table) DeleteRow(c Conn, row, deleted any) error {
	out, err := t.rowsOf(deleted)
	if err != nil {
		return err
	}
	id, err := t.idOf(row)
	if err != nil {
		return t.errorf("deleting from", err)
	}
	rs, err := c.Querier().Query(c, t.deleteOne, id)
	if err != nil {
		return t.errorf("deleting from", err)
	}
	n := out.len()
	if err := collect(rs, out); err != nil {
		return t.errorf("deleting from", err)
	}
	if out.len() == n {
		return t.errorf("deleting from", fmt.Errorf("%w: id %d", ErrNotFound, id))
	}
	return nil
}

// DeleteWhere deletes the rows matching where and appends them to
// deleted. The condition is required; Constant(true) deletes every row.
func (t *Table) DeleteWhere(c Conn, where Expr, deleted any) error {
	out, err := t.rowsOf(deleted)
	if err != nil {
		return err
	}
	if where.IsZero() {
		return fmt.Errorf("db: DeleteWhere on %s needs a condition; use db.Constant(true) to delete every row", t.name)
	}
	sql, args, err := deleteWhereSQL(t, where)
	if err != nil {
		return err
	}
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return t.errorf("deleting from", err)
	}
	if err := collect(rs, out); err != nil {
		return t.errorf("deleting from", err)
	}
	return nil
}
