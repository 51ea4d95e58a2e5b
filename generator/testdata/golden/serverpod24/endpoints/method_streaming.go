package endpoints

import (
	"context"
	"errors"
	"iter"
	"sync"
	"time"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"serverpod24/generated/protocol"
)

// MethodStreamingEndpoint ports 2.4's method_streaming.dart: each shape
// of a method stream, in gopod's Go form iter.Seq2[T, error].
// dynamicEchoStream (a Stream of dynamic) and
// simpleListInOutOtherModuleTypeStream (the auth module's UserInfo) are
// not ported: gopod has no dynamic type, and this port uses no modules.
// (Not the type's doc comment: 2.4's class has none.)

type MethodStreamingEndpoint struct {
	pod.Endpoint

	mu      sync.Mutex
	delayed map[int]chan struct{}
	next    int
}

// count yields 0 to n-1.
func count(n int64) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		for i := int64(0); i < n; i++ {
			if !yield(i, nil) {
				return
			}
		}
	}
}

// first returns the first value of a stream.
func first[T any](values iter.Seq2[T, error]) (T, error) {
	for v, err := range values {
		return v, err
	}
	var zero T
	return zero, errors.New("the stream ended without a value")
}

// drain reads a stream to its end.
func drain[T any](values iter.Seq2[T, error]) error {
	for _, err := range values {
		if err != nil {
			return err
		}
	}
	return nil
}

// fail is a stream that ends with err before any value.
func fail[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

func exceptionWithData() error {
	one := int64(1)
	return &protocol.ExceptionWithData{
		Message:           "Throwing an exception",
		CreationDate:      time.Now(),
		ErrorFields:       []string{"first line error", "second line error"},
		SomeNullableField: &one,
	}
}

// Returns a simple stream of integers from 0 to 9.
func (e *MethodStreamingEndpoint) SimpleStream(s *pod.Session) iter.Seq2[int64, error] {
	return count(10)
}

func (e *MethodStreamingEndpoint) NeverEndingStreamWithDelay(s *pod.Session, millisecondsDelay int64) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		t := time.NewTicker(time.Duration(max(millisecondsDelay, 1)) * time.Millisecond)
		defer t.Stop()
		for i := int64(0); ; i++ {
			select {
			case <-s.Done():
				return
			case <-t.C:
			}
			if !yield(i, nil) {
				return
			}
		}
	}
}

func (e *MethodStreamingEndpoint) MethodCallEndpoint(s *pod.Session) error { return nil }

func (e *MethodStreamingEndpoint) IntReturnFromStream(s *pod.Session, stream iter.Seq2[int64, error]) (int64, error) {
	return first(stream)
}

func (e *MethodStreamingEndpoint) NullableIntReturnFromStream(s *pod.Session, stream iter.Seq2[*int64, error]) (*int64, error) {
	return first(stream)
}

func (e *MethodStreamingEndpoint) GetBroadcastStream(s *pod.Session) iter.Seq2[*int64, error] {
	return func(yield func(*int64, error) bool) {
		<-s.Done()
		_ = s.PostMessage("cancelStreamChannel", &protocol.SimpleData{Num: 1}, false)
	}
}

func (e *MethodStreamingEndpoint) WasBroadcastStreamCanceled(s *pod.Session) (bool, error) {
	return e.waitFor(s, "cancelStreamChannel")
}

func (e *MethodStreamingEndpoint) WasSessionWillCloseListenerCalled(s *pod.Session) (bool, error) {
	return e.waitFor(s, "sessionClosedChannel")
}

func (e *MethodStreamingEndpoint) waitFor(s *pod.Session, channel string) (bool, error) {
	for range pod.CreateStream[protocol.SimpleData](s, channel) {
		return true, nil
	}
	return false, context.Cause(s)
}

func (e *MethodStreamingEndpoint) IntStreamFromValue(s *pod.Session, value int64) iter.Seq2[int64, error] {
	return count(value)
}

func (e *MethodStreamingEndpoint) IntEchoStream(s *pod.Session, stream iter.Seq2[int64, error]) iter.Seq2[int64, error] {
	return stream
}

func (e *MethodStreamingEndpoint) NullableIntEchoStream(s *pod.Session, stream iter.Seq2[*int64, error]) iter.Seq2[*int64, error] {
	return stream
}

func (e *MethodStreamingEndpoint) VoidReturnAfterStream(s *pod.Session, stream iter.Seq2[int64, error]) error {
	return drain(stream)
}

func (e *MethodStreamingEndpoint) MultipleIntEchoStreams(s *pod.Session, stream1, stream2 iter.Seq2[int64, error]) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		type value struct {
			v   int64
			err error
		}
		ctx, cancel := context.WithCancel(s)
		defer cancel()
		ch := make(chan value)
		var wg sync.WaitGroup
		for _, in := range []iter.Seq2[int64, error]{stream1, stream2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for v, err := range in {
					select {
					case ch <- value{v, err}:
					case <-ctx.Done():
						return
					}
				}
			}()
		}
		go func() {
			wg.Wait()
			close(ch)
		}()
		for x := range ch {
			if !yield(x.v, x.err) || x.err != nil {
				return
			}
		}
	}
}

