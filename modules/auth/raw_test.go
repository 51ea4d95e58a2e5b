package auth_test

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
	"github.com/gopod/gopod/wire"
)

// rawCase is one call as a Serverpod 2.4 client sends it, and the answer
// 2.4 gives: the status and the exact body, or a regexp when the body
// starts with ^.
type rawCase struct {
	name     string
	endpoint string
	body     string
	key      string
	status   int
	want     string
}

func runRaw(t *testing.T, e *env, cases []rawCase) {
	t.Helper()
	for _, c := range cases {
		status, body := e.raw(c.endpoint, c.body, c.key)
		ok := status == c.status
		if strings.HasPrefix(c.want, "^") {
			ok = ok && regexp.MustCompile(c.want).MatchString(body)
		} else {
			ok = ok && body == c.want
		}
		if !ok {
			t.Errorf("%s: %d %s\nwant %d %s", c.name, status, body, c.status, c.want)
		}
	}
}

const userRE = `\{"id":\d+,"userIdentifier":"[^"]+","userName":"[^"]+",("fullName":"[^"]*",)?"email":"[^"]+","created":"[^"]+Z","imageUrl":"[^"]+","scopeNames":\[[^\]]*\],"blocked":(true|false)\}`

// TestStatusUserAdminRawJSON calls the status, user and admin endpoints as
// 2.4 clients do.
func TestStatusUserAdminRawJSON(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	email := newEmail("rawstatus")
	u := e.signUp(c, "raw", email, "raw-status-password")
	key := keyOf(e.signIn(c, email, "raw-status-password"))
	other := keyOf(e.signIn(c, email, "raw-status-password"))
	admin, _ := e.adminWithIDKey()
	id := *u.ID

	runRaw(t, e, []rawCase{
		{"isSignedIn without a key", "serverpod_auth.status", `{"method":"isSignedIn"}`, "", 200, "false"},
		{"isSignedIn", "serverpod_auth.status", `{"method":"isSignedIn"}`, key, 200, "true"},
		{"isSignedIn with a wrong key", "serverpod_auth.status", `{"method":"isSignedIn"}`, "1:wrong", 200, "false"},
		{"getUserInfo without a key", "serverpod_auth.status", `{"method":"getUserInfo"}`, "", 200, "null"},
		{"getUserInfo", "serverpod_auth.status", `{"method":"getUserInfo"}`, key, 200, "^" + userRE + "$"},
		{"getUserSettingsConfig", "serverpod_auth.status", `{"method":"getUserSettingsConfig"}`, "", 200,
			`{"canSeeUserName":true,"canSeeFullName":true,"canEditUserName":true,"canEditFullName":false,"canEditUserImage":true}`},

		{"changeUserName without a key", "serverpod_auth.user", `{"method":"changeUserName","userName":"x"}`, "", 401, ""},
		{"changeUserName", "serverpod_auth.user", `{"method":"changeUserName","userName":"renamed"}`, key, 200, "true"},
		{"changeUserName empty", "serverpod_auth.user", `{"method":"changeUserName","userName":"  "}`, key, 200, "false"},
		{"changeFullName (off by default)", "serverpod_auth.user", `{"method":"changeFullName","fullName":"Full"}`, key, 200, "false"},
		{"removeUserImage", "serverpod_auth.user", `{"method":"removeUserImage"}`, key, 200, "true"},
		{"setUserImage with no image", "serverpod_auth.user", `{"method":"setUserImage","image":"decode('AAEC', 'base64')"}`, key, 200, "false"},

		{"admin without a key", "serverpod_auth.admin", fmt.Sprintf(`{"method":"getUserInfo","userId":%d}`, id), "", 401, ""},
		{"admin without the scope", "serverpod_auth.admin", fmt.Sprintf(`{"method":"getUserInfo","userId":%d}`, id), key, 403, ""},
		{"admin getUserInfo", "serverpod_auth.admin", fmt.Sprintf(`{"method":"getUserInfo","userId":%d}`, id), admin, 200,
			fmt.Sprintf(`^\{"id":%d,"userIdentifier":"%s","userName":"renamed",.*"blocked":false\}$`, id, regexp.QuoteMeta(email))},
		{"admin getUserInfo of nobody", "serverpod_auth.admin", `{"method":"getUserInfo","userId":99999999}`, admin, 200, "null"},
		{"blockUser", "serverpod_auth.admin", fmt.Sprintf(`{"method":"blockUser","userId":%d}`, id), admin, 200, "null"},
		{"blocked user's key", "serverpod_auth.status", `{"method":"isSignedIn"}`, other, 200, "false"},
		// 2.4 answered 500; a 2.4 client sees either as an exception.
		// A server tags a module's classes with the module's name, as
		// 2.4's project protocols do.
		{"blockUser again", "serverpod_auth.admin", fmt.Sprintf(`{"method":"blockUser","userId":%d}`, id), admin, 400,
			fmt.Sprintf(`{"className":"serverpod_auth.AdminException","data":{"reason":"alreadyBlocked","userId":%d}}`, id)},
		{"sign-in while blocked", "serverpod_auth.email", fmt.Sprintf(`{"method":"authenticate","email":%q,"password":"raw-status-password"}`, email), "", 200, `{"success":false,"failReason":4}`},
		{"unblockUser", "serverpod_auth.admin", fmt.Sprintf(`{"method":"unblockUser","userId":%d}`, id), admin, 200, "null"},
		{"userId as a string", "serverpod_auth.admin", `{"method":"getUserInfo","userId":"1"}`, admin, 400, "^.*userId"},
	})

	// A fresh sign-in, then sign-out of this device through 2.4's JSON.
	key = keyOf(e.signIn(c, email, "raw-status-password"))
	runRaw(t, e, []rawCase{
		{"signOutDevice", "serverpod_auth.status", `{"method":"signOutDevice"}`, key, 200, "null"},
		{"after signOutDevice", "serverpod_auth.status", `{"method":"isSignedIn"}`, key, 200, "false"},
		{"user call after signOutDevice", "serverpod_auth.user", `{"method":"removeUserImage"}`, key, 401, ""},
	})
	status, _ := e.rawHeader("serverpod_auth.status", `{"method":"isSignedIn"}`, "Basic not base64!")
	if status != 400 {
		t.Errorf("a malformed Basic header answered %d, want 400", status)
	}
}

