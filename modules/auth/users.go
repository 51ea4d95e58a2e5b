package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

// maxNameLength bounds user names and full names, in characters: 2.4 had
// no bound, so a client could store megabytes in a name that every user
// list then carries.
const maxNameLength = 256

// Errors of the user administration. Those of BlockUser and UnblockUser
// also carry a *protocol.AdminException, which the admin endpoint answers
// with (status 400).
var (
	// ErrUserNotFound is returned for a user id with no user.
	ErrUserNotFound = errors.New("auth: no such user")
	// ErrAlreadyBlocked is returned by BlockUser for a blocked user.
	ErrAlreadyBlocked = errors.New("auth: the user is already blocked")
	// ErrNotBlocked is returned by UnblockUser for a user not blocked.
	ErrNotBlocked = errors.New("auth: the user is not blocked")
)

// adminError is sentinel for Go callers and an AdminException for the
// endpoint's client.
func adminError(sentinel error, reason protocol.AdminExceptionReason, userID int64) error {
	return fmt.Errorf("%w (user %d)%w", sentinel, userID, &protocol.AdminException{Reason: reason, UserID: userID})
}

// FindUserByID returns the user with the given id, nil when there is none.
// It answers from this server's cache when it can (for at most
// UserInfoCacheLifetime); the result must not be modified.
func (m *Module) FindUserByID(c db.Conn, id int64) (*protocol.UserInfo, error) {
	if u, ok := m.users.get(id, m.now()); ok {
		return u, nil
	}
	gen := m.users.generation()
	u, err := queryUser(c, `"id" = $1`, id)
	if err != nil || u == nil {
		return u, err
	}
	m.users.put(id, u, gen, m.now(), m.cfg.UserInfoCacheLifetime)
	return u, nil
}

// findUserByIDUncached reads the user from the database.
func findUserByIDUncached(c db.Conn, id int64) (*protocol.UserInfo, error) {
	return queryUser(c, `"id" = $1`, id)
}

// FindUserByEmail returns the first user with the email address (which is
// compared in lower case), nil when there is none.
func (m *Module) FindUserByEmail(c db.Conn, email string) (*protocol.UserInfo, error) {
	return queryUser(c, `"email" = $1`, normalizeEmail(email))
}

// FindUserByIdentifier returns the user with the sign-in method's
// identifier, nil when there is none.
func (m *Module) FindUserByIdentifier(c db.Conn, identifier string) (*protocol.UserInfo, error) {
	return queryUser(c, `"userIdentifier" = $1`, identifier)
}

// forgetUser drops the user from every server's cache.
func (m *Module) forgetUser(ctx context.Context, id int64) {
	m.announce(ctx, revocation{User: id})
}

// createUser asks OnUserWillBeCreated, then inserts u and calls
// OnUserCreated. It returns nil when the hook refused. When another call
// created a user with the same identifier meanwhile, that user is
// returned.
func (m *Module) createUser(s *pod.Session, u *protocol.UserInfo, method string) (*protocol.UserInfo, error) {
	if hook := m.cfg.OnUserWillBeCreated; hook != nil {
		ok, err := hook(s, u, method)
		if err != nil {
			return nil, fmt.Errorf("onUserWillBeCreated: %w", err)
		}
		if !ok {
			return nil, nil
		}
	}
	if u.ScopeNames == nil {
		u.ScopeNames = []string{}
	}
	if err := insertUser(s, u); err != nil {
		if errors.Is(err, db.ErrUniqueViolation) {
			return m.FindUserByIdentifier(s, u.UserIdentifier)
		}
		return nil, err
	}
	if hook := m.cfg.OnUserCreated; hook != nil {
		hook(s, u)
	}
	return u, nil
}

// userUpdated forgets the cached user and tells OnUserUpdated.
func (m *Module) userUpdated(s *pod.Session, id int64) error {
	m.forgetUser(s, id)
	if m.cfg.OnUserUpdated == nil {
		return nil
	}
	u, err := findUserByIDUncached(s, id)
	if err != nil || u == nil {
		return err
	}
	m.cfg.OnUserUpdated(s, u)
	return nil
}

// visibleToUser is the user as the user may see themselves: without the
// user name or full name when UserCanSee* is off. u itself is unchanged.
func (m *Module) visibleToUser(u *protocol.UserInfo) *protocol.UserInfo {
	if u == nil {
		return nil
	}
	seeName, seeFull := m.cfg.UserCanSeeUserName.Enabled(true), m.cfg.UserCanSeeFullName.Enabled(true)
	if seeName && seeFull {
		return u
	}
	c := *u
	if !seeName {
		c.UserName = nil
	}
	if !seeFull {
		c.FullName = nil
	}
	return &c
}

