package db

import (
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/gopod/gopod/wire"
)

// Column is a column of a table as a query sees it. The typed columns
// (IntColumn, StringColumn, ...) embed it.
type Column struct {
	ref  *TableRef
	name string
}

// Name is the column's name in the database.
func (c Column) Name() string { return c.name }

func (c Column) column() Column { return c }

// AnyColumn is a column of any type, for choosing the columns an update
// writes.
type AnyColumn interface {
	column() Column
}

// ValueColumn is a column whose values can be compared for equality, in
// Serverpod's semantics: Equals with a null value is IS NULL, and the
// negative operators also match rows where the column is null.
type ValueColumn[T any] struct {
	Column
	// value converts a Go value into what the column stores; nil means
	// null (a nil *url.URL, say).
	value func(T) any
	// values converts a set of Go values into one array parameter.
	values func([]T) any
}

// Equals holds where the column equals v (IS NULL when v is a nil
// pointer).
func (c ValueColumn[T]) Equals(v T) Expr {
	x := c.value(v)
	if x == nil {
		return c.IsNull()
	}
	return Expr{cmpNode{c.Column, "=", x}}
}

// NotEquals holds where the column differs from v, including rows where
// the column is null (IS DISTINCT FROM); with a nil pointer it is IS NOT
// NULL.
func (c ValueColumn[T]) NotEquals(v T) Expr {
	x := c.value(v)
	if x == nil {
		return c.IsNotNull()
	}
	return Expr{cmpNode{c.Column, "IS DISTINCT FROM", x}}
}

// EqualsPtr holds where the column equals *p, or is null when p is nil:
// the comparison with a nullable field of a model.
func (c ValueColumn[T]) EqualsPtr(p *T) Expr {
	if p == nil {
		return c.IsNull()
	}
	return c.Equals(*p)
}

// NotEqualsPtr is NotEquals(*p), or IS NOT NULL when p is nil.
func (c ValueColumn[T]) NotEqualsPtr(p *T) Expr {
	if p == nil {
		return c.IsNotNull()
	}
	return c.NotEquals(*p)
}

// ColumnOf is a column holding values of type T, of any table of the
// query: columns compare with each other.
type ColumnOf[T any] interface {
	valueColumn() ValueColumn[T]
}

func (c ValueColumn[T]) valueColumn() ValueColumn[T] { return c }

// colCmpNode is `column op column`.
type colCmpNode struct {
	a  Column
	op string
	b  Column
}

func (n colCmpNode) write(b *builder, w *strings.Builder) {
	b.column(w, n.a)
	w.WriteString(" " + n.op + " ")
	b.column(w, n.b)
}

// EqualsColumn holds where the column equals the column o.
func (c ValueColumn[T]) EqualsColumn(o ColumnOf[T]) Expr {
	return Expr{colCmpNode{c.Column, "=", o.valueColumn().Column}}
}

// NotEqualsColumn holds where the column differs from the column o, null
// counting as a value (IS DISTINCT FROM).
func (c ValueColumn[T]) NotEqualsColumn(o ColumnOf[T]) Expr {
	return Expr{colCmpNode{c.Column, "IS DISTINCT FROM", o.valueColumn().Column}}
}

// IsNull holds where the column is null.
func (c ValueColumn[T]) IsNull() Expr { return Expr{nullNode{col: c.Column}} }

// IsNotNull holds where the column is not null.
func (c ValueColumn[T]) IsNotNull() Expr { return Expr{nullNode{col: c.Column, not: true}} }

// InSet holds where the column equals one of vs; with no values it
// matches no row.
func (c ValueColumn[T]) InSet(vs ...T) Expr {
	if len(vs) == 0 {
		return Constant(false)
	}
	return Expr{setNode{col: c.Column, values: c.values(vs)}}
}

// NotInSet holds where the column equals none of vs, including rows where
// it is null; with no values it matches every row.
func (c ValueColumn[T]) NotInSet(vs ...T) Expr {
	if len(vs) == 0 {
		return Constant(true)
	}
	return Expr{orNullNode{setNode{col: c.Column, not: true, values: c.values(vs)}, c.Column}}
}

// Asc orders by the column, smallest first.
func (c ValueColumn[T]) Asc() Order { return Order{col: c.Column} }

// Desc orders by the column, largest first.
func (c ValueColumn[T]) Desc() Order { return Order{col: c.Column, desc: true} }

// OrderedColumn is a column of numbers, times or durations: it also
// compares by order.
type OrderedColumn[T any] struct {
	ValueColumn[T]
}

