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
// unexported table and relation descriptors the runtime reads. The
// queries themselves are built by package db; the generated code only
// moves fields in and out of columns, so nothing is reflected on at run
// time.
func (s side) tableDecls(f *jen.File, m *model.Model) error {
	o := orm{side: s, m: m}
	if err := o.check(); err != nil {
		return err
	}
	f.ImportName(dbPkg, "db")
	o.tableVar(f)
	o.relationVars(f)
	o.tableType(f)
	if err := o.repo(f); err != nil {
		return err
	}
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

func (o orm) tableVar(f *jen.File) {
	var cols []jen.Code
	for _, fl := range o.m.Columns() {
		d := []jen.Code{jen.Id("Name").Op(":").Lit(fl.Column())}
		if fl.DefaultPersist != nil && fl.Name != "id" {
			d = append(d, jen.Id("HasDefault").Op(":").True())
		}
		cols = append(cols, jen.Values(d...))
	}
	doc(f, fmt.Sprintf("%s describes table %s to the ORM: its columns in order, and which have a database default.", tableVarName(o.m), o.m.Table))
	f.Var().Id(tableVarName(o.m)).Op("=").Qual(dbPkg, "NewTable").Call(
		jen.Lit(o.m.Table),
		jen.Index().Qual(dbPkg, "ColumnDef").Add(lines(cols)),
	)
	f.Line()
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
			g.Id(o.relVarName(fl)).Op("=").Qual(dbPkg, "NewRelation").Call(o.tableRef(target(fl)), jen.Lit(r.FieldName), jen.Lit(r.ForeignFieldName))
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
		e := o.modelRef(t)
		return jen.Qual(dbPkg, "EnumColumn").Types(e), jen.Qual(dbPkg, "NewEnumColumn").Types(e.Clone())
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

func (o orm) repo(f *jen.File) error {
	name := o.name()
	cols := o.m.Columns()
	if len(cols) == 0 || cols[0].Name != "id" {
		// The analyzer gives every table class its id first.
		return fmt.Errorf("%s: table class %s has no id column first", o.m.Pos, name)
	}
	var scans, values, pre []jen.Code
	for _, fl := range cols {
		scans = append(scans, o.scanDest(fl))
		if fl.Name == "id" {
			continue
		}
		v, stmts := o.value(fl, len(values))
		values = append(values, v)
		pre = append(pre, stmts...)
	}
	self := jen.Id("m").Op("*").Id(name)
	valuesBody := append(pre, jen.Return(jen.Index().Any().Add(lines(values)), jen.Nil()))
	meta := []jen.Code{
		jen.Id("Table").Op(":").Id(tableVarName(o.m)),
		jen.Id("ID").Op(":").Func().Params(self.Clone()).Op("*").Int64().Block(jen.Return(jen.Id("m").Dot("ID"))),
		jen.Id("Scan").Op(":").Func().Params(self.Clone()).Index().Any().Block(jen.Return(jen.Index().Any().Add(lines(scans)))),
		jen.Id("Values").Op(":").Func().Params(self.Clone()).Params(jen.Index().Any(), jen.Error()).Block(valuesBody...),
	}
	text := fmt.Sprintf("%sRepo reads and writes the rows of table %s (Serverpod's %s.db) with the methods of db.Repo", name, o.m.Table, name)
	if len(o.relations()) > 0 {
		text += ", and links rows with the relation helpers below"
	}
	doc(f, text+".")
	f.Type().Id(name + "Repo").Struct(jen.Op("*").Qual(dbPkg, "Repo").Types(jen.Id(name)))
	f.Line()
	doc(f, fmt.Sprintf("%sDB is the repository of table %s.", name, o.m.Table))
	f.Var().Id(name + "DB").Op("=").Id(name + "Repo").Values(
		jen.Qual(dbPkg, "NewRepo").Call(jen.Qual(dbPkg, "Meta").Types(jen.Id(name)).Add(lines(meta))),
	)
	f.Line()
	return nil
}

// nullScanners read the nullable plain types without pgx's reflection on
// pointers to pointers.
var nullScanners = map[string]string{
	model.TypeInt: "ScanNullInt", model.TypeDouble: "ScanNullDouble", model.TypeBool: "ScanNullBool", model.TypeString: "ScanNullString",
}

// scanDest is where the column of fl is read into m.
func (o orm) scanDest(fl *model.Field) *jen.Statement {
	t := fl.Type
	addr := jen.Op("&").Id("m").Dot(fieldName(fl))
	scan := func(plain, null string, args ...jen.Code) *jen.Statement {
		fn := plain
		if t.Nullable && null != "" {
			fn = null
		}
		return jen.Qual(dbPkg, fn).Call(append([]jen.Code{addr}, args...)...)
	}
	switch kindOf(t) {
	case kindPlain:
		if t.Nullable {
			return jen.Qual(dbPkg, nullScanners[t.Name]).Call(addr)
		}
	case kindDateTime:
		if t.Nullable {
			return jen.Qual(dbPkg, "ScanNullTime").Call(addr)
		}
	case kindDuration:
		return scan("ScanDuration", "ScanNullDuration")
	case kindUUID:
		return scan("ScanUUID", "ScanNullUUID")
	case kindURI:
		return scan("ScanURI", "")
	case kindBigInt:
		return scan("ScanBigInt", "")
	case kindEnum:
		return scan("ScanEnum", "ScanNullEnum", byName(t))
	case kindJSON:
		return scan("ScanJSON", "", o.decFunc(t))
	}
	return addr
}

// value is the value written for the column of fl; json columns need
// statements before, which encode into v<i>.
func (o orm) value(fl *model.Field, i int) (jen.Code, []jen.Code) {
	t := fl.Type
	v := jen.Id("m").Dot(fieldName(fl))
	conv := func(plain, null string, args ...jen.Code) *jen.Statement {
		fn := plain
		if t.Nullable {
			fn = null
		}
		return jen.Qual(dbPkg, fn).Call(append([]jen.Code{v}, args...)...)
	}
	switch kindOf(t) {
	case kindPlain:
		if t.Nullable {
			return jen.Qual(dbPkg, "Nullable").Call(v), nil
		}
		return v, nil
	case kindDateTime:
		return conv("TimeValue", "NullTimeValue"), nil
	case kindDuration:
		return conv("DurationValue", "NullDurationValue"), nil
	case kindUUID:
		return conv("UUIDValue", "NullUUIDValue"), nil
	case kindURI:
		return jen.Qual(dbPkg, "URIValue").Call(v), nil
	case kindBigInt:
		return jen.Qual(dbPkg, "BigIntValue").Call(v), nil
	case kindByteData:
		return conv("RequiredBytesValue", "BytesValue"), nil
	case kindEnum:
		return conv("EnumValue", "NullEnumValue", byName(t)), nil
	}
	isNull := jen.False()
	if t.Nullable {
		isNull = v.Clone().Op("==").Nil()
	}
	name := fmt.Sprintf("v%d", i)
	return jen.Id(name), []jen.Code{
		jen.List(jen.Id(name), jen.Err()).Op(":=").Qual(dbPkg, "JSONValue").Call(v.Clone(), isNull, o.encFunc(t)),
		jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit(fl.Name+": %w"), jen.Err())),
		),
	}
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
	loadsType := jen.Index().Qual(dbPkg, "Load").Types(jen.Id(name))
	doc(f, "Loads implements db.Includer.")
	if len(rels) == 0 {
		f.Func().Params(jen.Id(inc)).Id("Loads").Params().Add(loadsType).Block(jen.Return(jen.Nil()))
	} else {
		body := []jen.Code{jen.Var().Id("loads").Add(loadsType.Clone())}
		for _, fl := range rels {
			body = append(body, o.load(fl))
		}
		body = append(body, jen.Return(jen.Id("loads")))
		f.Func().Params(jen.Id("i").Id(inc)).Id("Loads").Params().Add(loadsType).Block(body...)
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
	r, t := fl.Relation, target(fl)
	src, dst := jen.Id(o.name()), o.qual(t, t.ClassName)
	local, foreign := fieldOf(o.m, r.FieldName), fieldOf(t, r.ForeignFieldName)
	field := exported(fl.Name)
	common := []jen.Code{
		jen.Id("Target").Op(":").Add(o.qual(t, t.ClassName+"DB")).Dot("Repo"),
		jen.Id("Relation").Op(":").Id(o.relVarName(fl)),
		jen.Id("Key").Op(":").Func().Params(jen.Id("m").Op("*").Add(src.Clone())).Params(jen.Int64(), jen.Bool()).Block(jen.Return(key(local)...)),
		jen.Id("TargetKey").Op(":").Func().Params(jen.Id("m").Op("*").Add(dst.Clone())).Params(jen.Int64(), jen.Bool()).Block(jen.Return(key(foreign)...)),
	}
	if r.Kind == model.ObjectRelation {
		elems := append(common,
			jen.Id("Set").Op(":").Func().Params(jen.Id("m").Op("*").Add(src.Clone()), jen.Id("v").Op("*").Add(dst.Clone())).Block(jen.Id("m").Dot(fieldName(fl)).Op("=").Id("v")),
			jen.Id("Include").Op(":").Id("i").Dot(field).Dot("Loads").Call(),
		)
		return jen.If(jen.Id("i").Dot(field).Op("!=").Nil()).Block(
			jen.Id("loads").Op("=").Append(jen.Id("loads"), jen.Qual(dbPkg, "ObjectLoad").Types(src.Clone(), dst.Clone()).Add(lines(elems))),
		)
	}
	l := jen.Id("l")
	elems := append(common,
		jen.Id("Set").Op(":").Func().Params(jen.Id("m").Op("*").Add(src.Clone()), jen.Id("rows").Index().Add(dst.Clone())).Block(jen.Id("m").Dot(fieldName(fl)).Op("=").Id("rows")),
		jen.Id("Where").Op(":").Add(l.Clone()).Dot("Where"),
		jen.Id("OrderBy").Op(":").Add(l.Clone()).Dot("OrderBy"),
		jen.Id("Limit").Op(":").Add(l.Clone()).Dot("Limit"),
		jen.Id("Offset").Op(":").Add(l.Clone()).Dot("Offset"),
		jen.Id("Include").Op(":").Id("nested"),
	)
	return jen.If(jen.Id("l").Op(":=").Id("i").Dot(field), jen.Id("l").Op("!=").Nil()).Block(
		jen.Var().Id("nested").Index().Qual(dbPkg, "Load").Types(dst.Clone()),
		jen.If(jen.Id("l").Dot("Include").Op("!=").Nil()).Block(
			jen.Id("nested").Op("=").Id("l").Dot("Include").Dot("Loads").Call(),
		),
		jen.Id("loads").Op("=").Append(jen.Id("loads"), jen.Qual(dbPkg, "ListLoad").Types(src.Clone(), dst.Clone()).Add(lines(elems))),
	)
}

