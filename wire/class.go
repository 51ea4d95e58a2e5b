package wire

import (
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"time"
)

// Class describes how the values of one Go type travel type-tagged, as
// {"className": ..., "data": ...}: the form of every value on Serverpod's
// WebSocket streams. Server and client stream code is generic over it, so
// generated code names a stream's element type once, as a Class.
//
// A null value travels with the class name "null", whatever its type, as
// Serverpod's wrapWithClassName writes it; a nullable type is a Class whose
// IsNull says which of its values are null.
type Class[T any] struct {
	// Name is the class name of a non-null value: int, String, Example,
	// serverpod_auth.UserInfo, List<int>.
	Name   string
	Encode EncodeFunc[T]
	Decode DecodeFunc[T]
	// IsNull reports whether v is null on the wire; nil when no value is.
	IsNull func(v T) bool
}

// EncodeTagged writes v type-tagged.
func (c Class[T]) EncodeTagged(e *Encoder, v T) {
	if c.IsNull != nil && c.IsNull(v) {
		e.Tagged("null", (*Encoder).Null)
		return
	}
	e.ObjectStart()
	e.Key("className")
	e.writeString(c.Name)
	e.Key("data")
	c.Encode(e, v)
	e.ObjectEnd()
}

// DecodeTagged reads a type-tagged value. The class name is not compared
// with Name: a peer may spell a container or module class differently,
// and the data alone decides whether the value fits. A "null" value
// decodes as JSON null, which only nullable types accept.
func (c Class[T]) DecodeTagged(t Tagged) (T, error) {
	if t.ClassName == "null" {
		return c.Decode(nil)
	}
	x, err := c.Decode(t.Data)
	if err != nil {
		return x, AtKey(err, "data")
	}
	return x, nil
}

// The classes of Serverpod's built-in types.
var (
	IntClass      = Class[int64]{Name: "int", Encode: (*Encoder).Int, Decode: DecodeInt}
	DoubleClass   = Class[float64]{Name: "double", Encode: (*Encoder).Double, Decode: DecodeDouble}
	BoolClass     = Class[bool]{Name: "bool", Encode: (*Encoder).Bool, Decode: DecodeBool}
	StringClass   = Class[string]{Name: "String", Encode: (*Encoder).String, Decode: DecodeString}
	DateTimeClass = Class[time.Time]{Name: "DateTime", Encode: (*Encoder).DateTime, Decode: DecodeDateTime}
	DurationClass = Class[time.Duration]{Name: "Duration", Encode: (*Encoder).Duration, Decode: DecodeDuration}
	UUIDClass     = Class[UUID]{Name: "UuidValue", Encode: (*Encoder).UUID, Decode: DecodeUUID}
	URIClass      = Class[*url.URL]{Name: "Uri", Encode: (*Encoder).URI, Decode: DecodeURI, IsNull: func(u *url.URL) bool { return u == nil }}
	BigIntClass   = Class[*big.Int]{Name: "BigInt", Encode: (*Encoder).BigInt, Decode: DecodeBigInt, IsNull: func(b *big.Int) bool { return b == nil }}
	ByteDataClass = Class[[]byte]{Name: "ByteData", Encode: (*Encoder).ByteData, Decode: DecodeByteData}
)

// NullableClass is the nullable form of c, held by pointer: nil is null.
func NullableClass[T any](c Class[T]) Class[*T] {
	return Class[*T]{
		Name:   c.Name,
		Encode: EncodeNullable(c.Encode),
		Decode: DecodeNullable(c.Decode),
		IsNull: func(v *T) bool { return v == nil },
	}
}

// ModelClass is the class of a generated model, exception or enum, held
// by value. Its name comes from the type's declaration (see ClassNameOf).
func ModelClass[T any]() Class[T] {
	return Class[T]{Name: classNameOf[T](), Encode: EncodeModel[T], Decode: DecodeModel[T]}
}

// ModelPtrClass is the class of a nullable generated model, held by
// pointer: nil is null.
func ModelPtrClass[T any]() Class[*T] {
	return Class[*T]{
		Name:   classNameOf[T](),
		Encode: EncodeModelPtr[T],
		Decode: DecodeModelPtr[T],
		IsNull: func(v *T) bool { return v == nil },
	}
}

// classNameOf is the class name of T, which generated code only asks of
// types it declared: a type without one is a bug, reported when the
// server's dispatch or the client is made.
func classNameOf[T any]() string {
	name, ok := ClassNameOf((*T)(nil))
	if !ok {
		panic(fmt.Sprintf("wire: %s has no class name: it is neither declared nor has a ClassName method", reflect.TypeFor[T]()))
	}
	return name
}
