package pod

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gopod/gopod/wire"
)

// Args are the named arguments of one call: the members of the JSON body,
// overridden by URL query parameters (whose values are strings).
type Args struct {
	body  map[string]any
	query url.Values
}

// NewArgs builds arguments from a parsed JSON body and URL query values.
func NewArgs(body map[string]any, query url.Values) *Args {
	return &Args{body: body, query: query}
}

// ArgError is a missing or malformed argument; the server answers 400.
type ArgError struct {
	Name    string
	Missing bool
	Err     error
}

func (e *ArgError) Error() string {
	if e.Missing {
		return "Missing required query parameter: " + e.Name
	}
	return fmt.Sprintf("Invalid value for parameter %s: %v", e.Name, e.Err)
}

func (e *ArgError) Unwrap() error { return e.Err }

// value returns the raw argument, preferring the URL query.
func (a *Args) value(name string) (v any, fromQuery, ok bool) {
	if qs, found := a.query[name]; found && len(qs) > 0 {
		return qs[0], true, true
	}
	v, ok = a.body[name]
	return v, false, ok && v != nil
}

func decodeArg[T any](a *Args, name string, f wire.DecodeFunc[T]) (T, bool, error) {
	v, fromQuery, ok := a.value(name)
	if !ok {
		var zero T
		return zero, false, nil
	}
	x, err := f(v)
	if err != nil && fromQuery {
		// A query string carries every value as text; let non-String
		// parameters be written as JSON there (?count=5, ?ids=[1,2]).
		if parsed, perr := wire.Parse([]byte(v.(string))); perr == nil {
			if y, yerr := f(parsed); yerr == nil {
				return y, true, nil
			}
		}
	}
	if err != nil {
		return x, true, &ArgError{Name: name, Err: err}
	}
	return x, true, nil
}

// Arg reads a required argument.
func Arg[T any](a *Args, name string, f wire.DecodeFunc[T]) (T, error) {
	x, ok, err := decodeArg(a, name, f)
	if err == nil && !ok {
		err = &ArgError{Name: name, Missing: true}
	}
	return x, err
}

// ArgPtr reads a nullable argument into a pointer, nil when absent or null.
func ArgPtr[T any](a *Args, name string, f wire.DecodeFunc[T]) (*T, error) {
	x, ok, err := decodeArg(a, name, f)
	if err != nil || !ok {
		return nil, err
	}
	return &x, nil
}

// Named is embedded in a struct whose fields are an endpoint method's
// named parameters, Dart's {required int x, int? y}: the struct is the
// method's last parameter, its non-pointer fields are required and its
// pointer fields may be left out. A field's wire name is its name with the
// leading capital lower-cased, or its `pod:"name"` tag.
//
//	type SearchParams struct {
//		pod.Named
//		Query string // required String query
//		Limit *int64 // int? limit
//	}
//
//	func (e *BooksEndpoint) Search(s *pod.Session, p SearchParams) ([]protocol.Book, error)
type Named struct{}

// Optional is embedded in a struct whose fields are an endpoint method's
// optional positional parameters, Dart's [int? x]: like Named, but the
// fields are passed in order and every one must be a pointer (nullable).
type Optional struct{}

// ByteDataResult writes a method's ByteData result: as JSON, or, when the
// endpoint sends ByteData as raw (SendByteDataAsRaw), as the response
// body itself. Generated code calls it.
func ByteDataResult(s *Session, e *wire.Encoder, b []byte) {
	if s.sendRaw {
		s.raw = &b
		return
	}
	e.ByteData(b)
}

// NullableByteDataResult is ByteDataResult for ByteData?: null is an empty
// raw body.
func NullableByteDataResult(s *Session, e *wire.Encoder, b *[]byte) {
	if s.sendRaw {
		if b == nil {
			b = &[]byte{}
		}
		s.raw = b
		return
	}
	wire.EncodeNullable((*wire.Encoder).ByteData)(e, b)
}

// ResponseHeader is the header of the call's HTTP response, for an
// endpoint that sends ByteData as raw to set its Content-Type (without
// one, raw bytes go out as text/plain, as in Serverpod). Nil outside a
// call.
func (s *Session) ResponseHeader() http.Header { return s.header }
