package dbschema

import (
	"reflect"
	"strings"
	"testing"
)

func column(name string, t ColumnType, nullable bool, dart string) *ColumnDefinition {
	return &ColumnDefinition{Name: name, ColumnType: t, IsNullable: nullable, DartType: dart}
}

// table builds a table the way Serverpod defines one: the id column and the
// primary key index first.
func table(name string, cols ...*ColumnDefinition) *TableDefinition {
	t := &TableDefinition{
		Name: name, DartName: strings.ToUpper(name[:1]) + name[1:], Module: "shelf", Schema: DefaultSchema,
		Columns: append([]*ColumnDefinition{{
			Name: "id", ColumnType: ColumnBigint, ColumnDefault: "nextval('" + name + "_id_seq'::regclass)", DartType: "int?",
		}}, cols...),
		Indexes: []*IndexDefinition{{
			IndexName: name + "_pkey", Elements: []IndexElement{{Definition: "id"}}, Type: "btree", IsUnique: true, IsPrimary: true,
		}},
		ForeignKeys: []*ForeignKeyDefinition{},
		Managed:     Bool(true),
	}
	return t
}

func index(name string, unique bool, cols ...string) *IndexDefinition {
	x := &IndexDefinition{IndexName: name, Type: "btree", IsUnique: unique}
	for _, c := range cols {
		x.Elements = append(x.Elements, IndexElement{Definition: c})
	}
	return x
}

func foreignKey(name, col, ref string, onDelete ForeignKeyAction) *ForeignKeyDefinition {
	return &ForeignKeyDefinition{
		ConstraintName: name, Columns: []string{col}, ReferenceTable: ref, ReferenceTableSchema: DefaultSchema,
		ReferenceColumns: []string{"id"}, OnUpdate: Action(NoAction), OnDelete: Action(onDelete),
	}
}

// shelfV1 is the starting schema of the policy tests.
func shelfV1() *DatabaseDefinition {
	author := table("author",
		column("name", ColumnText, false, "String"),
		column("email", ColumnText, true, "String?"),
		column("age", ColumnBigint, true, "int?"))
	author.Indexes = append(author.Indexes, index("author_email_idx", true, "email"))
	book := table("book",
		column("title", ColumnText, false, "String"),
		column("authorId", ColumnBigint, false, "int"))
	book.Indexes = append(book.Indexes, index("book_title_idx", false, "title"))
	book.ForeignKeys = append(book.ForeignKeys, foreignKey("book_fk_0", "authorId", "author", Cascade))
	legacy := table("legacy", column("note", ColumnText, true, "String?"))
	return &DatabaseDefinition{ModuleName: "shelf", Tables: []*TableDefinition{author, book, legacy}, MigrationAPIVersion: 1}
}

