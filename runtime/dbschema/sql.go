package dbschema

import (
	"fmt"
	"strings"
)

// DefinitionSQL renders definition.sql: the script that creates every
// managed table of d in an empty database and records the version of every
// installed module, in one transaction. The layout is Serverpod 2.4's, so
// that the same definition gives the same file.
func DefinitionSQL(d *DatabaseDefinition) (string, error) {
	var tables, fks strings.Builder
	for _, t := range d.Tables {
		if !t.IsManaged() {
			continue
		}
		fmt.Fprintf(&tables, "--\n-- Class %s as table %s\n--\n", t.DartName, t.Name)
		if err := writeCreateTable(&tables, t, false); err != nil {
			return "", err
		}
		if len(t.ForeignKeys) > 0 {
			fmt.Fprintf(&fks, "--\n-- Foreign relations for %s table\n--\n", quoteIdent(t.Name))
			for _, fk := range t.ForeignKeys {
				writeForeignKey(&fks, t.Name, fk)
			}
			fks.WriteString("\n")
		}
	}
	var b strings.Builder
	b.WriteString("BEGIN;\n\n")
	b.WriteString(tables.String())
	b.WriteString(fks.String())
	writeVersions(&b, d.InstalledModules, nil)
	b.WriteString("\nCOMMIT;\n")
	return b.String(), nil
}

// writeCreateTable writes a CREATE TABLE statement with the table's indexes,
// as Serverpod lays them out.
func writeCreateTable(b *strings.Builder, t *TableDefinition, ifNotExists bool) error {
	b.WriteString("CREATE TABLE ")
	if ifNotExists {
		b.WriteString("IF NOT EXISTS ")
	}
	b.WriteString(quoteIdent(t.Name) + " (\n")
	for i, c := range t.Columns {
		frag, err := columnSQL(c)
		if err != nil {
			return fmt.Errorf("table %q: %w", t.Name, err)
		}
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("    " + frag)
	}
	b.WriteString("\n);\n")
	var indexes []*IndexDefinition
	for _, x := range t.Indexes {
		// The primary key comes with the id column.
		if len(x.Elements) == 1 && x.Elements[0].Definition == "id" {
			continue
		}
		indexes = append(indexes, x)
	}
	if len(indexes) > 0 {
		b.WriteString("\n-- Indexes\n")
		for _, x := range indexes {
			writeIndex(b, t.Name, x, ifNotExists)
		}
	}
	b.WriteString("\n")
	return nil
}

// columnSQL renders a column as in a CREATE TABLE statement.
func columnSQL(c *ColumnDefinition) (string, error) {
	if c.Name == "id" {
		if c.IsNullable {
			return "", fmt.Errorf("the id column must not be nullable")
		}
		if c.ColumnType != ColumnInteger && c.ColumnType != ColumnBigint {
			return "", fmt.Errorf("the id column must be integer or bigint, not %s", c.ColumnType)
		}
		return `"id" bigserial PRIMARY KEY`, nil
	}
	typ := c.ColumnType.SQL()
	if typ == "" {
		return "", fmt.Errorf("column %q: column type %s has no PostgreSQL type", c.Name, c.ColumnType)
	}
	s := quoteIdent(c.Name) + " " + typ
	if !c.IsNullable {
		s += " NOT NULL"
	}
	if c.ColumnDefault != "" {
		s += " DEFAULT " + c.ColumnDefault
	}
	return s, nil
}

func writeIndex(b *strings.Builder, table string, x *IndexDefinition, ifNotExists bool) {
	b.WriteString("CREATE")
	if x.IsUnique {
		b.WriteString(" UNIQUE")
	}
	b.WriteString(" INDEX")
	if ifNotExists {
		b.WriteString(" IF NOT EXISTS")
	}
	typ := x.Type
	if typ == "" {
		typ = "btree"
	}
	fmt.Fprintf(b, " %s ON %s USING %s (", quoteIdent(x.IndexName), quoteIdent(table), typ)
	for i, e := range x.Elements {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.Type == IndexElementExpression {
			b.WriteString(e.Definition)
		} else {
			b.WriteString(quoteIdent(e.Definition))
		}
	}
	b.WriteString(")")
	if x.Predicate != "" {
		b.WriteString(" WHERE " + x.Predicate)
	}
	b.WriteString(";\n")
}

