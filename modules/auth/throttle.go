package auth

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

// How attempts are limited
//
// Every limit is checked and the attempt recorded in one step: the count
// and the insert run in one transaction under an advisory lock on what is
// counted (pg_advisory_xact_lock), so that parallel calls cannot all pass
// the check before any of them is recorded. An attempt is recorded as a
// failure before its password or code is compared, so attempts in flight
// count; a success removes its own record and no other, so the evidence of
// other attempts stays.
//
// The limits are of three kinds, so that none can be turned on a user by
// someone else:
//
//   - per account (an email address, a user, a reset, a sign-up): 2.4's
//     MaxAllowedEmailSignInAttempts failed sign-ins per email within
//     EmailSignInFailureResetTime, MaxCodeAttempts codes per reset or
//     sign-up, emails sent per address. Reaching a sign-in limit refuses
//     the right password too, as 2.4 does — except from addresses the
//     account has signed in from before (KnownAddressLifetime), so that
//     a stranger's guesses cannot lock the owner out;
//   - per account and client address: the same sign-in limit counted for
//     one address alone, which holds from every address, known or not;
//   - per client address: a budget of failures of every kind
//     (MaxFailedAttemptsPerIP, well above the per-account limits) after
//     which the address's attempts are slowed, never refused, since behind
//     a proxy or NAT one address is many users.
//
// Client addresses are counted as IPv4 addresses and IPv6 /64 networks
// (see addressKey).

// Kinds of rows in gopod_auth_attempt. Failed email sign-ins are kept in
// 2.4's serverpod_email_failed_sign_in instead, so that a 2.4 server
// sharing the database sees them. A row's ipAddress is set only when it
// counts against that address: failures, and known addresses.
const (
	attemptChangePassword = "change-password"      // wrong old passwords; subject: the user id
	attemptResetCode      = "password-reset"       // wrong reset codes; subject: ""
	attemptAccountCode    = "account-verification" // wrong account codes; subject: the email
	attemptResetRequest   = "reset-request"        // reset emails asked for; subject: the email
	attemptAccountRequest = "account-request"      // validation emails asked for; subject: the email
	markKnownAddress      = "known-address"        // the account signed in from ipAddress; subject: the email
	markPasswordSet       = "password-set"         // the account's password was set; subject: the email
)

// failureKinds are the kinds whose rows with an address are failures of
// that address.
var failureKinds = []string{attemptChangePassword, attemptResetCode, attemptAccountCode, attemptResetRequest, attemptAccountRequest}

// purgeInterval is how often old attempts, expired reset codes, expired
// account requests and used identity tokens are deleted.
const purgeInterval = time.Minute

// maxWaitingPerAddress bounds the attempts of one slowed address waiting
// for their turn on one server; more are answered as refused at once, so
// that a flood from one address cannot hold the server's goroutines.
const maxWaitingPerAddress = 8

// addressKey is what attempts from a client address are counted under: an
// IPv4 address as it is, an IPv6 address as its /64 network (one
// subscriber usually holds a whole /64, and could otherwise count as
// billions of clients), "" when the address is unknown (no HTTP request).
func addressKey(remote string) string {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.WithZone("").Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, _ := addr.Prefix(64)
	return p.String()
}

// clientAddress is the session's client address as addressKey counts it.
func clientAddress(s *pod.Session) string { return addressKey(s.RemoteIP()) }

