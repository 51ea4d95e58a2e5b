package auth_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/modules/auth"
)

const tooMany = 3 // AuthenticationFailReason.tooManyFailedAttempts

func failReason(r any) string { return mustJSON(r) }

// TestThrottlePerEmail: five failures within the window lock the address
// (a right password included), for known and unknown addresses alike,
// and the lock lifts when the window has passed.
func TestThrottlePerEmail(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxFailedAttemptsPerIP = 100 })
	c := e.client()
	email := newEmail("locked")
	e.signUp(c, "l", email, "right-password")
	for i := range 5 {
		r, err := c.Email.Authenticate(ctx, email, "wrong-password")
		if err != nil || r.FailReason == nil || *r.FailReason != 0 {
			t.Fatalf("attempt %d: %s, %v", i+1, failReason(r), err)
		}
		e.clock.Advance(10 * time.Second)
	}
	r, _ := c.Email.Authenticate(ctx, email, "right-password")
	if r.Success || *r.FailReason != tooMany {
		t.Fatalf("sixth attempt with the right password: %s; want tooManyFailedAttempts", failReason(r))
	}
	// Other addresses from the same client are not affected.
	other := newEmail("other")
	e.signUp(c, "o", other, "other-password")
	e.signIn(c, other, "other-password")

	// The first failure leaves the window 5 minutes after it was made.
	e.clock.Advance(5*time.Minute - 51*time.Second)
	if r, _ := c.Email.Authenticate(ctx, email, "right-password"); r.Success {
		t.Fatal("unlocked before the window passed")
	}
	e.clock.Advance(2 * time.Second)
	e.signIn(c, email, "right-password")
	// A success keeps the failures on record: with them, two more lock
	// the address again.
	if n := e.queryInt(`SELECT count(*) FROM serverpod_email_failed_sign_in WHERE email = $1`, email); n != 5 {
		t.Errorf("%d failed sign-ins on record after a success, want the 5 made", n)
	}
	for range 2 {
		c.Email.Authenticate(ctx, email, "wrong-password")
	}
	if r, _ := c.Email.Authenticate(ctx, email, "right-password"); r.Success {
		t.Error("the failures before a success did not count")
	}
}

// TestThrottlePerIP: failures on many addresses from one client address
// beyond its budget slow that address's attempts, one at a time, and never
// refuse a right password; other addresses are not slowed.
func TestThrottlePerIP(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxFailedAttemptsPerIP, c.AddressSlowdown = 5, 10*time.Millisecond })
	c := e.client()
	victim := newEmail("victim")
	e.signUp(c, "v", victim, "victim-password")
	for i := range 5 {
		r, _ := c.Email.Authenticate(ctx, newEmail(fmt.Sprintf("guess%d", i)), "some-password")
		if r.Success || *r.FailReason != 0 {
			t.Fatalf("guess %d: %s", i, failReason(r))
		}
	}
	if strings.Contains(e.Logs(), "slowing") {
		t.Fatal("slowed within the budget")
	}
	e.signIn(c, victim, "victim-password")
	if !strings.Contains(e.Logs(), "address="+e.ip) {
		t.Errorf("the address over its budget was not slowed:\n%s", e.Logs())
	}
	status, body := e.rawFrom("10.250.0.1", "serverpod_auth.email", fmt.Sprintf(`{"method":"authenticate","email":%q,"password":"victim-password"}`, victim), "")
	if status != 200 || body[:15] != `{"success":true` || strings.Contains(e.Logs(), "10.250.0.1") {
		t.Fatalf("from another address: %d %s\n%s", status, body, e.Logs())
	}
}

// TestThrottlePerIPOff: a negative limit turns the per-address count off.
func TestThrottlePerIPOff(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxFailedAttemptsPerIP = -1 })
	c := e.client()
	email := newEmail("nolimit")
	e.signUp(c, "n", email, "right-password")
	for i := range 8 {
		c.Email.Authenticate(ctx, newEmail(fmt.Sprintf("g%d", i)), "x-password")
	}
	e.signIn(c, email, "right-password")
}

