//go:build !linux

package main

import "os/exec"

// setParentDeathSignal is Linux's only; elsewhere servers are stopped by
// the benchmark on its way out.
func setParentDeathSignal(*exec.Cmd) {}
