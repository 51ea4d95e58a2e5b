package dbschema

import "fmt"

// MigrationAPIVersion is the migrationApiVersion Serverpod 2.4 writes into
// every definition and migration.
const MigrationAPIVersion = 1

// DefaultSchema is the PostgreSQL schema of every Serverpod table.
const DefaultSchema = "public"

// MigrationsTable is the table that records the installed version of every
// module.
const MigrationsTable = "serverpod_migrations"

// ColumnType is Serverpod's ColumnType enum. It is written into
// definition.json by index, so the order of the constants is part of the
// file format.
type ColumnType int

const (
	ColumnText ColumnType = iota
	ColumnBoolean
	ColumnInteger
	ColumnDoublePrecision
	ColumnTimestampWithoutTimeZone
	ColumnBytea
	ColumnBigint
	ColumnUUID
	ColumnJSON
	ColumnUnknown
)

var columnTypeNames = [...]string{"text", "boolean", "integer", "doublePrecision", "timestampWithoutTimeZone", "bytea", "bigint", "uuid", "json", "unknown"}

func (t ColumnType) String() string {
	if t >= 0 && int(t) < len(columnTypeNames) {
		return columnTypeNames[t]
	}
	return fmt.Sprintf("ColumnType(%d)", int(t))
}

// SQL returns the PostgreSQL spelling Serverpod uses for the type, or "" for
// ColumnUnknown and values outside the enum.
func (t ColumnType) SQL() string {
	switch t {
	case ColumnText:
		return "text"
	case ColumnBoolean:
		return "boolean"
	case ColumnInteger:
		return "integer"
	case ColumnDoublePrecision:
		return "double precision"
	case ColumnTimestampWithoutTimeZone:
		return "timestamp without time zone"
	case ColumnBytea:
		return "bytea"
	case ColumnBigint:
		return "bigint"
	case ColumnUUID:
		return "uuid"
	case ColumnJSON:
		return "json"
	}
	return ""
}

// like reports whether two column types are the same for Serverpod, which
// treats integer and bigint as one type.
func (t ColumnType) like(o ColumnType) bool {
	isInt := func(c ColumnType) bool { return c == ColumnInteger || c == ColumnBigint }
	if isInt(t) {
		return isInt(o)
	}
	return t == o
}

// ForeignKeyAction is Serverpod's ForeignKeyAction enum, written by index.
type ForeignKeyAction int

const (
	SetNull ForeignKeyAction = iota
	SetDefault
	Restrict
	NoAction
	Cascade
)

var foreignKeyActionNames = [...]string{"setNull", "setDefault", "restrict", "noAction", "cascade"}

func (a ForeignKeyAction) String() string {
	if a >= 0 && int(a) < len(foreignKeyActionNames) {
		return foreignKeyActionNames[a]
	}
	return fmt.Sprintf("ForeignKeyAction(%d)", int(a))
}

// SQL returns the action as PostgreSQL spells it.
func (a ForeignKeyAction) SQL() string {
	switch a {
	case SetNull:
		return "SET NULL"
	case SetDefault:
		return "SET DEFAULT"
	case Restrict:
		return "RESTRICT"
	case Cascade:
		return "CASCADE"
	}
	return "NO ACTION"
}

// ForeignKeyMatchType is Serverpod's ForeignKeyMatchType enum, written by
// index.
type ForeignKeyMatchType int

const (
	MatchFull ForeignKeyMatchType = iota
	MatchPartial
	MatchSimple
)

var matchTypeNames = [...]string{"full", "partial", "simple"}

func (m ForeignKeyMatchType) String() string {
	if m >= 0 && int(m) < len(matchTypeNames) {
		return matchTypeNames[m]
	}
	return fmt.Sprintf("ForeignKeyMatchType(%d)", int(m))
}

// IndexElementType is Serverpod's IndexElementDefinitionType enum, written by
// index.
type IndexElementType int

const (
	IndexElementColumn IndexElementType = iota
	IndexElementExpression
)

func (t IndexElementType) String() string {
	switch t {
	case IndexElementColumn:
		return "column"
	case IndexElementExpression:
		return "expression"
	}
	return fmt.Sprintf("IndexElementType(%d)", int(t))
}

// ActionType is Serverpod's DatabaseMigrationActionType, written by name.
type ActionType int

const (
	CreateTable ActionType = iota
	CreateTableIfNotExists
	DeleteTable
	AlterTable
)

var actionTypeNames = [...]string{"createTable", "createTableIfNotExists", "deleteTable", "alterTable"}

func (t ActionType) String() string {
	if t >= 0 && int(t) < len(actionTypeNames) {
		return actionTypeNames[t]
	}
	return fmt.Sprintf("ActionType(%d)", int(t))
}

// WarningType is Serverpod's DatabaseMigrationWarningType, written by name.
type WarningType int

const (
	TableDropped WarningType = iota
	ColumnDropped
	NotNullAdded
	UniqueIndexCreated
)

var warningTypeNames = [...]string{"tableDropped", "columnDropped", "notNullAdded", "uniqueIndexCreated"}

func (t WarningType) String() string {
	if t >= 0 && int(t) < len(warningTypeNames) {
		return warningTypeNames[t]
	}
	return fmt.Sprintf("WarningType(%d)", int(t))
}

