package wire

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unsafe"
)

// A generated package declares its classes and enums once, as data, rather
// than giving each type methods: Go compiles a function for every method of
// every type, and in a project of hundreds of models those functions were
// most of the build after a model change. Package wire reads everything
// else a model needs from its struct tags (see plan.go).

// TypeDef declares one generated class, exception or enum.
type TypeDef struct {
	// Name is the class name on the wire, with its module's prefix for a
	// module's type: Company, serverpod_auth.UserInfo.
	Name string
	// Type is a nil pointer to the Go type: (*Company)(nil).
	Type any
	// Values are an enum's value names in index order; nil for a class.
	Values []string
	// ByName is set for an enum serialized by name rather than by index.
	ByName bool
	// Exception marks an exception, which the registry decodes to a
	// pointer (the form in which it is an error).
	Exception bool
}

// Types are the declared types of one generated package.
type Types struct {
	defs []TypeDef
}

var declared sync.Map // reflect.Type → *TypeDef

// Declare records the types of a generated package, for the lifetime of
// the program; generated code calls it once, from a package variable's
// initializer. An enum must be an int type.
func Declare(defs []TypeDef) *Types {
	for i := range defs {
		d := &defs[i]
		t := reflect.TypeOf(d.Type)
		if t == nil || t.Kind() != reflect.Pointer {
			panic(fmt.Sprintf("wire: the Type of %s is %T, not a nil pointer to it", d.Name, d.Type))
		}
		t = t.Elem()
		if d.Values != nil && t.Kind() != reflect.Int {
			panic(fmt.Sprintf("wire: enum %s is a %s, not an int type", d.Name, t))
		}
		declared.Store(t, d)
	}
	return &Types{defs: defs}
}

// declaredDef returns the declaration of t, nil when it has none.
func declaredDef(t reflect.Type) *TypeDef {
	if d, ok := declared.Load(t); ok {
		return d.(*TypeDef)
	}
	return nil
}

// localName is a class name without its module prefix, as models and
// enums call themselves in error messages.
func (d *TypeDef) localName() string {
	_, name, found := strings.Cut(d.Name, ".")
	if !found {
		return d.Name
	}
	return name
}

// Registry returns a registry that decodes the declared classes by their
// class names without module prefix; a module's generated package adds
// the registry under its module name too.
//
// Each class's plan is built here, so that a struct tag package wire
// cannot read fails when the server starts.
func (ts *Types) Registry() *Registry {
	r := NewRegistry()
	for i := range ts.defs {
		d := &ts.defs[i]
		r.Add(d.localName(), decoderOf(d.Type, d.Exception))
	}
	return r
}

// ClassNameOf returns the class name on the wire of v's type (or of the
// type v points to): from its ClassName method when it has one (custom
// classes, hand-written types), otherwise from its declaration.
func ClassNameOf(v any) (string, bool) {
	t := reflect.TypeOf(v)
	if t == nil {
		return "", false
	}
	if m, ok := v.(interface{ ClassName() string }); ok {
		if t.Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil() {
			// Generic code asks (*T)(nil) (ModelClass, messages'
			// listeners), and a ClassName with a value receiver panics
			// through a nil pointer: ask a zero T instead.
			m = reflect.New(t.Elem()).Interface().(interface{ ClassName() string })
		}
		return m.ClassName(), true
	}
	if d := declaredDef(t); d != nil {
		return d.Name, true
	}
	if t.Kind() == reflect.Pointer {
		if d := declaredDef(t.Elem()); d != nil {
			return d.Name, true
		}
	}
	return "", false
}

// EnumValues returns the value names of a declared enum type, in index
// order, and whether it is serialized by name; ok is false for any other
// type.
func EnumValues(t reflect.Type) (names []string, byName, ok bool) {
	d := declaredDef(t)
	if d == nil || d.Values == nil {
		return nil, false, false
	}
	return d.Values, d.ByName, true
}

// enumCodec is the codec of a declared enum: its index, or its name, with
// values outside the enum refused both ways.
func enumCodec(d *TypeDef) *codec {
	names, byName, typeName := d.Values, d.ByName, d.localName()
	c := &codec{
		dec: func(v any, p unsafe.Pointer) error {
			i, err := decodeEnum(v, names, byName, typeName)
			*(*int)(p) = i
			return err
		},
	}
	// A value outside the enum is a bug of the program's; no peer could
	// read it, so it is an error rather than a number or name it would
	// refuse.
	c.enc = func(e *Encoder, p unsafe.Pointer) {
		i := *(*int)(p)
		switch {
		case i < 0 || i >= len(names):
			e.Fail(fmt.Errorf("wire: %d is not a value of enum %s", i, typeName))
			e.Null()
		case byName:
			e.String(names[i])
		default:
			e.Int(int64(i))
		}
	}
	return c
}

