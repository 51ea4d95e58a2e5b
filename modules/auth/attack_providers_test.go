package auth_test

import (
	"crypto/rsa"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
)

// TestAppleTokenReplay replays finding 9: a captured identity token signs
// in once.
func TestAppleTokenReplay(t *testing.T) {
	k1 := testKey(t, 0)
	is := newIssuer(t, false, map[string]*rsa.PrivateKey{"k1": k1})
	e := newEnv(t, func(c *auth.Config) { providers[1].configure(t, c, is.URL()) })
	email := newEmail("replay")
	token := sign(t, k1, "k1", providers[1].claims("replay-sub", email, e.clock.Now()))
	r, err := providers[1].call(e.client(), token, "replay-sub", email)
	if err != nil || !r.Success {
		t.Fatalf("first use: %s, %v", mustJSON(r), err)
	}
	r, err = providers[1].call(e.clientAt(loopbackIP()), token, "replay-sub", email)
	if err != nil || r.Success || *r.FailReason != 0 {
		t.Fatalf("replayed token: %s, %v; want invalidCredentials", mustJSON(r), err)
	}
}

// TestGoogleAuthorizedParty: with several client ids configured, a Google
// ID token must say which of them it was issued to (azp).
func TestGoogleAuthorizedParty(t *testing.T) {
	k1 := testKey(t, 0)
	is := newIssuer(t, false, map[string]*rsa.PrivateKey{"k1": k1})
	e := newEnv(t, func(c *auth.Config) {
		providers[0].configure(t, c, is.URL())
		c.Google.ExtraClientIDs = []string{"ios-client"}
	})
	email := newEmail("azp")
	valid := providers[0].claims("azp-sub", email, e.clock.Now())
	for _, tt := range []struct {
		name string
		azp  any
		ok   bool
	}{
		{"no azp", nil, false},
		{"foreign azp", "someone-else", false},
		{"ios azp", "ios-client", true},
	} {
		claims := with(valid, map[string]any{"azp": tt.azp})
		if tt.azp == nil {
			delete(claims, "azp")
		}
		r, err := providers[0].call(e.client(), sign(t, k1, "k1", claims), "", "")
		if err != nil || r.Success != tt.ok {
			t.Errorf("%s: %s, %v; want success %v", tt.name, mustJSON(r), err, tt.ok)
		}
	}
}

// TestFirebaseRevocation: Firebase is asked, as the service account,
// whether the token's user still exists, is enabled, and has not had their
// tokens revoked since the token's sign-in.
func TestFirebaseRevocation(t *testing.T) {
	k1 := testKey(t, 0)
	is := newIssuer(t, true, map[string]*rsa.PrivateKey{"k1": k1})
	users := newFirebaseUsers(t)
	e := newEnv(t, func(c *auth.Config) {
		c.FirebaseServiceAccountKeyJSON = users.keyFile
		c.Firebase = auth.FirebaseConfig{ProjectID: firebaseProj, CertsURL: is.URL(), IdentityToolkitURL: users.srv.URL}
	})
	c := e.client()
	email := newEmail("revoked")
	uid := "uid-" + email
	signInAt := e.clock.Now().Add(-time.Minute)
	token := func(authTime time.Time) string {
		return sign(t, k1, "k1", with(providers[2].claims(uid, email, e.clock.Now()), map[string]any{"auth_time": authTime.Unix()}))
	}
	try := func(name string, tok string, want int) {
		t.Helper()
		r, err := c.Firebase.Authenticate(ctx, tok)
		switch {
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case want < 0 && !r.Success:
			t.Errorf("%s: %s; want success\n%s", name, mustJSON(r), e.Logs())
		case want >= 0 && (r.Success || int(*r.FailReason) != want):
			t.Errorf("%s: %s; want failReason %d", name, mustJSON(r), want)
		}
	}
	try("active user", token(signInAt), -1)

	users.set(func(f *firebaseUsers) { f.disabled[uid] = true })
	try("disabled user", token(signInAt), 0)
	users.set(func(f *firebaseUsers) { delete(f.disabled, uid); f.validSince[uid] = signInAt.Add(time.Second) })
	try("token from before the revocation", token(signInAt), 0)
	try("token from a sign-in after it", token(signInAt.Add(time.Second)), -1)
	users.set(func(f *firebaseUsers) { f.deleted[uid] = true })
	try("deleted user", token(signInAt.Add(time.Second)), 0)
	users.set(func(f *firebaseUsers) { f.status = 503 })
	try("lookup unavailable", token(signInAt.Add(time.Second)), 2)

	users.set(func(f *firebaseUsers) {
		if f.tokenRequests != 1 || f.lookups != 6 {
			t.Errorf("%d access tokens for %d lookups; want 1 for 6", f.tokenRequests, f.lookups)
		}
	})

	// Without the service account key the check cannot be made: Firebase
	// sign-in is not configured, unless the check is turned off.
	for _, tt := range []struct {
		check auth.Flag
		want  int
	}{{auth.Unset, 2}, {auth.Off, -1}} {
		bare := newEnv(t, func(c *auth.Config) {
			c.FirebaseServiceAccountKeyJSON = filepath.Join(t.TempDir(), "missing.json")
			c.Firebase = auth.FirebaseConfig{ProjectID: firebaseProj, CertsURL: is.URL(), CheckRevoked: tt.check}
		})
		c = bare.client()
		try(fmt.Sprintf("no key file, CheckRevoked %v", tt.check), token(signInAt.Add(time.Second)), tt.want)
	}
}

