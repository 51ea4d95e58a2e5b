package wire

import (
	"bytes"
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// shape is what a Go type does not say about a model-language type: which
// values are nullable and which lists are Sets. It is read from a field's
// wiretype tag, in the model language's spelling: List<Set<int>?>?.
type shape struct {
	nullable bool
	set      bool
	args     []*shape
}

// arg returns the shape of the i-th type argument, a non-nullable plain
// one when the tag says nothing about it.
func (s *shape) arg(i int) *shape {
	if i < len(s.args) {
		return s.args[i]
	}
	return &shape{}
}

func parseShape(s string) (*shape, error) {
	sh, rest, err := parseShapeAt(strings.ReplaceAll(s, " ", ""))
	if err == nil && rest != "" {
		err = fmt.Errorf("invalid wiretype %q: unexpected %q", s, rest)
	}
	return sh, err
}

func parseShapeAt(s string) (*shape, string, error) {
	i := strings.IndexAny(s, "<>,?")
	if i < 0 {
		i = len(s)
	}
	name := s[:i]
	if name == "" {
		return nil, "", fmt.Errorf("invalid wiretype: a type name is missing before %q", s)
	}
	sh := &shape{set: name == "Set"}
	s = s[i:]
	if strings.HasPrefix(s, "<") {
		s = s[1:]
		for {
			a, rest, err := parseShapeAt(s)
			if err != nil {
				return nil, "", err
			}
			sh.args = append(sh.args, a)
			s = rest
			if strings.HasPrefix(s, ",") {
				s = s[1:]
				continue
			}
			if !strings.HasPrefix(s, ">") {
				return nil, "", fmt.Errorf("invalid wiretype: expected '>' at %q", s)
			}
			s = s[1:]
			break
		}
	}
	if strings.HasPrefix(s, "?") {
		sh.nullable = true
		s = s[1:]
	}
	return sh, s, nil
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	uuidType     = reflect.TypeFor[UUID]()
	urlPtrType   = reflect.TypeFor[*url.URL]()
	bigPtrType   = reflect.TypeFor[*big.Int]()
	bytesType    = reflect.TypeFor[[]byte]()
	encodableT   = reflect.TypeFor[Encodable]()
	decodableT   = reflect.TypeFor[Decodable]()
)

// primitive returns the codec of a value of a primitive Go type.
func primitive[T any](enc EncodeFunc[T], dec DecodeFunc[T]) *codec {
	return &codec{
		enc: func(e *Encoder, p unsafe.Pointer) { enc(e, *(*T)(p)) },
		dec: func(v any, p unsafe.Pointer) error {
			x, err := dec(v)
			if err != nil {
				return err
			}
			*(*T)(p) = x
			return nil
		},
	}
}

// typed holds the codecs of a primitive type and of the containers of it
// that models use most, written without reflection.
type typed struct {
	value, ptr, list, stringMap *codec
}

func typedCodecs[T any](enc EncodeFunc[T], dec DecodeFunc[T]) *typed {
	list := EncodeList(enc)
	dlist := DecodeList(dec)
	smap := EncodeStringMap(enc)
	dsmap := DecodeStringMap(dec)
	return &typed{
		value: primitive(enc, dec),
		ptr: &codec{
			enc: func(e *Encoder, p unsafe.Pointer) {
				if x := *(**T)(p); x != nil {
					enc(e, *x)
				} else {
					e.Null()
				}
			},
			dec: func(v any, p unsafe.Pointer) error {
				if v == nil {
					*(**T)(p) = nil
					return nil
				}
				x, err := dec(v)
				if err != nil {
					return err
				}
				*(**T)(p) = &x
				return nil
			},
		},
		list: &codec{
			enc: func(e *Encoder, p unsafe.Pointer) { list(e, *(*[]T)(p)) },
			dec: func(v any, p unsafe.Pointer) error {
				x, err := dlist(v)
				if err != nil {
					return err
				}
				*(*[]T)(p) = x
				return nil
			},
		},
		stringMap: &codec{
			enc: func(e *Encoder, p unsafe.Pointer) { smap(e, *(*map[string]T)(p)) },
			dec: func(v any, p unsafe.Pointer) error {
				x, err := dsmap(v)
				if err != nil {
					return err
				}
				*(*map[string]T)(p) = x
				return nil
			},
		},
	}
}

var primitives = map[reflect.Type]*typed{
	reflect.TypeFor[int64]():   direct(typedCodecs((*Encoder).Int, DecodeInt), intCodec),
	reflect.TypeFor[float64](): typedCodecs((*Encoder).Double, DecodeDouble),
	reflect.TypeFor[bool]():    direct(typedCodecs((*Encoder).Bool, DecodeBool), boolCodec),
	reflect.TypeFor[string]():  direct(typedCodecs((*Encoder).String, DecodeString), stringCodec),
	timeType:                   typedCodecs((*Encoder).DateTime, DecodeDateTime),
	durationType:               typedCodecs((*Encoder).Duration, DecodeDuration),
	uuidType:                   typedCodecs((*Encoder).UUID, DecodeUUID),
	urlPtrType:                 typedCodecs((*Encoder).URI, DecodeURI),
	bigPtrType:                 typedCodecs((*Encoder).BigInt, DecodeBigInt),
	bytesType:                  typedCodecs((*Encoder).ByteData, DecodeByteData),
}

// direct replaces the value codec of t with one that calls no function
// value, for the most common field types.
func direct(t *typed, value *codec) *typed {
	t.value = value
	return t
}

var (
	stringCodec = &codec{
		enc: func(e *Encoder, p unsafe.Pointer) { e.writeString(*(*string)(p)) },
		dec: func(v any, p unsafe.Pointer) error {
			s, ok := v.(string)
			if !ok {
				return mismatch("a String", v)
			}
			*(*string)(p) = s
			return nil
		},
	}
	intCodec = &codec{
		enc: func(e *Encoder, p unsafe.Pointer) { e.buf = strconv.AppendInt(e.buf, *(*int64)(p), 10) },
		dec: func(v any, p unsafe.Pointer) error {
			i, err := DecodeInt(v)
			if err != nil {
				return err
			}
			*(*int64)(p) = i
			return nil
		},
	}
	boolCodec = &codec{
		enc: func(e *Encoder, p unsafe.Pointer) { e.buf = strconv.AppendBool(e.buf, *(*bool)(p)) },
		dec: func(v any, p unsafe.Pointer) error {
			b, ok := v.(bool)
			if !ok {
				return mismatch("a bool", v)
			}
			*(*bool)(p) = b
			return nil
		},
	}
)

// orNull wraps c, the codec of a type with its own nil (slice, map, Uri,
// BigInt), for a nullable value: nil is null both ways.
func orNull(t reflect.Type, c *codec) *codec {
	slice := t.Kind() == reflect.Slice

	return &codec{
		enc: func(e *Encoder, p unsafe.Pointer) {
			if isNil(p) {
				e.Null()
				return
			}
			c.enc(e, p)
		},
		dec: func(v any, p unsafe.Pointer) error {
			if v == nil {
				if slice {
					// The whole header: a nil slice has no length either.
					*(*[]byte)(p) = nil
				} else {
					*(*unsafe.Pointer)(p) = nil
				}
				return nil
			}
			return c.dec(v, p)
		},
	}
}

// codecFor returns the codec of Go type t with shape sh. Planning holds
// planMu.
func codecFor(t reflect.Type, sh *shape) *codec {
	if t.Kind() == reflect.Pointer && t != urlPtrType && t != bigPtrType {
		// A pointer is a nullable value of the type it points to.
		inner := *sh
		inner.nullable = false
		return pointerCodec(t, codecFor(t.Elem(), &inner))
	}
	c := valueCodec(t, sh)
	if sh.nullable && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t == urlPtrType || t == bigPtrType) {
		return orNull(t, c)
	}
	return c
}

