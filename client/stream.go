package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gopod/gopod/wire"
)

// This file is the client half of Serverpod 2.4's method streaming, in
// the shape the server uses: a stream is an iter.Seq2[T, error], in both
// directions. Calls share one WebSocket (/v1/websocket), opened when the
// first stream starts and closed when the last one ends, as
// serverpod_client does.

// DefaultStreamingConnectionTimeout bounds the WebSocket handshake, as
// serverpod_client's streamingConnectionTimeout does.
const DefaultStreamingConnectionTimeout = 5 * time.Second

// Errors of streaming calls.
var (
	// ErrStreamFailed: the server closed the stream with an error that is
	// not a serializable exception.
	ErrStreamFailed = errors.New("the server closed the stream with an error")
	// ErrConnectionLost: the WebSocket closed while the stream was open.
	ErrConnectionLost = errors.New("the streaming connection closed")
	// ErrStreamsReconnected: ReconnectStreams could not move the stream
	// to the new connection, because it has input streams that cannot be
	// replayed; start it again.
	ErrStreamsReconnected = errors.New("the streaming connection was renewed; start the stream again")
)

// WithStreamingConnectionTimeout bounds opening the WebSocket, handshake
// included (default 5 s).
func WithStreamingConnectionTimeout(d time.Duration) Option {
	return func(x *Caller) { x.streamTimeout = d }
}

// WithNetDialer sets how the WebSocket connection is dialled (to bind a
// local address, say).
func WithNetDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return func(x *Caller) { x.netDial = dial }
}

// Input is an input stream of a streaming call: a parameter name and the
// values to send. Build it with NewInput.
type Input struct {
	name string
	// feed sends the values with send until they end, and returns the
	// error they ended with.
	feed func(ctx context.Context, send func(object func(e *wire.Encoder)) error) error
}

// NewInput makes seq the input stream name of a call. The call ranges
// over seq while the stream is open, sending each value as it comes; an
// error from seq ends the input with cmsc error (after an msse when it is
// a wire.Exception), and the end of seq closes it. When the server stops
// reading the input, the range stops.
func NewInput[T any](name string, class wire.Class[T], seq iter.Seq2[T, error]) Input {
	return Input{name: name, feed: func(ctx context.Context, send func(object func(e *wire.Encoder)) error) error {
		for v, err := range seq {
			if err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
			if send(func(e *wire.Encoder) { class.EncodeTagged(e, v) }) != nil {
				return nil
			}
		}
		return nil
	}}
}

// Stream calls a method that returns a stream. Ranging over the result
// opens the stream (and the connection, when none is open), then yields
// each value the server sends until it closes the stream; an error ends
// the range. Stopping early, or ctx ending, closes the stream on the
// server. args writes the ordinary arguments as for Call.
func Stream[T any](ctx context.Context, c *Caller, endpoint, method string, args func(e *wire.Encoder), inputs []Input, class wire.Class[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		call, err := c.streams().open(ctx, endpoint, method, args, inputs)
		if err != nil {
			yield(zero, err)
			return
		}
		defer call.cancel()
		for {
			select {
			case it := <-call.items:
				if it.err != nil {
					yield(zero, it.err)
					return
				}
				if it.done {
					return
				}
				v, err := class.DecodeTagged(it.object)
				if err != nil {
					yield(zero, fmt.Errorf("%s.%s: %w", endpoint, method, err))
					return
				}
				if !yield(v, nil) {
					return
				}
			case <-ctx.Done():
				yield(zero, ctx.Err())
				return
			}
		}
	}
}

// StreamValue calls a streaming method that returns one value (a method
// with input streams returning Future<T> in Dart).
func StreamValue[T any](ctx context.Context, c *Caller, endpoint, method string, args func(e *wire.Encoder), inputs []Input, class wire.Class[T]) (T, error) {
	for v, err := range Stream(ctx, c, endpoint, method, args, inputs, class) {
		return v, err
	}
	var zero T
	return zero, fmt.Errorf("%s.%s: %w", endpoint, method, errNoValue)
}

var errNoValue = errors.New("the server closed the stream without a value")