func writeForeignKey(b *strings.Builder, table string, fk *ForeignKeyDefinition) {
	fmt.Fprintf(b, "ALTER TABLE ONLY %s\n", quoteIdent(table))
	fmt.Fprintf(b, "    ADD CONSTRAINT %s\n", quoteIdent(fk.ConstraintName))
	fmt.Fprintf(b, "    FOREIGN KEY(%s)\n", quoteIdents(fk.Columns))
	fmt.Fprintf(b, "    REFERENCES %s(%s)", quoteIdent(fk.ReferenceTable), quoteIdents(fk.ReferenceColumns))
	if fk.OnDelete != nil {
		fmt.Fprintf(b, "\n    ON DELETE %s", fk.OnDelete.SQL())
	}
	if fk.OnUpdate != nil {
		fmt.Fprintf(b, "\n    ON UPDATE %s", fk.OnUpdate.SQL())
	}
	b.WriteString(";\n")
}

// MigrationSQL renders migration.sql: the plan's statements grouped under
// Serverpod's `-- ACTION` headers, the version of every installed module,
// and the removal of the modules that are gone, in one transaction.
func MigrationSQL(p *Plan, installed, removed []ModuleVersion) string {
	var b strings.Builder
	b.WriteString("BEGIN;\n\n")
	writeSections(&b, p.Steps, "ACTION ", func(s Step) []string { return []string{s.SQL} })
	writeVersions(&b, installed, removed)
	b.WriteString("\nCOMMIT;\n")
	return b.String()
}

// DownSQL renders down.sql: the statements that undo the plan, in reverse
// order, followed by the module versions to restore and the modules to
// forget. It restores the schema, not the data of dropped tables or columns.
func DownSQL(p *Plan, restore, remove []ModuleVersion) string {
	var b strings.Builder
	b.WriteString("-- Undoes the migration. It restores the schema, not the data of\n")
	b.WriteString("-- dropped tables or columns.\n")
	b.WriteString("BEGIN;\n\n")
	reversed := make([]Step, len(p.Steps))
	for i, s := range p.Steps {
		reversed[len(p.Steps)-1-i] = s
	}
	writeSections(&b, reversed, "UNDO ", func(s Step) []string {
		if s.Irreversible {
			return []string{"-- cannot be undone: " + strings.ReplaceAll(s.SQL, "\n", "\n-- ")}
		}
		return s.Reverse
	})
	writeVersions(&b, restore, remove)
	b.WriteString("\nCOMMIT;\n")
	return b.String()
}

func actionTitle(a ActionType) string {
	switch a {
	case CreateTable:
		return "CREATE TABLE"
	case CreateTableIfNotExists:
		return "CREATE TABLE IF NOT EXISTS"
	case DeleteTable:
		return "DROP TABLE"
	}
	return "ALTER TABLE"
}

// writeSections writes the statements of steps, one header per run of
// steps on the same table and action.
func writeSections(b *strings.Builder, steps []Step, prefix string, stmts func(Step) []string) {
	for i, s := range steps {
		lines := stmts(s)
		if i == 0 || s.Action != steps[i-1].Action || s.Table != steps[i-1].Table {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(b, "--\n-- %s%s\n--\n", prefix, actionTitle(s.Action))
		}
		for _, l := range lines {
			b.WriteString(l)
			if !strings.HasPrefix(l, "--") {
				b.WriteString(";")
			}
			b.WriteString("\n")
		}
	}
	if len(steps) > 0 {
		b.WriteString("\n")
	}
}

// writeVersions writes Serverpod's version upserts for installed and the
// deletion of the removed modules' rows.
func writeVersions(b *strings.Builder, installed, removed []ModuleVersion) {
	if len(installed) > 0 {
		b.WriteString("\n")
	}
	for _, m := range installed {
		fmt.Fprintf(b, "--\n-- MIGRATION VERSION FOR %s\n--\n", m.Module)
		fmt.Fprintf(b, "INSERT INTO %s (\"module\", \"version\", \"timestamp\")\n", quoteIdent(MigrationsTable))
		fmt.Fprintf(b, "    VALUES (%s, %s, now())\n", quoteLiteral(m.Module), quoteLiteral(m.Version))
		b.WriteString("    ON CONFLICT (\"module\")\n")
		fmt.Fprintf(b, "    DO UPDATE SET \"version\" = %s, \"timestamp\" = now();\n\n", quoteLiteral(m.Version))
	}
	if len(removed) > 0 {
		names := make([]string, len(removed))
		for i, m := range removed {
			names[i] = quoteLiteral(m.Module)
		}
		list := strings.Join(names, ", ")
		fmt.Fprintf(b, "\n--\n-- MIGRATION VERSION FOR %s\n--\n", list)
		fmt.Fprintf(b, "DELETE FROM %s WHERE \"module\" IN (%s);\n", quoteIdent(MigrationsTable), list)
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteIdents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteIdent(n)
	}
	return strings.Join(q, ", ")
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// String renders the plan's statements under Serverpod's action headers, as
// they appear in migration.sql.
func (p *Plan) String() string {
	var b strings.Builder
	writeSections(&b, p.Steps, "ACTION ", func(s Step) []string { return []string{s.SQL} })
	return b.String()
}
