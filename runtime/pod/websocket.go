package pod

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gopod/gopod/runtime/stream"
	"github.com/gopod/gopod/wire"
)

// This file connects the endpoints to package stream: the method
// streams of /v1/websocket and the endpoint streams of /websocket.

// Errors of streaming sessions.
var (
	// ErrNotStreaming: SendStreamMessage needs an endpoint streaming
	// session.
	ErrNotStreaming = errors.New("pod: the session has no streaming connection")
	// ErrAuthenticationRevoked ends (as context.Cause) the streams of a
	// caller whose key was revoked, whose user was blocked, or who lost a
	// scope the endpoint requires.
	ErrAuthenticationRevoked = errors.New("pod: the caller's authentication was revoked")
)

// WithStreamOptions sets the limits of WebSocket connections (frame size,
// send buffer, slow clients, pings). MaxFrameSize defaults to the
// server's maximum request size.
func WithStreamOptions(o stream.Options) Option {
	return func(s *Server) { s.streamOptions = o }
}

// Streams returns the server's WebSocket connections (for their count,
// and to close them all).
func (s *Server) Streams() *stream.Server { return s.streams }

func (s *Server) newStreams() {
	o := s.streamOptions
	if o.MaxFrameSize == 0 {
		o.MaxFrameSize = s.maxRequestSize
	}
	if o.Logger == nil {
		o.Logger = s.log
	}
	s.streams = stream.NewServer(o)
}

// serveWebSocket answers /v1/websocket and /websocket.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/websocket" {
		s.streams.ServeLegacy(w, r, (*legacyHost)(s))
		return
	}
	s.streams.ServeMethods(w, r, (*methodHost)(s))
}

// methodHost resolves method streams.
type methodHost Server

