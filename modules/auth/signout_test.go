package auth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
	"github.com/gopod/gopod/runtime/pod"
)

// devices signs one account in on n devices and returns their clients.
func (e *env) devices(n int) (email string, userID int64, clients []*authclient.Caller) {
	e.t.Helper()
	c := e.client()
	email = newEmail("device")
	u := e.signUp(c, "d", email, "device-password")
	for range n {
		clients = append(clients, e.signedInClient(e.signIn(c, email, "device-password")))
	}
	return email, *u.ID, clients
}

// loggedIn calls a login-required method and reports whether the key was
// accepted (200) or refused (401).
func loggedIn(t *testing.T, c *authclient.Caller) bool {
	t.Helper()
	_, err := c.User.ChangeUserName(ctx, "still me")
	switch {
	case err == nil:
		return true
	case statusOf(err) == 401:
		return false
	}
	t.Fatalf("changeUserName: %v", err)
	return false
}

func wantLoggedIn(t *testing.T, what string, clients []*authclient.Caller, want ...bool) {
	t.Helper()
	for i, c := range clients {
		if got := loggedIn(t, c); got != want[i] {
			t.Errorf("%s: device %d signed in = %v, want %v", what, i, got, want[i])
		}
	}
}

func TestSignOutMatrix(t *testing.T) {
	tests := []struct {
		name   string
		legacy auth.SignOutOption
		call   func(c *authclient.Caller) error
		want   []bool // devices 0..2 afterwards; device 0 makes the call
	}{
		{"signOutDevice", auth.AllDevices, func(c *authclient.Caller) error { return c.Status.SignOutDevice(ctx) }, []bool{false, true, true}},
		{"signOutAllDevices", auth.AllDevices, func(c *authclient.Caller) error { return c.Status.SignOutAllDevices(ctx) }, []bool{false, false, false}},
		{"signOut, legacy all devices (default)", auth.AllDevices, func(c *authclient.Caller) error { return c.Status.SignOut(ctx) }, []bool{false, false, false}},
		{"signOut, legacy current device", auth.CurrentDevice, func(c *authclient.Caller) error { return c.Status.SignOut(ctx) }, []bool{false, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *auth.Config) { c.LegacyUserSignOutBehavior = tt.legacy })
			_, userID, devices := e.devices(3)
			// Every key is in the server's cache now: revocation must
			// reach past it.
			wantLoggedIn(t, "before", devices, true, true, true)
			if err := tt.call(devices[0]); err != nil {
				t.Fatal(err)
			}
			wantLoggedIn(t, "after", devices, tt.want...)
			left := 0
			for _, w := range tt.want {
				if w {
					left++
				}
			}
			if n := e.queryInt(`SELECT count(*) FROM serverpod_auth_key WHERE "userId" = $1`, userID); n != int64(left) {
				t.Errorf("%d keys left in the database, want %d", n, left)
			}
		})
	}
}

// TestSignOutWithoutKey: the sign-out methods are no-ops without a key.
func TestSignOutWithoutKey(t *testing.T) {
	e := newEnv(t, nil)
	for _, m := range []string{"signOut", "signOutDevice", "signOutAllDevices"} {
		status, body := e.raw("serverpod_auth.status", fmt.Sprintf(`{"method":%q}`, m), "")
		if status != 200 || body != "null" {
			t.Errorf("%s without a key: %d %s; want 200 null", m, status, body)
		}
	}
	status, body := e.raw("serverpod_auth.status", `{"method":"signOutDevice"}`, "12345:nonsense")
	if status != 200 || body != "null" {
		t.Errorf("signOutDevice with an unknown key: %d %s", status, body)
	}
}

// TestPasswordChangeSignsOutOtherDevices: the device that changed the
// password stays signed in, the others are signed out; a reset signs out
// all of them. With the option off, nobody is signed out.
func TestPasswordChangeSignsOutOtherDevices(t *testing.T) {
	e := newEnv(t, nil)
	email, _, devices := e.devices(3)
	if ok, err := devices[0].Email.ChangePassword(ctx, "device-password", "changed-password"); err != nil || !ok {
		t.Fatal(ok, err)
	}
	wantLoggedIn(t, "after changePassword", devices, true, false, false)

	c := e.client()
	if ok, _ := c.Email.InitiatePasswordReset(ctx, email); !ok {
		t.Fatal("initiatePasswordReset failed")
	}
	if ok, _ := c.Email.ResetPassword(ctx, e.resetCode(email), "reset-password"); !ok {
		t.Fatal("resetPassword failed")
	}
	wantLoggedIn(t, "after resetPassword", devices, false, false, false)

	off := newEnv(t, func(c *auth.Config) { c.SignOutOtherDevicesOnPasswordChange = auth.Off })
	_, _, devices = off.devices(2)
	if ok, _ := devices[0].Email.ChangePassword(ctx, "device-password", "changed-password"); !ok {
		t.Fatal("changePassword failed")
	}
	wantLoggedIn(t, "option off", devices, true, true)
}

