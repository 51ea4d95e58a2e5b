package migration

import (
	"fmt"
	"io/fs"
	"math/big"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/runtime/core"
	"github.com/gopod/gopod/runtime/dbschema"
)

// Module is a module whose tables join the project's database, such as
// serverpod_auth, or Serverpod's core.
type Module struct {
	// Name is the module's name, as recorded in serverpod_migrations.
	Name string
	// Migrations is the module's migrations folder. The
	// definition_project.json of its latest version gives the module's
	// tables, and the version's name is recorded as the module's version.
	Migrations fs.FS
	// Models and Version describe a module that ships no migrations folder:
	// its analyzed models, and the version to record. They are used only
	// when Migrations is nil.
	Models  []*model.Model
	Version string
}

// CoreModule returns Serverpod's core module, whose tables every project has.
func CoreModule() Module {
	return Module{Name: core.ModuleName, Migrations: core.Migrations()}
}

// loadedModule is a module's tables and version.
type loadedModule struct {
	name    string
	version string
	tables  []*dbschema.TableDefinition
}

func loadModule(m Module) (*loadedModule, error) {
	if m.Name == "" {
		return nil, fmt.Errorf("a module has no name")
	}
	if m.Migrations == nil {
		if m.Version == "" {
			return nil, fmt.Errorf("module %s: it has neither a migrations folder nor a version", m.Name)
		}
		tables, err := tablesOf(m.Models, m.Name)
		if err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Name, err)
		}
		return &loadedModule{name: m.Name, version: m.Version, tables: tables}, nil
	}
	versions, err := versionDirs(m.Migrations, ".")
	if err != nil {
		return nil, fmt.Errorf("module %s: %w", m.Name, err)
	}
	if len(versions) == 0 {
		return nil, fmt.Errorf("module %s: its migrations folder has no versions", m.Name)
	}
	latest := versions[len(versions)-1]
	file := path.Join(latest, definitionProjectFile)
	data, err := fs.ReadFile(m.Migrations, file)
	if err != nil {
		return nil, fmt.Errorf("module %s: read %s: %w", m.Name, file, err)
	}
	def, err := dbschema.DecodeDefinition(data)
	if err != nil {
		return nil, fmt.Errorf("module %s: %s: %w", m.Name, file, err)
	}
	return &loadedModule{name: m.Name, version: latest, tables: def.Tables}, nil
}

// loadModules loads modules in order and adds the core module unless the
// project is the core itself or lists it already.
func loadModules(projectName string, modules []Module) ([]*loadedModule, error) {
	hasCore := projectName == core.ModuleName
	for _, m := range modules {
		hasCore = hasCore || m.Name == core.ModuleName
	}
	if !hasCore {
		modules = append(append([]Module(nil), modules...), CoreModule())
	}
	out := make([]*loadedModule, 0, len(modules))
	seen := map[string]bool{}
	for _, m := range modules {
		if seen[m.Name] {
			return nil, fmt.Errorf("module %s is listed twice", m.Name)
		}
		seen[m.Name] = true
		lm, err := loadModule(m)
		if err != nil {
			return nil, err
		}
		out = append(out, lm)
	}
	return out, nil
}

// ProjectDefinition returns the content of definition_project.json: the
// tables of the project's own models, sorted by name, and the modules
// installed before this version (the project's previous version first, if
// it has one).
func ProjectDefinition(projectName string, models []*model.Model, installed []dbschema.ModuleVersion) (*dbschema.DatabaseDefinition, error) {
	tables, err := tablesOf(models, projectName)
	if err != nil {
		return nil, err
	}
	if installed == nil {
		installed = []dbschema.ModuleVersion{}
	}
	return &dbschema.DatabaseDefinition{
		ModuleName:          projectName,
		Tables:              tables,
		InstalledModules:    installed,
		MigrationAPIVersion: dbschema.MigrationAPIVersion,
	}, nil
}

// TargetDefinition returns the full definition a migration named version
// leads to: the project's tables sorted by name, then each module's tables,
// in the order of modules, with the core module last unless listed. The
// installed modules are the project at version, then every module at its
// latest version.
func TargetDefinition(projectName, version string, models []*model.Model, modules []Module) (*dbschema.DatabaseDefinition, error) {
	loaded, err := loadModules(projectName, modules)
	if err != nil {
		return nil, err
	}
	project, err := ProjectDefinition(projectName, models, nil)
	if err != nil {
		return nil, err
	}
	return mergeDefinition(project, version, loaded)
}