var codecs sync.Map // reflect.Type → *codec, for values outside a plan

// codecOf returns the codec of a value of type t held on its own (not as a
// field): non-nullable, as a top-level model, enum or container is.
func codecOf(t reflect.Type) *codec {
	if c, ok := codecs.Load(t); ok {
		return c.(*codec)
	}
	planMu.Lock()
	defer planMu.Unlock()
	if c, ok := codecs.Load(t); ok {
		return c.(*codec) // built while this call waited for the lock
	}
	var c *codec
	building(func() { c = codecFor(t, &shape{}) })
	codecs.Store(t, c)
	return c
}

// tryCodecOf is codecOf for a type a caller chose at run time: a type
// without a wire form is an error rather than a panic.
func tryCodecOf(t reflect.Type) (c *codec, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return codecOf(t), nil
}

// EncodeValueOf writes v, a model, enum or container of them, or a
// pointer to one (nil is null), in e's form; a value of another type is
// an error of e.
func EncodeValueOf(e *Encoder, v any) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() == reflect.Pointer && rv.IsNil() {
		// Before EncodeJSON: a custom class's would run on a nil pointer.
		e.Null()
		return
	}
	if m, ok := v.(Encodable); ok {
		m.EncodeJSON(e)
		return
	}
	if rv.Kind() == reflect.Pointer {
		c, err := tryCodecOf(rv.Type().Elem())
		if err != nil {
			e.Fail(err)
			return
		}
		c.enc(e, rv.UnsafePointer())
		return
	}
	c, err := tryCodecOf(rv.Type())
	if err != nil {
		e.Fail(err)
		return
	}
	p := reflect.New(rv.Type())
	p.Elem().Set(rv)
	c.enc(e, p.UnsafePointer())
}

// MarshalModel encodes v, a model, enum or container of them, or a pointer
// to one, with all its fields (Serverpod's toJson): what json.Marshal
// would write were models json.Marshalers.
func MarshalModel(v any) ([]byte, error) {
	e := NewEncoder(false)
	EncodeValueOf(e, v)
	return e.Bytes()
}

// UnmarshalModel parses b into ptr, a pointer to a model, enum or
// container of them.
func UnmarshalModel(b []byte, ptr any) error {
	v, err := Parse(b)
	if err != nil {
		return err
	}
	return DecodeInto(v, ptr)
}

// FieldCodec encodes and decodes one field of a model in place, as the
// model's JSON has it: package db stores json columns with it.
type FieldCodec struct {
	c *codec
}

// Encode writes the value at p.
func (c FieldCodec) Encode(e *Encoder, p unsafe.Pointer) { c.c.enc(e, p) }

// Decode reads v, as Parse returns it, into the value at p; null sets a
// nullable field to nil.
func (c FieldCodec) Decode(v any, p unsafe.Pointer) error { return c.c.dec(v, p) }

// FieldCodecOf returns the codec of the field named field of the model
// struct t, from its wire tags; a tag package wire cannot read is an
// error.
func FieldCodecOf(t reflect.Type, field string) (fc FieldCodec, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	if t.Kind() != reflect.Struct {
		return FieldCodec{}, fmt.Errorf("wire: %s is not a model struct", t)
	}
	sf, ok := t.FieldByName(field)
	if !ok {
		return FieldCodec{}, fmt.Errorf("wire: %s has no field %s", t, field)
	}
	tag, ok := sf.Tag.Lookup("wire")
	if !ok || tag == "-" {
		return FieldCodec{}, fmt.Errorf("wire: field %s of %s has no wire tag", field, t)
	}
	name, _, _ := strings.Cut(tag, ",")
	// A promoted field's offset is the sum of those on its path.
	var offset uintptr
	for cur, i := t, 0; i < len(sf.Index); i++ {
		f := cur.Field(sf.Index[i])
		offset += f.Offset
		cur = f.Type
	}
	for _, f := range planOf(t).fields {
		if f.offset == offset && f.name == name {
			return FieldCodec{&codec{enc: f.enc, dec: f.dec}}, nil
		}
	}
	return FieldCodec{}, fmt.Errorf("wire: field %s of %s is not in its wire form", field, t)
}
