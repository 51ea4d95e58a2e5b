package auth

import (
	"context"

	"github.com/gopod/gopod/modules/auth/internal/avatar"
)

// PasswordChecks is how many passwords the module has compared so far.
func (m *Module) PasswordChecks() int64 { return m.checks.passwords.Load() }

// CodeChecks is how many codes the module has compared so far.
func (m *Module) CodeChecks() int64 { return m.checks.codes.Load() }

// WaitForMail returns when every email queued so far has been handed to
// the configured sender.
func (m *Module) WaitForMail() { m.mail.wait() }

// HoldDecodes makes every image decode signal started and wait for
// release before it runs.
func (m *Module) HoldDecodes(started chan<- struct{}, release <-chan struct{}) {
	m.decoder = heldDecoder{m.decoder, started, release}
}

type heldDecoder struct {
	imageDecoder
	started chan<- struct{}
	release <-chan struct{}
}

func (d heldDecoder) Normalize(ctx context.Context, data []byte, size int, format avatar.Format, quality int) ([]byte, error) {
	d.started <- struct{}{}
	<-d.release
	return d.imageDecoder.Normalize(ctx, data, size, format, quality)
}
