package auth_test

// Each test here replays an attack of the security review (issue 11)
// against a running server: parallel requests, clients bound to loopback
// addresses of their own, stored values replayed as codes, image bombs.

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/runtime/pod"
)

// slowHashes stands in for a production password hash: it takes as long
// as one (tens of milliseconds), which is the window parallel requests
// used to get past the limits.
func slowHashes(c *auth.Config) {
	c.PasswordHashGenerator = func(_ context.Context, pw string) (string, error) { return "slow:" + pw, nil }
	c.PasswordHashValidator = func(ctx context.Context, pw, _, hash string) (bool, error) {
		select {
		case <-time.After(30 * time.Millisecond):
		case <-ctx.Done():
			return false, ctx.Err()
		}
		return hash == "slow:"+pw, nil
	}
}

// TestParallelSignIns replays finding 1: 40 sign-ins for one email at
// once, against a limit of 5 failures. At most 5 wrong passwords may be
// checked (the right one, when it is in the burst, is not a failure and
// gives its place back, so one more may be checked after it), the
// failures stay on record whether or not the right password was among
// them, and after the burst the right password is refused.
func TestParallelSignIns(t *testing.T) {
	e := newEnv(t, slowHashes)
	const n, right = 40, 17
	for _, withRight := range []bool{true, false} {
		t.Run(fmt.Sprintf("right password in the burst: %v", withRight), func(t *testing.T) {
			email := newEmail("burst")
			e.signUp(e.client(), "b", email, "right-password")
			attacker := e.clientAt(loopbackIP())
			before := e.module.PasswordChecks()
			var signedIn atomic.Int64
			parallel(n, func(i int) {
				pw := fmt.Sprintf("wrong-password-%d", i)
				if withRight && i == right {
					pw = "right-password"
				}
				r, err := attacker.Email.Authenticate(ctx, email, pw)
				if err != nil {
					t.Errorf("sign-in %d: %v", i, err)
				}
				if r.Success {
					signedIn.Add(1)
				}
			})
			checks := e.module.PasswordChecks() - before
			wrong := checks - signedIn.Load()
			if wrong > 5 || signedIn.Load() > 1 {
				t.Errorf("%d wrong passwords were checked and %d sign-ins succeeded for %d parallel sign-ins; the limit is 5 failures", wrong, signedIn.Load(), n)
			}
			if rows := e.queryInt(`SELECT count(*) FROM serverpod_email_failed_sign_in WHERE email = $1`, email); rows < wrong {
				t.Errorf("%d failed sign-ins on record after %d wrong passwords were checked", rows, wrong)
			}
			if !withRight {
				r, _ := attacker.Email.Authenticate(ctx, email, "right-password")
				if r.Success || *r.FailReason != tooMany {
					t.Errorf("the right password after the burst: %s; want tooManyFailedAttempts", mustJSON(r))
				}
			}
		})
	}
}

// TestParallelAccountCodes replays finding 1 for account codes: 60 wrong
// codes at once for one sign-up; only MaxCodeAttempts (3) may be compared.
func TestParallelAccountCodes(t *testing.T) {
	e := newEnv(t, nil)
	email := newEmail("codes")
	if ok, err := e.client().Email.CreateAccountRequest(ctx, "c", email, "codes-password"); err != nil || !ok {
		t.Fatalf("createAccountRequest = %v, %v", ok, err)
	}
	attacker := e.clientAt(loopbackIP())
	before := e.module.CodeChecks()
	parallel(60, func(i int) {
		if u, err := attacker.Email.CreateAccount(ctx, email, fmt.Sprintf("WRONG%03d", i)); err != nil || u != nil {
			t.Errorf("wrong code %d: %v, %v\n%s", i, u, err, e.Logs())
		}
	})
	if checks := e.module.CodeChecks() - before; checks > 3 {
		t.Errorf("%d codes were compared for 60 parallel guesses; the limit is 3", checks)
	}
	if u, _ := e.client().Email.CreateAccount(ctx, email, e.code(email)); u != nil {
		t.Error("the right code works after the burst of wrong ones")
	}
}