// StreamVoid calls a streaming method that returns nothing; it returns
// when the server closes the stream.
func StreamVoid(ctx context.Context, c *Caller, endpoint, method string, args func(e *wire.Encoder), inputs []Input) error {
	none := wire.Class[struct{}]{Decode: func(any) (struct{}, error) { return struct{}{}, nil }}
	for _, err := range Stream(ctx, c, endpoint, method, args, inputs, none) {
		if err != nil {
			return err
		}
	}
	return nil
}

// ReconnectStreams moves the open streams to a new connection that
// carries the current authentication key, as Serverpod's SessionManager
// refreshes streaming connections when the user signs in or out: each
// stream without input streams is opened again with the same arguments
// (the method starts over, under the new identity) and its range goes on;
// a stream with input streams ends with ErrStreamsReconnected.
func (c *Caller) ReconnectStreams(ctx context.Context) error {
	return c.streams().reconnect(ctx)
}

// streams returns the caller's stream manager.
func (c *Caller) streams() *streamManager {
	c.streamsOnce.Do(func() { c.streamMgr = &streamManager{c: c} })
	return c.streamMgr
}

// streamManager multiplexes a caller's streams over one connection.
type streamManager struct {
	c *Caller

	dial sync.Mutex // one connection attempt at a time
	mu   sync.Mutex
	conn *streamConn
}

// clientCall is one open stream.
type clientCall struct {
	m        *streamManager
	endpoint string
	method   string
	args     func(e *wire.Encoder)
	inputs   []Input

	// items carries what the server sends for the output stream; the
	// read loop waits when the reader falls behind.
	items chan clientItem
	// done is closed when the call ends for good.
	done     chan struct{}
	doneOnce sync.Once

	mu      sync.Mutex // guards the fields below
	conn    *streamConn
	ref     wire.StreamRef
	opened  chan wire.OpenResult
	feeders context.CancelFunc // stops the input goroutines
	stopped map[string]context.CancelFunc
}

type clientItem struct {
	object wire.Tagged
	err    error
	done   bool
}

func (m *streamManager) open(ctx context.Context, endpoint, method string, args func(e *wire.Encoder), inputs []Input) (*clientCall, error) {
	call := &clientCall{
		m: m, endpoint: endpoint, method: method, args: args, inputs: inputs,
		items: make(chan clientItem, 64),
		done:  make(chan struct{}),
	}
	if err := call.start(ctx); err != nil {
		call.finish()
		return nil, err
	}
	return call, nil
}

// start opens the call on the current connection (dialling one when
// needed) and starts feeding its inputs.
func (call *clientCall) start(ctx context.Context) error {
	m := call.m
	conn, err := m.connection(ctx)
	if err != nil {
		return fmt.Errorf("%s.%s: %w", call.endpoint, call.method, err)
	}
	auth := ""
	if m.c.keys != nil {
		key, err := m.c.keys.Get()
		if err != nil {
			return fmt.Errorf("%s.%s: reading the authentication key: %w", call.endpoint, call.method, err)
		}
		if key != "" {
			auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(key))
		}
	}
	ref := wire.StreamRef{Endpoint: call.endpoint, Method: call.method, ConnectionID: wire.NewUUID()}
	opened := make(chan wire.OpenResult, 1)
	call.mu.Lock()
	call.conn, call.ref, call.opened = conn, ref, opened
	call.stopped = map[string]context.CancelFunc{}
	call.mu.Unlock()
	if !conn.add(call, ref) {
		return fmt.Errorf("%s.%s: %w", call.endpoint, call.method, ErrConnectionLost)
	}
	names := make([]string, len(call.inputs))
	for i, in := range call.inputs {
		names[i] = in.name
	}
	if err := conn.write(func(e *wire.Encoder) { wire.EncodeOpenMessage(e, ref, call.args, names, auth) }); err != nil {
		conn.remove(ref)
		return fmt.Errorf("%s.%s: %w", call.endpoint, call.method, err)
	}
	var res wire.OpenResult
	select {
	case res = <-opened:
	case <-conn.closed:
		conn.remove(ref)
		return fmt.Errorf("%s.%s: %w", call.endpoint, call.method, conn.closeErr())
	case <-ctx.Done():
		// The server may open the stream still: close it there too.
		if conn.remove(ref) {
			_ = conn.write(func(e *wire.Encoder) { wire.EncodeCloseMessage(e, ref, wire.CloseDone) })
		}
		conn.releaseIfIdle()
		return ctx.Err()
	}
	if res != wire.OpenSuccess {
		conn.remove(ref)
		conn.releaseIfIdle()
		return &StatusError{Endpoint: call.endpoint, Method: call.method, StatusCode: openStatus[res], Body: string(res)}
	}
	feedCtx, stopFeeding := context.WithCancel(context.WithoutCancel(ctx))
	call.mu.Lock()
	call.feeders = stopFeeding
	for _, in := range call.inputs {
		inCtx, stop := context.WithCancel(feedCtx)
		call.stopped[in.name] = stop
		go call.feed(inCtx, conn, ref, in)
	}
	call.mu.Unlock()
	return nil
}

