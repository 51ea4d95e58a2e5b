package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"
)

type SignInRequiredEndpoint struct {
	pod.Endpoint
}

// RequireLogin is 2.4's requireLogin getter.
func (e *SignInRequiredEndpoint) RequireLogin() bool { return true }

func (e *SignInRequiredEndpoint) TestMethod(s *pod.Session) (bool, error) {
	return true, nil
}

type AdminScopeRequiredEndpoint struct {
	pod.Endpoint
}

// RequiredScopes is 2.4's requiredScopes getter.
func (e *AdminScopeRequiredEndpoint) RequiredScopes() []string { return []string{pod.ScopeAdmin} }

func (e *AdminScopeRequiredEndpoint) TestMethod(s *pod.Session) (bool, error) {
	return true, nil
}
