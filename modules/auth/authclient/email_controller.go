package authclient

import (
	"context"
	"fmt"
)

// EmailAuthController signs users up and in with an email address and a
// password through a SessionManager, as serverpod_auth_email_flutter's
// EmailAuthController does for Flutter apps. Where that one answers false
// or null and swallows errors, this one returns them: ErrRefused when the
// server said no without a reason, a *SignInError for a refused sign-in,
// and the call's error otherwise.
type EmailAuthController struct {
	session *SessionManager
}

// NewEmailAuthController returns a controller that registers sign-ins
// with session.
func NewEmailAuthController(session *SessionManager) *EmailAuthController {
	return &EmailAuthController{session: session}
}

// SignIn signs in with email and password and registers the sign-in with
// the session manager, so the caller sends the new key from then on.
func (c *EmailAuthController) SignIn(ctx context.Context, email, password string) (*UserInfo, error) {
	r, err := c.session.caller.Email.Authenticate(ctx, email, password)
	if err != nil {
		return nil, fmt.Errorf("signing in: %w", err)
	}
	return c.session.RegisterResponse(ctx, r)
}

// CreateAccountRequest starts a sign-up; the server sends a code to the
// address, which ValidateAccount takes. It returns ErrRefused when the
// server declines (for example a password outside the length limits).
func (c *EmailAuthController) CreateAccountRequest(ctx context.Context, userName, email, password string) error {
	ok, err := c.session.caller.Email.CreateAccountRequest(ctx, userName, email, password)
	if err != nil {
		return fmt.Errorf("requesting an account: %w", err)
	}
	if !ok {
		return fmt.Errorf("requesting an account: %w", ErrRefused)
	}
	return nil
}

// ValidateAccount completes a sign-up with the code sent to the address
// and returns the new user. As in 2.4 it does not sign the user in; call
// SignIn next. It returns ErrRefused for a wrong code or an unknown or
// expired request.
func (c *EmailAuthController) ValidateAccount(ctx context.Context, email, verificationCode string) (*UserInfo, error) {
	u, err := c.session.caller.Email.CreateAccount(ctx, email, verificationCode)
	if err != nil {
		return nil, fmt.Errorf("validating the account: %w", err)
	}
	if u == nil {
		return nil, fmt.Errorf("validating the account: %w", ErrRefused)
	}
	return u, nil
}

// InitiatePasswordReset asks the server to send a password reset code to
// the address. It returns ErrRefused when the server declines.
func (c *EmailAuthController) InitiatePasswordReset(ctx context.Context, email string) error {
	ok, err := c.session.caller.Email.InitiatePasswordReset(ctx, email)
	if err != nil {
		return fmt.Errorf("initiating a password reset: %w", err)
	}
	if !ok {
		return fmt.Errorf("initiating a password reset: %w", ErrRefused)
	}
	return nil
}

// ResetPassword sets a new password with a code from
// InitiatePasswordReset. The server signs the user out on every device, so
// sign in again afterwards. It returns ErrRefused for a wrong or expired
// code or a password outside the length limits.
func (c *EmailAuthController) ResetPassword(ctx context.Context, verificationCode, password string) error {
	ok, err := c.session.caller.Email.ResetPassword(ctx, verificationCode, password)
	if err != nil {
		return fmt.Errorf("resetting the password: %w", err)
	}
	if !ok {
		return fmt.Errorf("resetting the password: %w", ErrRefused)
	}
	return nil
}