// openStatus maps an open answer to the HTTP status serverpod_client
// reports for it.
var openStatus = map[wire.OpenResult]int{
	wire.OpenEndpointNotFound:      http.StatusNotFound,
	wire.OpenAuthenticationFailed:  http.StatusUnauthorized,
	wire.OpenAuthorizationDeclined: http.StatusForbidden,
	wire.OpenInvalidArguments:      http.StatusBadRequest,
}

// feed sends one input stream.
func (call *clientCall) feed(ctx context.Context, conn *streamConn, ref wire.StreamRef, in Input) {
	ref.Parameter = in.name
	err := in.feed(ctx, func(object func(e *wire.Encoder)) error {
		return conn.write(func(e *wire.Encoder) { wire.EncodeValueMessage(e, ref, object) })
	})
	if ctx.Err() != nil {
		return // the server stopped reading it, or the call ended
	}
	reason := wire.CloseDone
	if err != nil {
		reason = wire.CloseError
		var exc wire.Exception
		if errors.As(err, &exc) {
			_ = conn.write(func(e *wire.Encoder) { wire.EncodeExceptionMessage(e, ref, exc) })
		}
	}
	_ = conn.write(func(e *wire.Encoder) { wire.EncodeCloseMessage(e, ref, reason) })
}

// deliver hands the reader what the server sent, waiting while the reader
// is behind.
func (call *clientCall) deliver(it clientItem) {
	select {
	case call.items <- it:
	case <-call.done:
	}
}

// cancel ends the call from the client's side: if the server has not
// closed the stream, it is told to (cmsc done), as serverpod_client does
// when a listener cancels.
func (call *clientCall) cancel() {
	call.mu.Lock()
	conn, ref := call.conn, call.ref
	call.mu.Unlock()
	if conn != nil && conn.remove(ref) {
		_ = conn.write(func(e *wire.Encoder) { wire.EncodeCloseMessage(e, ref, wire.CloseDone) })
		conn.releaseIfIdle()
	}
	call.finish()
}

func (call *clientCall) finish() {
	call.doneOnce.Do(func() {
		close(call.done)
		call.mu.Lock()
		if call.feeders != nil {
			call.feeders()
		}
		call.mu.Unlock()
	})
}

// stopInput stops feeding an input the server no longer reads.
func (call *clientCall) stopInput(name string) {
	call.mu.Lock()
	defer call.mu.Unlock()
	if stop := call.stopped[name]; stop != nil {
		stop()
	}
}

// connection returns the open connection, dialling one when there is
// none.
func (m *streamManager) connection(ctx context.Context) (*streamConn, error) {
	m.mu.Lock()
	conn := m.conn
	m.mu.Unlock()
	if conn != nil && !conn.isClosed() {
		return conn, nil
	}
	m.dial.Lock()
	defer m.dial.Unlock()
	m.mu.Lock()
	conn = m.conn
	m.mu.Unlock()
	if conn != nil && !conn.isClosed() {
		return conn, nil
	}
	conn, err := m.connect(ctx)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.conn = conn
	m.mu.Unlock()
	return conn, nil
}

