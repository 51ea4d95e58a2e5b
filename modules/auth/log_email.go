package auth

import (
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// LogValidationEmail is a stand-in for Config.SendValidationEmail during
// development: instead of sending an email it logs the code with the
// address, so that sign-up can be tried without a mail server. Never use it
// in production: anyone who reads the log can confirm any address.
func LogValidationEmail(s *pod.Session, email, code string) error {
	s.Log.Info("auth: validation code (development stand-in, no email sent)", "email", email, "code", code)
	return nil
}

// LogPasswordResetEmail is the development stand-in for
// Config.SendPasswordResetEmail: it logs the reset code with the user's
// address instead of sending it.
func LogPasswordResetEmail(s *pod.Session, user *protocol.UserInfo, code string) error {
	email := ""
	if user.Email != nil {
		email = *user.Email
	}
	s.Log.Info("auth: password reset code (development stand-in, no email sent)", "email", email, "userId", *user.ID, "code", code)
	return nil
}
