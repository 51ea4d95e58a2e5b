package model

// Checks of the `relation` key and its options. They run on the resolved
// relations, so they can tell which side of a relation holds the foreign
// key.

func (v *validator) checkRelationKey(ctx string, key *node) {
	m := v.tableClass()
	if m == nil {
		return
	}
	if m.Table == "" {
		v.errorf(key.pos, `The "table" property must be defined in the class to set a relation on a field.`)
		return
	}
	f := v.field(ctx)
	if f == nil || !isListType(f.Type) {
		return
	}
	if ref := referencedModel(f); ref != nil && v.a.byModel[ref] != nil && v.a.byModel[ref].module != v.e.module {
		v.errorf(key.pos, "A List relation is not allowed on module tables.")
	}
}

func (v *validator) checkRelation(ctx string, val *node) {
	m := v.classModel()
	f := v.field(ctx)
	if m == nil || f == nil {
		return
	}
	if isIDType(f.Type) && !(val.isMap() && val.has("parent")) {
		v.errorf(valueOrKeyPos(val, f), `The "parent" property must be defined on id fields.`)
		return
	}
	r := v.a.relOf(f)
	if r == nil || r.kind != relObject {
		return
	}
	if !(val.isMap() && val.has("field")) && !m.ServerOnly && f.Scope == ScopeServerOnly && !r.nullable {
		v.errorf(valueOrKeyPos(val, f), `The relation with scope "serverOnly" requires the relation to be optional.`)
	}
}

// valueOrKeyPos is where a relation value is reported: a bare `relation`
// has no text of its own in map form.
func valueOrKeyPos(val *node, f *Field) Pos {
	if val.isNull() && val.pos.Line == 0 {
		return f.Pos
	}
	return val.pos
}

func (v *validator) checkParentKey(ctx string, key *node) {
	if f := v.field(ctx); f != nil && !isIDType(f.Type) {
		v.errorf(key.pos, `The "parent" property should be omitted on model relations.`)
	}
}

func (v *validator) checkParentTable(_ string, val *node) {
	if val.isNull() {
		return
	}
	table, ok := val.str()
	if !ok {
		v.errorf(val.pos, `The "parent" value must be a String.`)
		return
	}
	if m := v.tableClass(); m != nil && m.Table == "" {
		v.errorf(val.pos, `The "table" property must be defined in the class to set a parent on a field.`)
		return
	}
	if !mixedSnakeCaseRE.MatchString(table) {
		v.errorf(val.pos, `The parent must reference a valid table name (e.g. parent=table_name). "%s" is not a valid parent name.`, table)
		return
	}
	if len(v.a.tableNames[table]) == 0 {
		v.errorf(val.pos, `The parent table "%s" was not found in any model.`, table)
	}
}

func (v *validator) checkActionKey(ctx string, key *node) {
	f := v.field(ctx)
	if f == nil {
		return
	}
	if r := v.a.relOf(f); r != nil && !r.fkOrigin {
		v.errorf(key.pos, `The "%s" property can only be set on the side holding the foreign key.`, key.text)
	}
}

func (v *validator) checkOptionalKey(ctx string, key *node) {
	if f := v.field(ctx); f != nil && isIDType(f.Type) {
		v.errorf(key.pos, `The "optional" property should be omitted on id fields.`)
	}
}

func (v *validator) checkRelationFieldKey(ctx string, key *node) {
	if v.tableClass() == nil {
		return
	}
	f := v.field(ctx)
	if f == nil {
		return
	}
	if isListType(f.Type) || isIDType(f.Type) {
		v.errorf(key.pos, `The "field" property can only be used on an object relation.`)
		return
	}
	r := v.a.relOf(f)
	if r == nil || !r.fkOrigin {
		return
	}
	for _, g := range v.a.namedForeignRelationFields(v.e, f) {
		if gr := v.a.relOf(g); gr != nil && gr.fkOrigin {
			v.errorf(key.pos, `Only one side of the relation is allowed to store the foreign key, remove the specified "field" reference from one side.`)
			return
		}
	}
}

func (v *validator) checkRelationField(ctx string, val *node) {
	name, ok := val.str()
	m := v.tableClass()
	if !ok || m == nil {
		return
	}
	fk := m.Field(name)
	if fk == nil {
		v.errorf(val.pos, `The field "%s" was not found in the class.`, name)
		return
	}
	if !fk.Persist {
		v.errorf(val.pos, `The field "%s" is not persisted and cannot be used in a relation.`, name)
		return
	}
	fkRel := v.a.relOf(fk)
	if fkRel == nil || fkRel.kind != relForeign {
		return
	}
	f := v.field(ctx)
	if r := v.a.relOf(f); f != nil && r != nil && r.kind == relUnresolvable {
		v.errorf(val.pos, `The field "%s" already has a relation and cannot be used as relation field.`, name)
		return
	}
	parents := v.a.tableNames[fkRel.parentTable]
	if len(parents) == 0 || parents[0].model.Kind == Enum {
		return
	}
	refType := "null"
	if ref := parents[0].model.Field(fkRel.foreignFieldName); ref != nil {
		refType = ref.Type.Name
	}
	if fk.Type.Name != refType {
		v.errorf(val.pos, `The field "%s" is of type "%s" but reference field "%s" is of type "%s".`, name, fk.Type.Name, fkRel.foreignFieldName, refType)
		return
	}
	if r := v.a.relOf(f); f != nil && r != nil && r.fkOrigin && v.a.isOneToOne(v.e, f) && !v.a.hasUniqueIndex(fk) {
		v.errorf(val.pos, `The field "%s" does not have a unique index which is required to be used in a one-to-one relation.`, fk.Name)
	}
}

func (v *validator) checkRelationName(ctx string, val *node) {
	if v.tableClass() == nil {
		return
	}
	name, ok := val.str()
	if !ok {
		v.errorf(val.pos, "The property must be a String.")
		return
	}
	f := v.field(ctx)
	if f == nil {
		return
	}
	foreign := v.a.namedForeignRelationFields(v.e, f)
	refName := referencedName(f)
	switch {
	case len(foreign) == 0:
		v.errorf(val.pos, `There is no named relation with name "%s" on the class "%s".`, name, refName)
		return
	case len(foreign) > 1:
		v.errorf(val.pos, `Unable to resolve ambiguous relation, there are several named relations with name "%s" on the class "%s".`, name, refName)
		return
	case isListType(f.Type) && isListType(foreign[0].Type):
		v.errorf(val.pos, "A named relation to another list field is not supported.")
		return
	}
	r := v.a.relOf(f)
	local := r != nil && r.fkOrigin
	other := false
	for _, g := range foreign {
		if gr := v.a.relOf(g); gr != nil && gr.fkOrigin {
			other = true
		}
	}
	if !local && !other {
		v.errorf(val.pos, `The relation is ambiguous, unable to resolve which side should hold the relation. Use the field reference syntax to resolve the ambiguity. E.g. relation(name=%s, field=%sId)`, name, ctx)
		return
	}
	if !local && v.a.isOneToOne(v.e, f) && !v.a.hasUniqueIndex(foreign[0]) {
		v.errorf(val.pos, `The referenced field "%s" does not have a unique index which is required to be used in a one-to-one relation.`, foreign[0].Name)
	}
}
