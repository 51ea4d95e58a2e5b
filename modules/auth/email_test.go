package auth_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/internal/codes"
	"github.com/gopod/gopod/runtime/pod"
)

var ctx = context.Background()

// TestEmailJourney goes through every email method with the generated Go
// client: sign-up, sign-in, password change and reset.
func TestEmailJourney(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	email := newEmail("Journey")
	lower := strings.ToLower(email)

	ok, err := c.Email.CreateAccountRequest(ctx, "  Jo  ", "  "+email+" ", "secret-password")
	if err != nil || !ok {
		t.Fatalf("createAccountRequest: %v, %v", ok, err)
	}
	code := e.code(lower)
	if len(code) != 8 || strings.Trim(code, codes.Alphabet) != "" {
		t.Fatalf("code %q: want 8 characters of 2.4's alphabet", code)
	}
	if stored := e.queryString(`SELECT "verificationCode" FROM serverpod_email_create_request WHERE email = $1`, lower); strings.Contains(stored, code) {
		t.Errorf("the code is stored as is: %q", stored)
	}
	if u, err := c.Email.CreateAccount(ctx, email, "WRONGCODE"); err != nil || u != nil {
		t.Fatalf("createAccount with a wrong code: %v, %v; want null", u, err)
	}
	u, err := c.Email.CreateAccount(ctx, email, code)
	if err != nil || u == nil {
		t.Fatalf("createAccount: %v, %v", u, err)
	}
	if *u.UserName != "Jo" || *u.Email != lower || u.UserIdentifier != lower || u.ImageURL == nil || u.Blocked || len(u.ScopeNames) != 0 {
		t.Errorf("new user %s", mustJSON(u))
	}
	if n := e.queryInt(`SELECT count(*) FROM serverpod_email_create_request WHERE email = $1`, lower); n != 0 {
		t.Errorf("%d account requests left after createAccount", n)
	}
	if u2, _ := c.Email.CreateAccount(ctx, email, code); u2 != nil {
		t.Error("the account code works twice")
	}

	r, err := c.Email.Authenticate(ctx, email, "wrong-password")
	if err != nil || r.Success || r.FailReason == nil || *r.FailReason != 0 || r.Key != nil {
		t.Fatalf("wrong password: %s, %v", mustJSON(r), err)
	}
	r = e.signIn(c, strings.ToUpper(email), "secret-password")
	if *r.UserInfo.ID != *u.ID || r.FailReason != nil {
		t.Errorf("sign-in answered %s", mustJSON(r))
	}
	if !strings.HasPrefix(e.queryString(`SELECT hash FROM serverpod_email_auth WHERE email = $1`, lower), "$argon2id$v=19$") {
		t.Error("the password is not stored as a PHC Argon2id hash")
	}
	me := e.signedInClient(r)
	if in, err := me.Status.IsSignedIn(ctx); err != nil || !in {
		t.Fatalf("isSignedIn = %v, %v", in, err)
	}
	if in, _ := c.Status.IsSignedIn(ctx); in {
		t.Error("isSignedIn without a key")
	}
	if info, err := me.Status.GetUserInfo(ctx); err != nil || info == nil || *info.ID != *u.ID {
		t.Fatalf("status.getUserInfo = %v, %v", info, err)
	}

	// Password change: the old password is checked and the length policy
	// applies.
	for _, tt := range []struct{ old, new string }{
		{"wrong-password", "another-password"},
		{"secret-password", "short"},
		{"secret-password", strings.Repeat("x", 129)},
	} {
		if ok, err := me.Email.ChangePassword(ctx, tt.old, tt.new); err != nil || ok {
			t.Errorf("changePassword(%q, %q) = %v, %v; want false", tt.old, tt.new, ok, err)
		}
	}
	if ok, err := c.Email.ChangePassword(ctx, "secret-password", "another-password"); err != nil || ok {
		t.Errorf("changePassword without a key = %v, %v; want false", ok, err)
	}
	if ok, err := me.Email.ChangePassword(ctx, "secret-password", " another password "); err != nil || !ok {
		t.Fatalf("changePassword = %v, %v", ok, err)
	}
	if r, _ := c.Email.Authenticate(ctx, email, "secret-password"); r.Success {
		t.Error("the old password still signs in")
	}
	e.signIn(c, email, " another password ")
	if r, _ := c.Email.Authenticate(ctx, email, "another password"); r.Success {
		t.Error("passwords are trimmed at sign-in but not at change")
	}

	// Password reset.
	if ok, err := c.Email.InitiatePasswordReset(ctx, " "+strings.ToUpper(email)); err != nil || !ok {
		t.Fatalf("initiatePasswordReset = %v, %v", ok, err)
	}
	reset := e.resetCode(lower)
	if len(reset) != 8 {
		t.Fatalf("reset code %q", reset)
	}
	if ok, _ := c.Email.ResetPassword(ctx, "WRONGCODE", "third-password"); ok {
		t.Error("resetPassword with a wrong code")
	}
	if ok, _ := c.Email.ResetPassword(ctx, reset, "short"); ok {
		t.Error("resetPassword accepts a password below the minimum")
	}
	if ok, err := c.Email.ResetPassword(ctx, reset, "third-password"); err != nil || !ok {
		t.Fatalf("resetPassword = %v, %v", ok, err)
	}
	if ok, _ := c.Email.ResetPassword(ctx, reset, "fourth-password"); ok {
		t.Error("the reset code works twice")
	}
	e.signIn(c, email, "third-password")

	// Sign-up refusals.
	for _, tt := range []struct{ name, email, password string }{
		{"taken", email, "long-enough-password"},
		{"", newEmail("noname"), "long-enough-password"},
		{"x", "not-an-email", "long-enough-password"},
		{"x", newEmail("short"), "1234567"},
		{"x", newEmail("long"), strings.Repeat("p", 129)},
	} {
		if ok, err := c.Email.CreateAccountRequest(ctx, tt.name, tt.email, tt.password); err != nil || ok {
			t.Errorf("createAccountRequest(%q, %q, %d chars) = %v, %v; want false", tt.name, tt.email, len(tt.password), ok, err)
		}
	}
	if ok, _ := c.Email.InitiatePasswordReset(ctx, newEmail("nobody")); ok {
		t.Error("initiatePasswordReset for an unknown address answered true")
	}
}

