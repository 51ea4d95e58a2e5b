package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/gopod/gopod/modules/auth/internal/idtoken"

	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// AppleEndpoint signs users in with Apple (serverpod_auth.apple).
type AppleEndpoint struct {
	pod.Endpoint
}

// Authenticate signs a user in with a Sign in with Apple identity token,
// verified against Apple's keys: signature, issuer, audience (the app's
// bundle or service id), expiry, and the subject the client names. Each
// token signs in once.
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
			FullName:       nonEmpty(providerName(authInfo.FullName)),
			Email:          verifiedEmail(email, claims.EmailVerified),
			Created:        m.now().UTC(),
			ScopeNames:     []string{},
		}, "apple")
	}
	if err != nil || user == nil || user.Blocked {
		return userFailure(user, err)
	}
	// 2.4's clients send no nonce, so a captured token is only kept from
	// signing in again by remembering it.
	if fresh, err := m.useTokenOnce(s, authInfo.IdentityToken, claims.Expiry); err != nil || !fresh {
		if err == nil {
			s.Log.Info("auth module: an Apple identity token was used again", "sub", claims.Subject)
			return failure(protocol.AuthenticationFailReasonInvalidCredentials), nil
		}
		return protocol.AuthenticationResponse{}, err
	}
	return m.signedIn(s, user, "apple")
}

// useTokenOnce records that a verified identity token signed a user in,
// until it expires (with the verifier's leeway), and reports false when it
// already had. The key is the token's signed part, header and claims,
// which cannot be re-encoded without breaking the signature; the
// signature's own encoding could be.
func (m *Module) useTokenOnce(s *pod.Session, token string, expiry time.Time) (bool, error) {
	signed := token[:max(strings.LastIndexByte(token, '.'), 0)]
	sum := sha256.Sum256([]byte(signed))
	tag, err := s.Querier().Exec(s, `INSERT INTO "gopod_auth_used_token" ("tokenHash", "expiration") VALUES ($1, $2)
    ON CONFLICT ("tokenHash") DO NOTHING`, hex.EncodeToString(sum[:]), expiry.Add(idtoken.DefaultLeeway).UTC())
	if err != nil {
		return false, fmt.Errorf("recording a used identity token: %w", err)
	}
	m.purge(s)
	return tag.RowsAffected() == 1, nil
}