// TestSharedAddress replays finding 2: behind a load balancer every user
// shares one address, and the failures of some must not lock out the
// others. Over its budget the address is slowed, and the right password
// still signs in; sign-ups and reset emails are no failures.
func TestSharedAddress(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxFailedAttemptsPerIP, c.AddressSlowdown = 10, 10*time.Millisecond })
	sharedIP := loopbackIP()
	shared := e.clientAt(sharedIP)
	victim := newEmail("victim")
	e.signUp(e.client(), "v", victim, "victim-password")
	guess := func(n int) {
		for i := range n {
			r, _ := shared.Email.Authenticate(ctx, newEmail(fmt.Sprintf("guess%d", i)), "some-password")
			if r.Success || *r.FailReason != 0 {
				t.Fatalf("guess %d: %s", i, mustJSON(r))
			}
		}
	}
	guess(5) // the review's five
	e.signIn(shared, victim, "victim-password")
	guess(5) // the budget is used up
	e.signIn(shared, victim, "victim-password")
	if !strings.Contains(e.Logs(), "address="+sharedIP+" ") {
		t.Errorf("the address over its budget was not slowed:\n%s", e.Logs())
	}

	busyIP := loopbackIP()
	busy := e.clientAt(busyIP)
	for i := range 12 {
		email := newEmail(fmt.Sprintf("busy%d", i))
		e.signUp(busy, "b", email, "busy-password")
		if ok, _ := busy.Email.InitiatePasswordReset(ctx, email); !ok {
			t.Fatalf("reset email %d refused", i)
		}
		e.signIn(busy, email, "busy-password")
	}
	if strings.Contains(e.Logs(), busyIP+" ") {
		t.Errorf("sign-ups and reset emails counted against the address:\n%s", e.Logs())
	}
}

// TestIPv6Networks: an IPv6 client is counted by its /64 network, which
// one subscriber usually holds whole.
func TestIPv6Networks(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxFailedAttemptsPerIP, c.AddressSlowdown = 3, 10*time.Millisecond })
	body := func(email, pw string) string {
		return fmt.Sprintf(`{"method":"authenticate","email":%q,"password":%q}`, email, pw)
	}
	for i := range 3 {
		e.rawFrom(fmt.Sprintf("2001:db8:1:2::%x", i+1), "serverpod_auth.email", body(newEmail("v6"), "some-password"), "")
	}
	email := newEmail("v6user")
	e.signUp(e.client(), "v", email, "v6user-password")
	for _, tt := range []struct {
		ip, network string
		slowed      bool
	}{
		{"2001:db8:1:3::1", "2001:db8:1:3::/64", false},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64", true},
	} {
		status, b := e.rawFrom(tt.ip, "serverpod_auth.email", body(email, "v6user-password"), "")
		if status != 200 || !strings.HasPrefix(b, `{"success":true`) {
			t.Fatalf("sign-in from %s: %d %s", tt.ip, status, b)
		}
		if slowed := strings.Contains(e.Logs(), "address="+tt.network); slowed != tt.slowed {
			t.Errorf("from %s: slowed %v, want %v\n%s", tt.ip, slowed, tt.slowed, e.Logs())
		}
	}
}

