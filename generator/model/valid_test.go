package model

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// field is the expected shape of a resolved field: "name: type scope
// flags", where flags are "persist" and "implicit".
type fieldShape string

func shapeOf(f *Field) fieldShape {
	s := f.Name + ": " + f.Type.String() + " " + f.Scope.String()
	if f.Persist {
		s += " persist"
	}
	if f.Implicit {
		s += " implicit"
	}
	return fieldShape(s)
}

func analyzeValid(t *testing.T) []*Model {
	t.Helper()
	models, diags := Analyze(loadFiles(t, filepath.Join("testdata", "valid"), "models"), testOptions(t))
	for _, d := range diags {
		t.Errorf("unexpected diagnostic: %s", d)
	}
	return models
}

func TestValidModelFields(t *testing.T) {
	models := analyzeValid(t)
	const id = "id: int? all persist implicit"
	tests := map[string][]fieldShape{
		"AllTypes": {
			id,
			"anInt: int all persist",
			"aDouble: double? all persist",
			"aBool: bool all persist",
			"aString: String? all persist",
			"aDateTime: DateTime all persist",
			"aDuration: Duration? all persist",
			"aUuid: UuidValue all persist",
			"aUri: Uri? all persist",
			"aBigInt: BigInt? all persist",
			"aByteData: ByteData? all persist",
			"aList: List<String?> all persist",
			"aSet: Set<int>? all persist",
			"aMap: Map<String,List<Map<int,double?>>>? all persist",
			"anEnum: Color? all persist",
			"aNamedEnum: Status all persist",
			"aModel: Note? all persist",
			"aModelList: List<Note>? all persist",
			"aModuleModel: module:auth:UserInfo? all persist",
			"aModuleEnum: module:auth:Theme? all persist",
			"aCustom: Money? all persist",
			"aPackageType: package:my_shared/money.dart:Money? all persist",
		},
		"Note": {"text: String all persist"},
		"Defaults": {
			id,
			"amount: int all persist",
			"ratio: double all persist",
			"flag: bool all persist",
			"quoted: String all persist",
			"single: String all persist",
			"at: DateTime all persist",
			"fixedAt: DateTime? all persist",
			"wait: Duration all persist",
			"ref: UuidValue all persist",
			"fixedRef: UuidValue? all persist",
			"link: Uri all persist",
			"big: BigInt all persist",
			"color: Color all persist",
		},
		"Author": {id, "name: String all persist"},
		"MapForm": {
			id,
			"title: String all persist",
			"secret: String? serverOnly persist",
			"apiOnly: int? all",
			"ownerId: int? all persist implicit",
			"owner: Author? all",
			"renamed: String? all persist",
		},
		"Oops":       {"message: String all persist", "code: int? all persist"},
		"AuditEntry": {"action: String serverOnly persist", "detail: String? none persist"},
		"Account": {
			id,
			"name: String all persist",
			"passwordHash: String? serverOnly persist",
			"internalNote: String? none persist",
			"draft: String? all",
			"audit: AuditEntry? serverOnly persist",
		},
		// Unnamed list relation: the hidden key goes to the end of the child.
		"Company": {
			id,
			"name: String all persist",
			"employees: List<Employee>? all",
			"departments: List<Department>? all",
		},
		"Employee": {
			id,
			"name: String all persist",
			"managerId: int? all persist",
			"address: Address? all",
			"badgeId: int? all persist implicit",
			"badge: Badge? all",
			"_companyEmployeesCompanyId: int? none persist implicit",
		},
		"Department": {id, "name: String all persist", "companyId: int all persist implicit", "company: Company? all"},
		"Address": {
			id,
			"street: String all persist",
			"residentId: int? all persist",
			"resident: Employee? all",
		},
		"Badge": {
			id,
			"code: String all persist",
			"userId: int all persist implicit",
			"user: module:auth:UserInfo? all",
		},
		"Enrollment": {
			id,
			"studentId: int all persist implicit",
			"student: Student? all",
			"courseId: int all persist implicit",
			"course: Course? all",
		},
		"Student": {id, "name: String all persist", "enrollments: List<Enrollment>? all"},
		"Course":  {id, "name: String all persist", "enrollments: List<Enrollment>? all"},
		"Cat": {
			id,
			"name: String all persist",
			"motherId: int? all persist implicit",
			"mother: Cat? all",
			"kittens: List<Cat>? all",
		},
		"Post": {
			id,
			"content: String all persist",
			"previous: Post? all",
			"nextId: int? all persist",
			"next: Post? all",
		},
	}
	for name, want := range tests {
		m := modelByName(models, name)
		if m == nil {
			t.Errorf("model %s missing", name)
			continue
		}
		var got []fieldShape
		for _, f := range m.Fields {
			got = append(got, shapeOf(f))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s fields:\n got %q\nwant %q", name, got, want)
		}
	}
	if len(models) != len(tests)+2 { // plus the enums Color and Status
		t.Errorf("got %d models, want %d", len(models), len(tests)+2)
	}
}

func TestValidModelDetails(t *testing.T) {
	models := analyzeValid(t)
	all := modelByName(models, "AllTypes")
	color := modelByName(models, "Color")
	status := modelByName(models, "Status")
	note := modelByName(models, "Note")

	if got, want := all.Doc, []string{"Every type of the language.", "Second line."}; !reflect.DeepEqual(got, want) {
		t.Errorf("class doc %q, want %q", got, want)
	}
	if got, want := all.Field("anInt").Doc, []string{"An integer."}; !reflect.DeepEqual(got, want) {
		t.Errorf("field doc %q, want %q", got, want)
	}
	if all.Table != "all_types" || !all.ManagedMigration || all.FileName != "all_types" || all.SubDir != "" {
		t.Errorf("AllTypes table=%q managed=%v file=%q subdir=%q", all.Table, all.ManagedMigration, all.FileName, all.SubDir)
	}
	if all.Field("anEnum").Type.Model != color || !all.Field("anEnum").Type.IsEnum() {
		t.Error("anEnum does not resolve to the enum Color")
	}
	if all.Field("aModelList").Type.Args[0].Model != note {
		t.Error("List<Note> does not resolve to Note")
	}
	if mt := all.Field("aModuleModel").Type; mt.Model == nil || mt.Model.ModuleName != "serverpod_auth" || mt.Module != "auth" {
		t.Errorf("module type %v resolved to %v", mt, mt.Model)
	}
	for _, name := range []string{"aCustom", "aPackageType"} {
		ct := all.Field(name).Type
		if c := ct.Model; c == nil || c.Kind != Custom || c.DartURL != "package:my_shared/money.dart" || c.GoPkg != "example.com/shared" || c.GoName != "Money" || ct.Module != "" {
			t.Errorf("%s: extra class resolved to %+v", name, c)
		}
	}

	if color.Kind != Enum || color.Serialized != ByIndex || color.SubDir != "enums" {
		t.Errorf("Color kind=%s serialized=%s subdir=%q", color.Kind, color.Serialized, color.SubDir)
	}
	if got, want := color.Values[0].Doc, []string{"The color of fire."}; !reflect.DeepEqual(got, want) || color.Values[0].Name != "red" {
		t.Errorf("first value %s doc %q, want red %q", color.Values[0].Name, got, want)
	}
	if status.Serialized != ByName {
		t.Errorf("Status serialized %s, want byName", status.Serialized)
	}
	if oops := modelByName(models, "Oops"); oops.Kind != Exception {
		t.Errorf("Oops kind %s", oops.Kind)
	}
	if so := modelByName(models, "AuditEntry"); !so.ServerOnly {
		t.Error("AuditEntry is not serverOnly")
	}
	if rf := modelByName(models, "MapForm").Field("renamed").RenamedFrom; rf != "oldName" {
		t.Errorf("renamedFrom %q", rf)
	}

	badge := modelByName(models, "Badge")
	wantIdx := []Index{
		{Name: "badge_code_idx", Fields: []string{"code"}, Type: "hash", Unique: true},
		{Name: "badge_user_idx", Fields: []string{"userId", "code"}, Type: "btree"},
	}
	for i, idx := range badge.Indexes {
		got := *idx
		got.Pos = Pos{}
		if !reflect.DeepEqual(got, wantIdx[i]) {
			t.Errorf("index %d: %+v, want %+v", i, got, wantIdx[i])
		}
	}
}

func TestValidDefaults(t *testing.T) {
	models := analyzeValid(t)
	d := modelByName(models, "Defaults")
	tests := []struct {
		field          string
		model, persist string // "" for none
	}{
		{"amount", "10", "10"},
		{"ratio", "0.5", "1.5"},
		{"flag", "true", "true"},
		{"quoted", `'It\'s here'`, `'It\'s here'`},
		{"single", "'plain'", "'plain'"},
		{"at", "now", "now"},
		{"fixedAt", "", "2024-05-01T22:00:00.000Z"},
		{"wait", "1d 2h 10min 30s 100ms", "1d 2h 10min 30s 100ms"},
		{"ref", "random", "random"},
		{"fixedRef", "'550e8400-e29b-41d4-a716-446655440000'", "'550e8400-e29b-41d4-a716-446655440000'"},
		{"link", "'https://serverpod.dev'", "'https://serverpod.dev'"},
		{"big", "-12345678901234567890", "-12345678901234567890"},
		{"color", "green", "green"},
	}
	raw := func(v *DefaultValue) string {
		if v == nil {
			return ""
		}
		return v.Raw
	}
	for _, tc := range tests {
		f := d.Field(tc.field)
		if f == nil {
			t.Errorf("field %s missing", tc.field)
			continue
		}
		if raw(f.DefaultModel) != tc.model || raw(f.DefaultPersist) != tc.persist {
			t.Errorf("%s: defaults (%q, %q), want (%q, %q)", tc.field, raw(f.DefaultModel), raw(f.DefaultPersist), tc.model, tc.persist)
		}
	}
	if f := modelByName(models, "MapForm").Field("title"); raw(f.DefaultModel) != "'untitled'" || f.DefaultModel.Pos.Line != 6 {
		t.Errorf("map form default %+v", f.DefaultModel)
	}
}

// relationShape renders the parts of a relation the tests compare.
func relationShape(r *Relation) string {
	if r == nil {
		return "none"
	}
	kind := map[RelationKind]string{ForeignKeyRelation: "fk", ObjectRelation: "object", ListRelation: "list"}[r.Kind]
	s := kind
	add := func(k, v string) {
		if v != "" {
			s += " " + k + "=" + v
		}
	}
	add("name", r.Name)
	add("parent", r.ParentTable)
	add("foreign", r.ForeignFieldName)
	add("field", r.FieldName)
	if r.Kind == ForeignKeyRelation || r.ForeignKeyOrigin {
		add("onDelete", r.OnDelete.String())
	}
	if r.ForeignKeyOrigin {
		s += " origin"
	}
	if r.Nullable {
		s += " nullable"
	}
	if r.ImplicitForeignField {
		s += " implicit"
	}
	if r.ContainerField != nil {
		add("container", r.ContainerField.Name)
	}
	if r.ForeignContainerField != nil {
		add("foreignContainer", r.ForeignContainerField.Name)
	}
	return s
}

func TestValidRelations(t *testing.T) {
	models := analyzeValid(t)
	tests := []struct{ model, field, want string }{
		// One-to-many with an unnamed list: a hidden key in the child.
		{"Company", "employees", "list foreign=_companyEmployeesCompanyId field=id nullable implicit"},
		{"Employee", "_companyEmployeesCompanyId", "fk parent=company foreign=id onDelete=noAction origin nullable foreignContainer=employees"},
		// One-to-many, named: the child's object field owns the key.
		{"Company", "departments", "list name=company_departments foreign=companyId field=id foreignContainer=company"},
		{"Department", "companyId", "fk name=company_departments parent=company foreign=id onDelete=cascade origin container=company foreignContainer=departments"},
		{"Department", "company", "object name=company_departments parent=company foreign=id field=companyId onDelete=cascade origin foreignContainer=departments"},
		// Foreign key only, with parent=.
		{"Employee", "managerId", "fk parent=employee foreign=id onDelete=setNull origin nullable"},
		// Implicit optional object relation.
		{"Employee", "badgeId", "fk parent=badge foreign=id onDelete=noAction origin nullable container=badge"},
		{"Employee", "badge", "object parent=badge foreign=id field=badgeId onDelete=noAction origin nullable"},
		// One-to-one: the side with field= holds the key.
		{"Address", "residentId", "fk name=employee_address parent=employee foreign=id onDelete=noAction origin nullable container=resident foreignContainer=address"},
		{"Address", "resident", "object name=employee_address parent=employee foreign=id field=residentId onDelete=noAction origin nullable foreignContainer=address"},
		{"Employee", "address", "object name=employee_address parent=address foreign=residentId field=id nullable foreignContainer=resident"},
		// Relation to a module table.
		{"Badge", "userId", "fk parent=serverpod_user_info foreign=id onDelete=noAction origin container=user"},
		// Many-to-many through a junction class.
		{"Enrollment", "studentId", "fk name=student_enrollments parent=student foreign=id onDelete=cascade origin container=student foreignContainer=enrollments"},
		{"Student", "enrollments", "list name=student_enrollments foreign=studentId field=id foreignContainer=student"},
		{"Course", "enrollments", "list name=course_enrollments foreign=courseId field=id foreignContainer=course"},
		// Self relations.
		{"Cat", "motherId", "fk name=cat_kittens parent=cat foreign=id onDelete=setNull origin nullable container=mother foreignContainer=kittens"},
		{"Cat", "kittens", "list name=cat_kittens foreign=motherId field=id nullable foreignContainer=mother"},
		{"Post", "previous", "object name=next_previous_post parent=post foreign=nextId field=id nullable foreignContainer=next"},
		{"Post", "nextId", "fk name=next_previous_post parent=post foreign=id onDelete=setNull origin nullable container=next foreignContainer=previous"},
		{"Post", "next", "object name=next_previous_post parent=post foreign=id field=nextId onDelete=setNull origin nullable foreignContainer=previous"},
		// Map form.
		{"MapForm", "owner", "object parent=author foreign=id field=ownerId onDelete=setNull origin nullable"},
		{"AllTypes", "aModel", "none"},
	}
	for _, tc := range tests {
		f := modelByName(models, tc.model).Field(tc.field)
		if f == nil {
			t.Errorf("%s.%s missing", tc.model, tc.field)
			continue
		}
		if got := relationShape(f.Relation); got != tc.want {
			t.Errorf("%s.%s relation:\n got %s\nwant %s", tc.model, tc.field, got, tc.want)
		}
		if f.Relation != nil && f.Relation.Kind != ForeignKeyRelation && f.Persist {
			t.Errorf("%s.%s is an object or list relation but persisted", tc.model, tc.field)
		}
	}

	// Containers point at the very fields of the other models.
	student := modelByName(models, "Student")
	enrollment := modelByName(models, "Enrollment")
	if student.Field("enrollments").Relation.ForeignContainerField != enrollment.Field("student") {
		t.Error("Student.enrollments does not point at Enrollment.student")
	}
	if got := strings.Join(columnNames(enrollment), ","); got != "id,studentId,courseId" {
		t.Errorf("Enrollment columns %s", got)
	}
}

func columnNames(m *Model) []string {
	var out []string
	for _, f := range m.Columns() {
		out = append(out, f.Name)
	}
	return out
}

func TestModuleModels(t *testing.T) {
	mod := authModule(t)
	if len(mod.Models) != 3 {
		t.Fatalf("got %d module models", len(mod.Models))
	}
	info := modelByName(mod.Models, "UserInfo")
	if info.Module != "auth" || info.ModuleName != "serverpod_auth" || info.WireClassName() != "serverpod_auth.UserInfo" {
		t.Errorf("UserInfo module %q name %q", info.Module, info.ModuleName)
	}
	if info.SubDir != "" || info.FileName != "user_info" {
		t.Errorf("UserInfo subdir %q file %q", info.SubDir, info.FileName)
	}
	settings := info.Field("settings").Type
	if settings.Model != modelByName(mod.Models, "UserSettings") || settings.String() != "module:auth:UserSettings?" {
		t.Errorf("sibling reference %s resolved to %v", settings, settings.Model)
	}
}

// TestInheritance covers the experimental extends and sealed keys.
func TestInheritance(t *testing.T) {
	files := []File{
		{Path: "models/base.spy.yaml", Src: []byte("class: Base\nsealed: true\nfields:\n  name: String\n")},
		{Path: "models/child.spy.yaml", Src: []byte("class: Child\nextends: Base\ntable: child\nfields:\n  age: int\n")},
	}
	models, diags := Analyze(files, Options{Database: true, Inheritance: true})
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics:\n%s", diagList(diags))
	}
	child := modelByName(models, "Child")
	if child.Parent != modelByName(models, "Base") || child.Extends != "Base" || !child.Parent.Sealed {
		t.Fatalf("Child parent %v", child.Parent)
	}
	var names []string
	for _, f := range child.AllFields() {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "id,name,age" {
		t.Errorf("Child fields %s", got)
	}

	cyclic := []File{
		{Path: "models/a.spy.yaml", Src: []byte("class: A\nextends: B\nfields:\n  x: int\n")},
		{Path: "models/b.spy.yaml", Src: []byte("class: B\nextends: A\nfields:\n  y: int\n")},
	}
	models, diags = Analyze(cyclic, Options{Inheritance: true})
	if len(models) != 0 || len(diags) != 2 || !strings.Contains(diags[0].Message, "cycle") {
		t.Errorf("cyclic hierarchy: %d models, diagnostics:\n%s", len(models), diagList(diags))
	}
}
