package model

import (
	"regexp"
	"strconv"
	"strings"
)

// Parsing is best effort, like Serverpod's model parser: it builds what it
// can from a file and leaves the judgement to validation, which looks at the
// same nodes and at the resolved models.

// documentTypes are the keys that say what a file defines, in the order of
// precedence Serverpod gives them.
var documentTypes = []string{"class", "exception", "enum"}

// idFieldDoc documents the implicit id field in generated code.
var idFieldDoc = []string{
	"The database id, set if the object has been inserted into the",
	"database or if it has been fetched from the database. Otherwise,",
	"the id will be null.",
}

func (a *analyzer) parseFile(f File, report bool) *entity {
	e := &entity{path: f.Path, module: a.home, declared: map[string]*Field{}}
	e.doc, e.diags = loadYAML(f.Path, f.Src)
	root := e.doc.root
	if !root.isMap() {
		return e
	}
	for _, k := range documentTypes {
		if root.has(k) {
			e.kindKey = k
			break
		}
	}
	switch e.kindKey {
	case "class", "exception":
		a.normalizeFields(e, report)
		a.parseClass(e)
	case "enum":
		a.parseEnum(e)
	}
	return e
}

// normalizeFields replaces field specifications written in the one-line
// form by the equivalent maps.
func (a *analyzer) normalizeFields(e *entity, report bool) {
	k, fields := e.doc.root.lookup("fields")
	if !fields.isMap() {
		return
	}
	norm := &node{kind: mapNode, pos: fields.pos}
	for i, key := range fields.keys {
		spec := fields.vals[i]
		if spec.isString() || spec.isNull() {
			spec = stringified(spec, "type", func(pos Pos, msg string) {
				if report {
					e.diags = append(e.diags, Diagnostic{Pos: pos, Severity: Error, Message: msg})
				}
			})
		}
		norm.keys = append(norm.keys, key)
		norm.vals = append(norm.vals, spec)
	}
	e.doc.root.set(k, norm)
}

func (a *analyzer) newModel(e *entity, kind Kind, name string, key *node) *Model {
	m := &Model{
		Kind:       kind,
		ClassName:  name,
		SourcePath: e.path,
		FileName:   ModelFileName(e.path),
		SubDir:     ModelSubDir(e.path),
		Module:     a.home,
		ModuleName: a.homeName,
		Pos:        key.pos,
		Doc:        e.docAbove(key.pos.Line, key.pos.Col-1),
	}
	m.ServerOnly, _ = e.doc.root.get("serverOnly").lenientBool()
	e.model = m
	a.byModel[m] = e
	return m
}

func (a *analyzer) parseClass(e *entity) {
	root := e.doc.root
	key, val := root.lookup(e.kindKey)
	name, ok := val.str()
	if !ok {
		return
	}
	kind := Class
	if e.kindKey == "exception" {
		kind = Exception
	}
	m := a.newModel(e, kind, name, key)

	if kind == Class {
		m.Table, _ = root.get("table").str()
		m.ManagedMigration = true
		if v, ok := root.get("managedMigration").lenientBool(); ok {
			m.ManagedMigration = v
		}
		m.Sealed, _ = root.get("sealed").lenientBool()
		m.Extends, _ = root.get("extends").str()
		if m.Table != "" {
			id := &Field{Name: "id", Type: &Type{Name: TypeInt, Nullable: true}, Scope: ScopeAll, Persist: true, Implicit: true, Doc: idFieldDoc, Pos: m.Pos}
			m.Fields = append(m.Fields, id)
			a.info[id] = &fieldInfo{owner: e}
		}
	}

	fields := root.get("fields")
	if fields.isMap() {
		for i, k := range fields.keys {
			spec := fields.vals[i]
			name, ok := k.str()
			if !ok || !spec.isMap() || spec.fromNull {
				continue
			}
			typeText, ok := spec.get("type").str()
			if !ok {
				continue
			}
			f := a.parseField(e, name, k.pos, spec, typeText)
			m.Fields = append(m.Fields, f)
			if _, dup := e.declared[name]; !dup {
				e.declared[name] = f
			}
		}
	}

	if kind == Class {
		m.Indexes = parseIndexes(root.get("indexes"))
	}
}

