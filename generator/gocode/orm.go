package gocode

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/model"
)

const dbPkg = "github.com/gopod/gopod/runtime/db"

// tableDecls writes the ORM of a table class into its server-side file:
// typed columns for where clauses and ordering, and the repository of
// find, insert, update, delete, count and relation helpers.
//
// For a class Company it declares CompanyTable and CompanyT (Serverpod's
// Company.t), CompanyRepo and CompanyDB (Company.db), CompanyInclude and
// CompanyIncludeList (Company.include, Company.includeList), plus the
// unexported table and relation descriptors the runtime reads and
// rowsCompany, the slice of rows it reads and writes. The queries
// themselves are built by package db; the generated code only moves
// fields in and out of columns, so nothing is reflected on at run time.
//
// Package db has no type parameter for the class: a generic repository
// would be compiled anew for every table class (each struct type is its
// own GC shape), which made large projects slow to build. The generated
// methods are small and typed; db's non-generic core does the work.
func (s side) tableDecls(f *jen.File, m *model.Model) error {
	o := orm{side: s, m: m}
	if err := o.check(); err != nil {
		return err
	}
	f.ImportName(dbPkg, "db")
	if err := o.tableVar(f); err != nil {
		return err
	}
	o.relationVars(f)
	o.tableType(f)
	o.rows(f)
	o.repo(f)
	o.includes(f)
	o.relationHelpers(f)
	return nil
}

// orm writes the ORM declarations of one table class.
type orm struct {
	side
	m *model.Model
}

func (o orm) name() string { return o.m.ClassName }

// relations are the object and list relation fields of the class.
func (o orm) relations() []*model.Field {
	var out []*model.Field
	for _, f := range o.m.AllFields() {
		if r := f.Relation; r != nil && (r.Kind == model.ObjectRelation || r.Kind == model.ListRelation) {
			out = append(out, f)
		}
	}
	return out
}

// target is the class at the other end of a relation field.
func target(f *model.Field) *model.Model {
	if f.Relation.Kind == model.ListRelation {
		return f.Type.Args[0].Model
	}
	return f.Type.Model
}

