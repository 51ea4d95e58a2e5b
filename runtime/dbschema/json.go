package dbschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// EncodeDefinition returns d as Serverpod 2.4 writes definition.json and
// definition_project.json: pretty-printed with two-space indentation, fields
// in Serverpod's order, enums by index, absent optional values omitted, and
// no trailing newline.
func EncodeDefinition(d *DatabaseDefinition) []byte {
	return render(definitionNode(d))
}

// EncodeMigration returns m as Serverpod 2.4 writes migration.json.
func EncodeMigration(m *DatabaseMigration) []byte {
	return render(migrationNode(m))
}

// DecodeDefinition reads a definition.json or definition_project.json.
// Errors name the JSON path of the offending value.
func DecodeDefinition(data []byte) (*DatabaseDefinition, error) {
	root, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	d := &decoder{}
	def := d.definition(d.object(root, "$"))
	if d.err != nil {
		return nil, d.err
	}
	return def, nil
}

// DecodeMigration reads a migration.json.
func DecodeMigration(data []byte) (*DatabaseMigration, error) {
	root, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	d := &decoder{}
	m := d.migration(d.object(root, "$"))
	if d.err != nil {
		return nil, d.err
	}
	return m, nil
}

// --- encoding ---------------------------------------------------------------

// obj is a JSON object whose keys keep their order.
type obj []field

type field struct {
	key string
	val any // string, int, bool, obj or []any
}

func (o obj) add(key string, val any) obj { return append(o, field{key, val}) }

// addStr adds an optional string, which Serverpod omits when null.
func (o obj) addStr(key, val string) obj {
	if val == "" {
		return o
	}
	return o.add(key, val)
}

func strList(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

func definitionNode(d *DatabaseDefinition) obj {
	tables := make([]any, len(d.Tables))
	for i, t := range d.Tables {
		tables[i] = tableNode(t)
	}
	modules := make([]any, len(d.InstalledModules))
	for i, m := range d.InstalledModules {
		modules[i] = moduleVersionNode(m)
	}
	return obj{}.
		addStr("name", d.Name).
		add("moduleName", d.ModuleName).
		add("tables", tables).
		add("installedModules", modules).
		add("migrationApiVersion", d.MigrationAPIVersion)
}

func moduleVersionNode(m ModuleVersion) obj {
	return obj{}.
		add("module", m.Module).
		add("version", m.Version).
		addStr("timestamp", m.Timestamp)
}

func tableNode(t *TableDefinition) obj {
	columns := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		columns[i] = columnNode(c)
	}
	fks := make([]any, len(t.ForeignKeys))
	for i, f := range t.ForeignKeys {
		fks[i] = foreignKeyNode(f)
	}
	indexes := make([]any, len(t.Indexes))
	for i, x := range t.Indexes {
		indexes[i] = indexNode(x)
	}
	o := obj{}.
		add("name", t.Name).
		addStr("dartName", t.DartName).
		addStr("module", t.Module).
		add("schema", t.Schema).
		addStr("tableSpace", t.TableSpace).
		add("columns", columns).
		add("foreignKeys", fks).
		add("indexes", indexes)
	if t.Managed != nil {
		o = o.add("managed", *t.Managed)
	}
	return o
}

func columnNode(c *ColumnDefinition) obj {
	return obj{}.
		add("name", c.Name).
		add("columnType", int(c.ColumnType)).
		add("isNullable", c.IsNullable).
		addStr("columnDefault", c.ColumnDefault).
		addStr("dartType", c.DartType)
}

func indexNode(x *IndexDefinition) obj {
	elements := make([]any, len(x.Elements))
	for i, e := range x.Elements {
		elements[i] = obj{}.add("type", int(e.Type)).add("definition", e.Definition)
	}
	return obj{}.
		add("indexName", x.IndexName).
		addStr("tableSpace", x.TableSpace).
		add("elements", elements).
		add("type", x.Type).
		add("isUnique", x.IsUnique).
		add("isPrimary", x.IsPrimary).
		addStr("predicate", x.Predicate)
}

