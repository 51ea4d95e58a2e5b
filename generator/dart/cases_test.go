package dart

import (
	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/model"
)

// Test inputs built in Go: resolved models as the model analyzer produces
// them, and endpoints as endpoint discovery describes them.

func typ(name string, args ...*model.Type) *model.Type {
	return &model.Type{Name: name, Args: args}
}

func opt(t *model.Type) *model.Type {
	c := *t
	c.Nullable = true
	return &c
}

func modelType(m *model.Model) *model.Type {
	return &model.Type{Name: m.ClassName, Model: m, Module: m.Module}
}

func fld(name string, t *model.Type) *model.Field {
	return &model.Field{Name: name, Type: t, Scope: model.ScopeAll}
}

func withDefault(f *model.Field, raw string) *model.Field {
	f.DefaultModel = &model.DefaultValue{Raw: raw}
	f.DefaultPersist = &model.DefaultValue{Raw: raw}
	return f
}

func scoped(f *model.Field, s model.Scope) *model.Field {
	f.Scope = s
	return f
}

func class(name, source string, fields ...*model.Field) *model.Model {
	dir, file := splitSource(source)
	return &model.Model{Kind: model.Class, ClassName: name, SourcePath: "models/" + source + ".spy.yaml", SubDir: dir, FileName: file, Fields: fields}
}

func table(m *model.Model, tableName string) *model.Model {
	m.Table = tableName
	id := &model.Field{Name: "id", Type: opt(typ(model.TypeInt)), Scope: model.ScopeAll, Persist: true, Implicit: true,
		Doc: []string{"The database id, set if the object has been inserted into the", "database or if it has been fetched from the database. Otherwise,", "the id will be null."}}
	m.Fields = append([]*model.Field{id}, m.Fields...)
	return m
}

func splitSource(source string) (dir, file string) {
	for i := len(source) - 1; i >= 0; i-- {
		if source[i] == '/' {
			return source[:i], source[i+1:]
		}
	}
	return "", source
}

func enum(name, source string, serialized model.EnumSerialization, values ...string) *model.Model {
	dir, file := splitSource(source)
	m := &model.Model{Kind: model.Enum, ClassName: name, SourcePath: "models/" + source + ".spy.yaml", SubDir: dir, FileName: file, Serialized: serialized}
	for _, v := range values {
		m.Values = append(m.Values, &model.EnumValue{Name: v})
	}
	return m
}

func method(name string, returns *model.Type, params ...*endpoint.Param) *endpoint.Method {
	return &endpoint.Method{Name: name, Returns: returns, Params: params}
}

func param(name string, t *model.Type) *endpoint.Param {
	return &endpoint.Param{Name: name, Type: t}
}

var authModule = Module{Name: "serverpod_auth", Nickname: "auth", ClientPackage: "serverpod_auth_client"}

// scaffoldCase is the project `gopod create` makes.
func scaffoldCase() ([]*model.Model, []*endpoint.Endpoint, Options) {
	example := class("Example", "example", fld("name", typ(model.TypeString)), fld("data", typ(model.TypeInt)))
	ep := &endpoint.Endpoint{Name: "example", Methods: []*endpoint.Method{
		method("hello", typ(model.TypeString), param("name", typ(model.TypeString))),
	}}
	return []*model.Model{example}, []*endpoint.Endpoint{ep}, Options{
		ProjectName: "myapp", ClientPackageName: "myapp_client", Modules: []Module{authModule},
	}
}

func docs(f *model.Field, lines ...string) *model.Field {
	f.Doc = lines
	return f
}

// relate marks f as one side of a relation between tables.
func relate(f *model.Field, kind model.RelationKind, name string) *model.Field {
	f.Relation = &model.Relation{Kind: kind, Name: name, ForeignFieldName: "id"}
	return f
}