func (c OrderedColumn[T]) cmp(op string, v T) Expr {
	x := c.value(v)
	if x == nil {
		// Nothing is greater or less than null.
		return Constant(false)
	}
	return Expr{cmpNode{c.Column, op, x}}
}

// GreaterThan holds where the column is greater than v.
func (c OrderedColumn[T]) GreaterThan(v T) Expr { return c.cmp(">", v) }

// GreaterOrEqual holds where the column is greater than or equal to v.
func (c OrderedColumn[T]) GreaterOrEqual(v T) Expr { return c.cmp(">=", v) }

// LessThan holds where the column is less than v.
func (c OrderedColumn[T]) LessThan(v T) Expr { return c.cmp("<", v) }

// LessOrEqual holds where the column is less than or equal to v.
func (c OrderedColumn[T]) LessOrEqual(v T) Expr { return c.cmp("<=", v) }

// GreaterThanColumn holds where the column is greater than the column o.
func (c OrderedColumn[T]) GreaterThanColumn(o ColumnOf[T]) Expr {
	return Expr{colCmpNode{c.Column, ">", o.valueColumn().Column}}
}

// GreaterOrEqualColumn holds where the column is at least the column o.
func (c OrderedColumn[T]) GreaterOrEqualColumn(o ColumnOf[T]) Expr {
	return Expr{colCmpNode{c.Column, ">=", o.valueColumn().Column}}
}

// LessThanColumn holds where the column is less than the column o.
func (c OrderedColumn[T]) LessThanColumn(o ColumnOf[T]) Expr {
	return Expr{colCmpNode{c.Column, "<", o.valueColumn().Column}}
}

// LessOrEqualColumn holds where the column is at most the column o.
func (c OrderedColumn[T]) LessOrEqualColumn(o ColumnOf[T]) Expr {
	return Expr{colCmpNode{c.Column, "<=", o.valueColumn().Column}}
}

// Between holds where low <= column <= high.
func (c OrderedColumn[T]) Between(low, high T) Expr {
	return Expr{betweenNode{col: c.Column, low: c.value(low), high: c.value(high)}}
}

// NotBetween holds where the column is below low or above high.
func (c OrderedColumn[T]) NotBetween(low, high T) Expr {
	return Expr{betweenNode{col: c.Column, not: true, low: c.value(low), high: c.value(high)}}
}

// StringColumn is a text column: it also matches patterns.
type StringColumn struct {
	ValueColumn[string]
}

// Like holds where the column matches the LIKE pattern p (% and _ are
// wildcards; see PostgreSQL's LIKE).
func (c StringColumn) Like(p string) Expr { return Expr{cmpNode{c.Column, "LIKE", p}} }

// NotLike holds where the column does not match p, or is null.
func (c StringColumn) NotLike(p string) Expr {
	return Expr{orNullNode{cmpNode{c.Column, "NOT LIKE", p}, c.Column}}
}

// ILike is Like ignoring case.
func (c StringColumn) ILike(p string) Expr { return Expr{cmpNode{c.Column, "ILIKE", p}} }

// NotILike is NotLike ignoring case.
func (c StringColumn) NotILike(p string) Expr {
	return Expr{orNullNode{cmpNode{c.Column, "NOT ILIKE", p}, c.Column}}
}

// The typed columns of the model language's types.
type (
	// IntColumn is an int column (bigint).
	IntColumn = OrderedColumn[int64]
	// DoubleColumn is a double column (double precision).
	DoubleColumn = OrderedColumn[float64]
	// BoolColumn is a bool column (boolean).
	BoolColumn = ValueColumn[bool]
	// DateTimeColumn is a DateTime column (timestamp without time zone,
	// holding UTC).
	DateTimeColumn = OrderedColumn[time.Time]
	// DurationColumn is a Duration column (bigint milliseconds).
	DurationColumn = OrderedColumn[time.Duration]
	// UUIDColumn is a UuidValue column (uuid).
	UUIDColumn = ValueColumn[wire.UUID]
	// URIColumn is a Uri column (text).
	URIColumn = ValueColumn[*url.URL]
	// BigIntColumn is a BigInt column (text).
	BigIntColumn = ValueColumn[*big.Int]
)

// EnumColumn is an enum column: bigint for enums serialized by index, text
// for those serialized by name.
type EnumColumn[E Enum] = ValueColumn[E]

// Enum is what generated enums are: an int with a name.
type Enum interface {
	~int
	String() string
}

// ByteDataColumn is a ByteData column (bytea). It has no operators, as in
// Serverpod, but orders.
type ByteDataColumn struct{ Column }

// Asc orders by the column, smallest first.
func (c ByteDataColumn) Asc() Order { return Order{col: c.Column} }

// Desc orders by the column, largest first.
func (c ByteDataColumn) Desc() Order { return Order{col: c.Column, desc: true} }

// JSONColumn is a column holding a serialized value (json): lists, maps,
// sets and models. It has no operators.
type JSONColumn struct{ Column }

func same[T any](v T) any { return v }

func sameSlice[T any](vs []T) any { return vs }

func mapSlice[T, U any](vs []T, f func(T) U) []U {
	out := make([]U, len(vs))
	for i, v := range vs {
		out[i] = f(v)
	}
	return out
}

func newValueColumn[T any](ref *TableRef, name string, value func(T) any, values func([]T) any) ValueColumn[T] {
	return ValueColumn[T]{Column: Column{ref: ref, name: name}, value: value, values: values}
}

// NewIntColumn declares an int column of the table at ref.
func NewIntColumn(ref *TableRef, name string) IntColumn {
	return IntColumn{newValueColumn(ref, name, same[int64], sameSlice[int64])}
}

// NewDoubleColumn declares a double column.
func NewDoubleColumn(ref *TableRef, name string) DoubleColumn {
	return DoubleColumn{newValueColumn(ref, name, same[float64], sameSlice[float64])}
}

// NewBoolColumn declares a bool column.
func NewBoolColumn(ref *TableRef, name string) BoolColumn {
	return newValueColumn(ref, name, same[bool], sameSlice[bool])
}

// NewStringColumn declares a String column.
func NewStringColumn(ref *TableRef, name string) StringColumn {
	return StringColumn{newValueColumn(ref, name, same[string], sameSlice[string])}
}

func utc(t time.Time) time.Time { return t.UTC() }

// NewDateTimeColumn declares a DateTime column; values are compared in
// UTC, as they are stored.
func NewDateTimeColumn(ref *TableRef, name string) DateTimeColumn {
	return DateTimeColumn{newValueColumn(ref, name,
		func(t time.Time) any { return t.UTC() },
		func(ts []time.Time) any { return mapSlice(ts, utc) })}
}

func millis(d time.Duration) int64 { return d.Milliseconds() }

// NewDurationColumn declares a Duration column, stored in milliseconds.
func NewDurationColumn(ref *TableRef, name string) DurationColumn {
	return DurationColumn{newValueColumn(ref, name,
		func(d time.Duration) any { return d.Milliseconds() },
		func(ds []time.Duration) any { return mapSlice(ds, millis) })}
}

func uuidBytes(u wire.UUID) [16]byte { return u }

// NewUUIDColumn declares a UuidValue column.
func NewUUIDColumn(ref *TableRef, name string) UUIDColumn {
	return newValueColumn(ref, name,
		func(u wire.UUID) any { return [16]byte(u) },
		func(us []wire.UUID) any { return mapSlice(us, uuidBytes) })
}

// nonNil keeps the non-nil values of a set: nil (null) equals nothing.
func nonNil[T any](vs []*T, f func(*T) string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		if v != nil {
			out = append(out, f(v))
		}
	}
	return out
}

// NewURIColumn declares a Uri column, stored as text.
func NewURIColumn(ref *TableRef, name string) URIColumn {
	return newValueColumn(ref, name, URIValue,
		func(us []*url.URL) any { return nonNil(us, (*url.URL).String) })
}

// NewBigIntColumn declares a BigInt column, stored as decimal text.
func NewBigIntColumn(ref *TableRef, name string) BigIntColumn {
	return newValueColumn(ref, name, BigIntValue,
		func(bs []*big.Int) any { return nonNil(bs, (*big.Int).String) })
}

// NewEnumColumn declares an enum column; byName says the enum is
// serialized by name (text) rather than by index (bigint).
func NewEnumColumn[E Enum](ref *TableRef, name string, byName bool) EnumColumn[E] {
	if byName {
		return newValueColumn(ref, name,
			func(e E) any { return e.String() },
			func(es []E) any { return mapSlice(es, func(e E) string { return e.String() }) })
	}
	return newValueColumn(ref, name,
		func(e E) any { return int64(e) },
		func(es []E) any { return mapSlice(es, func(e E) int64 { return int64(e) }) })
}

// NewByteDataColumn declares a ByteData column.
func NewByteDataColumn(ref *TableRef, name string) ByteDataColumn {
	return ByteDataColumn{Column{ref: ref, name: name}}
}

// NewJSONColumn declares a column holding serialized JSON.
func NewJSONColumn(ref *TableRef, name string) JSONColumn {
	return JSONColumn{Column{ref: ref, name: name}}
}

// Order is one key of an ORDER BY: a column, or the number of related
// rows of a list relation.
type Order struct {
	col   Column
	count *CountColumn
	desc  bool
}
