package wire

import (
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// The plan codec encodes and decodes generated models from their struct
// tags, so that generated packages hold declarations and data rather than
// a pair of functions per model: large projects compile several times
// faster. For each struct type it builds once (cached, safe for concurrent
// use) a plan: the fields in wire order, each with its key, its offset and
// the encoder and decoder of its Go type. Calls then do no reflection.
//
// A generated model field is tagged
//
//	wire:"name[,null][,serverOnly]"
//
// null marks a nullable field: nil is left out when encoding and missing
// or null is allowed when decoding. serverOnly marks a field that the wire
// (protocol) form leaves out. wiretype:"..." spells the model-language
// type when the Go type alone does not say how it travels (a Set, or a
// nullable list, map, Uri, BigInt or ByteData inside a container).
// wiredefault:"..." is the default of a nullable field, applied when the
// field is missing or null: a literal in the form its type reads (a
// Duration in milliseconds, an enum value by index; now and random for
// DateTime and UuidValue).
//
// A model held in another travels by its own plan, a declared enum (see
// Declare) by its value names; types whose pointer has EncodeJSON and
// DecodeJSON (custom classes, hand-written types) through those methods.

// decoderOf returns the registry decoder of the type that ptr (a nil
// pointer such as (*Example)(nil)) points to: it decodes a value and
// returns it by value, or by pointer (the form in which exceptions are
// errors).
//
// A generated model's plan is built here, when its package's registry is
// made, so that a struct tag package wire cannot read fails at start.
func decoderOf(ptr any, byPointer bool) DecodeFunc[any] {
	t := reflect.TypeOf(ptr).Elem()
	prepare(t)
	return func(v any) (any, error) {
		x := reflect.New(t)
		err := DecodeInto(v, x.Interface())
		if byPointer {
			return x.Interface(), err
		}
		return x.Elem().Interface(), err
	}
}

// prepare builds t's plan if t is a generated model.
func prepare(t reflect.Type) {
	if t.Kind() == reflect.Struct && (planned(t) || t.NumField() == 0) {
		planOf(t)
	}
}

// DecodeInto reads v into dst, a pointer to a model, enum or container of
// them: through dst's DecodeJSON when it has one, otherwise by its type's
// codec.
func DecodeInto(v any, dst any) error {
	if d, ok := dst.(Decodable); ok {
		return d.DecodeJSON(v)
	}
	t := reflect.TypeOf(dst)
	p := (*eface)(unsafe.Pointer(&dst)).data
	if t == nil || t.Kind() != reflect.Pointer || p == nil {
		return fmt.Errorf("wire: decoding needs a non-nil pointer, not %T", dst)
	}
	c, err := tryCodecOf(t.Elem())
	if err != nil {
		return err
	}
	return c.dec(v, p)
}

// eface is the layout of an interface value.
type eface struct {
	typ, data unsafe.Pointer
}

// plan is how one struct type travels.
type plan struct {
	fields []fieldPlan
}

type fieldPlan struct {
	name       string
	key        []byte // "name":
	offset     uintptr
	nullable   bool
	serverOnly bool
	// enc and dec are the field's codec's, held here to save an
	// indirection per field.
	enc func(e *Encoder, p unsafe.Pointer)
	dec func(v any, p unsafe.Pointer) error
	def func(p unsafe.Pointer) // sets the default, nil when none
}

// codec encodes and decodes the value at p of one Go type.
type codec struct {
	enc func(e *Encoder, p unsafe.Pointer)
	// dec reads v into p; v is never nil for a non-nullable codec's
	// caller-checked uses, but codecs must handle nil themselves (a null
	// inside a container).
	dec func(v any, p unsafe.Pointer) error
}

var (
	plans   sync.Map // reflect.Type → *plan
	planMu  sync.Mutex
	pending map[reflect.Type]*plan // plans being built, under planMu
)

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	planMu.Lock()
	defer planMu.Unlock()
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	var p *plan
	building(func() { p = buildPlan(t) })
	return p
}

