package auth_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

// statementLog records the statements a pool sends, batched ones included,
// one entry per round trip.
type statementLog struct {
	mu    sync.Mutex
	trips [][]string
	batch []string
}

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.trips = append(l.trips, []string{strings.Join(strings.Fields(d.SQL), " ")})
	return ctx
}

func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *statementLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (l *statementLog) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.batch = append(l.batch, strings.Join(strings.Fields(d.SQL), " "))
}

func (l *statementLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.trips = append(l.trips, l.batch)
	l.batch = nil
}

func (l *statementLog) take() [][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.trips
	l.trips = nil
	return t
}

// TestEmailSignInStatements lists the statements one successful email
// sign-in sends to the database, and keeps their round trips from
// growing unnoticed: each one costs the database CPU the hash needs.
func TestEmailSignInStatements(t *testing.T) {
	testDB(t) // migrations
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	log := &statementLog{}
	cfg.ConnConfig.Tracer = log
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	e := newEnvWith(t, testPasswords, nil, pod.WithDatabase(db.New(pool)))
	email := newEmail("statements")
	e.signUp(e.client(), "statements", email, "statements-password")
	e.signIn(e.client(), email, "statements-password") // the user is cached, the address known
	log.take()
	if r := e.signIn(e.client(), email, "statements-password"); !r.Success {
		t.Fatalf("sign-in: %+v", r)
	}
	trips := log.take()
	n := 0
	for i, trip := range trips {
		for _, sql := range trip {
			n++
			t.Logf("round trip %d: %s", i+1, sql)
		}
	}
	t.Logf("%d statements in %d round trips", n, len(trips))
	const maxTrips = 4
	if len(trips) > maxTrips {
		t.Errorf("a sign-in took %d round trips to the database, want at most %d", len(trips), maxTrips)
	}
}
