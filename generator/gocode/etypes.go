package gocode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/model"
)

// etyper spells endpoint types in Go for one side (the server's dispatch
// or the Go client), exactly in the form the endpoint declared: a pointer
// for every nullable type, wire.Set for sets, map or []wire.Entry for maps
// as written, and anonymous structs for records. Records have no generic
// encoder; each file gets a pair of functions per record type it uses.
type etyper struct {
	typer
	records *recordFuncs
	classes *classVars
}

func newEtyper(t typer) etyper {
	return etyper{typer: t, records: &recordFuncs{index: map[string]int{}}, classes: &classVars{index: map[string]string{}, taken: map[string]bool{}}}
}

// classVars are the wire.Class variables of the container types a file's
// streams carry, declared once each, in order of first use.
type classVars struct {
	index map[string]string // class name → variable
	taken map[string]bool
	names []string
	types []*endpoint.Type
}

// classVar names the variable holding the class of t: List<int> is
// listIntClass.
func (c *classVars) classVar(t *endpoint.Type) string {
	key := t.ClassName()
	if v, ok := c.index[key]; ok {
		return v
	}
	base := unexported(classWord(t)) + "Class"
	name := base
	for i := 2; c.taken[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	c.taken[name] = true
	c.index[key] = name
	c.names = append(c.names, name)
	c.types = append(c.types, t)
	return name
}

// classWord spells t in one word: List<SimpleData?> is
// ListNullableSimpleData, Map<String,int>? NullableMapStringInt.
func classWord(t *endpoint.Type) string {
	var b strings.Builder
	if t.Nullable {
		b.WriteString("Nullable")
	}
	switch t.Kind {
	case endpoint.Model:
		if t.Model.Module != "" {
			b.WriteString(exported(t.Model.Module))
		}
		b.WriteString(t.Model.ClassName)
	case endpoint.Map:
		b.WriteString("Map" + classWord(t.Key) + classWord(t.Elem))
	case endpoint.List, endpoint.Set:
		b.WriteString(t.Name + classWord(t.Elem))
	default:
		b.WriteString(exported(t.Name))
	}
	return b.String()
}

// recordFuncs are the record types a file needs encoders and decoders
// for, numbered in order of first use.
type recordFuncs struct {
	index map[string]int
	types []*endpoint.Type
}

func (r *recordFuncs) id(g etyper, t *endpoint.Type) int {
	key := fmt.Sprintf("%#v", g.goType(t.NonNull()))
	if i, ok := r.index[key]; ok {
		return i
	}
	r.index[key] = len(r.types)
	r.types = append(r.types, t.NonNull())
	return len(r.types) - 1
}

// goType is the Go type of t.
func (g etyper) goType(t *endpoint.Type) *jen.Statement {
	base := g.base(t)
	if t.Nullable {
		return jen.Op("*").Add(base)
	}
	return base
}

func (g etyper) base(t *endpoint.Type) *jen.Statement {
	switch t.Kind {
	case endpoint.Model:
		return g.modelRef(&model.Type{Model: t.Model})
	case endpoint.List:
		if t.Elem == nil {
			break
		}
		return jen.Index().Add(g.goType(t.Elem))
	case endpoint.Set:
		return jen.Qual(wirePkg, "Set").Types(g.goType(t.Elem))
	case endpoint.Map:
		if t.Entries {
			return jen.Index().Qual(wirePkg, "Entry").Types(g.goType(t.Key), g.goType(t.Elem))
		}
		return jen.Map(g.goType(t.Key)).Add(g.goType(t.Elem))
	case endpoint.Record:
		return jen.StructFunc(func(s *jen.Group) {
			for _, f := range t.Fields {
				s.Id(f.GoName).Add(g.goType(f.Type))
			}
		})
	case endpoint.Primitive:
		return g.baseType(&model.Type{Name: t.Name})
	}
	panic(fmt.Sprintf("gocode: endpoint type %s has no Go form", t))
}

// enc is an expression of type wire.EncodeFunc[goType(t)].
func (g etyper) enc(t *endpoint.Type) *jen.Statement {
	if t.Nullable {
		if t.Kind == endpoint.Model {
			return jen.Qual(wirePkg, "EncodeModelPtr").Types(g.modelRef(&model.Type{Model: t.Model}))
		}
		return jen.Qual(wirePkg, "EncodeNullable").Call(g.enc(t.NonNull()))
	}
	switch t.Kind {
	case endpoint.Model:
		return jen.Qual(wirePkg, "EncodeModel").Types(g.modelRef(&model.Type{Model: t.Model}))
	case endpoint.List:
		return jen.Qual(wirePkg, "EncodeList").Call(g.enc(t.Elem))
	case endpoint.Set:
		return jen.Qual(wirePkg, "EncodeSet").Call(g.enc(t.Elem))
	case endpoint.Map:
		switch {
		case t.Entries:
			return jen.Qual(wirePkg, "EncodeEntries").Call(g.enc(t.Key), g.enc(t.Elem))
		case isStringKey(t.Key):
			return jen.Qual(wirePkg, "EncodeStringMap").Call(g.enc(t.Elem))
		}
		return jen.Qual(wirePkg, "EncodeMap").Call(g.enc(t.Key), g.enc(t.Elem))
	case endpoint.Record:
		return jen.Id("encodeRecord" + strconv.Itoa(g.records.id(g, t)))
	}
	return encoderMethod(primitiveMethod[t.Name])
}

// dec is an expression of type wire.DecodeFunc[goType(t)].
func (g etyper) dec(t *endpoint.Type) *jen.Statement {
	if t.Nullable {
		if t.Kind == endpoint.Model {
			return jen.Qual(wirePkg, "DecodeModelPtr").Types(g.modelRef(&model.Type{Model: t.Model}))
		}
		return jen.Qual(wirePkg, "DecodeNullable").Call(g.dec(t.NonNull()))
	}
	switch t.Kind {
	case endpoint.Model:
		return jen.Qual(wirePkg, "DecodeModel").Types(g.modelRef(&model.Type{Model: t.Model}))
	case endpoint.List:
		return jen.Qual(wirePkg, "DecodeList").Call(g.dec(t.Elem))
	case endpoint.Set:
		return jen.Qual(wirePkg, "DecodeSetOf").Call(g.dec(t.Elem))
	case endpoint.Map:
		switch {
		case t.Entries:
			return jen.Qual(wirePkg, "DecodeEntries").Call(g.dec(t.Key), g.dec(t.Elem))
		case isStringKey(t.Key):
			return jen.Qual(wirePkg, "DecodeStringMap").Call(g.dec(t.Elem))
		}
		return jen.Qual(wirePkg, "DecodeMap").Call(g.dec(t.Key), g.dec(t.Elem))
	case endpoint.Record:
		return jen.Id("decodeRecord" + strconv.Itoa(g.records.id(g, t)))
	}
	return jen.Qual(wirePkg, primitiveDecoder[t.Name])
}

func isStringKey(k *endpoint.Type) bool {
	return k.Kind == endpoint.Primitive && k.Name == model.TypeString && !k.Nullable
}

// write is the statement that encodes expr, of type goType(t), with e.
func (g etyper) write(t *endpoint.Type, expr *jen.Statement) *jen.Statement {
	switch {
	case t.Nullable:
	case t.Kind == endpoint.Model:
		return jen.Qual(wirePkg, "EncodeModel").Call(jen.Id("e"), expr)
	case t.Kind == endpoint.Primitive:
		return jen.Id("e").Dot(primitiveMethod[t.Name]).Call(expr)
	}
	return g.enc(t).Call(jen.Id("e"), expr)
}

// recordDecls writes the encoder and decoder of every record type the
// file used. Writing one may use another (a record in a record), so the
// list grows while it is written.
func (g etyper) recordDecls(f *jen.File) {
	for i := 0; i < len(g.records.types); i++ {
		t := g.records.types[i]
		n := strconv.Itoa(i)
		f.Line()
		f.Comment(fmt.Sprintf("encodeRecord%s writes the Dart record %s as {\"p\": [...], \"n\": {...}}.", n, t))
		var body []jen.Code
		body = append(body, jen.Id("e").Dot("ObjectStart").Call())
		if pos := t.Positional(); len(pos) > 0 {
			body = append(body, jen.Id("e").Dot("Key").Call(jen.Lit("p")), jen.Id("e").Dot("ArrayStart").Call())
			for _, fl := range pos {
				body = append(body, jen.Id("e").Dot("Elem").Call(), g.write(fl.Type, jen.Id("r").Dot(fl.GoName)))
			}
			body = append(body, jen.Id("e").Dot("ArrayEnd").Call())
		}
		if named := t.Named(); len(named) > 0 {
			body = append(body, jen.Id("e").Dot("Key").Call(jen.Lit("n")), jen.Id("e").Dot("ObjectStart").Call())
			for _, fl := range named {
				body = append(body, jen.Id("e").Dot("Key").Call(jen.Lit(fl.Name)), g.write(fl.Type, jen.Id("r").Dot(fl.GoName)))
			}
			body = append(body, jen.Id("e").Dot("ObjectEnd").Call())
		}
		body = append(body, jen.Id("e").Dot("ObjectEnd").Call())
		f.Func().Id("encodeRecord"+n).Params(jen.Id("e").Op("*").Qual(wirePkg, "Encoder"), jen.Id("r").Add(g.goType(t))).Block(body...)

		f.Line()
		f.Comment(fmt.Sprintf("decodeRecord%s reads the Dart record %s.", n, t))
		pos := t.Positional()
		pVar, nVar := jen.Id("p"), jen.Id("n")
		if len(pos) == 0 {
			pVar = jen.Id("_")
		}
		if len(t.Named()) == 0 {
			nVar = jen.Id("_")
		}
		dbody := []jen.Code{
			jen.List(pVar, nVar, jen.Err()).Op(":=").Qual(wirePkg, "RecordFields").Call(jen.Id("v"), jen.Lit(len(pos))),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("r"), jen.Err())),
		}
		for i, fl := range pos {
			dbody = append(dbody,
				jen.If(jen.List(jen.Id("r").Dot(fl.GoName), jen.Err()).Op("=").Add(g.dec(fl.Type)).Call(jen.Id("p").Index(jen.Lit(i))), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Id("r"), jen.Qual(wirePkg, "AtKey").Call(jen.Qual(wirePkg, "AtIndex").Call(jen.Err(), jen.Lit(i)), jen.Lit("p")))))
		}
		for _, fl := range t.Named() {
			dbody = append(dbody,
				jen.If(jen.List(jen.Id("r").Dot(fl.GoName), jen.Err()).Op("=").Add(g.dec(fl.Type)).Call(jen.Id("n").Index(jen.Lit(fl.Name))), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Id("r"), jen.Qual(wirePkg, "AtKey").Call(jen.Qual(wirePkg, "AtKey").Call(jen.Err(), jen.Lit(fl.Name)), jen.Lit("n")))))
		}
		dbody = append(dbody, jen.Return(jen.Id("r"), jen.Nil()))
		f.Func().Id("decodeRecord"+n).Params(jen.Id("v").Any()).Params(jen.Id("r").Add(g.goType(t)), jen.Err().Error()).Block(dbody...)
	}
}

