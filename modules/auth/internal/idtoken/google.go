package idtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Google OAuth endpoints used by the server-auth-code flow.
const (
	GoogleTokenURL  = "https://oauth2.googleapis.com/token"
	GooglePeopleURL = "https://people.googleapis.com/v1/people/me"
)

// GoogleOAuth exchanges the server auth code a Google sign-in client sends
// for tokens, and reads the signed-in user's profile.
type GoogleOAuth struct {
	ClientID     string
	ClientSecret string
	// TokenURL and PeopleURL override the defaults.
	TokenURL  string
	PeopleURL string
	// HTTPClient makes the requests; nil means a client of this package's own.
	HTTPClient *http.Client
	// Timeout bounds one call; zero means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock for token expiry; nil means time.Now.
	Now func() time.Time
}

// Tokens is the token endpoint's answer to a code exchange.
type Tokens struct {
	AccessToken  string
	TokenType    string
	RefreshToken string // only on the first consent, with access_type=offline
	IDToken      string // verify with a Google Verifier before trusting it
	Scopes       []string
	Expiry       time.Time
}

// ErrGoogleOAuth is wrapped by errors the token endpoint or the People API
// returned (as opposed to network failures).
var ErrGoogleOAuth = errors.New("google oauth")

// OAuthError is an error answer of the token endpoint (RFC 6749 §5.2).
type OAuthError struct {
	Status      int
	Code        string // e.g. invalid_grant, redirect_uri_mismatch
	Description string
}

func (e *OAuthError) Error() string {
	msg := fmt.Sprintf("google token endpoint: HTTP %d", e.Status)
	if e.Code != "" {
		msg += ": " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

func (e *OAuthError) Unwrap() error { return ErrGoogleOAuth }

func (g *GoogleOAuth) client() *http.Client {
	if g.HTTPClient != nil {
		return g.HTTPClient
	}
	return &http.Client{}
}

func (g *GoogleOAuth) timeout() time.Duration {
	if g.Timeout > 0 {
		return g.Timeout
	}
	return DefaultTimeout
}

func (g *GoogleOAuth) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// Exchange trades an authorization code for tokens (RFC 6749 §4.1.3).
// redirectURI must be the one the client used; Serverpod 2.4 clients send
// it, or the first of the client secret file's redirect_uris is meant.
func (g *GoogleOAuth) Exchange(ctx context.Context, code, redirectURI string) (*Tokens, error) {
	if code == "" {
		return nil, fmt.Errorf("%w: the authorization code is empty", ErrGoogleOAuth)
	}
	tokenURL := g.TokenURL
	if tokenURL == "" {
		tokenURL = GoogleTokenURL
	}
	form := url.Values{
		"code":          {code},
		"client_id":     {g.ClientID},
		"client_secret": {g.ClientSecret},
		"redirect_uri":  {redirectURI},
		"grant_type":    {"authorization_code"},
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("google code exchange: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	sent := g.now()
	resp, err := g.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("google code exchange: %w", err)
	}
	defer resp.Body.Close()
	body, err := readLimited(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("google code exchange: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		oe := &OAuthError{Status: resp.StatusCode}
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &e) == nil {
			oe.Code, oe.Description = e.Error, e.Description
		}
		return nil, oe
	}
	var t struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
		Scope        string `json:"scope"`
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, fmt.Errorf("%w: token response is not JSON: %v", ErrGoogleOAuth, err)
	}
	if t.AccessToken == "" {
		return nil, fmt.Errorf("%w: token response has no access_token", ErrGoogleOAuth)
	}
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	return &Tokens{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		IDToken:      t.IDToken,
		Scopes:       strings.Fields(t.Scope),
		// Counted from when the request was sent, so that network time
		// only makes the expiry earlier.
		Expiry: sent.Add(time.Duration(t.ExpiresIn) * time.Second).UTC(),
	}, nil
}

// CredentialsJSON is the tokens in the JSON form Serverpod 2.4 stored in
// serverpod_google_refresh_token.refreshToken (googleapis_auth's
// AccessCredentials), so that the rows gopod writes read the same.
func (t *Tokens) CredentialsJSON() ([]byte, error) {
	type accessToken struct {
		Type   string `json:"type"`
		Data   string `json:"data"`
		Expiry string `json:"expiry"`
	}
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	v := struct {
		AccessToken  accessToken `json:"accessToken"`
		RefreshToken string      `json:"refreshToken,omitempty"`
		IDToken      *string     `json:"idToken"`
		Scopes       []string    `json:"scopes"`
	}{
		AccessToken:  accessToken{Type: t.TokenType, Data: t.AccessToken, Expiry: t.Expiry.UTC().Format("2006-01-02T15:04:05.000Z")},
		RefreshToken: t.RefreshToken,
		Scopes:       scopes,
	}
	if t.IDToken != "" {
		v.IDToken = &t.IDToken
	}
	return json.Marshal(v)
}

// Person is the part of the People API's people/me that sign-in uses: the
// first name, photo and email entries, as 2.4 took them.
type Person struct {
	DisplayName   string
	GivenName     string
	FamilyName    string
	PhotoURL      string
	Email         string
	EmailVerified bool
}

// Person reads the signed-in user's names, photo and email with the access
// token from Exchange.
func (g *GoogleOAuth) Person(ctx context.Context, accessToken string) (*Person, error) {
	peopleURL := g.PeopleURL
	if peopleURL == "" {
		peopleURL = GooglePeopleURL
	}
	u, err := url.Parse(peopleURL)
	if err != nil {
		return nil, fmt.Errorf("google people api: %w", err)
	}
	q := u.Query()
	q.Set("personFields", "emailAddresses,names,photos")
	u.RawQuery = q.Encode()

	ctx, cancel := context.WithTimeout(ctx, g.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("google people api: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := g.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("google people api: %w", err)
	}
	defer resp.Body.Close()
	body, err := readLimited(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("google people api: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: people api: HTTP %s", ErrGoogleOAuth, resp.Status)
	}
	var p struct {
		Names []struct {
			DisplayName string `json:"displayName"`
			GivenName   string `json:"givenName"`
			FamilyName  string `json:"familyName"`
		} `json:"names"`
		Photos []struct {
			URL string `json:"url"`
		} `json:"photos"`
		EmailAddresses []struct {
			Value    string `json:"value"`
			Metadata struct {
				Verified bool `json:"verified"`
			} `json:"metadata"`
		} `json:"emailAddresses"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("%w: people api response is not JSON: %v", ErrGoogleOAuth, err)
	}
	var out Person
	if len(p.Names) > 0 {
		out.DisplayName, out.GivenName, out.FamilyName = p.Names[0].DisplayName, p.Names[0].GivenName, p.Names[0].FamilyName
	}
	if len(p.Photos) > 0 {
		out.PhotoURL = p.Photos[0].URL
	}
	if len(p.EmailAddresses) > 0 {
		out.Email, out.EmailVerified = p.EmailAddresses[0].Value, p.EmailAddresses[0].Metadata.Verified
	}
	return &out, nil
}

func readLimited(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if len(body) > maxResponseBytes {
		return nil, fmt.Errorf("response larger than %d bytes", maxResponseBytes)
	}
	return body, nil
}
