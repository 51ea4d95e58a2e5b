package wire

import (
	"fmt"
	"math/big"
	"net/url"
)

// Entry is one key/value pair of a map whose key type Go cannot use as a
// map key (a model, a list, a Uri, ...). Such maps are kept as entry
// slices, in the order they were received.
type Entry[K, V any] struct {
	Key   K
	Value V
}

// EncodeEntries writes entries as Serverpod's [{"k": key, "v": value}].
//
//go:noinline
func EncodeEntries[K, V any](kf EncodeFunc[K], vf EncodeFunc[V]) EncodeFunc[[]Entry[K, V]] {
	return func(e *Encoder, entries []Entry[K, V]) {
		e.ArrayStart()
		for _, en := range entries {
			e.Elem()
			e.ObjectStart()
			e.Key("k")
			kf(e, en.Key)
			e.Key("v")
			vf(e, en.Value)
			e.ObjectEnd()
		}
		e.ArrayEnd()
	}
}

// DecodeEntries reads Serverpod's [{"k": key, "v": value}] form into entries.
//
//go:noinline
func DecodeEntries[K, V any](kf DecodeFunc[K], vf DecodeFunc[V]) DecodeFunc[[]Entry[K, V]] {
	return func(v any) ([]Entry[K, V], error) {
		a, ok := v.([]any)
		if !ok {
			return nil, mismatch(`a Map as a list of {"k","v"} entries`, v)
		}
		out := make([]Entry[K, V], len(a))
		for i, x := range a {
			entry, ok := x.(map[string]any)
			if !ok {
				return nil, AtIndex(mismatch(`a {"k","v"} entry`, x), i)
			}
			k, err := kf(entry["k"])
			if err != nil {
				return nil, AtIndex(AtKey(err, "k"), i)
			}
			val, err := vf(entry["v"])
			if err != nil {
				return nil, AtIndex(AtKey(err, "v"), i)
			}
			out[i] = Entry[K, V]{Key: k, Value: val}
		}
		return out, nil
	}
}

// Ptr returns a pointer to v, for defaults of nullable fields in generated code.
func Ptr[T any](v T) *T { return &v }

// MustParseURI parses a Uri literal that the model analyzer already checked.
func MustParseURI(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(fmt.Sprintf("wire: invalid Uri literal %q: %v", s, err))
	}
	return u
}

// MustParseBigInt parses a BigInt literal that the model analyzer already checked.
func MustParseBigInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(fmt.Sprintf("wire: invalid BigInt literal %q", s))
	}
	return n
}
