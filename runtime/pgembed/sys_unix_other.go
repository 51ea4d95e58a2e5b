//go:build unix && !linux

package pgembed

import "syscall"

const lockThread = false

// sysProcAttr runs the child as the account, in its own process group so
// that a Ctrl-C at the terminal reaches gopod, which then stops PostgreSQL in
// order.
func sysProcAttr(a *account) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	if a != nil {
		attr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid}
	}
	return attr
}
