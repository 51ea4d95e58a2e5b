package auth_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // decodes stored user images
	"image/png"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
)

var (
	rsaOnce sync.Once
	rsaKeys []*rsa.PrivateKey
)

// testKey returns one of three real 2048-bit RSA keys, made once per run.
func testKey(t testing.TB, i int) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys = append(rsaKeys, k)
		}
	})
	return rsaKeys[i]
}

// issuer is a local stand-in for a provider's key endpoint: a JWK set
// (Google, Apple) or a map of X.509 certificates (Firebase).
type issuer struct {
	t      testing.TB
	srv    *httptest.Server
	x509   bool
	mu     sync.Mutex
	keys   map[string]*rsa.PrivateKey
	status int
}

func newIssuer(t testing.TB, x509Map bool, keys map[string]*rsa.PrivateKey) *issuer {
	is := &issuer{t: t, x509: x509Map, keys: keys, status: 200}
	is.srv = httptest.NewServer(http.HandlerFunc(is.serve))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) URL() string { return is.srv.URL + "/keys" }

func (is *issuer) set(keys map[string]*rsa.PrivateKey, status int) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys, is.status = keys, status
}

func (is *issuer) serve(w http.ResponseWriter, r *http.Request) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.status != 200 {
		http.Error(w, "unavailable", is.status)
		return
	}
	var body any
	if is.x509 {
		m := map[string]string{}
		for kid, k := range is.keys {
			m[kid] = certPEM(is.t, k)
		}
		body = m
	} else {
		var set jose.JSONWebKeySet
		for kid, k := range is.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"})
		}
		body = set
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	json.NewEncoder(w).Encode(body)
}

