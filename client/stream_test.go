package client_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/runtime/stream/streamtest"
	"github.com/gopod/gopod/wire"
)

// The tests below run the Go client against a real server serving the
// streamtest project, through the client code generated code will be.

const guard = 10 * time.Second

func collect[T any](t *testing.T, seq iter.Seq2[T, error]) ([]T, error) {
	t.Helper()
	var got []T
	for v, err := range seq {
		if err != nil {
			return got, err
		}
		got = append(got, v)
	}
	return got, nil
}

// values yields vs.
func values[T any](vs ...T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// fromChan yields what arrives on ch until it closes: an input fed
// interactively.
func fromChan[T any](ch <-chan T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v := range ch {
			if !yield(v, nil) {
				return
			}
		}
	}
}

func event(t *testing.T, s *streamtest.Server) string {
	t.Helper()
	select {
	case e := <-s.Endpoints.Example.Events:
		return e
	case <-time.After(guard):
		t.Fatal("the endpoint reported nothing")
		return ""
	}
}

func TestCountTo(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	got, err := collect(t, c.Example.CountTo(context.Background(), 5))
	if err != nil || !slices.Equal(got, []int64{1, 2, 3, 4, 5}) {
		t.Fatalf("got %v, %v", got, err)
	}
	// The client closes the socket when its last stream ends, as
	// serverpod_client does.
	waitUntil(t, func() bool { return s.Pod.Streams().Connections() == 0 })
}

// TestEcho feeds the input interactively: each value comes back before
// the next is sent, so the stream is not collected and replayed.
func TestEcho(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	words := []string{"hello", "streaming", "world"}
	in, echoed := make(chan string), make(chan struct{})
	go func() {
		defer close(in)
		for _, w := range words {
			in <- w
			<-echoed
		}
	}()
	var got []string
	for v, err := range c.Example.Echo(context.Background(), fromChan(in)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
		echoed <- struct{}{}
	}
	if !slices.Equal(got, words) {
		t.Fatalf("got %v", got)
	}
}

func TestSingleValueAndVoid(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	ctx := context.Background()
	if sum, err := c.Example.Sum(ctx, values[int64](1, 2, 3, 4)); err != nil || sum != 10 {
		t.Fatalf("sum: %d, %v", sum, err)
	}
	if err := c.Example.Drain(ctx, values[int64](1, 2)); err != nil {
		t.Fatalf("drain: %v", err)
	}
	if sum, err := c.Example.Sum(ctx, values[int64]()); err != nil || sum != 0 {
		t.Fatalf("sum of nothing: %d, %v", sum, err)
	}
}

// TestServerStopsReading: when the method reads no more, the client
// stops ranging over the input.
func TestServerStopsReading(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	stopped := make(chan struct{})
	endless := func(yield func(int64, error) bool) {
		defer close(stopped)
		for i := int64(42); ; i++ {
			if !yield(i, nil) {
				return
			}
		}
	}
	first, err := c.Example.First(context.Background(), endless)
	if err != nil || first != 42 {
		t.Fatalf("got %d, %v", first, err)
	}
	select {
	case <-stopped:
	case <-time.After(guard):
		t.Fatal("the client kept sending an input the server does not read")
	}
}

func TestTwoInputs(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	got, err := collect(t, c.Example.Merge(context.Background(), values[int64](1, 2, 3), values[int64](10, 20)))
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []int64{1, 2, 3, 10, 20}) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestStreamErrors(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	ctx := context.Background()

	got, err := collect(t, c.Example.Fail(ctx, 2))
	var oops *streamtest.Oops
	if !slices.Equal(got, []int64{1, 2}) || !errors.As(err, &oops) || oops.Reason != "stopped after 2" {
		t.Fatalf("fail: %v, %v", got, err)
	}
	got, err = collect(t, c.Example.Crash(ctx))
	if !slices.Equal(got, []int64{1}) || !errors.Is(err, podclient.ErrStreamFailed) {
		t.Fatalf("crash: %v, %v", got, err)
	}
	// An error the client's input ends with reaches the method, which
	// returns it: an exception comes back as itself.
	failing := func(yield func(string, error) bool) {
		if yield("a", nil) {
			yield("", &streamtest.Oops{Reason: "client side"})
		}
	}
	words, err := collect(t, c.Example.Echo(ctx, failing))
	if !slices.Equal(words, []string{"a"}) || !errors.As(err, &oops) || oops.Reason != "client side" {
		t.Fatalf("echo of a failing input: %v, %v", words, err)
	}

	for _, tc := range []struct {
		seq  iter.Seq2[int64, error]
		want error
	}{
		{c.Secure.Watch(ctx), podclient.ErrUnauthorized},
		{podclient.Stream(ctx, c.Caller, "example", "nope", nil, nil, wire.IntClass), podclient.ErrNotFound},
		{podclient.Stream(ctx, c.Caller, "example", "countTo", nil, nil, wire.IntClass), podclient.ErrBadRequest},
	} {
		if _, err := collect(t, tc.seq); !errors.Is(err, tc.want) {
			t.Errorf("got %v, want %v", err, tc.want)
		}
	}
}

