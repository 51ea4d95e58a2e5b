package auth

import (
	"fmt"

	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// LogValidationEmail is a stand-in for Config.SendValidationEmail during
// development: instead of sending an email it logs the code with the
// address, so that sign-up can be tried without a mail server. Outside the
// development and test run modes it refuses (the request answers false):
// anyone who reads a production log could confirm any address.
func LogValidationEmail(s *pod.Session, email, code string) error {
	if err := standInAllowed(s, "SendValidationEmail"); err != nil {
		return err
	}
	s.Log.Info("auth: validation code (development stand-in, no email sent)", "email", email, "code", code)
	return nil
}

// LogPasswordResetEmail is the development stand-in for
// Config.SendPasswordResetEmail: it logs the reset code with the user's
// address instead of sending it, and refuses outside development and test.
func LogPasswordResetEmail(s *pod.Session, user *protocol.UserInfo, code string) error {
	if err := standInAllowed(s, "SendPasswordResetEmail"); err != nil {
		return err
	}
	email := ""
	if user.Email != nil {
		email = *user.Email
	}
	s.Log.Info("auth: password reset code (development stand-in, no email sent)", "email", email, "userId", *user.ID, "code", code)
	return nil
}

func standInAllowed(s *pod.Session, option string) error {
	switch mode := s.Server().RunMode(); mode {
	case "development", "test":
		return nil
	default:
		err := fmt.Errorf("auth: no email is sent in %s mode: set auth.Config.%s to a function that sends email (the logging stand-in only works in development and test)", mode, option)
		s.Log.Error(err.Error())
		return err
	}
}
