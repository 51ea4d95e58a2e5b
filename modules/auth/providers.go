package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/gopod/gopod/modules/auth/internal/idtoken"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// providers holds the third-party token verifiers, made on first use
// because they read files that a server without that sign-in does not
// have.
type providers struct {
	googleOnce sync.Once
	google     *googleSetup
	googleErr  error

	appleOnce sync.Once
	apple     *idtoken.Verifier
	appleErr  error

	firebaseOnce sync.Once
	firebase     *firebaseSetup
	firebaseErr  error
}

type firebaseSetup struct {
	verifier *idtoken.Verifier
	// users checks for disabled users and revoked tokens; nil when
	// Firebase.CheckRevoked is off.
	users *idtoken.FirebaseUsers
}

type googleSetup struct {
	verifier     *idtoken.Verifier
	oauth        *idtoken.GoogleOAuth
	redirectURIs []string
}

func (m *Module) tokenConfig(keysURL string) idtoken.Config {
	return idtoken.Config{KeysURL: keysURL, HTTPClient: m.http, Now: m.now}
}

// googleClientSecret is the part of Google's client secret file 2.4 reads.
type googleClientSecret struct {
	Web struct {
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		RedirectURIs []string `json:"redirect_uris"`
	} `json:"web"`
}

func (m *Module) googleSetup() (*googleSetup, error) {
	p := &m.providers
	p.googleOnce.Do(func() {
		g := m.cfg.Google
		id, secret, redirects := g.ClientID, g.ClientSecret, g.RedirectURIs
		if id == "" {
			file := g.ClientSecretFile
			if file == "" {
				file = DefaultGoogleClientSecretFile
			}
			data, err := os.ReadFile(file)
			if err != nil {
				p.googleErr = fmt.Errorf("google sign-in is not configured: %w (set auth.Config.Google or download the client secret file)", err)
				return
			}
			var cs googleClientSecret
			if err := json.Unmarshal(data, &cs); err != nil || cs.Web.ClientID == "" {
				p.googleErr = fmt.Errorf("google sign-in: %s has no web.client_id (%v)", file, err)
				return
			}
			id, secret, redirects = cs.Web.ClientID, cs.Web.ClientSecret, cs.Web.RedirectURIs
		}
		v, err := idtoken.NewGoogle(append([]string{id}, g.ExtraClientIDs...), m.tokenConfig(g.CertsURL))
		if err != nil {
			p.googleErr = fmt.Errorf("google sign-in: %w", err)
			return
		}
		p.google = &googleSetup{
			verifier: v,
			oauth: &idtoken.GoogleOAuth{ClientID: id, ClientSecret: secret, TokenURL: g.TokenURL, PeopleURL: g.PeopleURL,
				HTTPClient: m.http, Now: m.now},
			redirectURIs: redirects,
		}
	})
	return p.google, p.googleErr
}

func (m *Module) appleVerifier() (*idtoken.Verifier, error) {
	p := &m.providers
	p.appleOnce.Do(func() {
		if len(m.cfg.Apple.Audiences) == 0 {
			p.appleErr = errors.New("sign in with Apple is not configured: set auth.Config.Apple.Audiences to the app's bundle id (and service id)")
			return
		}
		p.apple, p.appleErr = idtoken.NewApple(m.cfg.Apple.Audiences, m.tokenConfig(m.cfg.Apple.KeysURL))
	})
	return p.apple, p.appleErr
}

func (m *Module) firebaseSetup() (*firebaseSetup, error) {
	p := &m.providers
	p.firebaseOnce.Do(func() { p.firebase, p.firebaseErr = m.newFirebaseSetup() })
	return p.firebase, p.firebaseErr
}

func (m *Module) newFirebaseSetup() (*firebaseSetup, error) {
	fc := m.cfg.Firebase
	checkRevoked := fc.CheckRevoked.Enabled(true)
	project := fc.ProjectID
	var account *idtoken.ServiceAccount
	if project == "" || checkRevoked {
		file := m.cfg.FirebaseServiceAccountKeyJSON
		if file == "" {
			file = DefaultFirebaseServiceAccountKeyJSON
		}
		data, err := os.ReadFile(file)
		if err != nil {
			if project != "" {
				return nil, fmt.Errorf("firebase sign-in: checking for disabled users and revoked tokens needs the service account key: %w "+
					"(set auth.Config.FirebaseServiceAccountKeyJSON, or Firebase.CheckRevoked: auth.Off to skip the check)", err)
			}
			return nil, fmt.Errorf("firebase sign-in is not configured: %w", err)
		}
		if account, err = idtoken.ParseServiceAccount(data); err != nil {
			return nil, fmt.Errorf("firebase sign-in: %s: %w", file, err)
		}
		if project == "" {
			project = account.ProjectID
		}
		if project == "" {
			return nil, fmt.Errorf("firebase sign-in: %s has no project_id", file)
		}
	}
	v, err := idtoken.NewFirebase(project, m.tokenConfig(fc.CertsURL))
	if err != nil {
		return nil, err
	}
	setup := &firebaseSetup{verifier: v}
	if checkRevoked {
		setup.users, err = idtoken.NewFirebaseUsers(project, account, idtoken.FirebaseUsersConfig{
			BaseURL: fc.IdentityToolkitURL, TokenURL: fc.TokenURL, HTTPClient: m.http, Now: m.now})
		if err != nil {
			return nil, fmt.Errorf("firebase sign-in: %w (or set Firebase.CheckRevoked: auth.Off)", err)
		}
	}
	return setup, nil
}

// tokenFailure turns a verification error into the answer: a bad token is
// invalidCredentials; a failure to ask the provider (its keys, Firebase's
// user lookup) is internalError.
func tokenFailure(s *pod.Session, provider string, err error) protocol.AuthenticationResponse {
	if !errors.Is(err, idtoken.ErrInvalidToken) {
		s.Log.Error("auth module: asking the identity provider", "provider", provider, "error", err)
		return failure(protocol.AuthenticationFailReasonInternalError)
	}
	s.Log.Info("auth module: identity token refused", "provider", provider, "error", err)
	return failure(protocol.AuthenticationFailReasonInvalidCredentials)
}

// notConfigured answers a sign-in with a provider the server has not set
// up (2.4 failed such calls with 500).
func notConfigured(s *pod.Session, err error) protocol.AuthenticationResponse {
	s.Log.Error("auth module: "+err.Error(), "endpoint", s.Endpoint)
	return failure(protocol.AuthenticationFailReasonInternalError)
}

// nonEmpty is nil for "", else a pointer to s.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// firstNonEmpty returns the first argument that is not empty, as a
// providerName.
func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = providerName(v); v != "" {
			return v
		}
	}
	return ""
}

// rawString is a string claim, "" when absent or not a string.
func rawString(raw json.RawMessage) string {
	var s string
	if raw == nil || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// verifiedEmail is the address to store for a new user: only one the
// provider vouches for, so that nobody can claim an address (and block its
// owner's sign-up) with an unverified account.
func verifiedEmail(email string, verified bool) *string {
	if !verified {
		return nil
	}
	return nonEmpty(email)
}
