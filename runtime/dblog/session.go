package dblog

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gopod/gopod/runtime/db"
)

// maxEntries bounds what one session keeps in memory before it closes;
// later entries are left out.
const maxEntries = 10000

// idWait bounds how long a failed call waits for its session log id when
// none is reserved.
const idWait = 250 * time.Millisecond

// SessionInfo describes a session as it opens.
type SessionInfo struct {
	// Endpoint and Method name the session: the called endpoint and method,
	// "FutureCall" and the call's name, or a streaming endpoint. An empty
	// Method is stored as null.
	Endpoint string
	Method   string
	// LongLived marks streaming sessions: they are never slow, and with
	// logStreamingSessionsContinuously their rows are written as they
	// happen instead of when they close.
	LongLived bool
}

// Outcome is how a session ended.
type Outcome struct {
	// Err is the failure, nil for a session that succeeded.
	Err error
	// StackTrace is where it failed, when known.
	StackTrace string
	// UserID is the signed-in user, nil when there is none.
	UserID *int64
}

// Session collects the log of one session: its entries, queries and
// streaming messages, written when it closes if the settings say so, as
// Serverpod 2.4's session log manager does. It is safe for concurrent use.
// It is a db.QueryObserver: give queries a context from db.WithQueryObserver
// and they are counted and logged.
type Session struct {
	logger   *Logger
	settings *LogSettings
	info     SessionInfo
	start    time.Time

	mu         sync.Mutex
	order      int64
	numQueries int64
	messageID  *int64
	opened     bool
	// continuous sessions write as they go: id is their row, lost says
	// that the open row was dropped and their entries go with it.
	continuous bool
	id         int64
	lost       bool
	closed     bool
	pending    item
}

// Open starts the log of a session.
func (l *Logger) Open(info SessionInfo) *Session {
	rs := l.settings.Load()
	s := &Session{logger: l, settings: rs.For(info.Endpoint, info.Method), info: info, start: time.Now()}
	s.continuous = info.LongLived && s.settings.LogStreamingSessionsContinuously
	if s.settings.LogAllSessions {
		s.mu.Lock()
		s.open()
		s.mu.Unlock()
	}
	return s
}

// Wants reports whether an entry of level is written; the slog handler
// asks before it formats a record.
func (s *Session) Wants(level Level) bool { return level >= s.settings.LogLevel }

// SetMessageID sets the streaming message that later entries and queries
// belong to.
func (s *Session) SetMessageID(id int64) {
	s.mu.Lock()
	s.messageID = &id
	s.mu.Unlock()
}

// open marks the session as logged; a continuous session writes its open
// row now. s.mu is held.
func (s *Session) open() {
	if s.opened {
		return
	}
	s.opened = true
	if !s.continuous {
		return
	}
	s.id = s.logger.w.reserveID(context.Background(), idWait)
	now := time.Now().UTC()
	row := s.row(now)
	row.id = s.id
	row.isOpen = ptr(true)
	if s.id == 0 || !s.logger.w.submit(item{session: row}) {
		s.lost = true
	}
}

// add records entries: kept until Close, or written now by a continuous
// session. s.mu is held.
func (s *Session) add(it item) {
	s.open()
	if s.continuous {
		if s.lost {
			s.logger.w.dropped.Add(1)
			return
		}
		for i := range it.logs {
			it.logs[i].sessionLogID = s.id
		}
		for i := range it.queries {
			it.queries[i].sessionLogID = s.id
		}
		for i := range it.messages {
			it.messages[i].sessionLogID = s.id
		}
		s.logger.w.submit(it)
		return
	}
	if len(s.pending.logs)+len(s.pending.queries)+len(s.pending.messages) >= maxEntries {
		return
	}
	s.pending.logs = append(s.pending.logs, it.logs...)
	s.pending.queries = append(s.pending.queries, it.queries...)
	s.pending.messages = append(s.pending.messages, it.messages...)
}

// Entry records a log entry of the session, if its level is at or above
// the settings' log level. (Serverpod 2.4 gives entries below the level an
// order number too; gopod numbers only what it writes, so that a debug
// line costs nothing when it is not logged.)
func (s *Session) Entry(level Level, message string, err, stackTrace string) {
	if !s.Wants(level) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.order++
	s.add(item{logs: []logRow{{
		messageID:  s.messageID,
		serverID:   s.logger.serverID,
		time:       time.Now().UTC(),
		level:      int64(level),
		message:    message,
		err:        optional(err),
		stackTrace: optional(stackTrace),
		order:      s.order,
	}}})
}

// ObserveQuery counts a query of the session and logs it when the settings
// ask for all, slow or failed queries.
func (s *Session) ObserveQuery(q db.ObservedQuery) {
	seconds := q.Duration.Seconds()
	set := s.settings
	slow := seconds >= set.SlowQueryDuration
	failed := q.Err != nil
	if set.LogAllQueries || (set.LogSlowQueries && slow) || (set.LogFailedQueries && failed) {
		// Serverpod records where every logged query was made.
		s.logQuery(&q, seconds, slow, callers())
		return
	}
	// Counting a query that is not logged allocates nothing: the work
	// that keeps values on the heap is in logQuery.
	s.mu.Lock()
	if !s.closed {
		s.numQueries++
	}
	s.mu.Unlock()
}

