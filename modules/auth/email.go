package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/modules/auth/internal/codes"
	"github.com/gopod/gopod/modules/auth/internal/password"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

// EmailEndpoint signs users up and in with an email address and a
// password (serverpod_auth.email).
type EmailEndpoint struct {
	pod.Endpoint
}

// Authenticate signs a user in with their email address and password.
// Attempts are counted per email address, per email and client address,
// and per client address (see throttle.go); an unknown address is
// answered like a wrong password, in about the same time.
func (e *EmailEndpoint) Authenticate(s *pod.Session, email string, password string) (protocol.AuthenticationResponse, error) {
	m, err := moduleOf(s)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	return m.authenticateEmail(s, email, password)
}

// ChangePassword replaces the signed-in user's password after checking the
// old one, and signs the user's other devices out. It answers false when
// the caller is not signed in, has no email sign-in, gives a wrong old
// password or a new one outside the length limits.
func (e *EmailEndpoint) ChangePassword(s *pod.Session, oldPassword string, newPassword string) (bool, error) {
	m, err := moduleOf(s)
	if err != nil {
		return false, err
	}
	return m.changePassword(s, oldPassword, newPassword)
}

// InitiatePasswordReset sends a password reset code to the address, if it
// belongs to a user with an email sign-in.
func (e *EmailEndpoint) InitiatePasswordReset(s *pod.Session, email string) (bool, error) {
	m, err := moduleOf(s)
	if err != nil {
		return false, err
	}
	return m.initiatePasswordReset(s, email)
}

// ResetPassword sets a new password with a code from
// InitiatePasswordReset, and signs the user out on every device.
func (e *EmailEndpoint) ResetPassword(s *pod.Session, verificationCode string, password string) (bool, error) {
	m, err := moduleOf(s)
	if err != nil {
		return false, err
	}
	return m.resetPassword(s, verificationCode, password)
}

// CreateAccountRequest starts a sign-up: it keeps the request and sends a
// code that confirms the address.
func (e *EmailEndpoint) CreateAccountRequest(s *pod.Session, userName string, email string, password string) (bool, error) {
	m, err := moduleOf(s)
	if err != nil {
		return false, err
	}
	return m.createAccountRequest(s, userName, email, password)
}

// CreateAccount completes a sign-up with the code sent to the address and
// returns the new user; it does not sign the user in. It answers null for
// an unknown or expired request or a wrong code.
func (e *EmailEndpoint) CreateAccount(s *pod.Session, email string, verificationCode string) (*protocol.UserInfo, error) {
	m, err := moduleOf(s)
	if err != nil {
		return nil, err
	}
	return m.createAccount(s, email, verificationCode)
}

// normalizeEmail is applied to every address the module receives or
// stores: 2.4 lower-cased in some calls, trimmed in others and compared
// raw in the rest.
func normalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// storableEmail reports whether an account could have email: PostgreSQL
// text holds no NUL, and an address longer than its index takes was never
// stored. Any other address is answered as one without an account, not
// with a database error.
func storableEmail(email string) bool {
	return len(email) <= maxStoredEmail && !strings.ContainsRune(email, 0)
}

// maxStoredEmail is far above the 254 bytes an address can have and
// below what a PostgreSQL index entry takes.
const maxStoredEmail = 1000

