package wire

import (
	"fmt"
	"strings"
)

// Model is a generated class, exception or enum: it encodes itself and
// knows its class name on the wire (module models carry their module name,
// as in serverpod_auth.UserInfo).
type Model interface {
	Encodable
	ClassName() string
}

// Exception is a generated `exception:` model. An endpoint that returns one
// as its error answers 400 with {"className": ..., "data": ...}, and the
// client turns that body back into the same type.
type Exception interface {
	error
	Model
}

// Registry decodes type-tagged values by class name: project classes
// directly, module classes by their `<module>.` prefix, and Serverpod's
// built-in names (int, String, DateTime, ...).
type Registry struct {
	classes map[string]DecodeFunc[any]
	modules map[string]*Registry
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{classes: map[string]DecodeFunc[any]{}, modules: map[string]*Registry{}}
}

// Add registers the decoder for a class name.
func (r *Registry) Add(className string, f DecodeFunc[any]) { r.classes[className] = f }

// AddModule registers a module's registry under its module name.
func (r *Registry) AddModule(moduleName string, m *Registry) { r.modules[moduleName] = m }

// Any adapts a typed decoder to the registry's untyped form.
func Any[T any](f DecodeFunc[T]) DecodeFunc[any] {
	return func(v any) (any, error) {
		x, err := f(v)
		if err != nil {
			return nil, err
		}
		return x, nil
	}
}

var builtins = map[string]DecodeFunc[any]{
	"int":       Any(DecodeInt),
	"double":    Any(DecodeDouble),
	"bool":      Any(DecodeBool),
	"String":    Any(DecodeString),
	"DateTime":  Any(DecodeDateTime),
	"Duration":  Any(DecodeDuration),
	"UuidValue": Any(DecodeUUID),
	"Uri":       Any(DecodeURI),
	"BigInt":    Any(DecodeBigInt),
	"ByteData":  Any(DecodeByteData),
}

// Decode decodes data as the class named className.
func (r *Registry) Decode(className string, data any) (any, error) {
	if className == "null" {
		return nil, nil
	}
	if f, ok := r.classes[className]; ok {
		return f(data)
	}
	if mod, name, ok := strings.Cut(className, "."); ok {
		if m, ok := r.modules[mod]; ok {
			return m.Decode(name, data)
		}
	}
	if f, ok := builtins[className]; ok {
		return f(data)
	}
	return nil, &Error{Msg: fmt.Sprintf("no deserialization found for type named %s", className)}
}

// DecodeTagged decodes a {"className": ..., "data": ...} value, as Parse
// returns it.
func (r *Registry) DecodeTagged(v any) (any, error) {
	o, err := Object(v)
	if err != nil {
		return nil, err
	}
	name, err := Field(o, "className", DecodeString)
	if err != nil {
		return nil, err
	}
	return r.Decode(name, o["data"])
}

// EncodeTagged writes m type-tagged with its class name, in the wire form.
func EncodeTagged(e *Encoder, m Model) {
	e.Tagged(m.ClassName(), m.EncodeJSON)
}