// userInfo stands for serverpod_auth's UserInfo, as the analyzer resolves
// `module:auth:UserInfo`.
var userInfo = &model.Model{Kind: model.Class, ClassName: "UserInfo", Module: "auth", ModuleName: "serverpod_auth",
	SourcePath: "user_info.spy.yaml", FileName: "user_info", Table: "serverpod_user_info"}

func userInfoType() *model.Type {
	return &model.Type{Name: "UserInfo", Module: "auth", Model: userInfo}
}

// everythingCase uses every field type, defaults, scopes, relations, an
// exception and endpoints with every kind of parameter and return type.
func everythingCase() ([]*model.Model, []*endpoint.Endpoint, Options) {
	color := enum("Color", "color", model.ByIndex, "red", "green", "blue")
	color.Doc = []string{"A colour, sent by index."}
	color.Values[1].Doc = []string{"The colour of grass.", "", "Second line."}
	status := enum("Status", "status", model.ByName, "active", "name", "archived")
	example := class("Example", "example", fld("name", typ(model.TypeString)), fld("data", typ(model.TypeInt)))

	secret := class("Secret", "secret", scoped(fld("token", opt(typ(model.TypeString))), model.ScopeServerOnly))
	secret.ServerOnly = true

	t := func(name string) *model.Type { return typ(name) }
	all := class("AllTypes", "all_types",
		docs(fld("anInt", t(model.TypeInt)), "An integer."),
		fld("aNullableInt", opt(t(model.TypeInt))),
		fld("aDouble", t(model.TypeDouble)),
		fld("aNullableDouble", opt(t(model.TypeDouble))),
		fld("aBool", t(model.TypeBool)),
		fld("aNullableBool", opt(t(model.TypeBool))),
		fld("aString", t(model.TypeString)),
		fld("aNullableString", opt(t(model.TypeString))),
		fld("aDateTime", t(model.TypeDateTime)),
		fld("aNullableDateTime", opt(t(model.TypeDateTime))),
		fld("aDuration", t(model.TypeDuration)),
		fld("aNullableDuration", opt(t(model.TypeDuration))),
		fld("aUuid", t(model.TypeUUID)),
		fld("aNullableUuid", opt(t(model.TypeUUID))),
		fld("aUri", t(model.TypeURI)),
		fld("aNullableUri", opt(t(model.TypeURI))),
		fld("aBigInt", t(model.TypeBigInt)),
		fld("aNullableBigInt", opt(t(model.TypeBigInt))),
		fld("aByteData", t(model.TypeByteData)),
		fld("aNullableByteData", opt(t(model.TypeByteData))),
		fld("aColor", modelType(color)),
		fld("aNullableColor", opt(modelType(color))),
		fld("aStatus", modelType(status)),
		fld("aNullableStatus", opt(modelType(status))),
		fld("anExample", modelType(example)),
		fld("aNullableExample", opt(modelType(example))),
		fld("aUser", userInfoType()),
		fld("aNullableUserList", opt(typ(model.TypeList, userInfoType()))),
		fld("aStringList", typ(model.TypeList, t(model.TypeString))),
		fld("aNullableListOfNullableInts", opt(typ(model.TypeList, opt(t(model.TypeInt))))),
		fld("anExampleList", typ(model.TypeList, modelType(example))),
		fld("aDateTimeList", typ(model.TypeList, opt(t(model.TypeDateTime)))),
		fld("anIntSet", typ(model.TypeSet, t(model.TypeInt))),
		fld("aNullableExampleSet", opt(typ(model.TypeSet, modelType(example)))),
		fld("aStringMap", typ(model.TypeMap, t(model.TypeString), t(model.TypeInt))),
		fld("anIntKeyMap", opt(typ(model.TypeMap, t(model.TypeInt), t(model.TypeString)))),
		fld("aColorKeyMap", typ(model.TypeMap, modelType(color), t(model.TypeDuration))),
		fld("aNestedMap", typ(model.TypeMap, t(model.TypeString),
			typ(model.TypeList, typ(model.TypeMap, t(model.TypeInt), opt(modelType(example)))))),
		fld("aListOfLists", typ(model.TypeList, typ(model.TypeList, t(model.TypeByteData)))),
		scoped(fld("secretNote", opt(t(model.TypeString))), model.ScopeServerOnly),
		scoped(fld("hiddenSecret", opt(modelType(secret))), model.ScopeServerOnly),
		withDefault(fld("count", t(model.TypeInt)), "10"),
		withDefault(fld("ratio", t(model.TypeDouble)), "2"),
		withDefault(fld("enabled", t(model.TypeBool)), "true"),
		withDefault(fld("label", opt(t(model.TypeString))), `"It's \"quoted\" for $5"`),
		withDefault(fld("createdAt", t(model.TypeDateTime)), "now"),
		withDefault(fld("launch", t(model.TypeDateTime)), "2024-05-01T22:00:00.000Z"),
		withDefault(fld("timeout", t(model.TypeDuration)), "1d 2h 90min 100ms"),
		withDefault(fld("token", t(model.TypeUUID)), "random"),
		withDefault(fld("fixedId", t(model.TypeUUID)), "'550e8400-e29b-41d4-a716-446655440000'"),
		withDefault(fld("homepage", t(model.TypeURI)), "'https://example.com/'"),
		withDefault(fld("huge", t(model.TypeBigInt)), "-12345678901234567890"),
		withDefault(fld("favourite", typ("Color")), "blue"),
	)
	all.Doc = []string{"Every type a field can have."}
	all.Fields[len(all.Fields)-1].Type = modelType(color)
	persistOnly := fld("persistedDefault", opt(t(model.TypeInt)))
	persistOnly.DefaultPersist = &model.DefaultValue{Raw: "5"}
	all.Fields = append(all.Fields, persistOnly)

	// One-to-one: the address holds the foreign key.
	citizen := table(class("Citizen", "relations/one_to_one/citizen", fld("name", t(model.TypeString))), "citizen")
	address := table(class("Address", "relations/one_to_one/address", fld("street", t(model.TypeString))), "address")
	citizen.Fields = append(citizen.Fields, relate(fld("address", opt(modelType(address))), model.ObjectRelation, "citizen_address"))
	address.Fields = append(address.Fields,
		relate(fld("inhabitantId", t(model.TypeInt)), model.ForeignKeyRelation, ""),
		relate(fld("inhabitant", opt(modelType(citizen))), model.ObjectRelation, "citizen_address"))

	// One-to-many, named, and unnamed with a hidden foreign key.
	company := table(class("Company", "relations/one_to_many/company", fld("name", t(model.TypeString))), "company")
	employee := table(class("Employee", "relations/one_to_many/employee", fld("name", t(model.TypeString))), "employee")
	company.Fields = append(company.Fields, relate(fld("employees", opt(typ(model.TypeList, modelType(employee)))), model.ListRelation, "company_employees"))
	employeeFK := relate(fld("companyId", t(model.TypeInt)), model.ForeignKeyRelation, "")
	employeeFK.Implicit = true
	employee.Fields = append(employee.Fields, employeeFK,
		relate(fld("company", opt(modelType(company))), model.ObjectRelation, "company_employees"),
		scoped(relate(fld("_companyFormerEmployeesCompanyId", opt(t(model.TypeInt))), model.ForeignKeyRelation, ""), model.ScopeNone))
	company.Fields = append(company.Fields, relate(fld("formerEmployees", opt(typ(model.TypeList, modelType(employee)))), model.ListRelation, ""))

	// Many-to-many through a join table.
	student := table(class("Student", "relations/many_to_many/student", fld("name", t(model.TypeString))), "student")
	course := table(class("Course", "relations/many_to_many/course", fld("name", t(model.TypeString))), "course")
	enrollment := table(class("Enrollment", "relations/many_to_many/enrollment"), "enrollment")
	student.Fields = append(student.Fields, relate(fld("enrollments", opt(typ(model.TypeList, modelType(enrollment)))), model.ListRelation, "student_enrollments"))
	course.Fields = append(course.Fields, relate(fld("enrollments", opt(typ(model.TypeList, modelType(enrollment)))), model.ListRelation, "course_enrollments"))
	enrollment.Fields = append(enrollment.Fields,
		relate(fld("studentId", t(model.TypeInt)), model.ForeignKeyRelation, ""),
		relate(fld("student", opt(modelType(student))), model.ObjectRelation, "student_enrollments"),
		relate(fld("courseId", t(model.TypeInt)), model.ForeignKeyRelation, ""),
		relate(fld("course", opt(modelType(course))), model.ObjectRelation, "course_enrollments"))

	failure := class("Failure", "failure",
		fld("message", t(model.TypeString)),
		withDefault(fld("code", t(model.TypeInt)), "500"),
		fld("details", opt(typ(model.TypeMap, t(model.TypeString), t(model.TypeString)))))
	failure.Kind = model.Exception
	empty := class("Empty", "empty")

	models := []*model.Model{all, citizen, address, company, employee, student, course, enrollment, color, status, example, secret, failure, empty}

	types := &endpoint.Endpoint{Name: "types", Doc: []string{"Echoes values of every type."}, Methods: []*endpoint.Method{
		method("nothing", nil),
		method("echoInt", opt(t(model.TypeInt)), param("value", opt(t(model.TypeInt)))),
		method("echoAll", modelType(all), param("value", modelType(all))),
		method("many", opt(typ(model.TypeMap, t(model.TypeString), typ(model.TypeList, modelType(example)))),
			param("text", t(model.TypeString)),
			param("maybe", opt(t(model.TypeInt))),
			param("examples", typ(model.TypeList, modelType(example))),
			param("byColor", typ(model.TypeMap, t(model.TypeInt), modelType(color))),
			param("ids", opt(typ(model.TypeSet, opt(t(model.TypeUUID))))),
			param("user", userInfoType()),
			param("blob", opt(t(model.TypeByteData))),
			param("wait", t(model.TypeDuration))),
		method("users", typ(model.TypeList, userInfoType()), param("status", modelType(status))),
		{Name: "old", Params: []*endpoint.Param{param("class", t(model.TypeString)), param("caller", t(model.TypeBool))},
			Doc: []string{"Old does nothing.", "", "Deprecated: use nothing."}, Deprecated: "use nothing"},
	}}
	feature := &endpoint.Endpoint{Name: "myFeature", Methods: []*endpoint.Method{
		method("enroll", modelType(enrollment), param("student", modelType(student)), param("course", opt(modelType(course)))),
		method("fail", t(model.TypeBool), param("failure", modelType(failure))),
	}}
	return models, []*endpoint.Endpoint{types, feature}, Options{
		ProjectName: "everything", ClientPackageName: "everything_client", Modules: []Module{authModule},
	}
}

// moduleCase is the client of a module, whose endpoints carry its name.
func moduleCase() ([]*model.Model, []*endpoint.Endpoint, Options) {
	response := class("AuthenticationResponse", "authentication_response",
		fld("success", typ(model.TypeBool)), fld("keyId", opt(typ(model.TypeInt))))
	email := &endpoint.Endpoint{Name: "email", Methods: []*endpoint.Method{
		method("authenticate", modelType(response), param("email", typ(model.TypeString)), param("password", typ(model.TypeString))),
	}}
	status := &endpoint.Endpoint{Name: "status", Methods: []*endpoint.Method{
		method("isSignedIn", typ(model.TypeBool)),
		method("signOut", nil),
	}}
	return []*model.Model{response}, []*endpoint.Endpoint{email, status}, Options{
		ProjectName: "serverpod_auth", ClientPackageName: "serverpod_auth_client", IsModule: true,
	}
}
