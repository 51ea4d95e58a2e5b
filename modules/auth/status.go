package auth

import (
	"github.com/gopod/gopod/modules/auth/internal/authkey"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// StatusEndpoint tells a client whether it is signed in and signs it out
// (serverpod_auth.status).
type StatusEndpoint struct {
	pod.Endpoint
}

// IsSignedIn reports whether the call came with a valid auth key.
func (e *StatusEndpoint) IsSignedIn(s *pod.Session) (bool, error) {
	if _, err := moduleOf(s); err != nil {
		return false, err
	}
	info, err := s.Authenticated()
	return info != nil, err
}

// SignOut signs the caller out on the current device or on all devices,
// as the server's LegacyUserSignOutBehavior says.
//
// Deprecated: Use SignOutDevice or SignOutAllDevices.
func (e *StatusEndpoint) SignOut(s *pod.Session) error {
	m, err := moduleOf(s)
	if err != nil {
		return err
	}
	if m.cfg.LegacyUserSignOutBehavior == CurrentDevice {
		return m.signOutDevice(s)
	}
	return m.signOutAllDevices(s)
}

// SignOutDevice revokes the auth key the call came with.
func (e *StatusEndpoint) SignOutDevice(s *pod.Session) error {
	m, err := moduleOf(s)
	if err != nil {
		return err
	}
	return m.signOutDevice(s)
}

// SignOutAllDevices revokes every auth key of the caller.
func (e *StatusEndpoint) SignOutAllDevices(s *pod.Session) error {
	m, err := moduleOf(s)
	if err != nil {
		return err
	}
	return m.signOutAllDevices(s)
}

// GetUserInfo returns the signed-in user, null when not signed in.
func (e *StatusEndpoint) GetUserInfo(s *pod.Session) (*protocol.UserInfo, error) {
	m, err := moduleOf(s)
	if err != nil {
		return nil, err
	}
	userID, ok := s.UserID()
	if !ok {
		return nil, nil
	}
	u, err := findUserByIDUncached(s, userID)
	return m.visibleToUser(u), err
}

// GetUserSettingsConfig tells the client what users may see and change.
func (e *StatusEndpoint) GetUserSettingsConfig(s *pod.Session) (protocol.UserSettingsConfig, error) {
	m, err := moduleOf(s)
	if err != nil {
		return protocol.UserSettingsConfig{}, err
	}
	c := m.cfg
	images := c.EnableUserImages.Enabled(true)
	return protocol.UserSettingsConfig{
		CanSeeUserName:   c.UserCanSeeUserName.Enabled(true),
		CanSeeFullName:   c.UserCanSeeFullName.Enabled(true),
		CanEditUserName:  c.UserCanEditUserName.Enabled(true),
		CanEditFullName:  c.UserCanEditFullName.Enabled(false),
		CanEditUserImage: c.UserCanEditUserImage.Enabled(true) && images,
	}, nil
}

func (m *Module) signOutDevice(s *pod.Session) error {
	info, err := s.Authenticated()
	if err != nil || info == nil {
		return err
	}
	id, err := authkey.ParseID(info.AuthID)
	if err != nil {
		return nil // not a key of this module
	}
	return m.RevokeAuthKey(s, id)
}

func (m *Module) signOutAllDevices(s *pod.Session) error {
	userID, ok := s.UserID()
	if !ok {
		return nil
	}
	return m.SignOutUser(s, userID)
}