func certPEM(t testing.TB, k *rsa.PrivateKey) string {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "securetoken.system.gserviceaccount.com"},
		NotBefore:    time.Now().Add(-24 * time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// sign makes an RS256 JWT.
func sign(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func with(claims map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

const (
	googleClientID = "test-web-client.apps.googleusercontent.com"
	appleBundleID  = "dev.gopod.test"
	firebaseProj   = "gopod-test"
)

// provider describes one third-party sign-in for the shared token tests.
type provider struct {
	name      string
	x509      bool
	configure func(t testing.TB, c *auth.Config, keysURL string)
	// claims returns valid claims for subject/email at now.
	claims func(sub, email string, now time.Time) map[string]any
	// call signs in with a token.
	call func(c *authclient.Caller, token, sub, email string) (authclient.AuthenticationResponse, error)
}

var providers = []provider{
	{
		name: "google",
		configure: func(_ testing.TB, c *auth.Config, keysURL string) {
			c.Google = auth.GoogleConfig{ClientID: googleClientID, ClientSecret: "s", CertsURL: keysURL}
		},
		claims: func(sub, email string, now time.Time) map[string]any {
			return map[string]any{"iss": "https://accounts.google.com", "aud": googleClientID, "azp": googleClientID,
				"sub": sub, "email": email, "email_verified": true, "name": "Goo Gle", "given_name": "Goo",
				"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		},
		call: func(c *authclient.Caller, token, _, _ string) (authclient.AuthenticationResponse, error) {
			return c.Google.AuthenticateWithIdToken(ctx, token)
		},
	},
	{
		name: "apple",
		configure: func(_ testing.TB, c *auth.Config, keysURL string) {
			c.Apple = auth.AppleConfig{Audiences: []string{appleBundleID}, KeysURL: keysURL}
		},
		claims: func(sub, email string, now time.Time) map[string]any {
			return map[string]any{"iss": "https://appleid.apple.com", "aud": appleBundleID, "sub": sub,
				"email": email, "email_verified": "true", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		},
		call: func(c *authclient.Caller, token, sub, email string) (authclient.AuthenticationResponse, error) {
			return c.Apple.Authenticate(ctx, authclient.AppleAuthInfo{UserIdentifier: sub, Email: &email,
				FullName: "Ap Ple", Nickname: "Ap", IdentityToken: token, AuthorizationCode: "unused"})
		},
	},
	{
		name: "firebase",
		x509: true,
		configure: func(t testing.TB, c *auth.Config, keysURL string) {
			users := newFirebaseUsers(t)
			c.FirebaseServiceAccountKeyJSON = users.keyFile
			c.Firebase = auth.FirebaseConfig{ProjectID: firebaseProj, CertsURL: keysURL, IdentityToolkitURL: users.srv.URL}
		},
		claims: func(sub, email string, now time.Time) map[string]any {
			return map[string]any{"iss": "https://securetoken.google.com/" + firebaseProj, "aud": firebaseProj,
				"sub": sub, "user_id": sub, "auth_time": now.Add(-time.Minute).Unix(), "email": email, "email_verified": true,
				"name": "Fire Base", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
				"firebase": map[string]any{"sign_in_provider": "password", "identities": map[string]any{}}}
		},
		call: func(c *authclient.Caller, token, _, _ string) (authclient.AuthenticationResponse, error) {
			return c.Firebase.Authenticate(ctx, token)
		},
	},
}

// TestProviderTokens runs the token checks of every provider through its
// endpoint, against a local issuer with real RSA keys.
func TestProviderTokens(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			k1, k2, rogue := testKey(t, 0), testKey(t, 1), testKey(t, 2)
			is := newIssuer(t, p.x509, map[string]*rsa.PrivateKey{"k1": k1})
			e := newEnv(t, func(c *auth.Config) { p.configure(t, c, is.URL()) })
			c := e.client()
			sub := "sub-" + newEmail(p.name)
			email := newEmail(p.name)
			now := e.clock.Now()
			valid := p.claims(sub, email, now)

			r, err := p.call(c, sign(t, k1, "k1", valid), sub, email)
			if err != nil || !r.Success || r.UserInfo == nil || *r.UserInfo.Email != email {
				t.Fatalf("valid token: %s, %v\n%s", mustJSON(r), err, e.Logs())
			}
			userID := *r.UserInfo.ID
			loggedIn(t, e.signedInClient(r))
			// Signing in again (with a new token) finds the same user.
			r, _ = p.call(c, sign(t, k1, "k1", with(valid, map[string]any{"iat": now.Unix() - 1})), sub, email)
			if !r.Success || *r.UserInfo.ID != userID {
				t.Fatalf("second sign-in: %s", mustJSON(r))
			}

			refused := []struct {
				name  string
				token string
			}{
				{"expired", sign(t, k1, "k1", with(valid, map[string]any{"iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix()}))},
				{"wrong audience", sign(t, k1, "k1", with(valid, map[string]any{"aud": "someone-else"}))},
				{"wrong issuer", sign(t, k1, "k1", with(valid, map[string]any{"iss": "https://evil.example"}))},
				{"bad signature", sign(t, rogue, "k1", valid)},
				{"unknown key id", sign(t, rogue, "rogue", valid)},
				{"not a token", "not.a.token"},
			}
			for _, tt := range refused {
				r, err := p.call(c, tt.token, sub, email)
				if err != nil || r.Success || r.FailReason == nil || *r.FailReason != 0 {
					t.Errorf("%s: %s, %v; want invalidCredentials", tt.name, mustJSON(r), err)
				}
			}

			// The provider rotates its keys: a token with the new key id
			// makes the server fetch them again.
			is.set(map[string]*rsa.PrivateKey{"k2": k2}, 200)
			e.clock.Advance(2 * time.Minute)
			valid = p.claims(sub, email, e.clock.Now())
			if r, err := p.call(c, sign(t, k2, "k2", valid), sub, email); err != nil || !r.Success {
				t.Errorf("after key rotation: %s, %v\n%s", mustJSON(r), err, e.Logs())
			}

			// Blocked users are refused.
			if err := e.module.BlockUser(e.server.NewSession(ctx), userID); err != nil {
				t.Fatal(err)
			}
			if r, _ := p.call(c, sign(t, k2, "k2", valid), sub, email); r.Success || *r.FailReason != 4 {
				t.Errorf("blocked user: %s; want failReason 4", mustJSON(r))
			}

			// The provider's key endpoint failing is an internal error.
			is.set(nil, 503)
			e.clock.Advance(2 * time.Hour)
			valid = p.claims(sub, email, e.clock.Now())
			if r, _ := p.call(c, sign(t, k2, "k2", valid), sub, email); r.Success || *r.FailReason != 2 {
				t.Errorf("keys unavailable: %s; want failReason 2", mustJSON(r))
			}
		})
	}
}

// TestProviderLinking: a provider's address links to an existing account
// only when the provider says it is verified.
func TestProviderLinking(t *testing.T) {
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			k1 := testKey(t, 0)
			is := newIssuer(t, p.x509, map[string]*rsa.PrivateKey{"k1": k1})
			e := newEnv(t, func(c *auth.Config) { p.configure(t, c, is.URL()) })
			c := e.client()
			email := newEmail("linked-" + p.name)
			existing := e.signUp(c, "existing", email, "existing-password")
			sub := "sub-" + email

			unverified := with(p.claims(sub, email, e.clock.Now()), map[string]any{"email_verified": false})
			r, err := p.call(c, sign(t, k1, "k1", unverified), sub, email)
			if err != nil {
				t.Fatal(err)
			}
			if r.Success && *r.UserInfo.ID == *existing.ID {
				t.Fatalf("an unverified %s address signed into the existing account", p.name)
			}
			if p.name != "apple" && r.Success {
				t.Fatalf("unverified address: %s; want a refusal", mustJSON(r))
			}
			if p.name == "apple" {
				// Apple's subject is its own account: a new user, not the
				// existing one. Start over with another subject.
				sub = "sub2-" + email
			}
			r, err = p.call(c, sign(t, k1, "k1", p.claims(sub, email, e.clock.Now())), sub, email)
			if err != nil || !r.Success || *r.UserInfo.ID != *existing.ID {
				t.Fatalf("verified address: %s, %v; want the existing user %d", mustJSON(r), err, *existing.ID)
			}
		})
	}
}

func TestAppleChecks(t *testing.T) {
	k1 := testKey(t, 0)
	is := newIssuer(t, false, map[string]*rsa.PrivateKey{"k1": k1})
	e := newEnv(t, func(c *auth.Config) { providers[1].configure(t, c, is.URL()) })
	c := e.client()
	email := newEmail("apple")
	token := sign(t, k1, "k1", providers[1].claims("apple-sub", email, e.clock.Now()))
	call := func(sub, clientEmail string) authclient.AuthenticationResponse {
		r, err := providers[1].call(c, token, sub, clientEmail)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := call("someone-else", email); r.Success {
		t.Error("a token for another subject signed in")
	}
	if r := call("apple-sub", newEmail("other")); r.Success {
		t.Error("a client email that differs from the token's signed in")
	}
	r := call("apple-sub", email)
	if !r.Success || *r.UserInfo.UserName != "Ap" || *r.UserInfo.FullName != "Ap Ple" || r.UserInfo.UserIdentifier != "apple-sub" {
		t.Errorf("apple sign-in: %s", mustJSON(r))
	}

	// Without a configured audience Apple sign-in cannot be verified.
	bare := newEnv(t, nil)
	r, err := providers[1].call(bare.client(), token, "apple-sub", email)
	if err != nil || r.Success || *r.FailReason != 2 {
		t.Errorf("apple without audiences: %s, %v; want internalError", mustJSON(r), err)
	}
}

// googleServer is a stand-in for Google's token endpoint, People API and
// profile photo host.
type googleServer struct {
	srv     *httptest.Server
	idToken string
	photo   []byte
	email   string
	// emails, when set, is the People API's emailAddresses (JSON) in
	// place of email, verified.
	emails string
}

// config is the module's Google configuration for the server auth code
// flow against g, with ID tokens signed by is.
func (g *googleServer) config(is *issuer) auth.GoogleConfig {
	return auth.GoogleConfig{ClientID: googleClientID, ClientSecret: "web-secret",
		RedirectURIs: []string{"https://app.example/redirect"}, CertsURL: is.URL(),
		TokenURL: g.srv.URL + "/token", PeopleURL: g.srv.URL + "/people"}
}

func newGoogleServer(t *testing.T) *googleServer {
	g := &googleServer{}
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	png.Encode(&buf, img)
	g.photo = buf.Bytes()
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/token":
			r.ParseForm()
			if r.Form.Get("code") != "good-code" || r.Form.Get("client_secret") != "web-secret" || r.Form.Get("redirect_uri") != "https://app.example/redirect" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Bad Request"}`)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": "access-1", "token_type": "Bearer", "expires_in": 3599,
				"refresh_token": "refresh-1", "id_token": g.idToken, "scope": "email profile"})
		case "/people":
			if r.Header.Get("Authorization") != "Bearer access-1" {
				w.WriteHeader(401)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			emails := fmt.Sprintf(`[{"value":%q,"metadata":{"verified":true}}]`, g.email)
			if g.emails != "" {
				emails = g.emails
			}
			fmt.Fprintf(w, `{"names":[{"displayName":"Goo Gle","givenName":"Goo"}],"photos":[{"url":%q}],"emailAddresses":%s}`,
				g.srv.URL+"/photo/s100", emails)
		case "/photo/s64":
			w.Header().Set("Content-Type", "image/png")
			w.Write(g.photo)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// TestGoogleServerAuthCode: the code is exchanged with the client secret,
// the profile read, the photo imported at the configured size and the
// refresh token stored.
func TestGoogleServerAuthCode(t *testing.T) {
	k1 := testKey(t, 0)
	is := newIssuer(t, false, map[string]*rsa.PrivateKey{"k1": k1})
	g := newGoogleServer(t)
	e := newEnv(t, func(c *auth.Config) {
		c.Google = g.config(is)
		c.UserImageSize = 64
	})
	g.email = newEmail("googlecode")
	g.idToken = sign(t, k1, "k1", providers[0].claims("google-sub", g.email, e.clock.Now()))
	c := e.client()

	if r, err := c.Google.AuthenticateWithServerAuthCode(ctx, "bad-code", nil); err != nil || r.Success || *r.FailReason != 0 {
		t.Fatalf("bad code: %s, %v", mustJSON(r), err)
	}
	r, err := c.Google.AuthenticateWithServerAuthCode(ctx, "good-code", nil)
	if err != nil || !r.Success {
		t.Fatalf("good code: %s, %v\n%s", mustJSON(r), err, e.Logs())
	}
	u := r.UserInfo
	if *u.UserName != "Goo" || *u.FullName != "Goo Gle" || *u.Email != g.email || u.ImageURL == nil {
		t.Errorf("google user: %s", mustJSON(u))
	}
	img := fetchImage(t, *u.ImageURL)
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 64 {
		t.Errorf("imported photo is %v, want 64×64", b)
	}
	creds := e.queryString(`SELECT "refreshToken" FROM serverpod_google_refresh_token WHERE "userId" = $1`, *u.ID)
	if !strings.Contains(creds, `"refreshToken":"refresh-1"`) {
		t.Errorf("stored credentials: %s", creds)
	}
	redirect := "https://elsewhere.example/cb"
	if r, _ := c.Google.AuthenticateWithServerAuthCode(ctx, "good-code", &redirect); r.Success {
		t.Error("a code exchanged with another redirect URI signed in")
	}

	// With image import off, the user gets the default image.
	off := newEnv(t, func(c *auth.Config) {
		c.Google = g.config(is)
		c.ImportUserImagesFromGoogleSignIn = auth.Off
		c.UserImageFormat = auth.PNG
	})
	g.email = newEmail("noimport")
	g.idToken = sign(t, k1, "k1", providers[0].claims("google-sub2", g.email, off.clock.Now()))
	r, err = off.client().Google.AuthenticateWithServerAuthCode(ctx, "good-code", nil)
	if err != nil || !r.Success || r.UserInfo.ImageURL == nil {
		t.Fatalf("%s, %v", mustJSON(r), err)
	}
	if !strings.HasSuffix(*r.UserInfo.ImageURL, ".png") {
		t.Errorf("image %s; want the default PNG", *r.UserInfo.ImageURL)
	}
	if bytes.Equal(fetchBytes(t, *r.UserInfo.ImageURL), g.photo) {
		t.Error("the photo was imported with the import off")
	}

	// Not configured: internalError, not 500.
	bare := newEnv(t, func(c *auth.Config) { c.Google.ClientSecretFile = "testdata/no-such-file.json" })
	if r, err := bare.client().Google.AuthenticateWithIdToken(ctx, "x"); err != nil || r.Success || *r.FailReason != 2 {
		t.Errorf("google without a client secret: %s, %v", mustJSON(r), err)
	}
}

func fetchBytes(t *testing.T, u string) []byte {
	t.Helper()
	if _, err := url.Parse(u); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return buf.Bytes()
}

func fetchImage(t *testing.T, u string) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(fetchBytes(t, u)))
	if err != nil {
		t.Fatalf("decoding %s: %v", u, err)
	}
	return img
}
