package auth

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gopod/gopod/modules/auth/internal/authkey"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

// AuthenticationHandler resolves the key a client sent ("<keyId>:<key>",
// unwrapped from its Basic authorization header by the runtime) to the
// signed-in user, as 2.4's authenticationHandler does, and also refuses
// keys of blocked users and, when AuthKeyLifetime is set, expired keys.
// The key is compared in constant time with the hash 2.4 stores. Keys and
// users are cached for UserInfoCacheLifetime; sign-outs and blocks take
// effect at once on this server, and on every server sharing its Redis.
func (m *Module) AuthenticationHandler(s *pod.Session, raw string) (*pod.AuthenticationInfo, error) {
	if err := m.init(s); err != nil {
		return nil, err
	}
	key, err := authkey.Parse(raw)
	if err != nil {
		return nil, nil
	}
	k, err := m.key(s, key.ID)
	if err != nil || k == nil {
		return nil, err
	}
	if !authkey.Check(m.keySalt, key.Secret, k.hash) {
		return nil, nil
	}
	if m.expired(k) {
		// Not RevokeAuthKey: it asks the session who is signed in, which
		// would run this handler again.
		return nil, m.revokeKey(s, key.ID)
	}
	u, err := m.FindUserByID(s, k.userID)
	if err != nil {
		return nil, fmt.Errorf("auth key %d: %w", key.ID, err)
	}
	if u == nil || u.Blocked {
		return nil, nil
	}
	return &pod.AuthenticationInfo{UserID: k.userID, Scopes: k.scopes, AuthID: k.authID}, nil
}

// key returns an auth key from the cache or the database, nil when there is
// no such key.
func (m *Module) key(c db.Conn, id int64) (*cachedKey, error) {
	if k, ok := m.keys.get(id, m.now()); ok {
		return k, nil
	}
	gen := m.keys.generation()
	k, err := loadKey(c, id)
	if err != nil || k == nil {
		return nil, err
	}
	k.authID = strconv.FormatInt(id, 10)
	if m.cfg.AuthKeyLifetime > 0 && k.created.IsZero() {
		if k.created, err = recordKeyState(c, id, m.now()); err != nil {
			return nil, err
		}
	}
	m.keys.put(id, k, gen, m.now(), m.cfg.UserInfoCacheLifetime)
	return k, nil
}

func (m *Module) expired(k *cachedKey) bool {
	return m.cfg.AuthKeyLifetime > 0 && !m.now().Before(k.created.Add(m.cfg.AuthKeyLifetime))
}

// SignInUser issues a new auth key for the user, as 2.4's
// UserAuthentication.signInUser does, and makes the session signed in with
// it. method names the sign-in method (email, google, ...). The returned
// key carries the secret in Key; only its hash is stored.
func (m *Module) SignInUser(s *pod.Session, userID int64, method string, scopes []string) (*protocol.AuthKey, error) {
	if err := m.init(s); err != nil {
		return nil, err
	}
	secret, hash, err := authkey.Issue(m.keySalt)
	if err != nil {
		return nil, err
	}
	if scopes == nil {
		scopes = []string{}
	}
	now := m.now().UTC()
	var id int64
	// One statement, so atomic without a transaction's two round trips.
	err = s.Querier().QueryRow(s, `WITH k AS (
    INSERT INTO "serverpod_auth_key" ("userId", "hash", "scopeNames", "method") VALUES ($1, $2, $3, $4) RETURNING "id"
)
INSERT INTO "gopod_auth_key_state" ("authKeyId", "created") SELECT "id", $5 FROM k RETURNING "authKeyId"`,
		userID, hash, scopesJSON(scopes), method, now).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("signing in user %d: %w", userID, db.Wrap(err))
	}
	return m.keyIssued(s, id, userID, method, secret, hash, scopes, now), nil
}

// passwordGuard names the password hash a sign-in checked.
type passwordGuard struct {
	emailAuthID int64
	hash        string
}

