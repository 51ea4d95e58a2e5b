package wire

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// DecodeFunc reads one value of type T from a parsed JSON tree.
type DecodeFunc[T any] func(v any) (T, error)

// Error is a decoding failure with the path to the offending value, e.g.
// `items[2].name: expected a String, got a number`.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// AtKey prefixes err's path with an object key.
func AtKey(err error, key string) error { return at(err, key, false) }

// AtIndex prefixes err's path with an array index.
func AtIndex(err error, i int) error { return at(err, "["+strconv.Itoa(i)+"]", true) }

func at(err error, seg string, index bool) error {
	var we *Error
	if !errors.As(err, &we) {
		return &Error{Path: seg, Msg: err.Error()}
	}
	p := seg
	switch {
	case we.Path == "":
	case strings.HasPrefix(we.Path, "["):
		p += we.Path
	default:
		p += "." + we.Path
	}
	return &Error{Path: p, Msg: we.Msg}
}

func mismatch(want string, v any) error {
	return &Error{Msg: "expected " + want + ", got " + describe(v)}
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a bool"
	case json.Number:
		return "the number " + v.String()
	case string:
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return fmt.Sprintf("the string %q", v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// DecodeBool reads a bool.
func DecodeBool(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, mismatch("a bool", v)
	}
	return b, nil
}

// DecodeInt reads a 64-bit integer. Like Dart's `as int`, a number with a
// fraction is refused; an integral value written as 1.0 is accepted since
// JavaScript clients cannot tell the two apart.
func DecodeInt(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, mismatch("an int", v)
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, mismatch("an int", v)
	}
	return int64(f), nil
}

// DecodeDouble reads a double; integers are accepted.
func DecodeDouble(v any) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, mismatch("a double", v)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, mismatch("a double", v)
	}
	return f, nil
}

// DecodeString reads a string.
func DecodeString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", mismatch("a String", v)
	}
	return s, nil
}

// DecodeDateTime reads a DateTime string in any form Dart's DateTime.parse
// accepts. A time without a zone is taken as UTC (Dart would take local
// time, which a server cannot know).
func DecodeDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, mismatch("a DateTime string", v)
	}
	t, err := ParseDateTime(s)
	if err != nil {
		return time.Time{}, &Error{Msg: err.Error()}
	}
	return t, nil
}

// DecodeDuration reads a Duration sent as integer milliseconds.
func DecodeDuration(v any) (time.Duration, error) {
	ms, err := DecodeInt(v)
	if err != nil {
		return 0, mismatch("a Duration in milliseconds", v)
	}
	const maxMS = math.MaxInt64 / int64(time.Millisecond)
	if ms > maxMS || ms < -maxMS {
		return 0, &Error{Msg: fmt.Sprintf("duration of %d ms is out of range (at most %d ms)", ms, maxMS)}
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// DecodeUUID reads a UuidValue string.
func DecodeUUID(v any) (UUID, error) {
	s, ok := v.(string)
	if !ok {
		return UUID{}, mismatch("a UuidValue string", v)
	}
	u, err := ParseUUID(s)
	if err != nil {
		return UUID{}, &Error{Msg: err.Error()}
	}
	return u, nil
}

// DecodeURI reads a Uri string.
func DecodeURI(v any) (*url.URL, error) {
	s, ok := v.(string)
	if !ok {
		return nil, mismatch("a Uri string", v)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("invalid Uri %q: %v", s, err)}
	}
	return u, nil
}

// DecodeBigInt reads a BigInt sent as a decimal string.
func DecodeBigInt(v any) (*big.Int, error) {
	s, ok := v.(string)
	if !ok {
		return nil, mismatch("a BigInt string", v)
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, &Error{Msg: fmt.Sprintf("invalid BigInt %q", s)}
	}
	return n, nil
}

// DecodeByteData reads Serverpod's decode('<base64>', 'base64') string. Plain
// base64 is accepted too.
func DecodeByteData(v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, mismatch("a ByteData string", v)
	}
	const prefix, suffix = "decode('", "', 'base64')"
	if strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix) && len(s) >= len(prefix)+len(suffix) {
		s = s[len(prefix) : len(s)-len(suffix)]
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("invalid ByteData: %v", err)}
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// DecodeNullable returns nil for JSON null and a pointer to f's result
// otherwise.
//
//go:noinline
func DecodeNullable[T any](f DecodeFunc[T]) DecodeFunc[*T] {
	return func(v any) (*T, error) {
		if v == nil {
			return nil, nil
		}
		x, err := f(v)
		if err != nil {
			return nil, err
		}
		return &x, nil
	}
}

