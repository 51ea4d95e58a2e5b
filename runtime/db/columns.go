package db

import (
	"fmt"
	"reflect"
	"unsafe"
)

// The struct of a table's columns (CompanyTable) is filled here from the
// table's declaration rather than by a constructor generated per table:
// every generated function costs the compiler time on each model change.
// Its fields are named as the fields of the table's rows: a typed column
// (IntColumn, EnumColumn, ...) for each column user code may name, a
// ListRelation for each list relation. One unexported *TableRef field
// holds the table as the query reaches it, for the methods that lead on
// through object relations.

// Columns declares the struct of the table's columns, cols being a nil
// pointer to it ((*CompanyTable)(nil)), and returns the table's own
// columns (a *CompanyTable), the ones conditions on the table start from.
// Generated code calls it once per table, when the package is
// initialized; a struct that does not match the table's columns is a bug
// of the generated code and panics.
func (t *Table) Columns(cols any) any {
	p, err := newColsPlan(t, reflect.TypeOf(cols))
	if err != nil {
		panic(err)
	}
	t.relMu.Lock()
	defer t.relMu.Unlock()
	if old := t.cols.Load(); old != nil && old.ptr == p.ptr {
		return t.root.cols
	}
	t.cols.Store(p)
	t.root.cols = p.build(t.root, t.relations)
	return t.root.cols
}

// JoinColumns is the struct of the columns of the table reached from r
// through the object relation rel, as Table.Columns declared it (a
// *CityTable); the generated methods of object relations return it. It is
// built on the first call and shared by the later ones, so that
// `CompanyT.Hq().Name` costs a lookup once the path has been used.
func (r *TableRef) JoinColumns(rel *Relation) any {
	if joins := r.joins.Load(); joins != nil {
		for _, j := range *joins {
			if j.rel == rel {
				return j.cols
			}
		}
	}
	r.joinMu.Lock()
	defer r.joinMu.Unlock()
	var joins []*TableRef
	if old := r.joins.Load(); old != nil {
		joins = *old
		for _, j := range joins {
			if j.rel == rel {
				return j.cols
			}
		}
	}
	p := rel.target.cols.Load()
	if p == nil {
		panic(fmt.Sprintf("db: table %s has no columns declared (Table.Columns); generate its package again", rel.target.name))
	}
	j := &TableRef{table: rel.target, parent: r, rel: rel}
	rel.target.relMu.Lock()
	j.cols = p.build(j, rel.target.relations)
	rel.target.relMu.Unlock()
	// Readers see either the old slice or the new one, never one being
	// appended to.
	joins = append(joins[:len(joins):len(joins)], j)
	r.joins.Store(&joins)
	return j.cols
}

// colsPlan is how the struct of a table's columns is filled.
type colsPlan struct {
	ptr    reflect.Type // *CompanyTable
	ref    int          // the index of its *TableRef field
	fields []colsField
}

type colsField struct {
	index int
	// list names the relation of a ListRelation field, by the field of
	// the rows it fills.
	list string
	// column makes the typed column of the others.
	column func(ref *TableRef) any
}

var (
	tableRefType    = reflect.TypeFor[*TableRef]()
	listRelType     = reflect.TypeFor[ListRelation]()
	enumColumnType  = reflect.TypeFor[EnumColumn]()
	enumValueType   = reflect.TypeFor[EnumValue]()
	typedColumnCtor = map[reflect.Type]func(ref *TableRef, name string) any{
		reflect.TypeFor[IntColumn]():      func(r *TableRef, n string) any { return newIntColumn(r, n) },
		reflect.TypeFor[DoubleColumn]():   func(r *TableRef, n string) any { return newDoubleColumn(r, n) },
		reflect.TypeFor[BoolColumn]():     func(r *TableRef, n string) any { return newBoolColumn(r, n) },
		reflect.TypeFor[StringColumn]():   func(r *TableRef, n string) any { return newStringColumn(r, n) },
		reflect.TypeFor[DateTimeColumn](): func(r *TableRef, n string) any { return newDateTimeColumn(r, n) },
		reflect.TypeFor[DurationColumn](): func(r *TableRef, n string) any { return newDurationColumn(r, n) },
		reflect.TypeFor[UUIDColumn]():     func(r *TableRef, n string) any { return newUUIDColumn(r, n) },
		reflect.TypeFor[URIColumn]():      func(r *TableRef, n string) any { return newURIColumn(r, n) },
		reflect.TypeFor[BigIntColumn]():   func(r *TableRef, n string) any { return newBigIntColumn(r, n) },
		reflect.TypeFor[ByteDataColumn](): func(r *TableRef, n string) any { return newByteDataColumn(r, n) },
		reflect.TypeFor[JSONColumn]():     func(r *TableRef, n string) any { return newJSONColumn(r, n) },
	}
)