// Open answers an open command as Serverpod 2.4 does: bad argument JSON,
// then endpoint, access, method and arguments, then the input streams.
func (h *methodHost) Open(ctx context.Context, r *http.Request, m *wire.Message) (*stream.Opened, wire.OpenResult, error) {
	s := (*Server)(h)
	parsed, err := wire.Parse([]byte(m.Args))
	params, isObject := parsed.(map[string]any)
	if err != nil || !isObject {
		return nil, wire.OpenInvalidArguments, nil
	}
	conn := s.dispatch.Lookup(m.Endpoint)
	if conn == nil {
		return nil, wire.OpenEndpointNotFound, nil
	}
	var key string
	if m.Auth != "" {
		k, ok := unwrapAuthHeader(m.Auth)
		if !ok {
			return nil, wire.OpenAuthenticationFailed, nil
		}
		key = k
	}
	// As in 2.4, the session exists (and is logged) from here on, also
	// when the stream is refused.
	sess := s.OpenSession(ctx, SessionOptions{Endpoint: m.Endpoint, Method: m.Method, LongLived: true, Request: r, AuthenticationKey: key})
	refuse := func(res wire.OpenResult) (*stream.Opened, wire.OpenResult, error) {
		sess.Close(nil)
		return nil, res, nil
	}
	var info *AuthenticationInfo
	if conn.RequiresAuthentication() {
		if info, err = sess.Authenticated(); err != nil {
			err = fmt.Errorf("authentication handler: %w", err)
			sess.Close(err)
			return nil, "", err
		}
		if info == nil {
			return refuse(wire.OpenAuthenticationFailed)
		}
		if len(conn.MissingScopes(info)) > 0 {
			return refuse(wire.OpenAuthorizationDeclined)
		}
	}
	method := conn.Methods[m.Method]
	if method == nil || !method.IsStreaming() {
		return refuse(wire.OpenEndpointNotFound)
	}
	run, err := method.Stream(sess, NewArgs(params, nil))
	if err != nil {
		var argErr *ArgError
		if errors.As(err, &argErr) {
			return refuse(wire.OpenInvalidArguments)
		}
		err = fmt.Errorf("%s.%s: %w", m.Endpoint, m.Method, err)
		sess.Close(err)
		return nil, "", err
	}
	inputs := make([]string, len(method.Inputs))
	for i, p := range method.Inputs {
		if !contains(m.InputStreams, p.Name) {
			return refuse(wire.OpenInvalidArguments)
		}
		inputs[i] = p.Name
	}
	if info != nil {
		run = s.watch.guard(run, sess, conn, info)
	}
	return &stream.Opened{
		Inputs:   inputs,
		Run:      run,
		Registry: s.dispatch.Registry,
		Finished: func(err error) { s.streamFinished(sess, err) },
	}, wire.OpenSuccess, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// streamFinished closes the stream's session and logs how its method
// failed, as a failed HTTP call is logged. An exception is an answer, and
// a stream that ended because the client left or lost access is no
// failure of the method.
func (s *Server) streamFinished(sess *Session, err error) {
	var exc wire.Exception
	if err == nil || errors.As(err, &exc) {
		sess.Close(nil)
		return
	}
	if cause := context.Cause(sess); cause != nil && cause != context.Canceled && errors.Is(err, cause) {
		sess.Close(nil)
		return
	}
	attrs := []slog.Attr{
		slog.String("endpoint", sess.Endpoint),
		slog.String("method", sess.Method),
		slog.String("error", err.Error()),
	}
	var stack []byte
	var p *stream.PanicError
	if errors.As(err, &p) {
		stack = p.Stack
		attrs = append(attrs, slog.String("stack", string(stack)))
	}
	s.log.LogAttrs(context.WithoutCancel(sess), slog.LevelError, "streaming method failed", attrs...)
	sess.closeLog(err, stack)
}

// legacyHost serves endpoint streaming.
type legacyHost Server

// legacySession is one endpoint streaming connection: a session per
// endpoint that has streaming hooks, sharing the connection.
type legacySession struct {
	srv      *Server
	sessions map[string]*Session // by full endpoint name
	// opened names the endpoints the caller could use when the
	// connection opened: they hear StreamClosed.
	opened map[string]bool
	// messages counts the messages handled, for the session logs.
	messages int64
}

// OpenLegacy calls StreamOpened on every endpoint the caller may use, as
// 2.4 does when a streaming connection opens. The key comes from the
// query (?auth=), as the 2.4 client sends it.
func (h *legacyHost) OpenLegacy(c *stream.LegacyConn) stream.LegacySession {
	s := (*Server)(h)
	r := c.Request()
	key, ok := unwrapAuthHeader(r.URL.Query().Get("auth"))
	if !ok {
		key = ""
	}
	ls := &legacySession{srv: s, sessions: map[string]*Session{}, opened: map[string]bool{}}
	s.dispatch.Walk(func(name string, conn *Connector) {
		_, opener := conn.Endpoint.(streamOpener)
		_, handler := conn.Endpoint.(streamHandler)
		_, closer := conn.Endpoint.(streamCloser)
		if !opener && !handler && !closer {
			return
		}
		sess := s.OpenSession(c.Context(), SessionOptions{Endpoint: name, LongLived: true, Request: r, AuthenticationKey: key})
		sess.legacy = c
		ls.sessions[name] = sess
	})
	s.dispatch.Walk(func(name string, conn *Connector) {
		sess := ls.sessions[name]
		if sess == nil || !ls.srv.legacyAccess(sess, conn) {
			return
		}
		ls.opened[name] = true
		if o, ok := conn.Endpoint.(streamOpener); ok {
			if err := o.StreamOpened(sess); err != nil {
				s.log.Error("StreamOpened failed", "endpoint", name, "error", err)
			}
		}
	})
	return ls
}

// legacyAccess checks the access rules of conn's endpoint with the current
// key of sess, an endpoint streaming session. The identity is looked up
// again each time (the authentication handler caches it), so a revoked
// key stops working on an open connection, both for the messages the
// client sends and for those the endpoint pushes to it.
func (s *Server) legacyAccess(sess *Session, conn *Connector) bool {
	if !conn.RequiresAuthentication() {
		return true
	}
	sess.forgetAuthentication()
	info, err := sess.Authenticated()
	if err != nil {
		s.log.Error("authentication handler", "endpoint", sess.Endpoint, "error", err)
		return false
	}
	return info != nil && len(conn.MissingScopes(info)) == 0
}

// Authenticate replaces the key of every session of the connection.
func (ls *legacySession) Authenticate(value string) {
	key, ok := unwrapAuthHeader(value)
	if !ok {
		key = ""
	}
	for _, sess := range ls.sessions {
		sess.setAuthenticationKey(key)
	}
}

// Message hands a message to its endpoint's HandleStreamMessage. As in
// 2.4, a message for an endpoint the caller may not use is dropped, and
// one for an endpoint that does not exist ends the connection.
func (ls *legacySession) Message(endpoint string, object wire.Tagged) error {
	conn := ls.srv.dispatch.Lookup(endpoint)
	if conn == nil || strings.Count(endpoint, ".") > 1 {
		return fmt.Errorf("endpoint %s not found", endpoint)
	}
	h, ok := conn.Endpoint.(streamHandler)
	sess := ls.sessions[endpoint]
	if !ok || sess == nil || !ls.srv.legacyAccess(sess, conn) {
		return nil
	}
	if ls.srv.dispatch.Registry == nil {
		return errors.New("this server cannot read stream messages: its dispatch has no Registry")
	}
	m, err := ls.srv.dispatch.Registry.Decode(object.ClassName, object.Data)
	if err != nil {
		return fmt.Errorf("reading a message for %s: %w", endpoint, err)
	}
	if m == nil {
		return fmt.Errorf("a null message for %s", endpoint)
	}
	id := ls.messages
	ls.messages++
	sess.SetMessageID(id)
	start := time.Now()
	err = callHandler(h, sess, m)
	sess.LogMessage(endpoint, object.ClassName, id, time.Since(start), err)
	if err != nil {
		// As in 2.4, a failing handler is logged and the connection stays.
		ls.srv.log.Error("HandleStreamMessage failed", "endpoint", endpoint, "error", err)
	}
	return nil
}

// callHandler runs a stream message handler; a panic is its error.
func callHandler(h streamHandler, sess *Session, m any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h.HandleStreamMessage(sess, m)
}

// Closed calls StreamClosed on the endpoints that were open to the
// caller when the connection opened, then closes the sessions.
func (ls *legacySession) Closed() {
	ls.srv.dispatch.Walk(func(name string, conn *Connector) {
		if c, ok := conn.Endpoint.(streamCloser); ok && ls.opened[name] {
			c.StreamClosed(ls.sessions[name])
		}
	})
	for _, sess := range ls.sessions {
		sess.Close(nil)
	}
}
