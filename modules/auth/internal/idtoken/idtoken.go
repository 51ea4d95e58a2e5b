// Package idtoken verifies the identity tokens of third-party sign-in —
// Google ID tokens, Sign in with Apple identity tokens and Firebase ID
// tokens — and talks to Google's OAuth token endpoint and People API for
// the server-auth-code flow.
//
// Tokens are RS256 JWTs checked locally against the provider's published
// keys (a JWK set, or Firebase's map of X.509 certificates), which are
// cached as the provider's Cache-Control allows and refetched when a token
// names a key id not yet seen, so key rotation needs no restart. Every
// claim Serverpod 2.4 skipped is checked: algorithm, signature, issuer,
// audience, expiry, issue time and not-before (with a small leeway), the
// nonce when the caller has one, and Firebase's subject and auth_time
// rules. email_verified is returned, not enforced: whether an unverified
// address may be linked to an existing account is the caller's decision.
//
// FirebaseUsers asks the Identity Toolkit API, as the project's service
// account, whether a Firebase token's user has been disabled or deleted or
// has had their tokens revoked (what the Admin SDK's checkRevoked does).
//
// Every network call takes a context and has its own timeout; the
// http.Client and all URLs are configurable, so tests run against a local
// issuer.
package idtoken

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Default endpoints.
const (
	GoogleCertsURL   = "https://www.googleapis.com/oauth2/v3/certs"
	AppleKeysURL     = "https://appleid.apple.com/auth/keys"
	FirebaseCertsURL = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"

	AppleIssuer          = "https://appleid.apple.com"
	firebaseIssuerPrefix = "https://securetoken.google.com/"
)

// GoogleIssuers are the two issuer spellings Google uses.
var GoogleIssuers = []string{"accounts.google.com", "https://accounts.google.com"}

// DefaultLeeway is the clock skew allowed on exp, iat, nbf and auth_time.
const DefaultLeeway = 30 * time.Second

const maxTokenBytes = 16 << 10

// Errors. Every problem with the token itself wraps ErrInvalidToken and
// one of the more specific errors; a failure to get the keys wraps
// ErrKeyFetch instead, since it says nothing about the token.
var (
	ErrInvalidToken = errors.New("invalid identity token")

	ErrMalformed   = errors.New("malformed token")
	ErrAlgorithm   = errors.New("signature algorithm not accepted")
	ErrUnknownKey  = errors.New("unknown signing key")
	ErrSignature   = errors.New("bad signature")
	ErrIssuer      = errors.New("wrong issuer")
	ErrAudience    = errors.New("wrong audience")
	ErrExpired     = errors.New("token expired")
	ErrNotYetValid = errors.New("token not yet valid")
	ErrNonce       = errors.New("nonce mismatch")
	ErrClaims      = errors.New("missing or invalid claim")
	ErrRevoked     = errors.New("token revoked")
	ErrDisabled    = errors.New("user disabled or deleted")
)

func invalid(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrInvalidToken, kind, fmt.Sprintf(format, args...))
}

// Claims are the verified claims of an identity token. Fields a provider
// does not send are zero.
type Claims struct {
	Issuer   string
	Subject  string // the provider's stable user id
	Audience []string
	// AuthorizedParty (azp) is the client the token was issued to, when
	// that differs from the audience (Google, Firebase).
	AuthorizedParty string
	Expiry          time.Time
	IssuedAt        time.Time
	NotBefore       time.Time // zero if absent
	AuthTime        time.Time // zero if absent; required for Firebase
	Nonce           string

	Email         string
	EmailVerified bool
	// IsPrivateEmail marks Apple's relay addresses.
	IsPrivateEmail bool
	Name           string
	GivenName      string
	FamilyName     string
	Picture        string
	Locale         string
	// HostedDomain (hd) is the Google Workspace domain, if any.
	HostedDomain string

	// Firebase's sign_in_provider (e.g. "password", "google.com") and
	// tenant, from the firebase claim.
	FirebaseSignInProvider string
	FirebaseTenant         string

	// Raw holds every claim as sent, for anything not mapped above.
	Raw map[string]json.RawMessage
}