func valueCodec(t reflect.Type, sh *shape) *codec {
	if tc, ok := primitives[t]; ok {
		return tc.value
	}
	if t.Kind() == reflect.Struct && planned(t) {
		return structCodec(planLocked(t))
	}
	if d := declaredDef(t); d != nil && d.Values != nil {
		return enumCodec(d)
	}
	if reflect.PointerTo(t).Implements(encodableT) && reflect.PointerTo(t).Implements(decodableT) {
		return methodCodec(t)
	}
	switch t.Kind() {
	case reflect.Slice:
		if isEntry(t.Elem()) {
			return entriesCodec(t, sh)
		}
		if tc, ok := primitives[t.Elem()]; ok && !sh.set && !sh.arg(0).nullable {
			return tc.list
		}
		return sliceCodec(t, sh.set, codecFor(t.Elem(), sh.arg(0)))
	case reflect.Map:
		if t.Key() == reflect.TypeFor[string]() {
			if tc, ok := primitives[t.Elem()]; ok && !sh.arg(1).nullable {
				return tc.stringMap
			}
			return stringMapCodec(t, codecFor(t.Elem(), sh.arg(1)))
		}
		return keyedMapCodec(t, codecFor(t.Key(), sh.arg(0)), codecFor(t.Elem(), sh.arg(1)))
	case reflect.Struct:
		// A generated model without fields: nothing to read but an object.
		if t.NumField() == 0 {
			return structCodec(planLocked(t))
		}
	}
	panic(fmt.Sprintf("wire: %s has no wire form (want a generated model or enum, a type with EncodeJSON and DecodeJSON, or a primitive or container of them)", t))
}

