package stream

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopod/gopod/wire"
)

// Call is one open method stream: the method's output stream and its
// input streams, on one connection.
type Call struct {
	mc       *methodConn
	ref      wire.StreamRef
	ctx      context.Context
	cancel   context.CancelCauseFunc
	registry *wire.Registry

	mu     sync.Mutex
	inputs []*input
	closed bool // the output is closed: nothing more is sent for the call
}

// Context ends when the stream does: the client closed it or its
// connection, the method returned, or the call was aborted.
// context.Cause says which.
func (c *Call) Context() context.Context { return c.ctx }

// Ref names the call: endpoint, method and connection id.
func (c *Call) Ref() wire.StreamRef { return c.ref }

// Abort closes the stream with an error at once (cmsc error, as 2.4
// does when the caller's authentication is revoked); the method's
// context ends with cause err, and whatever it still sends is dropped.
func (c *Call) Abort(err error) {
	c.end(wire.CloseError, nil, err)
}

// end closes the call once. reason is the close reason sent for the
// output stream and the inputs still open (none when empty: the
// connection is gone); err, when it is a wire.Exception, is sent first as
// an msse. The call's context ends with cause.
func (c *Call) end(reason wire.CloseReason, err error, cause error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	// The context ends first, so that a method woken by its inputs
	// closing sees why.
	c.cancel(cause)
	if reason != "" {
		var exc wire.Exception
		if errors.As(err, &exc) {
			c.pushControl(func(e *wire.Encoder) { wire.EncodeExceptionMessage(e, c.ref, exc) })
		}
		c.pushControl(func(e *wire.Encoder) { wire.EncodeCloseMessage(e, c.ref, reason) })
	}
	for _, in := range c.inputs {
		in.release()
		if in.gone {
			continue
		}
		in.gone = true
		close(in.stop)
		if reason != "" {
			ref := c.ref
			ref.Parameter = in.name
			c.pushControl(func(e *wire.Encoder) { wire.EncodeCloseMessage(e, ref, reason) })
		}
	}
	c.mu.Unlock()
	c.mc.remove(c)
}

// pushControl queues a frame that closes a stream; it does not wait for
// room, so closing never blocks (there are at most a few per stream).
func (c *Call) pushControl(enc func(e *wire.Encoder)) {
	e, err := encodeFrame(enc)
	if err != nil {
		c.mc.log.Error("websocket: encoding a close message", "error", err)
		return
	}
	c.mc.push(e, false)
}

// sendValue sends one value of the output stream, waiting for room in the
// send buffer. It fails once the call is closed.
func (c *Call) sendValue(object func(e *wire.Encoder)) error {
	e, err := encodeFrame(func(e *wire.Encoder) { wire.EncodeValueMessage(e, c.ref, object) })
	if err != nil {
		return err
	}
	if err := c.mc.reserve(c.ctx); err != nil {
		recycle(e)
		return err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.mc.slots
		recycle(e)
		return context.Cause(c.ctx)
	}
	write := c.mc.enqueue(e, true)
	c.mu.Unlock()
	if write {
		go c.mc.write()
	}
	return nil
}

// SendAll sends each value of seq on the call's output stream, in order,
// and returns the error seq yields, if any. It stops early, returning
// nil, when the stream closes (the client cancelled it or went away):
// the method's iterator then sees yield return false.
func SendAll[T any](c *Call, class wire.Class[T], seq iter.Seq2[T, error]) error {
	for v, err := range seq {
		if err != nil {
			return err
		}
		if c.sendValue(func(e *wire.Encoder) { class.EncodeTagged(e, v) }) != nil {
			return nil
		}
	}
	return nil
}

// Send sends the single result of a method that returns a value.
func Send[T any](c *Call, class wire.Class[T], v T) error {
	if err := c.sendValue(func(e *wire.Encoder) { class.EncodeTagged(e, v) }); err != nil && c.ctx.Err() == nil {
		return err
	}
	return nil
}

// Errors an input stream may yield.
var (
	// ErrInputClosedWithError: the client closed the input stream with
	// cmsc error and no exception.
	ErrInputClosedWithError = errors.New("stream: the client closed the input stream with an error")
	// ErrInputStalled: the method did not read the input stream for
	// Options.SlowClientTimeout while the client kept sending.
	ErrInputStalled = errors.New("stream: the input stream was not read in time")
	// ErrInputTaken: an input stream can be ranged over once.
	ErrInputTaken = errors.New("stream: the input stream is read already")
)

// ClientError is a serializable exception the client ended an input
// stream with, whose class the server does not know.
type ClientError struct {
	ClassName string
	Data      any
}

func (e *ClientError) Error() string { return "stream: the client sent exception " + e.ClassName }

// item is one thing the client sent on an input stream.
type item struct {
	object    wire.Tagged // a value
	exception *wire.Tagged
	err       error // the stream closed with this error
	size      int64 // the bytes of the frame that carried the value
}

// input is one input stream of a call. Only the read loop sends on ch
// and closes it; stop is closed (under the call's lock) when the input is
// gone: the method stopped reading, or the call ended.
type input struct {
	call *Call
	name string
	ch   chan item
	stop chan struct{}
	// failed carries why the read loop gave up on the input.
	failed chan error
	taken  atomic.Bool
	// gone (guarded by call.mu) removes the input: values the client
	// still sends are answered with cmsc error.
	gone bool
	// queued (guarded by call.mu) is what the input's values count
	// against the connection's MaxInputBytes; released says that the
	// call has ended and they count no longer.
	queued   int64
	released bool
}

