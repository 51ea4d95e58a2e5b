package gocode

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/model"
)

// side is what a generated package holds: the server's protocol package
// carries every field; the client's only those sent on the wire.
type side struct {
	server bool
	typer
	// ownModule is the module's name when the package being written is a
	// module's own (serverpod_auth): a server hosting the module tags its
	// classes with that prefix, as 2.4's project protocols do, so the
	// module's types carry it in their class names too.
	ownModule string
}

// wireClassName is m's class name in type-tagged JSON.
func (s side) wireClassName(m *model.Model) string {
	if m.Module == "" && s.ownModule != "" {
		return s.ownModule + "." + m.ClassName
	}
	return m.WireClassName()
}

// fields returns the fields of m present on this side, in order.
func (s side) fields(m *model.Model) []*model.Field {
	var out []*model.Field
	for _, f := range m.AllFields() {
		if s.server || f.OnClient() {
			out = append(out, f)
		}
	}
	return out
}

// ownFields returns the fields m declares itself (not those it inherits)
// that are present on this side.
func (s side) ownFields(m *model.Model) []*model.Field {
	var out []*model.Field
	for _, f := range m.Fields {
		if s.server || f.OnClient() {
			out = append(out, f)
		}
	}
	return out
}

// Inheritance in Go (see the package doc): a child embeds its parent's
// struct, or XFields for a sealed parent, and writes and reads every
// field, in Serverpod's order, with its own methods.

// embedName is the struct a class's children embed: the class itself, or
// XFields for a sealed class.
func embedName(m *model.Model) string {
	if m.Sealed {
		return m.ClassName + "Fields"
	}
	return m.ClassName
}

// sealMethod is the unexported method that seals the interface of a sealed
// class.
func sealMethod(m *model.Model) string { return unexported(m.ClassName) + "Fields" }

// checkHierarchyNames refuses fields whose Go names would collide with the
// embedded structs or the seal methods of the class's ancestors.
func checkHierarchyNames(m *model.Model, fields []*model.Field) error {
	for p := m.Parent; p != nil; p = p.Parent {
		for _, fl := range fields {
			name := fieldName(fl)
			if name == embedName(p) || (p.Sealed && name == sealMethod(p)) {
				return fmt.Errorf("%s: field %q of %s becomes %s in Go, which is the name of the struct it inherits from %s; rename the field", fl.Pos, fl.Name, m.ClassName, name, p.ClassName)
			}
		}
	}
	return nil
}

// sealedDecls writes the interface of a sealed class and the struct of
// its fields.
func (s side) sealedDecls(f *jen.File, m *model.Model, own []*model.Field) {
	name, fields, seal := m.ClassName, embedName(m), sealMethod(m)
	var members []string
	for _, d := range m.Descendants() {
		if !d.Sealed && (s.server || !d.ServerOnly) {
			members = append(members, "*"+d.ClassName)
		}
	}
	f.Add(docLines(m.Doc, fmt.Sprintf("%s is the sealed class defined in %s.", name, m.SourcePath)))
	if len(members) > 0 {
		f.Comment(fmt.Sprintf("A %s is one of %s.", name, strings.Join(members, ", ")))
	}
	f.Type().Id(name).Interface(
		jen.Qual(wirePkg, "Model"),
		jen.Comment(seal+" seals the family: only the classes that embed "+fields+" have it."),
		jen.Id(seal).Params().Op("*").Id(fields),
	)
	f.Line()
	f.Comment(fmt.Sprintf("%s are the fields of %s, which its subclasses embed.", fields, name))
	f.Type().Id(fields).StructFunc(func(g *jen.Group) { s.structFields(g, m, own) })
	f.Line()
	f.Func().Params(jen.Id("f").Op("*").Id(fields)).Id(seal).Params().Op("*").Id(fields).Block(jen.Return(jen.Id("f")))
	f.Line()
}

