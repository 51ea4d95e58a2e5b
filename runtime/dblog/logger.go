// Package dblog writes a gopod server's session logs to the database, in
// the tables and with the rules of Serverpod 2.4, so that a taken-over
// Serverpod database keeps its logs and Serverpod's tools can read gopod's:
//
//   - serverpod_session_log: one row per logged session (method call,
//     future call, streaming connection);
//   - serverpod_log: the session's log entries, which a session writes
//     through its slog logger (see Handler);
//   - serverpod_query_log: its database queries (Session is a
//     db.QueryObserver);
//   - serverpod_message_log: messages handled by streaming sessions.
//
// What is written follows serverpod_runtime_settings (all, slow or failed
// sessions and queries, the lowest log level, per endpoint or method
// overrides); Start writes Serverpod 2.4's defaults when the table is
// empty, and Run reloads the settings every minute.
//
// Calls never wait for the log tables: a closing session hands its rows to
// a queue that one goroutine writes in batches with COPY. When the
// database cannot keep up, the queue fills and further sessions are
// dropped and counted (Dropped) rather than slowing calls down.
package dblog

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gopod/gopod/runtime/db"
)

// Options configure a Logger.
type Options struct {
	// ServerID is stored with every row (serverId).
	ServerID string
	// Console receives the logger's own warnings; nil means slog.Default().
	Console *slog.Logger
	// Writer tunes the batched writer.
	Writer WriterOptions
	// MaintenanceInterval is how often Run reloads the runtime settings
	// and closes abandoned open sessions (a minute, as Serverpod 2.4).
	MaintenanceInterval time.Duration
}

// Logger writes the session logs of one server.
type Logger struct {
	db       *db.DB
	serverID string
	log      *slog.Logger
	w        *writer
	every    time.Duration
	started  time.Time
	settings atomic.Pointer[RuntimeSettings]
}

// New returns a logger writing to d. Until Start has loaded the runtime
// settings, it uses Serverpod 2.4's defaults.
func New(d *db.DB, opts Options) *Logger {
	if opts.Console == nil {
		opts.Console = slog.Default()
	}
	if opts.MaintenanceInterval <= 0 {
		opts.MaintenanceInterval = time.Minute
	}
	l := &Logger{db: d, serverID: opts.ServerID, log: opts.Console, w: newWriter(d, opts.Console, opts.Writer),
		every: opts.MaintenanceInterval, started: time.Now().UTC()}
	rs := DefaultRuntimeSettings()
	l.settings.Store(&rs)
	return l
}

// Start loads the runtime settings (writing the defaults when there are
// none) and prepares the writer. Call Run afterwards.
func (l *Logger) Start(ctx context.Context) error {
	if err := l.Reload(ctx); err != nil {
		return err
	}
	if err := l.w.prepare(ctx); err != nil {
		return fmt.Errorf("session logs: %w", err)
	}
	return nil
}

// Run writes logs until ctx is done, then writes what is queued. Every
// maintenance interval it reloads the runtime settings and closes the open
// session rows nobody touched for three minutes, as Serverpod 2.4 does.
func (l *Logger) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.w.run(ctx)
	}()
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			if n := l.Dropped(); n > 0 {
				l.log.Warn("session logs were dropped because the database did not keep up", "sessions", n)
			}
			return
		case <-t.C:
			if err := l.Reload(ctx); err != nil {
				l.log.Warn("reloading the runtime settings", "error", err)
			}
			if err := l.closeAbandoned(ctx); err != nil {
				l.log.Warn("closing abandoned session logs", "error", err)
			}
		}
	}
}

// Reload reads the runtime settings again.
func (l *Logger) Reload(ctx context.Context) error {
	rs, err := LoadSettings(ctx, l.db)
	if err != nil {
		return err
	}
	l.settings.Store(&rs)
	return nil
}

// Settings returns the runtime settings in use.
func (l *Logger) Settings() RuntimeSettings { return *l.settings.Load() }

// SetSettings stores rs as the runtime settings and uses them from now on.
func (l *Logger) SetSettings(ctx context.Context, rs RuntimeSettings) error {
	if rs.ID == 0 {
		rs.ID = l.settings.Load().ID
	}
	if err := StoreSettings(ctx, l.db, &rs); err != nil {
		return err
	}
	l.settings.Store(&rs)
	return nil
}

// Dropped counts the sessions (and, for streaming sessions, entries) that
// were not written: the queue was full or the database failed.
func (l *Logger) Dropped() uint64 { return l.w.dropped.Load() }

// Written counts the batched items written so far.
func (l *Logger) Written() uint64 { return l.w.written.Load() }

// Flush waits until everything handed over before it was called is
// written (or dropped), or ctx is done. Run must be running.
func (l *Logger) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case l.w.flushReq <- done:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeAbandoned touches this server's open sessions and closes any open
// session, of any server, untouched for three minutes: its server stopped
// without closing it.
func (l *Logger) closeAbandoned(ctx context.Context) error {
	now := time.Now().UTC()
	if _, err := l.db.Exec(ctx, `UPDATE "serverpod_session_log" SET "touched" = $1
    WHERE "serverId" = $2 AND "isOpen" = TRUE AND "time" > $3`, now, l.serverID, l.started); err != nil {
		return err
	}
	_, err := l.db.Exec(ctx, `UPDATE "serverpod_session_log" SET "isOpen" = FALSE
    WHERE "isOpen" = TRUE AND "touched" < $1`, now.Add(-3*time.Minute))
	return err
}
