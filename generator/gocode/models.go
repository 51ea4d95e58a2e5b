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

// fieldName is the Go struct field of f: exported, unless the field is
// hidden from user code (scope none).
func fieldName(f *model.Field) string {
	if f.Hidden() {
		return unexported(f.Name)
	}
	return exported(f.Name)
}

// reservedMethods are the method names every generated model has; a field
// with the same Go name would not compile.
var reservedMethods = map[string]bool{
	"ClassName": true, "EncodeJSON": true, "DecodeJSON": true, "MarshalJSON": true,
	"UnmarshalJSON": true, "Error": true, "String": true, "NewFrom": true,
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
		if reservedMethods[name] {
			return fmt.Errorf("%s: field %q of %s becomes %s in Go, which clashes with a generated method; rename the field", fl.Pos, fl.Name, m.ClassName, name)
		}
		if other, dup := seen[name]; dup {
			return fmt.Errorf("%s: fields %q and %q of %s both become %s in Go; rename one", fl.Pos, other.Name, fl.Name, m.ClassName, name)
		}
		seen[name] = fl
	}

	name := m.ClassName
	f.Add(docLines(m.Doc, fmt.Sprintf("%s is the %s defined in %s.", name, m.Kind, m.SourcePath)))
	f.Type().Id(name).StructFunc(func(g *jen.Group) {
		for _, fl := range fields {
			if len(fl.Doc) > 0 {
				g.Add(docLines(fl.Doc, ""))
			}
			g.Id(fieldName(fl)).Add(s.goType(fl.Type))
		}
	})
	f.Line()

	if s.hasDefaults(m) {
		if err := s.constructor(f, m, fields); err != nil {
			return err
		}
	}

	f.Comment("ClassName is the model's class name in type-tagged JSON.")
	f.Func().Params(jen.Op("*").Id(name)).Id("ClassName").Params().String().Block(jen.Return(jen.Lit(m.WireClassName())))
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
func (s side) constructor(f *jen.File, m *model.Model, fields []*model.Field) error {
	name := m.ClassName
	var assigns []jen.Code
	for _, fl := range fields {
		if fl.DefaultModel == nil {
			continue
		}
		v, err := s.fieldDefault(fl.Type, fl.DefaultModel.Raw)
		if err != nil {
			return fmt.Errorf("%s: %w", fl.DefaultModel.Pos, err)
		}
		assigns = append(assigns, jen.Id(fieldName(fl)).Op(":").Add(v))
	}
	f.Comment(fmt.Sprintf("New%s returns %s with the defaults its model file declares.", name, withArticle(name)))
	f.Func().Id("New" + name).Params().Id(name).Block(
		jen.Return(jen.Id(name).Values(assigns...)),
	)
	f.Line()
	return nil
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
	write := []jen.Code{jen.Id("e").Dot("Key").Call(jen.Lit(fl.Name)), s.encodeValue(fl.Type, v)}
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
	for _, fl := range fields {
		t := fl.Type
		target := jen.Id("m").Dot(fieldName(fl))
		if t.Model != nil && t.Model.Kind != model.Enum {
			// Models decode through their own method: a generic call per
			// model type would make large projects slow to compile.
			body = append(body, s.decodeModelField(fl, target)...)
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
	f.Func().Params(jen.Id(name)).Id("ClassName").Params().String().Block(jen.Return(jen.Lit(m.WireClassName())))
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