// structFields declares the embedded parent, if any, and the class's own
// fields.
func (s side) structFields(g *jen.Group, m *model.Model, own []*model.Field) {
	if m.Parent != nil {
		g.Id(embedName(m.Parent))
	}
	for _, fl := range own {
		if len(fl.Doc) > 0 {
			g.Add(docLines(fl.Doc, ""))
		}
		g.Id(fieldName(fl)).Add(s.goType(fl.Type))
	}
}

// fieldName is the Go struct field of f: exported, unless the field is
// hidden from user code (scope none).
func fieldName(f *model.Field) string {
	if f.Hidden() {
		return unexported(f.Name)
	}
	name := exported(f.Name)
	if reservedMethods[name] {
		// className → ClassNameField: a field cannot share a method's name.
		return name + "Field"
	}
	return name
}

// reservedMethods are the method names generated models have.
var reservedMethods = map[string]bool{
	"ClassName": true, "EncodeJSON": true, "DecodeJSON": true, "MarshalJSON": true,
	"UnmarshalJSON": true, "Error": true,
}

func docLines(doc []string, fallback string) jen.Code {
	if len(doc) == 0 {
		return jen.Comment(fallback)
	}
	g := jen.Null()
	for i, line := range doc {
		if i > 0 {
			g.Line()
		}
		g.Comment(line)
	}
	return g
}

// modelDecls writes the declarations of one model into f.
func (s side) modelDecls(f *jen.File, m *model.Model) error {
	switch m.Kind {
	case model.Enum:
		s.enumDecls(f, m)
		return nil
	}
	fields := s.fields(m)
	seen := map[string]*model.Field{}
	for _, fl := range fields {
		if err := unresolved(fl.Type); err != nil {
			return fmt.Errorf("%s: field %q of %s: %w", fl.Pos, fl.Name, m.ClassName, err)
		}
		name := fieldName(fl)
		if other, dup := seen[name]; dup {
			return fmt.Errorf("%s: fields %q and %q of %s both become %s in Go; rename one", fl.Pos, other.Name, fl.Name, m.ClassName, name)
		}
		seen[name] = fl
	}
	if err := checkHierarchyNames(m, fields); err != nil {
		return err
	}
	if m.Sealed {
		s.sealedDecls(f, m, s.ownFields(m))
		return nil
	}

	name := m.ClassName
	f.Add(docLines(m.Doc, fmt.Sprintf("%s is the %s defined in %s.", name, m.Kind, m.SourcePath)))
	switch p := m.Parent; {
	case p != nil && p.Sealed:
		f.Comment(fmt.Sprintf("It extends the sealed class %s, whose fields it embeds as %s.", p.ClassName, embedName(p)))
	case p != nil:
		f.Comment(fmt.Sprintf("It extends %s, which it embeds.", p.ClassName))
	}
	f.Type().Id(name).StructFunc(func(g *jen.Group) { s.structFields(g, m, s.ownFields(m)) })
	f.Line()
	for p := m.Parent; p != nil; p = p.Parent {
		if p.Sealed {
			f.Var().Id("_").Id(p.ClassName).Op("=").Parens(jen.Op("*").Id(name)).Parens(jen.Nil())
			f.Line()
		}
	}

	if s.hasDefaults(m) {
		if err := s.constructor(f, m); err != nil {
			return err
		}
	}

	f.Comment("ClassName is the model's class name in type-tagged JSON.")
	f.Func().Params(jen.Op("*").Id(name)).Id("ClassName").Params().String().Block(jen.Return(jen.Lit(s.wireClassName(m))))
	f.Line()

	s.encodeMethod(f, m, fields)
	s.decodeMethod(f, m, fields)

	f.Comment(fmt.Sprintf("MarshalJSON encodes the %s with all its fields.", name))
	f.Func().Params(jen.Id("m").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Id("e").Op(":=").Qual(wirePkg, "NewEncoder").Call(jen.False()),
		jen.Id("m").Dot("EncodeJSON").Call(jen.Id("e")),
		jen.Return(jen.Id("e").Dot("Bytes").Call()),
	)
	f.Line()
	f.Comment("UnmarshalJSON implements json.Unmarshaler.")
	f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("b").Index().Byte()).Error().Block(
		jen.List(jen.Id("v"), jen.Err()).Op(":=").Qual(wirePkg, "Parse").Call(jen.Id("b")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Return(jen.Id("m").Dot("DecodeJSON").Call(jen.Id("v"))),
	)
	f.Line()

	f.Comment(fmt.Sprintf("%s decodes %s for the class registry.", anyDecoder(m), withArticle(name)))
	result := jen.Id("m")
	if m.Kind == model.Exception {
		result = jen.Op("&").Id("m") // exceptions are errors through their pointer
	}
	f.Func().Id(anyDecoder(m)).Params(jen.Id("v").Any()).Params(jen.Any(), jen.Error()).Block(
		jen.Var().Id("m").Id(name),
		jen.Err().Op(":=").Id("m").Dot("DecodeJSON").Call(jen.Id("v")),
		jen.Return(result, jen.Err()),
	)
	f.Line()

	if s.server && m.HasTable() {
		if err := s.tableDecls(f, m); err != nil {
			return err
		}
	}
	if m.Kind == model.Exception {
		f.Comment("Error describes the exception with its fields, so it reads well in logs.")
		f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("Error").Params().String().Block(
			jen.List(jen.Id("b"), jen.Err()).Op(":=").Id("m").Dot("MarshalJSON").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(name))),
			jen.Return(jen.Lit(name+": ").Op("+").String().Parens(jen.Id("b"))),
		)
		f.Line()
	}
	return nil
}