// building runs build, which holds planMu, with an empty set of pending
// plans, then publishes the plans it built. Plans refer to each other (a
// model holding a list of itself), so they are published together once
// all are complete; a build that panics publishes none.
func building(build func()) {
	pending = map[reflect.Type]*plan{}
	defer func() { pending = nil }()
	build()
	for t, q := range pending {
		plans.LoadOrStore(t, q)
	}
}

// planLocked returns t's plan while planMu is held, building it if needed.
func planLocked(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := pending[t]; ok {
		return p
	}
	return buildPlan(t)
}

func buildPlan(t reflect.Type) *plan {
	p := &plan{}
	pending[t] = p
	p.fields = collectFields(t, 0)
	return p
}

// collectFields lists the tagged fields of t in wire order: a class's own
// id comes before the fields it inherits (the embedded struct of its
// parent), the rest of its own fields after them, as in Serverpod.
func collectFields(t reflect.Type, base uintptr) []fieldPlan {
	var all, inherited []fieldPlan
	hasParent := false
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("wire")
		if !ok {
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
				hasParent = true
				inherited = append(inherited, collectFields(sf.Type, base+sf.Offset)...)
			}
			continue
		}
		if tag != "-" {
			all = append(all, buildField(t, sf, tag, base))
		}
	}
	if !hasParent {
		return all
	}
	var out, own []fieldPlan
	for _, f := range all {
		if f.name == "id" {
			out = append(out, f)
		} else {
			own = append(own, f)
		}
	}
	return append(append(out, inherited...), own...)
}

func buildField(t reflect.Type, sf reflect.StructField, tag string, base uintptr) fieldPlan {
	parts := strings.Split(tag, ",")
	f := fieldPlan{name: parts[0], offset: base + sf.Offset}
	for _, flag := range parts[1:] {
		switch flag {
		case "null":
			f.nullable = true
		case "serverOnly":
			f.serverOnly = true
		default:
			panic(fmt.Sprintf("wire: field %s of %s: unknown flag %q in its wire tag", sf.Name, t, flag))
		}
	}
	if k := sf.Type.Kind(); f.nullable && k != reflect.Pointer && k != reflect.Slice && k != reflect.Map {
		// null is read as a nil pointer, slice or map: on any other
		// type the plan would read a word of the value as one.
		panic(fmt.Sprintf("wire: field %s of %s: null in its wire tag, but a %s cannot be nil", sf.Name, t, sf.Type))
	}
	var e Encoder
	e.writeString(f.name)
	f.key = append(e.buf, ':')
	var sh *shape
	if s, ok := sf.Tag.Lookup("wiretype"); ok {
		var err error
		if sh, err = parseShape(s); err != nil {
			panic(fmt.Sprintf("wire: field %s of %s: %v", sf.Name, t, err))
		}
	}
	ft := sf.Type
	if sh == nil {
		sh = &shape{nullable: f.nullable}
	} else if sh.nullable != f.nullable {
		// The plan skips and clears the field by its null flag, the codec
		// by the shape: were they to disagree, a null would fail to clear
		// the field, or a nil list would be written as null.
		panic(fmt.Sprintf("wire: field %s of %s: its wiretype and the null flag of its wire tag disagree on whether it is nullable", sf.Name, t))
	}
	c := codecFor(ft, sh)
	f.enc, f.dec = c.enc, c.dec
	if d, ok := sf.Tag.Lookup("wiredefault"); ok {
		def, err := defaultSetter(ft, d)
		if err != nil {
			panic(fmt.Sprintf("wire: field %s of %s: %v", sf.Name, t, err))
		}
		f.def = def
	}
	return f
}

// isNil reports whether the pointer, slice or map at p is nil.
func isNil(p unsafe.Pointer) bool { return *(*unsafe.Pointer)(p) == nil }