// push hands the method a value. When the method falls behind, the read
// loop waits (the client is slowed down), for at most SlowClientTimeout;
// then the input fails rather than holding the connection.
func (in *input) push(it item) {
	mc := in.call.mc
	var t *time.Timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	// Wait, as for a full buffer, while the connection's inputs hold
	// their budget of bytes.
	for n := mc.inputBytes.Load(); n > 0 && n+it.size > mc.srv.opts.MaxInputBytes; n = mc.inputBytes.Load() {
		if t == nil {
			t = time.NewTimer(mc.srv.opts.SlowClientTimeout)
		}
		select {
		case <-mc.inputFreed:
		case <-in.stop:
			return
		case <-in.call.ctx.Done():
			return
		case <-t.C:
			in.fail(ErrInputStalled)
			return
		}
	}
	c := in.call
	c.mu.Lock()
	if in.released {
		c.mu.Unlock()
		return
	}
	in.queued += it.size
	mc.inputBytes.Add(it.size)
	c.mu.Unlock()
	select {
	case in.ch <- it:
		return
	default:
	}
	if t == nil {
		t = time.NewTimer(mc.srv.opts.SlowClientTimeout)
	}
	select {
	case in.ch <- it:
	case <-in.stop:
	case <-in.call.ctx.Done():
	case <-t.C:
		in.fail(ErrInputStalled)
	}
}

// consumed stops counting a value the method has read against the
// connection's budget.
func (in *input) consumed(size int64) {
	c := in.call
	c.mu.Lock()
	if !in.released {
		in.queued -= size
		c.mc.freeInput(size)
	}
	c.mu.Unlock()
}

// release stops counting the input's values when the call ends. Values
// left unread while the call runs (the method stopped reading, or the
// input failed) stay counted: they are still held. The caller holds
// call.mu.
func (in *input) release() {
	if in.released {
		return
	}
	in.released = true
	in.call.mc.freeInput(in.queued)
	in.queued = 0
}

// freeInput takes n bytes off the connection's input budget and wakes
// the read loop if it waits for room.
func (mc *methodConn) freeInput(n int64) {
	if n == 0 {
		return
	}
	mc.inputBytes.Add(-n)
	select {
	case mc.inputFreed <- struct{}{}:
	default:
	}
}

// closeByClient ends the input as the client did: with last (an
// exception or an error) when it failed, or else cleanly. The input is
// gone from then on.
func (in *input) closeByClient(last item) {
	c := in.call
	c.mu.Lock()
	if in.gone {
		c.mu.Unlock()
		return
	}
	in.gone = true
	c.mu.Unlock()
	if last.err != nil || last.exception != nil {
		// As push does, wait for room only so long: a method that does
		// not read its input must not stop the read loop.
		t := time.NewTimer(c.mc.srv.opts.SlowClientTimeout)
		select {
		case in.ch <- last:
		case <-in.stop:
		case <-c.ctx.Done():
		case <-t.C:
			select {
			case in.failed <- ErrInputStalled:
			default:
			}
		}
		t.Stop()
	}
	close(in.ch)
}

// leave removes the input because the method stopped reading it, and
// tells the client (cmsc with reason).
func (in *input) leave(reason wire.CloseReason) {
	c := in.call
	c.mu.Lock()
	defer c.mu.Unlock()
	if in.gone {
		return
	}
	in.gone = true
	close(in.stop)
	if c.closed {
		return
	}
	ref := c.ref
	ref.Parameter = in.name
	c.pushControl(func(e *wire.Encoder) { wire.EncodeCloseMessage(e, ref, reason) })
}

// fail ends the input with err: the method reads err next, and the
// client is told (cmsc error).
func (in *input) fail(err error) {
	in.leave(wire.CloseError)
	select {
	case in.failed <- err:
	default:
	}
}

// Input returns the input stream name of the call, decoded with class.
// Ranging over it yields the values the client sends, in order, until the
// client closes the stream; an error ends it (the client's exception, an
// undecodable value, the call's end). Stopping early tells the client
// that the server reads no more (cmsc for the parameter). An input stream
// can be ranged over once.
func Input[T any](c *Call, name string, class wire.Class[T]) iter.Seq2[T, error] {
	var in *input
	for _, x := range c.inputs {
		if x.name == name {
			in = x
		}
	}
	return func(yield func(T, error) bool) {
		var zero T
		if in == nil {
			yield(zero, fmt.Errorf("stream: the method has no input stream %q", name))
			return
		}
		if !in.taken.CompareAndSwap(false, true) {
			yield(zero, ErrInputTaken)
			return
		}
		defer in.leave(wire.CloseDone)
		for {
			var it item
			var ok bool
			select {
			case it, ok = <-in.ch:
			case err := <-in.failed:
				yield(zero, err)
				return
			case <-in.stop:
				// The call ended; an input failed on the read loop reports
				// why.
				select {
				case err := <-in.failed:
					yield(zero, err)
				default:
					if c.ctx.Err() != nil {
						yield(zero, context.Cause(c.ctx))
					}
				}
				return
			}
			if !ok {
				return // the client closed the stream
			}
			in.consumed(it.size)
			switch {
			case it.err != nil:
				yield(zero, it.err)
				return
			case it.exception != nil:
				yield(zero, c.decodeException(*it.exception))
				return
			}
			v, err := class.DecodeTagged(it.object)
			if err != nil {
				err = fmt.Errorf("stream: input %s: %w", name, err)
				in.leave(wire.CloseError)
				yield(zero, err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// decodeException turns an exception the client sent into its Go type
// when the registry knows it.
func (c *Call) decodeException(t wire.Tagged) error {
	if c.registry != nil {
		if x, err := c.registry.Decode(t.ClassName, t.Data); err == nil {
			if e, ok := x.(error); ok {
				return e
			}
		}
	}
	return &ClientError{ClassName: t.ClassName, Data: t.Data}
}
