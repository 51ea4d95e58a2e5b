package stream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
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

// Conn is one WebSocket connection. Its frames are written by whoever
// finds no writer running (a goroutine of its own for stream values, the
// read loop for its replies), so an idle connection costs its read loop
// and little else. The send buffer is bounded: producers wait for room,
// and a client that reads nothing for Options.SlowClientTimeout is
// disconnected.
type Conn struct {
	srv *Server
	ws  *websocket.Conn
	bc  *batchConn
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
	e *wire.Encoder // holds the frame; back to the pool once written
	// slot is set when the frame holds a token of slots.
	slot bool
}

// frameHandler is a protocol: it reads the frames of one connection.
type frameHandler interface {
	handle(frame []byte)
	closed()
}

func (s *Server) newConn(ws *websocket.Conn, bc *batchConn, r *http.Request) *Conn {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(r.Context()))
	c := &Conn{
		srv:    s,
		ws:     ws,
		bc:     bc,
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
		buf := framePool.Get().(*bytes.Buffer)
		buf.Reset()
		_, r, err := c.ws.NextReader()
		if err == nil {
			c.alive.Store(true)
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			framePool.Put(buf)
			if errors.Is(err, websocket.ErrReadLimit) {
				// gorilla has told the client (1009); this is for the record.
				c.close(websocket.CloseMessageTooBig, fmt.Sprintf("a message is larger than %d bytes", c.srv.opts.MaxFrameSize), ErrConnectionClosed)
			}
			return
		}
		// Text and binary frames alike: the protocol is JSON either way.
		h.handle(buf.Bytes())
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

// enqueue queues a frame; slot says whether it holds a token reserved
// with reserve (frames without one are the few that close streams,
// bounded by the number of streams). It reports whether the caller must
// write the queue (no writer is running).
func (c *Conn) enqueue(e *wire.Encoder, slot bool) (write bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		if slot {
			<-c.slots
		}
		recycle(e)
		return false
	}
	c.queue = append(c.queue, outFrame{e, slot})
	if c.writing {
		return false
	}
	c.writing = true
	return true
}

// push queues a frame and has it written by a goroutine of its own: for
// callers that hold locks.
func (c *Conn) push(e *wire.Encoder, slot bool) {
	if c.enqueue(e, slot) {
		go c.write()
	}
}

// pushInline queues a frame and, when no writer runs, writes the queue
// itself, saving a goroutine switch per burst.
func (c *Conn) pushInline(e *wire.Encoder, slot bool) {
	if c.enqueue(e, slot) {
		c.write()
	}
}

// send encodes a frame with enc and queues it, waiting for room.
func (c *Conn) send(ctx context.Context, enc func(e *wire.Encoder)) error {
	e, err := encodeFrame(enc)
	if err != nil {
		return err
	}
	if err := c.reserve(ctx); err != nil {
		recycle(e)
		return err
	}
	c.pushInline(e, true)
	return nil
}

var encoderPool = sync.Pool{New: func() any { return wire.NewEncoder(true) }}

// encodeFrame returns an encoder from the pool holding what enc writes,
// in the wire (protocol) form; the frame is written from it.
func encodeFrame(enc func(e *wire.Encoder)) (*wire.Encoder, error) {
	e := encoderPool.Get().(*wire.Encoder)
	enc(e)
	if _, err := e.Bytes(); err != nil {
		recycle(e)
		return nil, fmt.Errorf("encoding a message: %w", err)
	}
	return e, nil
}

// recycle returns a frame's encoder to the pool; one that grew past 64
// KiB is left to the collector.
func recycle(e *wire.Encoder) {
	if b, _ := e.Bytes(); cap(b) > 64<<10 {
		return
	}
	e.Reset()
	encoderPool.Put(e)
}

// write drains the queue, then returns. The frames queued at a time go
// out in one system call (see batchConn).
func (c *Conn) write() {
	var batch []outFrame
	for yielded := false; ; {
		c.mu.Lock()
		if len(c.queue) == 0 && !yielded && !c.closed {
			// Let a producer that is about to send go first: its frame
			// joins this writer instead of starting another.
			c.mu.Unlock()
			runtime.Gosched()
			yielded = true
			continue
		}
		yielded = false
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

		deadline := time.Now().Add(c.srv.opts.SlowClientTimeout)
		err := c.ws.SetWriteDeadline(deadline)
		c.bc.hold()
		for i, f := range batch {
			if err == nil {
				b, _ := f.e.Bytes()
				err = c.ws.WriteMessage(websocket.TextMessage, b)
			}
			recycle(f.e)
			batch[i] = outFrame{}
			if f.slot {
				<-c.slots
			}
		}
		if ferr := c.bc.flush(deadline); err == nil {
			err = ferr
		}
		if err != nil {
			if isTimeout(err) {
				reason := fmt.Sprintf("the client read nothing for %s: send buffer full", c.srv.opts.SlowClientTimeout)
				c.log.Warn("websocket: closing a slow client", "remote", c.req.RemoteAddr, "reason", reason)
				c.close(websocket.ClosePolicyViolation, reason, ErrConnectionClosed)
			} else {
				c.close(websocket.CloseGoingAway, "", ErrConnectionClosed)
			}
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			return
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
	for _, f := range c.queue {
		recycle(f.e)
	}
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

// batchConn is the socket under a WebSocket connection. While the writer
// holds it, what gorilla/websocket writes is gathered and then written in
// one system call: a burst of small frames costs one write instead of one
// each. Writes at other times (pings, pongs, close frames) go straight
// through.
type batchConn struct {
	net.Conn
	mu      sync.Mutex
	holding bool
	buf     []byte
}

var batchBuffers = sync.Pool{New: func() any { return make([]byte, 0, 4096) }}

func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.holding {
		b.buf = append(b.buf, p...)
		b.mu.Unlock()
		return len(p), nil
	}
	b.mu.Unlock()
	return b.Conn.Write(p)
}

// SetWriteDeadline is put off while holding: gorilla sets it for every
// frame, and the batch's own deadline applies when it is flushed.
func (b *batchConn) SetWriteDeadline(t time.Time) error {
	b.mu.Lock()
	holding := b.holding
	b.mu.Unlock()
	if holding {
		return nil
	}
	return b.Conn.SetWriteDeadline(t)
}

func (b *batchConn) hold() {
	b.mu.Lock()
	b.holding = true
	if b.buf == nil {
		b.buf = batchBuffers.Get().([]byte)[:0]
	}
	b.mu.Unlock()
}

// flush writes what was gathered, by deadline.
func (b *batchConn) flush(deadline time.Time) error {
	b.mu.Lock()
	data := b.buf
	b.buf, b.holding = nil, false
	b.mu.Unlock()
	if len(data) == 0 {
		return nil
	}
	err := b.Conn.SetWriteDeadline(deadline)
	if err == nil {
		_, err = b.Conn.Write(data)
	}
	if cap(data) <= 64<<10 {
		batchBuffers.Put(data[:0])
	}
	return err
}

// hijacker hands the upgrader a batchConn in place of the socket.
type hijacker struct {
	http.ResponseWriter
	bc *batchConn
}

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the response cannot be hijacked")
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.bc = &batchConn{Conn: conn}
	return h.bc, rw, nil
}
