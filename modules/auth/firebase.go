package auth

import (
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// FirebaseEndpoint signs users in with Firebase Authentication
// (serverpod_auth.firebase).
type FirebaseEndpoint struct {
	pod.Endpoint
}

// Authenticate signs a user in with a Firebase ID token, verified against
// Firebase's certificates: signature, issuer and audience (the project),
// expiry and auth_time; and, unless Firebase.CheckRevoked is off, with
// Firebase itself: the user must exist, not be disabled, and not have had
// their tokens revoked since this one's sign-in. An existing account is
// taken over by email address only when Firebase says the address is
// verified.
func (e *FirebaseEndpoint) Authenticate(s *pod.Session, idToken string) (protocol.AuthenticationResponse, error) {
	m, err := moduleOf(s)
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	fb, err := m.firebaseSetup()
	if err != nil {
		return notConfigured(s, err), nil
	}
	claims, err := fb.verifier.Verify(s, idToken, "")
	if err == nil && fb.users != nil {
		err = fb.users.Check(s, claims)
	}
	if err != nil {
		return tokenFailure(s, "firebase", err), nil
	}
	email := normalizeEmail(claims.Email)
	user, err := m.FindUserByIdentifier(s, claims.Subject)
	if err == nil && user == nil && email != "" {
		user, err = m.FindUserByEmail(s, email)
		if err == nil && user != nil && !claims.EmailVerified {
			// 2.4 linked unverified addresses: anyone could create a
			// Firebase account with a victim's address and sign in as
			// the victim.
			s.Log.Info("auth module: firebase sign-in with an unverified address of an existing account refused", "uid", claims.Subject)
			return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
		}
	}
	if err != nil {
		return protocol.AuthenticationResponse{}, err
	}
	if user == nil {
		user, err = m.createUser(s, &protocol.UserInfo{
			UserIdentifier: claims.Subject,
			UserName:       nonEmpty(firstNonEmpty(rawString(claims.Raw["nickname"]), localPart(email), claims.Name)),
			FullName:       nonEmpty(providerName(claims.Name)),
			Email:          verifiedEmail(email, claims.EmailVerified),
			Created:        m.now().UTC(),
			ScopeNames:     []string{},
		}, "firebase")
	}
	if err != nil || user == nil || user.Blocked {
		return userFailure(user, err)
	}
	return m.signedIn(s, user, "firebase")
}