func mergeDefinition(project *dbschema.DatabaseDefinition, version string, modules []*loadedModule) (*dbschema.DatabaseDefinition, error) {
	full := &dbschema.DatabaseDefinition{
		ModuleName:          project.ModuleName,
		Tables:              append([]*dbschema.TableDefinition(nil), project.Tables...),
		InstalledModules:    []dbschema.ModuleVersion{{Module: project.ModuleName, Version: version}},
		MigrationAPIVersion: dbschema.MigrationAPIVersion,
	}
	owner := map[string]string{}
	for _, t := range project.Tables {
		owner[t.Name] = project.ModuleName
	}
	for _, m := range modules {
		for _, t := range m.tables {
			if other, dup := owner[t.Name]; dup {
				return nil, fmt.Errorf("table %q is defined by both %s and %s", t.Name, other, m.name)
			}
			owner[t.Name] = m.name
			full.Tables = append(full.Tables, t)
		}
		full.InstalledModules = append(full.InstalledModules, dbschema.ModuleVersion{Module: m.name, Version: m.version})
	}
	return full, nil
}

// tablesOf converts the table classes among models into table definitions,
// sorted by table name as Serverpod sorts them.
func tablesOf(models []*model.Model, moduleName string) ([]*dbschema.TableDefinition, error) {
	tables := []*dbschema.TableDefinition{}
	for _, m := range models {
		if m.Kind != model.Class || !m.HasTable() {
			continue
		}
		t, err := tableOf(m, moduleName)
		if err != nil {
			return nil, fmt.Errorf("%s: class %s: %w", m.Pos, m.ClassName, err)
		}
		tables = append(tables, t)
	}
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	for i := 1; i < len(tables); i++ {
		if tables[i].Name == tables[i-1].Name {
			return nil, fmt.Errorf("table %q is defined by two classes", tables[i].Name)
		}
	}
	return tables, nil
}

func tableOf(m *model.Model, moduleName string) (*dbschema.TableDefinition, error) {
	t := &dbschema.TableDefinition{
		Name:        m.Table,
		DartName:    m.ClassName,
		Module:      moduleName,
		Schema:      dbschema.DefaultSchema,
		Columns:     []*dbschema.ColumnDefinition{},
		ForeignKeys: []*dbschema.ForeignKeyDefinition{},
		Managed:     dbschema.Bool(m.ManagedMigration),
	}
	for _, f := range m.Columns() {
		c, err := columnOf(m, f)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		t.Columns = append(t.Columns, c)
	}
	if t.Column("id") == nil {
		return nil, fmt.Errorf("the table has no id field")
	}
	// Foreign keys come from the class's own fields, numbered in field order.
	for _, f := range m.Fields {
		r := f.Relation
		if r == nil || r.Kind != model.ForeignKeyRelation || !f.Persist {
			continue
		}
		t.ForeignKeys = append(t.ForeignKeys, &dbschema.ForeignKeyDefinition{
			ConstraintName:       fmt.Sprintf("%s_fk_%d", m.Table, len(t.ForeignKeys)),
			Columns:              []string{f.Column()},
			ReferenceTable:       r.ParentTable,
			ReferenceTableSchema: dbschema.DefaultSchema,
			ReferenceColumns:     []string{"id"},
			OnUpdate:             dbschema.Action(dbschema.ForeignKeyAction(r.OnUpdate)),
			OnDelete:             dbschema.Action(dbschema.ForeignKeyAction(r.OnDelete)),
		})
	}
	t.Indexes = append(t.Indexes, &dbschema.IndexDefinition{
		IndexName: m.Table + "_pkey",
		Elements:  []dbschema.IndexElement{{Type: dbschema.IndexElementColumn, Definition: "id"}},
		Type:      "btree",
		IsUnique:  true,
		IsPrimary: true,
	})
	for _, idx := range m.Indexes {
		x := &dbschema.IndexDefinition{IndexName: idx.Name, Type: idx.Type, IsUnique: idx.Unique}
		if x.Type == "" {
			x.Type = "btree"
		}
		for _, name := range idx.Fields {
			x.Elements = append(x.Elements, dbschema.IndexElement{Type: dbschema.IndexElementColumn, Definition: name})
		}
		t.Indexes = append(t.Indexes, x)
	}
	return t, nil
}

func columnOf(m *model.Model, f *model.Field) (*dbschema.ColumnDefinition, error) {
	c := &dbschema.ColumnDefinition{
		Name:         f.Column(),
		ColumnType:   columnType(f.Type),
		IsNullable:   f.Name != "id" && f.Type.Nullable,
		DartType:     dartType(f.Type),
		PreviousName: f.RenamedFrom,
	}
	if f.Name == "id" {
		c.ColumnDefault = fmt.Sprintf("nextval('%s_id_seq'::regclass)", m.Table)
		return c, nil
	}
	if f.DefaultPersist == nil {
		return c, nil
	}
	def, err := columnDefault(f.Type, f.DefaultPersist.Raw)
	if err != nil {
		return nil, fmt.Errorf("%s: default %s: %w", f.DefaultPersist.Pos, f.DefaultPersist.Raw, err)
	}
	c.ColumnDefault = def
	return c, nil
}