func (s side) hasDefaults(m *model.Model) bool {
	for _, f := range s.fields(m) {
		if f.DefaultModel != nil {
			return true
		}
	}
	return false
}

// constructor writes NewX, which applies the model defaults as Serverpod's
// constructor does for arguments left out.
func (s side) constructor(f *jen.File, m *model.Model) error {
	name := m.ClassName
	lit, err := s.defaultsLiteral(m, name)
	if err != nil {
		return err
	}
	f.Comment(fmt.Sprintf("New%s returns %s with the defaults its model file declares.", name, withArticle(name)))
	f.Func().Id("New" + name).Params().Id(name).Block(jen.Return(lit))
	f.Line()
	return nil
}

// defaultsLiteral is the composite literal of typeName (m's struct, or
// the struct of its fields for a sealed class) with the defaults of m's
// own fields and, nested, those of its ancestors: Go does not allow
// promoted fields in a composite literal.
func (s side) defaultsLiteral(m *model.Model, typeName string) (*jen.Statement, error) {
	var assigns []jen.Code
	if p := m.Parent; p != nil && s.hasDefaults(p) {
		inner, err := s.defaultsLiteral(p, embedName(p))
		if err != nil {
			return nil, err
		}
		assigns = append(assigns, jen.Id(embedName(p)).Op(":").Add(inner))
	}
	for _, fl := range s.ownFields(m) {
		if fl.DefaultModel == nil {
			continue
		}
		v, err := s.fieldDefault(fl.Type, fl.DefaultModel.Raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fl.DefaultModel.Pos, err)
		}
		assigns = append(assigns, jen.Id(fieldName(fl)).Op(":").Add(v))
	}
	return jen.Id(typeName).Values(assigns...), nil
}

func (s side) encodeMethod(f *jen.File, m *model.Model, fields []*model.Field) {
	body := []jen.Code{jen.Id("e").Dot("ObjectStart").Call()}
	guarded := false
	// The full form keeps server-only fields in field order, so each run of
	// them is guarded where it stands.
	var run []jen.Code
	flush := func() {
		if len(run) > 0 {
			body = append(body, jen.If(jen.Op("!").Id("e").Dot("Protocol")).Block(run...))
			run = nil
		}
	}
	for _, fl := range fields {
		stmts := s.encodeField(fl)
		if s.server && !fl.OnWire() {
			run = append(run, stmts...)
			guarded = true
			continue
		}
		flush()
		body = append(body, stmts...)
	}
	flush()
	body = append(body, jen.Id("e").Dot("ObjectEnd").Call())
	f.Comment("EncodeJSON writes the model as Serverpod does; null fields are left out.")
	if guarded {
		f.Comment("In protocol mode it also leaves out the fields that never leave the server.")
	}
	f.Func().Params(jen.Id("m").Op("*").Id(m.ClassName)).Id("EncodeJSON").Params(jen.Id("e").Op("*").Qual(wirePkg, "Encoder")).Block(body...)
	f.Line()
}

