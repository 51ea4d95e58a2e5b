package model

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidModels analyzes each model (or directory of models) below
// testdata/invalid and expects a failing diagnostic with the message at
// the stated line and, where given, column.
func TestInvalidModels(t *testing.T) {
	tests := []struct {
		name string // file or directory below testdata/invalid
		file string // for directories: the file the diagnostic is in
		line int
		col  int // 0: not checked
		sev  Severity
		msg  string
		// inheritance enables the experimental inheritance feature.
		inheritance bool
	}{
		{name: "bad_class_name.spy.yaml", line: 1, col: 8, msg: `The "class" type must be a valid class name (e.g. PascalCaseString).`},
		{name: "duplicate_class", file: "b.spy.yaml", line: 2, col: 8, msg: `The class name "Thing" is already used by another model class.`},
		{name: "reserved_class_name.spy.yaml", line: 1, col: 8, msg: `The class name "DateTime" is reserved and cannot be used.`},
		{name: "reserved_field_name.spy.yaml", line: 4, col: 3, msg: `The field name "toJson" is reserved and cannot be used.`},
		{name: "id_field_on_table.spy.yaml", line: 4, col: 3, msg: `The field name "id" is not allowed when a table is defined`},
		{name: "table_reserved_field.spy.yaml", line: 4, col: 3, msg: `The field name "count" is reserved and cannot be used.`},
		{name: "field_name_invalid.spy.yaml", line: 3, col: 3, msg: "Field names must be valid Dart variable names (e.g. camelCaseString)."},
		{name: "unknown_top_level_key.spy.yaml", line: 2, col: 1, msg: `The "tabel" property is not allowed for class type. Valid keys are {class, table, managedMigration, serverOnly, fields, indexes}.`},
		{name: "unknown_field_option.spy.yaml", line: 3, col: 17, msg: `The "scoop" property is not allowed for name type. Valid keys are {type, parent, relation, scope, persist, database, api, default, defaultModel, defaultPersist, renamedFrom}.`},
		{name: "invalid_datatype.spy.yaml", line: 4, col: 10, msg: `The field has an invalid datatype "Strng".`},
		{name: "list_without_generic.spy.yaml", line: 3, col: 9, msg: "The List type must have one generic type defined (e.g. List<String>)."},
		{name: "map_one_generic.spy.yaml", line: 3, col: 11, msg: "The Map type must have two generic types defined (e.g. Map<String, String>)."},
		{name: "dynamic_type.spy.yaml", line: 3, col: 13, msg: `The datatype "dynamic" is not supported in models.`},
		{name: "unknown_module.spy.yaml", line: 3, col: 9, msg: `The referenced module "nope" is not found.`},
		{name: "missing_type.spy.yaml", line: 3, col: 3, msg: `No "type" property is defined.`},
		{name: "default_int.spy.yaml", line: 3, col: 23, msg: `The "default" value must be a valid integer (e.g., "default"=10).`},
		{name: "default_string_unquoted.spy.yaml", line: 3, col: 26, msg: `The "default" must be a quoted string`},
		{name: "default_datetime.spy.yaml", line: 3, col: 25, msg: `The "default" value must be a valid UTC (yyyy-MM-dd'T'HH:mm:ss.SSS'Z') DateTime String or "now"`},
		{name: "default_uuid.spy.yaml", line: 3, col: 27, msg: `The "default" value must be a valid UUID`},
		{name: "default_on_list.spy.yaml", line: 3, col: 23, msg: `The "default" key is not supported for "List" types`},
		{name: "default_persist_not_nullable.spy.yaml", line: 4, col: 15, msg: `When setting only the "defaultPersist" key, its type should be nullable`},
		{name: "default_with_relation.spy.yaml", line: 4, col: 18, msg: `The "relation" property is mutually exclusive with the "default" property.`},
		{name: "relation_without_table.spy.yaml", line: 3, col: 18, msg: `The "table" property must be defined in the class to set a relation on a field.`},
		{name: "relation_not_nullable.spy.yaml", line: 4, col: 11, msg: "Fields with a model relations must be nullable (e.g. parent: Thing?)."},
		{name: "relation_to_primitive.spy.yaml", line: 5, col: 9, msg: `Only classes can be used in relations, "String" is not a class.`},
		{name: "relation_name_missing.spy.yaml", line: 5, col: 33, msg: `There is no named relation with name "thing_parent" on the class "Thing".`},
		{name: "parent_table_missing.spy.yaml", line: 4, col: 33, msg: `The parent table "owner" was not found in any model.`},
		{name: "id_relation_without_parent.spy.yaml", line: 4, col: 17, msg: `The "parent" property must be defined on id fields.`},
		{name: "relation_field_missing.spy.yaml", line: 4, col: 34, msg: `The field "parentId" was not found in the class.`},
		{name: "list_relation_field_key.spy.yaml", line: 4, col: 36, msg: `The "field" property can only be used on an object relation.`},
		{name: "on_delete_invalid.spy.yaml", line: 4, col: 47, msg: `"Explode" is not a valid property. Valid properties are (setNull, setDefault, restrict, noAction, cascade).`},
		{name: "list_relation_to_module", file: "a.spy.yaml", line: 5, col: 41, msg: "A List relation is not allowed on module tables."},
		{name: "relation_ambiguous", file: "a.spy.yaml", line: 4, col: 32, msg: "The relation is ambiguous, unable to resolve which side should hold the relation."},
		{name: "one_to_one_without_unique", file: "address.spy.yaml", line: 6, col: 55, msg: `The field "ownerId" does not have a unique index which is required to be used in a one-to-one relation.`},
		{name: "index_unknown_field.spy.yaml", line: 7, col: 13, msg: `The field name "nmae" is not added to the class or has an !persist scope.`},
		{name: "index_not_persisted.spy.yaml", line: 7, col: 13, msg: `The field name "name" is not added to the class or has an !persist scope.`},
		{name: "index_bad_type.spy.yaml", line: 8, col: 11, msg: `The "type" property must be one of: btree, hash, gin, gist, spgist, brin.`},
		{name: "index_bad_name.spy.yaml", line: 6, col: 3, msg: `Invalid format for index "Thing-Index", must follow the format lower_snake_case.`},
		{name: "index_missing_fields.spy.yaml", line: 6, col: 3, msg: `No "fields" property is defined.`},
		{name: "duplicate_index", file: "b.spy.yaml", line: 6, col: 3, msg: `The index name "name_idx" is already used by the model class "First".`},
		{name: "table_name_format.spy.yaml", line: 2, col: 8, msg: `The "table" property must be a snake_case_string.`},
		{name: "table_name_too_long.spy.yaml", line: 2, col: 8, msg: "exceeds the 56 character table name limitation."},
		{name: "duplicate_table", file: "b.spy.yaml", line: 2, col: 8, msg: `The table name "shared" is already in use by the class "First".`},
		{name: "enum_invalid_value.spy.yaml", line: 4, col: 5, msg: "Enum values must be valid dart enums."},
		{name: "enum_duplicate_value.spy.yaml", line: 3, col: 5, msg: "Enum values must be unique."},
		{name: "enum_reserved_value.spy.yaml", line: 4, col: 5, msg: `The enum value "switch" is reserved and cannot be used.`},
		{name: "enum_bad_serialized.spy.yaml", line: 2, col: 13, msg: `"byColour" is not a valid property. Valid properties are (byName, byIndex).`},
		{name: "enum_without_values.spy.yaml", line: 1, col: 1, msg: `No "values" property is defined.`},
		{name: "scope_not_nullable.spy.yaml", line: 3, col: 25, msg: `The field "secret" must be nullable when the "scope" property is set to "serverOnly".`},
		{name: "scope_invalid.spy.yaml", line: 3, col: 26, msg: `"hidden" is not a valid property. Valid properties are (all, serverOnly, none).`},
		{name: "scope_all_in_server_only_class.spy.yaml", line: 4, col: 26, msg: `The field "secret" cannot have the "scope" property set to "all" when the class is marked as server only.`},
		{name: "server_only_type", file: "holder.spy.yaml", line: 3, col: 12, msg: `The type "Secret" is a server only class and can only be used fields with scope (serverOnly, none)`},
		{name: "persist_without_table.spy.yaml", line: 3, col: 19, msg: `The "persist" property requires a table to be set on the class.`},
		{name: "removed_database_key.spy.yaml", line: 4, col: 18, msg: `The "database" property is deprecated. Use "scope=serverOnly" instead.`},
		{name: "negated_with_value.spy.yaml", line: 4, col: 18, msg: "Negating a key with a value is not allowed."},
		{name: "duplicate_option.spy.yaml", line: 3, col: 29, msg: `The field option "scope" is defined more than once.`},
		{name: "bool_value.spy.yaml", line: 2, col: 13, msg: "The value must be a boolean."},
		{name: "fields_empty.spy.yaml", line: 2, col: 1, msg: `The "fields" property must have at least one value.`},
		{name: "exception_table.spy.yaml", line: 2, col: 1, msg: `The "table" property is not allowed for exception type. Valid keys are {exception, serverOnly, fields}.`},
		{name: "no_document_type.spy.yaml", line: 1, col: 1, msg: "No {class, exception, enum} type is defined."},
		{name: "multiple_document_types.spy.yaml", line: 4, col: 1, msg: `Multiple model types ("class", "enum") found for a single model. Only one type per model allowed.`},
		{name: "top_level_list.spy.yaml", line: 1, col: 1, msg: "The top level object in the class yaml file must be a Map."},
		{name: "extends_without_feature.spy.yaml", line: 2, col: 1, msg: `The "extends" property is not allowed for class type.`},
		{name: "path_collision", file: "models/thing.spy.yml", line: 1, col: 1, msg: `File path collision detected: This model and "models/path_collision/models/thing.spy.yaml" would generate files at the same location.`},
		{name: "renamed_from_not_persisted.spy.yaml", line: 4, col: 29, msg: `The "renamedFrom" property is mutually exclusive with the "!persist" property.`},
		{name: "renamed_from_invalid.spy.yaml", line: 6, col: 18, msg: `The "renamedFrom" value "Old-Name" must be a valid field name`},
		{name: "custom_class_without_go_type.spy.yaml", line: 4, col: 12, msg: `The custom class "Coupon" has no Go type: declare it under "go_extra_classes" in config/generator.yaml`},
		{name: "package_type_not_extra_class.spy.yaml", line: 3, col: 9, msg: `The type "package:my_shared/gift.dart:Gift" has no Go type: list it under "extraClasses"`},
		{name: "extends_cycle", file: "a.spy.yaml", line: 2, col: 10, inheritance: true, msg: `The class "A" cannot extend "C": the classes would extend each other in a cycle.`},
		{name: "extends_unknown", file: "child.spy.yaml", line: 2, col: 10, inheritance: true, msg: `The class "Missing" was not found in any model.`},
		{name: "extends_module", file: "child.spy.yaml", line: 2, col: 10, inheritance: true, msg: "You can only extend classes from your own project."},
		{name: "sealed_as_type", file: "drawing.spy.yaml", line: 3, col: 11, inheritance: true, msg: `The class "Shape" is sealed and cannot be used as a type`},
		{name: "table_with_inherited_id", file: "row.spy.yaml", line: 3, col: 8, inheritance: true, msg: `The "table" property is not allowed because the inherited class "Base" defines an "id" field`},
		{name: "contains_itself", file: "hen.spy.yaml", line: 4, col: 3, msg: `The field "origin" makes the class "Hen" contain itself (Hen → Egg → Hen), so no value of it can be built; make the field or another on the way nullable.`},
		{name: "yaml_syntax_error.spy.yaml", line: 4, msg: "Invalid YAML: did not find expected ',' or ']'."},
		{name: "yaml_duplicate_key.spy.yaml", line: 4, col: 3, msg: "Duplicate mapping key."},
	}

	opts := testOptions(t)
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.name] = true
		t.Run(strings.TrimSuffix(tc.name, ".spy.yaml"), func(t *testing.T) {
			dir := filepath.Join("testdata", "invalid", tc.name)
			var files []File
			want := path.Join("models", tc.name)
			if info, err := os.Stat(dir); err == nil && info.IsDir() {
				files = loadFiles(t, dir, want)
				want = path.Join(want, tc.file)
			} else {
				src, err := os.ReadFile(dir)
				if err != nil {
					t.Fatal(err)
				}
				files = []File{{Path: want, Src: src}}
			}

			opts := opts
			opts.Inheritance = tc.inheritance
			models, diags := Analyze(files, opts)

			var found *Diagnostic
			for i, d := range diags {
				if d.Pos.File == want && strings.Contains(d.Message, tc.msg) {
					found = &diags[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("no diagnostic in %s containing %q; got:\n%s", want, tc.msg, diagList(diags))
			}
			if found.Pos.Line != tc.line || (tc.col != 0 && found.Pos.Col != tc.col) {
				t.Errorf("diagnostic at %s, want line %d col %d: %s", found.Pos, tc.line, tc.col, found.Message)
			}
			if found.Severity != tc.sev {
				t.Errorf("severity %s, want %s", found.Severity, tc.sev)
			}
			for _, m := range models {
				if m.SourcePath == want {
					t.Errorf("model %s was returned despite the error", m.ClassName)
				}
			}
		})
	}

	// Every case in testdata/invalid must be listed above.
	entries, err := os.ReadDir(filepath.Join("testdata", "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !covered[e.Name()] {
			t.Errorf("testdata/invalid/%s has no expectation", e.Name())
		}
	}
}