// paramNames are taken in the relation helpers' signatures.
var paramNames = map[string]bool{"c": true, "r": true, "db": true, "fmt": true, "wire": true, "err": true}

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
	recv := jen.Id("r").Id(name + "Repo")
	conn := jen.Id("c").Qual(dbPkg, "Conn")
	for _, fl := range o.relations() {
		r, t := fl.Relation, target(fl)
		row := paramName(name, "row")
		rel := paramName(fl.Name, "related", row)
		dst := o.qual(t, t.ClassName)
		targetRepo := o.qual(t, t.ClassName+"DB").Dot("Repo")
		field := exported(fl.Name)
		switch {
		case r.Kind == model.ListRelation:
			fk := fieldOf(t, r.ForeignFieldName)
			doc(f, fmt.Sprintf("Attach%s adds %s to the %s of %s: it points their %s at it (Serverpod's %s.db.attach.%s and attachRow.%s).", field, rel, fl.Name, row, fkName(fk), name, fl.Name, fl.Name))
			f.Func().Params(recv.Clone()).Id("Attach"+field).Params(conn.Clone(), jen.Id(row).Id(name), jen.Id(rel).Op("...").Add(dst.Clone())).Error().Block(
				jen.Return(jen.Qual(dbPkg, "AttachList").Call(jen.Id("c"), jen.Id("r").Dot("Repo"), targetRepo.Clone(), jen.Lit(fk.Column()), jen.Id(row), jen.Id(rel).Op("..."))),
			)
			f.Line()
			if fk.Type.Nullable {
				doc(f, fmt.Sprintf("Detach%s removes %s from the %s of the %s they belong to: it clears their %s (Serverpod's %s.db.detach.%s and detachRow.%s).", field, rel, fl.Name, o.m.Table, fkName(fk), name, fl.Name, fl.Name))
				f.Func().Params(recv.Clone()).Id("Detach"+field).Params(conn.Clone(), jen.Id(rel).Op("...").Add(dst.Clone())).Error().Block(
					jen.Return(jen.Qual(dbPkg, "DetachList").Call(jen.Id("c"), targetRepo.Clone(), jen.Lit(fk.Column()), jen.Id(rel).Op("..."))),
				)
				f.Line()
			}
		case r.ForeignKeyOrigin:
			fk := fieldOf(o.m, r.FieldName)
			doc(f, fmt.Sprintf("AttachRow%s makes %s the %s of %s: it sets its %s (Serverpod's %s.db.attachRow.%s).", field, rel, fl.Name, row, fkName(fk), name, fl.Name))
			f.Func().Params(recv.Clone()).Id("AttachRow"+field).Params(conn.Clone(), jen.Id(row).Id(name), jen.Id(rel).Add(dst.Clone())).Error().Block(
				jen.Return(jen.Qual(dbPkg, "AttachObject").Call(jen.Id("c"), jen.Id("r").Dot("Repo"), jen.Lit(fk.Column()), jen.Id(row), targetRepo.Clone(), jen.Id(rel))),
			)
			f.Line()
			if fk.Type.Nullable {
				doc(f, fmt.Sprintf("DetachRow%s clears the %s of %s: it sets its %s to null (Serverpod's %s.db.detachRow.%s).", field, fl.Name, row, fkName(fk), name, fl.Name))
				f.Func().Params(recv.Clone()).Id("DetachRow"+field).Params(conn.Clone(), jen.Id(row).Id(name)).Error().Block(
					jen.Return(jen.Qual(dbPkg, "DetachObject").Call(jen.Id("c"), jen.Id("r").Dot("Repo"), jen.Lit(fk.Column()), jen.Id(row))),
				)
				f.Line()
			}
		default:
			// The other side of a one-to-one relation holds the key.
			fk := fieldOf(t, r.ForeignFieldName)
			doc(f, fmt.Sprintf("AttachRow%s makes %s the %s of %s: it points the %s of %s at %s (Serverpod's %s.db.attachRow.%s).", field, rel, fl.Name, row, fkName(fk), rel, row, name, fl.Name))
			f.Func().Params(recv.Clone()).Id("AttachRow"+field).Params(conn.Clone(), jen.Id(row).Id(name), jen.Id(rel).Add(dst.Clone())).Error().Block(
				jen.Return(jen.Qual(dbPkg, "AttachList").Call(jen.Id("c"), jen.Id("r").Dot("Repo"), targetRepo.Clone(), jen.Lit(fk.Column()), jen.Id(row), jen.Id(rel))),
			)
			f.Line()
			if fk.Type.Nullable {
				doc(f, fmt.Sprintf("DetachRow%s clears the %s of %s: it sets the %s of the %s row pointing at %s to null (Serverpod's %s.db.detachRow.%s).", field, fl.Name, row, fkName(fk), t.Table, row, name, fl.Name))
				f.Func().Params(recv.Clone()).Id("DetachRow"+field).Params(conn.Clone(), jen.Id(row).Id(name)).Error().Block(
					jen.Return(jen.Qual(dbPkg, "DetachReferencing").Call(jen.Id("c"), jen.Id("r").Dot("Repo"), targetRepo.Clone(), jen.Lit(fk.Column()), jen.Id(row))),
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