// newColsPlan reads the struct of t's columns, of which ptr is a pointer.
func newColsPlan(t *Table, ptr reflect.Type) (*colsPlan, error) {
	if ptr == nil || ptr.Kind() != reflect.Pointer || ptr.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("db: the columns of table %s are declared as %v, not a pointer to a struct", t.name, ptr)
	}
	st := ptr.Elem()
	p := &colsPlan{ptr: ptr, ref: -1}
	for i := range st.NumField() {
		f := st.Field(i)
		switch {
		case f.Type == tableRefType:
			if p.ref >= 0 {
				return nil, fmt.Errorf("db: the columns of table %s (%s) have two *TableRef fields", t.name, st)
			}
			p.ref = i
			continue
		case !f.IsExported():
			return nil, fmt.Errorf("db: the columns of table %s (%s) have the unexported field %s", t.name, st, f.Name)
		case f.Type == listRelType:
			p.fields = append(p.fields, colsField{index: i, list: f.Name})
			continue
		}
		def := t.columnDef(f.Name)
		if def == nil {
			return nil, fmt.Errorf("db: field %s of %s is no column of table %s", f.Name, st, t.name)
		}
		mk, err := columnMaker(t, def, f.Type)
		if err != nil {
			return nil, fmt.Errorf("db: table %s, column %s: %w", t.name, def.Name, err)
		}
		p.fields = append(p.fields, colsField{index: i, column: mk})
	}
	if p.ref < 0 {
		return nil, fmt.Errorf("db: the columns of table %s (%s) have no *TableRef field", t.name, st)
	}
	return p, nil
}

// columnDef is the column held by the rows' field of that name.
func (t *Table) columnDef(field string) *ColumnDef {
	for i := range t.columns {
		if t.columns[i].Field == field {
			return &t.columns[i]
		}
	}
	return nil
}

// columnMaker returns how the column def is made as a field of type typ.
func columnMaker(t *Table, def *ColumnDef, typ reflect.Type) (func(*TableRef) any, error) {
	name := def.Name
	if ctor, ok := typedColumnCtor[typ]; ok {
		return func(r *TableRef) any { return ctor(r, name) }, nil
	}
	if typ != enumColumnType {
		return nil, fmt.Errorf("its field is a %s, which is no column type", typ)
	}
	// The enum is the type of the rows' field.
	if t.rowType == nil {
		return nil, fmt.Errorf("the table was declared without the struct of its rows, which gives the enum")
	}
	f, _, err := fieldAt(t.rowType, def.Field)
	if err != nil {
		return nil, err
	}
	enum := f.Type
	if enum.Kind() == reflect.Pointer {
		enum = enum.Elem()
	}
	if enum.Kind() != reflect.Int || !enum.Implements(enumValueType) {
		return nil, fmt.Errorf("field %s of the rows is a %s, not an enum", def.Field, f.Type)
	}
	conv := enumConv(name, enum, def.ByName)
	return func(r *TableRef) any {
		return EnumColumn{nullOrder{column(r, name, conv)}, enum.String()}
	}, nil
}

// enumConv converts a value of enum (or a pointer to one) into what the
// column stores: its name when byName, else its index. It takes the enum
// as a reflect.Type rather than a type parameter, so that no function is
// compiled per enum.
func enumConv(col string, enum reflect.Type, byName bool) func(any) any {
	ptr := reflect.PointerTo(enum)
	return func(v any) any {
		if v == nil {
			return nil
		}
		x := reflect.ValueOf(v)
		switch x.Type() {
		case enum:
		case ptr:
			if x.IsNil() {
				return nil
			}
			x = x.Elem()
		default:
			return badValue{fmt.Errorf("db: column %s holds values of enum %s, not %T", col, enum, v)}
		}
		if byName {
			// Both an enum and a pointer to one have its String.
			return v.(EnumValue).String()
		}
		return x.Int()
	}
}

// build makes the columns of the table at ref; rels are the relations of
// the table declared so far (those declared later are added by attach).
func (p *colsPlan) build(ref *TableRef, rels []*Relation) any {
	v := reflect.New(p.ptr.Elem())
	s := v.Elem()
	// The *TableRef field is unexported, so that user code cannot change
	// it; it is set through its address.
	*(**TableRef)(unsafe.Pointer(s.Field(p.ref).UnsafeAddr())) = ref
	for _, f := range p.fields {
		if f.column != nil {
			s.Field(f.index).Set(reflect.ValueOf(f.column(ref)))
			continue
		}
		for _, rel := range rels {
			if rel.field == f.list {
				s.Field(f.index).Set(reflect.ValueOf(ref.list(rel)))
			}
		}
	}
	return v.Interface()
}

// attach sets the ListRelation field that rel fills in cols, the columns
// of the table at ref. The table's own columns are made when the package
// declaring them is initialized, which may be before the relations from
// the table are: package variables are initialized in the order their
// dependencies allow.
func (p *colsPlan) attach(cols any, ref *TableRef, rel *Relation) {
	s := reflect.ValueOf(cols).Elem()
	for _, f := range p.fields {
		if f.column == nil && f.list == rel.field {
			s.Field(f.index).Set(reflect.ValueOf(ref.list(rel)))
		}
	}
}
