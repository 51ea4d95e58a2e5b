package db

import "fmt"

// Load loads one relation of the rows a query found, with one more query
// however many rows it loads for. Generated includes (CompanyInclude)
// return one for each relation they name.
type Load struct {
	// Relation is the relation loaded, from the table of the rows found.
	Relation *Relation
	// List says the relation is a list: each row gets all its related
	// rows (filtered, ordered and limited per row by Where, OrderBy, Limit
	// and Offset, as Serverpod's includeList), an empty list when there
	// are none. An object relation gives each row its related row, if any.
	List bool

	Where   Expr
	OrderBy []Order
	// Limit and Offset apply to the related rows of each row; a zero Limit
	// is no limit.
	Limit, Offset int

	// Include loads relations of the related rows in turn.
	Include []Load
}

// Relater is implemented by the rows of a table with relations. Relate
// gives row i what an include found for it on rel: the related rows in a
// slice (a []Employee), which for an object relation holds the one
// related row. One method per table, rather than a function per include,
// keeps the generated code of a large project quick to compile.
type Relater interface {
	Relate(i int, rel *Relation, found any)
}

// keysOf returns the distinct keys in the column at index column of rows,
// in order.
func keysOf(rows Rows, column int) []int64 {
	n := rows.Len()
	seen := make(map[int64]bool, n)
	keys := make([]int64, 0, n)
	for i := range n {
		if k, ok := rows.Key(i, column); ok && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// byKeys holds for the rows whose column is one of keys.
func (t *Table) byKeys(column string, keys []int64) Expr {
	return Expr{setNode{col: Column{ref: t.root, name: column}, values: keys}}
}

// load loads the relation for rows, rows of table t.
func (l Load) load(c Conn, t *Table, rows Rows) error {
	rel := l.Relation
	relater, canRelate := rows.(Relater)
	switch {
	case rel == nil:
		return fmt.Errorf("db: including into %s: a Load needs its Relation", t.name)
	case !canRelate:
		return fmt.Errorf("db: including into %s: its rows (%T) do not take related rows (db.Relater)", t.name, rows)
	case rel.source != t:
		return fmt.Errorf("db: including into %s: the relation is one of table %s", t.name, rel.source.name)
	case rel.localIndex < 0 || rel.foreignIndex < 0:
		return fmt.Errorf("db: including %s into %s: the relation joins columns the tables do not have", rel.target.name, t.name)
	case l.Limit < 0 || l.Offset < 0:
		return fmt.Errorf("db: including %s: negative limit or offset", rel.target.name)
	case rel.target.newRows == nil:
		return fmt.Errorf("db: including %s: the table was declared without its rows", rel.target.name)
	}
	keys := keysOf(rows, rel.localIndex)
	if len(keys) == 0 {
		return nil
	}
	q := &query{}
	partition := ""
	if l.List {
		q = &query{where: l.Where, orderBy: l.OrderBy, limit: l.Limit, offset: l.Offset}
		partition = rel.foreign
	}
	found := rel.target.newRows()
	if err := rel.target.find(c, found, q, rel.target.byKeys(rel.foreign, keys), partition, l.Include); err != nil {
		return fmt.Errorf("including %s: %w", rel.target.name, err)
	}
	// The indexes of the rows found, by their key.
	groups := make(map[int64][]int, len(keys))
	for j := range found.Len() {
		if k, ok := found.Key(j, rel.foreignIndex); ok {
			if !l.List && groups[k] != nil {
				continue
			}
			groups[k] = append(groups[k], j)
		}
	}
	for i := range rows.Len() {
		k, ok := rows.Key(i, rel.localIndex)
		if !ok {
			continue
		}
		g := groups[k]
		if g == nil && !l.List {
			continue
		}
		// Each row gets its own copies, even when two rows share a key.
		relater.Relate(i, rel, found.Pick(g))
	}
	return nil
}
