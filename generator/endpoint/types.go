package endpoint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gopod/gopod/generator/model"
)

// Kind says what a Type is.
type Kind int

const (
	// Primitive is one of the model language's scalars (int, String,
	// Uri, ByteData, ...), named by Type.Name.
	Primitive Kind = iota
	// List is List<Elem>, written []T in Go.
	List
	// Set is Set<Elem>, written wire.Set[T] in Go.
	Set
	// Map is Map<Key, Elem>, written map[K]V or, with Entries,
	// []wire.Entry[K, V].
	Map
	// Record is a Dart record, written as an anonymous Go struct.
	Record
	// Model is a class, exception or enum of a model file (Type.Model).
	Model
)

// Type is the type of an endpoint parameter or result: what it means in
// the model language, and which of the Go forms the endpoint used for it,
// so that generated code spells exactly the endpoint's Go type.
//
// Every nullable type is a pointer to its non-nullable Go form: *int64 is
// int?, *[]int64 is List<int>?, **url.URL is Uri? (*url.URL being Uri).
type Type struct {
	Kind Kind
	// Name is the scalar's model-language name (int, String, ...) for a
	// Primitive, the class name for a Model, and List, Set, Map or Record
	// otherwise.
	Name     string
	Nullable bool
	// Key is the key type of a Map; Elem the element of a List or Set and
	// the value of a Map.
	Key, Elem *Type
	// Entries marks a Map written as []wire.Entry[K, V]: any key type, in
	// the order received.
	Entries bool
	// Fields are a Record's fields: the positional ones in order, then
	// the named ones in the order the struct declares them.
	Fields []*Field
	Model  *model.Model
}

// Field is one field of a record.
type Field struct {
	// Name is the field's Dart name; empty for a positional field.
	Name string
	// GoName is the Go struct field (P1, P2, ... for positional fields).
	GoName string
	Type   *Type
}

// Positional reports whether the field is one of the record's positional fields.
func (f *Field) Positional() bool { return f.Name == "" }

// NonNull returns a copy of t that is not nullable.
func (t *Type) NonNull() *Type {
	c := *t
	c.Nullable = false
	return &c
}

// Positional and Named split a record's fields; Named is sorted by name,
// the order Dart gives a record's named fields.
func (t *Type) Positional() []*Field {
	var out []*Field
	for _, f := range t.Fields {
		if f.Positional() {
			out = append(out, f)
		}
	}
	return out
}

