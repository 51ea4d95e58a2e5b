package idtoken

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	webClientID = "1234-web.apps.googleusercontent.com"
	iosClientID = "1234-ios.apps.googleusercontent.com"
)

func googleClaims() map[string]any {
	return map[string]any{
		"iss":            "https://accounts.google.com",
		"azp":            iosClientID,
		"aud":            webClientID,
		"sub":            "110169484474386276334",
		"email":          "ada@example.com",
		"email_verified": true,
		"name":           "Ada Lovelace",
		"given_name":     "Ada",
		"family_name":    "Lovelace",
		"picture":        "https://lh3.googleusercontent.com/a/photo=s96-c",
		"locale":         "en",
		"iat":            t0.Add(-time.Minute).Unix(),
		"exp":            t0.Add(59 * time.Minute).Unix(),
	}
}

func newGoogle(t *testing.T, is *issuer, c *clock) *Verifier {
	t.Helper()
	v, err := NewGoogle([]string{webClientID, iosClientID}, Config{KeysURL: is.URL(), HTTPClient: is.srv.Client(), Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGoogle(t *testing.T) {
	k1, other := rsaKey(t, 0), rsaKey(t, 1)
	is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{"k1": k1})
	v := newGoogle(t, is, newClock())
	base := googleClaims()

	hsKey := x509.MarshalPKCS1PublicKey(&k1.PublicKey) // the classic alg-confusion secret
	hs256 := signWith(t, jose.SigningKey{Algorithm: jose.HS256, Key: hsKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"), base)
	valid := sign(t, k1, "k1", base)
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + strings.Split(sign(t, k1, "k1", with(base, map[string]any{"sub": "attacker"})), ".")[1] + "." + parts[2]

	tests := []struct {
		name    string
		token   string
		nonce   string
		wantErr error
	}{
		{"valid", valid, "", nil},
		{"issuer without https", sign(t, k1, "k1", with(base, map[string]any{"iss": "accounts.google.com"})), "", nil},
		{"audience array with a configured id", sign(t, k1, "k1", with(base, map[string]any{"aud": []string{"someone-else", iosClientID}})), "", nil},
		{"expired within leeway", sign(t, k1, "k1", with(base, map[string]any{"exp": t0.Add(-10 * time.Second).Unix()})), "", nil},
		{"expired", sign(t, k1, "k1", with(base, map[string]any{"exp": t0.Add(-time.Hour).Unix()})), "", ErrExpired},
		{"issued in the future", sign(t, k1, "k1", with(base, map[string]any{"iat": t0.Add(5 * time.Minute).Unix()})), "", ErrNotYetValid},
		{"not yet valid", sign(t, k1, "k1", with(base, map[string]any{"nbf": t0.Add(5 * time.Minute).Unix()})), "", ErrNotYetValid},
		{"wrong audience", sign(t, k1, "k1", with(base, map[string]any{"aud": "other-app.apps.googleusercontent.com"})), "", ErrAudience},
		{"wrong issuer", sign(t, k1, "k1", with(base, map[string]any{"iss": "https://evil.example"})), "", ErrIssuer},
		{"bad signature", sign(t, other, "k1", base), "", ErrSignature},
		{"tampered payload", tampered, "", ErrSignature},
		{"unknown key id", sign(t, k1, "k9", base), "", ErrUnknownKey},
		{"no key id", sign(t, k1, "", base), "", ErrMalformed},
		{"alg none", unsigned(map[string]any{"alg": "none", "kid": "k1"}, base), "", ErrAlgorithm},
		{"alg HS256 keyed with the public key", hs256, "", ErrAlgorithm},
		{"missing exp", sign(t, k1, "k1", with(base, map[string]any{"exp": nil})), "", ErrClaims},
		{"missing iat", sign(t, k1, "k1", with(base, map[string]any{"iat": nil})), "", ErrClaims},
		{"missing sub", sign(t, k1, "k1", with(base, map[string]any{"sub": nil})), "", ErrClaims},
		{"exp not a number", sign(t, k1, "k1", with(base, map[string]any{"exp": "tomorrow"})), "", ErrClaims},
		{"nonce expected and equal", sign(t, k1, "k1", with(base, map[string]any{"nonce": "n-0S6_WzA2Mj"})), "n-0S6_WzA2Mj", nil},
		{"nonce expected, other sent", sign(t, k1, "k1", with(base, map[string]any{"nonce": "replayed"})), "n-0S6_WzA2Mj", ErrNonce},
		{"nonce expected, none sent", valid, "n-0S6_WzA2Mj", ErrNonce},
		{"not a JWT", "hello", "", ErrMalformed},
		{"garbage parts", "a.b.c", "", ErrMalformed},
		{"oversized", strings.Repeat("a", maxTokenBytes+1), "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tt.token, tt.nonce)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.Subject != "110169484474386276334" || c.Email != "ada@example.com" {
					t.Errorf("claims = %+v", c)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify err = %v, want %v and ErrInvalidToken", err, tt.wantErr)
			}
			if c != nil {
				t.Errorf("claims returned with an error")
			}
		})
	}
}

func TestGoogleClaims(t *testing.T) {
	k1 := rsaKey(t, 0)
	is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{"k1": k1})
	v := newGoogle(t, is, newClock())
	tok := sign(t, k1, "k1", with(googleClaims(), map[string]any{"email_verified": false, "hd": "example.com"}))
	c, err := v.Verify(context.Background(), tok, "")
	if err != nil {
		t.Fatal(err)
	}
	want := Claims{
		Issuer: "https://accounts.google.com", Subject: "110169484474386276334",
		Audience: []string{webClientID}, AuthorizedParty: iosClientID,
		Expiry: t0.Add(59 * time.Minute), IssuedAt: t0.Add(-time.Minute),
		Email: "ada@example.com", EmailVerified: false,
		Name: "Ada Lovelace", GivenName: "Ada", FamilyName: "Lovelace",
		Picture: "https://lh3.googleusercontent.com/a/photo=s96-c", Locale: "en", HostedDomain: "example.com",
	}
	got := *c
	got.Raw = nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("claims\n got %+v\nwant %+v", got, want)
	}
	if string(c.Raw["email_verified"]) != "false" {
		t.Errorf("Raw[email_verified] = %s", c.Raw["email_verified"])
	}
}

