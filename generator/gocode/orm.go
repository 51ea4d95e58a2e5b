package gocode

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/model"
)

const dbPkg = "github.com/gopod/gopod/runtime/db"

// tableDecls writes the ORM of a table class into its server-side file:
// typed columns for where clauses and ordering, the repository, the
// includes and the relations that the relation helpers take.
//
// For a class Company it declares CompanyTable and CompanyT (Serverpod's
// Company.t), CompanyDB (Company.db), CompanyInclude and
// CompanyIncludeList (Company.include, Company.includeList), CompanyLinks
// (the relations of Company.db.attach, attachRow, detach and detachRow),
// plus the unexported table and relation descriptors the runtime reads.
// They are data: the columns, the struct fields that hold them and the
// fields that relations fill. Package db builds the queries and moves
// fields in and out of columns through a plan it makes from them once
// per table, and its typed API is generic functions (db.Find(c,
// protocol.CompanyDB)), compiled where they are called. It fills
// CompanyTable too, from the table's declaration. The only functions
// generated per table are one method of *CompanyTable per object
// relation, a call into db: every function costs the compiler time when
// a model changes, most of the rebuild of a large project.
//
// The generic types the declarations use (db.Repo[Company],
// db.ListLink[Company, Employee, db.Required]) have no methods: Go
// compiles the methods of a generic type wherever it is instantiated,
// which would be here, once per table class.
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
	o.links(f)
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
	return jen.Qual(o.pkgOf(m), m.ClassName+"DB").Dot("Table")
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
		defs = append(defs, jen.Values(d...))
	}
	doc(f, fmt.Sprintf("%s describes table %s to the ORM: its columns in order, the fields of %s that hold them and how, which have a database default, and the include that names its relations.", tableVarName(o.m), o.m.Table, o.name()))
	f.Var().Id(tableVarName(o.m)).Op("=").Qual(dbPkg, "NewTable").Call(
		jen.Lit(o.m.Table),
		jen.Index().Qual(dbPkg, "ColumnDef").Add(lines(defs)),
		jen.Parens(jen.Op("*").Id(o.name())).Parens(jen.Nil()),
		jen.Parens(jen.Op("*").Id(o.name()+"Include")).Parens(jen.Nil()),
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

// columnTypes are the typed columns of the model types that a column
// stores as themselves; other types are stored as JSON.
var columnTypes = map[string]string{
	model.TypeInt: "IntColumn", model.TypeDouble: "DoubleColumn", model.TypeBool: "BoolColumn", model.TypeString: "StringColumn",
	model.TypeDateTime: "DateTimeColumn", model.TypeDuration: "DurationColumn", model.TypeUUID: "UUIDColumn",
	model.TypeURI: "URIColumn", model.TypeBigInt: "BigIntColumn", model.TypeByteData: "ByteDataColumn",
}

// columnType returns the typed column of t.
func columnType(t *model.Type) *jen.Statement {
	if t.IsEnum() {
		// Package db finds the enum from the row's field, so that no
		// function is instantiated per enum.
		return jen.Qual(dbPkg, "EnumColumn")
	}
	if name, ok := columnTypes[t.Name]; ok {
		return jen.Qual(dbPkg, name)
	}
	return jen.Qual(dbPkg, "JSONColumn")
}

// tableType writes CompanyTable, CompanyT and the methods of the object
// relations. Package db fills CompanyTable from the table's declaration:
// its fields are named as the fields of Company that hold the columns
// and the list relations, and its unexported ref is the table as a query
// reaches it. The relation methods have pointer receivers, so that Go
// compiles no wrapper of them, and each is one call into db, which
// builds the joined table's columns once per join path.
func (o orm) tableType(f *jen.File) {
	name := o.name()
	tableType := name + "Table"
	var fields []jen.Code
	fields = append(fields, jen.Id("ref").Op("*").Qual(dbPkg, "TableRef"))
	for _, fl := range o.m.Columns() {
		if fl.Hidden() {
			// Hidden foreign keys are read and written with the row,
			// but user code never names them.
			continue
		}
		fields = append(fields, jen.Id(fieldName(fl)).Add(columnType(fl.Type)))
	}
	var objects []*model.Field
	for _, fl := range o.relations() {
		if fl.Relation.Kind != model.ListRelation {
			objects = append(objects, fl)
			continue
		}
		// A list relation in a query only holds the relation and the
		// table it starts from, so it can be a field; an object relation
		// leads to the target's columns, which lead on, so it is a method.
		fields = append(fields, fieldDoc(fmt.Sprintf("%s filters rows of %s by their %s, or orders them by how many they have.", fieldName(fl), o.m.Table, fl.Name))...)
		fields = append(fields, jen.Id(fieldName(fl)).Qual(dbPkg, "ListRelation"))
	}
	text := fmt.Sprintf("%s holds the columns of table %s for where clauses and ordering (Serverpod's %s)", tableType, o.m.Table, tableType)
	switch {
	case len(objects) > 0 && len(objects) < len(o.relations()):
		text += ", and its list relations; its methods lead to the tables of its object relations"
	case len(objects) > 0:
		text += "; its methods lead to the tables of its relations"
	case len(o.relations()) > 0:
		text += ", and its list relations"
	}
	doc(f, text+". Package db fills it from the table's declaration.")
	f.Type().Id(tableType).Struct(fields...)
	f.Line()
	doc(f, fmt.Sprintf("%sT is table %s in where clauses and ordering (Serverpod's %s.t).", name, o.m.Table, name))
	f.Var().Id(name + "T").Op("=").Id(tableVarName(o.m)).Dot("Columns").Call(
		jen.Parens(jen.Op("*").Id(tableType)).Parens(jen.Nil()),
	).Assert(jen.Op("*").Id(tableType))
	f.Line()
	for _, fl := range objects {
		t := target(fl)
		method := exported(fl.Name)
		targetType := jen.Op("*").Add(o.qual(t, t.ClassName+"Table"))
		doc(f, fmt.Sprintf("%s is the %s of a row of %s: the columns of table %s, joined.", method, fl.Name, o.m.Table, t.Table))
		f.Func().Params(jen.Id("t").Op("*").Id(tableType)).Id(method).Params().Add(targetType).Block(
			jen.Return(jen.Id("t").Dot("ref").Dot("JoinColumns").Call(jen.Id(o.relVarName(fl))).Assert(targetType)),
		)
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

// repo writes CompanyDB, the table's repository for package db's typed
// functions.
func (o orm) repo(f *jen.File) {
	name := o.name()
	doc(f, fmt.Sprintf("%sDB is the repository of table %s (Serverpod's %s.db): db.Find(session, %sDB, ...), db.FindByID, db.Insert and the rest of package db's typed functions read and write its rows.", name, o.m.Table, name, name))
	f.Var().Id(name+"DB").Op("=").Op("&").Qual(dbPkg, "Repo").Types(jen.Id(name)).Values(jen.Id("Table").Op(":").Id(tableVarName(o.m)))
	f.Line()
}

func (o orm) includes(f *jen.File) {
	name := o.name()
	inc := name + "Include"
	rels := o.relations()
	doc(f, fmt.Sprintf("%s names the relations of %s to load with it (Serverpod's %s.include); pass it as db.Include(%s{...}). Nil fields are not loaded. Package db finds each relation by the name of its field.", inc, withArticle(name), name, inc))
	f.Type().Id(inc).StructFunc(func(g *jen.Group) {
		for _, fl := range rels {
			t := target(fl)
			typ := t.ClassName + "Include"
			if fl.Relation.Kind == model.ListRelation {
				typ = t.ClassName + "IncludeList"
			}
			g.Id(fieldName(fl)).Op("*").Add(o.qual(t, typ))
		}
	})
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

// links writes CompanyLinks: a descriptor of each relation for package
// db's relation helpers, typed so that only the helpers the relation
// has compile (Detach and DetachRow need a nullable foreign key).
func (o orm) links(f *jen.File) {
	rels := o.relations()
	if len(rels) == 0 {
		return
	}
	name := o.name()
	var fields, values []jen.Code
	for _, fl := range rels {
		r, t := fl.Relation, target(fl)
		var (
			fk   *model.Field
			kind string
			text string
		)
		switch {
		case r.Kind == model.ListRelation:
			fk, kind = fieldOf(t, r.ForeignFieldName), "ListLink"
			text = fmt.Sprintf("%s is for db.Attach, which adds %s rows to the %s of %s: it points their %s at it (Serverpod's %s.db.attach.%s and attachRow.%s)", fieldName(fl), t.Table, fl.Name, withArticle(name), fkName(fk), name, fl.Name, fl.Name)
			if fk.Type.Nullable {
				text += fmt.Sprintf(", and db.Detach, which clears it (detach.%s and detachRow.%s)", fl.Name, fl.Name)
			}
		case r.ForeignKeyOrigin:
			fk, kind = fieldOf(o.m, r.FieldName), "ObjectLink"
			text = fmt.Sprintf("%s is for db.AttachRow, which makes a %s row the %s of %s: it sets its %s (Serverpod's %s.db.attachRow.%s)", fieldName(fl), t.Table, fl.Name, withArticle(name), fkName(fk), name, fl.Name)
			if fk.Type.Nullable {
				text += fmt.Sprintf(", and db.DetachRow, which sets it to null (detachRow.%s)", fl.Name)
			}
		default:
			// The other side of a one-to-one relation holds the key.
			fk, kind = fieldOf(t, r.ForeignFieldName), "ObjectLink"
			text = fmt.Sprintf("%s is for db.AttachRow, which makes a %s row the %s of %s: it points its %s at it (Serverpod's %s.db.attachRow.%s)", fieldName(fl), t.Table, fl.Name, withArticle(name), fkName(fk), name, fl.Name)
			if fk.Type.Nullable {
				text += fmt.Sprintf(", and db.DetachRow, which sets the %s of the %s row pointing at it to null (detachRow.%s)", fkName(fk), t.Table, fl.Name)
			}
		}
		presence := "Required"
		if fk.Type.Nullable {
			presence = "Optional"
		}
		typ := jen.Qual(dbPkg, kind).Types(jen.Id(name), o.qual(t, t.ClassName), jen.Qual(dbPkg, presence))
		fields = append(fields, fieldDoc(text+".")...)
		fields = append(fields, jen.Id(fieldName(fl)).Op("*").Add(typ.Clone()))
		values = append(values, jen.Id(fieldName(fl)).Op(":").Op("&").Add(typ).Values(jen.Id("Relation").Op(":").Id(o.relVarName(fl))))
	}
	helper := "AttachRow"
	if rels[0].Relation.Kind == model.ListRelation {
		helper = "Attach"
	}
	doc(f, fmt.Sprintf("%sLinks are the relations of table %s for package db's relation helpers (Serverpod's %s.db.attach, attachRow, detach and detachRow): db.%s(session, %sLinks.%s, ...).", name, o.m.Table, name, helper, name, fieldName(rels[0])))
	f.Var().Id(name + "Links").Op("=").Struct(fields...).Add(lines(values))
	f.Line()
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
	for _, line := range wrap(text, 77) {
		f.Comment(line)
	}
}

// fieldDoc is text as the comment of a struct field, wrapped at 80
// columns behind the field's indent.
func fieldDoc(text string) []jen.Code {
	var out []jen.Code
	for _, line := range wrap(text, 73) {
		out = append(out, jen.Comment(line))
	}
	return out
}

// wrap breaks text into lines of at most width characters where it can.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
