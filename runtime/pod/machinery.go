package pod

import (
	"cmp"
	"context"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/dblog"
	"github.com/gopod/gopod/runtime/futurecall"
	"github.com/gopod/gopod/runtime/health"
	"github.com/gopod/gopod/runtime/storage"
)

// machinery is the server's background work beside the API: the database
// session log, future calls and health metrics.
type machinery struct {
	sessionLog *dblog.Logger

	futureCalls       []futureCallDef
	futureCallOpts    futurecall.Options
	futureCallsOff    bool
	futureCallManager *futurecall.Manager
	futureCallTypes   map[string]reflect.Type

	healthOpts health.Options
	conns      *health.ConnCounter
}

// WithHealthMetrics sets how the server records its health metrics
// (interval, checks of its own). Without a server id it keeps the one Main
// set from the configuration.
func WithHealthMetrics(o health.Options) Option {
	return func(s *Server) {
		o.ServerID = cmp.Or(o.ServerID, s.healthOpts.ServerID)
		s.healthOpts = o
	}
}

// startMachinery starts the session log, and in the monolith role the
// future calls and health metrics, as Serverpod 2.4 does. stop ends them,
// waiting for running future calls and writing the queued logs; call it
// after the API has stopped so that the last calls are logged.
func (s *Server) startMachinery(ctx context.Context, role config.Role) (stop func()) {
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	goRun := func(ctx context.Context, f func(context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(ctx)
		}()
	}
	if s.sessionLog != nil {
		if err := s.sessionLog.Start(ctx); err != nil {
			s.log.Warn("session logs are not written to the database", "error", err)
			s.sessionLog = nil
		} else {
			goRun(bg, s.sessionLog.Run)
		}
	}
	if role == config.RoleMonolith && s.db != nil {
		if s.futureCallManager != nil && !s.futureCallsOff {
			// Future calls stop with the API, not after it.
			goRun(ctx, s.futureCallManager.Run)
		}
		goRun(bg, s.newHealthRecorder().Run)
		goRun(bg, s.deleteExpiredFiles)
	}
	return func() {
		cancel()
		finished := make(chan struct{})
		go func() {
			wg.Wait()
			close(finished)
		}()
		select {
		case <-finished:
		case <-time.After(ShutdownTimeout):
			s.log.Warn("stopped without waiting longer for future calls or session logs", "waited", ShutdownTimeout)
		}
	}
}

func (s *Server) newHealthRecorder() *health.Recorder {
	o := s.healthOpts
	if o.Log == nil {
		o.Log = s.log
	}
	o.Connections = s.conns
	return health.New(s.db, o)
}

// maintain is the maintenance role's single pass, as in Serverpod 2.4: run
// the future calls that are due, record the health metrics once, and
// return.
func (s *Server) maintain(ctx context.Context) error {
	stop := s.startMachinery(ctx, config.RoleMaintenance)
	defer stop()
	if s.db == nil {
		return nil
	}
	if s.futureCallManager != nil && !s.futureCallsOff {
		n, err := s.futureCallManager.RunDue(ctx)
		if err != nil {
			return err
		}
		s.log.Info("maintenance role: ran the due future calls", "count", n)
	}
	s.newHealthRecorder().Once(ctx)
	s.deleteExpiredFilesOnce(ctx)
	return nil
}

// deleteExpiredFiles removes expired files and upload descriptions from the
// database storages every minute.
func (s *Server) deleteExpiredFiles(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.deleteExpiredFilesOnce(ctx)
		}
	}
}

func (s *Server) deleteExpiredFilesOnce(ctx context.Context) {
	if _, _, err := storage.DeleteExpired(s.db.With(ctx), time.Now()); err != nil && ctx.Err() == nil {
		s.log.Warn("deleting expired files", "error", err)
	}
}

// machineryOptions configures the background work from the configuration:
// persistent session logs unless turned off, and the future call settings.
func machineryOptions(cfg *config.Config, d *db.DB, logger *slog.Logger) []Option {
	opts := []Option{
		WithFutureCallOptions(futurecall.Options{
			ServerID:     cfg.ServerID,
			ScanInterval: time.Duration(cfg.FutureCall.ScanIntervalMillis) * time.Millisecond,
			Concurrency:  cmp.Or(cfg.FutureCall.ConcurrencyLimit, -1),
		}, cfg.FutureCall.ExecutionEnabled),
		WithHealthMetrics(health.Options{ServerID: cfg.ServerID}),
	}
	if cfg.SessionLogs.PersistentEnabled {
		opts = append(opts, WithSessionLog(dblog.New(d, dblog.Options{ServerID: cfg.ServerID, Console: logger})))
	}
	return opts
}