// planned reports whether t is a generated model: a struct with wire tags.
func planned(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if _, ok := sf.Tag.Lookup("wire"); ok {
			return true
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && planned(sf.Type) {
			return true
		}
	}
	return false
}

// structCodec is the codec of a model; plan.decode refuses null itself,
// as it refuses any value that is not an object.
func structCodec(pl *plan) *codec {
	return &codec{enc: pl.encode, dec: pl.decode}
}

// iface is the layout of a non-empty interface value.
type iface struct {
	tab, data unsafe.Pointer
}

// methodCodec calls the EncodeJSON and DecodeJSON of *t. The interface
// values are made from a template by setting their data word, as *t is a
// pointer: no reflection per call.
func methodCodec(t reflect.Type) *codec {
	zero := reflect.Zero(reflect.PointerTo(t))
	encT := zero.Interface().(Encodable)
	decT := zero.Interface().(Decodable)
	return &codec{
		enc: func(e *Encoder, p unsafe.Pointer) {
			x := encT
			(*iface)(unsafe.Pointer(&x)).data = p
			x.EncodeJSON(e)
		},
		dec: func(v any, p unsafe.Pointer) error {
			x := decT
			(*iface)(unsafe.Pointer(&x)).data = p
			return x.DecodeJSON(v)
		},
	}
}

