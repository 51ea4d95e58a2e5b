package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// TestSignInRacingScopeChange: an administrator whose admin scope is
// being removed signs in in a loop; the sign-in that read the user before
// the change must not issue a key that keeps the removed scope.
func TestSignInRacingScopeChange(t *testing.T) {
	e := newEnv(t, nil)
	email := newEmail("demoted")
	u := e.signUp(e.client(), "d", email, "demoted-password")
	if err := e.module.UpdateUserScopes(e.server.NewSession(ctx), *u.ID, []string{"serverpod.admin"}); err != nil {
		t.Fatal(err)
	}

	// Hold the sign-in between reading the user and issuing its key: it
	// waits for the email sign-in's row, which this transaction holds.
	tx, err := db.Pool(e.db).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT 1 FROM serverpod_email_auth WHERE "userId" = $1 FOR UPDATE`, *u.ID); err != nil {
		t.Fatal(err)
	}
	result := make(chan authclient.AuthenticationResponse, 1)
	go func() {
		r, err := e.clientAt(loopbackIP()).Email.Authenticate(ctx, email, "demoted-password")
		if err != nil {
			t.Errorf("racing sign-in: %v", err)
		}
		result <- r
	}()
	waitForLock(t, e, "serverpod_auth_key")
	demoted := make(chan error, 1)
	go func() { demoted <- e.module.UpdateUserScopes(e.server.NewSession(ctx), *u.ID, nil) }()
	// The change either completes while the sign-in waits, or waits for
	// the sign-in itself; either way the sign-in goes on once released.
	var demoteErr error
	done := false
	select {
	case demoteErr = <-demoted:
		done = true
	case <-time.After(200 * time.Millisecond):
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-result
	if !done {
		demoteErr = <-demoted
	}
	if demoteErr != nil {
		t.Fatal(demoteErr)
	}
	if !r.Success {
		return // refused: nothing kept
	}
	if scopes := e.queryString(`SELECT "scopeNames"::text FROM serverpod_auth_key WHERE id = $1`, *r.KeyID); scopes != "[]" {
		t.Errorf("the key issued across the scope change has scopes %s; want []", scopes)
	}
	if _, err := e.signedInClient(r).Admin.GetUserInfo(ctx, *u.ID); statusOf(err) != 403 {
		t.Errorf("admin call with the key issued across the scope change: %v; want 403", err)
	}
}