// DatabaseDefinition is the content of definition.json (the full schema after
// a migration) and definition_project.json (one module's own tables).
//
// Optional string fields of this and the nested types are written only when
// they are not empty, which is how Serverpod omits its null values.
type DatabaseDefinition struct {
	Name                string
	ModuleName          string
	Tables              []*TableDefinition
	InstalledModules    []ModuleVersion
	MigrationAPIVersion int
}

// Table returns the table called name, or nil.
func (d *DatabaseDefinition) Table(name string) *TableDefinition {
	for _, t := range d.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// ModuleVersion is Serverpod's DatabaseMigrationVersion: one row of the
// serverpod_migrations table, and one entry of installedModules.
type ModuleVersion struct {
	Module  string
	Version string
	// Timestamp is the row's timestamp as Serverpod serializes it; empty in
	// migration files.
	Timestamp string
}

// TableDefinition describes one table.
type TableDefinition struct {
	Name        string
	DartName    string
	Module      string
	Schema      string
	TableSpace  string
	Columns     []*ColumnDefinition
	ForeignKeys []*ForeignKeyDefinition
	Indexes     []*IndexDefinition
	// Managed is nil when the file does not say; nil and true both mean the
	// table is managed by migrations.
	Managed *bool
}

// IsManaged reports whether migrations create and change the table.
func (t *TableDefinition) IsManaged() bool { return t.Managed == nil || *t.Managed }

// Column returns the column called name, or nil.
func (t *TableDefinition) Column(name string) *ColumnDefinition {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Index returns the index called name, or nil.
func (t *TableDefinition) Index(name string) *IndexDefinition {
	for _, i := range t.Indexes {
		if i.IndexName == name {
			return i
		}
	}
	return nil
}

// ForeignKey returns the foreign key constraint called name, or nil.
func (t *TableDefinition) ForeignKey(name string) *ForeignKeyDefinition {
	for _, f := range t.ForeignKeys {
		if f.ConstraintName == name {
			return f
		}
	}
	return nil
}

// ColumnDefinition describes one column.
type ColumnDefinition struct {
	Name          string
	ColumnType    ColumnType
	IsNullable    bool
	ColumnDefault string
	DartType      string
	// PreviousName is gopod's rename hint: the column's name in the previous
	// migration, so that Diff renames it instead of dropping it. It is never
	// written to definition.json.
	PreviousName string
}

// IndexDefinition describes one index, including the primary key's.
type IndexDefinition struct {
	IndexName  string
	TableSpace string
	Elements   []IndexElement
	Type       string
	IsUnique   bool
	IsPrimary  bool
	Predicate  string
}

// Columns returns the definitions of the index's elements.
func (i *IndexDefinition) Columns() []string {
	out := make([]string, len(i.Elements))
	for k, e := range i.Elements {
		out[k] = e.Definition
	}
	return out
}

// IndexElement is one column or expression of an index.
type IndexElement struct {
	Type       IndexElementType
	Definition string
}

// ForeignKeyDefinition describes one foreign key constraint.
type ForeignKeyDefinition struct {
	ConstraintName       string
	Columns              []string
	ReferenceTable       string
	ReferenceTableSchema string
	ReferenceColumns     []string
	OnUpdate             *ForeignKeyAction
	OnDelete             *ForeignKeyAction
	MatchType            *ForeignKeyMatchType
}

// Action returns a pointer to a, for the optional fields of
// ForeignKeyDefinition.
func Action(a ForeignKeyAction) *ForeignKeyAction { return &a }

// Bool returns a pointer to b, for TableDefinition.Managed.
func Bool(b bool) *bool { return &b }

// DatabaseMigration is the content of migration.json.
type DatabaseMigration struct {
	Actions             []*MigrationAction
	Warnings            []*Warning
	MigrationAPIVersion int
}

// MigrationAction is one action of a migration. Exactly one of DeleteTable,
// AlterTable and CreateTable is set, according to Type.
type MigrationAction struct {
	Type        ActionType
	DeleteTable string
	AlterTable  *TableMigration
	CreateTable *TableDefinition
}

// TableName returns the name of the table the action concerns.
func (a *MigrationAction) TableName() string {
	switch {
	case a.AlterTable != nil:
		return a.AlterTable.Name
	case a.CreateTable != nil:
		return a.CreateTable.Name
	}
	return a.DeleteTable
}

// TableMigration is the alteration of one existing table.
type TableMigration struct {
	Name              string
	DartName          string
	Module            string
	Schema            string
	AddColumns        []*ColumnDefinition
	DeleteColumns     []string
	ModifyColumns     []*ColumnMigration
	AddIndexes        []*IndexDefinition
	DeleteIndexes     []string
	AddForeignKeys    []*ForeignKeyDefinition
	DeleteForeignKeys []string
	Warnings          []*Warning
}

// ColumnMigration is the change of one column's nullability or default, or
// its rename.
type ColumnMigration struct {
	ColumnName string
	// NewColumnName is set when the column is renamed. Serverpod 2.4 has no
	// such field; it is written only when set, under the name later
	// Serverpod versions use.
	NewColumnName  string
	AddNullable    bool
	RemoveNullable bool
	ChangeDefault  bool
	NewDefault     string
}

// Warning is Serverpod's DatabaseMigrationWarning.
type Warning struct {
	Type    WarningType
	Message string
	Table   string
	Columns []string
	// Destructive is written as Serverpod spells it: "destrucive".
	Destructive bool
}

func (w *Warning) String() string { return w.Message }
