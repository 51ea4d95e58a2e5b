// Package gopod describes this gopod checkout: its version, and the go.mod
// and go.sum that projects created by `gopod create` build against.
package gopod

import (
	_ "embed"
	"os"
	"path/filepath"
	"runtime"
)

// Version is gopod's version.
const Version = "0.1.0-dev"

// ServerpodVersion is the Serverpod release gopod is compatible with on the
// wire and in the database.
const ServerpodVersion = "2.4.0"

// ModulePath is gopod's Go module path.
const ModulePath = "github.com/gopod/gopod"

// GoMod and GoSum are gopod's own module files. A new project requires the
// same versions of gopod's dependencies, so it builds from the module cache
// without a network.
var (
	//go:embed go.mod
	GoMod []byte
	//go:embed go.sum
	GoSum []byte
)

// SourceDir returns the directory of the gopod checkout this binary was
// built from, for the replace directive of new projects. GOPOD_ROOT
// overrides it; it is empty when neither is known (a -trimpath build).
func SourceDir() string {
	if dir := os.Getenv("GOPOD_ROOT"); dir != "" {
		return dir
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(file)
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return ""
	}
	return dir
}
