package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
	"github.com/gopod/gopod/runtime/db"
)

// envHoldingACheck is a module whose password hashes are plain text and
// whose next password check, once hold is set, closes started and waits
// for release: a test can act between a password's check and its use.
func envHoldingACheck(t *testing.T) (e *env, hold *atomic.Bool, started, release chan struct{}) {
	hold = new(atomic.Bool)
	started, release = make(chan struct{}), make(chan struct{})
	e = newEnv(t, func(c *auth.Config) {
		c.PasswordHashGenerator = func(_ context.Context, pw string) (string, error) { return "plain:" + pw, nil }
		c.PasswordHashValidator = func(ctx context.Context, pw, _, hash string) (bool, error) {
			ok := hash == "plain:"+pw
			if hold.CompareAndSwap(true, false) {
				close(started)
				<-release
			}
			return ok, nil
		}
	})
	return e, hold, started, release
}

// TestSignInRacingPasswordChange replays a sign-in with the old password
// that was in flight while the password was reset: whoever knows the old
// password (the reason for the reset) signs in in a loop, and one sign-in
// is always between its password check and its key. That sign-in must not
// come out with a key that outlives the reset.
func TestSignInRacingPasswordChange(t *testing.T) {
	e, hold, started, release := envHoldingACheck(t)
	email := newEmail("racing")
	e.signUp(e.client(), "r", email, "old-password")
	owner := e.client()
	if ok, err := owner.Email.InitiatePasswordReset(ctx, email); err != nil || !ok {
		t.Fatalf("initiatePasswordReset = %v, %v", ok, err)
	}

	hold.Store(true)
	result := make(chan authclient.AuthenticationResponse, 1)
	go func() {
		r, err := e.clientAt(loopbackIP()).Email.Authenticate(ctx, email, "old-password")
		if err != nil {
			t.Errorf("racing sign-in: %v", err)
		}
		result <- r
	}()
	<-started // the old password was found right; no key yet
	if ok, err := owner.Email.ResetPassword(ctx, e.resetCode(email), "new-password"); err != nil || !ok {
		t.Fatalf("resetPassword = %v, %v", ok, err)
	}
	close(release)
	if r := <-result; r.Success && loggedIn(t, e.signedInClient(r)) {
		t.Error("a sign-in with the old password, in flight during the reset, holds a key after it")
	}
	e.signIn(e.client(), email, "new-password")
}

// TestRehashRacingPasswordChange: a sign-in that upgrades the stored hash
// of the password it checked must not write it over a password set in the
// meantime (here by another server, whose change commits while the
// sign-in is writing): the old password would be back, the new one gone.
func TestRehashRacingPasswordChange(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.ExtraSaltyHash = auth.Off })
	email := newEmail("rehash")
	userID := e.insert24User(email, vecLegacy) // "hunter2", upgraded at sign-in
	legacy := func(pw string) string {
		sum := sha256.Sum256([]byte(pw + "serverpod password salt"))
		return hex.EncodeToString(sum[:])
	}

	pool := db.Pool(e.db)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `UPDATE serverpod_email_auth SET hash = $2 WHERE "userId" = $1`, userID, legacy("changed-password")); err != nil {
		t.Fatal(err)
	}
	result := make(chan authclient.AuthenticationResponse, 1)
	go func() {
		r, err := e.clientAt(loopbackIP()).Email.Authenticate(ctx, email, "hunter2")
		if err != nil {
			t.Errorf("racing sign-in: %v", err)
		}
		result <- r
	}()
	// Wait for the sign-in to be writing its upgraded hash: it waits
	// for the change, which holds the row.
	for i := 0; ; i++ {
		var waiting int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE '%serverpod_email_auth%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if i == 1000 {
			t.Fatal("the sign-in never wrote the password hash")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if r := <-result; r.Success {
		t.Errorf("the sign-in with the replaced password succeeded: %s", mustJSON(r))
	}
	if r, _ := e.client().Email.Authenticate(ctx, email, "changed-password"); !r.Success {
		t.Errorf("the changed password no longer signs in (%s): the sign-in wrote the old one over it", mustJSON(r))
	}
}

