package stream

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/gopod/gopod/wire"
)

// MethodHost resolves the method calls a client opens; package pod
// implements it over its endpoints.
type MethodHost interface {
	// Open answers an open command: it finds the endpoint and method,
	// checks the caller's access and the arguments, and on OpenSuccess
	// returns the call to run. ctx is the call's context, which ends when
	// the stream does. An error means the check itself failed (the
	// authentication handler could not reach its database, say); the
	// connection is then closed with code 1011.
	Open(ctx context.Context, r *http.Request, m *wire.Message) (*Opened, wire.OpenResult, error)
}

// Opened is a call that may start.
type Opened struct {
	// Inputs names the method's input streams, all of which the client
	// has said it will feed.
	Inputs []string
	// Run runs the method.
	Run Run
	// Registry decodes the serializable exceptions a client may end an
	// input stream with; nil leaves them undecoded (*ClientError).
	Registry *wire.Registry
	// Finished, when set, learns how the method ended: nil, its error, or
	// a *PanicError. The stream is closed by then.
	Finished func(err error)
}

// Run runs a streaming method on its Call: it reads the input streams
// (Input), and sends the result (SendAll for a stream, Send for a single
// value, nothing for void). A returned error closes the output with
// cmsc error, after an msse when it is a wire.Exception.
type Run func(c *Call) error

// ServeMethods serves Serverpod 2.4's method streaming on the request
// (GET /v1/websocket), for the methods host resolves.
func (s *Server) ServeMethods(w http.ResponseWriter, r *http.Request, host MethodHost) {
	s.accept(w, r, func(c *Conn) frameHandler {
		return &methodConn{Conn: c, host: host, inputFreed: make(chan struct{}, 1)}
	})
}

// methodConn is the method-streaming protocol on one connection.
type methodConn struct {
	*Conn
	host MethodHost

	mu    sync.Mutex
	calls map[wire.CallKey]*Call

	// inputBytes counts the bytes of the values waiting on the
	// connection's input streams (Options.MaxInputBytes); inputFreed
	// wakes the read loop when some are taken.
	inputBytes atomic.Int64
	inputFreed chan struct{}
}

// reply sends a frame answering the client, from the read loop: when the
// send buffer is full the loop waits, which slows a client that sends
// faster than it reads.
func (mc *methodConn) reply(enc func(e *wire.Encoder)) {
	if err := mc.send(mc.ctx, enc); err != nil && mc.ctx.Err() == nil {
		mc.log.Error("websocket: encoding a reply", "error", err)
	}
}

func (mc *methodConn) handle(frame []byte) {
	m, err := wire.ParseMessage(frame)
	if err != nil {
		// Unlike 2.4, which hangs up, the connection stays usable: the
		// client learns what was wrong and its other streams go on.
		req := quoteFrame(frame)
		mc.reply(func(e *wire.Encoder) { wire.EncodeBadRequestMessage(e, req) })
		return
	}
	switch m.Type {
	case wire.TypePing:
		mc.reply(wire.EncodePongMessage)
	case wire.TypePong, wire.TypeOpenResponse:
	case wire.TypeBadRequest:
		// The client could not read what the server sent; as in 2.4, it
		// hangs up, and so does the server.
		mc.close(websocket.CloseNormalClosure, "", ErrConnectionClosed)
	case wire.TypeOpen:
		mc.open(m)
	case wire.TypeValue:
		if m.Parameter == "" {
			mc.reply(func(e *wire.Encoder) {
				wire.EncodeBadRequestMessage(e, "Server does not accept messages targeting the return stream.")
			})
			return
		}
		in := mc.input(m.StreamRef)
		if in == nil {
			ref := m.StreamRef
			mc.reply(func(e *wire.Encoder) { wire.EncodeCloseMessage(e, ref, wire.CloseError) })
			return
		}
		in.push(item{object: m.Object, size: int64(len(frame))})
	case wire.TypeException:
		if in := mc.input(m.StreamRef); in != nil {
			// The exception ends the input; the cmsc the client sends
			// after it finds the input gone.
			in.closeByClient(item{exception: &m.Exception})
		}
	case wire.TypeClose:
		if m.Parameter == "" {
			if c := mc.call(m.StreamRef.CallKey()); c != nil {
				c.end(m.Reason, nil, ErrCancelled)
			}
			return
		}
		if in := mc.input(m.StreamRef); in != nil {
			var last item
			if m.Reason == wire.CloseError {
				last.err = ErrInputClosedWithError
			}
			in.closeByClient(last)
		}
	}
}