func foreignKeyNode(f *ForeignKeyDefinition) obj {
	o := obj{}.
		add("constraintName", f.ConstraintName).
		add("columns", strList(f.Columns)).
		add("referenceTable", f.ReferenceTable).
		add("referenceTableSchema", f.ReferenceTableSchema).
		add("referenceColumns", strList(f.ReferenceColumns))
	if f.OnUpdate != nil {
		o = o.add("onUpdate", int(*f.OnUpdate))
	}
	if f.OnDelete != nil {
		o = o.add("onDelete", int(*f.OnDelete))
	}
	if f.MatchType != nil {
		o = o.add("matchType", int(*f.MatchType))
	}
	return o
}

func migrationNode(m *DatabaseMigration) obj {
	actions := make([]any, len(m.Actions))
	for i, a := range m.Actions {
		o := obj{}.add("type", a.Type.String()).addStr("deleteTable", a.DeleteTable)
		if a.AlterTable != nil {
			o = o.add("alterTable", tableMigrationNode(a.AlterTable))
		}
		if a.CreateTable != nil {
			o = o.add("createTable", tableNode(a.CreateTable))
		}
		actions[i] = o
	}
	return obj{}.
		add("actions", actions).
		add("warnings", warningNodes(m.Warnings)).
		add("migrationApiVersion", m.MigrationAPIVersion)
}

func warningNodes(ws []*Warning) []any {
	out := make([]any, len(ws))
	for i, w := range ws {
		out[i] = obj{}.
			add("type", w.Type.String()).
			add("message", w.Message).
			add("table", w.Table).
			add("columns", strList(w.Columns)).
			add("destrucive", w.Destructive)
	}
	return out
}

func tableMigrationNode(t *TableMigration) obj {
	add := make([]any, len(t.AddColumns))
	for i, c := range t.AddColumns {
		add[i] = columnNode(c)
	}
	modify := make([]any, len(t.ModifyColumns))
	for i, c := range t.ModifyColumns {
		modify[i] = obj{}.
			add("columnName", c.ColumnName).
			addStr("newColumnName", c.NewColumnName).
			add("addNullable", c.AddNullable).
			add("removeNullable", c.RemoveNullable).
			add("changeDefault", c.ChangeDefault).
			addStr("newDefault", c.NewDefault)
	}
	addIndexes := make([]any, len(t.AddIndexes))
	for i, x := range t.AddIndexes {
		addIndexes[i] = indexNode(x)
	}
	addFKs := make([]any, len(t.AddForeignKeys))
	for i, f := range t.AddForeignKeys {
		addFKs[i] = foreignKeyNode(f)
	}
	return obj{}.
		add("name", t.Name).
		addStr("dartName", t.DartName).
		addStr("module", t.Module).
		add("schema", t.Schema).
		add("addColumns", add).
		add("deleteColumns", strList(t.DeleteColumns)).
		add("modifyColumns", modify).
		add("addIndexes", addIndexes).
		add("deleteIndexes", strList(t.DeleteIndexes)).
		add("addForeignKeys", addFKs).
		add("deleteForeignKeys", strList(t.DeleteForeignKeys)).
		add("warnings", warningNodes(t.Warnings))
}

// render prints v the way Dart's JsonEncoder.withIndent('  ') does.
func render(v any) []byte {
	var b []byte
	b = appendValue(b, v, 0)
	return b
}

func appendIndent(b []byte, depth int) []byte {
	for i := 0; i < depth; i++ {
		b = append(b, ' ', ' ')
	}
	return b
}