// Config configures a Verifier; the provider constructors fill in the
// issuers and key endpoint.
type Config struct {
	// KeysURL overrides the provider's key endpoint.
	KeysURL string
	// HTTPClient, Timeout and MinRefreshInterval: see KeySetConfig.
	HTTPClient         *http.Client
	Timeout            time.Duration
	MinRefreshInterval time.Duration
	// Leeway is the allowed clock skew; zero means DefaultLeeway.
	Leeway time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verifier verifies one provider's tokens. It is safe for concurrent use.
type Verifier struct {
	provider  string
	issuers   []string
	audiences []string
	firebase  bool
	// requireAZP: the token must name one of the audiences as its
	// authorized party (Google with several client ids).
	requireAZP bool
	leeway     time.Duration
	now        func() time.Time
	keys       *KeySet
}

// NewGoogle verifies Google ID tokens issued to any of clientIDs (the web,
// iOS and Android OAuth client ids of the app). With more than one client
// id, a token must also name one of them as its authorized party (azp),
// the client that obtained it: a token another app obtained for the same
// audience does not sign in.
func NewGoogle(clientIDs []string, cfg Config) (*Verifier, error) {
	v, err := newVerifier("Google", GoogleIssuers, clientIDs, GoogleCertsURL, JWKS, false, cfg)
	if err != nil {
		return nil, err
	}
	v.requireAZP = len(v.audiences) > 1
	return v, nil
}

// NewApple verifies Sign in with Apple identity tokens whose audience is
// one of audiences (the app's bundle id and, for web sign-in, its service
// id).
func NewApple(audiences []string, cfg Config) (*Verifier, error) {
	return newVerifier("Apple", []string{AppleIssuer}, audiences, AppleKeysURL, JWKS, false, cfg)
}

// NewFirebase verifies Firebase Authentication ID tokens of projectID.
func NewFirebase(projectID string, cfg Config) (*Verifier, error) {
	if projectID == "" || strings.ContainsAny(projectID, "/ ") {
		return nil, fmt.Errorf("firebase verifier: project id %q is empty or not a project id", projectID)
	}
	return newVerifier("Firebase", []string{firebaseIssuerPrefix + projectID}, []string{projectID}, FirebaseCertsURL, X509Map, true, cfg)
}

func newVerifier(provider string, issuers, audiences []string, keysURL string, format KeyFormat, firebase bool, cfg Config) (*Verifier, error) {
	audiences = slices.DeleteFunc(slices.Clone(audiences), func(a string) bool { return a == "" })
	if len(audiences) == 0 {
		return nil, fmt.Errorf("%s verifier: no audience configured (client, bundle or service ids)", provider)
	}
	if cfg.KeysURL != "" {
		keysURL = cfg.KeysURL
	}
	if cfg.Leeway <= 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{
		provider:  provider,
		issuers:   issuers,
		audiences: audiences,
		firebase:  firebase,
		leeway:    cfg.Leeway,
		now:       cfg.Now,
		keys: NewKeySet(KeySetConfig{
			URL:                keysURL,
			Format:             format,
			HTTPClient:         cfg.HTTPClient,
			Timeout:            cfg.Timeout,
			MinRefreshInterval: cfg.MinRefreshInterval,
			Now:                cfg.Now,
		}),
	}, nil
}

// Verify checks token and returns its claims. nonce, when not empty, must
// equal the token's nonce claim (for Apple, the value the app passed to
// the authorization request, usually a SHA-256 of its raw nonce).
func (v *Verifier) Verify(ctx context.Context, token, nonce string) (*Claims, error) {
	if len(token) > maxTokenBytes {
		return nil, invalid(ErrMalformed, "token is %d bytes, more than %d", len(token), maxTokenBytes)
	}
	kid, err := checkHeader(token)
	if err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, invalid(ErrMalformed, "%v", err)
	}
	key, err := v.keys.Key(ctx, kid)
	if err != nil {
		if errors.Is(err, ErrUnknownKey) {
			return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
		}
		return nil, err
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, invalid(ErrSignature, "signature does not verify with %s key %q", v.provider, kid)
	}
	c, err := decodeClaims(payload)
	if err != nil {
		return nil, err
	}
	if err := v.check(c, nonce); err != nil {
		return nil, err
	}
	return c, nil
}

// checkHeader reads the JOSE header before go-jose does, to refuse any
// algorithm but RS256 (none, HS256 with the public key as secret, ...)
// with a clear error, and to require a key id.
func checkHeader(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", invalid(ErrMalformed, "want three dot-separated parts, found %d", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return "", invalid(ErrMalformed, "header is not base64url: %v", err)
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", invalid(ErrMalformed, "header is not JSON: %v", err)
	}
	if h.Alg != string(jose.RS256) {
		return "", invalid(ErrAlgorithm, "alg is %q, only RS256 is accepted", h.Alg)
	}
	if h.Kid == "" {
		return "", invalid(ErrMalformed, "header has no key id (kid)")
	}
	return h.Kid, nil
}

