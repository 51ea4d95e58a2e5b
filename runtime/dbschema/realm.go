package dbschema

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
)

// ToRealm converts the managed tables of d into an Atlas realm with one
// schema, "public". Unmanaged tables that a managed table references are
// included too, so that every foreign key points at a table of the realm.
func ToRealm(d *DatabaseDefinition) (*schema.Realm, error) {
	var tables []*TableDefinition
	referenced := map[string]bool{}
	for _, t := range d.Tables {
		if t.IsManaged() {
			for _, fk := range t.ForeignKeys {
				referenced[fk.ReferenceTable] = true
			}
		}
	}
	for _, t := range d.Tables {
		if t.IsManaged() || referenced[t.Name] {
			tables = append(tables, t)
		}
	}
	return buildRealm(tables)
}

// buildRealm converts tables into a realm. Foreign keys and index parts point
// at the very *schema.Table and *schema.Column objects of the realm, as Atlas
// requires.
func buildRealm(tables []*TableDefinition) (*schema.Realm, error) {
	s := schema.New(DefaultSchema)
	byName := make(map[string]*schema.Table, len(tables))
	for _, td := range tables {
		if td.Schema != "" && td.Schema != DefaultSchema {
			return nil, fmt.Errorf("table %q: schema %q is not supported; Serverpod keeps every table in %q", td.Name, td.Schema, DefaultSchema)
		}
		if _, dup := byName[td.Name]; dup {
			return nil, fmt.Errorf("table %q is defined twice", td.Name)
		}
		t, err := atlasTable(td)
		if err != nil {
			return nil, err
		}
		byName[td.Name] = t
		s.AddTables(t)
	}
	for _, td := range tables {
		if err := addForeignKeys(byName[td.Name], td, byName); err != nil {
			return nil, err
		}
	}
	return schema.NewRealm(s), nil
}

// atlasTable converts a table without its foreign keys.
func atlasTable(td *TableDefinition) (*schema.Table, error) {
	t := schema.NewTable(td.Name)
	for _, cd := range td.Columns {
		c, err := atlasColumn(td.Name, cd)
		if err != nil {
			return nil, err
		}
		t.AddColumns(c)
	}
	hasPrimary := false
	for _, xd := range td.Indexes {
		idx, err := atlasIndex(t, xd)
		if err != nil {
			return nil, fmt.Errorf("table %q: %w", td.Name, err)
		}
		if xd.IsPrimary {
			if hasPrimary {
				return nil, fmt.Errorf("table %q has more than one primary key index", td.Name)
			}
			hasPrimary = true
			t.SetPrimaryKey(idx)
			continue
		}
		t.AddIndexes(idx)
	}
	// Serverpod always creates "id" as the primary key, whether or not the
	// definition lists the index.
	if id, ok := t.Column("id"); ok && !hasPrimary {
		t.SetPrimaryKey(schema.NewPrimaryKey(id).SetName(td.Name + "_pkey"))
	}
	return t, nil
}

// atlasColumn converts one column. The id column becomes bigserial, exactly
// what Serverpod's `"id" bigserial PRIMARY KEY` creates; its nextval default
// is implied by the serial type.
func atlasColumn(table string, cd *ColumnDefinition) (*schema.Column, error) {
	if cd.Name == "" {
		return nil, fmt.Errorf("table %q has a column without a name", table)
	}
	if cd.Name == "id" {
		if cd.IsNullable {
			return nil, fmt.Errorf("table %q: the id column must not be nullable", table)
		}
		if cd.ColumnType != ColumnInteger && cd.ColumnType != ColumnBigint {
			return nil, fmt.Errorf("table %q: the id column must be integer or bigint, not %s", table, cd.ColumnType)
		}
		return schema.NewColumn("id").SetType(&postgres.SerialType{T: postgres.TypeBigSerial}), nil
	}
	typ, err := atlasType(cd.ColumnType)
	if err != nil {
		return nil, fmt.Errorf("table %q, column %q: %w", table, cd.Name, err)
	}
	c := schema.NewColumn(cd.Name).SetType(typ).SetNull(cd.IsNullable)
	if cd.ColumnDefault != "" {
		// Serverpod's defaults are SQL expressions already (`'x'::text`,
		// `CURRENT_TIMESTAMP`, `true`); a raw expression keeps them verbatim.
		c.SetDefault(&schema.RawExpr{X: cd.ColumnDefault})
	}
	return c, nil
}

