package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"go/format"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// fmtCache remembers gofmt's output for generated sources, keyed by a hash
// of the unformatted source and the Go version. Formatting is most of the
// time spent rendering Go, and between two runs most files do not change.
// Entries live under the project's .gopod/ directory; a run that writes
// files also drops the entries it no longer needs.
type fmtCache struct {
	dir  string
	mu   sync.Mutex
	used map[string]bool
}

func newFmtCache(projectDir string) *fmtCache {
	return &fmtCache{dir: filepath.Join(projectDir, ".gopod", "cache", "gofmt"), used: map[string]bool{}}
}

func (c *fmtCache) format(src []byte) ([]byte, error) {
	h := sha256.New()
	h.Write([]byte(runtime.Version()))
	h.Write([]byte{0})
	h.Write(src)
	key := hex.EncodeToString(h.Sum(nil))
	c.mu.Lock()
	c.used[key] = true
	c.mu.Unlock()
	path := filepath.Join(c.dir, key)
	if out, err := os.ReadFile(path); err == nil {
		return out, nil
	}
	out, err := format.Source(src)
	if err != nil {
		return nil, err
	}
	// The cache is an optimisation: failing to write it is not an error.
	if os.MkdirAll(c.dir, 0o755) == nil {
		if tmp, err := os.CreateTemp(c.dir, ".tmp-*"); err == nil {
			_, werr := tmp.Write(out)
			cerr := tmp.Close()
			if werr != nil || cerr != nil || os.Rename(tmp.Name(), path) != nil {
				os.Remove(tmp.Name())
			}
		}
	}
	return out, nil
}

// prune removes the entries this run did not use.
func (c *fmtCache) prune() {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range entries {
		if !c.used[e.Name()] {
			os.Remove(filepath.Join(c.dir, e.Name()))
		}
	}
}