// TestRepeatedAccountRequest: a sign-up requested again with the same
// password gets a fresh code; with another password, by whoever asks
// first, neither request stands, so that no code the owner of the address
// enters sets a password someone else chose (2.4 kept the first request,
// so a stranger who asked first had the owner confirm the stranger's
// password). Asking again afterwards works.
func TestRepeatedAccountRequest(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	request := func(email, pw string) bool {
		t.Helper()
		ok, err := c.Email.CreateAccountRequest(ctx, "again", email, pw)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	create := func(email, code string) bool {
		t.Helper()
		u, err := c.Email.CreateAccount(ctx, email, code)
		if err != nil {
			t.Fatal(err)
		}
		return u != nil
	}
	signsIn := func(email, pw string) bool {
		t.Helper()
		r, err := c.Email.Authenticate(ctx, email, pw)
		if err != nil {
			t.Fatal(err)
		}
		return r.Success
	}

	t.Run("same password", func(t *testing.T) {
		email := newEmail("retry")
		if !request(email, "owner-password") {
			t.Fatal("first request refused")
		}
		first := e.code(email)
		if !request(email, "owner-password") {
			t.Fatal("the retry was refused")
		}
		if e.code(email) == first {
			t.Fatal("the retry sent the same code")
		}
		if create(email, first) {
			t.Error("the first code still works after the retry")
		}
		if !create(email, e.code(email)) || !signsIn(email, "owner-password") {
			t.Error("the retry's code does not create the account")
		}
	})

	for _, tc := range []struct{ name, first, second string }{
		{"a stranger asks second", "owner-password", "stranger-password"},
		{"a stranger asks first", "stranger-password", "owner-password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			email := newEmail("contested")
			if !request(email, tc.first) {
				t.Fatal("first request refused")
			}
			firstCode := e.code(email)
			if request(email, tc.second) {
				t.Error("the contested request answered true")
			}
			if e.code(email) != firstCode {
				t.Error("a code was sent for the contested request")
			}
			if create(email, firstCode) {
				t.Error("the first request's code still creates the account")
			}
			if signsIn(email, tc.first) || signsIn(email, tc.second) {
				t.Fatal("an account exists")
			}
			// The owner asks again, and nobody contests it.
			if !request(email, "owner-password") || !create(email, e.code(email)) || !signsIn(email, "owner-password") {
				t.Error("asking again after the contest does not create the account")
			}
			if signsIn(email, "stranger-password") {
				t.Error("the stranger's password signs in")
			}
		})
	}
}