// How a sign-in and the changes it must not straddle exclude each other
//
// A sign-in checks a password (or a third-party token) and then issues a
// key; a password reset or change, a scope change or a block may come in
// between. The key must then either be issued from what was stored before
// the change and be dealt with by it (signed out, its scopes replaced),
// or be issued from what the change stored. So every sign-in holds a
// shared transaction-scoped advisory lock on its user from before it
// reads the user and the password hash until its key is committed, and
// each such change takes the same lock exclusively before it writes:
// the change waits for the sign-ins in flight, and sign-ins that come
// later wait for the change, while sign-ins of one user do not wait for
// each other. Row share locks (FOR SHARE) on the user's rows did the
// same, but PostgreSQL records them in the rows: each sign-in wrote the
// rows' xmax, and concurrent sign-ins of one account made it create a
// MultiXact. An advisory lock lives in the lock table only.
//
// The lock is taken in a statement of its own, ahead of the statements
// it guards, in one batch (one round trip, one implicit transaction, see
// db.SendBatch): under READ COMMITTED a statement reads as of its start,
// so only a statement that starts after the lock is granted sees what the
// holder before committed.

// userLockSpace is the first key of the user locks. They use PostgreSQL's
// two-int4-key advisory locks, a key space apart from the one-bigint-key
// locks the attempt limits (lockSQL) and the migrations take; this first
// key keeps them apart from other users of the two-key form.
const userLockSpace int32 = 0x67617531 // "gau1"

// Transaction-scoped locks on a user's sign-ins, $1 userLockSpace and $2
// userLockID.
const (
	lockUserSharedSQL = `SELECT pg_advisory_xact_lock_shared($1::int4, $2::int4)`
	lockUserSQL       = `SELECT pg_advisory_xact_lock($1::int4, $2::int4)`
)

// userLockID is the second key of userID's lock: its low 32 bits. Users
// whose ids share them share a lock, which only makes one of them wait.
func userLockID(userID int64) int32 { return int32(userID) }

// execLockingUser runs a statement that changes what a sign-in of userID
// reads under the exclusive lock on the user's sign-ins, in one round
// trip, and returns its command tag.
func execLockingUser(c db.Conn, userID int64, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := sendLockingUser(c, lockUserSQL, userID, func(r pgx.BatchResults) error {
		var err error
		tag, err = r.Exec()
		return err
	}, sql, args...)
	return tag, err
}

// sendLockingUser sends lockSQL (lockUserSQL or lockUserSharedSQL) on
// userID's sign-ins and then sql, in one batch (see above), and reads the
// result of sql with read.
func sendLockingUser(c db.Conn, lockSQL string, userID int64, read func(pgx.BatchResults) error, sql string, args ...any) error {
	b := &pgx.Batch{}
	b.Queue(lockSQL, userLockSpace, userLockID(userID))
	b.Queue(sql, args...)
	return db.SendBatch(c, b, func(r pgx.BatchResults) error {
		if _, err := r.Exec(); err != nil {
			return fmt.Errorf("locking the sign-ins of user %d: %w", userID, err)
		}
		return read(r)
	})
}

