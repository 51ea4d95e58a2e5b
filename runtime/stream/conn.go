package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/gopod/gopod/wire"
)

// Errors a stream's context ends with, for context.Cause.
var (
	// ErrConnectionClosed: the socket closed (the client went away, or the
	// server shut down or gave up on a slow client).
	ErrConnectionClosed = errors.New("stream: the connection closed")
	// ErrCancelled: the client closed the stream.
	ErrCancelled = errors.New("stream: the client closed the stream")
)

// Conn is one WebSocket connection. Frames are written by a goroutine
// that exists only while frames wait, so an idle connection costs its
// read loop and little else. The send buffer is bounded: producers wait
// for room, and a client that reads nothing for Options.SlowClientTimeout
// is disconnected.
type Conn struct {
	srv *Server
	ws  *websocket.Conn
	req *http.Request
	log *slog.Logger

	ctx    context.Context
	cancel context.CancelCauseFunc

	// slots holds one token per frame waiting that counts against the
	// send buffer.
	slots chan struct{}

	mu      sync.Mutex
	queue   []outFrame
	writing bool // a writer goroutine runs
	closed  bool

	// alive is set by anything the client sends, and cleared by each
	// keep-alive ping; a ping that finds it clear closes the connection.
	alive     atomic.Bool
	keepalive *time.Timer
}

type outFrame struct {
	b []byte
	// slot is set when the frame holds a token of slots.
	slot bool
}

// frameHandler is a protocol: it reads the frames of one connection.
type frameHandler interface {
	handle(frame []byte)
	closed()
}

func (s *Server) newConn(ws *websocket.Conn, r *http.Request) *Conn {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(r.Context()))
	c := &Conn{
		srv:    s,
		ws:     ws,
		req:    r,
		log:    s.opts.Logger,
		ctx:    ctx,
		cancel: cancel,
		slots:  make(chan struct{}, s.opts.SendBuffer),
	}
	ws.SetReadLimit(s.opts.MaxFrameSize)
	c.alive.Store(true)
	ws.SetPongHandler(func(string) error { c.alive.Store(true); return nil })
	if s.opts.PingInterval > 0 {
		c.keepalive = time.AfterFunc(s.opts.PingInterval, c.ping)
	}
	return c
}

// Context ends when the connection closes.
func (c *Conn) Context() context.Context { return c.ctx }

// Request is the HTTP request that opened the connection.
func (c *Conn) Request() *http.Request { return c.req }

var framePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// run reads frames until the connection ends, handing each to h.
func (c *Conn) run(h frameHandler) {
	defer func() {
		c.close(websocket.CloseNormalClosure, "", ErrConnectionClosed)
		h.closed()
		c.srv.forget(c)
	}()
	for {
		typ, r, err := c.ws.NextReader()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.close(websocket.CloseMessageTooBig, fmt.Sprintf("a message is larger than %d bytes", c.srv.opts.MaxFrameSize), ErrConnectionClosed)
			}
			return
		}
		c.alive.Store(true)
		buf := framePool.Get().(*bytes.Buffer)
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			framePool.Put(buf)
			if errors.Is(err, websocket.ErrReadLimit) {
				c.close(websocket.CloseMessageTooBig, fmt.Sprintf("a message is larger than %d bytes", c.srv.opts.MaxFrameSize), ErrConnectionClosed)
			}
			return
		}
		if typ == websocket.BinaryMessage || typ == websocket.TextMessage {
			h.handle(buf.Bytes())
		}
		if buf.Cap() <= 64<<10 {
			framePool.Put(buf)
		}
		if c.ctx.Err() != nil {
			return
		}
	}
}

// ping is the keep-alive: every PingInterval the server sends a
// WebSocket ping, as Serverpod does, and a client that sent nothing
// (not even the pong) since the previous one is disconnected.
func (c *Conn) ping() {
	if c.ctx.Err() != nil {
		return
	}
	if !c.alive.Swap(false) {
		c.close(websocket.CloseGoingAway, "no answer to ping", ErrConnectionClosed)
		return
	}
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.srv.opts.SlowClientTimeout)); err != nil {
		c.close(websocket.CloseGoingAway, "", ErrConnectionClosed)
		return
	}
	c.keepalive.Reset(c.srv.opts.PingInterval)
}

// reserve waits for room in the send buffer, or until ctx or the
// connection ends.
func (c *Conn) reserve(ctx context.Context) error {
	select {
	case c.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-c.ctx.Done():
		return context.Cause(c.ctx)
	}
}

// push queues a frame; slot says whether it holds a token reserved with
// reserve. Frames without one are the few that close streams, bounded by
// the number of streams.
func (c *Conn) push(b []byte, slot bool) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		if slot {
			<-c.slots
		}
		return
	}
	c.queue = append(c.queue, outFrame{b, slot})
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.write()
	}
}

// send encodes a frame with enc and queues it, waiting for room.
func (c *Conn) send(ctx context.Context, enc func(e *wire.Encoder)) error {
	b, err := encodeFrame(enc)
	if err != nil {
		return err
	}
	if err := c.reserve(ctx); err != nil {
		return err
	}
	c.push(b, true)
	return nil
}

var encoderPool = sync.Pool{New: func() any { return wire.NewEncoder(true) }}

// encodeFrame returns the bytes enc writes, in the wire (protocol) form.
func encodeFrame(enc func(e *wire.Encoder)) ([]byte, error) {
	e := encoderPool.Get().(*wire.Encoder)
	defer func() {
		e.Reset()
		encoderPool.Put(e)
	}()
	enc(e)
	b, err := e.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encoding a message: %w", err)
	}
	return bytes.Clone(b), nil
}

// write drains the queue, then exits.
func (c *Conn) write() {
	var batch []outFrame
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.closed {
			c.writing = false
			if cap(c.queue) > 32 {
				c.queue = nil // let a burst's backing array go
			}
			c.mu.Unlock()
			return
		}
		batch, c.queue = c.queue, batch[:0]
		c.mu.Unlock()

		if err := c.ws.SetWriteDeadline(time.Now().Add(c.srv.opts.SlowClientTimeout)); err != nil {
			c.close(websocket.CloseInternalServerErr, "", ErrConnectionClosed)
			return
		}
		for i, f := range batch {
			err := c.ws.WriteMessage(websocket.TextMessage, f.b)
			batch[i] = outFrame{}
			if f.slot {
				<-c.slots
			}
			if err != nil {
				if isTimeout(err) {
					reason := fmt.Sprintf("the client read nothing for %s: send buffer full", c.srv.opts.SlowClientTimeout)
					c.log.Warn("websocket: closing a slow client", "remote", c.req.RemoteAddr, "reason", reason)
					c.close(websocket.ClosePolicyViolation, reason, ErrConnectionClosed)
				} else {
					c.close(websocket.CloseGoingAway, "", ErrConnectionClosed)
				}
				return
			}
		}
	}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// close ends the connection once: streams see cause, the client gets a
// close frame with code and reason when it still reads, and the socket is
// closed.
func (c *Conn) close(code int, reason string, cause error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.queue = nil
	c.mu.Unlock()
	c.cancel(cause)
	if c.keepalive != nil {
		c.keepalive.Stop()
	}
	// A client that reads nothing cannot be told why; do not wait for it.
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(100*time.Millisecond))
	_ = c.ws.Close()
}

// Close closes the connection, telling the client why with a WebSocket
// close code (websocket.ClosePolicyViolation, say) and reason.
func (c *Conn) Close(code int, reason string) {
	c.close(code, reason, ErrConnectionClosed)
}
