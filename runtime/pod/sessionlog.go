package pod

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/dblog"
)

// WithSessionLog writes the server's session logs to the database through
// l (serverpod_session_log and the tables beside it), as Serverpod 2.4
// does. Main sets it up unless config/<mode>.yaml turns persistent session
// logs off; Run starts it.
func WithSessionLog(l *dblog.Logger) Option {
	return func(s *Server) { s.sessionLog = l }
}

// SessionLog returns the server's database session log, nil when the
// server does not write one.
func (s *Server) SessionLog() *dblog.Logger { return s.sessionLog }

// SessionOptions describe a session that is not an endpoint call: a
// streaming connection, a future call, or work of the server's own.
type SessionOptions struct {
	// Endpoint and Method name the session in its log.
	Endpoint string
	Method   string
	// LongLived marks a streaming session: never slow, and logged as it
	// goes when the runtime settings say so.
	LongLived bool
	// Request is the HTTP request that opened the session, if any.
	Request *http.Request
	// AuthenticationKey is the key the client sent, if any.
	AuthenticationKey string
}

// OpenSession creates a session outside of an endpoint call whose log is
// written like a call's. Close it when its work is done.
func (s *Server) OpenSession(ctx context.Context, o SessionOptions) *Session {
	sess := &Session{Context: ctx, Endpoint: o.Endpoint, Method: o.Method, Request: o.Request, Log: s.log,
		server: s, authKey: o.AuthenticationKey}
	s.openSessionLog(sess, o.LongLived)
	return sess
}

// openSessionLog gives the session its database log: Session.Log writes
// entries to it, and queries run with the session are counted and logged.
func (s *Server) openSessionLog(sess *Session, longLived bool) {
	if s.sessionLog == nil {
		return
	}
	rec := s.sessionLog.Open(dblog.SessionInfo{Endpoint: sess.Endpoint, Method: sess.Method, LongLived: longLived})
	sess.record = rec
	sess.Log = slog.New(dblog.NewHandler(s.log.Handler(), rec))
	sess.Context = db.WithQueryObserver(sess.Context, rec)
}

// Close ends a session made by OpenSession and writes its log; err is why
// it failed, nil when it succeeded. For a failed session whose log is
// written it returns the id of its serverpod_session_log row.
func (s *Session) Close(err error) int64 { return s.closeLog(err, nil) }

// closeLog writes the session's log once; stack is where it failed, if
// known.
func (s *Session) closeLog(err error, stack []byte) int64 {
	if s.record == nil {
		return 0
	}
	var user *int64
	s.mu.Lock()
	if s.authResolved && s.auth != nil {
		id := s.auth.UserID
		user = &id
	}
	s.mu.Unlock()
	return s.record.Close(dblog.Outcome{Err: err, StackTrace: string(stack), UserID: user})
}

// SetMessageID tells the session log which streaming message the
// session's later entries and queries belong to.
func (s *Session) SetMessageID(id int64) {
	if s.record != nil {
		s.record.SetMessageID(id)
	}
}

// LogMessage records a message a streaming session handled
// (serverpod_message_log): its endpoint and class name, its id, how long
// handling it took and how it failed, if it did.
func (s *Session) LogMessage(endpoint, messageName string, messageID int64, d time.Duration, err error) {
	if s.record != nil {
		s.record.Message(endpoint, messageName, messageID, d, err, "")
	}
}
