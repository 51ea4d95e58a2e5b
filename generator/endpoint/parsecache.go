package endpoint

import (
	"crypto/sha256"
	"go/ast"
	"go/token"
	"sync"
)

// ParseCache keeps parsed files between discoveries in one process (gopod
// generate --watch): a file whose content did not change is not parsed
// again. Type-checking never changes a syntax tree, so trees are shared.
type ParseCache struct {
	mu    sync.Mutex
	fset  *token.FileSet
	files map[parseKey]*ast.File
}

type parseKey struct {
	name   string
	sum    [sha256.Size]byte
	bodies bool
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache {
	return &ParseCache{fset: token.NewFileSet(), files: map[parseKey]*ast.File{}}
}

func (c *ParseCache) get(k parseKey) *ast.File {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.files[k]
}

// put remembers f, forgetting older versions of the same file so that
// the cache holds one tree per file.
func (c *ParseCache) put(k parseKey, f *ast.File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for old := range c.files {
		if old.name == k.name && old.bodies == k.bodies {
			delete(c.files, old)
		}
	}
	c.files[k] = f
}