// connect dials /v1/websocket and waits for the answer to a ping, as
// serverpod_client's handshake does.
func (m *streamManager) connect(ctx context.Context) (*streamConn, error) {
	timeout := m.c.streamTimeout
	if timeout <= 0 {
		timeout = DefaultStreamingConnectionTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u, err := url.Parse(m.c.host)
	if err != nil {
		return nil, fmt.Errorf("opening the streaming connection: %w", err)
	}
	// As serverpod_client: the host's scheme, made ws or wss, and the
	// path /v1/websocket whatever the host's path.
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	case "http":
		u.Scheme = "ws"
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment = "/v1/websocket", "", "", ""
	d := websocket.Dialer{NetDialContext: m.c.netDial, HandshakeTimeout: timeout, Proxy: http.ProxyFromEnvironment}
	ws, resp, err := d.DialContext(ctx, u.String(), nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("opening the streaming connection: %w", err)
	}
	conn := &streamConn{m: m, ws: ws, calls: map[wire.CallKey]*clientCall{}, closed: make(chan struct{}), pong: make(chan struct{}, 1)}
	go conn.read()
	if err := conn.write(wire.EncodePingMessage); err != nil {
		conn.close(err)
		return nil, fmt.Errorf("opening the streaming connection: %w", err)
	}
	select {
	case <-conn.pong:
		return conn, nil
	case <-conn.closed:
		return nil, fmt.Errorf("opening the streaming connection: %w", conn.closeErr())
	case <-ctx.Done():
		conn.close(ctx.Err())
		return nil, fmt.Errorf("opening the streaming connection: no answer to the handshake within %s", timeout)
	}
}

// reconnect moves the open calls to a new connection (see
// ReconnectStreams).
func (m *streamManager) reconnect(ctx context.Context) error {
	m.dial.Lock()
	m.mu.Lock()
	old := m.conn
	m.conn = nil
	m.mu.Unlock()
	m.dial.Unlock()
	if old == nil {
		return nil
	}
	calls := old.detach()
	old.close(ErrStreamsReconnected)
	var errs []error
	for _, call := range calls {
		call.mu.Lock()
		if call.feeders != nil {
			call.feeders()
		}
		call.mu.Unlock()
		if len(call.inputs) > 0 {
			call.deliver(clientItem{err: fmt.Errorf("%s.%s: %w", call.endpoint, call.method, ErrStreamsReconnected)})
			continue
		}
		if err := call.start(ctx); err != nil {
			call.deliver(clientItem{err: err})
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// streamConn is one WebSocket connection of a caller.
type streamConn struct {
	m  *streamManager
	ws *websocket.Conn

	wmu sync.Mutex // one writer at a time

	mu       sync.Mutex
	calls    map[wire.CallKey]*clientCall
	closed   chan struct{}
	err      error
	isDone   bool
	pong     chan struct{}
	detached bool
}

func (sc *streamConn) add(call *clientCall, ref wire.StreamRef) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.isDone || sc.detached {
		return false
	}
	sc.calls[ref.CallKey()] = call
	return true
}

// remove forgets a call; it reports whether the call was there.
func (sc *streamConn) remove(ref wire.StreamRef) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	k := ref.CallKey()
	_, ok := sc.calls[k]
	delete(sc.calls, k)
	return ok
}

func (sc *streamConn) call(ref wire.StreamRef) *clientCall {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.calls[ref.CallKey()]
}

// detach takes every call off the connection, so that closing it ends
// none of them.
func (sc *streamConn) detach() []*clientCall {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.detached = true
	calls := make([]*clientCall, 0, len(sc.calls))
	for _, c := range sc.calls {
		calls = append(calls, c)
	}
	sc.calls = map[wire.CallKey]*clientCall{}
	return calls
}

// releaseIfIdle closes the connection when no stream is left on it, as
// serverpod_client does.
func (sc *streamConn) releaseIfIdle() {
	sc.mu.Lock()
	idle := len(sc.calls) == 0
	sc.mu.Unlock()
	if !idle {
		return
	}
	m := sc.m
	m.dial.Lock()
	defer m.dial.Unlock()
	sc.mu.Lock()
	idle = len(sc.calls) == 0
	if idle {
		sc.detached = true
	}
	sc.mu.Unlock()
	if !idle {
		return
	}
	m.mu.Lock()
	if m.conn == sc {
		m.conn = nil
	}
	m.mu.Unlock()
	sc.close(nil)
}

func (sc *streamConn) isClosed() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.isDone || sc.detached
}

func (sc *streamConn) closeErr() error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.err != nil {
		return sc.err
	}
	return ErrConnectionLost
}

var clientEncoders = sync.Pool{New: func() any { return wire.NewEncoder(false) }}

