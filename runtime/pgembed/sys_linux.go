package pgembed

import "syscall"

// lockThread is true where the parent-death signal is tied to the thread
// that started the child, so that thread must outlive the child.
const lockThread = true

// sysProcAttr runs the child as the account, in its own process group (so a
// Ctrl-C at the terminal reaches gopod, which then stops PostgreSQL in
// order), and asks the kernel to stop it fast if gopod dies without Stop.
func sysProcAttr(a *account) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGINT}
	if a != nil {
		attr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid}
	}
	return attr
}
