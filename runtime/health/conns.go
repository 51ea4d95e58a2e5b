package health

import (
	"net"
	"net/http"
	"sync"
)

// Connections are counts of HTTP connections by state.
type Connections struct {
	Active, Closing, Idle int64
}

// ConnCounter counts an http.Server's connections; set its Track as the
// server's ConnState. Connections taken over by a handler (WebSockets)
// leave the count, as they leave the HTTP server.
type ConnCounter struct {
	mu     sync.Mutex
	states map[net.Conn]http.ConnState
	counts Connections
}

// NewConnCounter returns a counter with no connections.
func NewConnCounter() *ConnCounter {
	return &ConnCounter{states: map[net.Conn]http.ConnState{}}
}

// Track records that c moved to state.
func (c *ConnCounter) Track(conn net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.states[conn]; ok {
		c.adjust(old, -1)
	}
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(c.states, conn)
		return
	}
	c.states[conn] = state
	c.adjust(state, 1)
}

// adjust counts new connections (not yet read from) as active, as Dart's
// HttpServer does for a connection that has not finished a request.
func (c *ConnCounter) adjust(state http.ConnState, by int64) {
	switch state {
	case http.StateNew, http.StateActive:
		c.counts.Active += by
	case http.StateIdle:
		c.counts.Idle += by
	}
}

// Counts returns the current counts. Go's server closes connections
// without a closing state, so Closing stays 0.
func (c *ConnCounter) Counts() Connections {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts
}
