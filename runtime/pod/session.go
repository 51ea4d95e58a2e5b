package pod

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/dblog"
	"github.com/gopod/gopod/runtime/stream"
)

// AuthenticationInfo identifies the caller of a session.
type AuthenticationInfo struct {
	UserID int64
	Scopes []string
	// AuthID identifies the credential used (the auth key's id), so that a
	// sign-out can revoke exactly this device.
	AuthID string
}

// HasScope reports whether the caller holds scope.
func (a *AuthenticationInfo) HasScope(scope string) bool {
	return a != nil && slices.Contains(a.Scopes, scope)
}

// AuthenticationHandler turns the raw key a client sent into the caller's
// identity. It returns nil (and no error) for a key that is not valid; an
// error means the check itself failed (the database is down, say) and the
// call fails with 500.
type AuthenticationHandler func(s *Session, key string) (*AuthenticationInfo, error)

// Session is the context of one endpoint call. It is a context.Context
// (cancelled when the client goes away or the server shuts down), so it can
// be handed to anything that does I/O.
type Session struct {
	context.Context

	// Endpoint and Method name the call as the client sent them
	// (serverpod_auth.email, authenticate).
	Endpoint string
	Method   string
	// Request is the HTTP request of the call.
	Request *http.Request
	// Log is the session's logger: records go to the server's console
	// logger and, when the server writes session logs to the database, to
	// serverpod_log as the runtime settings say (see package dblog).
	Log *slog.Logger

	server *Server
	record *dblog.Session
	// legacy is the connection of an endpoint streaming session.
	legacy *stream.LegacyConn
	// sendRaw, header and raw carry a ByteData result sent as raw bytes.
	sendRaw bool
	header  http.Header
	raw     *[]byte

	// mu guards the authentication below: a streaming session's key
	// changes while other goroutines of the endpoint may read it.
	mu           sync.Mutex
	authKey      string
	authResolved bool
	auth         *AuthenticationInfo
}

// NewSession creates a session outside of a client call, for background
// work and tests; it has no request and no authentication key.
func (s *Server) NewSession(ctx context.Context) *Session {
	return &Session{Context: ctx, server: s, Log: s.log}
}

// Server returns the server running the session.
func (s *Session) Server() *Server { return s.server }

// AuthenticationKey is the raw key the client sent (Basic header unwrapped),
// empty when there is none.
func (s *Session) AuthenticationKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authKey
}

// Authenticated returns the caller's identity, asking the server's
// authentication handler on first use; nil means not signed in.
func (s *Session) Authenticated() (*AuthenticationInfo, error) {
	s.mu.Lock()
	key, resolved, auth := s.authKey, s.authResolved, s.auth
	s.mu.Unlock()
	if resolved {
		return auth, nil
	}
	if key == "" || s.server == nil || s.server.authHandler == nil {
		s.SetAuthenticated(nil)
		return nil, nil
	}
	info, err := s.server.authHandler(s, key)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.authKey != key || s.authResolved {
		// The key changed, or the identity was set, meanwhile.
		return s.auth, nil
	}
	s.auth, s.authResolved = info, true
	return info, nil
}

// setAuthenticationKey replaces the key (an endpoint streaming client's
// auth command); the identity is resolved again on next use.
func (s *Session) setAuthenticationKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authKey, s.auth, s.authResolved = key, nil, false
}

// forgetAuthentication makes the next Authenticated ask the handler again
// with the key as it is then. It leaves the key alone: a streaming
// session's key may be replaced meanwhile on another goroutine.
func (s *Session) forgetAuthentication() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth, s.authResolved = nil, false
}

// UserID returns the signed-in user's id, or false when the caller is not
// signed in (or the identity could not be established).
func (s *Session) UserID() (int64, bool) {
	info, err := s.Authenticated()
	if err != nil || info == nil {
		return 0, false
	}
	return info.UserID, true
}

// SetAuthenticated replaces the caller's identity for the rest of the
// session: after a sign-in, with the new identity; after a sign-out, nil.
func (s *Session) SetAuthenticated(info *AuthenticationInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth, s.authResolved = info, true
}

// RemoteIP is the client's IP address, empty outside an HTTP call. Behind
// trusted proxies (WithTrustedProxies) it is the address they forwarded,
// as Server.ClientAddress finds it.
func (s *Session) RemoteIP() string {
	if s.Request == nil {
		return ""
	}
	if s.server != nil {
		if a := s.server.ClientAddress(s.Request); a.IsValid() {
			return a.String()
		}
	}
	host, _, err := net.SplitHostPort(s.Request.RemoteAddr)
	if err != nil {
		return s.Request.RemoteAddr
	}
	return host
}

// Password returns a value from config/passwords.yaml (or its environment
// override), and whether it is set.
func (s *Session) Password(name string) (string, bool) {
	if s.server == nil {
		return "", false
	}
	v, ok := s.server.passwords[name]
	return v, ok
}

// DB returns the server's database, nil when the server has none.
func (s *Session) DB() *db.DB {
	if s.server == nil {
		return nil
	}
	return s.server.db
}

// Querier makes the session a db.Conn: ORM calls given the session run on
// the server's database. Without one, every query fails with ErrNoDatabase.
func (s *Session) Querier() db.Querier {
	if d := s.DB(); d != nil {
		return d
	}
	return noDatabase{}
}

// ErrNoDatabase is returned by queries on a server without a database.
var ErrNoDatabase = errors.New("this server has no database: configure one in config/<mode>.yaml, or pass pod.WithDatabase")

type noDatabase struct{}

func (noDatabase) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, ErrNoDatabase
}

func (noDatabase) Query(context.Context, string, ...any) (pgx.Rows, error) { return nil, ErrNoDatabase }

func (noDatabase) QueryRow(context.Context, string, ...any) pgx.Row { return errRow{ErrNoDatabase} }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

var _ db.Conn = (*Session)(nil)

func formatLogID(id int64) string { return strconv.FormatInt(id, 10) }