// TestChangePasswordRacingReset: a change of password whose old password
// was checked before the owner reset it (from a stolen session that the
// reset signs out) must not then set the attacker's password over the
// owner's.
func TestChangePasswordRacingReset(t *testing.T) {
	e, hold, started, release := envHoldingACheck(t)
	email := newEmail("change")
	e.signUp(e.client(), "c", email, "old-password")
	stolen := e.signedInClient(e.signIn(e.clientAt(loopbackIP()), email, "old-password"))
	owner := e.client()
	if ok, err := owner.Email.InitiatePasswordReset(ctx, email); err != nil || !ok {
		t.Fatalf("initiatePasswordReset = %v, %v", ok, err)
	}

	hold.Store(true)
	result := make(chan bool, 1)
	go func() {
		ok, err := stolen.Email.ChangePassword(ctx, "old-password", "attacker-password")
		if err != nil {
			t.Errorf("racing changePassword: %v", err)
		}
		result <- ok
	}()
	<-started // the old password was found right; not yet replaced
	if ok, err := owner.Email.ResetPassword(ctx, e.resetCode(email), "owner-password"); err != nil || !ok {
		t.Fatalf("resetPassword = %v, %v", ok, err)
	}
	close(release)
	if <-result {
		t.Error("changePassword with the old password, checked before the reset, answered true")
	}
	if r, _ := e.client().Email.Authenticate(ctx, email, "owner-password"); !r.Success {
		t.Errorf("the owner's new password no longer signs in: %s", mustJSON(r))
	}
}