func (s side) encodeField(fl *model.Field) []jen.Code {
	v := jen.Id("m").Dot(fieldName(fl))
	write := append([]jen.Code{jen.Id("e").Dot("Key").Call(jen.Lit(fl.Name))}, s.encodeStmts(fl.Type, v)...)
	if fl.Type.Nullable {
		return []jen.Code{jen.If(v.Clone().Op("!=").Nil()).Block(write...)}
	}
	return write
}

func (s side) decodeMethod(f *jen.File, m *model.Model, fields []*model.Field) {
	if len(fields) == 0 {
		// Nothing to read, but the value must still be an object.
		f.Comment("DecodeJSON checks that the value is a JSON object; the model has no fields to read.")
		f.Func().Params(jen.Id("m").Op("*").Id(m.ClassName)).Id("DecodeJSON").Params(jen.Id("v").Any()).Error().Block(
			jen.List(jen.Id("_"), jen.Err()).Op(":=").Qual(wirePkg, "Object").Call(jen.Id("v")),
			jen.Return(jen.Err()),
		)
		f.Line()
		return
	}
	body := []jen.Code{
		jen.List(jen.Id("o"), jen.Err()).Op(":=").Qual(wirePkg, "Object").Call(jen.Id("v")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	}
	itemsDeclared := false
	for _, fl := range fields {
		t := fl.Type
		target := jen.Id("m").Dot(fieldName(fl))
		if t.Model != nil && t.Model.Kind != model.Enum {
			// Models decode through their own method: a generic call per
			// model type would make large projects slow to compile.
			body = append(body, s.decodeModelField(fl, target)...)
			continue
		}
		if elem, ok := modelList(t.NonNull()); ok {
			if !itemsDeclared {
				body = append(body, jen.Var().Id("items").Index().Any())
				itemsDeclared = true
			}
			body = append(body, s.decodeModelListField(fl, elem, target)...)
			continue
		}
		var call *jen.Statement
		switch {
		case !t.Nullable:
			call = jen.Qual(wirePkg, "Field").Call(jen.Id("o"), jen.Lit(fl.Name), s.decFunc(t))
		case pointer(t):
			call = jen.Qual(wirePkg, "FieldPtr").Call(jen.Id("o"), jen.Lit(fl.Name), s.decFunc(t.NonNull()))
		default:
			call = jen.Qual(wirePkg, "FieldOrZero").Call(jen.Id("o"), jen.Lit(fl.Name), s.decFunc(t.NonNull()))
		}
		body = append(body, jen.If(jen.List(target, jen.Err()).Op("=").Add(call), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())))
		if fl.DefaultModel != nil && t.Nullable {
			if v, err := s.fieldDefault(t, fl.DefaultModel.Raw); err == nil {
				body = append(body, jen.If(target.Clone().Op("==").Nil()).Block(target.Clone().Op("=").Add(v)))
			}
		}
	}
	body = append(body, jen.Return(jen.Nil()))
	f.Comment("DecodeJSON reads the model from a parsed JSON value.")
	f.Func().Params(jen.Id("m").Op("*").Id(m.ClassName)).Id("DecodeJSON").Params(jen.Id("v").Any()).Error().Block(body...)
	f.Line()
}

