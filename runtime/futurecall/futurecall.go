// Package futurecall runs Serverpod's future calls: work scheduled by name
// to run at a later time, kept in the core table serverpod_future_call so
// that it survives restarts, and run once even when several servers share
// the database.
//
// A server registers a Handler per call name, schedules calls with
// Schedule and cancels them by identifier with Cancel; Run looks for due
// calls every scan interval and runs them, at most Concurrency at a time.
// Rows written by a Serverpod 2.4 server are run by gopod and the other
// way round: the argument is the model's JSON (serializedObject) and the
// times are UTC.
//
// A server claims a due call by deleting its row, in a statement that
// skips rows other servers are claiming at that moment (FOR UPDATE SKIP
// LOCKED): each call runs on exactly one server. As in Serverpod 2.4, a
// call whose server dies while running it is not run again. Unlike 2.4, a
// server claims only calls it has a handler for, so that a call of a name
// only some servers know waits for one of them instead of being dropped.
package futurecall

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/db"
)

// Defaults, as later Serverpod versions have them (2.4 scans every five
// seconds and runs one call at a time).
const (
	DefaultScanInterval = 5 * time.Second
	DefaultConcurrency  = 1
)

// unlimitedBatch is how many calls a server without a concurrency limit
// claims at once.
const unlimitedBatch = 100

// Call is one due future call.
type Call struct {
	ID   int64
	Name string
	// Time is when the call was due.
	Time time.Time
	// Argument is the serialized model the call was scheduled with, nil
	// for none.
	Argument []byte
	// ServerID is the server that scheduled the call.
	ServerID   string
	Identifier string
}

// Handler runs a future call. An error (or a panic) is logged and does
// not stop other calls; the call is not retried.
type Handler func(ctx context.Context, c Call) error

// Options configure a Manager.
type Options struct {
	// ServerID is recorded with the calls this server schedules.
	ServerID string
	// ScanInterval is how often Run looks for due calls.
	ScanInterval time.Duration
	// Concurrency is the most calls run at once; negative means no limit,
	// zero the default.
	Concurrency int
	// Log receives failures; nil means slog.Default().
	Log *slog.Logger
}

// Manager schedules and runs the future calls of one server.
type Manager struct {
	db   *db.DB
	opts Options

	mu       sync.RWMutex
	handlers map[string]Handler
	running  sync.WaitGroup
	slots    chan struct{} // nil without a concurrency limit
}

// ErrUnknownCall is returned when scheduling a call no handler is
// registered for.
var ErrUnknownCall = errors.New("futurecall: no future call is registered under this name")