// maxQuote is how much of an unreadable frame a brm quotes: enough to
// tell which message it was, while the answer stays small whatever the
// client sent (escaped, a frame may grow sixfold).
const maxQuote = 1 << 10

// quoteFrame returns what a brm quotes of frame: all of it when short,
// else its first maxQuote bytes, cut between UTF-8 sequences, and "...".
func quoteFrame(frame []byte) string {
	if len(frame) <= maxQuote {
		return string(frame)
	}
	n := maxQuote
	for n > maxQuote-utf8.UTFMax && !utf8.RuneStart(frame[n]) {
		n--
	}
	return string(frame[:n]) + "..."
}

func (mc *methodConn) call(k wire.CallKey) *Call {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return mc.calls[k]
}

// input finds the open input stream ref names.
func (mc *methodConn) input(ref wire.StreamRef) *input {
	c := mc.call(ref.CallKey())
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, in := range c.inputs {
		if in.name == ref.Parameter && !in.gone {
			return in
		}
	}
	return nil
}

// open handles an open command. It runs on the read loop, as in 2.4, so
// values the client sends after the answer find the stream open.
func (mc *methodConn) open(m *wire.Message) {
	ref := m.StreamRef
	ref.Parameter = ""
	k := ref.CallKey()
	mc.mu.Lock()
	_, dup := mc.calls[k]
	n := len(mc.calls)
	mc.mu.Unlock()
	if dup {
		// 2.4 has no answer for a connection id in use; the open stream is
		// left alone.
		mc.reply(func(e *wire.Encoder) { wire.EncodeOpenResponseMessage(e, ref, wire.OpenInvalidArguments) })
		return
	}
	if n >= mc.srv.opts.MaxStreams {
		mc.close(websocket.ClosePolicyViolation, fmt.Sprintf("more than %d streams open on one connection", mc.srv.opts.MaxStreams), ErrConnectionClosed)
		return
	}
	ctx, cancel := context.WithCancelCause(mc.ctx)
	opened, res, err := mc.host.Open(ctx, mc.req, m)
	if err != nil {
		cancel(err)
		mc.log.Error("websocket: opening a stream", "endpoint", ref.Endpoint, "method", ref.Method, "error", err)
		mc.close(websocket.CloseInternalServerErr, "internal server error", ErrConnectionClosed)
		return
	}
	if res != wire.OpenSuccess {
		cancel(nil)
		mc.reply(func(e *wire.Encoder) { wire.EncodeOpenResponseMessage(e, ref, res) })
		return
	}
	c := &Call{mc: mc, ref: ref, ctx: ctx, cancel: cancel, registry: opened.Registry}
	for _, name := range opened.Inputs {
		c.inputs = append(c.inputs, &input{
			call:   c,
			name:   name,
			ch:     make(chan item, mc.srv.opts.InputBuffer),
			stop:   make(chan struct{}),
			failed: make(chan error, 1),
		})
	}
	mc.mu.Lock()
	if mc.calls == nil {
		mc.calls = map[wire.CallKey]*Call{}
	}
	mc.calls[k] = c
	mc.mu.Unlock()
	mc.reply(func(e *wire.Encoder) { wire.EncodeOpenResponseMessage(e, ref, wire.OpenSuccess) })
	go c.run(opened.Run, opened.Finished)
}

// closed ends every call: the connection is gone, so nothing is sent.
func (mc *methodConn) closed() {
	mc.mu.Lock()
	calls := make([]*Call, 0, len(mc.calls))
	for _, c := range mc.calls {
		calls = append(calls, c)
	}
	mc.mu.Unlock()
	for _, c := range calls {
		c.end("", nil, ErrConnectionClosed)
	}
}

func (mc *methodConn) remove(c *Call) {
	mc.mu.Lock()
	if mc.calls[c.ref.CallKey()] == c {
		delete(mc.calls, c.ref.CallKey())
	}
	mc.mu.Unlock()
}

// run runs the method and closes the call with its outcome. A panic
// fails the call, not the server.
func (c *Call) run(run Run, finished func(error)) {
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = &PanicError{Value: p, Stack: debug.Stack()}
			}
		}()
		err = run(c)
	}()
	reason := wire.CloseDone
	if err != nil {
		reason = wire.CloseError
	}
	c.end(reason, err, context.Canceled)
	if finished != nil {
		finished(err)
	}
}

// PanicError is a panic in a streaming method, turned into its error.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }
