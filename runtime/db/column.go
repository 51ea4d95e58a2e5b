package db

import (
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/gopod/gopod/wire"
)

// Column is a column of a table as a query sees it. The typed columns
// (IntColumn, StringColumn, ...) embed it; their methods only type their
// arguments and leave the work to the functions below, which take a
// Column rather than being its methods: an embedded type's methods are
// promoted, and the compiler writes wrappers of them for every typed
// column, among them one per enum.
type Column struct {
	ref  *TableRef
	name string
	// conv converts a Go value of the column's type into what the column
	// stores, nil (null) for a nil pointer; nil keeps values as they are.
	conv func(any) any
}

// Name is the column's name in the database.
func (c Column) Name() string { return c.name }

func (c Column) column() Column { return c }

// AnyColumn is a column of any type, for choosing the columns an update
// writes.
type AnyColumn interface {
	column() Column
}

// stored is v as the column stores it.
func stored(c Column, v any) any {
	if c.conv == nil {
		return v
	}
	return c.conv(v)
}

// The functions below are not inlined: each typed column of each enum
// calls them, and inlined they would be compiled into every one.

//go:noinline
func isNull(c Column, not bool) Expr { return Expr{nullNode{col: c, not: not}} }

//go:noinline
func equals(c Column, v any) Expr {
	x := stored(c, v)
	if x == nil {
		return isNull(c, false)
	}
	return Expr{cmpNode{c, "=", x}}
}

//go:noinline
func notEquals(c Column, v any) Expr {
	x := stored(c, v)
	if x == nil {
		return isNull(c, true)
	}
	return Expr{cmpNode{c, "IS DISTINCT FROM", x}}
}

//go:noinline
func cmp(c Column, op string, v any) Expr {
	x := stored(c, v)
	if x == nil {
		// Nothing is greater or less than null.
		return Constant(false)
	}
	return Expr{cmpNode{c, op, x}}
}

//go:noinline
func between(c Column, not bool, low, high any) Expr {
	return Expr{betweenNode{col: c, not: not, low: stored(c, low), high: stored(c, high)}}
}

//go:noinline
func cmpColumn(c Column, op string, o Column) Expr { return Expr{colCmpNode{c, op, o}} }

// inSet is `column = ANY(vs)`, or `column <> ALL(vs)` (or null) for not.
// Null values equal nothing, so they are left out of the set.
//
//go:noinline
func inSet(c Column, not bool, vs []any) Expr {
	set := array(c, vs)
	switch {
	case set == nil && not:
		return Constant(true)
	case set == nil:
		return Constant(false)
	case not:
		return Expr{orNullNode{setNode{col: c, not: true, values: set}, c}}
	}
	return Expr{setNode{col: c, values: set}}
}

// array converts vs into one array parameter of the stored type, so that
// sets of every size share one prepared statement; nil when no value is
// left.
func array(c Column, vs []any) any {
	xs := make([]any, 0, len(vs))
	for _, v := range vs {
		x := stored(c, v)
		if bad, ok := x.(badValue); ok {
			return bad
		}
		if x != nil {
			xs = append(xs, x)
		}
	}
	if len(xs) == 0 {
		return nil
	}
	switch xs[0].(type) {
	case int64:
		return typedArray[int64](xs)
	case float64:
		return typedArray[float64](xs)
	case bool:
		return typedArray[bool](xs)
	case string:
		return typedArray[string](xs)
	case time.Time:
		return typedArray[time.Time](xs)
	case [16]byte:
		return typedArray[[16]byte](xs)
	}
	return xs
}

func typedArray[T any](vs []any) []T {
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = v.(T)
	}
	return out
}

