package db

import (
	"fmt"
	"strings"
)

// Expr is a condition on rows, built from typed columns:
//
//	protocol.CompanyT.Name.Equals("Acme").Or(protocol.CompanyT.ID.LessThan(10))
//
// Values always travel as bound parameters and identifiers are always
// quoted, so no value can change the statement. The zero Expr is no
// condition: it matches every row.
type Expr struct{ n node }

// node writes a condition into a statement being built.
type node interface {
	write(b *builder, w *strings.Builder)
}

// IsZero reports whether e is the empty condition.
func (e Expr) IsZero() bool { return e.n == nil }

// And is e and every other condition.
func (e Expr) And(others ...Expr) Expr { return And(append([]Expr{e}, others...)...) }

// Or is e or any other condition.
func (e Expr) Or(others ...Expr) Expr { return Or(append([]Expr{e}, others...)...) }

// And holds when every condition holds; empty conditions are left out.
func And(es ...Expr) Expr { return join("AND", es, false) }

// Or holds when any condition holds. An empty condition matches every row,
// so an Or with one matches every row too.
func Or(es ...Expr) Expr { return join("OR", es, true) }

func join(op string, es []Expr, emptyWins bool) Expr {
	var parts []node
	for _, e := range es {
		if e.n == nil {
			if emptyWins {
				return Expr{}
			}
			continue
		}
		parts = append(parts, e.n)
	}
	switch len(parts) {
	case 0:
		return Expr{}
	case 1:
		return Expr{parts[0]}
	}
	return Expr{boolNode{op: op, parts: parts}}
}

// Not negates e. Not of the empty condition matches no row.
func Not(e Expr) Expr {
	if e.n == nil {
		return Expr{constNode(false)}
	}
	return Expr{notNode{e.n}}
}

// Constant is a condition that always (true) or never (false) holds.
func Constant(v bool) Expr { return Expr{constNode(v)} }

type boolNode struct {
	op    string
	parts []node
}

func (n boolNode) write(b *builder, w *strings.Builder) {
	w.WriteByte('(')
	for i, p := range n.parts {
		if i > 0 {
			w.WriteString(" " + n.op + " ")
		}
		p.write(b, w)
	}
	w.WriteByte(')')
}

type notNode struct{ n node }

func (n notNode) write(b *builder, w *strings.Builder) {
	w.WriteString("NOT (")
	n.n.write(b, w)
	w.WriteByte(')')
}

type constNode bool

func (n constNode) write(_ *builder, w *strings.Builder) {
	if n {
		w.WriteString("TRUE")
	} else {
		w.WriteString("FALSE")
	}
}

// cmpNode is `column op value`.
type cmpNode struct {
	col Column
	op  string
	v   any
}

func (n cmpNode) write(b *builder, w *strings.Builder) {
	b.column(w, n.col)
	w.WriteString(" " + n.op + " ")
	w.WriteString(b.arg(n.v))
}

// nullNode is `column IS [NOT] NULL`.
type nullNode struct {
	col Column
	not bool
}

func (n nullNode) write(b *builder, w *strings.Builder) {
	b.column(w, n.col)
	if n.not {
		w.WriteString(" IS NOT NULL")
	} else {
		w.WriteString(" IS NULL")
	}
}

// orNullNode is `(condition OR column IS NULL)`: Serverpod's negative
// operators (NOT IN, NOT LIKE) also match rows where the column is null,
// which SQL's three-valued logic would leave out.
type orNullNode struct {
	n   node
	col Column
}

func (n orNullNode) write(b *builder, w *strings.Builder) {
	w.WriteByte('(')
	n.n.write(b, w)
	w.WriteString(" OR ")
	b.column(w, n.col)
	w.WriteString(" IS NULL)")
}

// setNode is `column = ANY(values)` or `column <> ALL(values)`: one
// parameter for the whole set, so that sets of every size share one
// prepared statement.
type setNode struct {
	col    Column
	not    bool
	values any
}

