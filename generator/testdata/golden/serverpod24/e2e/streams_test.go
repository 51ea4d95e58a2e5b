package e2e

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gopod/gopod/wire"

	"serverpod24/client"
)

// values is a stream of the given values.
func values[T any](vs ...T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// collect reads a stream to its end.
func collect[T any](t *testing.T, name string, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return out
		}
		out = append(out, v)
	}
	return out
}

// echoStream sends vs through a method that streams its input back and
// checks that each comes back as sent.
func echoStream[T any](t *testing.T, name string, call func(context.Context, iter.Seq2[T, error]) iter.Seq2[T, error], vs ...T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got := collect(t, name, call(ctx, values(vs...))); !reflect.DeepEqual(got, vs) {
		t.Errorf("%s streamed back %#v, want %#v", name, got, vs)
	}
}

// TestStreams calls each shape of 2.4's method streaming through the
// generated Go client and dispatch, over /v1/websocket.
func TestStreams(t *testing.T) {
	cl := serve(t)
	c := cl.MethodStreaming
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if got := collect(t, "simpleStream", c.SimpleStream(ctx)); !slices.Equal(got, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("simpleStream: %v", got)
	}
	if got := collect(t, "intStreamFromValue", c.IntStreamFromValue(ctx, 3)); !slices.Equal(got, []int64{0, 1, 2}) {
		t.Errorf("intStreamFromValue: %v", got)
	}
	if got := collect(t, "simpleDataStream", c.SimpleDataStream(ctx, 2)); !reflect.DeepEqual(got, []client.SimpleData{{Num: 0}, {Num: 1}}) {
		t.Errorf("simpleDataStream: %v", got)
	}
	echoStream(t, "intEchoStream", c.IntEchoStream, 1, 2, 3)
	echoStream(t, "nullableIntEchoStream", c.NullableIntEchoStream, ptr[int64](1), nil)
	echoStream(t, "simpleInOutDataStream", c.SimpleInOutDataStream, client.SimpleData{Num: 7})
	echoStream(t, "simpleListInOutIntStream", c.SimpleListInOutIntStream, []int64{1, 2}, []int64{})
	echoStream(t, "simpleListInOutDataStream", c.SimpleListInOutDataStream, []client.SimpleData{{Num: 1}})
	echoStream(t, "simpleNullableListInOutNullableDataStream", c.SimpleNullableListInOutNullableDataStream, &[]client.SimpleData{{Num: 1}}, nil)
	echoStream(t, "simpleListInOutNullableDataStream", c.SimpleListInOutNullableDataStream, []*client.SimpleData{{Num: 1}, nil})
	echoStream(t, "simpleSetInOutIntStream", c.SimpleSetInOutIntStream, wire.Set[int64]{1, 2})
	echoStream(t, "simpleSetInOutDataStream", c.SimpleSetInOutDataStream, wire.Set[client.SimpleData]{{Num: 2}})
	if got := collect(t, "nestedSetInListInOutDataStream", c.NestedSetInListInOutDataStream(ctx, values([]wire.Set[client.SimpleData]{{{Num: 1}}, {{Num: 2}}}))); len(got) != 2 {
		t.Errorf("nestedSetInListInOutDataStream: %v", got)
	}
	if got := collect(t, "multipleIntEchoStreams", c.MultipleIntEchoStreams(ctx, values[int64](1, 2), values[int64](3))); len(got) != 3 {
		t.Errorf("multipleIntEchoStreams: %v", got)
	}

	if v, err := c.IntReturnFromStream(ctx, values[int64](5, 6)); err != nil || v != 5 {
		t.Errorf("intReturnFromStream: %v, %v", v, err)
	}
	if v, err := c.NullableIntReturnFromStream(ctx, values[*int64](nil)); err != nil || v != nil {
		t.Errorf("nullableIntReturnFromStream: %v, %v", v, err)
	}
	if err := c.VoidReturnAfterStream(ctx, values[int64](1, 2)); err != nil {
		t.Errorf("voidReturnAfterStream: %v", err)
	}
	if v, err := cl.MethodSignaturePermutations.EchoNamedArgStreamAsFuture(ctx, client.EchoNamedArgStreamAsFutureParams{Strings: values("a", "b")}); err != nil || v != "a" {
		t.Errorf("echoNamedArgStreamAsFuture: %q, %v", v, err)
	}
	echoStream(t, "echoPositionalArgStream", cl.MethodSignaturePermutations.EchoPositionalArgStream, "x", "y")

	var exc *client.ExceptionWithData
	if err := c.ThrowsSerializableExceptionVoid(ctx, values[int64]()); !errors.As(err, &exc) || exc.Message != "Throwing an exception" {
		t.Errorf("throwsSerializableExceptionVoid: %v", err)
	}
	for _, err := range c.OutStreamThrowsSerializableException(ctx) {
		if !errors.As(err, &exc) {
			t.Errorf("outStreamThrowsSerializableException: %v", err)
		}
	}
	for _, err := range c.OutStreamThrowsException(ctx) {
		if err == nil || errors.As(err, &exc) {
			t.Errorf("outStreamThrowsException: %v, want an error that is no exception", err)
		}
	}
	// An ordinary method answers over HTTP still.
	if v, err := c.DoubleInputValue(ctx, 21); err != nil || v != 42 {
		t.Errorf("doubleInputValue: %v, %v", v, err)
	}
	// The admin endpoint refuses a caller who is not signed in.
	for _, err := range cl.AuthenticatedMethodStreaming.SimpleStream(ctx) {
		if err == nil {
			t.Error("authenticatedMethodStreaming.simpleStream streamed to a caller who is not signed in")
		}
		break
	}
}