// TestAccountCodeExpiry: an account request's code expires.
func TestAccountCodeExpiry(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.AccountRequestExpirationTime = time.Hour })
	c := e.client()
	email := newEmail("expiry")
	if ok, _ := c.Email.CreateAccountRequest(ctx, "x", email, "expiry-password"); !ok {
		t.Fatal("createAccountRequest failed")
	}
	e.clock.Advance(time.Hour)
	if u, err := c.Email.CreateAccount(ctx, email, e.code(email)); err != nil || u != nil {
		t.Fatalf("createAccount after expiry = %v, %v; want null", u, err)
	}
	if n := e.queryInt(`SELECT count(*) FROM serverpod_email_create_request WHERE email = $1`, email); n != 0 {
		t.Errorf("the expired request is still stored")
	}
	// Just before expiry it works.
	if ok, _ := c.Email.CreateAccountRequest(ctx, "x", email, "expiry-password"); !ok {
		t.Fatal("createAccountRequest failed")
	}
	e.clock.Advance(time.Hour - time.Second)
	if u, err := c.Email.CreateAccount(ctx, email, e.code(email)); err != nil || u == nil {
		t.Fatalf("createAccount before expiry = %v, %v", u, err)
	}
}

// TestAccountCodeAttempts: the third wrong code drops the request.
func TestAccountCodeAttempts(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	email := newEmail("attempts")
	if ok, _ := c.Email.CreateAccountRequest(ctx, "x", email, "attempt-password"); !ok {
		t.Fatal("createAccountRequest failed")
	}
	for i := range 2 {
		if u, _ := c.Email.CreateAccount(ctx, email, "wrong"); u != nil {
			t.Fatal("wrong code accepted")
		}
		if n := e.queryInt(`SELECT count(*) FROM serverpod_email_create_request WHERE email = $1`, email); n != 1 {
			t.Fatalf("after %d wrong codes the request is gone", i+1)
		}
	}
	c.Email.CreateAccount(ctx, email, "wrong")
	if u, _ := c.Email.CreateAccount(ctx, email, e.code(email)); u != nil {
		t.Fatal("the right code works after 3 wrong ones")
	}
	if n := e.queryInt(`SELECT count(*) FROM serverpod_email_create_request WHERE email = $1`, email); n != 0 {
		t.Error("the request survived 3 wrong codes")
	}
}

// TestCodeGuessingPerIP: wrong codes from one client address count
// against its budget, across requests and resets; over it the address is
// slowed, and the right code still works.
func TestCodeGuessingPerIP(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxFailedAttemptsPerIP, c.AddressSlowdown = 5, 10*time.Millisecond })
	c := e.client()
	email := newEmail("guessed")
	e.signUp(c, "g", email, "guessed-password")
	if ok, _ := c.Email.InitiatePasswordReset(ctx, email); !ok {
		t.Fatal("initiatePasswordReset failed")
	}
	for range 5 {
		if ok, _ := c.Email.ResetPassword(ctx, "GUESS123", "new-guessed-password"); ok {
			t.Fatal("a guessed code worked")
		}
	}
	if n := e.queryInt(`SELECT count(*) FROM gopod_auth_attempt WHERE "ipAddress" = $1 AND domain = 'password-reset'`, e.ip); n != 5 {
		t.Errorf("%d wrong codes on record for the address, want 5", n)
	}
	if ok, _ := c.Email.ResetPassword(ctx, e.resetCode(email), "new-guessed-password"); !ok {
		t.Fatal("the right code fails after 5 wrong ones from the same address")
	}
	if !strings.Contains(e.Logs(), "address="+e.ip) {
		t.Errorf("the address over its budget was not slowed:\n%s", e.Logs())
	}
}

// TestResetCodeExpiry: reset codes expire after passwordResetExpirationTime
// (24 hours by default) and only the newest one is valid.
func TestResetCodeExpiry(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	email := newEmail("reset")
	e.signUp(c, "r", email, "reset-password")
	c.Email.InitiatePasswordReset(ctx, email)
	first := e.resetCode(email)
	c.Email.InitiatePasswordReset(ctx, email)
	second := e.resetCode(email)
	if ok, _ := c.Email.ResetPassword(ctx, first, "new-reset-password"); ok {
		t.Error("a replaced reset code still works")
	}
	e.clock.Advance(24 * time.Hour)
	if ok, _ := c.Email.ResetPassword(ctx, second, "new-reset-password"); ok {
		t.Error("an expired reset code works")
	}
	e.signIn(c, email, "reset-password")
}

