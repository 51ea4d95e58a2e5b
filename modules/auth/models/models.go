// Package models holds the auth module's model files: the tables and
// protocol classes of Serverpod 2.4's serverpod_auth, with the same table,
// column, index and class names, so that a gopod server reads and writes
// an existing Serverpod 2.4 database and speaks to 2.4 clients unchanged.
//
// The files are embedded so that projects using the module can load them
// without this source tree.
package models

import "embed"

// Files are the module's *.spy.yaml model files.
//
//go:embed *.spy.yaml
var Files embed.FS
