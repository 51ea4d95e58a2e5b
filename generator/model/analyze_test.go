package model

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fuzzPeers are valid models next to the fuzzed file, so that fuzzed
// relations and references have something to resolve against.
var fuzzPeers = []File{
	{Path: "models/peer.spy.yaml", Src: []byte("class: Peer\ntable: peer\nfields:\n  name: String\n  items: List<Item>?, relation(name=peer_items)\n")},
	{Path: "models/item.spy.yaml", Src: []byte("class: Item\ntable: item\nfields:\n  peer: Peer?, relation(name=peer_items)\n  tag: Tag?\n")},
	{Path: "models/tag.spy.yaml", Src: []byte("enum: Tag\nvalues:\n  - a\n  - b\n")},
}

func FuzzAnalyze(f *testing.F) {
	for _, p := range fuzzPeers {
		f.Add(p.Src)
	}
	f.Add([]byte("class: Thing\ntable: thing\nfields:\n  peer: Peer?, relation(name=x, field=peerId)\n  peerId: int?\n"))
	f.Add([]byte("class: A\nextends: A\nsealed: true\n"))
	f.Add([]byte("a: &x [*x]\n"))

	opts := Options{
		Database:     true,
		Inheritance:  true,
		ExtraClasses: []string{"Money"},
		GoTypes:      map[string]string{"Money": "example.com/shared.Money"},
		Modules: []ModuleModels{{Nickname: "auth", Name: "serverpod_auth", Models: []*Model{
			{Kind: Class, ClassName: "UserInfo", Table: "serverpod_user_info", Module: "auth", ModuleName: "serverpod_auth",
				Fields: []*Field{{Name: "id", Type: &Type{Name: TypeInt, Nullable: true}, Persist: true, Implicit: true}}},
		}}},
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		files := append([]File{{Path: "models/fuzz.spy.yaml", Src: src}}, fuzzPeers...)
		models, diags := Analyze(files, opts)
		for _, d := range diags {
			if d.Pos.File == "" || d.Pos.Line < 0 || (d.Pos.Line == 0 && d.Pos.Col != 0) || d.Message == "" {
				t.Errorf("diagnostic without a proper position: %#v", d)
			}
		}
		for _, m := range models {
			if m.Parent != nil {
				// Walking a hierarchy must end.
				m.AllFields()
			}
		}
		again, diags2 := Analyze(files, opts)
		if len(again) != len(models) || !reflect.DeepEqual(diags, diags2) {
			t.Errorf("analysis is not deterministic")
		}
	})
}

// TestDeterministic analyzes the same project twice (and the files in
// another order) and expects identical results.
func TestDeterministic(t *testing.T) {
	opts := testOptions(t)
	files := loadFiles(t, filepath.Join("testdata", "valid"), "models")
	files = append(files, loadFiles(t, filepath.Join("testdata", "invalid"), "models/invalid")...)

	reversed := append([]File(nil), files...)
	for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
		reversed[i], reversed[j] = reversed[j], reversed[i]
	}

	m1, d1 := Analyze(files, opts)
	m2, d2 := Analyze(files, opts)
	m3, d3 := Analyze(reversed, opts)
	if !reflect.DeepEqual(d1, d2) || !reflect.DeepEqual(d1, d3) {
		t.Errorf("diagnostics differ between runs")
	}
	if len(d1) == 0 {
		t.Error("expected diagnostics from the invalid models")
	}
	s1, s2, s3 := summarize(m1), summarize(m2), summarize(m3)
	if s1 != s2 || s1 != s3 {
		t.Errorf("models differ between runs:\n%s\n---\n%s", s1, s3)
	}
	// Module models are shared between runs and must not change.
	if mod := opts.Modules[0]; len(modelByName(mod.Models, "UserInfo").Fields) != 4 {
		t.Errorf("module model was modified: %d fields", len(modelByName(mod.Models, "UserInfo").Fields))
	}
}

func summarize(models []*Model) string {
	var b strings.Builder
	for _, m := range models {
		b.WriteString(m.SourcePath + " " + m.ClassName + "\n")
		for _, f := range m.Fields {
			b.WriteString("  " + string(shapeOf(f)) + " " + relationShape(f.Relation) + "\n")
		}
	}
	return b.String()
}