// New returns a manager that keeps its calls in d.
func New(d *db.DB, opts Options) *Manager {
	if opts.ScanInterval <= 0 {
		opts.ScanInterval = DefaultScanInterval
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	m := &Manager{db: d, opts: opts, handlers: map[string]Handler{}}
	if opts.Concurrency > 0 {
		m.slots = make(chan struct{}, opts.Concurrency)
	}
	return m
}

// Register adds the handler of the calls named name.
func (m *Manager) Register(name string, h Handler) error {
	if name == "" {
		return errors.New("futurecall: a future call needs a name")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.handlers[name]; ok {
		return fmt.Errorf("futurecall: future call %q is registered twice", name)
	}
	m.handlers[name] = h
	return nil
}

// Registered reports whether a handler is registered under name.
func (m *Manager) Registered(name string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.handlers[name]
	return ok
}

func (m *Manager) names() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	names := make([]string, 0, len(m.handlers))
	for n := range m.handlers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Schedule stores a call of name to run at or after at, with its
// serialized argument (nil for none). identifier, when not empty, lets
// Cancel find the call. It runs on c so that a call can be scheduled in
// the transaction of the work that asks for it.
func (m *Manager) Schedule(c db.Conn, name string, argument []byte, at time.Time, identifier string) error {
	if !m.Registered(name) {
		return fmt.Errorf("scheduling %q: %w", name, ErrUnknownCall)
	}
	var arg, ident *string
	if argument != nil {
		s := string(argument)
		arg = &s
	}
	if identifier != "" {
		ident = &identifier
	}
	_, err := c.Querier().Exec(c, `INSERT INTO "serverpod_future_call" ("name", "time", "serializedObject", "serverId", "identifier")
    VALUES ($1, $2, $3, $4, $5)`, name, at.UTC(), arg, m.opts.ServerID, ident)
	if err != nil {
		return fmt.Errorf("scheduling future call %q: %w", name, err)
	}
	return nil
}

// Cancel deletes the calls scheduled with identifier that have not started
// and returns how many there were; none is not an error.
func (m *Manager) Cancel(c db.Conn, identifier string) (int64, error) {
	tag, err := c.Querier().Exec(c, `DELETE FROM "serverpod_future_call" WHERE "identifier" = $1`, identifier)
	if err != nil {
		return 0, fmt.Errorf("cancelling future calls %q: %w", identifier, err)
	}
	return tag.RowsAffected(), nil
}

// Run runs due calls until ctx is done, looking for them every scan
// interval (and at once again while a scan finds more than it can run).
// When ctx is done it stops claiming calls and waits for the running ones,
// whose context is not cancelled, so that they can finish their work.
func (m *Manager) Run(ctx context.Context) {
	m.warnUnknown(ctx)
	t := time.NewTicker(m.opts.ScanInterval)
	defer t.Stop()
	freed := make(chan struct{}, 1)
	// A failure is logged when it starts, not at every scan: a database
	// without the tables yet would otherwise fill the log.
	var failing string
	for {
		full, err := m.scan(ctx, freed)
		switch {
		case err != nil && ctx.Err() == nil && err.Error() != failing:
			failing = err.Error()
			m.opts.Log.Error("future calls: looking for due calls failed", "error", err)
		case err == nil && failing != "":
			failing = ""
			m.opts.Log.Info("future calls: looking for due calls works again")
		}
		var again <-chan struct{}
		if full {
			again = freed
		}
		select {
		case <-ctx.Done():
			m.running.Wait()
			return
		case <-t.C:
		case <-again:
		}
	}
}

// RunDue runs every call due now and returns when they have all finished,
// with how many ran: the maintenance role's single pass.
func (m *Manager) RunDue(ctx context.Context) (int, error) {
	now := time.Now()
	total := 0
	defer m.running.Wait()
	for {
		calls, err := m.claim(ctx, now, m.batch())
		if err != nil {
			return total, err
		}
		if len(calls) == 0 {
			return total, nil
		}
		total += len(calls)
		for _, c := range calls {
			m.acquire()
			m.start(ctx, c, nil)
		}
	}
}

// batch is how many calls one claim may take.
func (m *Manager) batch() int {
	if m.slots == nil {
		return unlimitedBatch
	}
	return cap(m.slots)
}

func (m *Manager) acquire() {
	if m.slots != nil {
		m.slots <- struct{}{}
	}
}

// scan claims as many due calls as there are free slots and starts them.
// full reports that it filled every slot, so more may be due.
func (m *Manager) scan(ctx context.Context, freed chan struct{}) (full bool, err error) {
	free := unlimitedBatch
	if m.slots != nil {
		free = cap(m.slots) - len(m.slots)
	}
	if free == 0 {
		return true, nil
	}
	calls, err := m.claim(ctx, time.Now(), free)
	if err != nil {
		return false, err
	}
	for _, c := range calls {
		m.acquire()
		m.start(ctx, c, freed)
	}
	return len(calls) == free, nil
}

// claim deletes up to limit due calls this server has handlers for and
// returns them, oldest first. Rows other servers are claiming are skipped.
func (m *Manager) claim(ctx context.Context, now time.Time, limit int) ([]Call, error) {
	names := m.names()
	if len(names) == 0 {
		return nil, nil
	}
	rows, err := m.db.Query(ctx, `DELETE FROM "serverpod_future_call" WHERE "id" IN (
    SELECT "id" FROM "serverpod_future_call" WHERE "time" <= $1 AND "name" = ANY($2)
    ORDER BY "time", "id" LIMIT $3 FOR UPDATE SKIP LOCKED)
    RETURNING "id", "name", "time", "serializedObject", "serverId", "identifier"`, now.UTC(), names, limit)
	if err != nil {
		return nil, fmt.Errorf("claiming due future calls: %w", err)
	}
	calls, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Call, error) {
		var (
			c          Call
			arg, ident *string
		)
		err := r.Scan(&c.ID, &c.Name, &c.Time, &arg, &c.ServerID, &ident)
		if arg != nil {
			c.Argument = []byte(*arg)
		}
		if ident != nil {
			c.Identifier = *ident
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("claiming due future calls: %w", db.Wrap(err))
	}
	// DELETE ... RETURNING keeps no order.
	slices.SortFunc(calls, func(a, b Call) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.ID, b.ID))
	})
	return calls, nil
}

// start runs c in its own goroutine, in a slot already acquired.
func (m *Manager) start(ctx context.Context, c Call, freed chan struct{}) {
	m.mu.RLock()
	h := m.handlers[c.Name]
	m.mu.RUnlock()
	m.running.Add(1)
	go func() {
		defer func() {
			if m.slots != nil {
				<-m.slots
			}
			if freed != nil {
				select {
				case freed <- struct{}{}:
				default:
				}
			}
			m.running.Done()
		}()
		if err := m.invoke(context.WithoutCancel(ctx), h, c); err != nil {
			m.opts.Log.Error("future call failed", "name", c.Name, "id", c.ID, "identifier", c.Identifier, "error", err)
		}
	}()
}

func (m *Manager) invoke(ctx context.Context, h Handler, c Call) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, c)
}

// warnUnknown tells about due calls no handler on this server runs: they
// wait for a server that knows them (Serverpod 2.4 dropped them).
func (m *Manager) warnUnknown(ctx context.Context) {
	var n int64
	err := m.db.QueryRow(ctx, `SELECT count(*) FROM "serverpod_future_call" WHERE "time" <= $1 AND NOT ("name" = ANY($2))`,
		time.Now().UTC(), m.names()).Scan(&n)
	if err == nil && n > 0 {
		m.opts.Log.Warn("future calls are due that this server has no handler for; they wait for a server that registers them", "count", n)
	}
}
