package auth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gopod/gopod/modules/auth/internal/idtoken"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// GoogleEndpoint signs users in with Google (serverpod_auth.google).
type GoogleEndpoint struct {
	pod.Endpoint
}

// AuthenticateWithServerAuthCode signs a user in with the server auth code
// a Google sign-in client obtained: the code is exchanged at Google's token
// endpoint with the app's client secret, and the user's profile read from
// the People API. redirectUri must be the one the client used; null means
// the first of the client secret file's.
func (e *GoogleEndpoint) AuthenticateWithServerAuthCode(s *pod.Session, authenticationCode string, redirectUri *string) (protocol.AuthenticationResponse, error) {
	m, err := moduleOf(s)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	g, err := m.googleSetup()
	if err != nil {
		return notConfigured(s, err), nil
	}
	redirect := ""
	if redirectUri != nil {
		redirect = *redirectUri
	} else if len(g.redirectURIs) > 0 {
		redirect = g.redirectURIs[0]
	}
	tokens, err := g.oauth.Exchange(s, authenticationCode, redirect)
	if err != nil {
		return googleFailure(s, "exchanging the server auth code", err), nil
	}
	var claims *idtoken.Claims
	if tokens.IDToken != "" {
		if claims, err = g.verifier.Verify(s, tokens.IDToken, ""); err != nil {
			return tokenFailure(s, "google", err), nil
		}
	}
	person, err := g.oauth.Person(s, tokens.AccessToken)
	if err != nil {
		return googleFailure(s, "reading the Google profile", err), nil
	}
	// A verified flag vouches for the address it came with only: the
	// signed ID token's address when there is one, else the profile's.
	email, verified := normalizeEmail(person.Email), person.EmailVerified
	if claims != nil && claims.Email != "" {
		if tokenEmail := normalizeEmail(claims.Email); tokenEmail == email {
			verified = verified || claims.EmailVerified
		} else {
			email, verified = tokenEmail, claims.EmailVerified
		}
	}
	if email == "" || !verified {
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	user, err := m.googleUser(s, email, person.GivenName, person.DisplayName, person.PhotoURL)
	if err != nil || user == nil || user.Blocked {
		return userFailure(user, err)
	}
	if tokens.RefreshToken != "" {
		if err := storeGoogleCredentials(s, *user.ID, tokens); err != nil {
			return protocol.AuthenticationResponse{}, err
		}
	}
	return m.signedIn(s, user, "google")
}

// AuthenticateWithIdToken signs a user in with a Google ID token, verified
// locally against Google's keys: signature, issuer, audience (the app's
// client ids), expiry, and a verified email address.
func (e *GoogleEndpoint) AuthenticateWithIdToken(s *pod.Session, idToken string) (protocol.AuthenticationResponse, error) {
	m, err := moduleOf(s)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	g, err := m.googleSetup()
	if err != nil {
		return notConfigured(s, err), nil
	}
	claims, err := g.verifier.Verify(s, idToken, "")
	if err != nil {
		return tokenFailure(s, "google", err), nil
	}
	email := normalizeEmail(claims.Email)
	if email == "" || !claims.EmailVerified {
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	user, err := m.googleUser(s, email, claims.GivenName, claims.Name, claims.Picture)
	if err != nil || user == nil || user.Blocked {
		return userFailure(user, err)
	}
	return m.signedIn(s, user, "google")
}

func googleFailure(s *pod.Session, what string, err error) protocol.AuthenticationResponse {
	if errors.Is(err, idtoken.ErrGoogleOAuth) {
		s.Log.Info("auth module: google refused: "+what, "error", err)
		return failure(protocol.AuthenticationFailReasonInvalidCredentials)
	}
	s.Log.Error("auth module: google sign-in: "+what, "error", err)
	return failure(protocol.AuthenticationFailReasonInternalError)
}

// userFailure answers a sign-in whose user could not be had: an error, a
// refused creation (nil) or a blocked user.
func userFailure(user *protocol.UserInfo, err error) (protocol.AuthenticationResponse, error) {
	switch {
	case err != nil:
		return protocol.AuthenticationResponse{}, err
	case user == nil:
		return failure(protocol.AuthenticationFailReasonUserCreationDenied), nil
	}
	return failure(protocol.AuthenticationFailReasonBlocked), nil
}

// googleUser finds the user with the (verified) Google address, or creates
// one with the profile's names and, when enabled, its photo.
func (m *Module) googleUser(s *pod.Session, email, givenName, displayName, photoURL string) (*protocol.UserInfo, error) {
	user, err := m.FindUserByEmail(s, email)
	if err != nil || user != nil {
		return user, err
	}
	user, err = m.createUser(s, &protocol.UserInfo{
		UserIdentifier: email,
		UserName:       nonEmpty(firstNonEmpty(givenName, displayName, localPart(email))),
		FullName:       nonEmpty(providerName(displayName)),
		Email:          &email,
		Created:        m.now().UTC(),
		ScopeNames:     []string{},
	}, "google")
	if err != nil || user == nil {
		return user, err
	}
	if !m.cfg.EnableUserImages.Enabled(true) {
		return user, nil
	}
	imported := false
	if photoURL != "" && m.cfg.ImportUserImagesFromGoogleSignIn.Enabled(true) {
		if err := m.importUserImage(s, *user.ID, googlePhotoURL(photoURL, m.cfg.UserImageSize)); err != nil {
			s.Log.Warn("auth module: importing the Google photo", "userId", *user.ID, "error", err)
		} else {
			imported = true
		}
	}
	if !imported {
		if err := m.setDefaultUserImage(s, user); err != nil {
			s.Log.Error("auth module: drawing a default user image", "userId", *user.ID, "error", err)
		}
	}
	return findUserByIDUncached(s, *user.ID)
}

// googlePhotoURL asks Google for the photo at the configured size, as 2.4
// does: profile photo URLs end in a size directive such as s100.
func googlePhotoURL(u string, size int) string {
	if strings.HasSuffix(u, "s100") {
		return strings.TrimSuffix(u, "s100") + "s" + strconv.Itoa(size)
	}
	return u
}

func localPart(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return local
}

// storeGoogleCredentials keeps the tokens in 2.4's form, so that server
// code can call Google APIs for the user.
func storeGoogleCredentials(s *pod.Session, userID int64, tokens *idtoken.Tokens) error {
	creds, err := tokens.CredentialsJSON()
	if err != nil {
		return err
	}
	_, err = s.Querier().Exec(s, `INSERT INTO "serverpod_google_refresh_token" ("userId", "refreshToken") VALUES ($1, $2)
    ON CONFLICT ("userId") DO UPDATE SET "refreshToken" = EXCLUDED."refreshToken"`, userID, string(creds))
	if err != nil {
		return fmt.Errorf("storing the Google credentials of user %d: %w", userID, err)
	}
	return nil
}