func (a *analyzer) parseField(e *entity, name string, pos Pos, spec *node, typeText string) *Field {
	m := e.model
	fi := &fieldInfo{owner: e, spec: spec}
	t, err := ParseType(typeText)
	if err != nil {
		fi.typeErr = err
		t = &Type{Name: strings.TrimSpace(typeText)}
	}
	f := &Field{
		Name:           name,
		Type:           t,
		Scope:          parseScope(spec, m.ServerOnly),
		Persist:        parsePersist(spec),
		DefaultModel:   parseDefault(spec, "defaultModel"),
		DefaultPersist: parseDefault(spec, "defaultPersist"),
		Doc:            e.docAbove(pos.Line, pos.Col-1),
		Pos:            pos,
	}
	f.RenamedFrom, _ = spec.get("renamedFrom").str()
	if m.Kind == Class {
		fi.rel = parseRelation(spec, t)
		if fi.rel != nil && (fi.rel.kind == relUnresolvedObject || fi.rel.kind == relUnresolvedList) {
			// The object or list itself is never a column; its foreign key is.
			f.Persist = false
		}
	}
	a.info[f] = fi
	return f
}

// boolKey reads a flag the way Serverpod does: a boolean value counts, and
// any other value counts as set.
func boolKey(m *node, key string) bool {
	k, v := m.lookup(key)
	if b, ok := v.lenientBool(); ok {
		return b
	}
	return k != nil
}

var scopeNames = []string{"all", "serverOnly", "none"}

func parseScope(spec *node, serverOnlyClass bool) Scope {
	if boolKey(spec, "database") {
		return ScopeServerOnly
	}
	if s, ok := spec.get("scope").str(); ok {
		for i, n := range scopeNames {
			if strings.EqualFold(s, n) {
				return Scope(i)
			}
		}
		return ScopeAll
	}
	if serverOnlyClass {
		return ScopeServerOnly
	}
	return ScopeAll
}

func parsePersist(spec *node) bool {
	if boolKey(spec, "api") {
		return false
	}
	if !spec.has("persist") {
		return true
	}
	return boolKey(spec, "persist")
}

var (
	fullDoubleQuotedRE = regexp.MustCompile(`^"(\\.|[^"\\])*"$`)
	fullSingleQuotedRE = regexp.MustCompile(`^'(\\.|[^'\\])*'$`)
)

// parseDefault reads key, falling back to `default`, which sets both.
func parseDefault(spec *node, key string) *DefaultValue {
	v := spec.get(key)
	if v.isNull() {
		v = spec.get("default")
	}
	if v.isNull() {
		return nil
	}
	return &DefaultValue{Raw: defaultRaw(v), Pos: v.pos}
}

// defaultRaw spells a default literal canonically: booleans in lower case,
// integers in decimal and strings in single quotes, as Serverpod stores them.
func defaultRaw(v *node) string {
	if v.kind != scalarNode {
		return v.display()
	}
	switch v.typ {
	case boolScalar:
		return strings.ToLower(v.text)
	case intScalar:
		if i, err := strconv.ParseInt(strings.ReplaceAll(v.text, "_", ""), 0, 64); err == nil {
			return strconv.FormatInt(i, 10)
		}
	case strScalar:
		if fullDoubleQuotedRE.MatchString(v.text) {
			inner := v.text[1 : len(v.text)-1]
			return "'" + strings.ReplaceAll(inner, "'", `\'`) + "'"
		}
	}
	return v.text
}

var actionNames = []string{"setNull", "setDefault", "restrict", "noAction", "cascade"}

