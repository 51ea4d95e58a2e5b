package idtoken

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Google endpoints the Firebase user lookup uses.
const (
	IdentityToolkitURL = "https://identitytoolkit.googleapis.com"
	GoogleOAuthToken   = "https://oauth2.googleapis.com/token"
)

// identityToolkitScope is what the service account's access token is for.
const identityToolkitScope = "https://www.googleapis.com/auth/identitytoolkit https://www.googleapis.com/auth/cloud-platform"

// ErrLookup is wrapped by errors about asking Firebase for a user: the
// service, the network or the service account failed, not the token.
var ErrLookup = errors.New("looking up the Firebase user")

// ServiceAccount is what a Google service account key file (the JSON one
// downloads from the Firebase console) holds to call Google's APIs as the
// service account.
type ServiceAccount struct {
	ProjectID    string `json:"project_id"`
	ClientEmail  string `json:"client_email"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	TokenURI     string `json:"token_uri"`
}

// ParseServiceAccount reads a service account key file.
func ParseServiceAccount(data []byte) (*ServiceAccount, error) {
	var sa ServiceAccount
	if err := json.Unmarshal(data, &sa); err != nil {
		return nil, fmt.Errorf("service account key: %w", err)
	}
	return &sa, nil
}

// FirebaseUsers looks Firebase Authentication users up through the
// Identity Toolkit API (projects.accounts:lookup), authorised as a service
// account with an OAuth access token from a signed JWT (RFC 7523), which
// it caches until shortly before it expires. It is safe for concurrent
// use.
type FirebaseUsers struct {
	account ServiceAccount
	key     *rsa.PrivateKey
	baseURL string
	token   string // token endpoint
	client  *http.Client
	timeout time.Duration
	now     func() time.Time

	mu          sync.Mutex
	accessToken string
	expiry      time.Time
}

// FirebaseUsersConfig configures FirebaseUsers.
type FirebaseUsersConfig struct {
	// BaseURL overrides IdentityToolkitURL, TokenURL the key's token_uri
	// (tests run a local stand-in for both).
	BaseURL  string
	TokenURL string
	// HTTPClient, Timeout and Now as in KeySetConfig.
	HTTPClient *http.Client
	Timeout    time.Duration
	Now        func() time.Time
}

// NewFirebaseUsers returns a lookup for the users of project as the
// service account sa.
func NewFirebaseUsers(project string, sa *ServiceAccount, cfg FirebaseUsersConfig) (*FirebaseUsers, error) {
	if sa.ClientEmail == "" || sa.PrivateKey == "" {
		return nil, errors.New("the service account key has no client_email or private_key")
	}
	block, _ := pem.Decode([]byte(sa.PrivateKey))
	if block == nil {
		return nil, errors.New("the service account's private_key is not PEM")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		if parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return nil, fmt.Errorf("the service account's private_key: %w", err)
		}
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the service account's private_key is not an RSA key")
	}
	f := &FirebaseUsers{account: *sa, key: key, baseURL: IdentityToolkitURL, token: GoogleOAuthToken,
		client: cfg.HTTPClient, timeout: cfg.Timeout, now: cfg.Now}
	f.account.ProjectID = project
	if sa.TokenURI != "" {
		f.token = sa.TokenURI
	}
	if cfg.TokenURL != "" {
		f.token = cfg.TokenURL
	}
	if cfg.BaseURL != "" {
		f.baseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	if f.client == nil {
		f.client = &http.Client{}
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

// FirebaseUser is what the lookup tells about a user.
type FirebaseUser struct {
	UID      string
	Disabled bool
	// ValidSince is when the user's tokens were last revoked: tokens
	// issued (auth_time) before it are no longer valid. Zero if never.
	ValidSince time.Time
}

// Check refuses the claims of a verified Firebase ID token whose user has
// been deleted or disabled, or whose sign-in (auth_time) precedes the
// user's validSince, as the Admin SDK's verifyIdToken(checkRevoked) does.
// Such errors wrap ErrInvalidToken; a failed lookup wraps ErrLookup.
func (f *FirebaseUsers) Check(ctx context.Context, c *Claims) error {
	u, err := f.Lookup(ctx, c.Subject)
	if err != nil {
		return err
	}
	switch {
	case u == nil:
		return invalid(ErrDisabled, "Firebase has no user %q", c.Subject)
	case u.Disabled:
		return invalid(ErrDisabled, "the Firebase user %q is disabled", c.Subject)
	case c.AuthTime.Unix() < u.ValidSince.Unix():
		return invalid(ErrRevoked, "the user's tokens were revoked at %s, after this one's sign-in at %s",
			u.ValidSince.UTC().Format(time.RFC3339), c.AuthTime.UTC().Format(time.RFC3339))
	}
	return nil
}

// Lookup returns the user with the uid, nil when there is none.
func (f *FirebaseUsers) Lookup(ctx context.Context, uid string) (*FirebaseUser, error) {
	token, err := f.accessTokenFor(ctx)
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string][]string{"localId": {uid}})
	u := f.baseURL + "/v1/projects/" + url.PathEscape(f.account.ProjectID) + "/accounts:lookup"
	resp, err := f.post(ctx, u, "application/json", body, token)
	if err != nil {
		return nil, err
	}
	if resp.status == http.StatusUnauthorized {
		f.mu.Lock()
		f.accessToken = "" // fetch a new one next time
		f.mu.Unlock()
	}
	if resp.status != http.StatusOK {
		return nil, fmt.Errorf("%w: accounts:lookup answered HTTP %d: %s", ErrLookup, resp.status, googleError(resp.body))
	}
	var out struct {
		Users []struct {
			LocalID    string `json:"localId"`
			Disabled   bool   `json:"disabled"`
			ValidSince string `json:"validSince"` // seconds since 1970, as a string
		} `json:"users"`
	}
	if err := json.Unmarshal(resp.body, &out); err != nil {
		return nil, fmt.Errorf("%w: accounts:lookup answer: %v", ErrLookup, err)
	}
	for _, user := range out.Users {
		if user.LocalID != uid {
			continue
		}
		fu := &FirebaseUser{UID: uid, Disabled: user.Disabled}
		if user.ValidSince != "" {
			sec, err := strconv.ParseInt(user.ValidSince, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%w: validSince %q is not seconds", ErrLookup, user.ValidSince)
			}
			fu.ValidSince = time.Unix(sec, 0).UTC()
		}
		return fu, nil
	}
	return nil, nil
}

// accessTokenFor returns the cached access token, or a new one.
func (f *FirebaseUsers) accessTokenFor(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if f.accessToken != "" && now.Before(f.expiry) {
		return f.accessToken, nil
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: f.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", f.account.PrivateKeyID))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrLookup, err)
	}
	claims, _ := json.Marshal(map[string]any{
		"iss": f.account.ClientEmail, "scope": identityToolkitScope, "aud": f.token,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	jws, err := signer.Sign(claims)
	if err != nil {
		return "", fmt.Errorf("%w: signing the token request: %v", ErrLookup, err)
	}
	assertion, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrLookup, err)
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
	resp, err := f.post(ctx, f.token, "application/x-www-form-urlencoded", []byte(form.Encode()), "")
	if err != nil {
		return "", err
	}
	if resp.status != http.StatusOK {
		return "", fmt.Errorf("%w: the token endpoint answered HTTP %d: %s", ErrLookup, resp.status, googleError(resp.body))
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.body, &t); err != nil || t.AccessToken == "" {
		return "", fmt.Errorf("%w: the token endpoint's answer has no access_token", ErrLookup)
	}
	f.accessToken = t.AccessToken
	// Renew a minute early, so that a token never expires in flight.
	f.expiry = now.Add(time.Duration(t.ExpiresIn)*time.Second - time.Minute)
	return f.accessToken, nil
}

type response struct {
	status int
	body   []byte
}

func (f *FirebaseUsers) post(ctx context.Context, u, contentType string, body []byte, bearer string) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLookup, err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLookup, err)
	}
	defer resp.Body.Close()
	b, err := readLimited(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLookup, err)
	}
	return &response{resp.StatusCode, b}, nil
}

// googleError is the message of a Google API error body, or the body's
// start.
func googleError(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil {
		if e.Error.Message != "" {
			return e.Error.Message
		}
		if e.Description != "" {
			return e.Description
		}
	}
	if len(body) > 200 {
		body = body[:200]
	}
	return string(body)
}
