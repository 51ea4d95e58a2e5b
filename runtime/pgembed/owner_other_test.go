//go:build !unix

package pgembed

import "testing"

// ownerUID is only called when running as root, which does not happen here.
func ownerUID(t *testing.T, path string) int {
	t.Helper()
	t.Fatal("file owners are not available on this system")
	return -1
}