// TestTargetedLockout replays finding 4: five wrong guesses from an
// attacker's address must not lock the owner out of an address they sign
// in from. An address the account has never signed in from is locked as
// in 2.4, until a password reset from it proves the mailbox is theirs.
func TestTargetedLockout(t *testing.T) {
	e := newEnv(t, nil)
	email := newEmail("target")
	home := e.clientAt(loopbackIP())
	e.signUp(home, "t", email, "target-password")
	e.signIn(home, email, "target-password")

	attacker := e.clientAt(loopbackIP())
	for i := range 5 {
		if r, _ := attacker.Email.Authenticate(ctx, email, fmt.Sprintf("guess-%d-password", i)); r.Success || *r.FailReason != 0 {
			t.Fatalf("guess %d: %s", i, mustJSON(r))
		}
	}
	if r, _ := attacker.Email.Authenticate(ctx, email, "target-password"); r.Success || *r.FailReason != tooMany {
		t.Fatalf("the attacker's sixth try: %s; want tooManyFailedAttempts", mustJSON(r))
	}
	e.signIn(home, email, "target-password")

	travelling := e.clientAt(loopbackIP())
	if r, _ := travelling.Email.Authenticate(ctx, email, "target-password"); r.Success || *r.FailReason != tooMany {
		t.Fatalf("from an address never used: %s; want tooManyFailedAttempts", mustJSON(r))
	}
	if ok, _ := travelling.Email.InitiatePasswordReset(ctx, email); !ok {
		t.Fatal("initiatePasswordReset failed")
	}
	if ok, _ := travelling.Email.ResetPassword(ctx, e.resetCode(email), "travel-password"); !ok {
		t.Fatal("resetPassword failed")
	}
	e.signIn(travelling, email, "travel-password")
}

// TestStoredResetHashIsNoCode replays finding 3: whoever can read
// serverpod_email_reset must not be able to use what is stored there.
func TestStoredResetHashIsNoCode(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	email := newEmail("stored")
	u := e.signUp(c, "s", email, "stored-password")
	if ok, _ := c.Email.InitiatePasswordReset(ctx, email); !ok {
		t.Fatal("initiatePasswordReset failed")
	}
	stored := e.queryString(`SELECT "verificationCode" FROM serverpod_email_reset WHERE "userId" = $1`, *u.ID)
	if ok, err := e.clientAt(loopbackIP()).Email.ResetPassword(ctx, stored, "taken-over-password"); err != nil || ok {
		t.Fatalf("resetPassword with the stored value = %v, %v; want false", ok, err)
	}
	e.signIn(c, email, "stored-password")
	if ok, _ := c.Email.ResetPassword(ctx, e.resetCode(email), "new-stored-password"); !ok {
		t.Fatal("the code itself no longer works")
	}
}

// TestResetCodeAttemptsPerReset replays finding 8: wrong codes aimed at
// one pending reset, from several addresses so that no address limit
// applies, use up that reset.
func TestResetCodeAttemptsPerReset(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	email := newEmail("perreset")
	e.signUp(c, "p", email, "perreset-password")
	if ok, _ := c.Email.InitiatePasswordReset(ctx, email); !ok {
		t.Fatal("initiatePasswordReset failed")
	}
	code := e.resetCode(email)
	// Wrong codes that share the first half of the right one: whatever
	// part of a code finds its reset, these find this one.
	for i := range 3 {
		wrong := code[:len(code)/2] + strings.Repeat(string(rune('a'+i)), len(code)-len(code)/2)
		if ok, _ := e.clientAt(loopbackIP()).Email.ResetPassword(ctx, wrong, "perreset-new-password"); ok {
			t.Fatal("a wrong code worked")
		}
	}
	if ok, _ := c.Email.ResetPassword(ctx, code, "perreset-new-password"); ok {
		t.Error("the right code still works after 3 wrong ones aimed at its reset")
	}
	e.signIn(c, email, "perreset-password")
}