// validEmail accepts a plain address local@domain.tld, as 2.4's
// EmailValidator does for the addresses people use.
func validEmail(email string) bool {
	if len(email) > 254 || strings.ContainsAny(email, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	domain := email[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") &&
		!strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

func failure(reason protocol.AuthenticationFailReason) protocol.AuthenticationResponse {
	return protocol.AuthenticationResponse{Success: false, FailReason: &reason}
}

// signedIn issues a key for user and builds the success answer; a user
// blocked while signing in is answered as blocked.
func (m *Module) signedIn(s *pod.Session, user *protocol.UserInfo, method string) (protocol.AuthenticationResponse, error) {
	key, err := m.signInAsStored(s, *user.ID, method, nil)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if key == nil {
		return failure(protocol.AuthenticationFailReasonBlocked), nil
	}
	return m.signedInWith(user, key), nil
}

// signedInWith is the success answer for a key issued to user.
func (m *Module) signedInWith(user *protocol.UserInfo, key *protocol.AuthKey) protocol.AuthenticationResponse {
	if !slices.Equal(user.ScopeNames, key.ScopeNames) {
		// The scopes changed since user was read: answer with the key's.
		c := *user
		c.ScopeNames = key.ScopeNames
		user = &c
	}
	return protocol.AuthenticationResponse{Success: true, Key: key.Key, KeyID: key.ID, UserInfo: m.visibleToUser(user)}
}

func (m *Module) policy() password.Policy {
	return password.Policy{MinLength: m.cfg.MinPasswordLength, MaxLength: m.cfg.MaxPasswordLength}
}

func (m *Module) customHashing() bool {
	return m.cfg.PasswordHashGenerator != nil || m.cfg.PasswordHashValidator != nil
}

func (m *Module) hashPassword(ctx context.Context, pw string) (string, error) {
	if gen := m.cfg.PasswordHashGenerator; gen != nil {
		h, err := gen(ctx, pw)
		if err != nil {
			return "", fmt.Errorf("passwordHashGenerator: %w", err)
		}
		return h, nil
	}
	return m.hasher.Hash(ctx, pw)
}

// verifyPassword checks pw against a stored hash. A hash that cannot be
// read is logged and fails the check.
func (m *Module) verifyPassword(s *pod.Session, pw, email, stored string) (bool, error) {
	m.checks.passwords.Add(1)
	if v := m.cfg.PasswordHashValidator; v != nil {
		ok, err := v(s, pw, email, stored)
		if err != nil {
			return false, fmt.Errorf("passwordHashValidator: %w", err)
		}
		return ok, nil
	}
	ok, err := m.hasher.Verify(s, pw, email, stored)
	if errors.Is(err, password.ErrMalformedHash) {
		s.Log.Warn("auth module: a stored password hash cannot be read", "email", email, "error", err)
		return false, nil
	}
	return ok, err
}

func (m *Module) authenticateEmail(s *pod.Session, email, pw string) (protocol.AuthenticationResponse, error) {
	email, addr := normalizeEmail(email), clientAddress(s)
	if ok, err := m.throttleAddress(s, addr); err != nil || !ok {
		return failure(protocol.AuthenticationFailReasonTooManyFailedAttempts), err
	}
	if !storableEmail(email) {
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	attempt, entry, locked, err := m.reserveSignIn(s, email, addr)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if locked {
		return failure(protocol.AuthenticationFailReasonTooManyFailedAttempts), nil
	}
	// From here on the attempt counts as failed unless the password is
	// right.
	ok := false
	if entry == nil {
		m.checks.passwords.Add(1)
		m.hasher.VerifyAbsent(s, pw)
	} else if ok, err = m.verifyPassword(s, pw, entry.email, entry.hash); err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if !ok {
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	// What the password was checked against: each step below acts only
	// while it is still stored, as a reset or change may come in between.
	checked := passwordGuard{emailAuthID: entry.id, hash: entry.hash}
	if !m.customHashing() && m.hasher.NeedsRehash(entry.hash) {
		// The user proved the password: store it in the current form.
		// Failure is no reason to refuse the sign-in.
		if h, err := m.hasher.Hash(s, pw); err != nil {
			s.Log.Warn("auth module: rehashing a password", "error", err)
		} else if replaced, err := replaceEmailAuthHash(s, entry, h, false); err != nil {
			s.Log.Warn("auth module: storing a rehashed password", "error", err)
		} else if !replaced {
			return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
		} else {
			checked.hash = h
		}
	}
	user, err := m.FindUserByID(s, entry.userID)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if user == nil {
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	if user.Blocked {
		// The password was right: no failure, but no known address.
		if err := forgetSignIn(s, attempt); err != nil {
			return protocol.AuthenticationResponse{}, err
		}
		return failure(protocol.AuthenticationFailReasonBlocked), nil
	}
	key, err := m.signInAsStored(s, *user.ID, "email", &checked)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if key == nil {
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	if err := m.signedInFrom(s, attempt, email, addr); err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	return m.signedInWith(user, key), nil
}

func (m *Module) changePassword(s *pod.Session, oldPassword, newPassword string) (bool, error) {
	userID, ok := s.UserID()
	if !ok {
		return false, nil
	}
	addr := clientAddress(s)
	if ok, err := m.throttleAddress(s, addr); err != nil || !ok {
		return false, err
	}
	entry, err := findEmailAuth(s, `"userId" = $1`, userID)
	if err != nil || entry == nil || m.policy().Check(newPassword) != nil {
		return false, err
	}
	attempt, err := m.reserve(s, attemptChangePassword, strconv.FormatInt(userID, 10), addr, m.cfg.MaxAllowedEmailSignInAttempts)
	if err != nil || attempt == 0 {
		return false, err
	}
	ok, err = m.verifyPassword(s, oldPassword, entry.email, entry.hash)
	if err != nil || !ok {
		return false, err // the attempt stays on record as failed
	}
	if err := release(s, attempt); err != nil {
		return false, err
	}
	hash, err := m.hashPassword(s, newPassword)
	if err != nil {
		return false, err
	}
	// Only the password that was checked is replaced: one reset or
	// changed meanwhile (by the owner, signing this session out) stays.
	if replaced, err := replaceEmailAuthHash(s, entry, hash, true); err != nil || !replaced {
		return false, err
	}
	if err := m.passwordSet(s, entry.email); err != nil {
		return false, err
	}
	if m.cfg.SignOutOtherDevicesOnPasswordChange.Enabled(true) {
		if err := m.signOutOtherDevices(s, userID); err != nil {
			return false, err
		}
	}
	return true, nil
}

// conceal is the answer to a request for an address without an account.
func (m *Module) conceal() bool { return m.cfg.ConcealAccounts }

// sendEmail sends an email of the email flows: from the mail queue when
// accounts are concealed, so that the answer comes as fast whether an
// email is sent or not (the answer is then true even if sending fails,
// which is logged); else in the call, whose answer says whether it was
// sent, as in 2.4.
func (m *Module) sendEmail(s *pod.Session, what string, send func(*pod.Session) error) bool {
	if m.conceal() {
		if err := m.mail.send(s, what, send); err != nil {
			s.Log.Error("auth module: queueing "+what, "error", err)
			return false
		}
		return true
	}
	if err := send(s); err != nil {
		s.Log.Error("auth module: sending "+what+" failed", "error", err)
		return false
	}
	return true
}

// admitEmailRequest lets a request that may send an email (a reset, a
// sign-up) through the client address's budget and the limit on emails to
// the address. It returns the request's record, 0 when it is refused, and
// the client address, which is charged (markFailed) only when there is
// nothing to send.
func (m *Module) admitEmailRequest(s *pod.Session, kind, email string) (int64, string, error) {
	addr := clientAddress(s)
	if ok, err := m.throttleAddress(s, addr); err != nil || !ok {
		return 0, addr, err
	}
	id, err := m.reserve(s, kind, email, "", m.cfg.MaxAllowedEmailSignInAttempts)
	return id, addr, err
}

func (m *Module) initiatePasswordReset(s *pod.Session, email string) (bool, error) {
	send := m.cfg.SendPasswordResetEmail
	if send == nil {
		return false, nil
	}
	email = normalizeEmail(email)
	if !storableEmail(email) {
		return m.conceal(), nil
	}
	attempt, addr, err := m.admitEmailRequest(s, attemptResetRequest, email)
	if err != nil || attempt == 0 {
		return false, err
	}
	user, err := m.FindUserByEmail(s, email)
	if err != nil {
		return false, err
	}
	var entry *emailAuth
	if user != nil {
		// A user without an email sign-in could not use the code.
		if entry, err = findEmailAuth(s, `"userId" = $1`, *user.ID); err != nil {
			return false, err
		}
	}
	if entry == nil {
		return m.conceal(), markFailed(s, attempt, addr)
	}
	code, err := codes.Generate(m.cfg.ValidationCodeLength)
	if err != nil {
		return false, err
	}
	err = db.Transaction(s, func(tx *db.Tx) error {
		q := tx.Querier()
		// Only the newest code is valid: fewer live codes to guess.
		if _, err := q.Exec(tx, `DELETE FROM "serverpod_email_reset" WHERE "userId" = $1`, *user.ID); err != nil {
			return err
		}
		var id int64
		err := q.QueryRow(tx, `INSERT INTO "serverpod_email_reset" ("userId", "verificationCode", "expiration") VALUES ($1, $2, $3) RETURNING "id"`,
			*user.ID, m.codes.Hash(codes.PasswordReset, "", code), m.now().Add(m.cfg.PasswordResetExpirationTime).UTC()).Scan(&id)
		if err != nil {
			return err
		}
		_, err = q.Exec(tx, `INSERT INTO "gopod_auth_reset_state" ("resetId", "selector", "failedAttempts") VALUES ($1, $2, 0)`,
			id, m.codes.Lookup(code))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("storing a password reset: %w", err)
	}
	return m.sendEmail(s, "a password reset email", func(bg *pod.Session) error { return send(bg, user, code) }), nil
}

// resetPassword finds the reset by the first half of the code and checks
// the whole code against it; every code tried against a reset counts, and
// at MaxCodeAttempts the reset is dropped. Resets a Serverpod 2.4 server
// stored (the code in plain text) or an earlier gopod stored (no lookup
// value) are found by the code itself while fewer than MaxWrongResetCodes
// wrong codes were tried within the window, from all addresses together.
func (m *Module) resetPassword(s *pod.Session, code, pw string) (bool, error) {
	addr := clientAddress(s)
	if ok, err := m.throttleAddress(s, addr); err != nil || !ok {
		return false, err
	}
	if m.policy().Check(pw) != nil || code == "" {
		return false, nil
	}
	userID, expiration, found, err := m.takeReset(s, code)
	if err != nil {
		return false, err
	}
	if !found {
		return false, m.recordFailure(s, attemptResetCode, "", addr)
	}
	if !m.now().Before(expiration) {
		return false, nil
	}
	entry, err := findEmailAuth(s, `"userId" = $1`, userID)
	if err != nil || entry == nil {
		return false, err
	}
	hash, err := m.hashPassword(s, pw)
	if err != nil {
		return false, err
	}
	if err := updateEmailAuthHash(s, entry, hash); err != nil {
		return false, err
	}
	if m.cfg.SignOutOtherDevicesOnPasswordChange.Enabled(true) {
		if err := m.SignOutUser(s, userID); err != nil {
			return false, err
		}
	}
	// The code proved the mailbox is the caller's: earlier failed
	// sign-ins no longer count, and the address is the owner's.
	if err := m.passwordSet(s, entry.email); err != nil {
		return false, err
	}
	return true, m.rememberAddress(s, entry.email, addr)
}

// takeReset finds the reset code belongs to, charges it one attempt, and
// deletes it when the code is right (a code is used once) or the reset
// has used up its attempts.
func (m *Module) takeReset(s *pod.Session, code string) (userID int64, expiration time.Time, found bool, err error) {
	q := s.Querier()
	rows, err := q.Query(s, `UPDATE "gopod_auth_reset_state" SET "failedAttempts" = "failedAttempts" + 1
    WHERE "selector" = $1 AND "failedAttempts" < $2 RETURNING "resetId"`, m.codes.Lookup(code), m.cfg.MaxCodeAttempts)
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("finding a password reset: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("finding a password reset: %w", err)
	}
	if len(ids) == 0 {
		return m.takeLegacyReset(s, code)
	}
	rows, err = q.Query(s, `SELECT "id", "verificationCode" FROM "serverpod_email_reset" WHERE "id" = ANY($1)`, ids)
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("reading a password reset: %w", err)
	}
	type reset struct {
		id     int64
		stored string
	}
	resets, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (reset, error) {
		var x reset
		return x, r.Scan(&x.id, &x.stored)
	})
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("reading a password reset: %w", err)
	}
	for _, r := range resets {
		m.checks.codes.Add(1)
		if !m.codes.Verify(codes.PasswordReset, "", code, r.stored) {
			continue
		}
		err := q.QueryRow(s, `DELETE FROM "serverpod_email_reset" WHERE "id" = $1 RETURNING "userId", "expiration"`, r.id).Scan(&userID, &expiration)
		if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
			break // used by a parallel call
		}
		if err != nil {
			return 0, time.Time{}, false, fmt.Errorf("using a password reset: %w", err)
		}
		return userID, expiration, true, nil
	}
	_, err = q.Exec(s, `DELETE FROM "serverpod_email_reset" r USING "gopod_auth_reset_state" st
    WHERE st."resetId" = r."id" AND r."id" = ANY($1) AND st."failedAttempts" >= $2`, ids, m.cfg.MaxCodeAttempts)
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("dropping a guessed password reset: %w", err)
	}
	return 0, time.Time{}, false, nil
}

// takeLegacyReset uses a reset that has no lookup value: one a Serverpod
// 2.4 server stored, whose verificationCode is the code itself, or one an
// earlier gopod stored, whose verificationCode is the code's hash. A code
// is compared as plain text only when it is made of the code alphabet
// alone, and then it can only equal a row of the same shape: gopod's
// stored values all begin with "$", so what gopod stores is never
// accepted as a code (only 2.4's own plain-text rows are, as they were
// on 2.4). Such resets cannot be charged per reset, so a global count of
// wrong codes bounds the guessing.
func (m *Module) takeLegacyReset(s *pod.Session, code string) (userID int64, expiration time.Time, found bool, err error) {
	var wrong int
	err = s.Querier().QueryRow(s, `SELECT count(*) FROM "gopod_auth_attempt" WHERE "domain" = $1 AND "time" > $2`,
		attemptResetCode, m.window()).Scan(&wrong)
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("counting wrong reset codes: %w", db.Wrap(err))
	}
	if wrong >= m.cfg.MaxWrongResetCodes {
		return 0, time.Time{}, false, nil
	}
	candidates := []string{m.codes.Hash(codes.PasswordReset, "", code)}
	if codes.IsPlaintext(code) {
		candidates = append(candidates, code)
	}
	m.checks.codes.Add(1)
	err = s.Querier().QueryRow(s, `DELETE FROM "serverpod_email_reset" r WHERE "verificationCode" = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM "gopod_auth_reset_state" st WHERE st."resetId" = r."id")
    RETURNING "userId", "expiration"`, candidates).Scan(&userID, &expiration)
	if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("reading a password reset: %w", err)
	}
	return userID, expiration, true, nil
}

// createAccountRequest does the same work whether or not the address is
// taken or has a request pending (the password is hashed either way and,
// when accounts are concealed, checked once against a hash, and the email
// is sent from the mail queue), so that with ConcealAccounts its timing
// does not tell either.
func (m *Module) createAccountRequest(s *pod.Session, userName, email, pw string) (bool, error) {
	send := m.cfg.SendValidationEmail
	if send == nil {
		return false, nil
	}
	email, userName = normalizeEmail(email), cleanName(userName)
	if !validEmail(email) || userName == "" || m.policy().Check(pw) != nil {
		return false, nil
	}
	attempt, addr, err := m.admitEmailRequest(s, attemptAccountRequest, email)
	if err != nil || attempt == 0 {
		return false, err
	}
	hash, err := m.hashPassword(s, pw)
	if err != nil {
		return false, err
	}
	// A pending request costs a check of the password against its hash;
	// with ConcealAccounts the answers without one check the new hash
	// instead, so that all cost one hash and one check.
	checked := false
	balance := func() error {
		if checked || !m.conceal() {
			return nil
		}
		checked = true
		_, err := m.verifyPassword(s, pw, email, hash)
		return err
	}
	taken, err := m.emailTaken(s, email)
	if err != nil {
		return false, err
	}
	if taken {
		if err := balance(); err != nil {
			return false, err
		}
		return m.conceal(), markFailed(s, attempt, addr)
	}
	code, err := codes.Generate(m.cfg.ValidationCodeLength)
	if err != nil {
		return false, err
	}
	// Twice at most: a request stored by a parallel call between the
	// read and the write is read again, once.
	for range 2 {
		pending, err := m.pendingAccountRequest(s, email)
		if err != nil {
			return false, err
		}
		if pending.live {
			// Someone asked for an account at this address already. The
			// same password again is a retry: it gets a fresh code.
			// Another password contests the request, since a code only
			// proves that the address is read, not who chose the
			// password: whichever code the owner of the address enters,
			// it must not set a stranger's password on the account. So
			// neither request stands, and the owner asks again.
			same, err := m.verifyPassword(s, pw, email, pending.hash)
			if err != nil {
				return false, err
			}
			checked = true
			if !same {
				if err := m.dropContestedRequest(s, email, pending.hash); err != nil {
					return false, err
				}
				return m.conceal(), markFailed(s, attempt, addr)
			}
		}
		if err := balance(); err != nil {
			return false, err
		}
		stored, err := m.storeAccountRequest(s, userName, email, hash, code, pending.hash)
		if err != nil {
			return false, err
		}
		if stored {
			return m.sendEmail(s, "a validation email", func(bg *pod.Session) error { return send(bg, email, code) }), nil
		}
	}
	return m.conceal(), markFailed(s, attempt, addr)
}

// storeAccountRequest stores the request, replacing the address's request
// whose hash is replacing (none: ""), whole, code included; it returns
// false when another request is stored instead.
func (m *Module) storeAccountRequest(c db.Conn, userName, email, hash, code, replacing string) (bool, error) {
	stored := false
	err := db.Transaction(c, func(tx *db.Tx) error {
		var id int64
		err := tx.Querier().QueryRow(tx, `INSERT INTO "serverpod_email_create_request" ("userName", "email", "hash", "verificationCode")
    VALUES ($1, $2, $3, $4) ON CONFLICT ("email") DO UPDATE
    SET "userName" = EXCLUDED."userName", "hash" = EXCLUDED."hash", "verificationCode" = EXCLUDED."verificationCode"
    WHERE "serverpod_email_create_request"."hash" = $5
    RETURNING "id"`, userName, email, hash, m.codes.Hash(codes.AccountVerification, email, code), replacing).Scan(&id)
		if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		stored = true
		_, err = tx.Querier().Exec(tx, `INSERT INTO "gopod_auth_request_state" ("requestId", "expiration", "failedAttempts") VALUES ($1, $2, 0)
    ON CONFLICT ("requestId") DO UPDATE SET "expiration" = EXCLUDED."expiration", "failedAttempts" = 0`,
			id, m.now().Add(m.cfg.AccountRequestExpirationTime).UTC())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("storing an account request: %w", err)
	}
	return stored, nil
}

// pendingRequest is what createAccountRequest needs of the account request
// already stored for an address.
type pendingRequest struct {
	// hash is the stored request's password hash, "" when there is none.
	hash string
	// live is true when the request can still create the account: it has
	// not expired (one written by 2.4 has no expiry yet) and has attempts
	// left.
	live bool
}

func (m *Module) pendingAccountRequest(c db.Conn, email string) (pendingRequest, error) {
	var p pendingRequest
	err := c.Querier().QueryRow(c, `SELECT r."hash", st."requestId" IS NULL OR (st."expiration" > $2 AND st."failedAttempts" < $3)
    FROM "serverpod_email_create_request" r LEFT JOIN "gopod_auth_request_state" st ON st."requestId" = r."id"
    WHERE r."email" = $1`, email, m.now().UTC(), m.cfg.MaxCodeAttempts).Scan(&p.hash, &p.live)
	if err = db.Wrap(err); err != nil && !errors.Is(err, db.ErrNotFound) {
		return p, fmt.Errorf("reading an account request: %w", err)
	}
	return p, nil
}

// dropContestedRequest deletes the address's account request, when it is
// still the one with hash: two requests with different passwords leave
// none, and send no code.
func (m *Module) dropContestedRequest(c db.Conn, email, hash string) error {
	if _, err := c.Querier().Exec(c, `DELETE FROM "serverpod_email_create_request" WHERE "email" = $1 AND "hash" = $2`, email, hash); err != nil {
		return fmt.Errorf("dropping a contested account request: %w", err)
	}
	return nil
}

// emailTaken reports whether the address already signs a user in with a
// password, or belongs to a user.
func (m *Module) emailTaken(c db.Conn, email string) (bool, error) {
	var taken bool
	err := c.Querier().QueryRow(c, `SELECT EXISTS (SELECT 1 FROM "serverpod_email_auth" WHERE "email" = $1)
    OR EXISTS (SELECT 1 FROM "serverpod_user_info" WHERE "email" = $1)`, email).Scan(&taken)
	if err != nil {
		return false, fmt.Errorf("looking up an email address: %w", err)
	}
	return taken, nil
}

// accountRequest is a row of serverpod_email_create_request.
type accountRequest struct {
	id             int64
	userName, hash string
	code           string
	attempts       int64
}

// createAccount charges the request one attempt before the code is
// compared, in one statement, so that parallel guesses cannot all be
// compared; at MaxCodeAttempts the request is dropped.
func (m *Module) createAccount(s *pod.Session, email, code string) (*protocol.UserInfo, error) {
	email, addr := normalizeEmail(email), clientAddress(s)
	if ok, err := m.throttleAddress(s, addr); err != nil || !ok {
		return nil, err
	}
	if !storableEmail(email) {
		return nil, nil
	}
	q := s.Querier()
	now := m.now().UTC()
	// A request written by 2.4, which had no expiry, expires from now on.
	// (A parallel call may have used it up and deleted it meanwhile.)
	_, err := q.Exec(s, `INSERT INTO "gopod_auth_request_state" ("requestId", "expiration", "failedAttempts")
    SELECT r."id", $2, 0 FROM "serverpod_email_create_request" r WHERE r."email" = $1
        AND NOT EXISTS (SELECT 1 FROM "gopod_auth_request_state" st WHERE st."requestId" = r."id")
    ON CONFLICT ("requestId") DO NOTHING`, email, now.Add(m.cfg.AccountRequestExpirationTime))
	if err = db.Wrap(err); err != nil && !errors.Is(err, db.ErrForeignKeyViolation) {
		return nil, fmt.Errorf("recording an account request: %w", err)
	}
	var r accountRequest
	err = q.QueryRow(s, `UPDATE "gopod_auth_request_state" st SET "failedAttempts" = st."failedAttempts" + 1
    FROM "serverpod_email_create_request" r
    WHERE r."id" = st."requestId" AND r."email" = $1 AND st."failedAttempts" < $2 AND st."expiration" > $3
    RETURNING r."id", r."userName", r."hash", r."verificationCode", st."failedAttempts"`,
		email, m.cfg.MaxCodeAttempts, now).Scan(&r.id, &r.userName, &r.hash, &r.code, &r.attempts)
	if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
		// None, expired or used up: drop what is left of it.
		if _, err := q.Exec(s, `DELETE FROM "serverpod_email_create_request" r USING "gopod_auth_request_state" st
    WHERE st."requestId" = r."id" AND r."email" = $1 AND (st."failedAttempts" >= $2 OR st."expiration" <= $3)`,
			email, m.cfg.MaxCodeAttempts, now); err != nil {
			return nil, fmt.Errorf("dropping an account request: %w", err)
		}
		return nil, m.recordFailure(s, attemptAccountCode, email, addr)
	}
	if err != nil {
		return nil, fmt.Errorf("reading an account request: %w", err)
	}
	m.checks.codes.Add(1)
	if !m.codes.Verify(codes.AccountVerification, email, code, r.code) {
		if r.attempts >= int64(m.cfg.MaxCodeAttempts) {
			if err := deleteAccountRequest(s, r.id); err != nil {
				return nil, err
			}
		}
		return nil, m.recordFailure(s, attemptAccountCode, email, addr)
	}
	user, err := m.createEmailUser(s, r.userName, email, r.hash)
	if err != nil || user == nil {
		return nil, err
	}
	if err := deleteAccountRequest(s, r.id); err != nil {
		return nil, err
	}
	if err := m.rememberAddress(s, email, addr); err != nil {
		return nil, err
	}
	return m.visibleToUser(user), nil
}

func deleteAccountRequest(c db.Conn, id int64) error {
	if _, err := c.Querier().Exec(c, `DELETE FROM "serverpod_email_create_request" WHERE "id" = $1`, id); err != nil {
		return fmt.Errorf("deleting an account request: %w", err)
	}
	return nil
}

// createEmailUser gives the address a password sign-in: a new user, or the
// existing user with that address (one who signed up with Google, say;
// the code proved the address is theirs). It returns nil when
// OnUserWillBeCreated refused.
func (m *Module) createEmailUser(s *pod.Session, userName, email, hash string) (*protocol.UserInfo, error) {
	user, err := m.FindUserByEmail(s, email)
	if err != nil {
		return nil, err
	}
	if user == nil {
		user, err = m.createUser(s, &protocol.UserInfo{
			UserIdentifier: email, UserName: &userName, Email: &email,
			Created: m.now().UTC(), ScopeNames: []string{},
		}, "email")
		if err != nil || user == nil {
			return nil, err
		}
	}
	tag, err := s.Querier().Exec(s, `INSERT INTO "serverpod_email_auth" ("userId", "email", "hash")
    SELECT $1::bigint, $2::text, $3::text WHERE NOT EXISTS (SELECT 1 FROM "serverpod_email_auth" WHERE "userId" = $1)
    ON CONFLICT ("email") DO NOTHING`, *user.ID, email, hash)
	if err != nil {
		return nil, fmt.Errorf("creating an email sign-in: %w", err)
	}
	if tag.RowsAffected() > 0 && user.ImageURL == nil && m.cfg.EnableUserImages.Enabled(true) {
		if err := m.setDefaultUserImage(s, user); err != nil {
			// The account exists; a missing image is no reason to fail.
			s.Log.Error("auth module: drawing a default user image", "userId", *user.ID, "error", err)
		}
	}
	m.forgetUser(s, *user.ID)
	return findUserByIDUncached(s, *user.ID)
}