// class is an expression of type wire.Class[goType(t)]: how the values
// of a stream of t travel. Containers and custom classes get a Class
// variable, named as 2.4's protocol names them (List<int>, Money), since
// no class of the wire package holds them.
func (g etyper) class(t *endpoint.Type) *jen.Statement {
	switch {
	case t.Kind == endpoint.Model && t.Model.Kind == model.Custom:
		// A custom class's Go type may live in a package of the
		// user's with other classes of the same Go type name; its Class
		// variable carries the class name the model files give it.
		return jen.Id(g.classes.classVar(t))
	case t.Kind == endpoint.Model && t.Nullable:
		return jen.Qual(wirePkg, "ModelPtrClass").Types(g.modelRef(&model.Type{Model: t.Model})).Call()
	case t.Kind == endpoint.Model:
		return jen.Qual(wirePkg, "ModelClass").Types(g.modelRef(&model.Type{Model: t.Model})).Call()
	case t.Kind == endpoint.Primitive && t.Nullable:
		return jen.Qual(wirePkg, "NullableClass").Call(g.class(t.NonNull()))
	case t.Kind == endpoint.Primitive:
		return jen.Qual(wirePkg, primitiveMethod[t.Name]+"Class")
	}
	return jen.Id(g.classes.classVar(t))
}

// classDecls declares the class variables the file used.
func (g etyper) classDecls(f *jen.File) {
	for i, name := range g.classes.names {
		t := g.classes.types[i]
		className := t.ClassName()
		if !t.IsContainer() {
			// A non-null value of a nullable class travels under the
			// class's own name, as with wire.ModelPtrClass.
			className = t.NonNull().ClassName()
		}
		fields := []jen.Code{
			jen.Id("Name").Op(":").Lit(className),
			jen.Id("Encode").Op(":").Add(g.enc(t)),
			jen.Id("Decode").Op(":").Add(g.dec(t)),
		}
		if t.Nullable {
			fields = append(fields, jen.Id("IsNull").Op(":").Func().Params(jen.Id("v").Add(g.goType(t))).Bool().Block(jen.Return(jen.Id("v").Op("==").Nil())))
		}
		f.Line()
		f.Comment(fmt.Sprintf("%s carries %s values on streams.", name, t))
		f.Var().Id(name).Op("=").Qual(wirePkg, "Class").Types(g.goType(t)).Add(lines(fields))
	}
}
