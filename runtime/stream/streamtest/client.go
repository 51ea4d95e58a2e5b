package streamtest

import (
	"context"
	"iter"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/wire"
)

// This file is written as `gopod generate` is to write a Go client with
// streaming methods (see the package doc of runtime/stream). A generated
// client has models of its own; this one shares the server's.

// Client calls the streamtest server.
type Client struct {
	Caller  *podclient.Caller
	Example *EndpointExample
	Secure  *EndpointSecure
	Relay   *EndpointRelay
}

// NewClient returns a client of the server at host.
func NewClient(host string, opts ...podclient.Option) *Client {
	c := podclient.NewCaller(host, Registry(), opts...)
	return &Client{
		Caller:  c,
		Example: &EndpointExample{caller: c},
		Secure:  &EndpointSecure{caller: c},
		Relay:   &EndpointRelay{caller: c},
	}
}

// EndpointExample calls the example endpoint.
type EndpointExample struct {
	caller *podclient.Caller
}

// Hello is an ordinary method.
func (x *EndpointExample) Hello(ctx context.Context, name string) (string, error) {
	return podclient.Call(ctx, x.caller, "example", "hello", func(e *wire.Encoder) {
		e.Key("name")
		e.String(name)
	}, wire.DecodeString)
}

// CountTo streams the numbers 1 to n.
func (x *EndpointExample) CountTo(ctx context.Context, n int64) iter.Seq2[int64, error] {
	return podclient.Stream(ctx, x.caller, "example", "countTo", func(e *wire.Encoder) {
		e.Key("n")
		e.Int(n)
	}, nil, wire.IntClass)
}

// Echo returns each value of input as it arrives.
func (x *EndpointExample) Echo(ctx context.Context, input iter.Seq2[string, error]) iter.Seq2[string, error] {
	return podclient.Stream(ctx, x.caller, "example", "echo", nil, []podclient.Input{
		podclient.NewInput("input", wire.StringClass, input),
	}, wire.StringClass)
}

// Sum returns the sum of the values.
func (x *EndpointExample) Sum(ctx context.Context, values iter.Seq2[int64, error]) (int64, error) {
	return podclient.StreamValue(ctx, x.caller, "example", "sum", nil, []podclient.Input{
		podclient.NewInput("values", wire.IntClass, values),
	}, wire.IntClass)
}

// Drain reads the values and returns nothing.
func (x *EndpointExample) Drain(ctx context.Context, values iter.Seq2[int64, error]) error {
	return podclient.StreamVoid(ctx, x.caller, "example", "drain", nil, []podclient.Input{
		podclient.NewInput("values", wire.IntClass, values),
	})
}

// First returns the first value and reads no more.
func (x *EndpointExample) First(ctx context.Context, values iter.Seq2[int64, error]) (int64, error) {
	return podclient.StreamValue(ctx, x.caller, "example", "first", nil, []podclient.Input{
		podclient.NewInput("values", wire.IntClass, values),
	}, wire.IntClass)
}

// Merge streams the values of a and b as they arrive from either.
func (x *EndpointExample) Merge(ctx context.Context, a iter.Seq2[int64, error], b iter.Seq2[int64, error]) iter.Seq2[int64, error] {
	return podclient.Stream(ctx, x.caller, "example", "merge", nil, []podclient.Input{
		podclient.NewInput("a", wire.IntClass, a),
		podclient.NewInput("b", wire.IntClass, b),
	}, wire.IntClass)
}

// Fail streams 1 to n, then fails with an Oops exception.
func (x *EndpointExample) Fail(ctx context.Context, n int64) iter.Seq2[int64, error] {
	return podclient.Stream(ctx, x.caller, "example", "fail", func(e *wire.Encoder) {
		e.Key("n")
		e.Int(n)
	}, nil, wire.IntClass)
}

// Crash streams 1, then fails.
func (x *EndpointExample) Crash(ctx context.Context) iter.Seq2[int64, error] {
	return podclient.Stream(ctx, x.caller, "example", "crash", nil, nil, wire.IntClass)
}

// Forever streams 1, then waits for the stream to end.
func (x *EndpointExample) Forever(ctx context.Context) iter.Seq2[int64, error] {
	return podclient.Stream(ctx, x.caller, "example", "forever", nil, nil, wire.IntClass)
}

// Whoami streams the caller's user id (0 when not signed in), then waits.
func (x *EndpointExample) Whoami(ctx context.Context) iter.Seq2[int64, error] {
	return podclient.Stream(ctx, x.caller, "example", "whoami", nil, nil, wire.IntClass)
}

// Nulls echoes nullable values.
func (x *EndpointExample) Nulls(ctx context.Context, input iter.Seq2[*int64, error]) iter.Seq2[*int64, error] {
	return podclient.Stream(ctx, x.caller, "example", "nulls", nil, []podclient.Input{
		podclient.NewInput("input", wire.NullableClass(wire.IntClass), input),
	}, wire.NullableClass(wire.IntClass))
}

// Notes streams n notes.
func (x *EndpointExample) Notes(ctx context.Context, n int64) iter.Seq2[Note, error] {
	return podclient.Stream(ctx, x.caller, "example", "notes", func(e *wire.Encoder) {
		e.Key("n")
		e.Int(n)
	}, nil, wire.ModelClass[Note]())
}

// Listen streams the notes said in room, on any server.
func (x *EndpointExample) Listen(ctx context.Context, room string) iter.Seq2[*Note, error] {
	return podclient.Stream(ctx, x.caller, "example", "listen", func(e *wire.Encoder) {
		e.Key("room")
		e.String(room)
	}, nil, wire.ModelPtrClass[Note]())
}

// Say posts a note in room.
func (x *EndpointExample) Say(ctx context.Context, room string, text string) error {
	return podclient.CallVoid(ctx, x.caller, "example", "say", func(e *wire.Encoder) {
		e.Key("room")
		e.String(room)
		e.Key("text")
		e.String(text)
	})
}

// EndpointSecure calls the secure endpoint.
type EndpointSecure struct {
	caller *podclient.Caller
}

// Watch streams the caller's user id, then waits for the stream to end.
func (x *EndpointSecure) Watch(ctx context.Context) iter.Seq2[int64, error] {
	return podclient.Stream(ctx, x.caller, "secure", "watch", nil, nil, wire.IntClass)
}

// EndpointRelay calls the test module's relay endpoint.
type EndpointRelay struct {
	caller *podclient.Caller
}

// Bracket streams each input value in brackets.
func (x *EndpointRelay) Bracket(ctx context.Context, input iter.Seq2[string, error]) iter.Seq2[string, error] {
	return podclient.Stream(ctx, x.caller, "testmodule.relay", "bracket", nil, []podclient.Input{
		podclient.NewInput("input", wire.StringClass, input),
	}, wire.StringClass)
}