// TestConcealAccounts: with the option, requests for taken or unknown
// addresses answer true and send nothing.
func TestConcealAccounts(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.ConcealAccounts = true })
	c := e.client()
	email := newEmail("conceal")
	e.signUp(c, "c", email, "conceal-password")
	e.mu.Lock()
	delete(e.codes, email)
	e.mu.Unlock()
	if ok, err := c.Email.CreateAccountRequest(ctx, "c", email, "conceal-password"); err != nil || !ok {
		t.Errorf("createAccountRequest for a taken address = %v, %v; want true", ok, err)
	}
	if e.code(email) != "" {
		t.Error("a code was sent for a taken address")
	}
	unknown := newEmail("unknown")
	if ok, err := c.Email.InitiatePasswordReset(ctx, unknown); err != nil || !ok {
		t.Errorf("initiatePasswordReset for an unknown address = %v, %v; want true", ok, err)
	}
	if e.resetCode(unknown) != "" {
		t.Error("a reset code was sent for an unknown address")
	}
}

// TestNoMailSender: without senders the email flows answer false, as 2.4.
func TestNoMailSender(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.SendValidationEmail, c.SendPasswordResetEmail = nil, nil })
	c := e.client()
	if ok, err := c.Email.CreateAccountRequest(ctx, "n", newEmail("nomail"), "long-enough"); err != nil || ok {
		t.Errorf("createAccountRequest = %v, %v", ok, err)
	}
	if ok, err := c.Email.InitiatePasswordReset(ctx, newEmail("nomail")); err != nil || ok {
		t.Errorf("initiatePasswordReset = %v, %v", ok, err)
	}
}

// TestSenderFailure: a sender that fails makes the call answer false.
func TestSenderFailure(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) {
		c.SendValidationEmail = func(*pod.Session, string, string) error { return errors.New("smtp down") }
	})
	if ok, err := e.client().Email.CreateAccountRequest(ctx, "n", newEmail("smtp"), "long-enough"); err != nil || ok {
		t.Errorf("createAccountRequest = %v, %v; want false", ok, err)
	}
}

