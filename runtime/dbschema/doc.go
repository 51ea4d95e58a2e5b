// Package dbschema holds Serverpod 2.4's database definitions — the
// DatabaseDefinition, TableDefinition and DatabaseMigration snapshots kept in
// a project's migrations folder — and everything gopod does with them:
// reading and writing them byte for byte as Serverpod does, turning them into
// Atlas schema realms, diffing two definitions through Atlas under gopod's
// migration policy, rendering the definition, migration and down SQL
// scripts, and reading a live PostgreSQL database back into a definition to
// detect drift.
//
// Serverpod's JSON snapshots stay the source of truth; Atlas is only the
// engine that compares schemas and plans the SQL. The policy layer on top of
// Atlas is what makes gopod's migrations safe: unmanaged tables are left
// alone, renamed columns are renamed instead of dropped, every step that can
// lose data or fail on existing rows is reported as a Serverpod warning, and
// nothing is ever dropped with CASCADE.
package dbschema