func appendValue(b []byte, v any, depth int) []byte {
	switch v := v.(type) {
	case string:
		return appendString(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case bool:
		return strconv.AppendBool(b, v)
	case obj:
		if len(v) == 0 {
			return append(b, '{', '}')
		}
		b = append(b, '{', '\n')
		for i, f := range v {
			b = appendIndent(b, depth+1)
			b = appendString(b, f.key)
			b = append(b, ':', ' ')
			b = appendValue(b, f.val, depth+1)
			if i < len(v)-1 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		b = appendIndent(b, depth)
		return append(b, '}')
	case []any:
		if len(v) == 0 {
			return append(b, '[', ']')
		}
		b = append(b, '[', '\n')
		for i, e := range v {
			b = appendIndent(b, depth+1)
			b = appendValue(b, e, depth+1)
			if i < len(v)-1 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		b = appendIndent(b, depth)
		return append(b, ']')
	}
	panic(fmt.Sprintf("dbschema: cannot render %T", v)) // only this file builds the tree
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as Dart's JSON encoder does: only the quote, the
// backslash and control characters are escaped; everything else, including
// non-ASCII text, is written as is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// --- decoding ---------------------------------------------------------------

func parseJSON(data []byte) (any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("invalid JSON: more than one value")
	}
	return v, nil
}

// decoder walks the parsed JSON tree and keeps the first error, with the
// path of the value that caused it.
type decoder struct{ err error }

func (d *decoder) fail(path, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
}

type object struct {
	m    map[string]any
	path string
}

func (d *decoder) object(v any, path string) object {
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "expected an object, found %s", kind(v))
	}
	return object{m, path}
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	}
	return "an object"
}

func (o object) at(key string) string { return o.path + "." + key }

func (d *decoder) str(o object, key string) string {
	v, ok := o.m[key]
	if !ok || v == nil {
		d.fail(o.at(key), "is missing")
		return ""
	}
	s, ok := v.(string)
	if !ok {
		d.fail(o.at(key), "expected a string, found %s", kind(v))
	}
	return s
}

func (d *decoder) optStr(o object, key string) string {
	if v, ok := o.m[key]; !ok || v == nil {
		return ""
	}
	return d.str(o, key)
}

func (d *decoder) boolean(o object, key string) bool {
	v, ok := o.m[key]
	if !ok || v == nil {
		d.fail(o.at(key), "is missing")
		return false
	}
	b, ok := v.(bool)
	if !ok {
		d.fail(o.at(key), "expected a boolean, found %s", kind(v))
	}
	return b
}

func (d *decoder) integer(o object, key string) int {
	v, ok := o.m[key]
	if !ok || v == nil {
		d.fail(o.at(key), "is missing")
		return 0
	}
	return d.intValue(v, o.at(key))
}

func (d *decoder) intValue(v any, path string) int {
	n, ok := v.(json.Number)
	if !ok {
		d.fail(path, "expected an integer, found %s", kind(v))
		return 0
	}
	i, err := strconv.Atoi(n.String())
	if err != nil {
		d.fail(path, "expected an integer, found %s", n)
	}
	return i
}

// enum reads an enum written by index and checks it is one of the n values.
func (d *decoder) enum(o object, key, what string, n int) int {
	i := d.integer(o, key)
	if d.err == nil && (i < 0 || i >= n) {
		d.fail(o.at(key), "%d is not a %s (0 to %d)", i, what, n-1)
	}
	return i
}

func (d *decoder) optEnum(o object, key, what string, n int) (int, bool) {
	if v, ok := o.m[key]; !ok || v == nil {
		return 0, false
	}
	return d.enum(o, key, what, n), true
}

// byName reads an enum written by name.
func (d *decoder) byName(o object, key, what string, names []string) int {
	s := d.str(o, key)
	for i, n := range names {
		if n == s {
			return i
		}
	}
	if d.err == nil {
		d.fail(o.at(key), "%q is not a %s", s, what)
	}
	return 0
}

func (d *decoder) list(o object, key string) []any {
	v, ok := o.m[key]
	if !ok || v == nil {
		d.fail(o.at(key), "is missing")
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		d.fail(o.at(key), "expected a list, found %s", kind(v))
	}
	return l
}

func (d *decoder) objects(o object, key string) []object {
	l := d.list(o, key)
	out := make([]object, len(l))
	for i, v := range l {
		out[i] = d.object(v, fmt.Sprintf("%s[%d]", o.at(key), i))
	}
	return out
}

func (d *decoder) strs(o object, key string) []string {
	l := d.list(o, key)
	out := make([]string, len(l))
	for i, v := range l {
		s, ok := v.(string)
		if !ok {
			d.fail(fmt.Sprintf("%s[%d]", o.at(key), i), "expected a string, found %s", kind(v))
		}
		out[i] = s
	}
	return out
}

func (d *decoder) definition(o object) *DatabaseDefinition {
	if d.err != nil {
		return nil
	}
	def := &DatabaseDefinition{
		Name:                d.optStr(o, "name"),
		ModuleName:          d.str(o, "moduleName"),
		MigrationAPIVersion: d.integer(o, "migrationApiVersion"),
	}
	for _, t := range d.objects(o, "tables") {
		def.Tables = append(def.Tables, d.table(t))
	}
	for _, m := range d.objects(o, "installedModules") {
		def.InstalledModules = append(def.InstalledModules, ModuleVersion{
			Module:    d.str(m, "module"),
			Version:   d.str(m, "version"),
			Timestamp: d.optStr(m, "timestamp"),
		})
	}
	return def
}

func (d *decoder) table(o object) *TableDefinition {
	t := &TableDefinition{
		Name:       d.str(o, "name"),
		DartName:   d.optStr(o, "dartName"),
		Module:     d.optStr(o, "module"),
		Schema:     d.str(o, "schema"),
		TableSpace: d.optStr(o, "tableSpace"),
	}
	for _, c := range d.objects(o, "columns") {
		t.Columns = append(t.Columns, d.column(c))
	}
	for _, f := range d.objects(o, "foreignKeys") {
		t.ForeignKeys = append(t.ForeignKeys, d.foreignKey(f))
	}
	for _, x := range d.objects(o, "indexes") {
		t.Indexes = append(t.Indexes, d.index(x))
	}
	if v, ok := o.m["managed"]; ok && v != nil {
		t.Managed = Bool(d.boolean(o, "managed"))
	}
	return t
}

func (d *decoder) column(o object) *ColumnDefinition {
	return &ColumnDefinition{
		Name:          d.str(o, "name"),
		ColumnType:    ColumnType(d.enum(o, "columnType", "column type", len(columnTypeNames))),
		IsNullable:    d.boolean(o, "isNullable"),
		ColumnDefault: d.optStr(o, "columnDefault"),
		DartType:      d.optStr(o, "dartType"),
	}
}

func (d *decoder) index(o object) *IndexDefinition {
	x := &IndexDefinition{
		IndexName:  d.str(o, "indexName"),
		TableSpace: d.optStr(o, "tableSpace"),
		Type:       d.str(o, "type"),
		IsUnique:   d.boolean(o, "isUnique"),
		IsPrimary:  d.boolean(o, "isPrimary"),
		Predicate:  d.optStr(o, "predicate"),
	}
	for _, e := range d.objects(o, "elements") {
		x.Elements = append(x.Elements, IndexElement{
			Type:       IndexElementType(d.enum(e, "type", "index element type", 2)),
			Definition: d.str(e, "definition"),
		})
	}
	return x
}

func (d *decoder) foreignKey(o object) *ForeignKeyDefinition {
	f := &ForeignKeyDefinition{
		ConstraintName:       d.str(o, "constraintName"),
		Columns:              d.strs(o, "columns"),
		ReferenceTable:       d.str(o, "referenceTable"),
		ReferenceTableSchema: d.str(o, "referenceTableSchema"),
		ReferenceColumns:     d.strs(o, "referenceColumns"),
	}
	if i, ok := d.optEnum(o, "onUpdate", "foreign key action", len(foreignKeyActionNames)); ok {
		f.OnUpdate = Action(ForeignKeyAction(i))
	}
	if i, ok := d.optEnum(o, "onDelete", "foreign key action", len(foreignKeyActionNames)); ok {
		f.OnDelete = Action(ForeignKeyAction(i))
	}
	if i, ok := d.optEnum(o, "matchType", "foreign key match type", len(matchTypeNames)); ok {
		m := ForeignKeyMatchType(i)
		f.MatchType = &m
	}
	return f
}