func (v *Verifier) check(c *Claims, nonce string) error {
	now := v.now()
	if !slices.Contains(v.issuers, c.Issuer) {
		return invalid(ErrIssuer, "iss is %q, want %s", c.Issuer, strings.Join(v.issuers, " or "))
	}
	if !slices.ContainsFunc(c.Audience, func(a string) bool { return slices.Contains(v.audiences, a) }) {
		return invalid(ErrAudience, "aud is %q, not one of the configured ids", c.Audience)
	}
	if v.requireAZP && !slices.Contains(v.audiences, c.AuthorizedParty) {
		return invalid(ErrAudience, "azp is %q; with several client ids configured it must name one of them", c.AuthorizedParty)
	}
	if v.firebase && (len(c.Audience) != 1) {
		return invalid(ErrAudience, "a Firebase token must have the project id as its only audience, found %q", c.Audience)
	}
	switch {
	case c.Expiry.IsZero():
		return invalid(ErrClaims, "exp is missing")
	case now.After(c.Expiry.Add(v.leeway)):
		return invalid(ErrExpired, "expired at %s", c.Expiry.UTC().Format(time.RFC3339))
	case c.IssuedAt.IsZero():
		return invalid(ErrClaims, "iat is missing")
	case c.IssuedAt.After(now.Add(v.leeway)):
		return invalid(ErrNotYetValid, "issued in the future, at %s", c.IssuedAt.UTC().Format(time.RFC3339))
	case !c.NotBefore.IsZero() && c.NotBefore.After(now.Add(v.leeway)):
		return invalid(ErrNotYetValid, "not valid before %s", c.NotBefore.UTC().Format(time.RFC3339))
	case c.Subject == "":
		return invalid(ErrClaims, "sub is missing")
	}
	if v.firebase {
		switch {
		case len(c.Subject) > 128:
			return invalid(ErrClaims, "sub is %d characters long, at most 128 are allowed", len(c.Subject))
		case c.AuthTime.IsZero():
			return invalid(ErrClaims, "auth_time is missing")
		case c.AuthTime.After(now.Add(v.leeway)):
			return invalid(ErrNotYetValid, "auth_time %s is in the future", c.AuthTime.UTC().Format(time.RFC3339))
		}
	}
	if nonce != "" && subtle.ConstantTimeCompare([]byte(nonce), []byte(c.Nonce)) != 1 {
		return invalid(ErrNonce, "the token's nonce is not the expected one")
	}
	return nil
}

// rawClaims is the wire shape; the provider-specific oddities (audience
// as string or array, booleans as strings, dates as numbers) are
// normalised by the field types.
type rawClaims struct {
	Issuer          string      `json:"iss"`
	Subject         string      `json:"sub"`
	Audience        stringList  `json:"aud"`
	AuthorizedParty string      `json:"azp"`
	Expiry          numericDate `json:"exp"`
	IssuedAt        numericDate `json:"iat"`
	NotBefore       numericDate `json:"nbf"`
	AuthTime        numericDate `json:"auth_time"`
	Nonce           string      `json:"nonce"`
	Email           string      `json:"email"`
	EmailVerified   looseBool   `json:"email_verified"`
	IsPrivateEmail  looseBool   `json:"is_private_email"`
	Name            string      `json:"name"`
	GivenName       string      `json:"given_name"`
	FamilyName      string      `json:"family_name"`
	Picture         string      `json:"picture"`
	Locale          string      `json:"locale"`
	HostedDomain    string      `json:"hd"`
	Firebase        struct {
		SignInProvider string `json:"sign_in_provider"`
		Tenant         string `json:"tenant"`
	} `json:"firebase"`
}

func decodeClaims(payload []byte) (*Claims, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, invalid(ErrMalformed, "claims are not a JSON object: %v", err)
	}
	var r rawClaims
	if err := json.Unmarshal(payload, &r); err != nil {
		return nil, invalid(ErrClaims, "%v", err)
	}
	return &Claims{
		Issuer:                 r.Issuer,
		Subject:                r.Subject,
		Audience:               r.Audience,
		AuthorizedParty:        r.AuthorizedParty,
		Expiry:                 r.Expiry.Time,
		IssuedAt:               r.IssuedAt.Time,
		NotBefore:              r.NotBefore.Time,
		AuthTime:               r.AuthTime.Time,
		Nonce:                  r.Nonce,
		Email:                  r.Email,
		EmailVerified:          bool(r.EmailVerified),
		IsPrivateEmail:         bool(r.IsPrivateEmail),
		Name:                   r.Name,
		GivenName:              r.GivenName,
		FamilyName:             r.FamilyName,
		Picture:                r.Picture,
		Locale:                 r.Locale,
		HostedDomain:           r.HostedDomain,
		FirebaseSignInProvider: r.Firebase.SignInProvider,
		FirebaseTenant:         r.Firebase.Tenant,
		Raw:                    raw,
	}, nil
}

// stringList is a JWT audience: one string or an array of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud must be a string or an array of strings")
	}
	*l = many
	return nil
}

// looseBool accepts true/false and Apple's "true"/"false" strings.
type looseBool bool

func (v *looseBool) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", `"true"`:
		*v = true
	case "false", `"false"`, "null":
		*v = false
	default:
		return fmt.Errorf("boolean claim is %s, want true or false", b)
	}
	return nil
}

// numericDate is seconds since the epoch, possibly fractional.
type numericDate struct{ time.Time }

func (d *numericDate) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil || f < 0 || f > 1<<40 || math.IsNaN(f) {
		return fmt.Errorf("date claim is %s, want seconds since 1970", b)
	}
	sec, frac := math.Modf(f)
	d.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}