// waitForLock waits until a statement mentioning table is waiting for a
// lock.
func waitForLock(t *testing.T, e *env, table string) {
	t.Helper()
	for i := 0; ; i++ {
		var waiting int
		if err := db.Pool(e.db).QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`, table).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
		if i == 1000 {
			t.Fatalf("no statement on %s waited", table)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// holdKeyInserts makes each insert of an auth key of userID wait inside
// its statement, from a trigger, until release is called: a sign-in is
// then held after it read what it issues its key from and before the key
// is committed, the window a change of the account must not slip into.
func holdKeyInserts(t *testing.T, e *env, userID int64) (release func()) {
	t.Helper()
	pool := db.Pool(e.db)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback(context.Background()) }) }
	t.Cleanup(release)
	// The two-key form with a first key of the tests' own, apart from the
	// module's locks.
	const holdSpace = 0x74657374 // "test"
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int4, $2::int4)`, holdSpace, int32(userID)); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE OR REPLACE FUNCTION gopod_test_hold_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(TG_ARGV[0]::int4, TG_ARGV[1]::int4);
    RETURN NEW;
END $$`); err != nil {
		t.Fatal(err)
	}
	trigger := fmt.Sprintf("gopod_test_hold_key_%d", userID)
	if _, err := pool.Exec(ctx, fmt.Sprintf(`CREATE TRIGGER %s BEFORE INSERT ON serverpod_auth_key
    FOR EACH ROW WHEN (NEW."userId" = %d) EXECUTE FUNCTION gopod_test_hold_key('%d', '%d')`,
		trigger, userID, holdSpace, int32(userID))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), `DROP TRIGGER IF EXISTS `+trigger+` ON serverpod_auth_key`); err != nil {
			t.Errorf("dropping %s: %v", trigger, err)
		}
	})
	return release
}

// doneOrWaiting waits until done yields the change's result (finished)
// or the change waits for a lock, and so for the held sign-in.
func doneOrWaiting(t *testing.T, e *env, done <-chan error) (err error, finished bool) {
	t.Helper()
	for i := 0; ; i++ {
		select {
		case err := <-done:
			return err, true
		default:
		}
		var waiting int
		if err := db.Pool(e.db).QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
            AND query NOT LIKE '%INSERT INTO "serverpod_auth_key"%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return nil, false
		}
		if i == 1000 {
			t.Fatal("the change neither finished nor waited")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSignInRacingAccountChange: whoever knows the password signs in
// while the account changes (the password is reset or changed, an
// administrator loses the admin scope, the user is blocked); one sign-in
// is always between reading the account and committing its key. Its key
// must not outlive the change: the change either comes first and the
// sign-in sees it, or waits for the key and deals with it as with the
// user's others.
func TestSignInRacingAccountChange(t *testing.T) {
	const password = "racing-password"
	tests := []struct {
		name string
		// prepare runs before the sign-in; it returns the change.
		prepare func(t *testing.T, e *env, u *authclient.UserInfo, email string) (change func() error)
		// outlived reports what the key of a successful racing sign-in
		// kept across the change, "" if nothing.
		outlived func(t *testing.T, e *env, u *authclient.UserInfo, r authclient.AuthenticationResponse) string
	}{{
		name: "password reset",
		prepare: func(t *testing.T, e *env, _ *authclient.UserInfo, email string) func() error {
			owner := e.client()
			if ok, err := owner.Email.InitiatePasswordReset(ctx, email); err != nil || !ok {
				t.Fatalf("initiatePasswordReset = %v, %v", ok, err)
			}
			code := e.resetCode(email)
			return func() error {
				if ok, err := owner.Email.ResetPassword(ctx, code, "owner-password"); err != nil || !ok {
					return fmt.Errorf("resetPassword = %v, %w", ok, err)
				}
				return nil
			}
		},
		outlived: signedInAfter,
	}, {
		name: "password change",
		prepare: func(t *testing.T, e *env, _ *authclient.UserInfo, email string) func() error {
			owner := e.signedInClient(e.signIn(e.client(), email, password))
			return func() error {
				if ok, err := owner.Email.ChangePassword(ctx, password, "owner-password"); err != nil || !ok {
					return fmt.Errorf("changePassword = %v, %w", ok, err)
				}
				return nil
			}
		},
		outlived: signedInAfter,
	}, {
		name: "scope change",
		prepare: func(t *testing.T, e *env, u *authclient.UserInfo, _ string) func() error {
			if err := e.module.UpdateUserScopes(e.server.NewSession(ctx), *u.ID, []string{"serverpod.admin"}); err != nil {
				t.Fatal(err)
			}
			return func() error { return e.module.UpdateUserScopes(e.server.NewSession(ctx), *u.ID, nil) }
		},
		outlived: func(t *testing.T, e *env, u *authclient.UserInfo, r authclient.AuthenticationResponse) string {
			if scopes := e.queryString(`SELECT "scopeNames"::text FROM serverpod_auth_key WHERE id = $1`, *r.KeyID); scopes != "[]" {
				return "the key has scopes " + scopes + "; want []"
			}
			if _, err := e.signedInClient(r).Admin.GetUserInfo(ctx, *u.ID); statusOf(err) != 403 {
				return fmt.Sprintf("an admin call with the key: %v; want 403", err)
			}
			return ""
		},
	}, {
		name: "block",
		prepare: func(t *testing.T, e *env, u *authclient.UserInfo, _ string) func() error {
			return func() error { return e.module.BlockUser(e.server.NewSession(ctx), *u.ID) }
		},
		outlived: func(t *testing.T, e *env, _ *authclient.UserInfo, r authclient.AuthenticationResponse) string {
			// The authentication handler refuses the blocked user's keys;
			// one left would sign in again after an unblock.
			if n := e.queryInt(`SELECT count(*) FROM serverpod_auth_key WHERE id = $1`, *r.KeyID); n != 0 {
				return "the key is still stored"
			}
			return ""
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			email := newEmail("account-change")
			u := e.signUp(e.client(), "a", email, password)
			change := tt.prepare(t, e, u, email)

			release := holdKeyInserts(t, e, *u.ID)
			result := make(chan authclient.AuthenticationResponse, 1)
			go func() {
				r, err := e.clientAt(loopbackIP()).Email.Authenticate(ctx, email, password)
				if err != nil {
					t.Errorf("racing sign-in: %v", err)
				}
				result <- r
			}()
			waitForLock(t, e, "serverpod_auth_key")
			changed := make(chan error, 1)
			go func() { changed <- change() }()
			// The change either finishes while the sign-in is held, or
			// waits for it; either way the sign-in goes on once released.
			err, finished := doneOrWaiting(t, e, changed)
			release()
			r := <-result
			if !finished {
				err = <-changed
			}
			if err != nil {
				t.Fatal(err)
			}
			if !r.Success {
				return // refused: nothing kept
			}
			if what := tt.outlived(t, e, u, r); what != "" {
				t.Errorf("a sign-in under way during the %s came out with a key that outlives it: %s", tt.name, what)
			}
		})
	}
}

// signedInAfter reports that the key of r still signs in.
func signedInAfter(t *testing.T, e *env, _ *authclient.UserInfo, r authclient.AuthenticationResponse) string {
	if loggedIn(t, e.signedInClient(r)) {
		return "it still signs in"
	}
	return ""
}