func (e *MethodStreamingEndpoint) DirectVoidReturnWithStreamInput(s *pod.Session, stream iter.Seq2[int64, error]) error {
	return nil
}

func (e *MethodStreamingEndpoint) DirectOneIntReturnWithStreamInput(s *pod.Session, stream iter.Seq2[int64, error]) (int64, error) {
	return 1, nil
}

func (e *MethodStreamingEndpoint) SimpleInputReturnStream(s *pod.Session, stream iter.Seq2[int64, error]) (int64, error) {
	return first(stream)
}

func (e *MethodStreamingEndpoint) SimpleStreamWithParameter(s *pod.Session, value int64) iter.Seq2[int64, error] {
	return count(value)
}

func (e *MethodStreamingEndpoint) SimpleDataStream(s *pod.Session, value int64) iter.Seq2[protocol.SimpleData, error] {
	return func(yield func(protocol.SimpleData, error) bool) {
		for i := int64(0); i < value; i++ {
			if !yield(protocol.SimpleData{Num: i}, nil) {
				return
			}
		}
	}
}

func (e *MethodStreamingEndpoint) SimpleInOutDataStream(s *pod.Session, simpleDataStream iter.Seq2[protocol.SimpleData, error]) iter.Seq2[protocol.SimpleData, error] {
	return simpleDataStream
}

func (e *MethodStreamingEndpoint) SimpleListInOutIntStream(s *pod.Session, simpleDataListStream iter.Seq2[[]int64, error]) iter.Seq2[[]int64, error] {
	return simpleDataListStream
}

func (e *MethodStreamingEndpoint) SimpleListInOutDataStream(s *pod.Session, simpleDataListStream iter.Seq2[[]protocol.SimpleData, error]) iter.Seq2[[]protocol.SimpleData, error] {
	return simpleDataListStream
}

func (e *MethodStreamingEndpoint) SimpleNullableListInOutNullableDataStream(s *pod.Session, simpleDataListStream iter.Seq2[*[]protocol.SimpleData, error]) iter.Seq2[*[]protocol.SimpleData, error] {
	return simpleDataListStream
}

func (e *MethodStreamingEndpoint) SimpleListInOutNullableDataStream(s *pod.Session, simpleDataListStream iter.Seq2[[]*protocol.SimpleData, error]) iter.Seq2[[]*protocol.SimpleData, error] {
	return simpleDataListStream
}

func (e *MethodStreamingEndpoint) SimpleSetInOutIntStream(s *pod.Session, simpleDataSetStream iter.Seq2[wire.Set[int64], error]) iter.Seq2[wire.Set[int64], error] {
	return simpleDataSetStream
}

func (e *MethodStreamingEndpoint) SimpleSetInOutDataStream(s *pod.Session, simpleDataSetStream iter.Seq2[wire.Set[protocol.SimpleData], error]) iter.Seq2[wire.Set[protocol.SimpleData], error] {
	return simpleDataSetStream
}

func (e *MethodStreamingEndpoint) NestedSetInListInOutDataStream(s *pod.Session, simpleDataSetStream iter.Seq2[[]wire.Set[protocol.SimpleData], error]) iter.Seq2[wire.Set[protocol.SimpleData], error] {
	return func(yield func(wire.Set[protocol.SimpleData], error) bool) {
		for list, err := range simpleDataSetStream {
			if err != nil {
				yield(nil, err)
				return
			}
			for _, set := range list {
				if !yield(set, nil) {
					return
				}
			}
		}
	}
}

func (e *MethodStreamingEndpoint) SimpleEndpoint(s *pod.Session) error { return nil }

func (e *MethodStreamingEndpoint) IntParameter(s *pod.Session, value int64) error { return nil }

func (e *MethodStreamingEndpoint) DoubleInputValue(s *pod.Session, value int64) (int64, error) {
	return value * 2, nil
}

// Delays the response for [delay] seconds.
//
// Responses can be closed by calling [completeAllDelayedResponses].
func (e *MethodStreamingEndpoint) DelayedResponse(s *pod.Session, delay int64) error {
	return e.wait(s, delay)
}

// wait returns after delay seconds, when completeAllDelayedResponses is
// called, or when the session ends.
func (e *MethodStreamingEndpoint) wait(s *pod.Session, delay int64) error {
	done := make(chan struct{})
	e.mu.Lock()
	if e.delayed == nil {
		e.delayed = map[int]chan struct{}{}
	}
	id := e.next
	e.next++
	e.delayed[id] = done
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.delayed, id)
		e.mu.Unlock()
	}()
	t := time.NewTimer(time.Duration(delay) * time.Second)
	defer t.Stop()
	select {
	case <-t.C:
	case <-done:
	case <-s.Done():
		return context.Cause(s)
	}
	return nil
}

