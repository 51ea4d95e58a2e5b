package model

import (
	"strings"
)

// Checks of field names, types, scopes and persistence.

// field returns the field of the file's class declared as name.
func (v *validator) field(name string) *Field {
	if v.classModel() == nil {
		return nil
	}
	return v.e.declared[name]
}

func (v *validator) checkFieldName(_ string, key *node) {
	name := key.text
	if isTolerableFieldName(name) {
		v.add(Info, key.pos, "Field names should be valid Dart variable names (e.g. camelCaseString).")
		return
	}
	if !isValidFieldName(name) {
		v.errorf(key.pos, "Field names must be valid Dart variable names (e.g. camelCaseString).")
		return
	}
	m := v.tableClass()
	hasTable := m != nil && m.Table != ""
	switch {
	case hasTable && name == "id":
		v.errorf(key.pos, `The field name "id" is not allowed when a table is defined (the "id" field will be auto generated).`)
		return
	case hasTable && reservedTableFieldNames[name], reservedWords[name]:
		v.errorf(key.pos, `The field name "%s" is reserved and cannot be used.`, name)
		return
	case fieldNameTooLong(name):
		v.errorf(key.pos, `The field name "%s" exceeds the %d character field name limitation.`, name, maxFieldNameLength)
		return
	}
	if m == nil {
		return
	}
	current := v.a.findByClassName(m.ClassName)
	if current == nil || current.model.Kind != Class {
		return
	}
	for p := current.model.Parent; p != nil; p = p.Parent {
		if p.Field(name) != nil {
			v.errorf(key.pos, `The field name "%s" is already defined in an inherited class ("%s").`, name, p.ClassName)
			return
		}
	}
}

func (v *validator) checkFieldType(ctx string, val *node) {
	raw, ok := val.str()
	if !ok {
		v.errorf(val.pos, "The field must have a datatype defined (e.g. field: String).")
		return
	}
	f := v.field(ctx)
	if f == nil {
		return
	}
	fi := v.a.info[f]
	trimmed := strings.TrimSpace(raw)
	switch {
	case strings.HasPrefix(trimmed, "package:") || strings.HasPrefix(trimmed, "project:"):
		// Taken on trust in Dart, as in Serverpod; Go needs the class's
		// Go type.
		if v.checkGoTypes(f.Type, val.pos) {
			return
		}
	case fi.typeErr != nil:
		v.errorf(val.pos, `The field has an invalid datatype "%s".`, trimmed)
		return
	default:
		if v.checkDataType(f.Type, val.pos) || v.checkGoTypes(f.Type, val.pos) {
			return
		}
	}

	var serverOnly []*Model
	f.Type.Walk(func(t *Type) {
		if t.Model != nil && t.Model.ServerOnly && !containsModel(serverOnly, t.Model) {
			serverOnly = append(serverOnly, t.Model)
		}
	})
	if f.Scope == ScopeAll {
		for _, so := range serverOnly {
			v.errorf(val.pos, `The type "%s" is a server only class and can only be used fields with scope (serverOnly, none) (e.g %s: %s, scope=serverOnly).`, so.ClassName, ctx, so.ClassName)
		}
	}

	if r := v.a.relOf(f); r != nil && r.kind != relForeign {
		v.checkRelationType(ctx, raw, f, val.pos)
	}
}

func containsModel(list []*Model, m *Model) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// checkDataType reports what is wrong with t and its arguments and says
// whether anything was.
func (v *validator) checkDataType(t *Type, pos Pos) bool {
	if t.URL == "" && t.Module == "" && t.Name == "dynamic" {
		v.errorf(pos, `The datatype "%s" is not supported in models.`, t.Name)
		return true
	}
	if t.Module != "" && !v.a.modules[t.Module] {
		v.errorf(pos, `The referenced module "%s" is not found.`, t.Module)
		return true
	}
	bad := false
	if !v.isKnownType(t) {
		v.errorf(pos, `The field has an invalid datatype "%s".`, t.Name)
		bad = true
	}
	if t.Model != nil && t.Model.Kind == Class && t.Model.Sealed {
		// Serverpod 2.4 generates no fromJson for a sealed class, and its
		// JSON does not say which subclass a value is.
		v.errorf(pos, `The class "%s" is sealed and cannot be used as a type, as its JSON does not say which subclass a value is; use one of its subclasses.`, t.Name)
		bad = true
	}
	arity, container := containerArity[t.Name]
	switch {
	case container && len(t.Args) != arity && t.Name == TypeMap:
		v.errorf(pos, "The Map type must have two generic types defined (e.g. Map<String, String>).")
		return true
	case container && len(t.Args) != arity:
		v.errorf(pos, "The %s type must have one generic type defined (e.g. %s<String>).", t.Name, t.Name)
		return true
	case !container && len(t.Args) > 0:
		v.errorf(pos, `The type "%s" cannot have generic types defined.`, t.Name)
		return true
	}
	for _, arg := range t.Args {
		if v.checkDataType(arg, pos) {
			bad = true
		}
	}
	return bad
}