// TestConcealedRequestsDoEqualWork replays finding 5: with ConcealAccounts
// on, a taken and a free address must cost createAccountRequest the same
// work: one password hash each, and the email sent outside the call.
func TestConcealedRequestsDoEqualWork(t *testing.T) {
	var hashes, checks atomic.Int64
	release := make(chan struct{})
	var sent atomic.Int64
	e := newEnv(t, func(c *auth.Config) {
		c.ConcealAccounts = true
		c.PasswordHashGenerator = func(_ context.Context, pw string) (string, error) {
			hashes.Add(1)
			return "plain:" + pw, nil
		}
		c.PasswordHashValidator = func(_ context.Context, pw, _, hash string) (bool, error) {
			checks.Add(1)
			return hash == "plain:"+pw, nil
		}
		next := c.SendValidationEmail
		c.SendValidationEmail = func(s *pod.Session, email, code string) error {
			if strings.HasPrefix(email, "held-") {
				select {
				case <-release:
				case <-s.Done(): // sent in the call, which then cannot end
				}
			}
			defer sent.Add(1)
			return next(s, email, code)
		}
	})
	c := e.client()
	taken := newEmail("taken")
	e.exec(`INSERT INTO serverpod_email_auth ("userId", email, hash) VALUES (0, $1, 'x')`, taken)

	// An address with a request pending, asked for again with the same
	// password and with another.
	pending, contested := newEmail("pending"), newEmail("contested")
	for _, email := range []string{pending, contested} {
		if ok, err := c.Email.CreateAccountRequest(ctx, "x", email, "first-password"); err != nil || !ok {
			t.Fatalf("first request for %s = %v, %v", email, ok, err)
		}
	}
	for _, tt := range []struct{ name, email, password string }{
		{"taken", taken, "equal-password"},
		{"free", newEmail("free"), "equal-password"},
		{"pending, same password", pending, "first-password"},
		{"pending, other password", contested, "equal-password"},
	} {
		beforeHashes, beforeChecks := hashes.Load(), checks.Load()
		if ok, err := c.Email.CreateAccountRequest(ctx, "x", tt.email, tt.password); err != nil || !ok {
			t.Fatalf("%s: createAccountRequest = %v, %v; want true", tt.name, ok, err)
		}
		if n := hashes.Load() - beforeHashes; n != 1 {
			t.Errorf("%s address: %d password hashes, want 1", tt.name, n)
		}
		if n := checks.Load() - beforeChecks; n != 1 {
			t.Errorf("%s address: %d password checks, want 1", tt.name, n)
		}
	}

	// The mail goes out after the answer: a sender that blocks does not
	// hold the call up.
	// The two requests above queued their mails too; counting starts
	// once those are out, or one of them could land in the count.
	e.module.WaitForMail()
	held := "held-" + newEmail("mail")
	before := sent.Load()
	if ok, err := c.Email.CreateAccountRequest(ctx, "x", held, "equal-password"); err != nil || !ok {
		t.Fatalf("createAccountRequest = %v, %v", ok, err)
	}
	if sent.Load() != before {
		t.Error("the call waited for its email to be sent")
	}
	close(release)
	e.module.WaitForMail()
	if sent.Load() != before+1 {
		t.Error("the queued email was not sent")
	}
}

// TestUnstorableAddresses: an address PostgreSQL cannot hold (a NUL) or
// index (thousands of bytes) is answered as one without an account, not
// with a 500.
func TestUnstorableAddresses(t *testing.T) {
	e := newEnv(t, nil)
	// The addresses as JSON strings.
	for _, email := range []string{`"a\u0000b@example.com"`, `"` + strings.Repeat("x", 5000) + `@example.com"`} {
		for _, tc := range []struct{ body, want string }{
			{fmt.Sprintf(`{"method":"authenticate","email":%s,"password":"some-password"}`, email), `{"success":false`},
			{fmt.Sprintf(`{"method":"initiatePasswordReset","email":%s}`, email), `false`},
			{fmt.Sprintf(`{"method":"createAccount","email":%s,"verificationCode":"12345678"}`, email), `null`},
		} {
			status, b := e.rawFrom(loopbackIP(), "serverpod_auth.email", tc.body, "")
			if status != 200 || !strings.HasPrefix(b, tc.want) {
				t.Errorf("%.60s...: %d %.200s, want 200 %s", tc.body, status, b, tc.want)
			}
		}
	}
}
