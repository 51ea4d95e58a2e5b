// Package endpoint finds the endpoints a project wrote in Go: exported types
// named XxxEndpoint that embed the runtime's pod.Endpoint, and their exported
// methods whose first parameter is the session. It type-checks the endpoint
// packages in process (go/types, with the project's generated protocol
// package read from source and every other import from the go command's
// export data), so an unsupported parameter or return type is reported
// with its file, line and column, and it describes each method in the
// model language's terms, with the Go form the endpoint used, so the
// emitters can write dispatch code and clients.
//
// A method streams when it returns iter.Seq2[T, error] or takes
// parameters of that type (input streams, Param.Stream), the Go shape of
// 2.4's Stream<T> that package runtime/stream describes; the shapes that
// look like a stream but cannot be served are reported with what to write
// instead (streams.go).
package endpoint

import "github.com/gopod/gopod/generator/model"

// Endpoint is one endpoint class.
type Endpoint struct {
	// Name is the endpoint's name on the wire, without a module prefix:
	// ExampleEndpoint → example, HTTPTestEndpoint → hTTPTest (Serverpod
	// lower-cases only the first letter), or the name given by a
	// `//gopod:name` line in the type's doc comment.
	Name string
	// GoName is the Go type name (ExampleEndpoint) and PkgPath the import
	// path of the package declaring it.
	GoName  string
	PkgPath string
	PkgName string
	Doc     []string
	Methods []*Method
	Pos     model.Pos
}

// ParamKind says how a parameter is passed in Dart.
type ParamKind int

const (
	// Positional parameters are required and passed in order: (int x).
	Positional ParamKind = iota
	// OptionalPositional parameters may be left out: [int? x]. In Go they
	// are the fields of a trailing struct that embeds pod.Optional.
	OptionalPositional
	// Named parameters are passed by name: {required int x, int? y}. In Go
	// they are the fields of a trailing struct that embeds pod.Named.
	Named
)

// Method is one callable method of an endpoint.
type Method struct {
	// Name is the method's name on the wire: the Go name with its leading
	// capital (or initialism) lower-cased (Hello → hello, URLFor →
	// urlFor), or the name given by a `//gopod:name` line.
	Name   string
	GoName string
	// Params are the parameters after the session, in Dart's order:
	// positional, then optional positional or named.
	Params []*Param
	// Struct is the trailing struct holding the optional positional or
	// named parameters; nil when there is none.
	Struct *ParamStruct
	// Returns is the result type, nil for a method that returns only an
	// error (Future<void> in Serverpod). For a method that returns a
	// stream it is the type of the stream's values.
	Returns *Type
	// ReturnsStream marks a method returning iter.Seq2[T, error]
	// (Stream<T> in Dart); Returns is T.
	ReturnsStream bool
	Doc           []string
	// Deprecated is the text of a "Deprecated:" doc paragraph, if any.
	Deprecated string
	Pos        model.Pos
}

// ParamStruct is a struct type whose fields are a method's optional
// positional or named parameters.
type ParamStruct struct {
	// GoName is the struct type's name; the Go client declares a struct of
	// the same name and fields.
	GoName  string
	PkgPath string
	// Kind is OptionalPositional or Named.
	Kind ParamKind
	Pos  model.Pos
}

// Param is a parameter after the session.
type Param struct {
	// Name is the parameter's name on the wire and in Dart.
	Name string
	// GoName is the Go parameter's name, or the struct field's for
	// optional and named parameters.
	GoName string
	Kind   ParamKind
	Type   *Type
	// GoType spells the parameter's Go type as the endpoint declares it,
	// relative to its package (e.g. "int64", "*[]string",
	// "*protocol.Example"), for messages.
	GoType string
	// Stream marks an input stream: the Go parameter is
	// iter.Seq2[T, error] (Stream<T> in Dart) and Type is T.
	Stream bool
	Pos    model.Pos
}

// Streaming reports whether the method answers over /v1/websocket
// only: it returns a stream or takes one.
func (m *Method) Streaming() bool {
	if m.ReturnsStream {
		return true
	}
	for _, p := range m.Params {
		if p.Stream {
			return true
		}
	}
	return false
}

// Inputs are the method's input streams, in its order.
func (m *Method) Inputs() []*Param {
	var out []*Param
	for _, p := range m.Params {
		if p.Stream {
			out = append(out, p)
		}
	}
	return out
}

// Required reports whether Dart callers must pass the parameter: every
// positional parameter, and named parameters that are not nullable.
func (p *Param) Required() bool {
	switch p.Kind {
	case Positional:
		return true
	case Named:
		return !p.Type.Nullable
	}
	return false
}