func TestParseType(t *testing.T) {
	tests := []struct {
		in   string
		want string // String() of the result, or "error"
		mod  string
	}{
		{"int", "int", ""},
		{" String? ", "String?", ""},
		{"List<String?>?", "List<String?>?", ""},
		{"Map<String, List<Map<int,double?>>>", "Map<String,List<Map<int,double?>>>", ""},
		{"List <int> ?", "List<int>?", ""},
		{"List<>", "List", ""},
		{"module:auth:UserInfo", "module:auth:UserInfo", "auth"},
		{"List<module:auth:UserInfo?>", "List<module:auth:UserInfo?>", ""},
		{"serverpod:LogEntry", "serverpod:LogEntry", "serverpod"},
		{"module:serverpod:LogEntry", "serverpod:LogEntry", "serverpod"},
		{"protocol:Note", "Note", ""},
		{"package:shared/money.dart:Money?", "package:shared/money.dart:Money?", ""},
		{"", "error", ""},
		{"List<int", "error", ""},
		{"List<int>>", "error", ""},
		{"String??", "error", ""},
		{"Map<String,>", "error", ""},
		{"Str ing", "error", ""},
		{"a:b:c:D", "error", ""},
		{"module::X", "error", ""},
		{"(int, String)", "error", ""},
		{"1Thing", "error", ""},
		{strings.Repeat("List<", 100) + "int" + strings.Repeat(">", 100), "error", ""},
	}
	for _, tc := range tests {
		got, err := ParseType(tc.in)
		if tc.want == "error" {
			if err == nil {
				t.Errorf("ParseType(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseType(%q): %v", tc.in, err)
			continue
		}
		if got.String() != tc.want || got.Module != tc.mod {
			t.Errorf("ParseType(%q) = %s (module %q), want %s (module %q)", tc.in, got, got.Module, tc.want, tc.mod)
		}
	}
}

func TestSplitOptions(t *testing.T) {
	tests := []struct {
		in   string
		want []piece
	}{
		{"String", []piece{{"String", 0}}},
		{"Map<String, int>?, scope=all", []piece{{"Map<String, int>?", 0}, {"scope=all", 19}}},
		{"String, default='a, b', relation(name=x, optional)", []piece{{"String", 0}, {"default='a, b'", 8}, {"relation(name=x, optional)", 24}}},
		{`String, default="it's, \"quoted\""`, []piece{{"String", 0}, {`default="it's, \"quoted\""`, 8}}},
		{"int,  ", []piece{{"int", 0}, {"", 6}}},
		{"", nil},
	}
	for _, tc := range tests {
		if got := splitOptions(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitOptions(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestStringifiedForm(t *testing.T) {
	src := newString("Thing?, relation(name=a_b, onDelete=Cascade), !persist, default='x=y', scope=serverOnly", Pos{File: "f", Line: 3, Col: 9})
	src.exact = true
	var problems []string
	m := stringified(src, "type", func(_ Pos, msg string) { problems = append(problems, msg) })
	if len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if got := m.display(); got != "{type: Thing?, relation: {name: a_b, onDelete: Cascade}, persist: false, default: 'x=y', scope: serverOnly}" {
		t.Errorf("converted to %s", got)
	}
	if k, v := m.lookup("scope"); k.pos.Col != 9+71 || v.pos.Col != 9+77 {
		t.Errorf("scope key at %s, value at %s", k.pos, v.pos)
	}
	if k, _ := m.get("relation").lookup("onDelete"); k.pos.Col != 9+27 {
		t.Errorf("nested key at %s", k.pos)
	}
}

func TestModelPaths(t *testing.T) {
	tests := []struct {
		path          string
		isModel       bool
		subDir, fName string
	}{
		{"models/user.spy.yaml", true, "", "user"},
		{"models/shop/order.spy.yml", true, "shop", "order"},
		{"lib/src/models/a/b.spy", true, "a", "b"},
		{"lib/src/my_feature/models/feature.spy.yaml", true, "my_feature/models", "feature"},
		{"lib/src/protocol/legacy.yaml", true, "", "legacy"},
		{"server/lib/models/x.spy.yaml", true, "models", "x"},
		{"other/thing.spy.yaml", true, "other", "thing"},
		{"thing.spy.yaml", true, "", "thing"},
		{"models/config.yaml", false, "", "config"},
		{"models/readme.md", false, "", "readme.md"},
	}
	for _, tc := range tests {
		if got := IsModelFile(tc.path); got != tc.isModel {
			t.Errorf("IsModelFile(%q) = %v", tc.path, got)
		}
		if got := ModelSubDir(tc.path); got != tc.subDir {
			t.Errorf("ModelSubDir(%q) = %q, want %q", tc.path, got, tc.subDir)
		}
		if got := ModelFileName(tc.path); got != tc.fName {
			t.Errorf("ModelFileName(%q) = %q, want %q", tc.path, got, tc.fName)
		}
	}
}

func TestImplicitNames(t *testing.T) {
	tests := []struct{ table, field, want string }{
		{"city", "citizens", "_cityCitizensCityId"},
		{"user_note_collections", "userNotesPropertyName", "_userNoteCollectionsUsernotespropertynameUserNoteCollectionsId"},
		{"city_with_long_table_name_that_is_still_valid", "citizens", "_cityWithLongTableNameThatIsStillValidCitizensCityWithLon4fe0Id"},
	}
	for _, tc := range tests {
		if got := implicitListFieldName(tc.table, tc.field); got != tc.want {
			t.Errorf("implicitListFieldName(%q, %q) = %q, want %q", tc.table, tc.field, got, tc.want)
		}
	}
}
