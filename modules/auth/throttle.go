package auth

import (
	"fmt"
	"time"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

// Kinds of attempts counted in gopod_auth_attempt. Failed email sign-ins
// are counted in 2.4's serverpod_email_failed_sign_in instead, so that a
// 2.4 server sharing the database sees them.
const (
	attemptChangePassword = "change-password"      // wrong old passwords, per user
	attemptResetCode      = "password-reset"       // wrong reset codes
	attemptAccountCode    = "account-verification" // wrong account codes
	attemptResetRequest   = "reset-request"        // reset emails sent, per address
	attemptAccountRequest = "account-request"      // validation emails sent, per address
)

// purgeInterval is how often old attempts, expired reset codes and
// expired account requests are deleted.
const purgeInterval = time.Minute

// signInLocked reports whether email sign-ins for the address, or from the
// client address, have failed too often within the window. Unknown
// addresses are counted like known ones, so the answer says nothing about
// whether an account exists.
func (m *Module) signInLocked(c db.Conn, email, ip string) (bool, error) {
	since := m.now().Add(-m.cfg.EmailSignInFailureResetTime).UTC()
	var byEmail, byIP int
	err := c.Querier().QueryRow(c, `SELECT count(*) FILTER (WHERE "email" = $1), count(*) FILTER (WHERE "ipAddress" = $2)
    FROM "serverpod_email_failed_sign_in" WHERE "time" > $3 AND ("email" = $1 OR "ipAddress" = $2)`,
		email, ip, since).Scan(&byEmail, &byIP)
	if err != nil {
		return false, fmt.Errorf("counting failed sign-ins: %w", db.Wrap(err))
	}
	return byEmail >= m.cfg.MaxAllowedEmailSignInAttempts || m.overIPLimit(ip, byIP), nil
}

func (m *Module) overIPLimit(ip string, n int) bool {
	return ip != "" && m.cfg.MaxFailedAttemptsPerIP > 0 && n >= m.cfg.MaxFailedAttemptsPerIP
}

func (m *Module) recordFailedSignIn(s *pod.Session, email, ip string) error {
	_, err := s.Querier().Exec(s, `INSERT INTO "serverpod_email_failed_sign_in" ("email", "time", "ipAddress") VALUES ($1, $2, $3)`,
		email, m.now().UTC(), ip)
	if err != nil {
		return fmt.Errorf("recording a failed sign-in: %w", err)
	}
	m.purge(s)
	return nil
}

// clearFailedSignIns forgets the address's failed sign-ins once its owner
// has proven who they are (a sign-in or a password reset), so that earlier
// typos do not count against the next ones.
func (m *Module) clearFailedSignIns(c db.Conn, email string) error {
	_, err := c.Querier().Exec(c, `DELETE FROM "serverpod_email_failed_sign_in" WHERE "email" = $1`, email)
	if err != nil {
		return fmt.Errorf("clearing failed sign-ins: %w", err)
	}
	return nil
}

// tooManyAttempts reports whether attempts of the kind about subject (""
// for none), or from the client address, reached their limits within the
// window.
func (m *Module) tooManyAttempts(c db.Conn, kind, subject, ip string) (bool, error) {
	since := m.now().Add(-m.cfg.EmailSignInFailureResetTime).UTC()
	var bySubject, byIP int
	err := c.Querier().QueryRow(c, `SELECT count(*) FILTER (WHERE "subject" = $2 AND $2 <> ''), count(*) FILTER (WHERE "ipAddress" = $3)
    FROM "gopod_auth_attempt" WHERE "domain" = $1 AND "time" > $4 AND ("subject" = $2 OR "ipAddress" = $3)`,
		kind, subject, ip, since).Scan(&bySubject, &byIP)
	if err != nil {
		return false, fmt.Errorf("counting %s attempts: %w", kind, db.Wrap(err))
	}
	return bySubject >= m.cfg.MaxAllowedEmailSignInAttempts || m.overIPLimit(ip, byIP), nil
}

func (m *Module) recordAttempt(s *pod.Session, kind, subject, ip string) error {
	_, err := s.Querier().Exec(s, `INSERT INTO "gopod_auth_attempt" ("domain", "subject", "ipAddress", "time") VALUES ($1, $2, $3, $4)`,
		kind, subject, ip, m.now().UTC())
	if err != nil {
		return fmt.Errorf("recording a %s attempt: %w", kind, err)
	}
	m.purge(s)
	return nil
}

// purge deletes what no longer counts: attempts older than the window,
// expired reset codes and expired account requests (2.4 kept them all
// forever). It runs at most once per purgeInterval per server, and its
// failure is only logged: it is housekeeping.
func (m *Module) purge(s *pod.Session) {
	now := m.now()
	next := m.nextPurge.Load()
	if now.UnixNano() < next || !m.nextPurge.CompareAndSwap(next, now.Add(purgeInterval).UnixNano()) {
		return
	}
	window, utc := now.Add(-m.cfg.EmailSignInFailureResetTime).UTC(), now.UTC()
	for _, q := range []struct {
		sql string
		arg time.Time
	}{
		{`DELETE FROM "serverpod_email_failed_sign_in" WHERE "time" <= $1`, window},
		{`DELETE FROM "gopod_auth_attempt" WHERE "time" <= $1`, window},
		{`DELETE FROM "serverpod_email_reset" WHERE "expiration" <= $1`, utc},
		{`DELETE FROM "serverpod_email_create_request" r USING "gopod_auth_request_state" st
            WHERE st."requestId" = r."id" AND st."expiration" <= $1`, utc},
	} {
		if _, err := s.Querier().Exec(s, q.sql, q.arg); err != nil {
			s.Log.Warn("auth module: purging old rows", "error", err)
			return
		}
	}
}
