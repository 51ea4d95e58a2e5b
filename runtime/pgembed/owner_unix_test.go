//go:build unix

package pgembed

import (
	"os"
	"syscall"
	"testing"
)

func ownerUID(t *testing.T, path string) int {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid)
}
