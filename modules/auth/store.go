package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/db"
)

// This file reads and writes the module's tables with SQL. The 2.4 tables
// keep 2.4's layout: camelCase quoted columns, timestamps without time zone
// holding UTC, List<String> as json.

const userColumns = `"id", "userIdentifier", "userName", "fullName", "email", "created", "imageUrl", "scopeNames", "blocked"`

func scanUser(row pgx.Row) (*protocol.UserInfo, error) {
	var u protocol.UserInfo
	var id int64
	var scopes []byte
	if err := row.Scan(&id, &u.UserIdentifier, &u.UserName, &u.FullName, &u.Email, &u.Created, &u.ImageURL, &scopes, &u.Blocked); err != nil {
		return nil, err
	}
	u.ID = &id
	u.Created = u.Created.UTC()
	var err error
	if u.ScopeNames, err = parseScopes(scopes); err != nil {
		return nil, fmt.Errorf("serverpod_user_info %d: %w", id, err)
	}
	return &u, nil
}

// queryUser returns the first user the query finds, nil for none.
func queryUser(c db.Conn, where string, args ...any) (*protocol.UserInfo, error) {
	u, err := scanUser(c.Querier().QueryRow(c, `SELECT `+userColumns+` FROM "serverpod_user_info" WHERE `+where+` ORDER BY "id" LIMIT 1`, args...))
	if err != nil {
		if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading serverpod_user_info: %w", err)
	}
	return u, nil
}

// parseScopes reads a scopeNames column, as scopesJSON writes it; the
// scopes are never nil.
func parseScopes(raw []byte) ([]string, error) {
	var scopes []string
	if err := json.Unmarshal(raw, &scopes); err != nil {
		return nil, fmt.Errorf("scopeNames: %w", err)
	}
	if scopes == nil {
		scopes = []string{}
	}
	return scopes, nil
}

func scopesJSON(scopes []string) []byte {
	if scopes == nil {
		scopes = []string{}
	}
	b, _ := json.Marshal(scopes) // strings always marshal
	return b
}

// insertUser writes u and sets its id.
func insertUser(c db.Conn, u *protocol.UserInfo) error {
	var id int64
	err := c.Querier().QueryRow(c, `INSERT INTO "serverpod_user_info"
    ("userIdentifier", "userName", "fullName", "email", "created", "imageUrl", "scopeNames", "blocked")
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING "id"`,
		u.UserIdentifier, u.UserName, u.FullName, u.Email, u.Created.UTC(), u.ImageURL, scopesJSON(u.ScopeNames), u.Blocked).Scan(&id)
	if err != nil {
		return fmt.Errorf("creating a user: %w", db.Wrap(err))
	}
	u.ID = &id
	return nil
}

// emailAuth is a row of serverpod_email_auth.
type emailAuth struct {
	id     int64
	userID int64
	email  string
	hash   string
}

func emailAuthQuery(where string) string {
	return `SELECT "id", "userId", "email", "hash" FROM "serverpod_email_auth" WHERE ` + where + ` ORDER BY "id" LIMIT 1`
}

func findEmailAuth(c db.Conn, where string, arg any) (*emailAuth, error) {
	return scanEmailAuth(c.Querier().QueryRow(c, emailAuthQuery(where), arg))
}

// scanEmailAuth reads a row of emailAuthQuery, nil for none.
func scanEmailAuth(row pgx.Row) (*emailAuth, error) {
	var a emailAuth
	if err := row.Scan(&a.id, &a.userID, &a.email, &a.hash); err != nil {
		if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading serverpod_email_auth: %w", err)
	}
	return &a, nil
}

// updateEmailAuthHash sets a new password's hash for e, under the
// exclusive lock on the user's sign-ins (keys.go): a sign-in with the old
// password that is under way either issues its key before, for the
// caller to sign out, or sees the new hash.
func updateEmailAuthHash(c db.Conn, e *emailAuth, hash string) error {
	if _, err := execLockingUser(c, e.userID, `UPDATE "serverpod_email_auth" SET "hash" = $2 WHERE "id" = $1`, e.id, hash); err != nil {
		return fmt.Errorf("updating a password hash: %w", err)
	}
	return nil
}

// replaceEmailAuthHash stores hash in place of e's, and reports false when
// the stored hash is no longer e's. With newPassword it does so under the
// exclusive lock on the user's sign-ins, as updateEmailAuthHash does; an
// upgraded hash of the same password needs no lock, and sign-ins do not
// wait for each other's upgrades.
func replaceEmailAuthHash(c db.Conn, e *emailAuth, hash string, newPassword bool) (bool, error) {
	const replace = `UPDATE "serverpod_email_auth" SET "hash" = $3 WHERE "id" = $1 AND "hash" = $2`
	var tag pgconn.CommandTag
	var err error
	if newPassword {
		tag, err = execLockingUser(c, e.userID, replace, e.id, e.hash, hash)
	} else {
		tag, err = c.Querier().Exec(c, replace, e.id, e.hash, hash)
	}
	if err != nil {
		return false, fmt.Errorf("updating a password hash: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// cachedKey is what the authentication handler needs of an auth key.
type cachedKey struct {
	userID int64
	hash   string
	scopes []string
	authID string
	// created is when the key was issued or first seen; zero when key
	// expiry is off and gopod has no record.
	created time.Time
}

// loadKey reads an auth key with gopod's record of it, nil when there is
// no such key.
func loadKey(c db.Conn, id int64) (*cachedKey, error) {
	var k cachedKey
	var scopes []byte
	var created *time.Time
	err := c.Querier().QueryRow(c, `SELECT k."userId", k."hash", k."scopeNames", s."created"
    FROM "serverpod_auth_key" k LEFT JOIN "gopod_auth_key_state" s ON s."authKeyId" = k."id"
    WHERE k."id" = $1`, id).Scan(&k.userID, &k.hash, &scopes, &created)
	if err != nil {
		if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading serverpod_auth_key: %w", err)
	}
	if k.scopes, err = parseScopes(scopes); err != nil {
		return nil, fmt.Errorf("serverpod_auth_key %d: %w", id, err)
	}
	if created != nil {
		k.created = created.UTC()
	}
	return &k, nil
}

// recordKeyState notes when gopod first saw a key (keys 2.4 issued have no
// record), keeping an earlier record.
func recordKeyState(c db.Conn, keyID int64, created time.Time) (time.Time, error) {
	var at time.Time
	err := c.Querier().QueryRow(c, `INSERT INTO "gopod_auth_key_state" ("authKeyId", "created") VALUES ($1, $2)
    ON CONFLICT ("authKeyId") DO UPDATE SET "created" = "gopod_auth_key_state"."created"
    RETURNING "created"`, keyID, created.UTC()).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("recording auth key %d: %w", keyID, db.Wrap(err))
	}
	return at.UTC(), nil
}

// deleteKeys deletes auth keys and returns the ids deleted.
func deleteKeys(c db.Conn, where string, args ...any) ([]int64, error) {
	rows, err := c.Querier().Query(c, `DELETE FROM "serverpod_auth_key" WHERE `+where+` RETURNING "id"`, args...)
	if err != nil {
		return nil, fmt.Errorf("deleting auth keys: %w", db.Wrap(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("deleting auth keys: %w", db.Wrap(err))
	}
	return ids, nil
}