func (pl *plan) encode(e *Encoder, p unsafe.Pointer) {
	e.buf = append(e.buf, '{')
	first := true
	for i := range pl.fields {
		f := &pl.fields[i]
		if f.serverOnly && e.Protocol {
			continue
		}
		fp := unsafe.Add(p, f.offset)
		if f.nullable && isNil(fp) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, f.key...)
		f.enc(e, fp)
	}
	e.buf = append(e.buf, '}')
}

func (pl *plan) decode(v any, p unsafe.Pointer) error {
	o, ok := v.(map[string]any)
	if !ok {
		return mismatch("an object", v)
	}
	for i := range pl.fields {
		f := &pl.fields[i]
		fp := unsafe.Add(p, f.offset)
		x, ok := o[f.name]
		if !ok || x == nil {
			if !f.nullable {
				return &Error{Path: f.name, Msg: "missing required field"}
			}
			// Sets it to nil: a nullable field's codec takes null (see
			// buildField), so there is no error to lose.
			f.dec(nil, fp)
			if f.def != nil {
				f.def(fp)
			}
			continue
		}
		if err := f.dec(x, fp); err != nil {
			return AtKey(err, f.name)
		}
	}
	return nil
}

// defaultSetter returns the function that gives a nullable field of type
// t its default, lit in the form the generator writes it.
func defaultSetter(t reflect.Type, lit string) (func(p unsafe.Pointer), error) {
	switch t {
	case urlPtrType:
		if _, err := url.Parse(lit); err != nil {
			return nil, fmt.Errorf("invalid Uri default %q: %w", lit, err)
		}
		return func(p unsafe.Pointer) { *(**url.URL)(p) = MustParseURI(lit) }, nil
	case bigPtrType:
		if _, ok := new(big.Int).SetString(lit, 10); !ok {
			return nil, fmt.Errorf("invalid BigInt default %q", lit)
		}
		return func(p unsafe.Pointer) { *(**big.Int)(p) = MustParseBigInt(lit) }, nil
	}
	if t.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("a default needs a nullable field held by pointer, not %s", t)
	}
	et := t.Elem()
	// value gives the default, of type et; the setter below copies it into
	// a new variable, so that decoded models never share it.
	var value func() reflect.Value
	constant := func(v any) func() reflect.Value {
		c := reflect.ValueOf(v).Convert(et)
		return func() reflect.Value { return c }
	}
	var err error
	switch {
	case et == timeType && lit == "now":
		value = func() reflect.Value { return reflect.ValueOf(time.Now()) }
	case et == timeType:
		var ts time.Time
		ts, err = ParseDateTime(lit)
		value = constant(ts)
	case et == durationType:
		var ms int64
		ms, err = strconv.ParseInt(lit, 10, 64)
		value = constant(time.Duration(ms) * time.Millisecond)
	case et == uuidType && lit == "random":
		value = func() reflect.Value { return reflect.ValueOf(NewUUID()) }
	case et == uuidType:
		var u UUID
		u, err = ParseUUID(lit)
		value = constant(u)
	case et.Kind() == reflect.Int64 || et.Kind() == reflect.Int:
		// An int, or an enum value by index.
		var n int64
		n, err = strconv.ParseInt(lit, 10, 64)
		value = constant(n)
	case et.Kind() == reflect.Float64:
		var f float64
		f, err = strconv.ParseFloat(lit, 64)
		value = constant(f)
	case et.Kind() == reflect.Bool:
		var b bool
		b, err = strconv.ParseBool(lit)
		value = constant(b)
	case et.Kind() == reflect.String:
		value = constant(lit)
	default:
		return nil, fmt.Errorf("type %s cannot have a default", et)
	}
	if err != nil {
		return nil, fmt.Errorf("invalid default %q: %w", lit, err)
	}
	return func(p unsafe.Pointer) {
		x := reflect.New(et)
		x.Elem().Set(value())
		*(*unsafe.Pointer)(p) = x.UnsafePointer()
	}, nil
}