// Expected bodies are 2.4's: enums by index, null fields left out.
func TestEmailRawJSON(t *testing.T) {
	e := newEnv(t, nil)
	email := newEmail("raw")
	call := func(method, args string) (int, string) {
		t.Helper()
		return e.raw("serverpod_auth.email", fmt.Sprintf(`{"method":%q%s}`, method, args), "")
	}
	type want struct {
		status int
		body   string // exact, or a regexp when it starts with ^
	}
	check := func(name string, status int, body string, w want) {
		t.Helper()
		if status != w.status {
			t.Errorf("%s: status %d, want %d (%s)", name, status, w.status, body)
			return
		}
		if strings.HasPrefix(w.body, "^") {
			if !regexp.MustCompile(w.body).MatchString(body) {
				t.Errorf("%s:\n got %s\nwant %s", name, body, w.body)
			}
		} else if body != w.body {
			t.Errorf("%s:\n got %s\nwant %s", name, body, w.body)
		}
	}
	s, b := call("createAccountRequest", fmt.Sprintf(`,"userName":"Raw","email":%q,"password":"raw-password"`, email))
	check("createAccountRequest", s, b, want{200, "true"})
	s, b = call("createAccount", fmt.Sprintf(`,"email":%q,"verificationCode":"nope"`, email))
	check("createAccount with a wrong code", s, b, want{200, "null"})
	s, b = call("createAccount", fmt.Sprintf(`,"email":%q,"verificationCode":%q`, email, e.code(email)))
	userJSON := fmt.Sprintf(`\{"id":(\d+),"userIdentifier":"%s","userName":"Raw","email":"%s","created":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,6}Z","imageUrl":"http://[^"]+/serverpod_cloud_storage\?method=file&path=serverpod%%2Fuser_images%%2F\d+-1\.jpg","scopeNames":\[\],"blocked":false\}`,
		regexp.QuoteMeta(email), regexp.QuoteMeta(email))
	check("createAccount", s, b, want{200, "^" + userJSON + "$"})

	s, b = call("authenticate", fmt.Sprintf(`,"email":%q,"password":"wrong-password"`, email))
	check("authenticate, wrong password", s, b, want{200, `{"success":false,"failReason":0}`})
	s, b = call("authenticate", `,"email":"nobody@example.com","password":"wrong-password"`)
	check("authenticate, unknown address", s, b, want{200, `{"success":false,"failReason":0}`})
	s, b = call("authenticate", fmt.Sprintf(`,"email":%q,"password":"raw-password"`, email))
	check("authenticate", s, b, want{200, `^\{"success":true,"key":"[A-Za-z0-9_-]{32}","keyId":\d+,"userInfo":` + userJSON + `\}$`})
	key := regexp.MustCompile(`"key":"([^"]+)","keyId":(\d+)`).FindStringSubmatch(b)
	auth := key[2] + ":" + key[1]

	s, b = call("changePassword", `,"oldPassword":"raw-password","newPassword":"new-raw-password"`)
	check("changePassword without a key", s, b, want{200, "false"})
	s, b = e.raw("serverpod_auth.email", `{"method":"changePassword","oldPassword":"raw-password","newPassword":"new-raw-password"}`, auth)
	check("changePassword", s, b, want{200, "true"})
	s, b = call("initiatePasswordReset", fmt.Sprintf(`,"email":%q`, email))
	check("initiatePasswordReset", s, b, want{200, "true"})
	s, b = call("resetPassword", `,"verificationCode":"nope","password":"reset-password"`)
	check("resetPassword, wrong code", s, b, want{200, "false"})
	// The path form of a call, /endpoint/method, as 2.4 accepts it.
	s, b = e.raw("serverpod_auth.email/resetPassword", fmt.Sprintf(`{"verificationCode":%q,"password":"reset-password"}`, e.resetCode(email)), "")
	check("resetPassword", s, b, want{200, "true"})

	s, b = call("authenticate", `,"email":"x@example.com"`)
	check("authenticate without a password", s, b, want{400, "^.*password"})
	s, b = call("noSuchMethod", "")
	check("unknown method", s, b, want{400, "^Method"})
}

// TestUnknownAddressAnswersLikeWrongPassword: the answers are the same,
// and both count as failed attempts, so the lockout reveals nothing either.
func TestUnknownAddressAnswersLikeWrongPassword(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.MaxFailedAttemptsPerIP = -1 })
	c := e.client()
	known := newEmail("known")
	e.signUp(c, "k", known, "known-password")
	unknown := newEmail("unknown")
	for i := range 6 {
		rk, err1 := c.Email.Authenticate(ctx, known, "wrong-password")
		ru, err2 := c.Email.Authenticate(ctx, unknown, "wrong-password")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if mustJSON(rk) != mustJSON(ru) {
			t.Fatalf("attempt %d: known address %s, unknown %s", i+1, mustJSON(rk), mustJSON(ru))
		}
	}
	if n := e.queryInt(`SELECT count(*) FROM serverpod_email_failed_sign_in WHERE email = $1`, unknown); n != 5 {
		t.Errorf("%d failed sign-ins recorded for the unknown address, want 5", n)
	}
}

// A client error for a wrong access rule names it.
func statusOf(err error) int {
	var se *podclient.StatusError
	if errors.As(err, &se) {
		return se.StatusCode
	}
	return 0
}
