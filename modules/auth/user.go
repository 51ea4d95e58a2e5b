package auth

import (
	"errors"

	"github.com/gopod/gopod/runtime/pod"
)

// UserEndpoint lets signed-in users change their name, full name and image
// (serverpod_auth.user).
type UserEndpoint struct {
	pod.Endpoint
}

// RequireLogin makes every method need a signed-in caller.
func (e *UserEndpoint) RequireLogin() bool { return true }

// RemoveUserImage replaces the user's image with their default image.
func (e *UserEndpoint) RemoveUserImage(s *pod.Session) (bool, error) {
	m, userID, err := signedInCall(s)
	if err != nil || !m.canEditImage() {
		return false, err
	}
	u, err := findUserByIDUncached(s, userID)
	if err != nil || u == nil {
		return false, err
	}
	return true, m.setDefaultUserImage(s, u)
}

// SetUserImage makes an uploaded PNG, JPEG or GIF the user's image,
// cropped to a square and scaled to the configured size. It answers false
// for bytes that are no such image, or too large.
func (e *UserEndpoint) SetUserImage(s *pod.Session, image []byte) (bool, error) {
	m, userID, err := signedInCall(s)
	if err != nil || !m.canEditImage() {
		return false, err
	}
	return m.setUserImage(s, userID, image)
}

// ChangeUserName sets the user's name; it answers false when names may not
// be changed, or for a name that is empty after trimming or too long.
func (e *UserEndpoint) ChangeUserName(s *pod.Session, userName string) (bool, error) {
	m, userID, err := signedInCall(s)
	if err != nil || !m.cfg.UserCanEditUserName.Enabled(true) {
		return false, err
	}
	return m.ChangeUserName(s, userID, userName)
}

// ChangeFullName sets the user's full name, as ChangeUserName does.
func (e *UserEndpoint) ChangeFullName(s *pod.Session, fullName string) (bool, error) {
	m, userID, err := signedInCall(s)
	if err != nil || !m.cfg.UserCanEditFullName.Enabled(false) {
		return false, err
	}
	return m.ChangeFullName(s, userID, fullName)
}

// signedInCall returns the module and the signed-in user of a call that requires a
// login.
func signedInCall(s *pod.Session) (*Module, int64, error) {
	mod, err := moduleOf(s)
	if err != nil {
		return nil, 0, err
	}
	userID, ok := s.UserID()
	if !ok {
		return nil, 0, errNotSignedIn
	}
	return mod, userID, nil
}

func (m *Module) canEditImage() bool {
	return m.cfg.UserCanEditUserImage.Enabled(true) && m.cfg.EnableUserImages.Enabled(true)
}

// errNotSignedIn cannot happen behind RequireLogin; it guards against a
// server that does not enforce it.
var errNotSignedIn = errors.New("auth: the user endpoint needs a signed-in caller")
