//go:build !linux

package main

import (
	"os/exec"
	"time"
)

// setParentDeathSignal is Linux's only; elsewhere servers are stopped by
// the benchmark on its way out.
func setParentDeathSignal(*exec.Cmd) {}

// processCPU is not measured outside Linux.
func processCPU(int) (time.Duration, bool) { return 0, false }
