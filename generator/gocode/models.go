package gocode

import (
	"fmt"
	"strconv"
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
// struct, or XFields for a sealed parent, and package wire writes and
// reads every field, in Serverpod's order, from the child's plan.

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
		g.Id(fieldName(fl)).Add(s.goType(fl.Type)).Tag(s.wireTag(fl))
	}
}

// wireTag is the struct tag from which package wire plans the field's
// encoding: its name on the wire, whether it is nullable and whether it
// stays on the server, and, when the Go type does not say it, the model
// type (Sets, nullable containers in containers) and the default a null
// value decodes to.
func (s side) wireTag(fl *model.Field) map[string]string {
	tag := fl.Name
	if fl.Type.Nullable {
		tag += ",null"
	}
	if s.server && !fl.OnWire() {
		tag += ",serverOnly"
	}
	tags := map[string]string{"wire": tag}
	if needsWireType(fl.Type, true) {
		tags["wiretype"] = fl.Type.DartString()
	}
	if fl.DefaultModel != nil && fl.Type.Nullable {
		if lit, ok := wireDefault(fl.Type.NonNull(), fl.DefaultModel.Raw); ok {
			tags["wiredefault"] = lit
		}
	}
	return tags
}

// needsWireType reports whether t holds what its Go type cannot tell: a
// Set, or a nullable type with its own nil (List, Set, Map, Uri, BigInt,
// ByteData) inside a container.
func needsWireType(t *model.Type, top bool) bool {
	if t.Name == model.TypeSet || (!top && t.Nullable && nilable(t)) {
		return true
	}
	for _, a := range t.Args {
		if needsWireType(a, false) {
			return true
		}
	}
	return false
}

// wireDefault spells a model default for package wire: a Duration in
// milliseconds, an enum value by its index, strings unquoted.
func wireDefault(t *model.Type, raw string) (string, bool) {
	if t.IsEnum() {
		for i, v := range t.Model.Values {
			if v.Name == raw {
				return strconv.Itoa(i), true
			}
		}
		return "", false
	}
	switch t.Name {
	case model.TypeInt, model.TypeDouble, model.TypeBool, model.TypeDateTime:
		return raw, true
	case model.TypeDuration:
		ms, err := durationMillis(raw)
		return strconv.FormatInt(ms, 10), err == nil
	case model.TypeString, model.TypeUUID, model.TypeURI, model.TypeBigInt:
		return unquoteDart(raw), true
	}
	return "", false
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

// reservedMethods are the method names generated models have or had (a
// model is declared to package wire now, and only exceptions keep
// ClassName and Error): field names stay as they were.
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

	if s.server && m.HasTable() {
		if err := s.tableDecls(f, m); err != nil {
			return err
		}
	}
	if m.Kind == model.Exception {
		// An exception keeps its class name as a method: a server finds it
		// from an error value (wire.Exception).
		f.Comment("ClassName is the exception's class name in type-tagged JSON.")
		f.Func().Params(jen.Op("*").Id(name)).Id("ClassName").Params().String().Block(jen.Return(jen.Lit(s.wireClassName(m))))
		f.Line()
		f.Comment("Error describes the exception with its fields, so it reads well in logs.")
		f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("Error").Params().String().Block(
			jen.List(jen.Id("b"), jen.Err()).Op(":=").Qual(wirePkg, "MarshalModel").Call(jen.Id("m")),
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
	names := enumNamesVar(m)
	f.Var().Id(names).Op("=").Index(jen.Op("...")).String().ValuesFunc(func(g *jen.Group) {
		for _, v := range m.Values {
			g.Lit(v.Name)
		}
	})
	f.Line()
	list := jen.Id(names).Index(jen.Empty(), jen.Empty())
	f.Comment("String returns the value's name in the model file.")
	f.Func().Params(jen.Id("v").Id(name)).Id("String").Params().String().Block(
		jen.Return(jen.Qual(wirePkg, "EnumName").Call(list.Clone(), jen.Int().Parens(jen.Id("v")), jen.Lit(name))),
	)
	f.Line()
	f.Comment(fmt.Sprintf("Parse%s returns the value with the given name.", name))
	f.Func().Id("Parse"+name).Params(jen.Id("s").String()).Params(jen.Id(name), jen.Error()).Block(
		jen.List(jen.Id("i"), jen.Err()).Op(":=").Qual(wirePkg, "ParseEnum").Call(list.Clone(), jen.Id("s"), jen.Lit(name)),
		jen.Return(jen.Id(name).Parens(jen.Id("i")), jen.Err()),
	)
	f.Line()
}

// enumNamesVar is the array of an enum's value names, which its String and
// Parse read and its declaration gives package wire.
func enumNamesVar(m *model.Model) string { return unexported(m.ClassName) + "Names" }

// withArticle prefixes a or an.
func withArticle(name string) string {
	if name != "" && strings.ContainsRune("AEIOU", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}