// Named returns a record's named fields sorted by name.
func (t *Type) Named() []*Field {
	var out []*Field
	for _, f := range t.Fields {
		if !f.Positional() {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b *Field) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// HasRecord reports whether t is a record or contains one.
func (t *Type) HasRecord() bool {
	switch t.Kind {
	case Record:
		return true
	case List, Set:
		return t.Elem.HasRecord()
	case Map:
		return t.Key.HasRecord() || t.Elem.HasRecord()
	}
	return false
}

// Walk calls fn for t and every type nested in it, outside in.
func (t *Type) Walk(fn func(*Type)) {
	fn(t)
	if t.Key != nil {
		t.Key.Walk(fn)
	}
	if t.Elem != nil {
		t.Elem.Walk(fn)
	}
	for _, f := range t.Fields {
		f.Type.Walk(fn)
	}
}

// String spells t as the model language does: List<int>?,
// Map<String,int>, module:auth:UserInfo for a module's model, and a
// record as Dart does without spaces: (int,{String name}).
func (t *Type) String() string {
	var b strings.Builder
	t.write(&b, func(m *model.Model) string {
		if m.Module != "" && m.Module != "serverpod" {
			return model.ModuleRefWord + ":" + m.Module + ":" + m.ClassName
		}
		return m.ClassName
	})
	return strings.ReplaceAll(b.String(), ", ", ",")
}

// Dart spells t in Dart, naming models and the Dart library types
// (ByteData, UuidValue) through ref.
func (t *Type) Dart(ref func(t *Type) string) string {
	var b strings.Builder
	t.writeDart(&b, ref)
	return b.String()
}

func (t *Type) write(b *strings.Builder, modelName func(*model.Model) string) {
	t.writeDart(b, func(t *Type) string {
		if t.Kind == Model {
			return modelName(t.Model)
		}
		return t.Name
	})
}

func (t *Type) writeDart(b *strings.Builder, ref func(*Type) string) {
	switch t.Kind {
	case Primitive, Model:
		b.WriteString(ref(t))
	case List, Set:
		b.WriteString(t.Name + "<")
		t.Elem.writeDart(b, ref)
		b.WriteString(">")
	case Map:
		b.WriteString("Map<")
		t.Key.writeDart(b, ref)
		b.WriteString(", ")
		t.Elem.writeDart(b, ref)
		b.WriteString(">")
	case Record:
		pos, named := t.Positional(), t.Named()
		b.WriteString("(")
		for i, f := range pos {
			if i > 0 {
				b.WriteString(", ")
			}
			f.Type.writeDart(b, ref)
		}
		switch {
		case len(named) > 0:
			if len(pos) > 0 {
				b.WriteString(", ")
			}
			b.WriteString("{")
			for i, f := range named {
				if i > 0 {
					b.WriteString(", ")
				}
				f.Type.writeDart(b, ref)
				b.WriteString(" " + f.Name)
			}
			b.WriteString("}")
		case len(pos) == 1:
			b.WriteString(",") // (int,) is a record, (int) is not
		}
		b.WriteString(")")
	}
	if t.Nullable {
		b.WriteString("?")
	}
}

// FromModel returns the endpoint type of a model-language type, in the
// Go form gopod picks by default: map[K]V for maps whose key Go can
// compare, []wire.Entry[K, V] otherwise.
func FromModel(mt *model.Type) (*Type, error) {
	t := &Type{Name: mt.Name, Nullable: mt.Nullable, Model: mt.Model}
	switch {
	case mt.Model != nil:
		t.Kind, t.Name = Model, mt.Model.ClassName
		return t, nil
	case mt.IsPrimitive():
		t.Kind = Primitive
		return t, nil
	}
	args := make([]*Type, len(mt.Args))
	for i, a := range mt.Args {
		var err error
		if args[i], err = FromModel(a); err != nil {
			return nil, err
		}
	}
	switch {
	case (mt.Name == model.TypeList || mt.Name == model.TypeSet) && len(args) == 1:
		t.Kind, t.Elem = List, args[0]
		if mt.Name == model.TypeSet {
			t.Kind = Set
		}
	case mt.Name == model.TypeMap && len(args) == 2:
		t.Kind, t.Key, t.Elem = Map, args[0], args[1]
		t.Entries = !goComparableKey(t.Key)
	default:
		return nil, fmt.Errorf("type %s is not a known model or supported type", mt)
	}
	return t, nil
}

// goComparableKey reports whether a map with key type k is written as a
// Go map by default.
func goComparableKey(k *Type) bool {
	if k.Nullable {
		return false
	}
	switch k.Kind {
	case Primitive:
		switch k.Name {
		case model.TypeURI, model.TypeBigInt, model.TypeByteData:
			return false
		}
		return true
	case Model:
		return k.Model.Kind == model.Enum
	}
	return false
}

// ClassName spells t as a value of its type is tagged on a WebSocket
// stream, as 2.4's protocol names the containers a stream carries:
// List<int>, Map<String,int>?, List<serverpod_auth.UserInfo> (a module's
// model with the module's name). Records have no such name.
func (t *Type) ClassName() string {
	var b strings.Builder
	t.writeClassName(&b)
	return b.String()
}

func (t *Type) writeClassName(b *strings.Builder) {
	switch t.Kind {
	case Model:
		b.WriteString(t.Model.WireClassName())
	case List, Set:
		b.WriteString(t.Name + "<")
		t.Elem.writeClassName(b)
		b.WriteString(">")
	case Map:
		b.WriteString("Map<")
		t.Key.writeClassName(b)
		b.WriteString(",")
		t.Elem.writeClassName(b)
		b.WriteString(">")
	default:
		b.WriteString(t.Name)
	}
	if t.Nullable {
		b.WriteString("?")
	}
}

// IsContainer reports whether t is a List, Set or Map.
func (t *Type) IsContainer() bool { return t.Kind == List || t.Kind == Set || t.Kind == Map }
