//go:build gopod_noatlas

package pod

import (
	"context"
	"io/fs"

	"github.com/gopod/gopod/runtime/db"
)

// driftFrom does not compare in this build: the comparison needs
// ariga.io/atlas, which the gopod_noatlas tag leaves out so that a
// development server builds and links quicker. gopod run, which builds
// servers so, makes the comparison itself when the server asks it to
// (see DriftCheckEnv).
func driftFrom(context.Context, *db.DB, fs.FS, string) ([]string, error) {
	return nil, ErrDriftNotCompared
}
