package db

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// ColumnDef declares a column of a table to the ORM.
type ColumnDef struct {
	Name string
	// Field names the field of the table's struct that holds the column.
	// How the column is stored follows from the field's Go type; a json
	// column (a List, Set, Map or model) holds the field as the model's
	// JSON has it, which package wire reads from the field's wire tags.
	Field string
	// HasDefault is true when the column has an SQL DEFAULT: inserting a
	// null value into it stores the default instead, as Serverpod does.
	HasDefault bool
	// Nullable is true when the column may hold null. Only fields whose
	// Go type keeps nil for an empty value need it: a nil ByteData, List,
	// Set or Map is stored as null only in a nullable column.
	Nullable bool
	// ByName is true for an enum column that stores the enum's name
	// rather than its index, as the enum is serialized.
	ByName bool
}

// Table describes a table of a table class to the ORM: its name, its
// columns in order ("id" first), and the struct of its rows. Generated
// code declares one per table class, and its repository (CompanyDB) runs
// the methods of Table on a *[]Company.
type Table struct {
	name    string
	columns []ColumnDef
	rowType reflect.Type
	// root is the table itself in a query on it, as opposed to the table
	// reached through a relation.
	root *TableRef
	// include is the struct naming the relations to load with the rows
	// (CompanyInclude), nil when the table was declared without one.
	include reflect.Type

	// The relations from the table, which includes find by their field.
	relMu     sync.Mutex
	relations []*Relation
	// cols is how the struct of its columns is filled (see Columns), nil
	// until it is declared.
	cols atomic.Pointer[colsPlan]

	// How the fields of its include are read, built on first use.
	includeOnce sync.Once
	includes    *includePlan
	includeErr  error

	// The plan of the rows, built on first use rather than when the
	// program starts, which declares every table.
	planOnce sync.Once
	rowPlan  *rowPlan
	planErr  error

	// Statement parts that never change, built once.
	selectList    string // "t"."id", "t"."a", ...
	returningList string // "id", "a", ...
	insertPrefix  string // INSERT INTO "t" ("a", ...) VALUES

	// Statements that never change, built once so that the hot paths only
	// bind values (and hit pgx's prepared statement cache).
	byID      string
	insertOne string
	update    string
	deleteOne string
	deleteIDs string
}

// NewTable declares a table; columns start with "id", row is a nil
// pointer to the struct of its rows ((*Company)(nil)), whose fields hold
// the columns, and include a nil pointer to the struct naming the
// relations to load with them ((*CompanyInclude)(nil)), or nil. The
// include's fields are named as the fields of the rows that hold the
// relations (see NewRelation): a pointer to the include of the target's
// table for an object relation, and for a list a pointer to a struct of
// Where (Expr), OrderBy ([]Order), Limit and Offset (int) and Include (a
// pointer to the include of the target's table), as CompanyIncludeList.
func NewTable(name string, columns []ColumnDef, row, include any) *Table {
	t := &Table{name: name, columns: append([]ColumnDef(nil), columns...)}
	if rt := reflect.TypeOf(row); rt != nil && rt.Kind() == reflect.Pointer {
		t.rowType = rt.Elem()
	}
	if it := reflect.TypeOf(include); it != nil && it.Kind() == reflect.Pointer {
		t.include = it.Elem()
	}
	t.root = &TableRef{table: t}
	var sel, ret, ins strings.Builder
	for i, c := range t.columns {
		if i > 0 {
			sel.WriteString(", ")
			ret.WriteString(", ")
		}
		sel.WriteString(quoteIdent(name) + "." + quoteIdent(c.Name))
		ret.WriteString(quoteIdent(c.Name))
		if i > 0 {
			if i > 1 {
				ins.WriteString(", ")
			}
			ins.WriteString(quoteIdent(c.Name))
		}
	}
	t.selectList, t.returningList = sel.String(), ret.String()
	if len(t.columns) > 1 {
		t.insertPrefix = "INSERT INTO " + quoteIdent(name) + " (" + ins.String() + ") VALUES "
	} else {
		// A table with only its id still takes rows: one DEFAULT each.
		t.insertPrefix = "INSERT INTO " + quoteIdent(name) + " (" + quoteIdent("id") + ") VALUES "
	}
	id := quoteIdent("id")
	t.byID = "SELECT " + t.selectList + " FROM " + quoteIdent(name) + " WHERE " + quoteIdent(name) + "." + id + " = $1"
	t.insertOne = t.insertPrefix + valuesTuple(len(t.columns)-1, 1) + " RETURNING " + t.returningList
	t.update = t.updateSQL(nil)
	t.deleteOne = "DELETE FROM " + quoteIdent(name) + " WHERE " + id + " = $1 RETURNING " + t.returningList
	t.deleteIDs = "DELETE FROM " + quoteIdent(name) + " WHERE " + id + " = ANY($1) RETURNING " + t.returningList
	return t
}

