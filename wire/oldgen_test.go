package wire

// Combinators the generated code before plans called, which the old*
// reference models of the plan tests still do.

// EncodeNullableList writes null for a nil slice, otherwise the array: the
// encoding of a nullable list nested inside a container.
//
//go:noinline
func EncodeNullableList[T any](f EncodeFunc[T]) EncodeFunc[[]T] {
	list := EncodeList(f)
	return func(e *Encoder, v []T) {
		if v == nil {
			e.Null()
			return
		}
		list(e, v)
	}
}

// EncodeNullableByteData writes null for nil bytes, the ByteData form otherwise.
//
//go:noinline
func EncodeNullableByteData(e *Encoder, b []byte) {
	if b == nil {
		e.Null()
		return
	}
	e.ByteData(b)
}

// DecodeOrZero maps JSON null to the zero value of T: the decoder of a
// nullable value whose Go type has its own nil (slices, maps, *url.URL,
// *big.Int, []byte).
//
//go:noinline
func DecodeOrZero[T any](f DecodeFunc[T]) DecodeFunc[T] {
	return func(v any) (T, error) {
		if v == nil {
			var zero T
			return zero, nil
		}
		return f(v)
	}
}
