package idtoken

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// t0 is the fake "now" of every test.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by a verifier and its test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var (
	keysOnce sync.Once
	testKeys []*rsa.PrivateKey
)

// rsaKey returns one of a few real 2048-bit keys, made once per test run.
func rsaKey(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	keysOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testKeys = append(testKeys, k)
		}
	})
	return testKeys[i]
}

// issuer is a local stand-in for a provider's key endpoint. It publishes
// the public halves of its current keys as a JWK set or an X.509 map.
type issuer struct {
	t            testing.TB
	srv          *httptest.Server
	format       KeyFormat
	fetches      atomic.Int32
	mu           sync.Mutex
	keys         map[string]*rsa.PrivateKey
	cacheControl string
	status       int
}

func newIssuer(t testing.TB, format KeyFormat, keys map[string]*rsa.PrivateKey) *issuer {
	t.Helper()
	is := &issuer{t: t, format: format, keys: keys, cacheControl: "public, max-age=300", status: http.StatusOK}
	is.srv = httptest.NewServer(http.HandlerFunc(is.serve))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) URL() string { return is.srv.URL + "/keys" }

func (is *issuer) setKeys(keys map[string]*rsa.PrivateKey) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = keys
}

func (is *issuer) serve(w http.ResponseWriter, r *http.Request) {
	is.fetches.Add(1)
	is.mu.Lock()
	defer is.mu.Unlock()
	if is.status != http.StatusOK {
		http.Error(w, "unavailable", is.status)
		return
	}
	var body any
	switch is.format {
	case X509Map:
		m := map[string]string{}
		for kid, k := range is.keys {
			m[kid] = selfSignedPEM(is.t, k)
		}
		body = m
	default:
		var set jose.JSONWebKeySet
		for kid, k := range is.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"})
		}
		body = set
	}
	w.Header().Set("Content-Type", "application/json")
	if is.cacheControl != "" {
		w.Header().Set("Cache-Control", is.cacheControl)
	}
	json.NewEncoder(w).Encode(body)
}

func selfSignedPEM(t testing.TB, k *rsa.PrivateKey) string {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "securetoken.system.gserviceaccount.com"},
		NotBefore:    t0.Add(-24 * time.Hour),
		NotAfter:     t0.Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// sign makes a compact JWS over claims with an RS256 key and kid header.
func sign(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	return signWith(t, jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts, claims)
}

func signWith(t testing.TB, sk jose.SigningKey, opts *jose.SignerOptions, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(sk, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
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

// unsigned makes a token with alg "none" and an empty signature.
func unsigned(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "."
}

// with returns a copy of claims with the given changes; a nil value
// deletes the claim.
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// newHangingServer answers no request until release is closed or the
// client gives up.
func newHangingServer(t testing.TB, release chan struct{}) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}