// TestBlocking: blocking revokes every key and refuses sign-ins with
// failReason blocked; unblocking takes effect at once.
func TestBlocking(t *testing.T) {
	e := newEnv(t, nil)
	email, userID, devices := e.devices(2)
	admin := e.admin()

	if u, err := admin.Admin.GetUserInfo(ctx, userID); err != nil || u == nil || *u.Email != email {
		t.Fatalf("admin.getUserInfo = %v, %v", u, err)
	}
	if u, err := admin.Admin.GetUserInfo(ctx, 987654321); err != nil || u != nil {
		t.Fatalf("admin.getUserInfo of nobody = %v, %v; want null", u, err)
	}
	if err := admin.Admin.BlockUser(ctx, userID); err != nil {
		t.Fatal(err)
	}
	wantLoggedIn(t, "blocked", devices, false, false)
	r, _ := e.client().Email.Authenticate(ctx, email, "device-password")
	if r.Success || *r.FailReason != 4 {
		t.Fatalf("sign-in of a blocked user: %s; want failReason 4", mustJSON(r))
	}
	var exc *authclient.AdminException
	if err := admin.Admin.BlockUser(ctx, userID); !errors.As(err, &exc) || exc.Reason != authclient.AdminExceptionReasonAlreadyBlocked || exc.UserID != userID {
		t.Errorf("blocking twice: %v; want an AdminException (alreadyBlocked)", err)
	}
	if err := admin.Admin.UnblockUser(ctx, userID); err != nil {
		t.Fatal(err)
	}
	e.signIn(e.client(), email, "device-password")
	if err := admin.Admin.UnblockUser(ctx, userID); !errors.As(err, &exc) || exc.Reason != authclient.AdminExceptionReasonNotBlocked {
		t.Errorf("unblocking twice: %v; want an AdminException (notBlocked)", err)
	}
	if err := admin.Admin.BlockUser(ctx, 987654321); !errors.As(err, &exc) || exc.Reason != authclient.AdminExceptionReasonUserNotFound {
		t.Errorf("blocking nobody: %v; want an AdminException (userNotFound)", err)
	}
	if err := e.module.BlockUser(e.server.NewSession(ctx), 987654321); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("Module.BlockUser(nobody) = %v; want ErrUserNotFound", err)
	}

	// A key the handler has cached belongs to a user blocked directly in
	// the database (by another server): refused once the cache lapses.
	_, blockedID, more := e.devices(1)
	wantLoggedIn(t, "before", more, true)
	e.exec(`UPDATE serverpod_user_info SET blocked = true WHERE id = $1`, blockedID)
	e.clock.Advance(time.Minute)
	wantLoggedIn(t, "blocked elsewhere", more, false)
}

// TestAdminErrors replays finding 10: an admin's mistakes are 400s that
// say what was wrong, not 500s.
func TestAdminErrors(t *testing.T) {
	e := newEnv(t, nil)
	key, _ := e.adminWithIDKey()
	target := e.signUp(e.client(), "t", newEmail("target"), "target-password")
	for _, tt := range []struct {
		name, body string
		status     int
		reason     string
	}{
		{"block", fmt.Sprintf(`{"method":"blockUser","userId":%d}`, *target.ID), 200, ""},
		{"block twice", fmt.Sprintf(`{"method":"blockUser","userId":%d}`, *target.ID), 400, "alreadyBlocked"},
		{"unblock", fmt.Sprintf(`{"method":"unblockUser","userId":%d}`, *target.ID), 200, ""},
		{"unblock twice", fmt.Sprintf(`{"method":"unblockUser","userId":%d}`, *target.ID), 400, "notBlocked"},
		{"unknown user", `{"method":"blockUser","userId":987654321}`, 400, "userNotFound"},
	} {
		status, body := e.raw("serverpod_auth.admin", tt.body, key)
		if status != tt.status || !strings.Contains(body, tt.reason) {
			t.Errorf("%s: %d %s; want %d with %q", tt.name, status, body, tt.status, tt.reason)
		}
	}
}