// cleanName trims a user name or full name and checks its length; "" means
// it cannot be used.
func cleanName(name string) string {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxNameLength {
		return ""
	}
	return name
}

// providerName trims a name an identity provider or its client gave and
// cuts it to maxNameLength characters: a sign-in should not fail over a
// long name, nor store one.
func providerName(name string) string {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) <= maxNameLength {
		return name
	}
	return strings.TrimSpace(string([]rune(name)[:maxNameLength]))
}

// ChangeUserName sets the user's name. It reports false for a name that is
// empty after trimming or too long.
func (m *Module) ChangeUserName(s *pod.Session, userID int64, userName string) (bool, error) {
	if err := m.init(s); err != nil {
		return false, err
	}
	return m.changeName(s, userID, "userName", userName)
}

// ChangeFullName sets the user's full name, as ChangeUserName does.
func (m *Module) ChangeFullName(s *pod.Session, userID int64, fullName string) (bool, error) {
	if err := m.init(s); err != nil {
		return false, err
	}
	return m.changeName(s, userID, "fullName", fullName)
}

func (m *Module) changeName(s *pod.Session, userID int64, column, value string) (bool, error) {
	value = cleanName(value)
	if value == "" {
		return false, nil
	}
	tag, err := s.Querier().Exec(s, `UPDATE "serverpod_user_info" SET "`+column+`" = $2 WHERE "id" = $1`, userID, value)
	if err != nil {
		return false, fmt.Errorf("changing %s of user %d: %w", column, userID, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	return true, m.userUpdated(s, userID)
}

// UpdateUserScopes replaces the user's scopes and those of their auth
// keys, so that removed scopes are gone from the next call on.
func (m *Module) UpdateUserScopes(s *pod.Session, userID int64, scopes []string) error {
	if err := m.init(s); err != nil {
		return err
	}
	err := db.Transaction(s, func(tx *db.Tx) error {
		// Under the exclusive lock on the user's sign-ins: those under
		// way issue their keys before the updates read them, or wait and
		// take the new scopes.
		tag, err := execLockingUser(tx, userID, `UPDATE "serverpod_user_info" SET "scopeNames" = $2 WHERE "id" = $1`, userID, scopesJSON(scopes))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrUserNotFound
		}
		_, err = tx.Querier().Exec(tx, `UPDATE "serverpod_auth_key" SET "scopeNames" = $2 WHERE "userId" = $1`, userID, scopesJSON(scopes))
		return err
	})
	if err != nil {
		return fmt.Errorf("updating the scopes of user %d: %w", userID, err)
	}
	m.announce(s, revocation{KeysOf: userID})
	return m.userUpdated(s, userID)
}

// BlockUser blocks the user and signs them out everywhere. It fails for an
// unknown user (ErrUserNotFound) or one already blocked
// (ErrAlreadyBlocked), as 2.4 does.
func (m *Module) BlockUser(s *pod.Session, userID int64) error {
	if err := m.init(s); err != nil {
		return err
	}
	if err := m.setBlocked(s, userID, true); err != nil {
		return err
	}
	return m.SignOutUser(s, userID)
}

// UnblockUser lifts a block. It fails for an unknown user
// (ErrUserNotFound) or one not blocked (ErrNotBlocked), as 2.4 does.
func (m *Module) UnblockUser(s *pod.Session, userID int64) error {
	if err := m.init(s); err != nil {
		return err
	}
	return m.setBlocked(s, userID, false)
}

func (m *Module) setBlocked(s *pod.Session, userID int64, blocked bool) error {
	u, err := findUserByIDUncached(s, userID)
	if err != nil {
		return err
	}
	if u == nil {
		return adminError(ErrUserNotFound, protocol.AdminExceptionReasonUserNotFound, userID)
	}
	if u.Blocked == blocked {
		if blocked {
			return adminError(ErrAlreadyBlocked, protocol.AdminExceptionReasonAlreadyBlocked, userID)
		}
		return adminError(ErrNotBlocked, protocol.AdminExceptionReasonNotBlocked, userID)
	}
	// Under the exclusive lock on the user's sign-ins: one under way
	// issues its key before the block, for BlockUser to sign out, or sees
	// it.
	if _, err := execLockingUser(s, userID, `UPDATE "serverpod_user_info" SET "blocked" = $2 WHERE "id" = $1`, userID, blocked); err != nil {
		return fmt.Errorf("blocking user %d: %w", userID, err)
	}
	return m.userUpdated(s, userID)
}
