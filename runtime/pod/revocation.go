package pod

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gopod/gopod/runtime/stream"
)

// DefaultStreamAuthRecheck is how often the authentication of open method
// streams is checked again.
const DefaultStreamAuthRecheck = 500 * time.Millisecond

// WithStreamAuthRecheck sets how often the server asks its authentication
// handler again about the callers of open method streams whose endpoint
// requires login (default DefaultStreamAuthRecheck; negative never). A
// stream whose key no longer authenticates, now belongs to another user,
// or lacks a required scope is closed with cmsc error. The handler's own
// cache makes a check cheap; a sign-out or block that the handler hears of
// (the auth module hears of them from every server) closes the stream at
// the next check.
func WithStreamAuthRecheck(d time.Duration) Option {
	return func(s *Server) { s.watch.interval = d }
}

// Revocation is authentication taken back from a user, as Serverpod's
// RevokedAuthenticationUser, RevokedAuthenticationAuthId and
// RevokedAuthenticationScope say it: with neither field set, all of the
// user's; with AuthID, one key (AuthenticationInfo.AuthID); with Scopes,
// those scopes.
type Revocation struct {
	AuthID string   `json:"authId,omitempty"`
	Scopes []string `json:"scopes,omitempty"`
}

// revokedChannel is where revocations of a user's authentication travel,
// named as in 2.4.
func revokedChannel(userID int64) string {
	return "_serverpod_revoked_authentication_" + strconv.FormatInt(userID, 10)
}

// AuthenticationRevoked tells every server (through Redis when it is
// configured) that the user's authentication is revoked as r says: their
// open method streams on endpoints requiring login close at once with
// cmsc error, as in Serverpod 2.4 (session.messages.authenticationRevoked).
func (s *Session) AuthenticationRevoked(userID int64, r Revocation) error {
	payload, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.server.messages.Post(s, revokedChannel(userID), payload, true)
}

// authWatch closes method streams whose caller lost access.
type authWatch struct {
	srv      *Server
	interval time.Duration

	mu      sync.Mutex
	guarded map[*guarded]struct{}
	running bool
}

// guarded is an open method stream on an endpoint that requires login.
type guarded struct {
	call *stream.Call
	sess *Session
	conn *Connector
	info *AuthenticationInfo
}

// guard wraps the run of a stream opened with info, so that the stream
// is watched while it runs.
func (w *authWatch) guard(run stream.Run, sess *Session, conn *Connector, info *AuthenticationInfo) stream.Run {
	return func(c *stream.Call) error {
		g := &guarded{call: c, sess: sess, conn: conn, info: info}
		stop := w.srv.messages.Listen(revokedChannel(info.UserID), g.onRevocation)
		defer stop()
		w.add(g)
		defer w.remove(g)
		return run(c)
	}
}

// onRevocation applies 2.4's rules: all of the user's authentication, the
// stream's key, or a scope the endpoint requires.
func (g *guarded) onRevocation(payload []byte) {
	var r Revocation
	if json.Unmarshal(payload, &r) != nil {
		return
	}
	revoked := false
	switch {
	case r.AuthID != "":
		revoked = r.AuthID == g.info.AuthID
	case len(r.Scopes) > 0:
		revoked = slices.ContainsFunc(r.Scopes, func(sc string) bool {
			return slices.Contains(g.conn.requiredScopes, sc)
		})
	default:
		revoked = true
	}
	if revoked {
		g.call.Abort(ErrAuthenticationRevoked)
	}
}

func (w *authWatch) add(g *guarded) {
	if w.interval < 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.guarded == nil {
		w.guarded = map[*guarded]struct{}{}
	}
	w.guarded[g] = struct{}{}
	if !w.running {
		w.running = true
		go w.loop()
	}
}

func (w *authWatch) remove(g *guarded) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.guarded, g)
}

// loop checks the watched streams every interval, and ends when there
// are none.
func (w *authWatch) loop() {
	interval := w.interval
	if interval == 0 {
		interval = DefaultStreamAuthRecheck
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.guarded) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		all := make([]*guarded, 0, len(w.guarded))
		for g := range w.guarded {
			all = append(all, g)
		}
		w.mu.Unlock()
		w.check(all)
	}
}

type checked struct {
	info *AuthenticationInfo
	err  error
}

// check asks the authentication handler once per key in use.
func (w *authWatch) check(all []*guarded) {
	results := map[string]checked{}
	for _, g := range all {
		key := g.sess.AuthenticationKey()
		r, ok := results[key]
		if !ok {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			probe := &Session{Context: ctx, Endpoint: g.sess.Endpoint, Method: g.sess.Method, Request: g.sess.Request, Log: w.srv.log, server: w.srv}
			r.info, r.err = w.srv.authHandler(probe, key)
			cancel()
			results[key] = r
		}
		if r.err != nil {
			continue // the check failed, not the key: try again next time
		}
		if r.info == nil || r.info.UserID != g.info.UserID || len(g.conn.MissingScopes(r.info)) > 0 {
			g.call.Abort(ErrAuthenticationRevoked)
		}
	}
}
