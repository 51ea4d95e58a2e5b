package auth

import (
	"strings"

	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// AppleEndpoint signs users in with Apple (serverpod_auth.apple).
type AppleEndpoint struct {
	pod.Endpoint
}

// Authenticate signs a user in with a Sign in with Apple identity token,
// verified against Apple's keys: signature, issuer, audience (the app's
// bundle or service id), expiry, and the subject the client names.
func (e *AppleEndpoint) Authenticate(s *pod.Session, authInfo protocol.AppleAuthInfo) (protocol.AuthenticationResponse, error) {
	m, err := moduleOf(s)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	v, err := m.appleVerifier()
	if err != nil {
		return notConfigured(s, err), nil
	}
	claims, err := v.Verify(s, authInfo.IdentityToken, "")
	if err != nil {
		return tokenFailure(s, "apple", err), nil
	}
	if claims.Subject != authInfo.UserIdentifier {
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	email := normalizeEmail(claims.Email)
	if authInfo.Email != nil && normalizeEmail(*authInfo.Email) != "" && normalizeEmail(*authInfo.Email) != email {
		return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
	}
	// The subject is Apple's stable id; an address links to an existing
	// account only when Apple vouches for it.
	user, err := m.FindUserByIdentifier(s, claims.Subject)
	if err == nil && user == nil && email != "" && claims.EmailVerified {
		user, err = m.FindUserByEmail(s, email)
	}
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if user == nil {
		user, err = m.createUser(s, &protocol.UserInfo{
			UserIdentifier: claims.Subject,
			UserName:       nonEmpty(firstNonEmpty(authInfo.Nickname, claims.GivenName, localPart(email))),
			FullName:       nonEmpty(strings.TrimSpace(authInfo.FullName)),
			Email:          verifiedEmail(email, claims.EmailVerified),
			Created:        m.now().UTC(),
			ScopeNames:     []string{},
		}, "apple")
	}
	if err != nil || user == nil || user.Blocked {
		return userFailure(user, err)
	}
	return m.signedIn(s, user, "apple")
}
