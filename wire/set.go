package wire

// Set is Serverpod's Set<T> in endpoint signatures: a slice whose items
// are distinct. It travels as a JSON array, like a List; decoding refuses
// duplicates as Serverpod does. (Models keep their Set fields as plain
// slices; Set gives an endpoint's Set a Go type of its own, so that the
// Dart client says Set and not List.)
type Set[T any] []T

// EncodeSet writes a set as a JSON array.
//
//go:noinline
func EncodeSet[T any](f EncodeFunc[T]) EncodeFunc[Set[T]] {
	list := EncodeList(f)
	return func(e *Encoder, v Set[T]) { list(e, v) }
}

// DecodeSetOf reads a JSON array without duplicates into a Set.
//
//go:noinline
func DecodeSetOf[T any](f DecodeFunc[T]) DecodeFunc[Set[T]] {
	set := DecodeSet(f)
	return func(v any) (Set[T], error) { return set(v) }
}

// RecordFields splits the JSON form of a Dart record, {"p": [positional
// ...], "n": {named ...}}, checking that it has the positional fields the
// record type expects. Generated code decodes each field from the parts.
func RecordFields(v any, positional int) (p []any, n map[string]any, err error) {
	o, err := Object(v)
	if err != nil {
		return nil, nil, err
	}
	if positional > 0 {
		list, ok := o["p"].([]any)
		if !ok || len(list) != positional {
			return nil, nil, AtKey(mismatch("a list of the record's positional fields", o["p"]), "p")
		}
		p = list
	}
	if raw, ok := o["n"]; ok {
		if n, ok = raw.(map[string]any); !ok {
			return nil, nil, AtKey(mismatch("an object of the record's named fields", raw), "n")
		}
	}
	return p, n, nil
}