// logQuery counts and records a query that the settings log.
//
//go:noinline
func (s *Session) logQuery(q *db.ObservedQuery, seconds float64, slow bool, stack string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.numQueries++
	s.order++
	var errText *string
	rows := ptr(q.Rows)
	if q.Err != nil {
		errText, rows = ptr(q.Err.Error()), nil
	}
	s.add(item{queries: []queryRow{{
		serverID:   s.logger.serverID,
		messageID:  s.messageID,
		query:      q.SQL,
		duration:   seconds,
		numRows:    rows,
		err:        errText,
		stackTrace: &stack,
		slow:       slow,
		order:      s.order,
	}}})
}

// Message logs a message handled by a streaming session: always with
// logAllSessions, else when it was slow or failed and the settings log
// slow or failed sessions.
func (s *Session) Message(endpoint, messageName string, messageID int64, duration time.Duration, err error, stackTrace string) {
	seconds := duration.Seconds()
	set := s.settings
	slow := seconds >= set.SlowSessionDuration
	failed := err != nil
	if !(set.LogAllSessions || (set.LogSlowSessions && slow) || (set.LogFailedSessions && failed)) {
		return
	}
	var errText *string
	if failed {
		errText = ptr(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.order++
	s.add(item{messages: []messageRow{{
		serverID:    s.logger.serverID,
		messageID:   messageID,
		endpoint:    endpoint,
		messageName: messageName,
		duration:    seconds,
		err:         errText,
		stackTrace:  optional(stackTrace),
		slow:        slow,
		order:       s.order,
	}}})
}

// row is the session's row as it closes at now.
func (s *Session) row(now time.Time) *sessionRow {
	r := &sessionRow{}
	s.fill(r, now)
	return r
}

// fill sets the columns of r that name the session, for a row written at
// now.
func (s *Session) fill(r *sessionRow, now time.Time) {
	r.serverID = s.logger.serverID
	r.time, r.touched = now, now
	r.endpoint = &s.info.Endpoint
	if s.info.Method != "" {
		r.method = &s.info.Method
	}
}

// Close ends the session and writes its log if the settings say so: all
// sessions, slow ones, failed ones, or any session that logged something.
// It returns the id of the session's log row when the session failed and
// its row is written (a failed call's answer names it), else 0.
func (s *Session) Close(o Outcome) int64 {
	now := time.Now()
	duration := now.Sub(s.start)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0
	}
	s.closed = true
	set := s.settings
	slow := !s.info.LongLived && duration.Seconds() > set.SlowSessionDuration
	failed := o.Err != nil
	if !(set.LogAllSessions || (set.LogSlowSessions && slow) || (set.LogFailedSessions && failed) || s.opened) {
		return 0
	}
	// One allocation for the row and the values its pointers name.
	closed := &struct {
		row        sessionRow
		duration   float64
		numQueries int64
		slow       bool
		isOpen     bool
	}{duration: duration.Seconds(), numQueries: s.numQueries, slow: slow}
	row := &closed.row
	s.fill(row, now.UTC())
	row.duration = &closed.duration
	row.numQueries = &closed.numQueries
	row.slow = &closed.slow
	row.isOpen = &closed.isOpen
	row.authenticatedUserID = o.UserID
	if failed {
		row.err = ptr(o.Err.Error())
		row.stackTrace = optional(o.StackTrace)
	}
	if s.continuous && s.opened {
		if s.lost {
			s.logger.w.dropped.Add(1)
			return 0
		}
		row.id = s.id
		s.logger.w.submit(item{session: row, update: true})
		if failed {
			return s.id
		}
		return 0
	}
	if failed {
		row.id = s.logger.w.reserveID(context.Background(), idWait)
	}
	id := row.id // the writer numbers the row once it has it
	it := s.pending
	it.session = row
	s.pending = item{}
	if !s.logger.w.submit(it) {
		return 0
	}
	return id
}

// callers formats the stack of the code that ran a query, leaving out the
// frames of the logger, the database package and the driver.
func callers() string {
	var pcs [48]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	var b strings.Builder
	for {
		f, more := frames.Next()
		if !internalFrame(f.Function) {
			b.WriteString(f.Function)
			b.WriteString("\n\t")
			b.WriteString(f.File)
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(f.Line))
			b.WriteByte('\n')
		}
		if !more {
			break
		}
	}
	return b.String()
}

func internalFrame(fn string) bool {
	for _, p := range []string{"github.com/jackc/", "github.com/gopod/gopod/runtime/db.", "github.com/gopod/gopod/runtime/dblog.(*Session)"} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
