//go:build !unix

package pgembed

import (
	"os"
	"syscall"
)

type account struct{ name string }

const lockThread = false

func chooseAccount(string, string) (*account, error) { return nil, nil }
func checkReachable(string, *account) error          { return nil }
func chownTree(string, *account) error               { return nil }
func ownedBy(string, *account) bool                  { return true }
func ownedBySelf(os.FileInfo, *account) bool         { return true }
func sysProcAttr(*account) *syscall.SysProcAttr      { return nil }
func isPostgres(int) bool                            { return true }
func interrupt(p *os.Process) error                  { return p.Signal(os.Interrupt) }
func quit(p *os.Process) error                       { return p.Kill() }

// processAlive cannot probe a pid here; FindProcess fails for a dead one on
// Windows.
func processAlive(pid int) bool {
	_, err := os.FindProcess(pid)
	return err == nil
}
