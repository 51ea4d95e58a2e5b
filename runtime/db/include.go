package db

import (
	"fmt"
	"reflect"
	"unsafe"
)

// relLoad loads one relation of the rows a query found, with one more
// query however many rows it loads for. loadsOf reads one from an include
// (CompanyInclude) for each relation it names.
type relLoad struct {
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
	Include []relLoad
}

// includePlan is how the fields of a table's include are read: one for
// each relation it can name, in order.
type includePlan struct {
	fields []includeField
}

// includeField is a field of an include: a pointer to the include of
// the relation's target for an object relation, to an include list for
// a list.
type includeField struct {
	index int
	rel   *Relation
	list  bool
	// The indexes of the fields of an include list.
	where, orderBy, limit, offset, include int
}

var (
	exprType   = reflect.TypeFor[Expr]()
	ordersType = reflect.TypeFor[[]Order]()
	intType    = reflect.TypeFor[int]()
)

// includePlan returns how the fields of the table's include are read.
func (t *Table) includePlan() (*includePlan, error) {
	t.includeOnce.Do(func() {
		t.includes, t.includeErr = t.newIncludePlan()
	})
	return t.includes, t.includeErr
}

func (t *Table) newIncludePlan() (*includePlan, error) {
	it := t.include
	if it.Kind() != reflect.Struct {
		return nil, fmt.Errorf("db: the include of table %s is a %s, not a struct", t.name, it)
	}
	if t.rowType == nil {
		return nil, fmt.Errorf("db: table %s was declared without the struct of its rows", t.name)
	}
	t.relMu.Lock()
	rels := t.relations
	t.relMu.Unlock()
	ip := &includePlan{}
	for i := range it.NumField() {
		f := it.Field(i)
		fail := func(format string, args ...any) error {
			return fmt.Errorf("db: field %s of %s, the include of table %s: %s", f.Name, it, t.name, fmt.Sprintf(format, args...))
		}
		var rel *Relation
		for _, r := range rels {
			if r.field == f.Name {
				rel = r
			}
		}
		if rel == nil {
			return nil, fail("the table has no relation with that field")
		}
		rf, _, err := fieldAt(t.rowType, f.Name)
		if err != nil {
			return nil, fail("%v", err)
		}
		if f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.Struct {
			return nil, fail("a %s, not a pointer to a struct", f.Type)
		}
		want := rel.target.include
		field := includeField{index: i, rel: rel, list: rf.Type.Kind() == reflect.Slice}
		switch {
		case want == nil:
			return nil, fail("table %s was declared without an include", rel.target.name)
		case field.list:
			lt := f.Type.Elem()
			for _, lf := range []struct {
				name  string
				typ   reflect.Type
				index *int
			}{
				{"Where", exprType, &field.where}, {"OrderBy", ordersType, &field.orderBy},
				{"Limit", intType, &field.limit}, {"Offset", intType, &field.offset},
				{"Include", reflect.PointerTo(want), &field.include},
			} {
				sf, ok := lt.FieldByName(lf.name)
				if !ok || len(sf.Index) != 1 || sf.Type != lf.typ {
					return nil, fail("%s has no field %s of type %v", lt, lf.name, lf.typ)
				}
				*lf.index = sf.Index[0]
			}
		case f.Type.Elem() != want:
			return nil, fail("a %s, not a pointer to the include of table %s (%v)", f.Type, rel.target.name, want)
		}
		ip.fields = append(ip.fields, field)
	}
	return ip, nil
}

// loadsOf returns the loads that v, the table's include, names.
func (t *Table) loadsOf(v reflect.Value) ([]relLoad, error) {
	ip, err := t.includePlan()
	if err != nil {
		return nil, err
	}
	var loads []relLoad
	for _, f := range ip.fields {
		fv := v.Field(f.index)
		if fv.IsNil() {
			continue
		}
		l, nested := relLoad{Relation: f.rel, List: f.list}, fv
		if f.list {
			e := fv.Elem()
			l.Where = *e.Field(f.where).Addr().Interface().(*Expr)
			l.OrderBy = *e.Field(f.orderBy).Addr().Interface().(*[]Order)
			l.Limit, l.Offset = int(e.Field(f.limit).Int()), int(e.Field(f.offset).Int())
			nested = e.Field(f.include)
		}
		if !nested.IsNil() {
			if l.Include, err = f.rel.target.loadsOf(nested.Elem()); err != nil {
				return nil, err
			}
		}
		loads = append(loads, l)
	}
	return loads, nil
}