// plan returns the plan of the table's rows.
func (t *Table) plan() (*rowPlan, error) {
	t.planOnce.Do(func() {
		if t.rowType == nil {
			t.planErr = fmt.Errorf("db: table %s was declared without the struct of its rows", t.name)
			return
		}
		t.rowPlan, t.planErr = newRowPlan(t, t.rowType)
	})
	return t.rowPlan, t.planErr
}

// rowsOf returns rows, a pointer to a slice of the table's struct, as the
// ORM reads and writes it.
func (t *Table) rowsOf(rows any) (rowSlice, error) {
	p, err := t.plan()
	if err != nil {
		return rowSlice{}, err
	}
	v := reflect.ValueOf(rows)
	if !v.IsValid() || v.Type() != p.ptr || v.IsNil() {
		return rowSlice{}, fmt.Errorf("db: the rows of table %s are a non-nil %s, not %T", t.name, p.ptr, rows)
	}
	return newRowSlice(p, v.UnsafePointer()), nil
}

// rowOf returns the plan of the table's rows and row, a pointer to one
// of them.
func (t *Table) rowOf(row any) (*rowPlan, unsafe.Pointer, error) {
	p, err := t.plan()
	if err != nil {
		return nil, nil, err
	}
	v := reflect.ValueOf(row)
	if !v.IsValid() || v.Type() != p.one || v.IsNil() {
		return nil, nil, fmt.Errorf("db: a row of table %s is a non-nil %s, not %T", t.name, p.one, row)
	}
	return p, v.UnsafePointer(), nil
}

// newRows returns an empty slice of the table's rows.
func (t *Table) newRows() (rowSlice, error) {
	p, err := t.plan()
	if err != nil {
		return rowSlice{}, err
	}
	return newRowSlice(p, reflect.New(p.slice).UnsafePointer()), nil
}

// Name is the table's name.
func (t *Table) Name() string { return t.name }

// column returns the index of the named column, -1 if there is none.
func (t *Table) column(name string) int {
	for i, c := range t.columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Relation links two tables: a row of the source table relates to the rows
// of the target whose foreign column equals its local column. An object
// relation holding the foreign key joins its local foreign key column to
// the target's id; a list relation (and the other side of a one-to-one
// relation) joins its id to the target's foreign key column.
type Relation struct {
	source, target *Table
	local, foreign string
	// The indexes of the two columns in their tables, -1 for none.
	localIndex, foreignIndex int
	// field names the field of the source's struct that an include sets:
	// a *Target for an object relation, a []Target for a list.
	field string

	// Where field lies, found on first use.
	fieldOnce   sync.Once
	fieldOffset uintptr
	fieldType   reflect.Type
	fieldErr    error
}

// NewRelation declares a relation from source to target on
// source.local = target.foreign, whose related rows an include puts in
// the named field of the source's struct ("" for none). Relations are
// declared before the tables are used, as package variables are.
func NewRelation(source, target *Table, local, foreign, field string) *Relation {
	rel := &Relation{
		source: source, target: target, local: local, foreign: foreign, field: field,
		localIndex: source.column(local), foreignIndex: target.column(foreign),
	}
	source.relMu.Lock()
	source.relations = append(source.relations, rel)
	if p := source.cols.Load(); p != nil {
		p.attach(source.root.cols, source.root, rel)
	}
	source.relMu.Unlock()
	return rel
}

// TableRef is a table as a query sees it: the queried table itself, or a
// table reached from it through object relations (joined), or the related
// rows of a list relation (in a sub-query).
type TableRef struct {
	table  *Table
	parent *TableRef
	rel    *Relation

	// cols is the struct of the table's columns as reached through the
	// ref, when it was made by Table.Columns or JoinColumns.
	cols any
	// joins are the refs JoinColumns made from this one, one per
	// relation; they are only ever replaced, under joinMu.
	joinMu sync.Mutex
	joins  atomic.Pointer[[]*TableRef]
}

// list is the list relation rel of r, for filters and ordering by the
// related rows.
func (r *TableRef) list(rel *Relation) ListRelation {
	return ListRelation{parent: r, rel: rel}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func placeholder(n int) string { return "$" + strconv.Itoa(n) }
