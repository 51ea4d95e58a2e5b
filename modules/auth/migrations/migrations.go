// Package migrations holds the auth module's migrations folder, in
// Serverpod's layout, for projects that use the module: their
// create-migration takes the module's tables from its latest version and
// records that version under serverpod_auth in serverpod_migrations.
//
// The first version is Serverpod 2.4's last one, 20240520102713718, with the
// same tables, columns and indexes, so that a database Serverpod 2.4 made is
// recognised; the versions after it only add gopod's side tables.
package migrations

import (
	"embed"
	"io/fs"
	"path"
	"slices"
)

// Serverpod24Version is the module version a Serverpod 2.4 database
// records for serverpod_auth.
const Serverpod24Version = "20240520102713718"

//go:embed migration_registry.txt 2*
var files embed.FS

// FS returns the migrations folder: one directory per version and
// migration_registry.txt.
func FS() fs.FS { return files }

// Versions lists the versions in order, oldest first.
func Versions() []string {
	entries, _ := fs.ReadDir(files, ".") // embedded: cannot fail
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, path.Base(e.Name()))
		}
	}
	slices.Sort(out)
	return out
}

// Latest is the newest version, the one projects record.
func Latest() string {
	v := Versions()
	return v[len(v)-1]
}
