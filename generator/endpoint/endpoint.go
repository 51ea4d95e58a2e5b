// Package endpoint finds the endpoints a project wrote in Go: exported types
// named XxxEndpoint that embed the runtime's pod.Endpoint, and their exported
// methods whose first parameter is the session. It type-checks the package,
// so an unsupported parameter or return type is reported with its file and
// line, and it describes each method in the model language's types so the
// emitters can write dispatch code and clients.
package endpoint

import "github.com/gopod/gopod/generator/model"

// Endpoint is one endpoint class.
type Endpoint struct {
	// Name is the endpoint's name on the wire, without a module prefix:
	// ExampleEndpoint → example.
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

// Method is one callable method of an endpoint.
type Method struct {
	// Name is the method's name on the wire: the Go name with its first
	// letter lower-cased (Hello → hello).
	Name   string
	GoName string
	Params []*Param
	// Returns is the result type, nil for a method that returns only an
	// error (Future<void> in Serverpod).
	Returns *model.Type
	Doc     []string
	// Deprecated is the text of a "Deprecated:" doc paragraph, if any.
	Deprecated string
	Pos        model.Pos
}

// Param is a parameter after the session.
type Param struct {
	Name string
	Type *model.Type
	// GoType spells the parameter's Go type as the endpoint declares it,
	// relative to nothing (e.g. "int64", "[]string", "*protocol.Example"),
	// for messages.
	GoType string
	Pos    model.Pos
}