// TestServerpod24PendingCodes: codes 2.4 stored in plain text still work
// until they expire.
func TestServerpod24PendingCodes(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	email := newEmail("pending")
	e.exec(`INSERT INTO serverpod_email_create_request ("userName", email, hash, "verificationCode") VALUES ('p', $1, $2, 'AbCd1234')`, email, vecLegacy)
	if u, err := c.Email.CreateAccount(ctx, email, "AbCd1234"); err != nil || u == nil {
		t.Fatalf("createAccount with a 2.4 code = %v, %v\n%s", u, err, e.Logs())
	}
	id := e.queryInt(`SELECT "userId" FROM serverpod_email_auth WHERE email = $1`, email)
	e.exec(`INSERT INTO serverpod_email_reset ("userId", "verificationCode", expiration) VALUES ($1, 'XyZ98765', $2)`, id, e.clock.Now().Add(time.Hour))
	if ok, err := c.Email.ResetPassword(ctx, "XyZ98765", "after-2.4-password"); err != nil || !ok {
		t.Fatalf("resetPassword with a 2.4 code = %v, %v", ok, err)
	}
	e.signIn(c, email, "after-2.4-password")
}

// TestChangePasswordAttempts: a stolen key cannot guess the old password
// without limit.
func TestChangePasswordAttempts(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	email := newEmail("change")
	e.signUp(c, "c", email, "change-password")
	me := e.signedInClient(e.signIn(c, email, "change-password"))
	for range 5 {
		me.Email.ChangePassword(ctx, "guess-password", "new-change-password")
	}
	if ok, _ := me.Email.ChangePassword(ctx, "change-password", "new-change-password"); ok {
		t.Fatal("the right old password works after 5 wrong guesses")
	}
	e.clock.Advance(5*time.Minute + time.Second)
	if ok, _ := me.Email.ChangePassword(ctx, "change-password", "new-change-password"); !ok {
		t.Fatal("the right old password fails after the window")
	}
}

// TestSendLimit: one address cannot be flooded with emails.
func TestSendLimit(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxFailedAttemptsPerIP = 100 })
	c := e.client()
	email := newEmail("flood")
	e.signUp(c, "f", email, "flood-password")
	for i := range 5 {
		if ok, _ := c.Email.InitiatePasswordReset(ctx, email); !ok {
			t.Fatalf("reset request %d refused", i+1)
		}
	}
	if ok, _ := c.Email.InitiatePasswordReset(ctx, email); ok {
		t.Fatal("the sixth reset email within the window was sent")
	}
}

// TestLegacyResetsGlobalLimit: resets stored by 2.4 cannot count wrong
// codes themselves, so wrong codes from all addresses together bound
// them; gopod's own resets keep working.
func TestLegacyResetsGlobalLimit(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxWrongResetCodes = 5 })
	c := e.client()
	legacy, own := newEmail("legacy24"), newEmail("own")
	e.signUp(c, "l", legacy, "legacy-password")
	e.signUp(c, "o", own, "own-password")
	id := e.queryInt(`SELECT "userId" FROM serverpod_email_auth WHERE email = $1`, legacy)
	e.exec(`INSERT INTO serverpod_email_reset ("userId", "verificationCode", expiration) VALUES ($1, 'Gl0balAb', $2)`, id, e.clock.Now().Add(time.Hour))
	if ok, _ := c.Email.InitiatePasswordReset(ctx, own); !ok {
		t.Fatal("initiatePasswordReset failed")
	}
	for i := range 5 {
		if ok, _ := e.clientAt(loopbackIP()).Email.ResetPassword(ctx, fmt.Sprintf("Wrong%03d", i), "legacy-new-password"); ok {
			t.Fatal("a wrong code worked")
		}
	}
	if ok, _ := c.Email.ResetPassword(ctx, "Gl0balAb", "legacy-new-password"); ok {
		t.Error("a 2.4 reset was accepted over the global limit")
	}
	if ok, _ := c.Email.ResetPassword(ctx, e.resetCode(own), "own-new-password"); !ok {
		t.Error("a gopod reset failed over the global limit")
	}
	e.clock.Advance(5*time.Minute + time.Second)
	if ok, _ := c.Email.ResetPassword(ctx, "Gl0balAb", "legacy-new-password"); !ok {
		t.Error("the 2.4 reset failed after the window")
	}
}
