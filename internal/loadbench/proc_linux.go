package main

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal ends a server process when the benchmark dies.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