// TestProviderNamesBounded: the names a provider sign-in stores are
// bounded like those of email sign-ups and ChangeUserName. Apple's come
// from the client (AppleAuthInfo), Firebase's from a profile its user
// edits: without a bound, one sign-in stores a name of most of a request
// in a row that every user list carries.
func TestProviderNamesBounded(t *testing.T) {
	k1 := testKey(t, 0)
	// Identity tokens are at most 16 KiB; the client's fields are only
	// bounded by the request size.
	long, longer := strings.Repeat("Ä", 1500), strings.Repeat("Ä", 60_000)
	for _, p := range []provider{providers[1], providers[2]} {
		t.Run(p.name, func(t *testing.T) {
			is := newIssuer(t, p.x509, map[string]*rsa.PrivateKey{"k1": k1})
			e := newEnv(t, func(c *auth.Config) { p.configure(t, c, is.URL()) })
			email := newEmail("long-" + p.name)
			sub := "long-sub-" + email
			claims := with(p.claims(sub, email, e.clock.Now()), map[string]any{"name": long, "nickname": long})
			token := sign(t, k1, "k1", claims)
			var r authclient.AuthenticationResponse
			var err error
			if p.name == "apple" {
				r, err = e.client().Apple.Authenticate(ctx, authclient.AppleAuthInfo{UserIdentifier: sub, Email: &email,
					FullName: longer, Nickname: longer, IdentityToken: token, AuthorizationCode: "unused"})
			} else {
				r, err = p.call(e.client(), token, sub, email)
			}
			if err != nil || !r.Success {
				t.Fatalf("sign-in with long names: %s, %v\n%s", mustJSON(r), err, e.Logs())
			}
			for _, col := range []string{`"userName"`, `"fullName"`} {
				n := e.queryInt(`SELECT coalesce(char_length(`+col+`), 0) FROM serverpod_user_info WHERE "userIdentifier" = $1`, sub)
				if n > 256 {
					t.Errorf("%s of %d characters stored; names are bounded at 256", col, n)
				}
			}
		})
	}
}

// TestGoogleServerAuthCodeVerifiedAddress: the ID token's email_verified
// vouches for the ID token's address only. A profile whose first address
// is another one, unverified (a victim's, say), must not sign in to the
// account of that address because the token vouched for its own.
func TestGoogleServerAuthCodeVerifiedAddress(t *testing.T) {
	k1 := testKey(t, 0)
	is := newIssuer(t, false, map[string]*rsa.PrivateKey{"k1": k1})
	g := newGoogleServer(t)
	e := newEnv(t, func(c *auth.Config) {
		c.Google = g.config(is)
		c.ImportUserImagesFromGoogleSignIn = auth.Off
	})
	victim := newEmail("gvictim")
	victimUser := e.signUp(e.client(), "v", victim, "victim-password")
	attacker := newEmail("gattacker")
	g.idToken = sign(t, k1, "k1", providers[0].claims("attacker-sub", attacker, e.clock.Now()))
	g.emails = fmt.Sprintf(`[{"value":%q,"metadata":{"verified":false}},{"value":%q,"metadata":{"verified":true}}]`, victim, attacker)
	r, err := e.client().Google.AuthenticateWithServerAuthCode(ctx, "good-code", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Success && *r.UserInfo.ID == *victimUser.ID {
		t.Fatalf("an unverified profile address signed in to its account: %s", mustJSON(r))
	}
	if !r.Success || *r.UserInfo.Email != attacker {
		t.Errorf("sign-in: %s; want the ID token's verified address, %s", mustJSON(r), attacker)
	}
}