func appleClaims() map[string]any {
	return map[string]any{
		"iss":              AppleIssuer,
		"aud":              "dev.gopod.example",
		"sub":              "001234.abcdef0123456789.1234",
		"email":            "x7k2@privaterelay.appleid.com",
		"email_verified":   "true",
		"is_private_email": "true",
		"nonce":            "hashed-nonce",
		"nonce_supported":  true,
		"auth_time":        t0.Add(-time.Minute).Unix(),
		"iat":              t0.Add(-time.Minute).Unix(),
		"exp":              t0.Add(10 * time.Minute).Unix(),
	}
}

func TestApple(t *testing.T) {
	k := rsaKey(t, 2)
	is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{"W6WcOKB": k})
	v, err := NewApple([]string{"dev.gopod.example", "dev.gopod.example.web"}, Config{KeysURL: is.URL(), HTTPClient: is.srv.Client(), Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	base := appleClaims()
	c, err := v.Verify(context.Background(), sign(t, k, "W6WcOKB", base), "hashed-nonce")
	if err != nil {
		t.Fatal(err)
	}
	if !c.EmailVerified || !c.IsPrivateEmail || c.Email != "x7k2@privaterelay.appleid.com" || c.Subject != "001234.abcdef0123456789.1234" {
		t.Errorf("claims = %+v", c)
	}
	c, err = v.Verify(context.Background(), sign(t, k, "W6WcOKB", with(base, map[string]any{"email_verified": false, "is_private_email": nil})), "")
	if err != nil || c.EmailVerified || c.IsPrivateEmail {
		t.Errorf("boolean claims: %+v, %v", c, err)
	}
	for _, tt := range []struct {
		name    string
		changes map[string]any
		wantErr error
	}{
		{"Google issuer", map[string]any{"iss": "https://accounts.google.com"}, ErrIssuer},
		{"token for another app", map[string]any{"aud": "com.other.app"}, ErrAudience},
		{"expired", map[string]any{"exp": t0.Add(-24 * time.Hour).Unix()}, ErrExpired},
		{"replayed nonce", map[string]any{"nonce": "other"}, ErrNonce},
		{"odd boolean", map[string]any{"email_verified": "yes"}, ErrClaims},
	} {
		_, err := v.Verify(context.Background(), sign(t, k, "W6WcOKB", with(base, tt.changes)), "hashed-nonce")
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
}

func firebaseClaims() map[string]any {
	return map[string]any{
		"iss":            "https://securetoken.google.com/gopod-demo",
		"aud":            "gopod-demo",
		"sub":            "kd8Zr3BQ1ZbS4FLrOUOWs8VHxsF2",
		"user_id":        "kd8Zr3BQ1ZbS4FLrOUOWs8VHxsF2",
		"email":          "grace@example.com",
		"email_verified": false,
		"name":           "Grace Hopper",
		"auth_time":      t0.Add(-time.Hour).Unix(),
		"iat":            t0.Add(-time.Minute).Unix(),
		"exp":            t0.Add(59 * time.Minute).Unix(),
		"firebase": map[string]any{
			"sign_in_provider": "password",
			"identities":       map[string]any{"email": []string{"grace@example.com"}},
		},
	}
}

func TestFirebase(t *testing.T) {
	k := rsaKey(t, 1)
	is := newIssuer(t, X509Map, map[string]*rsa.PrivateKey{"a1b2c3": k})
	is.cacheControl = "public, max-age=22176, must-revalidate, no-transform"
	v, err := NewFirebase("gopod-demo", Config{KeysURL: is.URL(), HTTPClient: is.srv.Client(), Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	base := firebaseClaims()
	c, err := v.Verify(context.Background(), sign(t, k, "a1b2c3", base), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.EmailVerified || c.FirebaseSignInProvider != "password" || c.AuthTime != t0.Add(-time.Hour) || c.Name != "Grace Hopper" {
		t.Errorf("claims = %+v", c)
	}
	for _, tt := range []struct {
		name    string
		changes map[string]any
		wantErr error
	}{
		{"other project issuer", map[string]any{"iss": "https://securetoken.google.com/other"}, ErrIssuer},
		{"other project audience", map[string]any{"aud": "other"}, ErrAudience},
		{"extra audience", map[string]any{"aud": []string{"gopod-demo", "other"}}, ErrAudience},
		{"sub too long", map[string]any{"sub": strings.Repeat("u", 129)}, ErrClaims},
		{"sub empty", map[string]any{"sub": ""}, ErrClaims},
		{"auth_time missing", map[string]any{"auth_time": nil}, ErrClaims},
		{"auth_time in the future", map[string]any{"auth_time": t0.Add(time.Hour).Unix()}, ErrNotYetValid},
		{"expired", map[string]any{"exp": t0.Add(-time.Hour).Unix()}, ErrExpired},
	} {
		_, err := v.Verify(context.Background(), sign(t, k, "a1b2c3", with(base, tt.changes)), "")
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if _, err := v.Verify(context.Background(), sign(t, k, "a1b2c3", with(base, map[string]any{"sub": strings.Repeat("u", 128)})), ""); err != nil {
		t.Errorf("128-character sub: %v", err)
	}
	if n := is.fetches.Load(); n != 1 {
		t.Errorf("%d key fetches, want 1 (cached per max-age)", n)
	}
	if _, err := NewFirebase("", Config{}); err == nil {
		t.Errorf("NewFirebase accepted an empty project id")
	}
}

func TestKeyRotation(t *testing.T) {
	k1, k2 := rsaKey(t, 0), rsaKey(t, 1)
	is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{"k1": k1})
	clk := newClock()
	v := newGoogle(t, is, clk)
	ctx := context.Background()
	verify := func(key *rsa.PrivateKey, kid string) error {
		claims := with(googleClaims(), map[string]any{"iat": clk.Now().Add(-time.Minute).Unix(), "exp": clk.Now().Add(time.Hour).Unix()})
		_, err := v.Verify(ctx, sign(t, key, kid, claims), "")
		return err
	}
	fetches := func(want int32) {
		t.Helper()
		if got := is.fetches.Load(); got != want {
			t.Fatalf("%d key fetches, want %d", got, want)
		}
	}

	if err := verify(k1, "k1"); err != nil {
		t.Fatal(err)
	}
	fetches(1)
	if err := verify(k1, "k1"); err != nil {
		t.Fatal(err)
	}
	fetches(1) // cached

	// The provider publishes a second key. A token signed with it within a
	// second of the last fetch is refused without another fetch (the rate
	// limit); a minute later the unknown kid triggers a refresh.
	is.setKeys(map[string]*rsa.PrivateKey{"k1": k1, "k2": k2})
	if err := verify(k2, "k2"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("new kid right after a fetch: err = %v, want ErrUnknownKey", err)
	}
	fetches(1)
	clk.Advance(DefaultMinRefreshInterval)
	if err := verify(k2, "k2"); err != nil {
		t.Fatalf("new kid after the refresh interval: %v", err)
	}
	fetches(2)

	// Made-up key ids cannot force fetches faster than the interval.
	clk.Advance(DefaultMinRefreshInterval)
	for i := range 10 {
		if err := verify(k1, fmt.Sprintf("bogus-%d", i)); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("bogus kid: %v", err)
		}
	}
	fetches(3)

	// k1 is retired. Once the cache's max-age (300 s) has passed, the keys
	// are refetched and k1 tokens are refused.
	is.setKeys(map[string]*rsa.PrivateKey{"k2": k2})
	if err := verify(k1, "k1"); err != nil {
		t.Fatalf("k1 while still cached: %v", err)
	}
	clk.Advance(301 * time.Second)
	if err := verify(k1, "k1"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("retired k1 after max-age: err = %v, want ErrUnknownKey", err)
	}
	fetches(4)
	if err := verify(k2, "k2"); err != nil {
		t.Fatal(err)
	}
	fetches(4)
}

func TestKeyFetchFailures(t *testing.T) {
	k1 := rsaKey(t, 0)
	ctx := context.Background()

	t.Run("provider error", func(t *testing.T) {
		is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{"k1": k1})
		is.status = http.StatusServiceUnavailable
		clk := newClock()
		v := newGoogle(t, is, clk)
		tok := sign(t, k1, "k1", googleClaims())
		for range 3 {
			_, err := v.Verify(ctx, tok, "")
			if !errors.Is(err, ErrKeyFetch) || errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrKeyFetch and not ErrInvalidToken", err)
			}
		}
		if n := is.fetches.Load(); n != 1 {
			t.Errorf("%d fetches after a failure, want 1 until the interval passes", n)
		}
		is.mu.Lock()
		is.status = http.StatusOK
		is.mu.Unlock()
		clk.Advance(DefaultMinRefreshInterval)
		if _, err := v.Verify(ctx, tok, ""); err != nil {
			t.Errorf("after recovery: %v", err)
		}
	})

	t.Run("no usable keys", func(t *testing.T) {
		is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{})
		v := newGoogle(t, is, newClock())
		if _, err := v.Verify(ctx, sign(t, k1, "k1", googleClaims()), ""); !errors.Is(err, ErrKeyFetch) {
			t.Errorf("err = %v, want ErrKeyFetch", err)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := newHangingServer(t, release)
		v, err := NewGoogle([]string{webClientID}, Config{KeysURL: srv.URL, Timeout: 50 * time.Millisecond, Now: newClock().Now})
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(ctx, sign(t, k1, "k1", googleClaims()), "")
		close(release)
		if !errors.Is(err, ErrKeyFetch) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want ErrKeyFetch with a deadline", err)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{"k1": k1})
		v := newGoogle(t, is, newClock())
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := v.Verify(cctx, sign(t, k1, "k1", googleClaims()), ""); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

func TestJWKSSkipsUnusableKeys(t *testing.T) {
	k1 := rsaKey(t, 0)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"keys":[
		{"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uE5hiFVw","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
		{"kty":"oct","kid":"sym","k":"c2VjcmV0"},
		{"kty":"RSA","kid":"enc","use":"enc","n":%[1]q,"e":"AQAB"},
		{"kty":"RSA","kid":"ps","alg":"PS256","n":%[1]q,"e":"AQAB"},
		{"kty":"RSA","n":%[1]q,"e":"AQAB"},
		{"kty":"RSA","kid":"small","n":%[2]q,"e":"AQAB"},
		{"kty":"RSA","kid":"good","alg":"RS256","use":"sig","n":%[1]q,"e":"AQAB"}
	]}`, b64(k1.PublicKey.N.Bytes()), b64(small.PublicKey.N.Bytes()))
	keys, err := parseJWKS([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys["good"] == nil || keys["good"].N.Cmp(k1.PublicKey.N) != 0 {
		t.Errorf("keys = %v, want only \"good\"", keys)
	}
	if _, err := parseJWKS([]byte("not json")); err == nil {
		t.Errorf("parseJWKS accepted garbage")
	}
	if keys, err := parseX509Map([]byte(`{"a":"not pem","b":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}`)); err != nil || len(keys) != 0 {
		t.Errorf("parseX509Map(bad certs) = %v, %v", keys, err)
	}
}

func TestCacheTTL(t *testing.T) {
	tests := []struct {
		cacheControl, age string
		want              time.Duration
	}{
		{"", "", DefaultCacheTTL},
		{"public, max-age=19204, must-revalidate, no-transform", "", 19204 * time.Second},
		{"max-age=19204", "204", 19000 * time.Second},
		{"MAX-AGE=600", "", 600 * time.Second},
		{"max-age=5", "", MinCacheTTL},
		{"max-age=999999999", "", MaxCacheTTL},
		{"no-cache, max-age=600", "", MinCacheTTL},
		{"max-age=600, no-store", "", MinCacheTTL},
		{"max-age=abc", "", DefaultCacheTTL},
		{"max-age=-5", "", DefaultCacheTTL},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.cacheControl != "" {
			h.Set("Cache-Control", tt.cacheControl)
		}
		if tt.age != "" {
			h.Set("Age", tt.age)
		}
		if got := cacheTTL(h); got != tt.want {
			t.Errorf("cacheTTL(%q, age %q) = %v, want %v", tt.cacheControl, tt.age, got, tt.want)
		}
	}
}

func TestNewVerifierNeedsAudience(t *testing.T) {
	if _, err := NewGoogle(nil, Config{}); err == nil {
		t.Errorf("NewGoogle without client ids succeeded")
	}
	if _, err := NewApple([]string{""}, Config{}); err == nil {
		t.Errorf("NewApple with an empty audience succeeded")
	}
}

func BenchmarkVerifyCachedKey(b *testing.B) {
	k1 := rsaKey(b, 0)
	is := newIssuer(b, JWKS, map[string]*rsa.PrivateKey{"k1": k1})
	v, err := NewGoogle([]string{webClientID}, Config{KeysURL: is.URL(), HTTPClient: is.srv.Client(), Now: newClock().Now})
	if err != nil {
		b.Fatal(err)
	}
	tok := sign(b, k1, "k1", googleClaims())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentFirstUse checks that simultaneous first verifications share
// one key fetch (run with -race).
func TestConcurrentFirstUse(t *testing.T) {
	k1 := rsaKey(t, 0)
	is := newIssuer(t, JWKS, map[string]*rsa.PrivateKey{"k1": k1})
	v := newGoogle(t, is, newClock())
	tok := sign(t, k1, "k1", googleClaims())
	errs := make(chan error, 16)
	for range cap(errs) {
		go func() {
			_, err := v.Verify(context.Background(), tok, "")
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := is.fetches.Load(); n != 1 {
		t.Errorf("%d key fetches, want 1", n)
	}
}

// FuzzTokenParsing feeds arbitrary tokens through the parts of Verify that
// run before any key is needed and through the claim checks: they must
// fail cleanly, never panic, and never accept a token without a key id.
func FuzzTokenParsing(f *testing.F) {
	k1 := rsaKey(f, 0)
	f.Add(sign(f, k1, "k1", googleClaims()))
	f.Add(unsigned(map[string]any{"alg": "none"}, googleClaims()))
	f.Add("a.b.c")
	f.Add("")
	v, err := NewGoogle([]string{webClientID}, Config{Now: newClock().Now})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		kid, err := checkHeader(token)
		if err == nil && kid == "" {
			t.Fatalf("checkHeader accepted %q without a kid", token)
		}
		if err != nil && !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("checkHeader error %v does not wrap ErrInvalidToken", err)
		}
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			return
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return
		}
		c, err := decodeClaims(payload)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("decodeClaims error %v does not wrap ErrInvalidToken", err)
			}
			return
		}
		if err := v.check(c, ""); err != nil && !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("check error %v does not wrap ErrInvalidToken", err)
		}
	})
}