// DecodeList reads a JSON array. The result is never nil, so an empty list
// stays distinguishable from a missing nullable one.
//
//go:noinline
func DecodeList[T any](f DecodeFunc[T]) DecodeFunc[[]T] {
	return func(v any) ([]T, error) {
		a, ok := v.([]any)
		if !ok {
			return nil, mismatch("a List", v)
		}
		out := make([]T, len(a))
		for i, x := range a {
			y, err := f(x)
			if err != nil {
				return nil, AtIndex(err, i)
			}
			out[i] = y
		}
		return out, nil
	}
}

// DecodeSet reads a JSON array as a Set and, like Serverpod, refuses
// duplicate items.
//
//go:noinline
func DecodeSet[T any](f DecodeFunc[T]) DecodeFunc[[]T] {
	list := DecodeList(f)
	return func(v any) ([]T, error) {
		out, err := list(v)
		if err != nil {
			return nil, err
		}
		if err := checkSet(v.([]any)); err != nil {
			return nil, err
		}
		return out, nil
	}
}

// checkSet refuses a list with duplicate items, as Serverpod's Set does.
func checkSet(a []any) error {
	seen := make(map[string]int, len(a))
	for i, x := range a {
		key, err := json.Marshal(x)
		if err != nil {
			return AtIndex(err, i)
		}
		if j, dup := seen[string(key)]; dup {
			return &Error{Msg: fmt.Sprintf("input list for Set contained duplicate items (at %d and %d)", j, i)}
		}
		seen[string(key)] = i
	}
	return nil
}

// DecodeStringMap reads a JSON object as a map with String keys.
//
//go:noinline
func DecodeStringMap[V any](f DecodeFunc[V]) DecodeFunc[map[string]V] {
	return func(v any) (map[string]V, error) {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, mismatch("a Map", v)
		}
		out := make(map[string]V, len(o))
		for k, x := range o {
			y, err := f(x)
			if err != nil {
				return nil, AtKey(err, k)
			}
			out[k] = y
		}
		return out, nil
	}
}

// DecodeMap reads a map with non-String keys from Serverpod's
// [{"k": key, "v": value}] form.
//
//go:noinline
func DecodeMap[K comparable, V any](kf DecodeFunc[K], vf DecodeFunc[V]) DecodeFunc[map[K]V] {
	entries := DecodeEntries(kf, vf)
	return func(v any) (map[K]V, error) {
		list, err := entries(v)
		if err != nil {
			return nil, err
		}
		out := make(map[K]V, len(list))
		for _, e := range list {
			out[e.Key] = e.Value
		}
		return out, nil
	}
}

// Decodable is implemented by generated models, exceptions and enums.
type Decodable interface {
	DecodeJSON(v any) error
}

// DecodeModel reads a generated model, exception or enum, or a value of a
// type that decodes itself.
//
//go:noinline
func DecodeModel[T any](v any) (T, error) {
	var x T
	err := codecOf(reflect.TypeFor[T]()).dec(v, unsafe.Pointer(&x))
	return x, err
}

// DecodeModelPtr reads a generated model or enum into a pointer, nil for
// JSON null.
//
//go:noinline
func DecodeModelPtr[T any](v any) (*T, error) {
	if v == nil {
		return nil, nil
	}
	x := new(T)
	if err := codecOf(reflect.TypeFor[T]()).dec(v, unsafe.Pointer(x)); err != nil {
		return nil, err
	}
	return x, nil
}

// Object asserts that v is a JSON object.
//
//go:noinline
func Object(v any) (map[string]any, error) {
	o, ok := v.(map[string]any)
	if !ok {
		return nil, mismatch("an object", v)
	}
	return o, nil
}

// Field reads a required member of a model: missing or null is an error.
//
//go:noinline
func Field[T any](o map[string]any, key string, f DecodeFunc[T]) (T, error) {
	v, ok := o[key]
	if !ok || v == nil {
		var zero T
		return zero, &Error{Path: key, Msg: "missing required field"}
	}
	x, err := f(v)
	if err != nil {
		return x, AtKey(err, key)
	}
	return x, nil
}

// FieldPtr reads a nullable member into a pointer: nil when missing or null.
//
//go:noinline
func FieldPtr[T any](o map[string]any, key string, f DecodeFunc[T]) (*T, error) {
	v, ok := o[key]
	if !ok || v == nil {
		return nil, nil
	}
	x, err := f(v)
	if err != nil {
		return nil, AtKey(err, key)
	}
	return &x, nil
}

// FieldOrZero reads a nullable member whose Go type has its own nil (slices,
// maps, *url.URL, *big.Int, []byte): the zero value when missing or null.
//
//go:noinline
func FieldOrZero[T any](o map[string]any, key string, f DecodeFunc[T]) (T, error) {
	v, ok := o[key]
	if !ok || v == nil {
		var zero T
		return zero, nil
	}
	x, err := f(v)
	if err != nil {
		return x, AtKey(err, key)
	}
	return x, nil
}