// clone copies a definition through its JSON form.
func clone(t testing.TB, d *DatabaseDefinition) *DatabaseDefinition {
	t.Helper()
	c, err := DecodeDefinition(EncodeDefinition(d))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func without(tables []*TableDefinition, name string) []*TableDefinition {
	var out []*TableDefinition
	for _, t := range tables {
		if t.Name != name {
			out = append(out, t)
		}
	}
	return out
}

type warningKind struct {
	Type        WarningType
	Destructive bool
}

// policyCase is a change to shelfV1 and what Diff must make of it.
type policyCase struct {
	name string
	// before changes the previous definition, after the target.
	before, after func(from, to *DatabaseDefinition)
	opts          DiffOptions
	up            []string
	warnings      []warningKind
	actions       []ActionType
}

func policyCases() []policyCase {
	return []policyCase{
		{
			name: "no change",
		},
		{
			name:     "drop table",
			after:    func(_, to *DatabaseDefinition) { to.Tables = without(to.Tables, "legacy") },
			up:       []string{`DROP TABLE "legacy"`},
			warnings: []warningKind{{TableDropped, true}},
			actions:  []ActionType{DeleteTable},
		},
		{
			name: "drop column",
			after: func(_, to *DatabaseDefinition) {
				a := to.Table("author")
				a.Columns = a.Columns[:3]
			},
			up:       []string{`ALTER TABLE "author" DROP COLUMN "age"`},
			warnings: []warningKind{{ColumnDropped, true}},
			actions:  []ActionType{AlterTable},
		},
		{
			name: "drop an indexed column",
			after: func(_, to *DatabaseDefinition) {
				a := to.Table("author")
				a.Columns = append(a.Columns[:2], a.Columns[3])
				a.Indexes = a.Indexes[:1]
			},
			// The index goes with the column; the undo creates both again.
			up:       []string{`ALTER TABLE "author" DROP COLUMN "email"`},
			warnings: []warningKind{{ColumnDropped, true}},
			actions:  []ActionType{AlterTable},
		},
		{
			name: "drop a foreign key column",
			after: func(_, to *DatabaseDefinition) {
				b := to.Table("book")
				b.Columns = b.Columns[:2]
				b.ForeignKeys = nil
			},
			up:       []string{`ALTER TABLE "book" DROP COLUMN "authorId"`},
			warnings: []warningKind{{ColumnDropped, true}},
			actions:  []ActionType{AlterTable},
		},
		{
			name: "type change drops and adds the column",
			after: func(_, to *DatabaseDefinition) {
				*to.Table("author").Column("age") = *column("age", ColumnText, true, "String?")
			},
			up:       []string{`ALTER TABLE "author" DROP COLUMN "age", ADD COLUMN "age" text NULL`},
			warnings: []warningKind{{ColumnDropped, true}},
			actions:  []ActionType{AlterTable},
		},
		{
			name:     "Dart type change with the same column type",
			after:    func(_, to *DatabaseDefinition) { to.Table("author").Column("age").DartType = "Duration?" },
			up:       []string{`ALTER TABLE "author" DROP COLUMN "age", ADD COLUMN "age" bigint NULL`},
			warnings: []warningKind{{ColumnDropped, true}},
			actions:  []ActionType{AlterTable},
		},
		{
			name: "type change of an indexed column rebuilds the index",
			after: func(_, to *DatabaseDefinition) {
				*to.Table("author").Column("email") = *column("email", ColumnUUID, true, "UuidValue?")
			},
			// Dropping the column drops its index; the index is created again
			// on the new column.
			up: []string{
				`ALTER TABLE "author" DROP COLUMN "email", ADD COLUMN "email" uuid NULL`,
				`CREATE UNIQUE INDEX "author_email_idx" ON "author" ("email")`,
			},
			warnings: []warningKind{{ColumnDropped, true}, {UniqueIndexCreated, false}},
			actions:  []ActionType{AlterTable},
		},
		{
			name:   "integer and bigint are one type",
			before: func(from, _ *DatabaseDefinition) { from.Table("author").Column("age").ColumnType = ColumnInteger },
		},
		{
			name:  "nullability only in the Dart type",
			after: func(_, to *DatabaseDefinition) { to.Table("author").Column("name").DartType = "String?" },
		},
		{
			name: "NOT NULL column without default on an existing table",
			after: func(_, to *DatabaseDefinition) {
				a := to.Table("author")
				a.Columns = append(a.Columns, column("score", ColumnBigint, false, "int"))
			},
			up:       []string{`ALTER TABLE "author" ADD COLUMN "score" bigint NOT NULL`},
			warnings: []warningKind{{NotNullAdded, false}},
			actions:  []ActionType{AlterTable},
		},
		{
			name: "column with a default",
			after: func(_, to *DatabaseDefinition) {
				a := to.Table("author")
				c := column("joined", ColumnTimestampWithoutTimeZone, false, "DateTime")
				c.ColumnDefault = "CURRENT_TIMESTAMP"
				a.Columns = append(a.Columns, c)
			},
			up:      []string{`ALTER TABLE "author" ADD COLUMN "joined" timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP`},
			actions: []ActionType{AlterTable},
		},
		{
			name:     "nullable to not null",
			after:    func(_, to *DatabaseDefinition) { to.Table("author").Column("email").IsNullable = false },
			up:       []string{`ALTER TABLE "author" ALTER COLUMN "email" SET NOT NULL`},
			warnings: []warningKind{{NotNullAdded, false}},
			actions:  []ActionType{AlterTable},
		},
		{
			name:    "not null to nullable",
			after:   func(_, to *DatabaseDefinition) { to.Table("author").Column("name").IsNullable = true },
			up:      []string{`ALTER TABLE "author" ALTER COLUMN "name" DROP NOT NULL`},
			actions: []ActionType{AlterTable},
		},
		{
			name:    "default changed",
			after:   func(_, to *DatabaseDefinition) { to.Table("author").Column("name").ColumnDefault = "'anonymous'::text" },
			up:      []string{`ALTER TABLE "author" ALTER COLUMN "name" SET DEFAULT 'anonymous'::text`},
			actions: []ActionType{AlterTable},
		},
		{
			name: "unique index on an existing table",
			after: func(_, to *DatabaseDefinition) {
				b := to.Table("book")
				b.Indexes = append(b.Indexes, index("book_author_title_idx", true, "authorId", "title"))
			},
			up:       []string{`CREATE UNIQUE INDEX "book_author_title_idx" ON "book" ("authorId", "title")`},
			warnings: []warningKind{{UniqueIndexCreated, false}},
			actions:  []ActionType{AlterTable},
		},
		{
			name: "index columns changed",
			after: func(_, to *DatabaseDefinition) {
				to.Table("book").Index("book_title_idx").Elements = []IndexElement{{Definition: "title"}, {Definition: "authorId"}}
			},
			up:      []string{`DROP INDEX "book_title_idx"`, `CREATE INDEX "book_title_idx" ON "book" ("title", "authorId")`},
			actions: []ActionType{AlterTable},
		},
		{
			name: "index type changed",
			after: func(_, to *DatabaseDefinition) {
				to.Table("book").Index("book_title_idx").Type = "hash"
			},
			up:      []string{`DROP INDEX "book_title_idx"`, `CREATE INDEX "book_title_idx" ON "book" USING HASH ("title")`},
			actions: []ActionType{AlterTable},
		},
		{
			name: "new table with a unique index and a foreign key",
			after: func(_, to *DatabaseDefinition) {
				r := table("review", column("bookId", ColumnBigint, false, "int"), column("stars", ColumnBigint, false, "int"))
				r.Indexes = append(r.Indexes, index("review_book_idx", true, "bookId"))
				r.ForeignKeys = append(r.ForeignKeys, foreignKey("review_fk_0", "bookId", "book", Cascade))
				to.Tables = append(to.Tables, r)
			},
			up: []string{
				"CREATE TABLE \"review\" (\n    \"id\" bigserial NOT NULL,\n    \"bookId\" bigint NOT NULL,\n    \"stars\" bigint NOT NULL,\n    PRIMARY KEY (\"id\"),\n    CONSTRAINT \"review_fk_0\" FOREIGN KEY (\"bookId\") REFERENCES \"book\" (\"id\") ON UPDATE NO ACTION ON DELETE CASCADE\n)",
				`CREATE UNIQUE INDEX "review_book_idx" ON "review" ("bookId")`,
			},
			actions: []ActionType{CreateTable},
		},
		{
			name: "foreign key action changed",
			after: func(_, to *DatabaseDefinition) {
				to.Table("book").ForeignKeys[0].OnDelete = Action(Restrict)
			},
			up:      []string{`ALTER TABLE "book" DROP CONSTRAINT "book_fk_0", ADD CONSTRAINT "book_fk_0" FOREIGN KEY ("authorId") REFERENCES "author" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT`},
			actions: []ActionType{AlterTable},
		},
		{
			name: "foreign key added to an existing table",
			after: func(_, to *DatabaseDefinition) {
				l := to.Table("legacy")
				l.Columns = append(l.Columns, column("bookId", ColumnBigint, true, "int?"))
				l.ForeignKeys = append(l.ForeignKeys, foreignKey("legacy_fk_0", "bookId", "book", SetNull))
			},
			up:      []string{`ALTER TABLE "legacy" ADD COLUMN "bookId" bigint NULL, ADD CONSTRAINT "legacy_fk_0" FOREIGN KEY ("bookId") REFERENCES "book" ("id") ON UPDATE NO ACTION ON DELETE SET NULL`},
			actions: []ActionType{AlterTable},
		},
		{
			name: "dropped table referenced by a kept table",
			after: func(_, to *DatabaseDefinition) {
				to.Tables = without(to.Tables, "author")
				to.Table("book").ForeignKeys = nil
			},
			up: []string{
				`ALTER TABLE "book" DROP CONSTRAINT "book_fk_0"`,
				`DROP TABLE "author"`,
			},
			warnings: []warningKind{{TableDropped, true}},
			actions:  []ActionType{DeleteTable, AlterTable},
		},
		{
			name: "rename from the column's previous name",
			after: func(_, to *DatabaseDefinition) {
				c := to.Table("author").Column("name")
				c.Name, c.PreviousName = "fullName", "name"
			},
			up:      []string{`ALTER TABLE "author" RENAME COLUMN "name" TO "fullName"`},
			actions: []ActionType{AlterTable},
		},
		{
			name: "rename from the options, of an indexed column, with a change",
			after: func(_, to *DatabaseDefinition) {
				c := to.Table("author").Column("email")
				c.Name, c.IsNullable = "mail", false
				to.Table("author").Index("author_email_idx").Elements[0].Definition = "mail"
			},
			opts: DiffOptions{Renames: map[string]map[string]string{"author": {"mail": "email"}}},
			up: []string{
				`ALTER TABLE "author" RENAME COLUMN "email" TO "mail"`,
				`ALTER TABLE "author" ALTER COLUMN "mail" SET NOT NULL`,
			},
			warnings: []warningKind{{NotNullAdded, false}},
			actions:  []ActionType{AlterTable},
		},
		{
			name: "rename hint of an earlier migration is ignored",
			before: func(from, _ *DatabaseDefinition) {
				from.Table("author").Column("name").Name = "fullName"
			},
			after: func(_, to *DatabaseDefinition) {
				c := to.Table("author").Column("name")
				c.Name, c.PreviousName = "fullName", "name"
			},
		},
		{
			name:  "table no longer managed is kept",
			after: func(_, to *DatabaseDefinition) { to.Table("legacy").Managed = Bool(false) },
		},
		{
			name:   "unmanaged table is ignored",
			before: func(from, _ *DatabaseDefinition) { from.Table("legacy").Managed = Bool(false) },
			after: func(_, to *DatabaseDefinition) {
				l := to.Table("legacy")
				l.Managed = Bool(false)
				l.Columns = l.Columns[:1]
			},
		},
		{
			name:   "unmanaged table becomes managed",
			before: func(from, _ *DatabaseDefinition) { from.Table("legacy").Managed = Bool(false) },
			after: func(_, to *DatabaseDefinition) {
				to.Table("legacy").Indexes = append(to.Table("legacy").Indexes, index("legacy_note_idx", false, "note"))
			},
			up: []string{
				"CREATE TABLE IF NOT EXISTS \"legacy\" (\n    \"id\" bigserial NOT NULL,\n    \"note\" text NULL,\n    PRIMARY KEY (\"id\")\n)",
				`CREATE INDEX IF NOT EXISTS "legacy_note_idx" ON "legacy" ("note")`,
			},
			actions: []ActionType{CreateTableIfNotExists},
		},
		{
			name:   "new table referencing an unmanaged table",
			before: func(from, _ *DatabaseDefinition) { from.Table("legacy").Managed = Bool(false) },
			after: func(_, to *DatabaseDefinition) {
				to.Table("legacy").Managed = Bool(false)
				n := table("note", column("legacyId", ColumnBigint, false, "int"))
				n.ForeignKeys = append(n.ForeignKeys, foreignKey("note_fk_0", "legacyId", "legacy", NoAction))
				to.Tables = append(to.Tables, n)
			},
			up: []string{
				"CREATE TABLE \"note\" (\n    \"id\" bigserial NOT NULL,\n    \"legacyId\" bigint NOT NULL,\n    PRIMARY KEY (\"id\"),\n    CONSTRAINT \"note_fk_0\" FOREIGN KEY (\"legacyId\") REFERENCES \"legacy\" (\"id\") ON UPDATE NO ACTION ON DELETE NO ACTION\n)",
			},
			actions: []ActionType{CreateTable},
		},
	}
}

func (c policyCase) definitions(t testing.TB) (from, to *DatabaseDefinition) {
	from, to = shelfV1(), shelfV1()
	if c.before != nil {
		c.before(from, to)
	}
	if c.after != nil {
		c.after(from, to)
	}
	return from, to
}

func TestDiffPolicy(t *testing.T) {
	for _, tc := range policyCases() {
		t.Run(tc.name, func(t *testing.T) {
			from, to := tc.definitions(t)
			p, err := Diff(from, to, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Up(); !reflect.DeepEqual(got, tc.up) && (len(got) != 0 || len(tc.up) != 0) {
				t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, ";\n"), strings.Join(tc.up, ";\n"))
			}
			var warnings []warningKind
			for _, w := range p.Warnings() {
				warnings = append(warnings, warningKind{w.Type, w.Destructive})
				if w.Message == "" || w.Table == "" {
					t.Errorf("warning without message or table: %+v", w)
				}
			}
			if !reflect.DeepEqual(warnings, tc.warnings) {
				t.Errorf("warnings %v, want %v", p.Warnings(), tc.warnings)
			}
			destructive := false
			for _, w := range tc.warnings {
				destructive = destructive || w.Destructive
			}
			if p.Destructive() != destructive {
				t.Errorf("Destructive() = %v, want %v", p.Destructive(), destructive)
			}
			var actions []ActionType
			for _, a := range p.Migration.Actions {
				actions = append(actions, a.Type)
			}
			if !reflect.DeepEqual(actions, tc.actions) {
				t.Errorf("actions %v, want %v", actions, tc.actions)
			}
			if p.Empty() != (len(tc.up) == 0) {
				t.Errorf("Empty() = %v with %d statements", p.Empty(), len(tc.up))
			}
			for _, s := range p.Steps {
				if strings.Contains(strings.ToUpper(s.SQL), "CASCADE") && !strings.Contains(s.SQL, "ON DELETE CASCADE") {
					t.Errorf("statement drops with CASCADE: %s", s.SQL)
				}
			}
		})
	}
}