// boxed returns vs as a []any.
func boxed[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// ValueColumn is a column whose values can be compared for equality, in
// Serverpod's semantics: Equals with a null value is IS NULL, and the
// negative operators also match rows where the column is null.
type ValueColumn[T any] struct {
	nullOrder
}

// nullOrder holds the methods of value columns that take no value. They
// are promoted into every ValueColumn[T] as plain jumps, where methods of
// ValueColumn[T] itself would be compiled once more for each T (each
// enum).
type nullOrder struct{ Column }

// IsNull holds where the column is null.
func (c nullOrder) IsNull() Expr { return isNull(c.Column, false) }

// IsNotNull holds where the column is not null.
func (c nullOrder) IsNotNull() Expr { return isNull(c.Column, true) }

// Asc orders by the column, smallest first.
func (c nullOrder) Asc() Order { return Order{col: c.Column} }

// Desc orders by the column, largest first.
func (c nullOrder) Desc() Order { return Order{col: c.Column, desc: true} }

// Equals holds where the column equals v (IS NULL when v is a nil
// pointer).
func (c ValueColumn[T]) Equals(v T) Expr { return equals(c.Column, v) }

// NotEquals holds where the column differs from v, including rows where
// the column is null (IS DISTINCT FROM); with a nil pointer it is IS NOT
// NULL.
func (c ValueColumn[T]) NotEquals(v T) Expr { return notEquals(c.Column, v) }

// EqualsPtr holds where the column equals *p, or is null when p is nil:
// the comparison with a nullable field of a model.
func (c ValueColumn[T]) EqualsPtr(p *T) Expr {
	if p == nil {
		return isNull(c.Column, false)
	}
	return equals(c.Column, *p)
}

// NotEqualsPtr is NotEquals(*p), or IS NOT NULL when p is nil.
func (c ValueColumn[T]) NotEqualsPtr(p *T) Expr {
	if p == nil {
		return isNull(c.Column, true)
	}
	return notEquals(c.Column, *p)
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
	return cmpColumn(c.Column, "=", o.valueColumn().Column)
}

// NotEqualsColumn holds where the column differs from the column o, null
// counting as a value (IS DISTINCT FROM).
func (c ValueColumn[T]) NotEqualsColumn(o ColumnOf[T]) Expr {
	return cmpColumn(c.Column, "IS DISTINCT FROM", o.valueColumn().Column)
}

// InSet holds where the column equals one of vs; with no values it
// matches no row.
func (c ValueColumn[T]) InSet(vs ...T) Expr { return inSet(c.Column, false, boxed(vs)) }

// NotInSet holds where the column equals none of vs, including rows where
// it is null; with no values it matches every row.
func (c ValueColumn[T]) NotInSet(vs ...T) Expr { return inSet(c.Column, true, boxed(vs)) }

// OrderedColumn is a column of numbers, times or durations: it also
// compares by order.
type OrderedColumn[T any] struct {
	ValueColumn[T]
}

// GreaterThan holds where the column is greater than v.
func (c OrderedColumn[T]) GreaterThan(v T) Expr { return cmp(c.Column, ">", v) }

// GreaterOrEqual holds where the column is greater than or equal to v.
func (c OrderedColumn[T]) GreaterOrEqual(v T) Expr { return cmp(c.Column, ">=", v) }

// LessThan holds where the column is less than v.
func (c OrderedColumn[T]) LessThan(v T) Expr { return cmp(c.Column, "<", v) }

// LessOrEqual holds where the column is less than or equal to v.
func (c OrderedColumn[T]) LessOrEqual(v T) Expr { return cmp(c.Column, "<=", v) }

// GreaterThanColumn holds where the column is greater than the column o.
func (c OrderedColumn[T]) GreaterThanColumn(o ColumnOf[T]) Expr {
	return cmpColumn(c.Column, ">", o.valueColumn().Column)
}

// GreaterOrEqualColumn holds where the column is at least the column o.
func (c OrderedColumn[T]) GreaterOrEqualColumn(o ColumnOf[T]) Expr {
	return cmpColumn(c.Column, ">=", o.valueColumn().Column)
}

// LessThanColumn holds where the column is less than the column o.
func (c OrderedColumn[T]) LessThanColumn(o ColumnOf[T]) Expr {
	return cmpColumn(c.Column, "<", o.valueColumn().Column)
}

// LessOrEqualColumn holds where the column is at most the column o.
func (c OrderedColumn[T]) LessOrEqualColumn(o ColumnOf[T]) Expr {
	return cmpColumn(c.Column, "<=", o.valueColumn().Column)
}

// Between holds where low <= column <= high.
func (c OrderedColumn[T]) Between(low, high T) Expr { return between(c.Column, false, low, high) }

// NotBetween holds where the column is below low or above high.
func (c OrderedColumn[T]) NotBetween(low, high T) Expr { return between(c.Column, true, low, high) }

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
// for those serialized by name. Its values are values of its enum; a value
// of another type fails the query when it is built. It is not generic over
// its enum: the typed methods of a generic column are compiled anew for
// each enum of a project, which made projects of many enums slow to build.
type EnumColumn struct {
	nullOrder
	// enum names the column's enum.
	enum string
}

// EnumValue is a value of a generated enum, or a pointer to one (nil is
// null).
type EnumValue interface {
	String() string
}

// Equals holds where the column equals v (IS NULL when v is a nil
// pointer).
func (c EnumColumn) Equals(v EnumValue) Expr { return equals(c.Column, v) }

// NotEquals holds where the column differs from v, including rows where
// the column is null; with a nil pointer it is IS NOT NULL.
func (c EnumColumn) NotEquals(v EnumValue) Expr { return notEquals(c.Column, v) }

// EqualsPtr holds where the column equals *p, or is null when p is nil:
// the comparison with a nullable field of a model. It is Equals, which
// takes pointers too.
func (c EnumColumn) EqualsPtr(p EnumValue) Expr { return equals(c.Column, p) }

// NotEqualsPtr is NotEquals(*p), or IS NOT NULL when p is nil.
func (c EnumColumn) NotEqualsPtr(p EnumValue) Expr { return notEquals(c.Column, p) }

// EqualsColumn holds where the column equals the column o, of the same
// enum.
func (c EnumColumn) EqualsColumn(o EnumColumn) Expr { return c.cmpEnum("=", o) }

// NotEqualsColumn holds where the column differs from the column o, null
// counting as a value (IS DISTINCT FROM).
func (c EnumColumn) NotEqualsColumn(o EnumColumn) Expr { return c.cmpEnum("IS DISTINCT FROM", o) }

func (c EnumColumn) cmpEnum(op string, o EnumColumn) Expr {
	if c.enum != o.enum {
		return Expr{badNode{fmt.Errorf("db: column %s of enum %s compared with column %s of enum %s", c.name, c.enum, o.name, o.enum)}}
	}
	return cmpColumn(c.Column, op, o.Column)
}

// InSet holds where the column equals one of vs; with no values it
// matches no row.
func (c EnumColumn) InSet(vs ...EnumValue) Expr { return inSet(c.Column, false, boxed(vs)) }

// NotInSet holds where the column equals none of vs, including rows where
// it is null; with no values it matches every row.
func (c EnumColumn) NotInSet(vs ...EnumValue) Expr { return inSet(c.Column, true, boxed(vs)) }

// badNode fails the statement it is written into.
type badNode struct{ err error }

func (n badNode) write(b *builder, w *strings.Builder) {
	b.fail(n.err)
	w.WriteString("FALSE")
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

func column(ref *TableRef, name string, conv func(any) any) Column {
	return Column{ref: ref, name: name, conv: conv}
}

func valueColumn[T any](ref *TableRef, name string, conv func(any) any) ValueColumn[T] {
	return ValueColumn[T]{nullOrder{column(ref, name, conv)}}
}

// newIntColumn declares an int column of the table at ref.
func newIntColumn(ref *TableRef, name string) IntColumn {
	return IntColumn{valueColumn[int64](ref, name, nil)}
}

// newDoubleColumn declares a double column.
func newDoubleColumn(ref *TableRef, name string) DoubleColumn {
	return DoubleColumn{valueColumn[float64](ref, name, nil)}
}

// newBoolColumn declares a bool column.
func newBoolColumn(ref *TableRef, name string) BoolColumn {
	return valueColumn[bool](ref, name, nil)
}

// newStringColumn declares a String column.
func newStringColumn(ref *TableRef, name string) StringColumn {
	return StringColumn{valueColumn[string](ref, name, nil)}
}

func convTime(v any) any { return v.(time.Time).UTC() }

// newDateTimeColumn declares a DateTime column; values are compared in
// UTC, as they are stored.
func newDateTimeColumn(ref *TableRef, name string) DateTimeColumn {
	return DateTimeColumn{valueColumn[time.Time](ref, name, convTime)}
}

func convDuration(v any) any { return v.(time.Duration).Milliseconds() }

// newDurationColumn declares a Duration column, stored in milliseconds.
func newDurationColumn(ref *TableRef, name string) DurationColumn {
	return DurationColumn{valueColumn[time.Duration](ref, name, convDuration)}
}

func convUUID(v any) any { return [16]byte(v.(wire.UUID)) }

// newUUIDColumn declares a UuidValue column.
func newUUIDColumn(ref *TableRef, name string) UUIDColumn {
	return valueColumn[wire.UUID](ref, name, convUUID)
}

func convURI(v any) any { return uriValue(v.(*url.URL)) }

// newURIColumn declares a Uri column, stored as text.
func newURIColumn(ref *TableRef, name string) URIColumn {
	return valueColumn[*url.URL](ref, name, convURI)
}

func convBigInt(v any) any { return bigIntValue(v.(*big.Int)) }

// newBigIntColumn declares a BigInt column, stored as decimal text.
func newBigIntColumn(ref *TableRef, name string) BigIntColumn {
	return valueColumn[*big.Int](ref, name, convBigInt)
}

// newByteDataColumn declares a ByteData column.
func newByteDataColumn(ref *TableRef, name string) ByteDataColumn {
	return ByteDataColumn{column(ref, name, nil)}
}

// newJSONColumn declares a column holding serialized JSON.
func newJSONColumn(ref *TableRef, name string) JSONColumn {
	return JSONColumn{column(ref, name, nil)}
}

// Order is one key of an ORDER BY: a column, or the number of related
// rows of a list relation.
type Order struct {
	col   Column
	count *CountColumn
	desc  bool
}