// TestAdminScope: the admin endpoint needs a key with serverpod.admin.
func TestAdminScope(t *testing.T) {
	e := newEnv(t, nil)
	_, userID, devices := e.devices(1)
	_, err := devices[0].Admin.GetUserInfo(ctx, userID)
	if statusOf(err) != 403 {
		t.Errorf("admin call without the scope: %v; want 403", err)
	}
	_, err = e.client().Admin.GetUserInfo(ctx, userID)
	if statusOf(err) != 401 {
		t.Errorf("admin call without a key: %v; want 401", err)
	}
	// Removing the scope reaches existing keys at once.
	admin, adminID := e.adminWithID()
	if _, err := admin.Admin.GetUserInfo(ctx, userID); err != nil {
		t.Fatal(err)
	}
	if err := e.module.UpdateUserScopes(e.server.NewSession(ctx), adminID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Admin.GetUserInfo(ctx, userID); statusOf(err) != 403 {
		t.Errorf("after the scope was removed: %v; want 403", err)
	}
}

func (e *env) admin() *authclient.Caller {
	c, _ := e.adminWithID()
	return c
}

func (e *env) adminWithID() (*authclient.Caller, int64) {
	e.t.Helper()
	c := e.client()
	email := newEmail("admin")
	u := e.signUp(c, "admin", email, "admin-password")
	if err := e.module.UpdateUserScopes(e.server.NewSession(ctx), *u.ID, []string{pod.ScopeAdmin}); err != nil {
		e.t.Fatal(err)
	}
	r := e.signIn(c, email, "admin-password")
	if len(r.UserInfo.ScopeNames) != 1 {
		e.t.Fatalf("admin's scopes: %v", r.UserInfo.ScopeNames)
	}
	return e.signedInClient(r), *u.ID
}

// TestKeyExpiry: with AuthKeyLifetime, keys stop working that long after
// they were issued; keys 2.4 issued count from when gopod first saw them.
func TestKeyExpiry(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.AuthKeyLifetime = time.Hour })
	_, userID, devices := e.devices(1)
	e.clock.Advance(59 * time.Minute)
	wantLoggedIn(t, "before expiry", devices, true)
	e.clock.Advance(time.Minute)
	wantLoggedIn(t, "at expiry", devices, false)
	if n := e.queryInt(`SELECT count(*) FROM serverpod_auth_key WHERE "userId" = $1`, userID); n != 0 {
		t.Errorf("the expired key is still stored")
	}

	// A key 2.4 issued has no record of its age: it counts from its
	// first use on gopod.
	secret := "0123456789abcdefABCDEF-_xyzXYZ01"
	sum := sha256.Sum256([]byte(testPasswords[auth.PasswordAuthKeySalt] + secret))
	keyID := e.queryInt(`INSERT INTO serverpod_auth_key ("userId", hash, "scopeNames", method) VALUES ($1, $2, '[]', 'email') RETURNING id`,
		e.insert24User(newEmail("oldkey"), vecLegacy), hex.EncodeToString(sum[:]))
	old := fmt.Sprintf("%d:%s", keyID, secret)
	call := func() int {
		status, _ := e.raw("serverpod_auth.user", `{"method":"changeUserName","userName":"x"}`, old)
		return status
	}
	if status := call(); status != 200 {
		t.Fatalf("2.4 key: %d", status)
	}
	if n := e.queryInt(`SELECT count(*) FROM gopod_auth_key_state WHERE "authKeyId" = $1`, keyID); n != 1 {
		t.Fatal("no record of the 2.4 key's first use")
	}
	e.clock.Advance(59 * time.Minute)
	if status := call(); status != 200 {
		t.Fatalf("2.4 key before expiry: %d", status)
	}
	e.clock.Advance(time.Minute)
	if status := call(); status != 401 {
		t.Fatalf("2.4 key after expiry: %d", status)
	}

	// Without the option keys do not expire.
	never := newEnv(t, nil)
	_, _, devices = never.devices(1)
	never.clock.Advance(1000 * time.Hour)
	wantLoggedIn(t, "no expiry", devices, true)
}
