package wire

import (
	"fmt"
	"strings"
)

// Exception is a generated `exception:` model. An endpoint that returns one
// as its error answers 400 with {"className": ..., "data": ...}, and the
// client turns that body back into the same type. Unlike other models, an
// exception keeps its class name as a method, so that a server finds it
// from an error value.
type Exception interface {
	error
	ClassName() string
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

// EncodeTagged writes v, a model, enum or exception (or a pointer to one),
// type-tagged with its class name (see ClassNameOf). A value of a type
// without one is an error of e.
func EncodeTagged(e *Encoder, v any) {
	name, ok := ClassNameOf(v)
	if !ok {
		e.Fail(fmt.Errorf("wire: %T has no class name", v))
		return
	}
	e.Tagged(name, func(e *Encoder) { EncodeValueOf(e, v) })
}