func parseAction(v *node, fallback ForeignKeyAction) ForeignKeyAction {
	s, ok := v.str()
	if !ok {
		return fallback
	}
	for i, n := range actionNames {
		if strings.EqualFold(s, n) {
			return ForeignKeyAction(i)
		}
	}
	return fallback
}

// parseRelation reads the relation of a field of a class. The field-level
// `parent` key is removed from the language, but it still parses with its
// old ON DELETE CASCADE default.
func parseRelation(spec *node, t *Type) *rel {
	if !spec.has("relation") && !spec.has("parent") {
		return nil
	}
	rm := spec.get("relation")
	if !rm.isMap() {
		rm = nil
	}
	r := &rel{onDelete: NoAction, onUpdate: NoAction}
	if name, ok := rm.get("name").str(); ok {
		r.name, r.named = name, true
	}
	parentTable, hasParent := spec.get("parent").str()
	if !hasParent {
		parentTable, hasParent = rm.get("parent").str()
	}
	if spec.has("parent") {
		r.onDelete = Cascade
	} else {
		r.onDelete = parseAction(rm.get("onDelete"), NoAction)
		r.onUpdate = parseAction(rm.get("onUpdate"), NoAction)
	}
	optional := rm != nil && boolKey(rm, "optional")

	switch {
	case t.Name == TypeList:
		r.kind = relUnresolvedList
		r.nullable = optional
	case t.Name == TypeInt && hasParent:
		r.kind = relForeign
		r.parentTable = parentTable
		r.foreignFieldName = "id"
		r.fkOrigin = true
	case t.Name != TypeInt:
		r.kind = relUnresolvedObject
		r.fieldName, r.hasField = rm.get("field").str()
		r.fkOrigin = r.hasField
		r.nullable = optional
	default:
		return nil
	}
	return r
}

func parseIndexes(n *node) []*Index {
	if !n.isMap() {
		return nil
	}
	var out []*Index
	for i, k := range n.keys {
		name, ok := k.str()
		spec := n.vals[i]
		if !ok || !spec.isMap() {
			continue
		}
		idx := &Index{Name: name, Type: "btree", Pos: k.pos}
		if s, ok := spec.get("fields").str(); ok {
			idx.Fields = splitIndexFields(s)
		}
		if s, ok := spec.get("type").str(); ok {
			idx.Type = s
		}
		idx.Unique, _ = spec.get("unique").lenientBool()
		out = append(out, idx)
	}
	return out
}

func splitIndexFields(s string) []string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func (a *analyzer) parseEnum(e *entity) {
	root := e.doc.root
	key, val := root.lookup("enum")
	name, ok := val.str()
	if !ok {
		return
	}
	m := a.newModel(e, Enum, name, key)
	if s, ok := root.get("serialized").str(); ok && strings.EqualFold(s, "byName") {
		m.Serialized = ByName
	}
	values := root.get("values")
	if !values.isSeq() {
		return
	}
	for _, it := range values.items {
		s, ok := it.str()
		if !ok {
			continue
		}
		// Documentation sits above the "- " that precedes the value.
		m.Values = append(m.Values, &EnumValue{Name: s, Doc: e.docAbove(it.pos.Line, it.pos.Col-3), Pos: it.pos})
	}
}

// docAbove collects the `###` lines directly above line whose markers start
// at column indent (0-based), without the markers.
func (e *entity) docAbove(line, indent int) []string {
	if indent < 0 || line < 2 || line-1 > len(e.doc.lines) {
		return nil
	}
	prefix := strings.Repeat(" ", indent) + "###"
	var doc []string
	for i := line - 2; i >= 0; i-- {
		l := e.doc.lines[i]
		if !strings.HasPrefix(l, prefix) {
			break
		}
		text := strings.TrimPrefix(l[len(prefix):], " ")
		doc = append([]string{strings.TrimRight(text, " \t")}, doc...)
	}
	return doc
}