// fieldOf finds a field, inherited ones included.
func fieldOf(m *model.Model, name string) *model.Field {
	for _, f := range m.AllFields() {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// check makes sure every relation resolves to fields the ORM can read.
func (o orm) check() error {
	for _, f := range o.relations() {
		if exported(f.Name) == "Loads" {
			return fmt.Errorf("%s: relation %q of %s becomes Loads in Go, which clashes with the method of %sInclude; rename the field", f.Pos, f.Name, o.name(), o.name())
		}
		t := target(f)
		if t == nil || !t.HasTable() {
			return fmt.Errorf("%s: relation %q of %s does not lead to a table class", f.Pos, f.Name, o.name())
		}
		r := f.Relation
		local, foreign := fieldOf(o.m, r.FieldName), fieldOf(t, r.ForeignFieldName)
		if local == nil || foreign == nil {
			return fmt.Errorf("%s: relation %q of %s: the analyzer left its key fields unresolved", f.Pos, f.Name, o.name())
		}
		if t.Module != "" && foreign.Hidden() {
			return fmt.Errorf("%s: relation %q of %s relies on a hidden field of module class %s", f.Pos, f.Name, o.name(), t.ClassName)
		}
	}
	return nil
}

func unexportedName(prefix string, parts ...string) string {
	name := prefix
	for _, p := range parts {
		name += exported(p)
	}
	return name
}

func tableVarName(m *model.Model) string { return "table" + m.ClassName }

func (o orm) relVarName(f *model.Field) string { return unexportedName("rel"+o.name(), f.Name) }

// tableRef is the *db.Table of m: the unexported descriptor in this
// package, or the table of a module's repository.
func (o orm) tableRef(m *model.Model) *jen.Statement {
	if m.Module == "" {
		return jen.Id(tableVarName(m))
	}
	return jen.Qual(o.pkgOf(m), m.ClassName+"DB").Dot("Table").Call()
}

// qual names a declaration that lives beside m.
func (o orm) qual(m *model.Model, name string) *jen.Statement {
	return jen.Qual(o.pkgOf(m), name)
}

func rowsTypeName(m *model.Model) string { return "rows" + m.ClassName }

func (o orm) tableVar(f *jen.File) error {
	cols := o.m.Columns()
	if len(cols) == 0 || cols[0].Name != "id" {
		// The analyzer gives every table class its id first.
		return fmt.Errorf("%s: table class %s has no id column first", o.m.Pos, o.name())
	}
	var defs []jen.Code
	for _, fl := range cols {
		d := []jen.Code{jen.Id("Name").Op(":").Lit(fl.Column())}
		if fl.DefaultPersist != nil && fl.Name != "id" {
			d = append(d, jen.Id("HasDefault").Op(":").True())
		}
		defs = append(defs, jen.Values(d...))
	}
	doc(f, fmt.Sprintf("%s describes table %s to the ORM: its columns in order, which have a database default, and the rows it reads them into.", tableVarName(o.m), o.m.Table))
	f.Var().Id(tableVarName(o.m)).Op("=").Qual(dbPkg, "NewTable").Call(
		jen.Lit(o.m.Table),
		jen.Index().Qual(dbPkg, "ColumnDef").Add(lines(defs)),
		jen.Func().Params().Qual(dbPkg, "Rows").Block(jen.Return(jen.Op("&").Id(rowsTypeName(o.m)).Values())),
	)
	f.Line()
	return nil
}

func (o orm) relationVars(f *jen.File) {
	rels := o.relations()
	if len(rels) == 0 {
		return
	}
	doc(f, fmt.Sprintf("The relations of table %s: the table they lead to, and the columns they match.", o.m.Table))
	f.Var().DefsFunc(func(g *jen.Group) {
		for _, fl := range rels {
			r := fl.Relation
			g.Id(o.relVarName(fl)).Op("=").Qual(dbPkg, "NewRelation").Call(jen.Id(tableVarName(o.m)), o.tableRef(target(fl)), jen.Lit(r.FieldName), jen.Lit(r.ForeignFieldName))
		}
	})
	f.Line()
}

// columnKind is how the ORM stores a field's type.
type columnKind int

const (
	kindPlain columnKind = iota // int, double, bool, String: pgx reads and writes them as they are
	kindDateTime
	kindDuration
	kindUUID
	kindURI
	kindBigInt
	kindByteData
	kindEnum
	kindJSON
)

func kindOf(t *model.Type) columnKind {
	if t.IsEnum() {
		return kindEnum
	}
	switch t.Name {
	case model.TypeInt, model.TypeDouble, model.TypeBool, model.TypeString:
		return kindPlain
	case model.TypeDateTime:
		return kindDateTime
	case model.TypeDuration:
		return kindDuration
	case model.TypeUUID:
		return kindUUID
	case model.TypeURI:
		return kindURI
	case model.TypeBigInt:
		return kindBigInt
	case model.TypeByteData:
		return kindByteData
	}
	return kindJSON
}

var plainColumns = map[string]string{
	model.TypeInt: "IntColumn", model.TypeDouble: "DoubleColumn", model.TypeBool: "BoolColumn", model.TypeString: "StringColumn",
}

// columnType returns the typed column of t and its constructor.
func (o orm) columnType(t *model.Type) (typ, ctor *jen.Statement) {
	var name string
	switch kindOf(t) {
	case kindPlain:
		name = plainColumns[t.Name]
	case kindDateTime:
		name = "DateTimeColumn"
	case kindDuration:
		name = "DurationColumn"
	case kindUUID:
		name = "UUIDColumn"
	case kindURI:
		name = "URIColumn"
	case kindBigInt:
		name = "BigIntColumn"
	case kindByteData:
		name = "ByteDataColumn"
	case kindEnum:
		return jen.Qual(dbPkg, "EnumColumn"), jen.Qual(dbPkg, "NewEnumColumn").Types(o.modelRef(t))
	default:
		name = "JSONColumn"
	}
	return jen.Qual(dbPkg, name), jen.Qual(dbPkg, "New"+name)
}

func byName(t *model.Type) *jen.Statement { return jen.Lit(t.Model.Serialized == model.ByName) }

func (o orm) tableType(f *jen.File) {
	name := o.name()
	tableType, ctor := name+"Table", "New"+name+"Table"
	var fields, inits []jen.Code
	fields = append(fields, jen.Id("ref").Op("*").Qual(dbPkg, "TableRef"))
	inits = append(inits, jen.Id("ref").Op(":").Id("ref"))
	for _, fl := range o.m.Columns() {
		if fl.Hidden() {
			// Hidden foreign keys are read and written with the row,
			// but user code never names them.
			continue
		}
		typ, newCol := o.columnType(fl.Type)
		fields = append(fields, jen.Id(fieldName(fl)).Add(typ))
		args := []jen.Code{jen.Id("ref"), jen.Lit(fl.Column())}
		if fl.Type.IsEnum() {
			args = append(args, byName(fl.Type))
		}
		inits = append(inits, jen.Id(fieldName(fl)).Op(":").Add(newCol).Call(args...))
	}
	text := fmt.Sprintf("%s holds the columns of table %s for where clauses and ordering (Serverpod's %s)", tableType, o.m.Table, tableType)
	if len(o.relations()) > 0 {
		text += "; its methods lead to the tables of its relations"
	}
	doc(f, text+".")
	f.Type().Id(tableType).Struct(fields...)
	f.Line()
	doc(f, fmt.Sprintf("%s returns the columns of table %s as reached through ref; the relations of other tables use it. Conditions on the table itself start from %sT.", ctor, o.m.Table, name))
	f.Func().Id(ctor).Params(jen.Id("ref").Op("*").Qual(dbPkg, "TableRef")).Id(tableType).Block(
		jen.Return(jen.Id(tableType).Add(lines(inits))),
	)
	f.Line()
	doc(f, fmt.Sprintf("%sT is table %s in where clauses and ordering (Serverpod's %s.t).", name, o.m.Table, name))
	f.Var().Id(name + "T").Op("=").Id(ctor).Call(jen.Id(tableVarName(o.m)).Dot("Root").Call())
	f.Line()
	for _, fl := range o.relations() {
		t := target(fl)
		method := exported(fl.Name)
		if fl.Relation.Kind == model.ListRelation {
			doc(f, fmt.Sprintf("%s filters rows of %s by their %s, or orders them by how many they have.", method, o.m.Table, fl.Name))
			f.Func().Params(jen.Id("t").Id(tableType)).Id(method).Params().Qual(dbPkg, "ListRelation").Block(
				jen.Return(jen.Id("t").Dot("ref").Dot("List").Call(jen.Id(o.relVarName(fl)))),
			)
		} else {
			doc(f, fmt.Sprintf("%s is the %s of a row of %s: the columns of table %s, joined.", method, fl.Name, o.m.Table, t.Table))
			f.Func().Params(jen.Id("t").Id(tableType)).Id(method).Params().Add(o.qual(t, t.ClassName+"Table")).Block(
				jen.Return(o.qual(t, "New"+t.ClassName+"Table").Call(jen.Id("t").Dot("ref").Dot("Join").Call(jen.Id(o.relVarName(fl))))),
			)
		}
		f.Line()
	}
}

// lines is a composite literal's braces with one element per line.
func lines(elems []jen.Code) *jen.Statement {
	return jen.ValuesFunc(func(g *jen.Group) {
		for _, e := range elems {
			g.Line().Add(e)
		}
		g.Line()
	})
}

// rows writes rowsCompany, the db.Rows of the class: the only code that
// moves the class's fields in and out of columns.
func (o orm) rows(f *jen.File) {
	name, rows := o.name(), rowsTypeName(o.m)
	recv := jen.Id("r").Op("*").Id(rows)
	row := jen.Id("m").Op(":=").Op("&").Parens(jen.Op("*").Id("r")).Index(jen.Id("i"))
	var scans, values, keys, decodes []jen.Code
	for i, fl := range o.m.Columns() {
		scans = append(scans, o.scanDest(fl, i))
		if fl.Type.Name == model.TypeInt && !fl.Type.IsEnum() {
			keys = append(keys, jen.Case(jen.Lit(i)).Block(jen.Return(key(fl)...)))
		}
		if dec := o.decodeField(fl); dec != nil {
			decodes = append(decodes, jen.Case(jen.Lit(i)).Block(dec...))
		}
		if fl.Name == "id" {
			continue
		}
		values = append(values, o.value(fl))
	}
	doc(f, fmt.Sprintf("%s are rows of table %s as package db reads and writes them (db.Rows).", rows, o.m.Table))
	f.Type().Id(rows).Index().Id(name)
	f.Line()
	f.Func().Params(recv.Clone()).Id("Len").Params().Int().Block(jen.Return(jen.Len(jen.Op("*").Id("r"))))
	f.Line()
	f.Func().Params(recv.Clone()).Id("Add").Params().Block(
		jen.Op("*").Id("r").Op("=").Append(jen.Op("*").Id("r"), jen.Id(name).Values()),
	)
	f.Line()
	f.Func().Params(recv.Clone()).Id("Pick").Params(jen.Id("js").Index().Int()).Any().Block(
		jen.Id("out").Op(":=").Make(jen.Index().Id(name), jen.Len(jen.Id("js"))),
		jen.For(jen.List(jen.Id("k"), jen.Id("j")).Op(":=").Range().Id("js")).Block(
			jen.Id("out").Index(jen.Id("k")).Op("=").Parens(jen.Op("*").Id("r")).Index(jen.Id("j")),
		),
		jen.Return(jen.Id("out")),
	)
	f.Line()
	f.Func().Params(recv.Clone()).Id("Scan").Params(jen.Id("i").Int(), jen.Id("d").Op("*").Qual(dbPkg, "Dests")).Block(
		append([]jen.Code{row.Clone()}, scans...)...,
	)
	f.Line()
	// A table without columns besides id writes no values; the row is only
	// named when used, or the method would not compile.
	var valuesBody []jen.Code
	if len(values) > 0 {
		valuesBody = append([]jen.Code{row.Clone()}, values...)
	}
	f.Func().Params(recv.Clone()).Id("Values").Params(jen.Id("i").Int(), jen.Id("a").Op("*").Qual(dbPkg, "Args")).Block(valuesBody...)
	f.Line()
	f.Func().Params(recv.Clone()).Id("Key").Params(jen.List(jen.Id("i"), jen.Id("column")).Int()).Params(jen.Int64(), jen.Bool()).Block(
		row.Clone(),
		jen.Switch(jen.Id("column")).Block(keys...),
		jen.Return(jen.Lit(0), jen.False()),
	)
	f.Line()
	if len(decodes) > 0 {
		f.Comment("DecodeField implements db.FieldDecoder.")
		f.Func().Params(recv.Clone()).Id("DecodeField").Params(jen.List(jen.Id("i"), jen.Id("column")).Int(), jen.Id("v").Any()).Params(jen.Err().Error()).Block(
			row.Clone(),
			jen.Switch(jen.Id("column")).Block(decodes...),
			jen.Return(jen.Err()),
		)
		f.Line()
	}
}

// repo writes CompanyRepo: typed methods over the methods of db.Table.
func (o orm) repo(f *jen.File) {
	name, table, rows := o.name(), jen.Id(tableVarName(o.m)), rowsTypeName(o.m)
	repo := name + "Repo"
	// Pointer receivers: for value methods of an exported type the
	// compiler also writes pointer wrappers, copying the rows passed.
	recv := jen.Op("*").Id(repo)
	conn := jen.Id("c").Qual(dbPkg, "Conn")
	opts := jen.Id("opts").Op("...").Qual(dbPkg, "Option")
	columns := jen.Id("columns").Op("...").Qual(dbPkg, "AnyColumn")
	one, list, ptr := jen.Id(name), jen.Index().Id(name), jen.Op("*").Id(name)
	// run calls the table's method and returns failed on an error (or
	// when any of cond holds).
	run := func(call *jen.Statement, failed []jen.Code, cond ...jen.Code) jen.Code {
		test := jen.Err().Op("!=").Nil()
		for _, c := range cond {
			test = test.Op("||").Add(c)
		}
		return jen.If(jen.Err().Op(":=").Add(call), test).Block(jen.Return(failed...))
	}
	method := func(text, m string, params []jen.Code, results []jen.Code, body ...jen.Code) {
		doc(f, text)
		f.Func().Params(recv.Clone()).Id(m).Params(params...).Params(results...).Block(body...)
		f.Line()
	}
	text := fmt.Sprintf("%s reads and writes the rows of table %s (Serverpod's %s.db)", repo, o.m.Table, name)
	if len(o.relations()) > 0 {
		text += ", and links rows with the relation helpers below"
	}
	doc(f, text+".")
	f.Type().Id(repo).Struct()
	f.Line()
	doc(f, fmt.Sprintf("%sDB is the repository of table %s.", name, o.m.Table))
	f.Var().Id(name + "DB").Op("=").Op("&").Id(repo).Values()
	f.Line()
	doc(f, fmt.Sprintf("Table is table %s, for the relations of tables in other packages.", o.m.Table))
	f.Func().Params(recv.Clone()).Id("Table").Params().Op("*").Qual(dbPkg, "Table").Block(jen.Return(table.Clone()))
	f.Line()

	nilErr := []jen.Code{jen.Nil(), jen.Err()}
	zeroErr := []jen.Code{jen.Id(name).Values(), jen.Err()}
	method("Find returns the rows matching the options (db.Where, db.OrderBy, db.Limit, db.Offset, db.Include); all rows without any.",
		"Find", []jen.Code{conn.Clone(), opts.Clone()}, []jen.Code{list.Clone(), jen.Error()},
		jen.Id("rows").Op(":=").Id(rows).Values(),
		run(table.Clone().Dot("Find").Call(jen.Id("c"), jen.Op("&").Id("rows"), jen.Id("opts").Op("...")), nilErr),
		jen.Return(jen.Id("rows"), jen.Nil()),
	)
	first := func(text, m string, params []jen.Code, args ...jen.Code) {
		method(text, m, params, []jen.Code{ptr.Clone(), jen.Error()},
			jen.Var().Id("rows").Id(rows),
			run(table.Clone().Dot(m).Call(append([]jen.Code{jen.Id("c"), jen.Op("&").Id("rows")}, args...)...), nilErr, jen.Len(jen.Id("rows")).Op("==").Lit(0)),
			jen.Return(jen.Op("&").Id("rows").Index(jen.Lit(0)), jen.Nil()),
		)
	}
	first("FindFirstRow returns the first row matching the options (db.Where, db.OrderBy, db.Offset, db.Include), or nil when there is none.",
		"FindFirstRow", []jen.Code{conn.Clone(), opts.Clone()}, jen.Id("opts").Op("..."))
	first("FindByID returns the row with the given id, or nil when there is none. It takes only the db.Include option.",
		"FindByID", []jen.Code{conn.Clone(), jen.Id("id").Int64(), opts.Clone()}, jen.Id("id"), jen.Id("opts").Op("..."))
	method("Count returns the number of rows matching the options (db.Where, and db.Limit to count at most that many).",
		"Count", []jen.Code{conn.Clone(), opts.Clone()}, []jen.Code{jen.Int64(), jen.Error()},
		jen.Return(table.Clone().Dot("Count").Call(jen.Id("c"), jen.Id("opts").Op("..."))),
	)
	// The rows written are copies: they are read back as stored.
	copies := jen.Id("out").Op(":=").Append(jen.Id(rows).Values(), jen.Id("rows").Op("..."))
	method("Insert inserts rows and returns them as stored: with their new ids and the database defaults of null columns that have one. An id already set is ignored, as in Serverpod. It is atomic: when one row fails, none is inserted.",
		"Insert", []jen.Code{conn.Clone(), jen.Id("rows").Op("...").Id(name)}, []jen.Code{list.Clone(), jen.Error()},
		copies.Clone(),
		run(table.Clone().Dot("Insert").Call(jen.Id("c"), jen.Op("&").Id("out")), nilErr),
		jen.Return(jen.Id("out"), jen.Nil()),
	)
	method("InsertRow inserts one row and returns it as stored, with its new id.",
		"InsertRow", []jen.Code{conn.Clone(), jen.Id("row").Id(name)}, []jen.Code{one.Clone(), jen.Error()},
		jen.Id("rows").Op(":=").Id(rows).Values(jen.Id("row")),
		run(table.Clone().Dot("Insert").Call(jen.Id("c"), jen.Op("&").Id("rows")), zeroErr),
		jen.Return(jen.Id("rows").Index(jen.Lit(0)), jen.Nil()),
	)
	method("Update writes rows (every column, or only the columns given) and returns them as stored. Every row needs its id. It is atomic: when one row fails or does not exist, none is updated.",
		"Update", []jen.Code{conn.Clone(), jen.Id("rows").Add(list.Clone()), columns.Clone()}, []jen.Code{list.Clone(), jen.Error()},
		copies.Clone(),
		run(table.Clone().Dot("Update").Call(jen.Id("c"), jen.Op("&").Id("out"), jen.Id("columns").Op("...")), nilErr),
		jen.Return(jen.Id("out"), jen.Nil()),
	)
	method("UpdateRow writes row (every column, or only the columns given) and returns it as stored. The row needs its id; a row that does not exist is db.ErrNotFound.",
		"UpdateRow", []jen.Code{conn.Clone(), jen.Id("row").Id(name), columns.Clone()}, []jen.Code{one.Clone(), jen.Error()},
		jen.Id("rows").Op(":=").Id(rows).Values(jen.Id("row")),
		run(table.Clone().Dot("Update").Call(jen.Id("c"), jen.Op("&").Id("rows"), jen.Id("columns").Op("...")), zeroErr),
		jen.Return(jen.Id("rows").Index(jen.Lit(0)), jen.Nil()),
	)
	method("Delete deletes rows (by their ids) and returns the rows deleted, as they were stored. Rows that no longer exist are skipped.",
		"Delete", []jen.Code{conn.Clone(), jen.Id("rows").Op("...").Id(name)}, []jen.Code{list.Clone(), jen.Error()},
		jen.List(jen.Id("in"), jen.Id("out")).Op(":=").List(jen.Id(rows).Parens(jen.Id("rows")), jen.Id(rows).Values()),
		run(table.Clone().Dot("Delete").Call(jen.Id("c"), jen.Op("&").Id("in"), jen.Op("&").Id("out")), nilErr),
		jen.Return(jen.Id("out"), jen.Nil()),
	)
	method("DeleteRow deletes row and returns it as it was stored; a row that does not exist is db.ErrNotFound.",
		"DeleteRow", []jen.Code{conn.Clone(), jen.Id("row").Id(name)}, []jen.Code{one.Clone(), jen.Error()},
		jen.Var().Id("out").Id(rows),
		run(table.Clone().Dot("DeleteRow").Call(jen.Id("c"), jen.Id("row").Dot("ID"), jen.Op("&").Id("out")), zeroErr),
		jen.Return(jen.Id("out").Index(jen.Lit(0)), jen.Nil()),
	)
	method("DeleteWhere deletes the rows matching where and returns them. The condition is required; db.Constant(true) deletes every row.",
		"DeleteWhere", []jen.Code{conn.Clone(), jen.Id("where").Qual(dbPkg, "Expr")}, []jen.Code{list.Clone(), jen.Error()},
		jen.Id("out").Op(":=").Id(rows).Values(),
		run(table.Clone().Dot("DeleteWhere").Call(jen.Id("c"), jen.Id("where"), jen.Op("&").Id("out")), nilErr),
		jen.Return(jen.Id("out"), jen.Nil()),
	)
}

// nullScanners read the nullable plain types without pgx's reflection on
// pointers to pointers.
var nullScanners = map[string]string{
	model.TypeInt: "NullInt", model.TypeDouble: "NullDouble", model.TypeBool: "NullBool", model.TypeString: "NullString",
}

// scanDest tells d where to read the column of fl, at index column, of
// m, row i of r.
func (o orm) scanDest(fl *model.Field, column int) *jen.Statement {
	t := fl.Type
	addr := jen.Op("&").Id("m").Dot(fieldName(fl))
	d := func(method string, args ...jen.Code) *jen.Statement {
		return jen.Id("d").Dot(method).Call(args...)
	}
	null := func(plain string) string {
		if t.Nullable {
			return "Null" + plain
		}
		return plain
	}
	switch kindOf(t) {
	case kindPlain:
		if t.Nullable {
			return d(nullScanners[t.Name], addr)
		}
	case kindDateTime:
		if t.Nullable {
			return d("NullTime", addr)
		}
	case kindDuration:
		return d(null("Duration"), addr)
	case kindUUID:
		return d(null("UUID"), addr)
	case kindURI:
		return d("URI", addr)
	case kindBigInt:
		return d("BigInt", addr)
	case kindEnum:
		if t.Nullable {
			return d("NullEnum", jen.Id("r"), jen.Id("i"), jen.Lit(column), byName(t))
		}
		return d("Enum", addr, byName(t))
	case kindJSON:
		return d("JSON", jen.Id("r"), jen.Id("i"), jen.Lit(column))
	}
	return d("Value", addr)
}

// decodeField sets the field fl of m from a value v as JSON has it, or
// to its zero value for nil (null); nil when the column of fl is read
// without JSON. It decodes as the model's own DecodeJSON does, with the
// same decoders (models and enums through their DecodeJSON methods), so
// that the ORM adds no instantiation of a generic decoder.
func (o orm) decodeField(fl *model.Field) []jen.Code {
	t := fl.Type
	k := kindOf(t)
	if k != kindJSON && !(k == kindEnum && t.Nullable) {
		return nil
	}
	field := jen.Id("m").Dot(fieldName(fl))
	isModel := t.Model != nil
	zero := jen.Nil()
	switch {
	case isModel && !t.Nullable && t.Model.Kind == model.Custom:
		// A custom Go type need not be a struct.
		zero = jen.Op("*").New(o.modelRef(t))
	case isModel && !t.Nullable:
		zero = o.modelRef(t).Values()
	}
	var decode []jen.Code
	switch {
	case isModel && t.Nullable:
		decode = []jen.Code{
			field.Clone().Op("=").New(o.modelRef(t)),
			jen.Err().Op("=").Add(field.Clone()).Dot("DecodeJSON").Call(jen.Id("v")),
		}
	case isModel:
		decode = []jen.Code{jen.Err().Op("=").Add(field.Clone()).Dot("DecodeJSON").Call(jen.Id("v"))}
	default:
		decode = []jen.Code{jen.List(field.Clone(), jen.Err()).Op("=").Add(o.decFunc(t.NonNull())).Call(jen.Id("v"))}
	}
	return []jen.Code{
		field.Clone().Op("=").Add(zero),
		jen.If(jen.Id("v").Op("!=").Nil()).Block(decode...),
	}
}

// plainArgs are the methods of db.Args for the plain types.
var plainArgs = map[string]string{
	model.TypeInt: "Int", model.TypeDouble: "Double", model.TypeBool: "Bool", model.TypeString: "String",
}

// value gives a the value written for the column of fl.
func (o orm) value(fl *model.Field) jen.Code {
	t := fl.Type
	v := jen.Id("m").Dot(fieldName(fl))
	a := func(method string, args ...jen.Code) *jen.Statement {
		return jen.Id("a").Dot(method).Call(args...)
	}
	null := func(plain string) string {
		if t.Nullable {
			return "Null" + plain
		}
		return plain
	}
	// ifNotNull writes stmts for a nullable field that is set, and null
	// for one that is not.
	ifNotNull := func(stmts ...jen.Code) jen.Code {
		if !t.Nullable {
			return jen.Add(stmts...)
		}
		return jen.If(v.Clone().Op("!=").Nil()).Block(stmts...).Else().Block(a("Null"))
	}
	switch kindOf(t) {
	case kindPlain:
		return a(null(plainArgs[t.Name]), v)
	case kindDateTime:
		return a(null("Time"), v)
	case kindDuration:
		return a(null("Duration"), v)
	case kindUUID:
		return a(null("UUID"), v)
	case kindURI:
		return a("URI", v)
	case kindBigInt:
		return a("BigInt", v)
	case kindByteData:
		if t.Nullable {
			return a("NullBytes", v)
		}
		return a("Bytes", v)
	case kindEnum:
		// An enum is stored as its index, or its name when serialized by
		// name.
		if t.Model.Serialized == model.ByName {
			return ifNotNull(a("String", v.Clone().Dot("String").Call()))
		}
		e := v.Clone()
		if t.Nullable {
			e = jen.Op("*").Add(e)
		}
		return ifNotNull(a("Int", jen.Int64().Call(e)))
	}
	// The model's own EncodeJSON writes the field the same way.
	encode := []jen.Code{
		jen.Id("e").Op(":=").Id("a").Dot("Encoder").Call(),
	}
	encode = append(encode, o.encodeStmts(t.NonNull(), v.Clone())...)
	encode = append(encode, a("JSON", jen.Lit(fl.Name), jen.Id("e")))
	if t.Nullable {
		return ifNotNull(encode...)
	}
	return jen.Block(encode...)
}

// key returns the key a relation matches on fl, as (int64, bool).
func key(fl *model.Field) []jen.Code {
	v := jen.Id("m").Dot(fieldName(fl))
	if fl.Type.Nullable {
		return []jen.Code{jen.Qual(dbPkg, "Key").Call(v)}
	}
	return []jen.Code{v, jen.True()}
}

func (o orm) includes(f *jen.File) {
	name := o.name()
	inc := name + "Include"
	rels := o.relations()
	doc(f, fmt.Sprintf("%s names the relations of %s to load with it (Serverpod's %s.include); pass it as db.Include(%s{...}). Nil fields are not loaded.", inc, withArticle(name), name, inc))
	f.Type().Id(inc).StructFunc(func(g *jen.Group) {
		for _, fl := range rels {
			t := target(fl)
			typ := t.ClassName + "Include"
			if fl.Relation.Kind == model.ListRelation {
				typ = t.ClassName + "IncludeList"
			}
			g.Id(exported(fl.Name)).Op("*").Add(o.qual(t, typ))
		}
	})
	f.Line()
	loadsType := jen.Index().Qual(dbPkg, "Load")
	results := []jen.Code{jen.Op("*").Qual(dbPkg, "Table"), loadsType}
	table := jen.Id(tableVarName(o.m))
	doc(f, "Loads implements db.Includer.")
	if len(rels) == 0 {
		f.Func().Params(jen.Id(inc)).Id("Loads").Params().Params(results...).Block(jen.Return(table, jen.Nil()))
	} else {
		body := []jen.Code{jen.Var().Id("loads").Add(loadsType.Clone())}
		for _, fl := range rels {
			body = append(body, o.load(fl))
		}
		body = append(body, jen.Return(table, jen.Id("loads")))
		f.Func().Params(jen.Id("i").Id(inc)).Id("Loads").Params().Params(results...).Block(body...)
	}
	f.Line()
	if len(rels) > 0 {
		o.relate(f, rels)
	}
	list := name + "IncludeList"
	doc(f, fmt.Sprintf("%s loads the %s rows of a list relation (Serverpod's %s.includeList): which rows, in which order, how many for each row they belong to (a zero Limit is no limit), and their own relations.", list, name, name))
	f.Type().Id(list).Struct(
		jen.Id("Where").Qual(dbPkg, "Expr"),
		jen.Id("OrderBy").Index().Qual(dbPkg, "Order"),
		jen.Id("Limit").Int(),
		jen.Id("Offset").Int(),
		jen.Id("Include").Op("*").Id(inc),
	)
	f.Line()
}

// relate writes the rows' Relate method (db.Relater), which gives a row
// what an include found for one of rels.
func (o orm) relate(f *jen.File, rels []*model.Field) {
	row := jen.Parens(jen.Op("*").Id("r")).Index(jen.Id("i"))
	doc(f, "Relate implements db.Relater.")
	f.Func().Params(jen.Id("r").Op("*").Id(rowsTypeName(o.m))).Id("Relate").Params(jen.Id("i").Int(), jen.Id("rel").Op("*").Qual(dbPkg, "Relation"), jen.Id("found").Any()).Block(
		jen.Switch(jen.Id("rel")).BlockFunc(func(g *jen.Group) {
			for _, fl := range rels {
				t := target(fl)
				// found holds the related rows: all of them for a list,
				// the one related row for an object relation.
				found := jen.Id("found").Assert(jen.Index().Add(o.qual(t, t.ClassName)))
				if fl.Relation.Kind == model.ObjectRelation {
					found = jen.Op("&").Add(found).Index(jen.Lit(0))
				}
				g.Case(jen.Id(o.relVarName(fl))).Block(row.Clone().Dot(fieldName(fl)).Op("=").Add(found))
			}
		}),
	)
	f.Line()
}

// load is the statement of Loads that adds the load of relation fl.
func (o orm) load(fl *model.Field) jen.Code {
	field := exported(fl.Name)
	rel := jen.Id("Relation").Op(":").Id(o.relVarName(fl))
	if fl.Relation.Kind == model.ObjectRelation {
		return jen.If(jen.Id("i").Dot(field).Op("!=").Nil()).Block(
			jen.List(jen.Id("_"), jen.Id("nested")).Op(":=").Id("i").Dot(field).Dot("Loads").Call(),
			jen.Id("loads").Op("=").Append(jen.Id("loads"), jen.Qual(dbPkg, "Load").Values(rel, jen.Id("Include").Op(":").Id("nested"))),
		)
	}
	l := jen.Id("l")
	return jen.If(jen.Id("l").Op(":=").Id("i").Dot(field), jen.Id("l").Op("!=").Nil()).Block(
		jen.Var().Id("nested").Index().Qual(dbPkg, "Load"),
		jen.If(jen.Id("l").Dot("Include").Op("!=").Nil()).Block(
			jen.List(jen.Id("_"), jen.Id("nested")).Op("=").Id("l").Dot("Include").Dot("Loads").Call(),
		),
		jen.Id("loads").Op("=").Append(jen.Id("loads"), jen.Qual(dbPkg, "Load").Add(lines([]jen.Code{
			rel,
			jen.Id("List").Op(":").True(),
			jen.Id("Where").Op(":").Add(l.Clone()).Dot("Where"),
			jen.Id("OrderBy").Op(":").Add(l.Clone()).Dot("OrderBy"),
			jen.Id("Limit").Op(":").Add(l.Clone()).Dot("Limit"),
			jen.Id("Offset").Op(":").Add(l.Clone()).Dot("Offset"),
			jen.Id("Include").Op(":").Id("nested"),
		}))),
	)
}

// paramNames are taken in the relation helpers' signatures.
var paramNames = map[string]bool{"c": true, "r": true, "db": true, "fmt": true, "wire": true, "err": true, "ids": true, "i": true}

// paramName names a parameter after name, or after fallback when that
// is taken.
func paramName(name, fallback string, taken ...string) string {
	p := unexported(name)
	for _, t := range taken {
		if p == t {
			return fallback
		}
	}
	if paramNames[p] {
		return fallback
	}
	return p
}

func (o orm) relationHelpers(f *jen.File) {
	name := o.name()
	recv := jen.Op("*").Id(name + "Repo")
	conn := jen.Id("c").Qual(dbPkg, "Conn")
	table := jen.Id(tableVarName(o.m))
	// idsOf collects the ids of the rows in the slice rel.
	idsOf := func(rel string) []jen.Code {
		return []jen.Code{
			jen.Id("ids").Op(":=").Make(jen.Index().Op("*").Int64(), jen.Len(jen.Id(rel))),
			jen.For(jen.Id("i").Op(":=").Range().Id(rel)).Block(
				jen.Id("ids").Index(jen.Id("i")).Op("=").Id(rel).Index(jen.Id("i")).Dot("ID"),
			),
		}
	}
	for _, fl := range o.relations() {
		r, t := fl.Relation, target(fl)
		row := paramName(name, "row")
		rel := paramName(fl.Name, "related", row)
		dst := o.qual(t, t.ClassName)
		targetTable := o.tableRef(t)
		field := exported(fl.Name)
		switch {
		case r.Kind == model.ListRelation:
			fk := fieldOf(t, r.ForeignFieldName)
			doc(f, fmt.Sprintf("Attach%s adds %s to the %s of %s: it points their %s at it (Serverpod's %s.db.attach.%s and attachRow.%s).", field, rel, fl.Name, row, fkName(fk), name, fl.Name, fl.Name))
			f.Func().Params(recv.Clone()).Id("Attach"+field).Params(conn.Clone(), jen.Id(row).Id(name), jen.Id(rel).Op("...").Add(dst.Clone())).Error().Block(
				append(idsOf(rel),
					jen.Return(jen.Qual(dbPkg, "AttachList").Call(jen.Id("c"), table.Clone(), jen.Id(row).Dot("ID"), targetTable.Clone(), jen.Lit(fk.Column()), jen.Id("ids"))),
				)...,
			)
			f.Line()
			if fk.Type.Nullable {
				doc(f, fmt.Sprintf("Detach%s removes %s from the %s of the %s they belong to: it clears their %s (Serverpod's %s.db.detach.%s and detachRow.%s).", field, rel, fl.Name, o.m.Table, fkName(fk), name, fl.Name, fl.Name))
				f.Func().Params(recv.Clone()).Id("Detach"+field).Params(conn.Clone(), jen.Id(rel).Op("...").Add(dst.Clone())).Error().Block(
					append(idsOf(rel),
						jen.Return(jen.Qual(dbPkg, "DetachList").Call(jen.Id("c"), targetTable.Clone(), jen.Lit(fk.Column()), jen.Id("ids"))),
					)...,
				)
				f.Line()
			}
		case r.ForeignKeyOrigin:
			fk := fieldOf(o.m, r.FieldName)
			doc(f, fmt.Sprintf("AttachRow%s makes %s the %s of %s: it sets its %s (Serverpod's %s.db.attachRow.%s).", field, rel, fl.Name, row, fkName(fk), name, fl.Name))
			f.Func().Params(recv.Clone()).Id("AttachRow"+field).Params(conn.Clone(), jen.Id(row).Id(name), jen.Id(rel).Add(dst.Clone())).Error().Block(
				jen.Return(jen.Qual(dbPkg, "AttachObject").Call(jen.Id("c"), table.Clone(), jen.Lit(fk.Column()), jen.Id(row).Dot("ID"), targetTable.Clone(), jen.Id(rel).Dot("ID"))),
			)
			f.Line()
			if fk.Type.Nullable {
				doc(f, fmt.Sprintf("DetachRow%s clears the %s of %s: it sets its %s to null (Serverpod's %s.db.detachRow.%s).", field, fl.Name, row, fkName(fk), name, fl.Name))
				f.Func().Params(recv.Clone()).Id("DetachRow"+field).Params(conn.Clone(), jen.Id(row).Id(name)).Error().Block(
					jen.Return(jen.Qual(dbPkg, "DetachObject").Call(jen.Id("c"), table.Clone(), jen.Lit(fk.Column()), jen.Id(row).Dot("ID"))),
				)
				f.Line()
			}
		default:
			// The other side of a one-to-one relation holds the key.
			fk := fieldOf(t, r.ForeignFieldName)
			doc(f, fmt.Sprintf("AttachRow%s makes %s the %s of %s: it points the %s of %s at %s (Serverpod's %s.db.attachRow.%s).", field, rel, fl.Name, row, fkName(fk), rel, row, name, fl.Name))
			f.Func().Params(recv.Clone()).Id("AttachRow"+field).Params(conn.Clone(), jen.Id(row).Id(name), jen.Id(rel).Add(dst.Clone())).Error().Block(
				jen.Return(jen.Qual(dbPkg, "AttachList").Call(jen.Id("c"), table.Clone(), jen.Id(row).Dot("ID"), targetTable.Clone(), jen.Lit(fk.Column()), jen.Index().Op("*").Int64().Values(jen.Id(rel).Dot("ID")))),
			)
			f.Line()
			if fk.Type.Nullable {
				doc(f, fmt.Sprintf("DetachRow%s clears the %s of %s: it sets the %s of the %s row pointing at %s to null (Serverpod's %s.db.detachRow.%s).", field, fl.Name, row, fkName(fk), t.Table, row, name, fl.Name))
				f.Func().Params(recv.Clone()).Id("DetachRow"+field).Params(conn.Clone(), jen.Id(row).Id(name)).Error().Block(
					jen.Return(jen.Qual(dbPkg, "DetachReferencing").Call(jen.Id("c"), table.Clone(), targetTable.Clone(), jen.Lit(fk.Column()), jen.Id(row).Dot("ID"))),
				)
				f.Line()
			}
		}
	}
}

// fkName describes a foreign key column in comments.
func fkName(fk *model.Field) string {
	if fk.Hidden() {
		return "hidden foreign key " + fk.Column()
	}
	return fk.Column()
}

// doc writes text as a comment wrapped at 80 columns.
func doc(f *jen.File, text string) {
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > 77 {
			f.Comment(line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		f.Comment(line)
	}
}
