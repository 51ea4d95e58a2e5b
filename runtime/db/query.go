package db

import (
	"errors"
	"fmt"
	"strings"
)

// Option tunes a find or count: Where, OrderBy, Limit, Offset, Include.
type Option func(*query)

// query is what the options of one call ask for.
type query struct {
	where   Expr
	orderBy []Order
	limit   int
	offset  int
	include any
	set     optionSet
	err     error
}

type optionSet uint8

const (
	setWhere optionSet = 1 << iota
	setOrderBy
	setLimit
	setOffset
	setInclude
)

func (s optionSet) names() string {
	var out []string
	for i, name := range []string{"Where", "OrderBy", "Limit", "Offset", "Include"} {
		if s&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return strings.Join(out, ", ")
}

// Where keeps the rows matching e; several Where options must all hold.
func Where(e Expr) Option {
	return func(q *query) {
		q.where = And(q.where, e)
		q.set |= setWhere
	}
}

// OrderBy orders the rows by the given keys, the first key first; several
// OrderBy options add keys.
func OrderBy(keys ...Order) Option {
	return func(q *query) {
		q.orderBy = append(q.orderBy, keys...)
		q.set |= setOrderBy
	}
}

// Limit returns at most n rows.
func Limit(n int) Option {
	return func(q *query) {
		if n < 0 {
			q.err = fmt.Errorf("db: Limit(%d): the limit cannot be negative", n)
		}
		q.limit = n
		q.set |= setLimit
	}
}

// Offset skips the first n rows.
func Offset(n int) Option {
	return func(q *query) {
		if n < 0 {
			q.err = fmt.Errorf("db: Offset(%d): the offset cannot be negative", n)
		}
		q.offset = n
		q.set |= setOffset
	}
}

// Include loads with the rows found the relations that i, the generated
// include of their table (a protocol.CompanyInclude, or a pointer to
// one), names: Serverpod's include:. Object relations and lists are each
// read with one more query.
func Include(i any) Option {
	return func(q *query) {
		q.include = i
		q.set |= setInclude
	}
}

// parse applies opts, refusing those the call does not take.
func parse(call string, opts []Option, allowed optionSet) (*query, error) {
	q := &query{}
	for _, o := range opts {
		if o != nil {
			o(q)
		}
	}
	if q.err != nil {
		return nil, q.err
	}
	if extra := q.set &^ allowed; extra != 0 {
		return nil, fmt.Errorf("db: %s does not take %s", call, extra.names())
	}
	return q, nil
}

var errNoID = errors.New("db: the row has no id; insert it first")

// selectSQL builds the SELECT of q on t. partition, when set, is the
// foreign key column that groups the rows of an included list: limit and
// offset then apply to each group, as Serverpod's includeList does.
func selectSQL(t *Table, q *query, extra Expr, partition string) (string, []any, error) {
	b := &builder{}
	root := b.push(t, t.name)
	where := b.where(And(q.where, extra))
	order := b.orderBy(q.orderBy)
	if b.err != nil {
		return "", nil, b.err
	}
	var sql strings.Builder
	if partition != "" && (q.limit > 0 || q.offset > 0) {
		sql.WriteString("SELECT ")
		for i, c := range t.columns {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString(`"_s".` + quoteIdent(c.Name))
		}
		sql.WriteString(" FROM (SELECT " + t.selectList + ", row_number() OVER (PARTITION BY " + quoteIdent(t.name) + "." + quoteIdent(partition))
		if order != "" {
			sql.WriteString(" ORDER BY " + order)
		}
		sql.WriteString(`) AS "_rn" FROM ` + quoteIdent(t.name) + root.joinSQL())
		if where != "" {
			sql.WriteString(" WHERE " + where)
		}
		sql.WriteString(`) AS "_s" WHERE "_s"."_rn" > ` + b.arg(int64(q.offset)))
		if q.limit > 0 {
			sql.WriteString(` AND "_s"."_rn" <= ` + b.arg(int64(q.offset+q.limit)))
		}
		sql.WriteString(` ORDER BY "_s"."_rn"`)
		return sql.String(), b.args, nil
	}
	sql.WriteString("SELECT " + t.selectList + " FROM " + quoteIdent(t.name) + root.joinSQL())
	if where != "" {
		sql.WriteString(" WHERE " + where)
	}
	if order != "" {
		sql.WriteString(" ORDER BY " + order)
	}
	if q.set&setLimit != 0 && partition == "" {
		sql.WriteString(" LIMIT " + b.arg(int64(q.limit)))
	}
	if q.set&setOffset != 0 && partition == "" {
		sql.WriteString(" OFFSET " + b.arg(int64(q.offset)))
	}
	return sql.String(), b.args, nil
}

func (b *builder) orderBy(keys []Order) string {
	var w strings.Builder
	for i, k := range keys {
		if i > 0 {
			w.WriteString(", ")
		}
		switch {
		case k.count != nil:
			b.count(&w, *k.count)
		case k.col.ref != nil:
			b.column(&w, k.col)
		default:
			b.fail(errors.New("db: an empty Order; order by a column's Asc() or Desc()"))
		}
		if k.desc {
			w.WriteString(" DESC")
		}
	}
	return w.String()
}

// countSQL builds the count of rows of t matching q, of at most q.limit
// rows when a limit is set.
func countSQL(t *Table, q *query) (string, []any, error) {
	b := &builder{}
	root := b.push(t, t.name)
	where := b.where(q.where)
	if b.err != nil {
		return "", nil, b.err
	}
	from := " FROM " + quoteIdent(t.name) + root.joinSQL()
	if where != "" {
		from += " WHERE " + where
	}
	if q.set&setLimit != 0 {
		return `SELECT count(*) FROM (SELECT 1` + from + " LIMIT " + b.arg(int64(q.limit)) + `) AS "_c"`, b.args, nil
	}
	return "SELECT count(*)" + from, b.args, nil
}

// deleteWhereSQL builds the DELETE of the rows of t matching where.
func deleteWhereSQL(t *Table, where Expr) (string, []any, error) {
	b := &builder{}
	root := b.push(t, t.name)
	cond := b.where(where)
	if b.err != nil {
		return "", nil, b.err
	}
	del := "DELETE FROM " + quoteIdent(t.name)
	if cond == "" {
		return del + " RETURNING " + t.returningList, b.args, nil
	}
	if len(root.joins) == 0 {
		return del + " WHERE " + cond + " RETURNING " + t.returningList, b.args, nil
	}
	// DELETE cannot LEFT JOIN its own table; the rows to delete are
	// selected with the joins instead.
	id := quoteIdent(t.name) + "." + quoteIdent("id")
	return del + " WHERE " + quoteIdent("id") + " IN (SELECT " + id + " FROM " + quoteIdent(t.name) + root.joinSQL() + " WHERE " + cond + ") RETURNING " + t.returningList, b.args, nil
}
