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
// unexported table and relation descriptors the runtime reads. They are
// data: the columns, the struct fields that hold them and the fields that
// relations fill. Package db builds the queries and moves fields in and
// out of columns through a plan it makes from them once per table, so
// the only functions generated per table are the typed repository
// methods: every function costs the compiler time when a model changes,
// most of the rebuild of a large project.
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

func (o orm) tableVar(f *jen.File) error {
	cols := o.m.Columns()
	if len(cols) == 0 || cols[0].Name != "id" {
		// The analyzer gives every table class its id first.
		return fmt.Errorf("%s: table class %s has no id column first", o.m.Pos, o.name())
	}
	var defs []jen.Code
	for _, fl := range cols {
		t := fl.Type
		d := []jen.Code{jen.Id("Name").Op(":").Lit(fl.Column()), jen.Id("Field").Op(":").Lit(fieldName(fl))}
		if fl.DefaultPersist != nil && fl.Name != "id" {
			d = append(d, jen.Id("HasDefault").Op(":").True())
		}
		if t.Nullable {
			d = append(d, jen.Id("Nullable").Op(":").True())
		}
		if t.IsEnum() && t.Model.Serialized == model.ByName {
			d = append(d, jen.Id("ByName").Op(":").True())
		}
		if _, models := modelList(t.NonNull()); kindOf(t) == kindJSON && t.Model == nil && !models {
			// Models, and Lists of models, are stored through the models'
			// own JSON methods; other json columns with the functions the
			// model's JSON uses.
			nn := t.NonNull()
			d = append(d, jen.Id("JSON").Op(":").Qual(dbPkg, "JSONCodec").Call(o.encFunc(nn), o.decFunc(nn)))
		}
		defs = append(defs, jen.Values(d...))
	}
	doc(f, fmt.Sprintf("%s describes table %s to the ORM: its columns in order, the fields of %s that hold them and how, and which have a database default.", tableVarName(o.m), o.m.Table, o.name()))
	f.Var().Id(tableVarName(o.m)).Op("=").Qual(dbPkg, "NewTable").Call(
		jen.Lit(o.m.Table),
		jen.Index().Qual(dbPkg, "ColumnDef").Add(lines(defs)),
		jen.Parens(jen.Op("*").Id(o.name())).Parens(jen.Nil()),
	)
	f.Line()
	return nil
}

func (o orm) relationVars(f *jen.File) {
	rels := o.relations()
	if len(rels) == 0 {
		return
	}
	doc(f, fmt.Sprintf("The relations of table %s: the table they lead to, the columns they match, and the field an include sets.", o.m.Table))
	f.Var().DefsFunc(func(g *jen.Group) {
		for _, fl := range rels {
			r := fl.Relation
			g.Id(o.relVarName(fl)).Op("=").Qual(dbPkg, "NewRelation").Call(jen.Id(tableVarName(o.m)), o.tableRef(target(fl)), jen.Lit(r.FieldName), jen.Lit(r.ForeignFieldName), jen.Lit(fieldName(fl)))
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

// repo writes CompanyRepo: typed methods over the methods of db.Table.
func (o orm) repo(f *jen.File) {
	name, table := o.name(), jen.Id(tableVarName(o.m))
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
		jen.Id("rows").Op(":=").Add(list.Clone()).Values(),
		run(table.Clone().Dot("Find").Call(jen.Id("c"), jen.Op("&").Id("rows"), jen.Id("opts").Op("...")), nilErr),
		jen.Return(jen.Id("rows"), jen.Nil()),
	)
	first := func(text, m string, params []jen.Code, args ...jen.Code) {
		method(text, m, params, []jen.Code{ptr.Clone(), jen.Error()},
			jen.Var().Id("rows").Add(list.Clone()),
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
	copies := jen.Id("out").Op(":=").Append(list.Clone().Values(), jen.Id("rows").Op("..."))
	method("Insert inserts rows and returns them as stored: with their new ids and the database defaults of null columns that have one. An id already set is ignored, as in Serverpod. It is atomic: when one row fails, none is inserted.",
		"Insert", []jen.Code{conn.Clone(), jen.Id("rows").Op("...").Id(name)}, []jen.Code{list.Clone(), jen.Error()},
		copies.Clone(),
		run(table.Clone().Dot("Insert").Call(jen.Id("c"), jen.Op("&").Id("out")), nilErr),
		jen.Return(jen.Id("out"), jen.Nil()),
	)
	method("InsertRow inserts one row and returns it as stored, with its new id.",
		"InsertRow", []jen.Code{conn.Clone(), jen.Id("row").Id(name)}, []jen.Code{one.Clone(), jen.Error()},
		jen.Id("rows").Op(":=").Add(list.Clone()).Values(jen.Id("row")),
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
		jen.Id("rows").Op(":=").Add(list.Clone()).Values(jen.Id("row")),
		run(table.Clone().Dot("Update").Call(jen.Id("c"), jen.Op("&").Id("rows"), jen.Id("columns").Op("...")), zeroErr),
		jen.Return(jen.Id("rows").Index(jen.Lit(0)), jen.Nil()),
	)
	method("Delete deletes rows (by their ids) and returns the rows deleted, as they were stored. Rows that no longer exist are skipped.",
		"Delete", []jen.Code{conn.Clone(), jen.Id("rows").Op("...").Id(name)}, []jen.Code{list.Clone(), jen.Error()},
		jen.Id("out").Op(":=").Add(list.Clone()).Values(),
		run(table.Clone().Dot("Delete").Call(jen.Id("c"), jen.Op("&").Id("rows"), jen.Op("&").Id("out")), nilErr),
		jen.Return(jen.Id("out"), jen.Nil()),
	)
	method("DeleteRow deletes row and returns it as it was stored; a row that does not exist is db.ErrNotFound.",
		"DeleteRow", []jen.Code{conn.Clone(), jen.Id("row").Id(name)}, []jen.Code{one.Clone(), jen.Error()},
		jen.Var().Id("out").Add(list.Clone()),
		run(table.Clone().Dot("DeleteRow").Call(jen.Id("c"), jen.Id("row").Dot("ID"), jen.Op("&").Id("out")), zeroErr),
		jen.Return(jen.Id("out").Index(jen.Lit(0)), jen.Nil()),
	)
	method("DeleteWhere deletes the rows matching where and returns them. The condition is required; db.Constant(true) deletes every row.",
		"DeleteWhere", []jen.Code{conn.Clone(), jen.Id("where").Qual(dbPkg, "Expr")}, []jen.Code{list.Clone(), jen.Error()},
		jen.Id("out").Op(":=").Add(list.Clone()).Values(),
		run(table.Clone().Dot("DeleteWhere").Call(jen.Id("c"), jen.Id("where"), jen.Op("&").Id("out")), nilErr),
		jen.Return(jen.Id("out"), jen.Nil()),
	)
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
