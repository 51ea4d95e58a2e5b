package dbschema

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
)

// Inspect reads the tables of the database's public schema into a
// definition, the way Serverpod's live database analysis does. Column Dart
// types are unknown to a database and stay empty; installedModules comes from
// the serverpod_migrations table when it exists.
//
// db must be a PostgreSQL connection, for example pgx's stdlib driver.
func Inspect(ctx context.Context, db *sql.DB) (*DatabaseDefinition, error) {
	_, live, err := inspectPublic(ctx, db)
	if err != nil {
		return nil, err
	}
	def := FromSchema(live)
	if _, ok := live.Table(MigrationsTable); ok {
		def.InstalledModules, err = installedModules(ctx, db)
		if err != nil {
			return nil, err
		}
	}
	return def, nil
}

// FromSchema converts the tables of an Atlas schema, typically an inspected
// one, back into a definition with the tables sorted by name. It is the
// inverse of ToRealm for everything a database holds; Dart names and types,
// modules and the managed flag are not in a database and stay unset.
func FromSchema(s *schema.Schema) *DatabaseDefinition {
	def := &DatabaseDefinition{MigrationAPIVersion: MigrationAPIVersion, Tables: []*TableDefinition{}, InstalledModules: []ModuleVersion{}}
	tables := append([]*schema.Table(nil), s.Tables...)
	sort.Slice(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	for _, t := range tables {
		def.Tables = append(def.Tables, fromAtlasTable(t))
	}
	return def
}

// Drift compares the live database with the managed tables of want and
// returns the statements that would make the database match; none means
// the database is as the definition describes. Tables the definition does
// not manage are not compared.
func Drift(ctx context.Context, db *sql.DB, want *DatabaseDefinition) ([]string, error) {
	drv, live, err := inspectPublic(ctx, db)
	if err != nil {
		return nil, err
	}
	realm, err := ToRealm(want)
	if err != nil {
		return nil, err
	}
	target := realm.Schemas[0]
	managed := map[string]bool{}
	for _, t := range want.Tables {
		if t.IsManaged() {
			managed[t.Name] = true
		}
	}
	keepManaged := func(ts []*schema.Table) []*schema.Table {
		var out []*schema.Table
		for _, t := range ts {
			if managed[t.Name] {
				out = append(out, t)
			}
		}
		return out
	}
	live.Tables = keepManaged(live.Tables)
	target.Tables = keepManaged(target.Tables)
	live.Objects, live.Views, live.Funcs, live.Procs = nil, nil, nil, nil
	// The driver's differ asks the database whether two default
	// expressions are equal when their spellings differ.
	changes, err := drv.SchemaDiff(live, target)
	if err != nil {
		return nil, fmt.Errorf("compare the database with the definition: %w", err)
	}
	if len(changes) == 0 {
		return nil, nil
	}
	plan, err := drv.PlanChanges(ctx, "drift", changes, planOptions)
	if err != nil {
		return nil, fmt.Errorf("plan the drift: %w", err)
	}
	out := make([]string, len(plan.Changes))
	for i, c := range plan.Changes {
		out[i] = c.Cmd
	}
	return out, nil
}

func inspectPublic(ctx context.Context, db *sql.DB) (migrate.Driver, *schema.Schema, error) {
	drv, err := postgres.Open(db)
	if err != nil {
		return nil, nil, fmt.Errorf("open the database for inspection: %w", err)
	}
	s, err := drv.InspectSchema(ctx, DefaultSchema, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("inspect the database: %w", err)
	}
	return drv, s, nil
}

func installedModules(ctx context.Context, db *sql.DB) ([]ModuleVersion, error) {
	rows, err := db.QueryContext(ctx, `SELECT "module", "version" FROM "serverpod_migrations" ORDER BY "id"`)
	if err != nil {
		return nil, fmt.Errorf("read the installed module versions: %w", err)
	}
	defer rows.Close()
	var out []ModuleVersion
	for rows.Next() {
		var m ModuleVersion
		if err := rows.Scan(&m.Module, &m.Version); err != nil {
			return nil, fmt.Errorf("read the installed module versions: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the installed module versions: %w", err)
	}
	return out, nil
}

// fromAtlasTable converts an inspected table back into Serverpod's terms.
func fromAtlasTable(t *schema.Table) *TableDefinition {
	td := &TableDefinition{
		Name:        t.Name,
		Schema:      DefaultSchema,
		Columns:     []*ColumnDefinition{},
		ForeignKeys: []*ForeignKeyDefinition{},
		Indexes:     []*IndexDefinition{},
	}
	for _, c := range t.Columns {
		td.Columns = append(td.Columns, fromAtlasColumn(t, c))
	}
	if pk := t.PrimaryKey; pk != nil {
		name := pk.Name
		if name == "" {
			name = t.Name + "_pkey"
		}
		td.Indexes = append(td.Indexes, &IndexDefinition{
			IndexName: name,
			Elements:  indexElements(pk),
			Type:      "btree",
			IsUnique:  true,
			IsPrimary: true,
		})
	}
	for _, idx := range t.Indexes {
		typ, predicate := indexAttrs(idx.Attrs)
		if typ == "" {
			typ = "btree"
		}
		xd := &IndexDefinition{IndexName: idx.Name, Elements: indexElements(idx), Type: typ, IsUnique: idx.Unique, Predicate: predicate}
		td.Indexes = append(td.Indexes, xd)
	}
	for _, fk := range t.ForeignKeys {
		fd := &ForeignKeyDefinition{
			ConstraintName:       fk.Symbol,
			ReferenceTableSchema: DefaultSchema,
			OnUpdate:             Action(foreignKeyAction(fk.OnUpdate)),
			OnDelete:             Action(foreignKeyAction(fk.OnDelete)),
		}
		for _, c := range fk.Columns {
			fd.Columns = append(fd.Columns, c.Name)
		}
		if fk.RefTable != nil {
			fd.ReferenceTable = fk.RefTable.Name
			if fk.RefTable.Schema != nil {
				fd.ReferenceTableSchema = fk.RefTable.Schema.Name
			}
		}
		for _, c := range fk.RefColumns {
			fd.ReferenceColumns = append(fd.ReferenceColumns, c.Name)
		}
		td.ForeignKeys = append(td.ForeignKeys, fd)
	}
	return td
}

func indexElements(idx *schema.Index) []IndexElement {
	var out []IndexElement
	for _, p := range idx.Parts {
		switch {
		case p.C != nil:
			out = append(out, IndexElement{Type: IndexElementColumn, Definition: p.C.Name})
		case p.X != nil:
			if x, ok := p.X.(*schema.RawExpr); ok {
				out = append(out, IndexElement{Type: IndexElementExpression, Definition: x.X})
			}
		}
	}
	return out
}

// indexAttrs returns the index type and predicate attributes of an
// inspected index.
func indexAttrs(attrs []schema.Attr) (typ, predicate string) {
	for _, a := range attrs {
		switch a := a.(type) {
		case *postgres.IndexType:
			typ = strings.ToLower(a.T)
		case *postgres.IndexPredicate:
			predicate = a.P
		}
	}
	return typ, predicate
}

func fromAtlasColumn(t *schema.Table, c *schema.Column) *ColumnDefinition {
	cd := &ColumnDefinition{Name: c.Name, IsNullable: c.Type.Null, ColumnType: ColumnUnknown}
	switch typ := c.Type.Type.(type) {
	case *postgres.SerialType:
		cd.ColumnType = ColumnBigint
		if f, _ := postgres.FormatType(typ); f == postgres.TypeSerial || f == postgres.TypeSmallSerial {
			cd.ColumnType = ColumnInteger
		}
		seq := typ.SequenceName
		if seq == "" {
			seq = t.Name + "_" + c.Name + "_seq"
		}
		cd.ColumnDefault = fmt.Sprintf("nextval('%s'::regclass)", seq)
		return cd
	case *schema.IntegerType:
		switch f, _ := postgres.FormatType(typ); f {
		case postgres.TypeBigInt:
			cd.ColumnType = ColumnBigint
		case postgres.TypeInteger:
			cd.ColumnType = ColumnInteger
		}
	case *schema.StringType:
		if f, _ := postgres.FormatType(typ); f == postgres.TypeText {
			cd.ColumnType = ColumnText
		}
	case *schema.BoolType:
		cd.ColumnType = ColumnBoolean
	case *schema.FloatType:
		if f, _ := postgres.FormatType(typ); f == postgres.TypeDouble {
			cd.ColumnType = ColumnDoublePrecision
		}
	case *schema.TimeType:
		if f, _ := postgres.FormatType(typ); f == postgres.TypeTimestamp || f == postgres.TypeTimestampWOTZ {
			cd.ColumnType = ColumnTimestampWithoutTimeZone
		}
	case *schema.BinaryType:
		cd.ColumnType = ColumnBytea
	case *schema.UUIDType:
		cd.ColumnType = ColumnUUID
	case *schema.JSONType:
		if strings.EqualFold(typ.T, postgres.TypeJSON) {
			cd.ColumnType = ColumnJSON
		}
	}
	cd.ColumnDefault = defaultSQL(cd.ColumnType, c.Default)
	return cd
}

// defaultSQL spells an inspected default as PostgreSQL prints it, which is
// how Serverpod's definitions spell defaults: Atlas strips the cast from
// quoted literals, so it is put back.
func defaultSQL(t ColumnType, x schema.Expr) string {
	switch x := x.(type) {
	case *schema.RawExpr:
		return x.X
	case *schema.Literal:
		if !strings.HasPrefix(x.V, "'") {
			return x.V
		}
		switch t {
		case ColumnText:
			return x.V + "::text"
		case ColumnUUID:
			return x.V + "::uuid"
		case ColumnTimestampWithoutTimeZone:
			return x.V + "::timestamp without time zone"
		case ColumnJSON:
			return x.V + "::json"
		case ColumnBytea:
			return x.V + "::bytea"
		}
		return x.V
	}
	return ""
}