func (e *env) adminWithIDKey() (string, int64) {
	e.t.Helper()
	c := e.client()
	email := newEmail("rawadmin")
	u := e.signUp(c, "admin", email, "admin-password")
	if err := e.module.UpdateUserScopes(e.server.NewSession(ctx), *u.ID, []string{"serverpod.admin"}); err != nil {
		e.t.Fatal(err)
	}
	return keyOf(e.signIn(c, email, "admin-password")), *u.ID
}

// TestProvidersRawJSON calls the third-party endpoints as 2.4 clients do.
func TestProvidersRawJSON(t *testing.T) {
	k1 := testKey(t, 0)
	jwks := newIssuer(t, false, map[string]*rsa.PrivateKey{"k1": k1})
	certs := newIssuer(t, true, map[string]*rsa.PrivateKey{"k1": k1})
	e := newEnv(t, func(c *auth.Config) {
		providers[0].configure(t, c, jwks.URL())
		providers[1].configure(t, c, jwks.URL())
		providers[2].configure(t, c, certs.URL())
	})
	now := e.clock.Now()
	gEmail, aEmail, fEmail := newEmail("rawgoogle"), newEmail("rawapple"), newEmail("rawfirebase")
	google := sign(t, k1, "k1", providers[0].claims("g-"+gEmail, gEmail, now))
	apple := sign(t, k1, "k1", providers[1].claims("a-"+aEmail, aEmail, now))
	firebase := sign(t, k1, "k1", providers[2].claims("f-"+fEmail, fEmail, now))
	appleInfo := func(sub, token string) string {
		b, _ := json.Marshal(map[string]any{"userIdentifier": sub, "email": aEmail, "fullName": "Ap Ple",
			"nickname": "Ap", "identityToken": token, "authorizationCode": "x"})
		return string(b)
	}
	success := `^\{"success":true,"key":"[A-Za-z0-9_-]{32}","keyId":\d+,"userInfo":\{"id":\d+,.*\}\}$`
	invalid := `{"success":false,"failReason":0}`
	runRaw(t, e, []rawCase{
		{"google idToken", "serverpod_auth.google", fmt.Sprintf(`{"method":"authenticateWithIdToken","idToken":%q}`, google), "", 200, success},
		{"google bad idToken", "serverpod_auth.google", `{"method":"authenticateWithIdToken","idToken":"x.y.z"}`, "", 200, invalid},
		{"apple", "serverpod_auth.apple", fmt.Sprintf(`{"method":"authenticate","authInfo":%s}`, appleInfo("a-"+aEmail, apple)), "", 200, success},
		{"apple wrong subject", "serverpod_auth.apple", fmt.Sprintf(`{"method":"authenticate","authInfo":%s}`, appleInfo("other", apple)), "", 200, invalid},
		{"apple missing field", "serverpod_auth.apple", `{"method":"authenticate","authInfo":{"userIdentifier":"x"}}`, "", 400, "^.*"},
		{"firebase", "serverpod_auth.firebase", fmt.Sprintf(`{"method":"authenticate","idToken":%q}`, firebase), "", 200, success},
		{"firebase bad token", "serverpod_auth.firebase", `{"method":"authenticate","idToken":"nope"}`, "", 200, invalid},
	})
}

// TestModuleClassNames decodes a module exception as the server sends it
// both with the module's own registry and through a project's, which
// reaches the module by its prefix.
func TestModuleClassNames(t *testing.T) {
	body := `{"className":"serverpod_auth.AdminException","data":{"reason":"notBlocked","userId":7}}`
	project := wire.NewRegistry()
	project.AddModule("serverpod_auth", authclient.Registry())
	for name, r := range map[string]*wire.Registry{"module": authclient.Registry(), "project": project} {
		v, err := wire.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.DecodeTagged(v)
		exc, ok := got.(*authclient.AdminException)
		if err != nil || !ok || exc.Reason != authclient.AdminExceptionReasonNotBlocked || exc.UserID != 7 {
			t.Errorf("%s registry: %#v, %v; want the AdminException", name, got, err)
		}
	}
	if got := (&authclient.AdminException{}).ClassName(); got != "serverpod_auth.AdminException" {
		t.Errorf("ClassName() = %q, want serverpod_auth.AdminException", got)
	}
}