// signInAsStored issues a key for a sign-in method of the module with
// what is stored at that moment, under the shared lock on the user's
// sign-ins (see above): the key gets the user's scopes as they are then,
// and is not issued (nil) for a user blocked meanwhile or, with a guard,
// when the email sign-in no longer has the hash the password was checked
// against. A change to the user or the password made while the sign-in
// was under way thus either comes first and is seen, or waits and then
// applies to the key with the user's others (a scope change, a sign-out):
// a removed scope or a replaced password does not live on in a key issued
// from what was read before.
func (m *Module) signInAsStored(s *pod.Session, userID int64, method string, guard *passwordGuard) (*protocol.AuthKey, error) {
	secret, hash, err := authkey.Issue(m.keySalt)
	if err != nil {
		return nil, err
	}
	now := m.now().UTC()
	pwID, pwHash, pwCheck := int64(0), "", false
	if guard != nil {
		pwID, pwHash, pwCheck = guard.emailAuthID, guard.hash, true
	}
	var id int64
	var raw []byte
	err = sendLockingUser(s, lockUserSharedSQL, userID, func(r pgx.BatchResults) error {
		return r.QueryRow().Scan(&id, &raw)
	}, `WITH u AS (
    SELECT "scopeNames" FROM "serverpod_user_info" WHERE "id" = $1 AND NOT "blocked"
), k AS (
    INSERT INTO "serverpod_auth_key" ("userId", "hash", "scopeNames", "method")
    SELECT $1::bigint, $2::text, u."scopeNames", $3::text FROM u
    WHERE NOT $5 OR EXISTS (SELECT 1 FROM "serverpod_email_auth" WHERE "id" = $6 AND "hash" = $7)
    RETURNING "id", "scopeNames"
), st AS (
    INSERT INTO "gopod_auth_key_state" ("authKeyId", "created") SELECT "id", $4 FROM k RETURNING "authKeyId"
)
SELECT k."id", k."scopeNames" FROM k JOIN st ON st."authKeyId" = k."id"`,
		userID, hash, method, now, pwCheck, pwID, pwHash)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("signing in user %d: %w", userID, err)
	}
	scopes, err := parseScopes(raw)
	if err != nil {
		return nil, fmt.Errorf("auth key %d: %w", id, err)
	}
	return m.keyIssued(s, id, userID, method, secret, hash, scopes, now), nil
}

// keyIssued caches a key just issued, makes the session signed in with
// it, and returns it with its secret.
func (m *Module) keyIssued(s *pod.Session, id, userID int64, method, secret, hash string, scopes []string, now time.Time) *protocol.AuthKey {
	authID := strconv.FormatInt(id, 10)
	m.keys.put(id, &cachedKey{userID: userID, hash: hash, scopes: scopes, authID: authID, created: now},
		m.keys.generation(), m.now(), m.cfg.UserInfoCacheLifetime)
	s.SetAuthenticated(&pod.AuthenticationInfo{UserID: userID, Scopes: scopes, AuthID: authID})
	return &protocol.AuthKey{ID: &id, UserID: userID, Hash: hash, Key: &secret, ScopeNames: scopes, Method: method}
}

// RevokeAuthKey deletes one auth key (signs one device out). When the
// session was authenticated with it, the session is signed out too.
func (m *Module) RevokeAuthKey(s *pod.Session, keyID int64) error {
	if err := m.init(s); err != nil {
		return err
	}
	if err := m.revokeKey(s, keyID); err != nil {
		return err
	}
	if info, _ := s.Authenticated(); info != nil && info.AuthID == strconv.FormatInt(keyID, 10) {
		s.SetAuthenticated(nil)
	}
	return nil
}

func (m *Module) revokeKey(c db.Conn, keyID int64) error {
	if _, err := deleteKeys(c, `"id" = $1`, keyID); err != nil {
		return err
	}
	m.announce(c, revocation{KeyIDs: []int64{keyID}})
	return nil
}

// SignOutUser deletes every auth key of the user (signs them out on all
// devices). When the session belongs to the user, it is signed out too.
func (m *Module) SignOutUser(s *pod.Session, userID int64) error {
	if err := m.init(s); err != nil {
		return err
	}
	if _, err := deleteKeys(s, `"userId" = $1`, userID); err != nil {
		return err
	}
	m.announce(s, revocation{KeysOf: userID})
	if id, ok := s.UserID(); ok && id == userID {
		s.SetAuthenticated(nil)
	}
	return nil
}

// signOutOtherDevices deletes the user's keys except the one the session
// uses.
func (m *Module) signOutOtherDevices(s *pod.Session, userID int64) error {
	info, _ := s.Authenticated()
	if info == nil || info.UserID != userID {
		return m.SignOutUser(s, userID)
	}
	keep, err := authkey.ParseID(info.AuthID)
	if err != nil {
		return m.SignOutUser(s, userID)
	}
	ids, err := deleteKeys(s, `"userId" = $1 AND "id" <> $2`, userID, keep)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		m.announce(s, revocation{KeyIDs: ids})
	}
	return nil
}
