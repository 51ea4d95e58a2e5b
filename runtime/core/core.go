// Package core describes Serverpod's core tables — serverpod_migrations,
// serverpod_session_log, serverpod_future_call and the ten others every
// Serverpod 2.4 server has — as gopod's own model files, so that a gopod
// project's database has exactly the tables of a Serverpod 2.4 database and
// gopod can take over an existing one.
//
// The models live in models/ and are written in the model language. The
// migrations folder holds what create-migration produced from them: its
// definition_project.json is what projects merge into their own
// definitions, under the module name "serverpod" and the version of
// Serverpod 2.4's core, so that the serverpod_migrations row of an existing
// database already matches.
package core

import (
	"embed"
	"io/fs"
)

// ModuleName is the module name of the core tables, as recorded in
// serverpod_migrations.
const ModuleName = "serverpod"

// Version is the core's migration version: the last core version of
// Serverpod 2.4.
const Version = "20240516151843329"

//go:embed models/*.spy.yaml
var models embed.FS

//go:embed migrations
var migrations embed.FS

// Models returns the core model files.
func Models() fs.FS {
	sub, err := fs.Sub(models, "models")
	if err != nil {
		// The directory is embedded at build time; fs.Sub fails only on an
		// invalid name.
		panic(err)
	}
	return sub
}

// Migrations returns the core's migrations folder.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}