func (n setNode) write(b *builder, w *strings.Builder) {
	b.column(w, n.col)
	if n.not {
		w.WriteString(" <> ALL(" + b.arg(n.values) + ")")
	} else {
		w.WriteString(" = ANY(" + b.arg(n.values) + ")")
	}
}

// betweenNode is `column [NOT] BETWEEN low AND high`.
type betweenNode struct {
	col       Column
	not       bool
	low, high any
}

func (n betweenNode) write(b *builder, w *strings.Builder) {
	b.column(w, n.col)
	if n.not {
		w.WriteString(" NOT")
	}
	w.WriteString(" BETWEEN " + b.arg(n.low) + " AND " + b.arg(n.high))
}

// builder assembles one statement: its parameters, and for each query
// level (the statement, and each sub-query of a list relation filter) the
// table it reads and the tables it joins.
type builder struct {
	args   []any
	nalias int
	scopes []*scope
	err    error
}

type scope struct {
	table *Table
	alias string
	// joins are the LEFT JOIN clauses the level needs, in order.
	joins  []string
	joined map[joinKey]string
}

type joinKey struct {
	parent string
	rel    *Relation
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *builder) arg(v any) string {
	if bad, ok := v.(badValue); ok {
		b.fail(bad.err)
	}
	b.args = append(b.args, v)
	return placeholder(len(b.args))
}

// badValue is a value a column cannot hold (an enum of another type):
// the statement fails with err when it is built.
type badValue struct{ err error }

// newAlias names a table in the statement. Table names of the model
// language never start with an underscore, so aliases cannot clash.
func (b *builder) newAlias() string {
	b.nalias++
	return fmt.Sprintf("_t%d", b.nalias)
}

func (b *builder) push(t *Table, alias string) *scope {
	s := &scope{table: t, alias: alias, joined: map[joinKey]string{}}
	b.scopes = append(b.scopes, s)
	return s
}

func (b *builder) pop() { b.scopes = b.scopes[:len(b.scopes)-1] }

// resolve returns the alias under which ref is read, and the level it
// belongs to. The queried table of a level is found from the innermost
// level out, so inside a list relation filter the related table's columns
// mean the related rows. A table reached through object relations is
// joined once per level and path.
func (b *builder) resolve(ref *TableRef) (string, *scope) {
	if ref.parent == nil {
		for i := len(b.scopes) - 1; i >= 0; i-- {
			if b.scopes[i].table == ref.table {
				return b.scopes[i].alias, b.scopes[i]
			}
		}
		b.fail(fmt.Errorf("db: a column of table %q is used in a query on table %q; start column references from the queried table", ref.table.name, b.scopes[0].table.name))
		s := b.scopes[len(b.scopes)-1]
		return s.alias, s
	}
	parent, s := b.resolve(ref.parent)
	key := joinKey{parent, ref.rel}
	if alias, ok := s.joined[key]; ok {
		return alias, s
	}
	alias := b.newAlias()
	s.joins = append(s.joins, "LEFT JOIN "+quoteIdent(ref.table.name)+" AS "+quoteIdent(alias)+
		" ON "+quoteIdent(parent)+"."+quoteIdent(ref.rel.local)+" = "+quoteIdent(alias)+"."+quoteIdent(ref.rel.foreign))
	s.joined[key] = alias
	return alias, s
}

func (b *builder) column(w *strings.Builder, c Column) {
	alias, _ := b.resolve(c.ref)
	w.WriteString(quoteIdent(alias) + "." + quoteIdent(c.name))
}

// where writes the condition e, or nothing for the empty condition.
func (b *builder) where(e Expr) string {
	if e.n == nil {
		return ""
	}
	var w strings.Builder
	e.n.write(b, &w)
	return w.String()
}

// joins returns the JOIN clauses of s, with a leading space.
func (s *scope) joinSQL() string {
	if len(s.joins) == 0 {
		return ""
	}
	return " " + strings.Join(s.joins, " ")
}