// write sends one message.
func (sc *streamConn) write(enc func(e *wire.Encoder)) error {
	e := clientEncoders.Get().(*wire.Encoder)
	defer func() {
		e.Reset()
		clientEncoders.Put(e)
	}()
	enc(e)
	b, err := e.Bytes()
	if err != nil {
		return err
	}
	sc.wmu.Lock()
	defer sc.wmu.Unlock()
	if err := sc.ws.SetWriteDeadline(time.Now().Add(sc.m.c.timeout)); err != nil {
		return err
	}
	if err := sc.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		sc.close(err)
		return fmt.Errorf("%w: %w", ErrConnectionLost, err)
	}
	return nil
}

// close ends the connection; the calls still on it end with err (or
// ErrConnectionLost).
func (sc *streamConn) close(err error) {
	sc.mu.Lock()
	if sc.isDone {
		sc.mu.Unlock()
		return
	}
	sc.isDone = true
	if err != nil && sc.err == nil {
		sc.err = err
	}
	calls := sc.calls
	sc.calls = map[wire.CallKey]*clientCall{}
	sc.mu.Unlock()
	_ = sc.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = sc.ws.Close()
	close(sc.closed)
	for _, call := range calls {
		lost := ErrConnectionLost
		if err != nil && !errors.Is(err, ErrConnectionLost) {
			lost = fmt.Errorf("%w: %w", ErrConnectionLost, err)
		}
		go call.deliver(clientItem{err: fmt.Errorf("%s.%s: %w", call.endpoint, call.method, lost)})
	}
}

// read dispatches what the server sends.
func (sc *streamConn) read() {
	for {
		_, data, err := sc.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseNormalClosure && ce.Text != "" {
				err = fmt.Errorf("the server closed the connection: %s (%d)", ce.Text, ce.Code)
			}
			sc.close(err)
			return
		}
		if !sc.handle(data) {
			return
		}
	}
}

func (sc *streamConn) handle(data []byte) bool {
	m, err := wire.ParseMessage(data)
	if err != nil {
		// As serverpod_client does: say so, and hang up.
		req := string(bytes.Clone(data))
		_ = sc.write(func(e *wire.Encoder) { wire.EncodeBadRequestMessage(e, req) })
		sc.close(fmt.Errorf("unreadable message from the server: %w", err))
		return false
	}
	switch m.Type {
	case wire.TypePong:
		select {
		case sc.pong <- struct{}{}:
		default:
		}
	case wire.TypePing:
		_ = sc.write(wire.EncodePongMessage)
	case wire.TypeBadRequest:
		sc.close(fmt.Errorf("the server could not read a message: %s", m.Request))
		return false
	case wire.TypeOpenResponse:
		if call := sc.call(m.StreamRef); call != nil {
			select {
			case call.opened <- m.Result:
			default:
			}
		}
	case wire.TypeValue:
		call := sc.call(m.StreamRef)
		if call == nil || m.Parameter != "" {
			ref := m.StreamRef
			_ = sc.write(func(e *wire.Encoder) { wire.EncodeCloseMessage(e, ref, wire.CloseError) })
			return true
		}
		call.deliver(clientItem{object: m.Object})
	case wire.TypeException:
		if call := sc.call(m.StreamRef); call != nil && m.Parameter == "" {
			sc.remove(m.StreamRef)
			call.deliver(clientItem{err: sc.m.c.exception(m.Exception)})
			sc.releaseIfIdle()
		}
	case wire.TypeClose:
		call := sc.call(m.StreamRef)
		if call == nil {
			return true
		}
		if m.Parameter != "" {
			call.stopInput(m.Parameter)
			return true
		}
		sc.remove(m.StreamRef)
		if m.Reason == wire.CloseError {
			call.deliver(clientItem{err: fmt.Errorf("%s.%s: %w", call.endpoint, call.method, ErrStreamFailed)})
		} else {
			call.deliver(clientItem{done: true})
		}
		sc.releaseIfIdle()
	}
	return true
}

// exception turns a serializable exception into its generated type, or
// an error naming its class.
func (c *Caller) exception(t wire.Tagged) error {
	if c.registry != nil {
		if x, err := c.registry.Decode(t.ClassName, t.Data); err == nil {
			if e, ok := x.(error); ok {
				return e
			}
		}
	}
	return fmt.Errorf("%w: exception %s", ErrStreamFailed, t.ClassName)
}