func (s side) enumDecls(f *jen.File, m *model.Model) {
	name := m.ClassName
	f.Add(docLines(m.Doc, fmt.Sprintf("%s is the enum defined in %s.", name, m.SourcePath)))
	f.Type().Id(name).Int()
	f.Line()
	f.Const().DefsFunc(func(g *jen.Group) {
		for i, v := range m.Values {
			if len(v.Doc) > 0 {
				g.Add(docLines(v.Doc, ""))
			}
			if i == 0 {
				g.Id(enumConst(m, v.Name)).Id(name).Op("=").Iota()
			} else {
				g.Id(enumConst(m, v.Name))
			}
		}
	})
	f.Line()
	names := unexported(name) + "Names"
	f.Var().Id(names).Op("=").Index(jen.Op("...")).String().ValuesFunc(func(g *jen.Group) {
		for _, v := range m.Values {
			g.Lit(v.Name)
		}
	})
	f.Line()
	f.Comment("String returns the value's name in the model file.")
	f.Func().Params(jen.Id("v").Id(name)).Id("String").Params().String().Block(
		jen.If(jen.Id("v").Op(">=").Lit(0).Op("&&").Int().Parens(jen.Id("v")).Op("<").Len(jen.Id(names))).Block(jen.Return(jen.Id(names).Index(jen.Id("v")))),
		jen.Return(jen.Qual("fmt", "Sprintf").Call(jen.Lit(name+"(%d)"), jen.Int().Parens(jen.Id("v")))),
	)
	f.Line()
	f.Comment(fmt.Sprintf("Parse%s returns the value with the given name.", name))
	f.Func().Id("Parse"+name).Params(jen.Id("s").String()).Params(jen.Id(name), jen.Error()).Block(
		jen.For(jen.List(jen.Id("i"), jen.Id("n")).Op(":=").Range().Id(names)).Block(
			jen.If(jen.Id("n").Op("==").Id("s")).Block(jen.Return(jen.Id(name).Parens(jen.Id("i")), jen.Nil())),
		),
		jen.Return(jen.Lit(0), jen.Qual("fmt", "Errorf").Call(jen.Lit(`Value "%s" cannot be converted to "`+name+`"`), jen.Id("s"))),
	)
	f.Line()
	f.Comment("ClassName is the enum's class name in type-tagged JSON.")
	f.Func().Params(jen.Id(name)).Id("ClassName").Params().String().Block(jen.Return(jen.Lit(s.wireClassName(m))))
	f.Line()
	if m.Serialized == model.ByName {
		f.Comment("EncodeJSON writes the value's name (the enum is serialized byName).")
		f.Func().Params(jen.Id("v").Id(name)).Id("EncodeJSON").Params(jen.Id("e").Op("*").Qual(wirePkg, "Encoder")).Block(jen.Id("e").Dot("String").Call(jen.Id("v").Dot("String").Call()))
		f.Line()
		f.Comment("DecodeJSON reads a value's name.")
		f.Func().Params(jen.Id("v").Op("*").Id(name)).Id("DecodeJSON").Params(jen.Id("x").Any()).Error().Block(
			jen.List(jen.Id("s"), jen.Err()).Op(":=").Qual(wirePkg, "DecodeString").Call(jen.Id("x")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.List(jen.Op("*").Id("v"), jen.Err()).Op("=").Id("Parse"+name).Call(jen.Id("s")),
			jen.Return(jen.Err()),
		)
	} else {
		f.Comment("EncodeJSON writes the value's index (the enum is serialized byIndex).")
		f.Func().Params(jen.Id("v").Id(name)).Id("EncodeJSON").Params(jen.Id("e").Op("*").Qual(wirePkg, "Encoder")).Block(jen.Id("e").Dot("Int").Call(jen.Int64().Parens(jen.Id("v"))))
		f.Line()
		f.Comment("DecodeJSON reads a value's index.")
		f.Func().Params(jen.Id("v").Op("*").Id(name)).Id("DecodeJSON").Params(jen.Id("x").Any()).Error().Block(
			jen.List(jen.Id("i"), jen.Err()).Op(":=").Qual(wirePkg, "DecodeInt").Call(jen.Id("x")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.If(jen.Id("i").Op("<").Lit(0).Op("||").Id("i").Op(">=").Int64().Parens(jen.Len(jen.Id(names)))).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(`Value "%d" cannot be converted to "`+name+`"`), jen.Id("i"))),
			),
			jen.Op("*").Id("v").Op("=").Id(name).Parens(jen.Id("i")),
			jen.Return(jen.Nil()),
		)
	}
	f.Line()
	f.Comment(fmt.Sprintf("%s decodes %s for the class registry.", anyDecoder(m), withArticle(name)))
	f.Func().Id(anyDecoder(m)).Params(jen.Id("x").Any()).Params(jen.Any(), jen.Error()).Block(
		jen.Var().Id("v").Id(name),
		jen.Err().Op(":=").Id("v").Dot("DecodeJSON").Call(jen.Id("x")),
		jen.Return(jen.Id("v"), jen.Err()),
	)
	f.Line()
	f.Comment("MarshalJSON implements json.Marshaler.")
	f.Func().Params(jen.Id("v").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Qual(wirePkg, "Marshal").Call(jen.Qual(wirePkg, "EncodeValue").Types(jen.Id(name)), jen.Id("v"))),
	)
	f.Line()
	f.Comment("UnmarshalJSON implements json.Unmarshaler.")
	f.Func().Params(jen.Id("v").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("b").Index().Byte()).Error().Block(
		jen.List(jen.Id("x"), jen.Err()).Op(":=").Qual(wirePkg, "Parse").Call(jen.Id("b")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Return(jen.Id("v").Dot("DecodeJSON").Call(jen.Id("x"))),
	)
	f.Line()
}

// withArticle prefixes a or an.
func withArticle(name string) string {
	if name != "" && strings.ContainsRune("AEIOU", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// decodeModelListField decodes a field whose type is a List of elem, a
// class or exception, item by item into the slice.
func (s side) decodeModelListField(fl *model.Field, elem *model.Type, target *jen.Statement) []jen.Code {
	key := jen.Lit(fl.Name)
	fill := []jen.Code{
		target.Clone().Op("=").Make(jen.Index().Add(s.modelRef(elem)), jen.Len(jen.Id("items"))),
		jen.For(jen.List(jen.Id("i"), jen.Id("x")).Op(":=").Range().Id("items")).Block(
			jen.If(jen.Err().Op(":=").Add(target.Clone()).Index(jen.Id("i")).Dot("DecodeJSON").Call(jen.Id("x")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Qual(wirePkg, "AtKey").Call(jen.Qual(wirePkg, "AtIndex").Call(jen.Err(), jen.Id("i")), key)),
			),
		),
	}
	out := []jen.Code{
		jen.If(jen.List(jen.Id("items"), jen.Err()).Op("=").Qual(wirePkg, "FieldList").Call(jen.Id("o"), key, jen.Lit(!fl.Type.Nullable)), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	}
	if !fl.Type.Nullable {
		return append(out, fill...)
	}
	return append(out,
		target.Clone().Op("=").Nil(),
		jen.If(jen.Id("items").Op("!=").Nil()).Block(fill...),
	)
}

// decodeModelField decodes a field whose type is a class or exception.
func (s side) decodeModelField(fl *model.Field, target *jen.Statement) []jen.Code {
	key := jen.Lit(fl.Name)
	if !fl.Type.Nullable {
		return []jen.Code{jen.If(jen.Err().Op(":=").Qual(wirePkg, "FieldInto").Call(jen.Id("o"), key, jen.Op("&").Add(target.Clone())), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err()))}
	}
	return []jen.Code{
		target.Clone().Op("=").Nil(),
		jen.If(jen.Id("x").Op(":=").Id("o").Index(key), jen.Id("x").Op("!=").Nil()).Block(
			target.Clone().Op("=").New(s.modelRef(fl.Type)),
			jen.If(jen.Err().Op(":=").Add(target.Clone()).Dot("DecodeJSON").Call(jen.Id("x")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Qual(wirePkg, "AtKey").Call(jen.Err(), key)),
			),
		),
	}
}
