package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

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
// Failed attempts are counted per address and per client address; an
// unknown address is answered like a wrong password, in about the same
// time.
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

// signedIn issues a key for user and builds the success answer.
func (m *Module) signedIn(s *pod.Session, user *protocol.UserInfo, method string) (protocol.AuthenticationResponse, error) {
	key, err := m.SignInUser(s, *user.ID, method, user.ScopeNames)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	return protocol.AuthenticationResponse{Success: true, Key: key.Key, KeyID: key.ID, UserInfo: m.visibleToUser(user)}, nil
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
	email = normalizeEmail(email)
	ip := clientIP(s)
	locked, err := m.signInLocked(s, email, ip)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if locked {
		return failure(protocol.AuthenticationFailReasonTooManyFailedAttempts), nil
	}
	entry, err := findEmailAuth(s, `"email" = $1`, email)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	ok := false
	if entry == nil {
		m.hasher.VerifyAbsent(s, pw)
	} else if ok, err = m.verifyPassword(s, pw, entry.email, entry.hash); err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if !ok {
		if err := m.recordFailedSignIn(s, email, ip); err != nil {
			return protocol.AuthenticationResponse{}, err
		}
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	if !m.customHashing() && m.hasher.NeedsRehash(entry.hash) {
		// The user proved the password: store it in the current form.
		// Failure is no reason to refuse the sign-in.
		if h, err := m.hasher.Hash(s, pw); err != nil {
			s.Log.Warn("auth module: rehashing a password", "error", err)
		} else if err := updateEmailAuthHash(s, entry.id, h); err != nil {
			s.Log.Warn("auth module: storing a rehashed password", "error", err)
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
		return failure(protocol.AuthenticationFailReasonBlocked), nil
	}
	if err := m.clearFailedSignIns(s, email); err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	return m.signedIn(s, user, "email")
}

func (m *Module) changePassword(s *pod.Session, oldPassword, newPassword string) (bool, error) {
	userID, ok := s.UserID()
	if !ok {
		return false, nil
	}
	subject, ip := strconv.FormatInt(userID, 10), clientIP(s)
	if locked, err := m.tooManyAttempts(s, attemptChangePassword, subject, ip); err != nil || locked {
		return false, err
	}
	entry, err := findEmailAuth(s, `"userId" = $1`, userID)
	if err != nil || entry == nil {
		return false, err
	}
	if m.policy().Check(newPassword) != nil {
		return false, nil
	}
	ok, err = m.verifyPassword(s, oldPassword, entry.email, entry.hash)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, m.recordAttempt(s, attemptChangePassword, subject, ip)
	}
	hash, err := m.hashPassword(s, newPassword)
	if err != nil {
		return false, err
	}
	if err := updateEmailAuthHash(s, entry.id, hash); err != nil {
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

func (m *Module) initiatePasswordReset(s *pod.Session, email string) (bool, error) {
	send := m.cfg.SendPasswordResetEmail
	if send == nil {
		return false, nil
	}
	email, ip := normalizeEmail(email), clientIP(s)
	if locked, err := m.tooManyAttempts(s, attemptResetRequest, email, ip); err != nil || locked {
		return false, err
	}
	user, err := m.FindUserByEmail(s, email)
	if err != nil {
		return false, err
	}
	if user == nil {
		return m.conceal(), m.recordAttempt(s, attemptResetRequest, email, ip)
	}
	// A user without an email sign-in could not use the code.
	entry, err := findEmailAuth(s, `"userId" = $1`, *user.ID)
	if err != nil {
		return false, err
	}
	if entry == nil {
		return m.conceal(), m.recordAttempt(s, attemptResetRequest, email, ip)
	}
	code, err := codes.Generate(m.cfg.ValidationCodeLength)
	if err != nil {
		return false, err
	}
	err = db.Transaction(s, func(tx *db.Tx) error {
		// Only the newest code is valid: fewer live codes to guess.
		if _, err := tx.Querier().Exec(tx, `DELETE FROM "serverpod_email_reset" WHERE "userId" = $1`, *user.ID); err != nil {
			return err
		}
		_, err := tx.Querier().Exec(tx, `INSERT INTO "serverpod_email_reset" ("userId", "verificationCode", "expiration") VALUES ($1, $2, $3)`,
			*user.ID, m.codes.Hash(codes.PasswordReset, "", code), m.now().Add(m.cfg.PasswordResetExpirationTime).UTC())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("storing a password reset: %w", err)
	}
	if err := m.recordAttempt(s, attemptResetRequest, email, ip); err != nil {
		return false, err
	}
	if err := send(s, user, code); err != nil {
		s.Log.Error("auth module: sending a password reset email failed", "userId", *user.ID, "error", err)
		return false, nil
	}
	return true, nil
}

func (m *Module) resetPassword(s *pod.Session, code, pw string) (bool, error) {
	ip := clientIP(s)
	if locked, err := m.tooManyAttempts(s, attemptResetCode, "", ip); err != nil || locked {
		return false, err
	}
	if m.policy().Check(pw) != nil {
		return false, nil
	}
	// 2.4 stored codes in plain text; such rows match the code itself.
	var userID int64
	var expiration time.Time
	err := s.Querier().QueryRow(s, `DELETE FROM "serverpod_email_reset" WHERE "verificationCode" = ANY($1)
    RETURNING "userId", "expiration"`, []string{m.codes.Hash(codes.PasswordReset, "", code), code}).Scan(&userID, &expiration)
	if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
		return false, m.recordAttempt(s, attemptResetCode, "", ip)
	}
	if err != nil {
		return false, fmt.Errorf("reading a password reset: %w", err)
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
	if err := updateEmailAuthHash(s, entry.id, hash); err != nil {
		return false, err
	}
	if m.cfg.SignOutOtherDevicesOnPasswordChange.Enabled(true) {
		if err := m.SignOutUser(s, userID); err != nil {
			return false, err
		}
	}
	return true, m.clearFailedSignIns(s, entry.email)
}

func (m *Module) createAccountRequest(s *pod.Session, userName, email, pw string) (bool, error) {
	send := m.cfg.SendValidationEmail
	if send == nil {
		return false, nil
	}
	email, userName = normalizeEmail(email), cleanName(userName)
	if !validEmail(email) || userName == "" || m.policy().Check(pw) != nil {
		return false, nil
	}
	ip := clientIP(s)
	if locked, err := m.tooManyAttempts(s, attemptAccountRequest, email, ip); err != nil || locked {
		return false, err
	}
	taken, err := m.emailTaken(s, email)
	if err != nil {
		return false, err
	}
	if taken {
		return m.conceal(), m.recordAttempt(s, attemptAccountRequest, email, ip)
	}
	code, err := codes.Generate(m.cfg.ValidationCodeLength)
	if err != nil {
		return false, err
	}
	hash, err := m.hashPassword(s, pw)
	if err != nil {
		return false, err
	}
	err = db.Transaction(s, func(tx *db.Tx) error {
		// A repeated request replaces the earlier one whole, password
		// included (2.4 kept the first password).
		var id int64
		err := tx.Querier().QueryRow(tx, `INSERT INTO "serverpod_email_create_request" ("userName", "email", "hash", "verificationCode")
    VALUES ($1, $2, $3, $4) ON CONFLICT ("email") DO UPDATE
    SET "userName" = EXCLUDED."userName", "hash" = EXCLUDED."hash", "verificationCode" = EXCLUDED."verificationCode"
    RETURNING "id"`, userName, email, hash, m.codes.Hash(codes.AccountVerification, email, code)).Scan(&id)
		if err != nil {
			return err
		}
		_, err = tx.Querier().Exec(tx, `INSERT INTO "gopod_auth_request_state" ("requestId", "expiration", "failedAttempts") VALUES ($1, $2, 0)
    ON CONFLICT ("requestId") DO UPDATE SET "expiration" = EXCLUDED."expiration", "failedAttempts" = 0`,
			id, m.now().Add(m.cfg.AccountRequestExpirationTime).UTC())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("storing an account request: %w", err)
	}
	if err := m.recordAttempt(s, attemptAccountRequest, email, ip); err != nil {
		return false, err
	}
	if err := send(s, email, code); err != nil {
		s.Log.Error("auth module: sending a validation email failed", "email", email, "error", err)
		return false, nil
	}
	return true, nil
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

// accountRequest is a row of serverpod_email_create_request with gopod's
// state of it.
type accountRequest struct {
	id             int64
	userName, hash string
	code           string
	expiration     *time.Time
	failedAttempts *int64
}

func (m *Module) createAccount(s *pod.Session, email, code string) (*protocol.UserInfo, error) {
	email, ip := normalizeEmail(email), clientIP(s)
	if locked, err := m.tooManyAttempts(s, attemptAccountCode, "", ip); err != nil || locked {
		return nil, err
	}
	var r accountRequest
	err := s.Querier().QueryRow(s, `SELECT r."id", r."userName", r."hash", r."verificationCode", st."expiration", st."failedAttempts"
    FROM "serverpod_email_create_request" r LEFT JOIN "gopod_auth_request_state" st ON st."requestId" = r."id"
    WHERE r."email" = $1`, email).Scan(&r.id, &r.userName, &r.hash, &r.code, &r.expiration, &r.failedAttempts)
	if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
		return nil, m.recordAttempt(s, attemptAccountCode, "", ip)
	}
	if err != nil {
		return nil, fmt.Errorf("reading an account request: %w", err)
	}
	if r.expiration == nil {
		// Written by 2.4, which had no expiry: it expires from now on.
		exp := m.now().Add(m.cfg.AccountRequestExpirationTime).UTC()
		r.expiration, r.failedAttempts = &exp, new(int64)
		if _, err := s.Querier().Exec(s, `INSERT INTO "gopod_auth_request_state" ("requestId", "expiration", "failedAttempts") VALUES ($1, $2, 0)
    ON CONFLICT ("requestId") DO NOTHING`, r.id, exp); err != nil {
			return nil, fmt.Errorf("recording an account request: %w", err)
		}
	}
	if !m.now().Before(*r.expiration) || *r.failedAttempts >= int64(m.cfg.MaxCodeAttempts) {
		return nil, deleteAccountRequest(s, r.id)
	}
	if !m.codes.Verify(codes.AccountVerification, email, code, r.code) {
		var n int64
		err := s.Querier().QueryRow(s, `UPDATE "gopod_auth_request_state" SET "failedAttempts" = "failedAttempts" + 1
    WHERE "requestId" = $1 RETURNING "failedAttempts"`, r.id).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("counting a wrong code: %w", db.Wrap(err))
		}
		if n >= int64(m.cfg.MaxCodeAttempts) {
			if err := deleteAccountRequest(s, r.id); err != nil {
				return nil, err
			}
		}
		return nil, m.recordAttempt(s, attemptAccountCode, "", ip)
	}
	user, err := m.createEmailUser(s, r.userName, email, r.hash)
	if err != nil || user == nil {
		return nil, err
	}
	if err := deleteAccountRequest(s, r.id); err != nil {
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