// keysOf returns the distinct keys in the column at index column of rows,
// in order.
func keysOf(rows rowSlice, column int) []int64 {
	n := rows.len()
	seen := make(map[int64]bool, n)
	keys := make([]int64, 0, n)
	for i := range n {
		if k, ok := rows.key(i, column); ok && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// resolve finds the field of the source's rows that rel sets: a pointer
// to the target's struct for an object relation, a slice of them for a
// list.
func (rel *Relation) resolve(source, target *rowPlan, list bool) error {
	rel.fieldOnce.Do(func() {
		if rel.field == "" {
			rel.fieldErr = fmt.Errorf("db: including %s into %s: the relation was declared without its field", rel.target.name, rel.source.name)
			return
		}
		f, off, err := fieldAt(source.row, rel.field)
		if err != nil {
			rel.fieldErr = fmt.Errorf("db: including %s into %s: %w", rel.target.name, rel.source.name, err)
			return
		}
		rel.fieldOffset, rel.fieldType = off, f.Type
	})
	if rel.fieldErr != nil {
		return rel.fieldErr
	}
	want := target.slice
	if !list {
		want = reflect.PointerTo(target.row)
	}
	if rel.fieldType != want {
		return fmt.Errorf("db: including %s into %s: field %s is a %s, not a %s", rel.target.name, rel.source.name, rel.field, rel.fieldType, want)
	}
	return nil
}

// relate sets the field of rel in row i of rows to copies of the rows
// found at indexes js: all of them for a list, the first for an object
// relation.
func (rel *Relation) relate(rows rowSlice, i int, found rowSlice, js []int, list bool) {
	field := reflect.NewAt(rel.fieldType, unsafe.Add(rows.at(i), rel.fieldOffset)).Elem()
	picked := found.pick(js)
	if list {
		field.Set(picked)
		return
	}
	field.Set(picked.Index(0).Addr())
}

// byKeys holds for the rows whose column is one of keys.
func (t *Table) byKeys(column string, keys []int64) Expr {
	return Expr{setNode{col: Column{ref: t.root, name: column}, values: keys}}
}

// load loads the relation for rows, rows of table t.
func (l relLoad) load(c Conn, t *Table, rows rowSlice) error {
	rel := l.Relation
	switch {
	case rel.localIndex < 0 || rel.foreignIndex < 0:
		return fmt.Errorf("db: including %s into %s: the relation joins columns the tables do not have", rel.target.name, t.name)
	case l.Limit < 0 || l.Offset < 0:
		return fmt.Errorf("db: including %s: negative limit or offset", rel.target.name)
	}
	found, err := rel.target.newRows()
	if err != nil {
		return fmt.Errorf("including %s: %w", rel.target.name, err)
	}
	if err := rel.resolve(rows.p, found.p, l.List); err != nil {
		return err
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
	if err := rel.target.find(c, found, q, rel.target.byKeys(rel.foreign, keys), partition, l.Include); err != nil {
		return fmt.Errorf("including %s: %w", rel.target.name, err)
	}
	// The indexes of the rows found, by their key.
	groups := make(map[int64][]int, len(keys))
	for j := range found.len() {
		if k, ok := found.key(j, rel.foreignIndex); ok {
			if !l.List && groups[k] != nil {
				continue
			}
			groups[k] = append(groups[k], j)
		}
	}
	for i := range rows.len() {
		k, ok := rows.key(i, rel.localIndex)
		if !ok {
			continue
		}
		g := groups[k]
		if g == nil && !l.List {
			continue
		}
		// Each row gets its own copies, even when two rows share a key.
		rel.relate(rows, i, found, g, l.List)
	}
	return nil
}