func (d *decoder) migration(o object) *DatabaseMigration {
	if d.err != nil {
		return nil
	}
	m := &DatabaseMigration{MigrationAPIVersion: d.integer(o, "migrationApiVersion")}
	for _, a := range d.objects(o, "actions") {
		action := &MigrationAction{
			Type:        ActionType(d.byName(a, "type", "migration action type", actionTypeNames[:])),
			DeleteTable: d.optStr(a, "deleteTable"),
		}
		if v, ok := a.m["alterTable"]; ok && v != nil {
			action.AlterTable = d.tableMigration(d.object(v, a.at("alterTable")))
		}
		if v, ok := a.m["createTable"]; ok && v != nil {
			action.CreateTable = d.table(d.object(v, a.at("createTable")))
		}
		d.checkAction(action, a.path)
		m.Actions = append(m.Actions, action)
	}
	m.Warnings = d.warnings(o)
	return m
}

// checkAction makes sure the action carries the payload its type needs, so
// that later code can rely on it.
func (d *decoder) checkAction(a *MigrationAction, path string) {
	if d.err != nil {
		return
	}
	switch a.Type {
	case DeleteTable:
		if a.DeleteTable == "" {
			d.fail(path, "a deleteTable action needs the deleteTable field")
		}
	case AlterTable:
		if a.AlterTable == nil {
			d.fail(path, "an alterTable action needs the alterTable field")
		}
	default:
		if a.CreateTable == nil {
			d.fail(path, "a %s action needs the createTable field", a.Type)
		}
	}
}

func (d *decoder) warnings(o object) []*Warning {
	var out []*Warning
	for _, w := range d.objects(o, "warnings") {
		out = append(out, &Warning{
			Type:        WarningType(d.byName(w, "type", "migration warning type", warningTypeNames[:])),
			Message:     d.str(w, "message"),
			Table:       d.str(w, "table"),
			Columns:     d.strs(w, "columns"),
			Destructive: d.boolean(w, "destrucive"),
		})
	}
	return out
}

func (d *decoder) tableMigration(o object) *TableMigration {
	t := &TableMigration{
		Name:              d.str(o, "name"),
		DartName:          d.optStr(o, "dartName"),
		Module:            d.optStr(o, "module"),
		Schema:            d.str(o, "schema"),
		DeleteColumns:     d.strs(o, "deleteColumns"),
		DeleteIndexes:     d.strs(o, "deleteIndexes"),
		DeleteForeignKeys: d.strs(o, "deleteForeignKeys"),
	}
	for _, c := range d.objects(o, "addColumns") {
		t.AddColumns = append(t.AddColumns, d.column(c))
	}
	for _, c := range d.objects(o, "modifyColumns") {
		t.ModifyColumns = append(t.ModifyColumns, &ColumnMigration{
			ColumnName:     d.str(c, "columnName"),
			NewColumnName:  d.optStr(c, "newColumnName"),
			AddNullable:    d.boolean(c, "addNullable"),
			RemoveNullable: d.boolean(c, "removeNullable"),
			ChangeDefault:  d.boolean(c, "changeDefault"),
			NewDefault:     d.optStr(c, "newDefault"),
		})
	}
	for _, x := range d.objects(o, "addIndexes") {
		t.AddIndexes = append(t.AddIndexes, d.index(x))
	}
	for _, f := range d.objects(o, "addForeignKeys") {
		t.AddForeignKeys = append(t.AddForeignKeys, d.foreignKey(f))
	}
	t.Warnings = d.warnings(o)
	return t
}
