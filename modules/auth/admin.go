package auth

import (
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// AdminEndpoint lets administrators look users up and block them
// (serverpod_auth.admin). Callers need the serverpod.admin scope.
type AdminEndpoint struct {
	pod.Endpoint
}

// RequireLogin makes every method need a signed-in caller.
func (e *AdminEndpoint) RequireLogin() bool { return true }

// RequiredScopes makes every method need the admin scope.
func (e *AdminEndpoint) RequiredScopes() []string { return []string{pod.ScopeAdmin} }

// GetUserInfo returns the user with the id, null when there is none.
func (e *AdminEndpoint) GetUserInfo(s *pod.Session, userId int64) (*protocol.UserInfo, error) {
	m, err := moduleOf(s)
	if err != nil {
		return nil, err
	}
	return m.FindUserByID(s, userId)
}

// BlockUser blocks the user and signs them out on every device. It fails
// for an unknown user or one already blocked, as 2.4 does, but with an
// AdminException (status 400) that says which, instead of a 500.
func (e *AdminEndpoint) BlockUser(s *pod.Session, userId int64) error {
	m, err := moduleOf(s)
	if err != nil {
		return err
	}
	return m.BlockUser(s, userId)
}

// UnblockUser lifts a block. It fails for an unknown user or one not
// blocked, as 2.4 does, with an AdminException (status 400).
func (e *AdminEndpoint) UnblockUser(s *pod.Session, userId int64) error {
	m, err := moduleOf(s)
	if err != nil {
		return err
	}
	return m.UnblockUser(s, userId)
}