func diagList(diags []Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("  " + d.String() + "\n")
	}
	return b.String()
}

// TestAdvice checks diagnostics that do not fail generation.
func TestAdvice(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		col  int
		sev  Severity
		msg  string
		// inheritance enables the experimental inheritance feature.
		inheritance bool
	}{
		{
			name: "snake case field name",
			src:  "class: Thing\nfields:\n  my_field: String\n",
			line: 3, col: 3, sev: Info,
			msg: "Field names should be valid Dart variable names (e.g. camelCaseString).",
		},
		{
			name: "redundant server only scope",
			src:  "class: Thing\nserverOnly: true\nfields:\n  name: String?, scope=serverOnly\n",
			line: 4, col: 24, sev: Info,
			msg: `The field "name" belongs to a server only class which makes setting the "scope" to "serverOnly" redundant.`,
		},
		{
			name: "persist is the default",
			src:  "class: Thing\ntable: thing\nfields:\n  name: String, persist\n",
			line: 4, col: 17, sev: Hint,
			msg: "Fields are persisted by default, the property can be removed.",
		},
		{
			name: "table without database",
			src:  "class: Thing\ntable: thing\nfields:\n  name: String\n",
			line: 2, col: 1, sev: Warning,
			msg: `The "table" property cannot be used when the database feature is disabled.`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Database: tc.sev != Warning}
			models, diags := Analyze([]File{{Path: "models/thing.spy.yaml", Src: []byte(tc.src)}}, opts)
			if len(diags) != 1 {
				t.Fatalf("want one diagnostic, got:\n%s", diagList(diags))
			}
			d := diags[0]
			if d.Pos.Line != tc.line || d.Pos.Col != tc.col || d.Severity != tc.sev || d.Message != tc.msg {
				t.Errorf("got %s, want %d:%d %s %s", d, tc.line, tc.col, tc.sev, tc.msg)
			}
			if got := len(models) == 1; got != !d.Fails() {
				t.Errorf("model returned = %v, diagnostic fails = %v", got, d.Fails())
			}
		})
	}
}

// TestAllProblemsReported checks that one run reports every problem of a
// file, not just the first.
func TestAllProblemsReported(t *testing.T) {
	src := `class: thing
table: Thing
fields:
  toJson: String
  other: Strng
  count: int, default=x
indexes:
  Bad-Name:
    fields: nope
`
	_, diags := Analyze([]File{{Path: "models/thing.spy.yaml", Src: []byte(src)}}, Options{Database: true})
	wantLines := []int{1, 2, 4, 5, 6, 6, 8, 9}
	var got []int
	for _, d := range diags {
		got = append(got, d.Pos.Line)
	}
	if len(got) != len(wantLines) {
		t.Fatalf("lines %v, want %v:\n%s", got, wantLines, diagList(diags))
	}
	for i := range got {
		if got[i] != wantLines[i] {
			t.Fatalf("lines %v, want %v:\n%s", got, wantLines, diagList(diags))
		}
	}
}
