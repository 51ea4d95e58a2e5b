package wire

import (
	"bytes"
	"reflect"
	"slices"
	"sort"
	"unsafe"
)

// EncodeFunc writes one value of type T.
type EncodeFunc[T any] func(e *Encoder, v T)

// EncodeNullable writes null for a nil pointer and f(*v) otherwise.
//
//go:noinline
func EncodeNullable[T any](f EncodeFunc[T]) EncodeFunc[*T] {
	return func(e *Encoder, v *T) {
		if v == nil {
			e.Null()
			return
		}
		f(e, *v)
	}
}

// EncodeList writes a slice as a JSON array. Lists and sets (which gopod
// keeps as slices) encode the same way. A nil slice is written as [] : the
// generated code omits nullable containers that are nil before calling it.
//
//go:noinline
func EncodeList[T any](f EncodeFunc[T]) EncodeFunc[[]T] {
	return func(e *Encoder, v []T) {
		e.ArrayStart()
		for _, x := range v {
			e.Elem()
			f(e, x)
		}
		e.ArrayEnd()
	}
}

// EncodeStringMap writes a map with String keys as a JSON object, keys
// sorted so that output is deterministic.
//
//go:noinline
func EncodeStringMap[V any](f EncodeFunc[V]) EncodeFunc[map[string]V] {
	return func(e *Encoder, m map[string]V) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.ObjectStart()
		for _, k := range keys {
			e.Key(k)
			f(e, m[k])
		}
		e.ObjectEnd()
	}
}

// EncodeMap writes a map whose keys are not Strings the way Serverpod does:
// an array of {"k": key, "v": value} entries, here ordered by the encoded
// key so that output is deterministic.
//
//go:noinline
func EncodeMap[K comparable, V any](kf EncodeFunc[K], vf EncodeFunc[V]) EncodeFunc[map[K]V] {
	return func(e *Encoder, m map[K]V) {
		keys := make([]K, 0, len(m))
		entries := make([]keyedEntry, 0, len(m))
		sub := &Encoder{Protocol: e.Protocol}
		for k := range m {
			sub.Reset()
			kf(sub, k)
			if sub.err != nil {
				e.Fail(sub.err)
				return
			}
			entries = append(entries, keyedEntry{key: bytes.Clone(sub.buf), i: len(keys)})
			keys = append(keys, k)
		}
		writeKeyedEntries(e, entries, func(e *Encoder, i int) { vf(e, m[keys[i]]) })
	}
}

// keyedEntry is a map entry of a map whose keys are not Strings: its key
// as JSON, and where its key and value are.
type keyedEntry struct {
	key []byte
	i   int
}

// writeKeyedEntries writes entries as Serverpod's [{"k": key, "v": value}]
// list, ordered by their keys' JSON so that output is deterministic;
// value writes the value of the entry at i.
func writeKeyedEntries(e *Encoder, entries []keyedEntry, value func(e *Encoder, i int)) {
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].key, entries[j].key) < 0 })
	e.ArrayStart()
	for _, en := range entries {
		e.Elem()
		e.ObjectStart()
		e.Key("k")
		e.Raw(en.key)
		e.Key("v")
		value(e, en.i)
		e.ObjectEnd()
	}
	e.ArrayEnd()
}

// EncodeModel writes a generated model or enum, or a value of a type that
// encodes itself, held by value.
//
//go:noinline
func EncodeModel[T any](e *Encoder, v T) {
	codecOf(reflect.TypeFor[T]()).enc(e, unsafe.Pointer(&v))
}

// EncodeModelPtr writes a generated model or enum held by pointer, null
// when nil.
//
//go:noinline
func EncodeModelPtr[T any](e *Encoder, v *T) {
	if v == nil {
		e.Null()
		return
	}
	codecOf(reflect.TypeFor[T]()).enc(e, unsafe.Pointer(v))
}

// Marshal encodes v with f in the full (non-protocol) form.
//
//go:noinline
func Marshal[T any](f EncodeFunc[T], v T) ([]byte, error) {
	e := NewEncoder(false)
	f(e, v)
	return e.Bytes()
}

// MarshalProtocol encodes v with f in the wire form.
//
//go:noinline
func MarshalProtocol[T any](f EncodeFunc[T], v T) ([]byte, error) {
	e := NewEncoder(true)
	f(e, v)
	return e.Bytes()
}
