package gocode

import (
	"fmt"

	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/model"
)

const (
	wirePkg   = "github.com/gopod/gopod/wire"
	podPkg    = "github.com/gopod/gopod/runtime/pod"
	clientPkg = "github.com/gopod/gopod/client"
	streamPkg = "github.com/gopod/gopod/runtime/stream"
)

// typer spells model-language types in Go for one side (server or client).
// Model types live in a package per side: the project's generated protocol
// package on the server, its client package on the client, and each
// module's matching packages.
type typer struct {
	// pkgOf returns the import path of the Go package that declares m.
	pkgOf func(m *model.Model) string
}

// nilable reports whether Go's type for t has its own nil, so that a
// nullable t needs no pointer.
func nilable(t *model.Type) bool {
	switch t.Name {
	case model.TypeURI, model.TypeBigInt, model.TypeByteData, model.TypeList, model.TypeSet, model.TypeMap:
		return true
	}
	return false
}

// comparableKey reports whether t can be a Go map key with value semantics.
func comparableKey(t *model.Type) bool {
	if t.Nullable {
		return false
	}
	switch t.Name {
	case model.TypeInt, model.TypeDouble, model.TypeBool, model.TypeString, model.TypeDateTime, model.TypeDuration, model.TypeUUID:
		return true
	}
	return t.IsEnum()
}

// pointer reports whether a nullable t is held through a pointer.
func pointer(t *model.Type) bool { return t.Nullable && !nilable(t) }

func (g *typer) modelRef(t *model.Type) *jen.Statement { return g.modelName(t.Model) }

// modelName is the Go type of a model: its class in the package of its
// side, or, for a custom class, the user's Go type, the same on both sides.
func (g *typer) modelName(m *model.Model) *jen.Statement {
	if m.Kind == model.Custom {
		return jen.Qual(m.GoPkg, m.GoName)
	}
	return jen.Qual(g.pkgOf(m), m.ClassName)
}

// goType returns the Go type of t, a pointer for nullable scalars and models.
func (g *typer) goType(t *model.Type) *jen.Statement {
	base := g.baseType(t)
	if pointer(t) {
		return jen.Op("*").Add(base)
	}
	return base
}

func (g *typer) baseType(t *model.Type) *jen.Statement {
	switch t.Name {
	case model.TypeInt:
		return jen.Int64()
	case model.TypeDouble:
		return jen.Float64()
	case model.TypeBool:
		return jen.Bool()
	case model.TypeString:
		return jen.String()
	case model.TypeDateTime:
		return jen.Qual("time", "Time")
	case model.TypeDuration:
		return jen.Qual("time", "Duration")
	case model.TypeUUID:
		return jen.Qual(wirePkg, "UUID")
	case model.TypeURI:
		return jen.Op("*").Qual("net/url", "URL")
	case model.TypeBigInt:
		return jen.Op("*").Qual("math/big", "Int")
	case model.TypeByteData:
		return jen.Index().Byte()
	case model.TypeList, model.TypeSet:
		return jen.Index().Add(g.goType(t.Args[0]))
	case model.TypeMap:
		k, v := t.Args[0], t.Args[1]
		if k.Name == model.TypeString && !k.Nullable {
			return jen.Map(jen.String()).Add(g.goType(v))
		}
		if comparableKey(k) {
			return jen.Map(g.goType(k)).Add(g.goType(v))
		}
		return jen.Index().Qual(wirePkg, "Entry").Types(g.goType(k), g.goType(v))
	}
	if t.Model != nil {
		return g.modelRef(t)
	}
	// Unreachable for checked types (see unresolved): the name does not
	// compile rather than taking generation down.
	return jen.Id("unresolved" + t.Name)
}

// unresolved returns an error naming the first type in t that is neither
// a primitive, a container with its arguments, nor a resolved model. The
// analyzer accepts no such type; the check keeps a slip from turning into
// Go that does not compile.
func unresolved(t *model.Type) error {
	var err error
	t.Walk(func(x *model.Type) {
		arity := map[string]int{model.TypeList: 1, model.TypeSet: 1, model.TypeMap: 2}
		switch {
		case err != nil || x.Model != nil || x.IsPrimitive():
		case x.IsContainer() && len(x.Args) == arity[x.Name]:
		default:
			err = fmt.Errorf("type %s has no Go counterpart", x)
		}
		if x.Model != nil && x.Model.Kind == model.Custom && x.Model.GoName == "" {
			err = fmt.Errorf("custom class %s has no Go type", x.Model.ClassName)
		}
	})
	return err
}

func encoderMethod(name string) *jen.Statement {
	return jen.Parens(jen.Op("*").Qual(wirePkg, "Encoder")).Dot(name)
}

var primitiveMethod = map[string]string{
	model.TypeInt: "Int", model.TypeDouble: "Double", model.TypeBool: "Bool", model.TypeString: "String",
	model.TypeDateTime: "DateTime", model.TypeDuration: "Duration", model.TypeUUID: "UUID",
	model.TypeURI: "URI", model.TypeBigInt: "BigInt", model.TypeByteData: "ByteData",
}

var primitiveDecoder = map[string]string{
	model.TypeInt: "DecodeInt", model.TypeDouble: "DecodeDouble", model.TypeBool: "DecodeBool", model.TypeString: "DecodeString",
	model.TypeDateTime: "DecodeDateTime", model.TypeDuration: "DecodeDuration", model.TypeUUID: "DecodeUUID",
	model.TypeURI: "DecodeURI", model.TypeBigInt: "DecodeBigInt", model.TypeByteData: "DecodeByteData",
}