// lockSQL takes a transaction-scoped advisory lock on $1, a lockName.
const lockSQL = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`

// lockName is the advisory lock of name, apart from other users' locks.
func lockName(name string) string { return "gopod-auth:" + name }

// lockKey takes a transaction-scoped advisory lock on name, so that the
// check and record of attempts about it run one at a time on every server.
func lockKey(tx *db.Tx, name string) error {
	if _, err := tx.Querier().Exec(tx, lockSQL, lockName(name)); err != nil {
		return fmt.Errorf("locking %s: %w", name, err)
	}
	return nil
}

func (m *Module) window() time.Time { return m.now().Add(-m.cfg.EmailSignInFailureResetTime).UTC() }

// reserveSignIn records a sign-in attempt for email from addr as failed,
// before the password is checked, unless the attempt is locked out, and
// reads the address's email sign-in (nil when there is none); the caller
// removes the record (signedInFrom) when the password was right.
//
// Failures made before the account's password was last set do not count:
// they were guesses of a password that is gone.
//
// The lock, the count with the insert, and the read go to the database
// in one round trip: a batch is one implicit transaction, ended by the
// single Sync pgx sends after its last statement, so the advisory lock is
// held until the attempt is recorded, as in an explicit transaction. The
// count runs in a statement after the lock's, so under READ COMMITTED it
// sees every attempt recorded by whoever held the lock before.
func (m *Module) reserveSignIn(c db.Conn, email, addr string) (id int64, entry *emailAuth, locked bool, err error) {
	known := m.now().Add(-m.cfg.KnownAddressLifetime).UTC()
	if m.cfg.KnownAddressLifetime < 0 {
		known = m.now().Add(time.Hour).UTC() // no address is known
	}
	b := &pgx.Batch{}
	b.Queue(lockSQL, lockName("sign-in:"+email))
	b.Queue(`WITH seen AS (
    SELECT count(*) AS "byEmail", count(*) FILTER (WHERE "ipAddress" = $2) AS "byPair",
        EXISTS (SELECT 1 FROM "gopod_auth_attempt" WHERE "domain" = $5 AND "subject" = $1 AND "ipAddress" = $2 AND "time" > $4) AS "known"
    FROM "serverpod_email_failed_sign_in"
    WHERE "email" = $1 AND "time" > greatest($3,
        (SELECT max("time") FROM "gopod_auth_attempt" WHERE "domain" = $6 AND "subject" = $1))
), attempt AS (
    INSERT INTO "serverpod_email_failed_sign_in" ("email", "time", "ipAddress")
    SELECT $1, $7, $2 FROM seen WHERE "byPair" < $8 AND ("byEmail" < $8 OR "known")
    RETURNING "id"
)
SELECT (SELECT "id" FROM attempt)`,
		email, addr, m.window(), known, markKnownAddress, markPasswordSet, m.now().UTC(), int64(m.cfg.MaxAllowedEmailSignInAttempts))
	b.Queue(emailAuthQuery(`"email" = $1`), email)
	err = db.SendBatch(c, b, func(r pgx.BatchResults) error {
		if _, err := r.Exec(); err != nil {
			return fmt.Errorf("locking sign-in:%s: %w", email, err)
		}
		var got *int64
		if err := r.QueryRow().Scan(&got); err != nil {
			return fmt.Errorf("counting failed sign-ins: %w", err)
		}
		if got == nil {
			locked = true
		} else {
			id = *got
		}
		entry, err = scanEmailAuth(r.QueryRow())
		return err
	})
	if err != nil {
		return 0, nil, false, fmt.Errorf("recording a sign-in attempt: %w", err)
	}
	return id, entry, locked, nil
}

// signedInFrom removes the record of a sign-in whose password was right
// and remembers the client address (rememberAddress), in one statement.
func (m *Module) signedInFrom(c db.Conn, attempt int64, email, addr string) error {
	if addr == "" || m.cfg.KnownAddressLifetime < 0 {
		return forgetSignIn(c, attempt)
	}
	_, err := c.Querier().Exec(c, `WITH forgotten AS (
    DELETE FROM "serverpod_email_failed_sign_in" WHERE "id" = $5
), `+rememberSQL, markKnownAddress, email, addr, m.now().UTC(), attempt)
	if err != nil {
		return fmt.Errorf("clearing a sign-in attempt: %w", err)
	}
	return nil
}

// forgetSignIn removes the record of a sign-in whose password was right.
func forgetSignIn(c db.Conn, id int64) error {
	if _, err := c.Querier().Exec(c, `DELETE FROM "serverpod_email_failed_sign_in" WHERE "id" = $1`, id); err != nil {
		return fmt.Errorf("clearing a sign-in attempt: %w", err)
	}
	return nil
}

// reserve records an attempt of kind about subject unless limit attempts
// about subject were recorded within the window, checking and recording in
// one step. addr is the client address when the attempt counts against it
// as a failure, "" when not. It returns the record's id, 0 when the limit
// is reached.
func (m *Module) reserve(s *pod.Session, kind, subject, addr string, limit int) (int64, error) {
	var id int64
	err := db.Transaction(s, func(tx *db.Tx) error {
		if err := lockKey(tx, kind+":"+subject); err != nil {
			return err
		}
		q := tx.Querier()
		var n int
		if err := q.QueryRow(tx, `SELECT count(*) FROM "gopod_auth_attempt" WHERE "domain" = $1 AND "subject" = $2 AND "time" > $3`,
			kind, subject, m.window()).Scan(&n); err != nil {
			return db.Wrap(err)
		}
		if n >= limit {
			return nil
		}
		return q.QueryRow(tx, `INSERT INTO "gopod_auth_attempt" ("domain", "subject", "ipAddress", "time") VALUES ($1, $2, $3, $4) RETURNING "id"`,
			kind, subject, addr, m.now().UTC()).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("recording a %s attempt: %w", kind, err)
	}
	m.purge(s)
	return id, nil
}

// release removes the record of an attempt that turned out not to be a
// guess (the right old password, a request that could not be made).
func release(c db.Conn, id int64) error {
	if _, err := c.Querier().Exec(c, `DELETE FROM "gopod_auth_attempt" WHERE "id" = $1`, id); err != nil {
		return fmt.Errorf("clearing an attempt: %w", err)
	}
	return nil
}

// markFailed makes a recorded attempt count against the client address.
func markFailed(c db.Conn, id int64, addr string) error {
	if _, err := c.Querier().Exec(c, `UPDATE "gopod_auth_attempt" SET "ipAddress" = $2 WHERE "id" = $1`, id, addr); err != nil {
		return fmt.Errorf("recording a failed attempt: %w", err)
	}
	return nil
}

// recordFailure records a failed attempt of kind from addr.
func (m *Module) recordFailure(s *pod.Session, kind, subject, addr string) error {
	_, err := s.Querier().Exec(s, `INSERT INTO "gopod_auth_attempt" ("domain", "subject", "ipAddress", "time") VALUES ($1, $2, $3, $4)`,
		kind, subject, addr, m.now().UTC())
	if err != nil {
		return fmt.Errorf("recording a failed %s attempt: %w", kind, err)
	}
	m.purge(s)
	return nil
}

// rememberAddress notes that the owner of email proved who they are from
// addr (a sign-in, a reset, a confirmed sign-up): the per-email lock no
// longer applies to that address (see reserveSignIn).
func (m *Module) rememberAddress(c db.Conn, email, addr string) error {
	if addr == "" || m.cfg.KnownAddressLifetime < 0 {
		return nil
	}
	if _, err := c.Querier().Exec(c, `WITH `+rememberSQL, markKnownAddress, email, addr, m.now().UTC()); err != nil {
		return fmt.Errorf("remembering a client address: %w", err)
	}
	return nil
}

// rememberSQL is the tail of a WITH statement that renews the known
// address ($1 markKnownAddress, $2 the email, $3 the address, $4 now) or
// records it when it is not on record.
const rememberSQL = `known AS (
    UPDATE "gopod_auth_attempt" SET "time" = $4 WHERE "domain" = $1 AND "subject" = $2 AND "ipAddress" = $3 RETURNING 1
)
INSERT INTO "gopod_auth_attempt" ("domain", "subject", "ipAddress", "time")
SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM known)`

// passwordSet notes that the password of email was set: failed sign-ins
// made before no longer count.
func (m *Module) passwordSet(c db.Conn, email string) error {
	_, err := c.Querier().Exec(c, `INSERT INTO "gopod_auth_attempt" ("domain", "subject", "ipAddress", "time") VALUES ($1, $2, '', $3)`,
		markPasswordSet, email, m.now().UTC())
	if err != nil {
		return fmt.Errorf("recording a password change: %w", err)
	}
	return nil
}

// addressFailures counts the failures of every kind from addr within the
// window, sign-ins in flight included.
func (m *Module) addressFailures(c db.Conn, addr string) (int, error) {
	var n int
	err := c.Querier().QueryRow(c, `SELECT
        (SELECT count(*) FROM "serverpod_email_failed_sign_in" WHERE "ipAddress" = $1 AND "time" > $2) +
        (SELECT count(*) FROM "gopod_auth_attempt" WHERE "domain" = ANY($3) AND "ipAddress" = $1 AND "time" > $2)`,
		addr, m.window(), failureKinds).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting the failures of a client address: %w", db.Wrap(err))
	}
	return n, nil
}

// throttleAddress slows the attempts of a client address that has used up
// its failure budget: they pass one at a time, AddressSlowdown apart, on
// this server. It reports false when the attempt cannot wait its turn
// (too many of the address's attempts are waiting, or the caller left).
func (m *Module) throttleAddress(s *pod.Session, addr string) (bool, error) {
	if addr == "" || m.cfg.MaxFailedAttemptsPerIP < 0 {
		return true, nil
	}
	n, err := m.addressFailures(s, addr)
	if err != nil || n < m.cfg.MaxFailedAttemptsPerIP {
		return err == nil, err
	}
	if m.slow.firstIn(addr, m.now(), m.cfg.EmailSignInFailureResetTime) {
		s.Log.Warn("auth module: slowing the attempts of a client address over its failure budget",
			"address", addr, "failures", n, "budget", m.cfg.MaxFailedAttemptsPerIP)
	}
	return m.slow.pass(s, addr, m.cfg.AddressSlowdown), nil
}

// maxWarned bounds the addresses addressLanes remembers having warned
// about.
const maxWarned = 10000

// addressLanes lets the attempts of each slowed address through one at a
// time, a delay apart.
type addressLanes struct {
	mu     sync.Mutex
	lanes  map[string]*lane
	warned map[string]time.Time
}

// firstIn reports whether addr is slowed for the first time within the
// window, so that the log says so once per window, not once per attempt.
func (l *addressLanes) firstIn(addr string, now time.Time, window time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if last, ok := l.warned[addr]; ok && now.Sub(last) < window {
		return false
	}
	if l.warned == nil || len(l.warned) >= maxWarned {
		l.warned = map[string]time.Time{}
	}
	l.warned[addr] = now
	return true
}

type lane struct {
	waiting int
	turn    chan struct{} // holds the token while no attempt has it
}

// pass waits for addr's turn and then for delay. It reports false when
// the attempt is not let through.
func (l *addressLanes) pass(s *pod.Session, addr string, delay time.Duration) bool {
	l.mu.Lock()
	if l.lanes == nil {
		l.lanes = map[string]*lane{}
	}
	ln := l.lanes[addr]
	if ln == nil {
		ln = &lane{turn: make(chan struct{}, 1)}
		ln.turn <- struct{}{}
		l.lanes[addr] = ln
	}
	if ln.waiting >= maxWaitingPerAddress {
		l.mu.Unlock()
		return false
	}
	ln.waiting++
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if ln.waiting--; ln.waiting == 0 {
			delete(l.lanes, addr)
		}
	}()

	select {
	case <-ln.turn:
	case <-s.Done():
		return false
	}
	defer func() { ln.turn <- struct{}{} }()
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.Done():
		return false
	}
}

// purge deletes what no longer counts: attempts older than the window,
// known addresses older than KnownAddressLifetime, expired reset codes,
// account requests and identity tokens (2.4 kept them all forever). It
// runs at most once per purgeInterval per server, and its failure is only
// logged: it is housekeeping.
func (m *Module) purge(s *pod.Session) {
	now := m.now()
	next := m.nextPurge.Load()
	if now.UnixNano() < next || !m.nextPurge.CompareAndSwap(next, now.Add(purgeInterval).UnixNano()) {
		return
	}
	window, utc := m.window(), now.UTC()
	known := now.Add(-max(m.cfg.KnownAddressLifetime, 0)).UTC()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM "serverpod_email_failed_sign_in" WHERE "time" <= $1`, []any{window}},
		{`DELETE FROM "gopod_auth_attempt" WHERE "time" <= $1 AND "domain" <> $2`, []any{window, markKnownAddress}},
		{`DELETE FROM "gopod_auth_attempt" WHERE "time" <= $1 AND "domain" = $2`, []any{known, markKnownAddress}},
		{`DELETE FROM "serverpod_email_reset" WHERE "expiration" <= $1`, []any{utc}},
		{`DELETE FROM "serverpod_email_create_request" r USING "gopod_auth_request_state" st
            WHERE st."requestId" = r."id" AND st."expiration" <= $1`, []any{utc}},
		{`DELETE FROM "gopod_auth_used_token" WHERE "expiration" <= $1`, []any{utc}},
	} {
		if _, err := s.Querier().Exec(s, q.sql, q.args...); err != nil {
			s.Log.Warn("auth module: purging old rows", "error", err)
			return
		}
	}
}