func (e *MethodStreamingEndpoint) DelayedStreamResponse(s *pod.Session, delay int64) iter.Seq2[int64, error] {
	return func(yield func(int64, error) bool) {
		if e.wait(s, delay) == nil {
			yield(42, nil)
		}
	}
}

func (e *MethodStreamingEndpoint) DelayedNeverListenedInputStream(s *pod.Session, delay int64, stream iter.Seq2[int64, error]) error {
	return e.wait(s, delay)
}

func (e *MethodStreamingEndpoint) DelayedPausedInputStream(s *pod.Session, delay int64, stream iter.Seq2[int64, error]) error {
	if err := e.wait(s, delay); err != nil {
		return err
	}
	return drain(stream)
}

// Completes all delayed responses.
// This makes the delayedResponse return directly.
func (e *MethodStreamingEndpoint) CompleteAllDelayedResponses(s *pod.Session) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for id, done := range e.delayed {
		close(done)
		delete(e.delayed, id)
	}
	return nil
}

func (e *MethodStreamingEndpoint) InStreamThrowsException(s *pod.Session, stream iter.Seq2[int64, error]) error {
	return errors.New("This is an exception")
}

func (e *MethodStreamingEndpoint) InStreamThrowsSerializableException(s *pod.Session, stream iter.Seq2[int64, error]) error {
	return exceptionWithData()
}

func (e *MethodStreamingEndpoint) OutStreamThrowsException(s *pod.Session) iter.Seq2[int64, error] {
	return fail[int64](errors.New("This is an exception"))
}

func (e *MethodStreamingEndpoint) OutStreamThrowsSerializableException(s *pod.Session) iter.Seq2[int64, error] {
	return fail[int64](exceptionWithData())
}

func (e *MethodStreamingEndpoint) ThrowsExceptionVoid(s *pod.Session, stream iter.Seq2[int64, error]) error {
	return errors.New("This is an exception")
}

func (e *MethodStreamingEndpoint) ThrowsSerializableExceptionVoid(s *pod.Session, stream iter.Seq2[int64, error]) error {
	return exceptionWithData()
}

func (e *MethodStreamingEndpoint) ThrowsException(s *pod.Session, stream iter.Seq2[int64, error]) (int64, error) {
	return 0, errors.New("This is an exception")
}

func (e *MethodStreamingEndpoint) ThrowsSerializableException(s *pod.Session, stream iter.Seq2[int64, error]) (int64, error) {
	return 0, exceptionWithData()
}

func (e *MethodStreamingEndpoint) ThrowsExceptionStream(s *pod.Session) iter.Seq2[int64, error] {
	return fail[int64](errors.New("This is an exception"))
}

func (e *MethodStreamingEndpoint) ExceptionThrownBeforeStreamReturn(s *pod.Session) iter.Seq2[int64, error] {
	return fail[int64](errors.New("This is an exception"))
}

func (e *MethodStreamingEndpoint) ExceptionThrownInStreamReturn(s *pod.Session) iter.Seq2[int64, error] {
	return fail[int64](errors.New("This is an exception"))
}

func (e *MethodStreamingEndpoint) ThrowsSerializableExceptionStream(s *pod.Session) iter.Seq2[int64, error] {
	return fail[int64](exceptionWithData())
}

func (e *MethodStreamingEndpoint) DidInputStreamHaveError(s *pod.Session, stream iter.Seq2[int64, error]) (bool, error) {
	return drain(stream) != nil, nil
}

func (e *MethodStreamingEndpoint) DidInputStreamHaveSerializableExceptionError(s *pod.Session, stream iter.Seq2[int64, error]) (bool, error) {
	var exc wire.Exception
	return errors.As(drain(stream), &exc), nil
}

// AuthenticatedMethodStreamingEndpoint streams to signed-in admins only.

type AuthenticatedMethodStreamingEndpoint struct {
	pod.Endpoint
}

func (e *AuthenticatedMethodStreamingEndpoint) RequireLogin() bool { return true }

func (e *AuthenticatedMethodStreamingEndpoint) RequiredScopes() []string {
	return []string{pod.ScopeAdmin}
}

func (e *AuthenticatedMethodStreamingEndpoint) SimpleStream(s *pod.Session) iter.Seq2[int64, error] {
	return count(10)
}

func (e *AuthenticatedMethodStreamingEndpoint) IntEchoStream(s *pod.Session, stream iter.Seq2[int64, error]) iter.Seq2[int64, error] {
	return stream
}

// StreamingEndpoint ports 2.4's streaming.dart: endpoint streaming on
// /websocket, where a SimpleData message comes back to its sender after
// a second.

type StreamingEndpoint struct {
	pod.Endpoint
}

func (e *StreamingEndpoint) StreamOpened(s *pod.Session) error { return nil }

func (e *StreamingEndpoint) HandleStreamMessage(s *pod.Session, message any) error {
	data, ok := message.(protocol.SimpleData)
	if !ok {
		return nil
	}
	go func() {
		select {
		case <-time.After(time.Second):
			_ = e.SendStreamMessage(s, &data)
		case <-s.Done():
		}
	}()
	return nil
}