// pointerCodec is the codec of *T, nullable, from that of T.
func pointerCodec(t reflect.Type, elem *codec) *codec {
	if tc, ok := primitives[t.Elem()]; ok {
		return tc.ptr
	}
	et := t.Elem()
	return &codec{
		enc: func(e *Encoder, p unsafe.Pointer) {
			x := *(*unsafe.Pointer)(p)
			if x == nil {
				e.Null()
				return
			}
			elem.enc(e, x)
		},
		dec: func(v any, p unsafe.Pointer) error {
			if v == nil {
				*(*unsafe.Pointer)(p) = nil
				return nil
			}
			x := reflect.New(et).UnsafePointer()
			if err := elem.dec(v, x); err != nil {
				return err
			}
			*(*unsafe.Pointer)(p) = x
			return nil
		},
	}
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// growSlice sets the nil slice of type t at p to n zero items, allocating
// once; an empty result is not nil.
func growSlice(t reflect.Type, p unsafe.Pointer, n int) {
	if n == 0 {
		(*sliceHeader)(p).data = zeroBase
		return
	}
	s := reflect.NewAt(t, p).Elem()
	s.Grow(n)
	s.SetLen(n)
}

// zeroBase is the data of empty slices that are not nil.
var zeroBase = unsafe.Pointer(&struct{}{})

// sliceCodec encodes a slice as a JSON array, decoding a Set refusing
// duplicates.
func sliceCodec(t reflect.Type, set bool, elem *codec) *codec {
	size := t.Elem().Size()
	return &codec{
		enc: func(e *Encoder, p unsafe.Pointer) {
			h := (*sliceHeader)(p)
			e.ArrayStart()
			for i := 0; i < h.len; i++ {
				e.Elem()
				elem.enc(e, unsafe.Add(h.data, uintptr(i)*size))
			}
			e.ArrayEnd()
		},
		dec: func(v any, p unsafe.Pointer) error {
			a, ok := v.([]any)
			if !ok {
				return mismatch("a List", v)
			}
			h := (*sliceHeader)(p)
			*h = sliceHeader{}
			growSlice(t, p, len(a))
			for i, x := range a {
				if err := elem.dec(x, unsafe.Add(h.data, uintptr(i)*size)); err != nil {
					*h = sliceHeader{}
					return AtIndex(err, i)
				}
			}
			if set {
				if err := checkSet(a); err != nil {
					*h = sliceHeader{}
					return err
				}
			}
			return nil
		},
	}
}

// stringMapCodec encodes a map with String keys as a JSON object, keys
// sorted.
func stringMapCodec(t reflect.Type, elem *codec) *codec {
	vt := t.Elem()
	valuesType := reflect.SliceOf(vt)
	return &codec{
		enc: func(e *Encoder, p unsafe.Pointer) {
			m := reflect.NewAt(t, p).Elem()
			n := m.Len()
			vals := reflect.MakeSlice(valuesType, n, n)
			var it reflect.MapIter
			it.Reset(m)
			k := reflect.New(t.Key()).Elem()
			type kv struct {
				k string
				i int
			}
			order := make([]kv, 0, n)
			for i := 0; it.Next(); i++ {
				k.SetIterKey(&it)
				vals.Index(i).SetIterValue(&it)
				order = append(order, kv{k.String(), i})
			}
			slices.SortFunc(order, func(a, b kv) int { return strings.Compare(a.k, b.k) })
			e.ObjectStart()
			for _, o := range order {
				e.Key(o.k)
				elem.enc(e, vals.Index(o.i).Addr().UnsafePointer())
			}
			e.ObjectEnd()
		},
		dec: func(v any, p unsafe.Pointer) error {
			o, ok := v.(map[string]any)
			if !ok {
				return mismatch("a Map", v)
			}
			m := reflect.MakeMapWithSize(t, len(o))
			x := reflect.New(vt).Elem()
			k := reflect.New(t.Key()).Elem()
			for key, item := range o {
				x.SetZero()
				if err := elem.dec(item, x.Addr().UnsafePointer()); err != nil {
					return AtKey(err, key)
				}
				k.SetString(key)
				m.SetMapIndex(k, x)
			}
			*(*unsafe.Pointer)(p) = m.UnsafePointer()
			return nil
		},
	}
}

// keyedMapCodec encodes a map whose keys are not Strings as Serverpod's
// [{"k": key, "v": value}] entries, ordered by the encoded key.
func keyedMapCodec(t reflect.Type, key, elem *codec) *codec {
	kt, vt := t.Key(), t.Elem()
	keysType, valuesType := reflect.SliceOf(kt), reflect.SliceOf(vt)
	return &codec{
		enc: func(e *Encoder, p unsafe.Pointer) {
			m := reflect.NewAt(t, p).Elem()
			n := m.Len()
			keys := reflect.MakeSlice(keysType, n, n)
			vals := reflect.MakeSlice(valuesType, n, n)
			entries := make([]keyedEntry, 0, n)
			sub := &Encoder{Protocol: e.Protocol}
			var it reflect.MapIter
			it.Reset(m)
			for i := 0; it.Next(); i++ {
				keys.Index(i).SetIterKey(&it)
				vals.Index(i).SetIterValue(&it)
				sub.Reset()
				key.enc(sub, keys.Index(i).Addr().UnsafePointer())
				if sub.err != nil {
					e.Fail(sub.err)
					return
				}
				entries = append(entries, keyedEntry{key: bytes.Clone(sub.buf), i: i})
			}
			writeKeyedEntries(e, entries, func(e *Encoder, i int) { elem.enc(e, vals.Index(i).Addr().UnsafePointer()) })
		},
		dec: func(v any, p unsafe.Pointer) error {
			a, ok := v.([]any)
			if !ok {
				return mismatch(`a Map as a list of {"k","v"} entries`, v)
			}
			m := reflect.MakeMapWithSize(t, len(a))
			k := reflect.New(kt).Elem()
			x := reflect.New(vt).Elem()
			for i, item := range a {
				en, ok := item.(map[string]any)
				if !ok {
					return AtIndex(mismatch(`a {"k","v"} entry`, item), i)
				}
				k.SetZero()
				if err := key.dec(en["k"], k.Addr().UnsafePointer()); err != nil {
					return AtIndex(AtKey(err, "k"), i)
				}
				x.SetZero()
				if err := elem.dec(en["v"], x.Addr().UnsafePointer()); err != nil {
					return AtIndex(AtKey(err, "v"), i)
				}
				m.SetMapIndex(k, x)
			}
			*(*unsafe.Pointer)(p) = m.UnsafePointer()
			return nil
		},
	}
}

// isEntry reports whether t is a wire.Entry[K, V].
func isEntry(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.PkgPath() == entryPkg && strings.HasPrefix(t.Name(), "Entry[")
}

var entryPkg = reflect.TypeFor[Entry[int, int]]().PkgPath()

// entriesCodec encodes a []wire.Entry[K, V] as Serverpod's
// [{"k": key, "v": value}], in slice order.
func entriesCodec(t reflect.Type, sh *shape) *codec {
	et := t.Elem()
	kf, vf := et.Field(0), et.Field(1)
	key, elem := codecFor(kf.Type, sh.arg(0)), codecFor(vf.Type, sh.arg(1))
	size := et.Size()
	return &codec{
		enc: func(e *Encoder, p unsafe.Pointer) {
			h := (*sliceHeader)(p)
			e.ArrayStart()
			for i := 0; i < h.len; i++ {
				ep := unsafe.Add(h.data, uintptr(i)*size)
				e.Elem()
				e.ObjectStart()
				e.Key("k")
				key.enc(e, unsafe.Add(ep, kf.Offset))
				e.Key("v")
				elem.enc(e, unsafe.Add(ep, vf.Offset))
				e.ObjectEnd()
			}
			e.ArrayEnd()
		},
		dec: func(v any, p unsafe.Pointer) error {
			a, ok := v.([]any)
			if !ok {
				return mismatch(`a Map as a list of {"k","v"} entries`, v)
			}
			h := (*sliceHeader)(p)
			*h = sliceHeader{}
			growSlice(t, p, len(a))
			for i, x := range a {
				en, ok := x.(map[string]any)
				if !ok {
					*h = sliceHeader{}
					return AtIndex(mismatch(`a {"k","v"} entry`, x), i)
				}
				ep := unsafe.Add(h.data, uintptr(i)*size)
				if err := key.dec(en["k"], unsafe.Add(ep, kf.Offset)); err != nil {
					*h = sliceHeader{}
					return AtIndex(AtKey(err, "k"), i)
				}
				if err := elem.dec(en["v"], unsafe.Add(ep, vf.Offset)); err != nil {
					*h = sliceHeader{}
					return AtIndex(AtKey(err, "v"), i)
				}
			}
			return nil
		},
	}
}