func TestValuesOfEveryKind(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	ctx := context.Background()
	four := int64(4)
	nulls, err := collect(t, c.Example.Nulls(ctx, values[*int64](nil, &four)))
	if err != nil || len(nulls) != 2 || nulls[0] != nil || *nulls[1] != 4 {
		t.Fatalf("nulls: %v, %v", nulls, err)
	}
	notes, err := collect(t, c.Example.Notes(ctx, 2))
	if err != nil || !slices.Equal(notes, []streamtest.Note{{Text: "note 1"}, {Text: "note 2"}}) {
		t.Fatalf("notes: %v, %v", notes, err)
	}
	words, err := collect(t, c.Relay.Bracket(ctx, values("x", "y")))
	if err != nil || !slices.Equal(words, []string{"[x]", "[y]"}) {
		t.Fatalf("module: %v, %v", words, err)
	}
}

// TestCancel: stopping a range, or ending its context, closes the stream
// on the server, whose method sees its context end.
func TestCancel(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	for v, err := range c.Example.Forever(context.Background()) {
		if err != nil || v != 1 {
			t.Fatalf("got %d, %v", v, err)
		}
		break
	}
	if e := event(t, s); e != "ended forever: stream: the client closed the stream" {
		t.Fatalf("got %q", e)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var err error
	for _, err = range c.Example.Forever(ctx) {
		if err != nil {
			break
		}
		cancel()
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if e := event(t, s); e != "ended forever: stream: the client closed the stream" {
		t.Fatalf("got %q", e)
	}
}

// TestSharedConnection: streams share one connection while any is open.
func TestSharedConnection(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	ctx := context.Background()
	next1, stop1 := iter.Pull2(c.Example.Forever(ctx))
	defer stop1()
	next2, stop2 := iter.Pull2(c.Example.Forever(ctx))
	defer stop2()
	for _, next := range []func() (int64, error, bool){next1, next2} {
		if v, err, _ := next(); err != nil || v != 1 {
			t.Fatalf("got %d, %v", v, err)
		}
	}
	if n := s.Pod.Streams().Connections(); n != 1 {
		t.Fatalf("%d connections for two streams", n)
	}
	stop1()
	stop2()
	waitUntil(t, func() bool { return s.Pod.Streams().Connections() == 0 })
}

// TestRevokedKey: a signed-in stream ends when its key stops working.
func TestRevokedKey(t *testing.T) {
	s := streamtest.Start(t)
	keys := podclient.NewMemoryKeyManager()
	keys.Put("user-7")
	c := streamtest.NewClient(s.URL, podclient.WithAuthKeyManager(keys))
	var got []int64
	var err error
	for v, e := range c.Secure.Watch(context.Background()) {
		if e != nil {
			err = e
			break
		}
		got = append(got, v)
		s.Keys.Revoke("user-7")
	}
	if !slices.Equal(got, []int64{7}) || !errors.Is(err, podclient.ErrStreamFailed) {
		t.Fatalf("got %v, %v", got, err)
	}
}

// TestReconnectStreams: the open streams move to a connection with the
// current key; those with input streams end and must be started again.
func TestReconnectStreams(t *testing.T) {
	s := streamtest.Start(t)
	keys := podclient.NewMemoryKeyManager()
	keys.Put("user-7")
	c := streamtest.NewClient(s.URL, podclient.WithAuthKeyManager(keys))
	ctx := context.Background()
	watch, stopWatch := iter.Pull2(c.Secure.Watch(ctx))
	defer stopWatch()
	in := make(chan string, 1)
	in <- "x"
	echo, stopEcho := iter.Pull2(c.Example.Echo(ctx, fromChan(in)))
	defer stopEcho()
	if v, err, _ := watch(); err != nil || v != 7 {
		t.Fatalf("got %d, %v", v, err)
	}
	if v, err, _ := echo(); err != nil || v != "x" {
		t.Fatalf("got %q, %v", v, err)
	}

	keys.Put("admin-1")
	if err := c.Caller.ReconnectStreams(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err, _ := watch(); err != nil || v != 1 {
		t.Fatalf("after the new key, got %d, %v; want user 1", v, err)
	}
	if _, err, _ := echo(); !errors.Is(err, podclient.ErrStreamsReconnected) {
		t.Fatalf("a stream with an input: got %v", err)
	}

	// Signed out, the stream cannot open again.
	keys.Remove()
	if err := c.Caller.ReconnectStreams(ctx); !errors.Is(err, podclient.ErrUnauthorized) {
		t.Fatalf("reconnecting signed out: %v", err)
	}
	if _, err, _ := watch(); !errors.Is(err, podclient.ErrUnauthorized) {
		t.Fatalf("signed out, got %v", err)
	}
}

// TestConnectionLost: a stream ends with ErrConnectionLost when the server
// goes.
func TestConnectionLost(t *testing.T) {
	s := streamtest.Start(t)
	c := streamtest.NewClient(s.URL)
	var err error
	for _, err = range c.Example.Forever(context.Background()) {
		if err != nil {
			break
		}
		s.Pod.Streams().Shutdown()
	}
	if !errors.Is(err, podclient.ErrConnectionLost) || !strings.Contains(err.Error(), "shutting down") {
		t.Fatalf("got %v", err)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(time.Millisecond)
	}
}
