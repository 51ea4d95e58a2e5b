package stream

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Options bound what one connection may hold and say how it is kept
// alive. The zero value of each field picks its default.
type Options struct {
	// MaxFrameSize is the largest message a client may send, in bytes
	// (default 512 KiB, Serverpod's maxRequestSize); a larger one closes
	// the connection with code 1009.
	MaxFrameSize int64
	// SendBuffer is how many frames may wait to be written on one
	// connection (default 128); producers wait when it is full.
	SendBuffer int
	// SlowClientTimeout is how long a write may wait for a client that
	// does not read (default 10 s); then the connection is closed with
	// code 1008 and the reason. It also bounds how long an input stream
	// the method does not read may hold up the connection.
	SlowClientTimeout time.Duration
	// PingInterval is how often the server pings (default 30 s, as
	// Serverpod does); a client that answered nothing since the previous
	// ping is disconnected. Negative disables pings.
	PingInterval time.Duration
	// InputBuffer is how many values of one input stream may wait for
	// the method (default 64).
	InputBuffer int
	// MaxInputBytes is how many bytes (as sent) of values may wait on the
	// input streams of one connection, all streams together (default 4
	// MiB). A value is held as a parsed tree, many times its size, so
	// InputBuffer values on each of MaxStreams streams would be far too
	// many; past the budget the read loop waits as for a full buffer. A
	// value is always let through when no other waits.
	MaxInputBytes int64
	// MaxStreams is how many method streams one connection may have open
	// (default 1024); opening more closes the connection with code 1008.
	MaxStreams int
	// Logger receives connection-level events (default slog.Default()).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxFrameSize <= 0 {
		o.MaxFrameSize = 512 << 10
	}
	if o.SendBuffer <= 0 {
		o.SendBuffer = 128
	}
	if o.SlowClientTimeout <= 0 {
		o.SlowClientTimeout = 10 * time.Second
	}
	if o.PingInterval == 0 {
		o.PingInterval = 30 * time.Second
	}
	if o.InputBuffer <= 0 {
		o.InputBuffer = 64
	}
	if o.MaxInputBytes <= 0 {
		o.MaxInputBytes = 4 << 20
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = 1024
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Server accepts WebSocket connections for both of Serverpod's streaming
// protocols and closes them all on Shutdown.
type Server struct {
	opts     Options
	upgrader websocket.Upgrader

	mu    sync.Mutex
	conns map[*Conn]struct{}
	down  bool
}

// NewServer returns a server with the given limits.
func NewServer(opts Options) *Server {
	opts = opts.withDefaults()
	return &Server{
		opts: opts,
		upgrader: websocket.Upgrader{
			// A small read buffer: an idle connection waits in it.
			ReadBufferSize: 1024,
			// Write buffers are lent to connections only while they
			// write, so that idle connections hold none.
			WriteBufferPool: &sync.Pool{},
			// Serverpod 2.4 accepts connections from any origin; access is
			// granted by the authentication key each stream carries, never
			// by cookies, so another origin gains nothing.
			CheckOrigin: func(*http.Request) bool { return true },
		},
		conns: map[*Conn]struct{}{},
	}
}

// Options returns the server's limits, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// accept upgrades the request and starts reading it with the protocol
// that newHandler builds. The handler returns at once: the connection is
// read on a fresh goroutine, so the stack the HTTP server grew for the
// request is not held for the connection's lifetime.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, newHandler func(c *Conn) frameHandler) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		http.Error(w, "The server is shutting down.", http.StatusServiceUnavailable)
		return
	}
	hj := &hijacker{ResponseWriter: w}
	ws, err := s.upgrader.Upgrade(hj, r, nil)
	if err != nil {
		return // the upgrader answered the client
	}
	c := s.newConn(ws, hj.bc, r)
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		c.close(websocket.CloseGoingAway, "the server is shutting down", ErrConnectionClosed)
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	h := newHandler(c)
	go c.run(h)
}

func (s *Server) forget(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Connections returns how many connections are open.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown closes every connection with code 1001 (going away) and
// refuses new ones; the streams' contexts end.
func (s *Server) Shutdown() {
	s.mu.Lock()
	s.down = true
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close(websocket.CloseGoingAway, "the server is shutting down", ErrConnectionClosed)
	}
}