// atlasType maps a Serverpod column type to PostgreSQL. integer and bigint
// both become bigint: Serverpod treats them as the same type and always
// creates bigint.
func atlasType(t ColumnType) (schema.Type, error) {
	switch t {
	case ColumnText:
		return &schema.StringType{T: postgres.TypeText}, nil
	case ColumnBoolean:
		return &schema.BoolType{T: postgres.TypeBoolean}, nil
	case ColumnInteger, ColumnBigint:
		return &schema.IntegerType{T: postgres.TypeBigInt}, nil
	case ColumnDoublePrecision:
		return &schema.FloatType{T: postgres.TypeDouble}, nil
	case ColumnTimestampWithoutTimeZone:
		return &schema.TimeType{T: postgres.TypeTimestampWOTZ}, nil
	case ColumnBytea:
		return &schema.BinaryType{T: postgres.TypeBytea}, nil
	case ColumnUUID:
		return &schema.UUIDType{T: postgres.TypeUUID}, nil
	case ColumnJSON:
		return &schema.JSONType{T: postgres.TypeJSON}, nil
	}
	return nil, fmt.Errorf("column type %s has no PostgreSQL type", t)
}

func atlasIndex(t *schema.Table, xd *IndexDefinition) (*schema.Index, error) {
	if xd.IndexName == "" {
		return nil, fmt.Errorf("an index has no name")
	}
	if len(xd.Elements) == 0 {
		return nil, fmt.Errorf("index %q has no elements", xd.IndexName)
	}
	idx := schema.NewIndex(xd.IndexName).SetUnique(xd.IsUnique || xd.IsPrimary)
	idx.Table = t
	for _, e := range xd.Elements {
		switch e.Type {
		case IndexElementColumn:
			c, ok := t.Column(e.Definition)
			if !ok {
				return nil, fmt.Errorf("index %q: column %q does not exist", xd.IndexName, e.Definition)
			}
			idx.AddColumns(c)
		case IndexElementExpression:
			idx.AddExprs(&schema.RawExpr{X: e.Definition})
		default:
			return nil, fmt.Errorf("index %q: unknown element type %d", xd.IndexName, int(e.Type))
		}
	}
	if xd.IsPrimary {
		return idx, nil
	}
	if xd.Type != "" {
		idx.AddAttrs(&postgres.IndexType{T: strings.ToUpper(xd.Type)})
	}
	if xd.Predicate != "" {
		idx.AddAttrs(&postgres.IndexPredicate{P: xd.Predicate})
	}
	return idx, nil
}

func addForeignKeys(t *schema.Table, td *TableDefinition, tables map[string]*schema.Table) error {
	for _, fd := range td.ForeignKeys {
		ref, ok := tables[fd.ReferenceTable]
		if !ok {
			return fmt.Errorf("table %q: foreign key %q references table %q, which is not in the definition", td.Name, fd.ConstraintName, fd.ReferenceTable)
		}
		if len(fd.Columns) == 0 || len(fd.Columns) != len(fd.ReferenceColumns) {
			return fmt.Errorf("table %q: foreign key %q needs as many columns as referenced columns", td.Name, fd.ConstraintName)
		}
		fk := schema.NewForeignKey(fd.ConstraintName).SetTable(t).SetRefTable(ref)
		for _, name := range fd.Columns {
			c, ok := t.Column(name)
			if !ok {
				return fmt.Errorf("table %q: foreign key %q: column %q does not exist", td.Name, fd.ConstraintName, name)
			}
			fk.AddColumns(c)
		}
		for _, name := range fd.ReferenceColumns {
			c, ok := ref.Column(name)
			if !ok {
				return fmt.Errorf("table %q: foreign key %q: referenced column %q does not exist in table %q", td.Name, fd.ConstraintName, name, fd.ReferenceTable)
			}
			fk.AddRefColumns(c)
		}
		if fd.OnUpdate != nil {
			fk.SetOnUpdate(referenceOption(*fd.OnUpdate))
		}
		if fd.OnDelete != nil {
			fk.SetOnDelete(referenceOption(*fd.OnDelete))
		}
		t.AddForeignKeys(fk)
	}
	return nil
}

func referenceOption(a ForeignKeyAction) schema.ReferenceOption {
	switch a {
	case SetNull:
		return schema.SetNull
	case SetDefault:
		return schema.SetDefault
	case Restrict:
		return schema.Restrict
	case Cascade:
		return schema.Cascade
	}
	return schema.NoAction
}

func foreignKeyAction(o schema.ReferenceOption) ForeignKeyAction {
	switch strings.ToUpper(string(o)) {
	case string(schema.SetNull):
		return SetNull
	case string(schema.SetDefault):
		return SetDefault
	case string(schema.Restrict):
		return Restrict
	case string(schema.Cascade):
		return Cascade
	}
	return NoAction
}
