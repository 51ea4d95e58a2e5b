package auth

// PasswordChecks is how many passwords the module has compared so far.
func (m *Module) PasswordChecks() int64 { return m.checks.passwords.Load() }

// CodeChecks is how many codes the module has compared so far.
func (m *Module) CodeChecks() int64 { return m.checks.codes.Load() }

// WaitForMail returns when every email queued so far has been handed to
// the configured sender.
func (m *Module) WaitForMail() { m.mail.wait() }