// checkGoTypes reports the custom classes in t that have no Go type, and
// Dart library types that are no custom class at all, and says whether
// there were any.
func (v *validator) checkGoTypes(t *Type, pos Pos) bool {
	bad := false
	t.Walk(func(x *Type) {
		switch {
		case x.URL != "" && x.Model == nil:
			v.errorf(pos, `The type "%s:%s" has no Go type: list it under "extraClasses" in config/generator.yaml and declare its Go type under "go_extra_classes" (e.g. %s: example.com/app/shared.%s).`, x.URL, x.Name, x.Name, x.Name)
			bad = true
		case x.Model != nil && x.Model.Kind == Custom && x.Model.GoName == "":
			v.errorf(pos, `The custom class "%s" has no Go type: declare it under "go_extra_classes" in config/generator.yaml (e.g. %s: example.com/app/shared.%s); the Go type needs the methods EncodeJSON(*wire.Encoder) and DecodeJSON(any) error.`, x.Name, x.Name, x.Name)
			bad = true
		}
	})
	return bad
}

// isKnownType reports whether t names a primitive, a container, a model or
// an extra class. Module models must be named with their prefix.
func (v *validator) isKnownType(t *Type) bool {
	switch {
	case t.URL != "":
		return false
	case t.Model != nil:
		return true
	case t.Module != "":
		return false
	}
	return IsPrimitiveName(t.Name) || t.IsContainer()
}

// checkRelationType checks the type of a field with an object or list
// relation.
func (v *validator) checkRelationType(ctx, raw string, f *Field, pos Pos) {
	if !strings.HasSuffix(raw, "?") {
		v.errorf(pos, "Fields with a model relations must be nullable (e.g. %s: %s?).", ctx, strings.TrimSpace(raw))
	}
	ref := referencedModel(f)
	name := referencedName(f)
	switch {
	case ref == nil || ref.Kind == Enum:
		v.errorf(pos, `Only classes can be used in relations, "%s" is not a class.`, name)
	case ref.Table == "":
		v.errorf(pos, `The class "%s" must have a "table" property defined to be used in a relation.`, name)
	}
}

func (v *validator) checkScope(ctx string, val *node, i int) {
	m := v.classModel()
	f := v.field(ctx)
	if m == nil || f == nil {
		return
	}
	scope := Scope(i)
	switch {
	case m.ServerOnly && scope == ScopeAll:
		v.errorf(val.pos, `The field "%s" cannot have the "scope" property set to "%s" when the class is marked as server only. Allowed properties are (serverOnly, none).`, ctx, scope)
	case m.ServerOnly && scope == ScopeServerOnly:
		v.add(Info, val.pos, `The field "%s" belongs to a server only class which makes setting the "scope" to "%s" redundant.`, ctx, scope)
	case scope != ScopeAll && !f.Type.Nullable:
		v.errorf(val.pos, `The field "%s" must be nullable when the "scope" property is set to "%s".`, ctx, scope)
	}
}

func (v *validator) checkPersistKey(ctx string, key *node) {
	m := v.tableClass()
	if m == nil {
		return
	}
	if m.Table == "" {
		v.errorf(key.pos, `The "persist" property requires a table to be set on the class.`)
		return
	}
	if f := v.field(ctx); f == nil || f.Persist {
		v.add(Hint, key.pos, "Fields are persisted by default, the property can be removed.")
	}
}

// renamedFrom is gopod's extension: the previous column name of a field,
// so that migrations rename the column instead of dropping it.

func (v *validator) checkRenamedFromKey(ctx string, key *node) {
	m := v.tableClass()
	if m == nil {
		return
	}
	if m.Table == "" {
		v.errorf(key.pos, `The "renamedFrom" property requires a table to be set on the class.`)
		return
	}
	f := v.field(ctx)
	if f != nil && !f.Persist && v.a.relOf(f) == nil {
		v.errorf(key.pos, `The "renamedFrom" property is mutually exclusive with the "!persist" property.`)
	}
}

func (v *validator) checkRenamedFrom(ctx string, val *node) {
	old, ok := val.str()
	switch {
	case !ok:
		v.errorf(val.pos, "The property must be a String.")
	case !isValidFieldName(old):
		v.errorf(val.pos, `The "renamedFrom" value "%s" must be a valid field name (e.g. camelCaseString).`, old)
	case fieldNameTooLong(old):
		v.errorf(val.pos, `The "renamedFrom" value "%s" exceeds the %d character field name limitation.`, old, maxFieldNameLength)
	case old == ctx:
		v.errorf(val.pos, `The "renamedFrom" value must differ from the field name; remove the property.`)
	case v.classModel() != nil && v.classModel().Field(old) != nil:
		v.errorf(val.pos, `The "renamedFrom" value "%s" names another field of the class; a column can only be renamed to a name that is free.`, old)
	}
}
