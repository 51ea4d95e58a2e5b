package stream

import (
	"context"
	"net/http"

	"github.com/gorilla/websocket"

	"github.com/gopod/gopod/wire"
)

// LegacyHost serves Serverpod 2.4's endpoint streaming (the protocol of
// openStreamingConnection); package pod implements it over its
// endpoints' StreamOpened, HandleStreamMessage and StreamClosed.
type LegacyHost interface {
	// OpenLegacy is called once the connection is open; it returns the
	// session that receives its messages.
	OpenLegacy(c *LegacyConn) LegacySession
}

// LegacySession receives what one endpoint-streaming connection sends.
// Its methods are called one at a time, on the connection's read loop.
type LegacySession interface {
	// Authenticate replaces the authentication key (the auth command): the
	// authorization value as sent, empty to sign out.
	Authenticate(key string)
	// Message delivers a message for an endpoint (module.name for a
	// module's) with its type-tagged object. An error closes the
	// connection with code 1008 and the error as reason.
	Message(endpoint string, object wire.Tagged) error
	// Closed is called once, when the connection has closed.
	Closed()
}

// LegacyConn is one endpoint-streaming connection.
type LegacyConn struct {
	*Conn
}

// ServeLegacy serves Serverpod 2.4's endpoint streaming on the request
// (GET /websocket).
func (s *Server) ServeLegacy(w http.ResponseWriter, r *http.Request, host LegacyHost) {
	s.accept(w, r, func(c *Conn) frameHandler {
		lc := &LegacyConn{Conn: c}
		return &legacyHandler{lc: lc, sess: host.OpenLegacy(lc)}
	})
}

// Send sends m to the client as a message of endpoint, waiting for room
// in the send buffer until ctx ends.
func (lc *LegacyConn) Send(ctx context.Context, endpoint string, m any) error {
	return lc.send(ctx, func(e *wire.Encoder) { wire.EncodeLegacyMessage(e, endpoint, m) })
}

type legacyHandler struct {
	lc   *LegacyConn
	sess LegacySession
}

func (h *legacyHandler) handle(frame []byte) {
	m, err := wire.ParseLegacyMessage(frame)
	if err != nil {
		// 2.4 stops reading the socket; gopod says why as it closes it.
		h.lc.Close(websocket.CloseUnsupportedData, truncateReason("malformed message: "+err.Error()))
		return
	}
	switch m.Command {
	case "":
		if err := h.sess.Message(m.Endpoint, m.Object); err != nil {
			h.lc.Close(websocket.ClosePolicyViolation, truncateReason(err.Error()))
		}
	case "ping":
		if err := h.lc.send(h.lc.ctx, wire.EncodeLegacyPong); err != nil && h.lc.ctx.Err() == nil {
			h.lc.log.Error("websocket: answering a ping", "error", err)
		}
	case "auth":
		h.sess.Authenticate(m.Key)
	}
}

func (h *legacyHandler) closed() { h.sess.Closed() }

// truncateReason keeps a close reason within the 123 bytes a close frame
// allows.
func truncateReason(s string) string {
	const max = 123
	if len(s) <= max {
		return s
	}
	s = s[:max-3]
	for len(s) > 0 && s[len(s)-1]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] >= 0xC0 {
		s = s[:len(s)-1]
	}
	return s + "..."
}
