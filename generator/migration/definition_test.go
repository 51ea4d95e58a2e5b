package migration

import (
	"testing"

	"github.com/gopod/gopod/runtime/dbschema"
)

// TestColumnsFromModels checks column types, Dart types and defaults
// against the SQL Serverpod 2.4 writes for each kind of field.
func TestColumnsFromModels(t *testing.T) {
	models := analyzeSources(t, map[string]string{
		"models/color.spy.yaml":  "enum: Color\nvalues:\n  - red\n  - green\n",
		"models/status.spy.yaml": "enum: Status\nserialized: byName\nvalues:\n  - idle\n  - busy\n",
		"models/note.spy.yaml":   "class: Note\nfields:\n  text: String\n",
		"models/kinds.spy.yaml": `class: Kinds
table: kinds
fields:
  anInt: int, default=10
  aDouble: double, default=10.5
  aBool: bool, default=false
  aPlain: String, default='plain'
  anEscapedSingle: String, default='it\'s \'quoted\''
  aDoubleQuoted: String, default="say \"hi\""
  aSingleInDouble: String, default="it's"
  aDoubleInSingle: String, default='say "hi"'
  aDateTime: DateTime, default=2024-05-01T22:00:00.000Z
  aNow: DateTime, default=now
  aDuration: Duration, default=1d 2h 10min 30s 100ms
  aRandomUuid: UuidValue, default=random
  aUuid: UuidValue, default='550e8400-e29b-41d4-a716-446655440000'
  aUri: Uri, default='https://example.com/'
  aBigInt: BigInt, default=-1234567890123456789099999999
  anIndexEnum: Color, default=green
  aNameEnum: Status, default=busy
  persistOnly: String?, defaultPersist='p'
  modelOnly: int, defaultModel=3
  bytes: ByteData?
  note: Note?
  notes: Map<String, List<Note?>>?
`,
	})
	tables, err := tablesOf(models, "p")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		column string
		typ    dbschema.ColumnType
		dart   string
		def    string
	}{
		{"id", dbschema.ColumnBigint, "int?", "nextval('kinds_id_seq'::regclass)"},
		{"anInt", dbschema.ColumnBigint, "int", "10"},
		{"aDouble", dbschema.ColumnDoublePrecision, "double", "10.5"},
		{"aBool", dbschema.ColumnBoolean, "bool", "false"},
		{"aPlain", dbschema.ColumnText, "String", "'plain'::text"},
		{"anEscapedSingle", dbschema.ColumnText, "String", "'it''s ''quoted'''::text"},
		{"aDoubleQuoted", dbschema.ColumnText, "String", `'say "hi"'::text`},
		{"aSingleInDouble", dbschema.ColumnText, "String", "'it''s'::text"},
		{"aDoubleInSingle", dbschema.ColumnText, "String", `'say "hi"'::text`},
		{"aDateTime", dbschema.ColumnTimestampWithoutTimeZone, "DateTime", "'2024-05-01 22:00:00'::timestamp without time zone"},
		{"aNow", dbschema.ColumnTimestampWithoutTimeZone, "DateTime", "CURRENT_TIMESTAMP"},
		{"aDuration", dbschema.ColumnBigint, "Duration", "94230100"},
		{"aRandomUuid", dbschema.ColumnUUID, "UuidValue", "gen_random_uuid()"},
		{"aUuid", dbschema.ColumnUUID, "UuidValue", "'550e8400-e29b-41d4-a716-446655440000'::uuid"},
		{"aUri", dbschema.ColumnText, "Uri", "'https://example.com/'::text"},
		{"aBigInt", dbschema.ColumnText, "BigInt", "'-1234567890123456789099999999'::text"},
		{"anIndexEnum", dbschema.ColumnBigint, "protocol:Color", "1"},
		{"aNameEnum", dbschema.ColumnText, "protocol:Status", "'busy'::text"},
		{"persistOnly", dbschema.ColumnText, "String?", "'p'::text"},
		{"modelOnly", dbschema.ColumnBigint, "int", ""},
		{"bytes", dbschema.ColumnBytea, "dart:typed_data:ByteData?", ""},
		{"note", dbschema.ColumnJSON, "protocol:Note?", ""},
		{"notes", dbschema.ColumnJSON, "Map<String,List<protocol:Note?>>?", ""},
	}
	tbl := tables[0]
	if len(tbl.Columns) != len(tests) {
		t.Errorf("%d columns, want %d", len(tbl.Columns), len(tests))
	}
	for _, tt := range tests {
		c := tbl.Column(tt.column)
		if c == nil {
			t.Errorf("column %s is missing", tt.column)
			continue
		}
		if c.ColumnType != tt.typ || c.DartType != tt.dart || c.ColumnDefault != tt.def {
			t.Errorf("column %s: %s %q default %q; want %s %q default %q", tt.column, c.ColumnType, c.DartType, c.ColumnDefault, tt.typ, tt.dart, tt.def)
		}
	}
}

// TestRelationsFromModels checks foreign key names, actions and the
// implicit columns of relations.
func TestRelationsFromModels(t *testing.T) {
	models := analyzeSources(t, map[string]string{
		"models/city.spy.yaml":   "class: City\ntable: city\nfields:\n  name: String\n  citizens: List<Person>?, relation\n",
		"models/person.spy.yaml": "class: Person\ntable: person\nfields:\n  name: String\n  home: City?, relation(optional, onDelete=SetNull)\n  birthCityId: int, relation(parent=city, onUpdate=Cascade)\n",
	})
	tables, err := tablesOf(models, "p")
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Name != "city" || tables[1].Name != "person" {
		t.Fatalf("tables: %v", tables)
	}
	person := tables[1]
	var cols []string
	for _, c := range person.Columns {
		cols = append(cols, c.Name)
	}
	want := []string{"id", "name", "homeId", "birthCityId", "_cityCitizensCityId"}
	if len(cols) != len(want) {
		t.Fatalf("columns %v, want %v", cols, want)
	}
	for i := range want {
		if cols[i] != want[i] {
			t.Fatalf("columns %v, want %v", cols, want)
		}
	}
	if !person.Column("homeId").IsNullable || person.Column("birthCityId").IsNullable || !person.Column("_cityCitizensCityId").IsNullable {
		t.Error("nullability of the foreign key columns")
	}
	type fk struct {
		name, col, ref     string
		onUpdate, onDelete dbschema.ForeignKeyAction
	}
	wantFKs := []fk{
		{"person_fk_0", "homeId", "city", dbschema.NoAction, dbschema.SetNull},
		{"person_fk_1", "birthCityId", "city", dbschema.Cascade, dbschema.NoAction},
		{"person_fk_2", "_cityCitizensCityId", "city", dbschema.NoAction, dbschema.NoAction},
	}
	if len(person.ForeignKeys) != len(wantFKs) {
		t.Fatalf("%d foreign keys, want %d", len(person.ForeignKeys), len(wantFKs))
	}
	for i, w := range wantFKs {
		f := person.ForeignKeys[i]
		got := fk{f.ConstraintName, f.Columns[0], f.ReferenceTable, *f.OnUpdate, *f.OnDelete}
		if got != w {
			t.Errorf("foreign key %d: %+v, want %+v", i, got, w)
		}
	}
}
