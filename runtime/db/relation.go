package db

import "strings"

// ListRelation is a list relation of a table in a query (Serverpod's
// ManyRelation): it filters rows by their related rows, or orders them by
// how many they have. Conditions given to its methods are on the related
// table, through its root columns:
//
//	protocol.CompanyT.Employees.Any(protocol.EmployeeT.Name.Like("A%"))
type ListRelation struct {
	parent *TableRef
	rel    *Relation
}

// Any holds for rows with at least one related row matching every
// condition (any related row at all when none is given).
func (l ListRelation) Any(where ...Expr) Expr {
	return Expr{existsNode{l: l, where: And(where...)}}
}

// None holds for rows with no related row matching every condition (no
// related row at all when none is given).
func (l ListRelation) None(where ...Expr) Expr {
	return Expr{existsNode{l: l, where: And(where...), not: true}}
}

// Every holds for rows all of whose related rows match where, including
// rows without related rows.
func (l ListRelation) Every(where Expr) Expr {
	return Expr{existsNode{l: l, where: Not(where), not: true}}
}

// Count is the number of related rows matching every condition (all
// related rows when none is given), to compare or order by.
func (l ListRelation) Count(where ...Expr) CountColumn {
	return CountColumn{l: l, where: And(where...)}
}

// existsNode is `[NOT] EXISTS (related rows matching where)`; the planner
// turns it into a semi- or anti-join.
type existsNode struct {
	l     ListRelation
	where Expr
	not   bool
}

func (n existsNode) write(b *builder, w *strings.Builder) {
	parent, _ := b.resolve(n.l.parent)
	alias := b.newAlias()
	s := b.push(n.l.rel.target, alias)
	cond := b.where(n.where)
	b.pop()
	if n.not {
		w.WriteString("NOT ")
	}
	w.WriteString("EXISTS (SELECT 1 FROM " + quoteIdent(n.l.rel.target.name) + " AS " + quoteIdent(alias) + s.joinSQL() +
		" WHERE " + quoteIdent(alias) + "." + quoteIdent(n.l.rel.foreign) + " = " + quoteIdent(parent) + "." + quoteIdent(n.l.rel.local))
	if cond != "" {
		w.WriteString(" AND " + cond)
	}
	w.WriteByte(')')
}

// CountColumn is the number of related rows of a list relation. Rows
// without related rows count zero.
type CountColumn struct {
	l     ListRelation
	where Expr
}

func (c CountColumn) cmp(op string, n int64) Expr {
	return Expr{countNode{c: c, op: op, args: []any{n}}}
}

// Equals holds where the count is n.
func (c CountColumn) Equals(n int64) Expr { return c.cmp("=", n) }

// NotEquals holds where the count is not n.
func (c CountColumn) NotEquals(n int64) Expr { return c.cmp("<>", n) }

// GreaterThan holds where the count is greater than n.
func (c CountColumn) GreaterThan(n int64) Expr { return c.cmp(">", n) }

// GreaterOrEqual holds where the count is at least n.
func (c CountColumn) GreaterOrEqual(n int64) Expr { return c.cmp(">=", n) }

// LessThan holds where the count is less than n.
func (c CountColumn) LessThan(n int64) Expr { return c.cmp("<", n) }

// LessOrEqual holds where the count is at most n.
func (c CountColumn) LessOrEqual(n int64) Expr { return c.cmp("<=", n) }

// Between holds where low <= count <= high.
func (c CountColumn) Between(low, high int64) Expr {
	return Expr{countNode{c: c, op: "BETWEEN", args: []any{low, high}}}
}

// NotBetween holds where the count is below low or above high.
func (c CountColumn) NotBetween(low, high int64) Expr {
	return Expr{countNode{c: c, op: "NOT BETWEEN", args: []any{low, high}}}
}

// InSet holds where the count is one of ns; with none it matches no row.
func (c CountColumn) InSet(ns ...int64) Expr {
	if len(ns) == 0 {
		return Constant(false)
	}
	return Expr{countNode{c: c, op: "= ANY", args: []any{ns}}}
}

// NotInSet holds where the count is none of ns; with none it matches
// every row.
func (c CountColumn) NotInSet(ns ...int64) Expr {
	if len(ns) == 0 {
		return Constant(true)
	}
	return Expr{countNode{c: c, op: "<> ALL", args: []any{ns}}}
}

// Asc orders by the count, smallest first.
func (c CountColumn) Asc() Order { return Order{count: &c} }

// Desc orders by the count, largest first.
func (c CountColumn) Desc() Order { return Order{count: &c, desc: true} }

type countNode struct {
	c    CountColumn
	op   string
	args []any
}

func (n countNode) write(b *builder, w *strings.Builder) {
	b.count(w, n.c)
	if n.op == "= ANY" || n.op == "<> ALL" {
		w.WriteString(" " + n.op + "(" + b.arg(n.args[0]) + ")")
		return
	}
	w.WriteString(" " + n.op + " " + b.arg(n.args[0]))
	if len(n.args) == 2 {
		w.WriteString(" AND " + b.arg(n.args[1]))
	}
}

// count writes the number of related rows of c. The counts come from one
// grouped sub-query joined to the level that holds the relation's parent,
// so they are computed once for all rows rather than once per row.
func (b *builder) count(w *strings.Builder, c CountColumn) {
	rel := c.l.rel
	parent, ps := b.resolve(c.l.parent)
	inner, counted := b.newAlias(), b.newAlias()
	s := b.push(rel.target, inner)
	cond := b.where(c.where)
	b.pop()
	fk := quoteIdent(inner) + "." + quoteIdent(rel.foreign)
	var j strings.Builder
	j.WriteString("LEFT JOIN (SELECT " + fk + ` AS "k", count(*) AS "n" FROM ` + quoteIdent(rel.target.name) + " AS " + quoteIdent(inner) + s.joinSQL())
	if cond != "" {
		j.WriteString(" WHERE " + cond)
	}
	j.WriteString(" GROUP BY " + fk + ") AS " + quoteIdent(counted) + " ON " + quoteIdent(counted) + `."k" = ` + quoteIdent(parent) + "." + quoteIdent(rel.local))
	ps.joins = append(ps.joins, j.String())
	w.WriteString("COALESCE(" + quoteIdent(counted) + `."n", 0)`)
}
