// Package migration implements create-migration: it builds the database
// definition a project's models lead to — the project's tables, its
// modules' tables and Serverpod's core tables — compares it with the latest
// version in the project's migrations folder, and writes the next version in
// Serverpod 2.4's layout, with a down.sql beside it.
//
// Unlike Serverpod it refuses nothing silently and loses nothing silently:
// no change writes nothing, every warning is listed and refuses the
// migration unless forced, renamed columns are renamed, and a check mode
// tells CI whether the models changed without a migration.
package migration