func TestDiffMigrationJSON(t *testing.T) {
	from := shelfV1()
	to := shelfV1()
	a := to.Table("author")
	a.Column("name").Name, a.Column("name").PreviousName = "fullName", "name"
	a.Column("email").ColumnDefault = "'none'::text"
	*a.Column("age") = *column("age", ColumnDoublePrecision, true, "double?")
	to.Tables = without(to.Tables, "legacy")
	p, err := Diff(from, to, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := p.Migration
	if len(m.Actions) != 2 || m.Actions[0].DeleteTable != "legacy" {
		t.Fatalf("actions: %+v", m.Actions)
	}
	tm := m.Actions[1].AlterTable
	if tm.Name != "author" || tm.Schema != DefaultSchema {
		t.Fatalf("alter table: %+v", tm)
	}
	wantModify := []*ColumnMigration{
		{ColumnName: "name", NewColumnName: "fullName"},
		{ColumnName: "email", ChangeDefault: true, NewDefault: "'none'::text"},
	}
	if !reflect.DeepEqual(tm.ModifyColumns, wantModify) {
		t.Errorf("modifyColumns %+v, want %+v", tm.ModifyColumns, wantModify)
	}
	if !reflect.DeepEqual(tm.DeleteColumns, []string{"age"}) || len(tm.AddColumns) != 1 || tm.AddColumns[0] != a.Column("age") {
		t.Errorf("delete %v add %+v", tm.DeleteColumns, tm.AddColumns)
	}
	if len(tm.Warnings) != 1 || tm.Warnings[0].Type != ColumnDropped || len(m.Warnings) != 2 {
		t.Errorf("warnings: table %+v, all %+v", tm.Warnings, m.Warnings)
	}
	// The JSON must read back the same.
	back, err := DecodeMigration(EncodeMigration(m))
	if err != nil {
		t.Fatal(err)
	}
	if string(EncodeMigration(back)) != string(EncodeMigration(m)) {
		t.Error("migration.json does not round-trip")
	}
}

func TestDiffErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(to *DatabaseDefinition)
		want   string
	}{
		{"foreign key to a missing table", func(to *DatabaseDefinition) { to.Tables = without(to.Tables, "author") },
			`target definition: table "book": foreign key "book_fk_0" references table "author", which is not in the definition`},
		{"index on a missing column", func(to *DatabaseDefinition) {
			to.Table("book").Index("book_title_idx").Elements[0].Definition = "subtitle"
		},
			`target definition: table "book": index "book_title_idx": column "subtitle" does not exist`},
		{"duplicate table", func(to *DatabaseDefinition) { to.Tables = append(to.Tables, table("book")) },
			`the target definition has table "book" twice`},
		{"two renames from one column", func(to *DatabaseDefinition) {
			a := to.Table("author")
			a.Column("name").Name, a.Column("name").PreviousName = "first", "name"
			second := column("second", ColumnText, true, "String?")
			second.PreviousName = "name"
			a.Columns = append(a.Columns, second)
		}, `table "author": columns "first" and "second" are both renamed from "name"`},
		{"unknown column type", func(to *DatabaseDefinition) { to.Table("legacy").Column("note").ColumnType = ColumnUnknown },
			`table "legacy", column "note": column type unknown has no PostgreSQL type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := shelfV1()
			tt.change(to)
			_, err := Diff(shelfV1(), to, DiffOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDownReversesUp(t *testing.T) {
	from, to := shelfV1(), shelfV1()
	c := to.Table("author").Column("name")
	c.Name, c.PreviousName = "fullName", "name"
	to.Tables = without(to.Tables, "legacy")
	p, err := Diff(from, to, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CREATE TABLE \"legacy\" (\n    \"id\" bigserial NOT NULL,\n    \"note\" text NULL,\n    PRIMARY KEY (\"id\")\n)",
		`ALTER TABLE "author" RENAME COLUMN "fullName" TO "name"`,
	}
	if got := p.Down(); !reflect.DeepEqual(got, want) {
		t.Errorf("down:\n%s\nwant:\n%s", strings.Join(got, ";\n"), strings.Join(want, ";\n"))
	}
}

// TestDroppedTableWarningNamesForeignKeys: the foreign keys that go with a
// dropped table are named in its warning.
func TestDroppedTableWarningNamesForeignKeys(t *testing.T) {
	from, to := shelfV1(), shelfV1()
	to.Tables = without(to.Tables, "author")
	to.Table("book").ForeignKeys = nil
	p, err := Diff(from, to, DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `Table "author" will be dropped. The foreign keys "book_fk_0" of table "book" that reference it are dropped first.`
	if ws := p.Warnings(); len(ws) != 1 || ws[0].Message != want {
		t.Errorf("warnings %v, want %q", ws, want)
	}
	if tm := p.Migration.Actions[1].AlterTable; tm == nil || len(tm.DeleteForeignKeys) != 1 || tm.DeleteForeignKeys[0] != "book_fk_0" {
		t.Errorf("alter book: %+v", p.Migration.Actions[1])
	}
}
