package db

import (
	"strconv"
	"strings"
)

// ColumnDef declares a column of a table to the ORM.
type ColumnDef struct {
	Name string
	// HasDefault is true when the column has an SQL DEFAULT: inserting a
	// null value into it stores the default instead, as Serverpod does.
	HasDefault bool
}

// Table describes a table of a table class to the ORM: its name, its
// columns in order ("id" first), and how to hold its rows. Generated code
// declares one per table class, and its repository (CompanyDB) runs the
// methods of Table with the class's Rows.
type Table struct {
	name    string
	columns []ColumnDef
	newRows func() Rows
	root    *TableRef

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

// NewTable declares a table; columns start with "id", and newRows returns
// an empty Rows of the table's class (the rows of an include are read
// into it).
func NewTable(name string, columns []ColumnDef, newRows func() Rows) *Table {
	t := &Table{name: name, columns: append([]ColumnDef(nil), columns...), newRows: newRows}
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

// Name is the table's name.
func (t *Table) Name() string { return t.name }

// Root is the table itself in a query on it, as opposed to the table
// reached through a relation.
func (t *Table) Root() *TableRef { return t.root }

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
}

// NewRelation declares a relation from source to target on
// source.local = target.foreign.
func NewRelation(source, target *Table, local, foreign string) *Relation {
	return &Relation{
		source: source, target: target, local: local, foreign: foreign,
		localIndex: source.column(local), foreignIndex: target.column(foreign),
	}
}

// TableRef is a table as a query sees it: the queried table itself, or a
// table reached from it through object relations (joined), or the related
// rows of a list relation (in a sub-query).
type TableRef struct {
	table  *Table
	parent *TableRef
	rel    *Relation
}

// Join is the table reached from r through the object relation rel.
func (r *TableRef) Join(rel *Relation) *TableRef {
	return &TableRef{table: rel.target, parent: r, rel: rel}
}

// List is the list relation rel of r, for filters and ordering by the
// related rows.
func (r *TableRef) List(rel *Relation) ListRelation {
	return ListRelation{parent: r, rel: rel}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func placeholder(n int) string { return "$" + strconv.Itoa(n) }