// columnType maps a field type to its column type, as Serverpod 2.4 does.
func columnType(t *model.Type) dbschema.ColumnType {
	if t.IsEnum() {
		if t.Model.Serialized == model.ByName {
			return dbschema.ColumnText
		}
		return dbschema.ColumnBigint
	}
	if t.Model == nil && t.URL == "" {
		switch t.Name {
		case model.TypeInt, model.TypeDuration:
			return dbschema.ColumnBigint
		case model.TypeDouble:
			return dbschema.ColumnDoublePrecision
		case model.TypeBool:
			return dbschema.ColumnBoolean
		case model.TypeString, model.TypeURI, model.TypeBigInt:
			return dbschema.ColumnText
		case model.TypeDateTime:
			return dbschema.ColumnTimestampWithoutTimeZone
		case model.TypeByteData:
			return dbschema.ColumnBytea
		case model.TypeUUID:
			return dbschema.ColumnUUID
		}
	}
	return dbschema.ColumnJSON
}

// dartType spells a type as Serverpod records it in a column's dartType:
// models of the project carry the `protocol:` prefix, module models their
// module reference, ByteData its library, and generic arguments are joined
// without spaces.
func dartType(t *model.Type) string {
	var b strings.Builder
	writeDartType(&b, t)
	return b.String()
}

func writeDartType(b *strings.Builder, t *model.Type) {
	switch {
	case t.URL != "":
		b.WriteString(t.URL + ":")
	case t.Model != nil && t.Module == "":
		b.WriteString("protocol:")
	case t.Model != nil && t.Module == core.ModuleName:
		b.WriteString("serverpod:")
	case t.Model != nil:
		b.WriteString("module:" + t.Module + ":")
	case t.Name == model.TypeByteData:
		b.WriteString("dart:typed_data:")
	}
	b.WriteString(t.Name)
	if len(t.Args) > 0 {
		b.WriteByte('<')
		for i, a := range t.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			writeDartType(b, a)
		}
		b.WriteByte('>')
	}
	if t.Nullable {
		b.WriteByte('?')
	}
}

var durationPart = regexp.MustCompile(`^(\d+)(d|h|min|ms|s)`)

// columnDefault turns a checked default literal into the SQL default
// Serverpod writes for it.
func columnDefault(t *model.Type, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if t.IsEnum() {
		name := unquote(raw)
		for i, v := range t.Model.Values {
			if v.Name == name {
				if t.Model.Serialized == model.ByName {
					return "'" + name + "'::text", nil
				}
				return strconv.Itoa(i), nil
			}
		}
		return "", fmt.Errorf("%s is not a value of %s", name, t.Model.ClassName)
	}
	switch t.Name {
	case model.TypeInt, model.TypeDouble, model.TypeBool:
		return raw, nil
	case model.TypeString, model.TypeURI:
		lit, err := sqlString(raw)
		if err != nil {
			return "", err
		}
		return lit + "::text", nil
	case model.TypeDateTime:
		if raw == "now" {
			return "CURRENT_TIMESTAMP", nil
		}
		tm, err := time.Parse(time.RFC3339Nano, unquote(raw))
		if err != nil {
			return "", fmt.Errorf("not a date and time of the form 2024-05-01T22:00:00.000Z")
		}
		return "'" + tm.UTC().Format("2006-01-02 15:04:05") + "'::timestamp without time zone", nil
	case model.TypeUUID:
		if raw == "random" {
			return "gen_random_uuid()", nil
		}
		lit, err := sqlString(raw)
		if err != nil {
			return "", err
		}
		return lit + "::uuid", nil
	case model.TypeBigInt:
		n, ok := new(big.Int).SetString(unquote(raw), 10)
		if !ok {
			return "", fmt.Errorf("not an integer")
		}
		return "'" + n.String() + "'::text", nil
	case model.TypeDuration:
		ms, err := durationMillis(raw)
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(ms, 10), nil
	}
	return "", fmt.Errorf("type %s takes no default", t.Name)
}

// durationMillis adds up a duration literal such as `1d 2h 10min 30s 100ms`.
func durationMillis(raw string) (int64, error) {
	units := map[string]int64{"d": 86_400_000, "h": 3_600_000, "min": 60_000, "s": 1000, "ms": 1}
	s := strings.TrimSpace(unquote(raw))
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total int64
	for s != "" {
		m := durationPart.FindStringSubmatch(s)
		if m == nil {
			return 0, fmt.Errorf("not a duration such as 1d 2h 10min 30s 100ms")
		}
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("duration part %s is too large", m[0])
		}
		total += n * units[m[2]]
		s = strings.TrimLeft(s[len(m[0]):], " \t")
	}
	return total, nil
}

// sqlString turns a quoted model literal into a SQL string literal:
// escaped quotes become SQL's doubled single quotes.
func sqlString(raw string) (string, error) {
	if len(raw) < 2 {
		return "", fmt.Errorf("not a quoted string")
	}
	q := raw[0]
	if (q != '\'' && q != '"') || raw[len(raw)-1] != q {
		return "", fmt.Errorf("not a quoted string")
	}
	inner := raw[1 : len(raw)-1]
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c == '\\' && i+1 < len(inner) && (inner[i+1] == '\'' || inner[i+1] == '"') {
			i++
			c = inner[i]
		}
		if c == '\'' {
			b.WriteString("''")
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('\'')
	return b.String(), nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
