package model

import (
	"fmt"
	"strings"
)

// Validation walks each document against a description of the keys its
// kind allows, the way Serverpod's model validator does, and runs a check
// for every key and value it meets. The checks see the resolved models, so
// they can judge relations, defaults and names across files.

// anyKey stands for every key of a map (field names, index names).
const anyKey = "#any"

// rule describes one key of a map in a model document.
type rule struct {
	key      string
	required bool
	// removedHint is set for keys that were removed from the language; it
	// says what to use instead.
	removedHint string
	// hidden keys are checked but not offered in "Valid keys are" lists.
	hidden    bool
	exclusive []string
	// allowEmpty lets a key with nested rules have a non-map value.
	allowEmpty bool
	// contextual keys name what their nested checks are about: a field's
	// checks are told the field's name, even inside its relation.
	contextual bool
	checkKey   func(ctx string, key *node)
	checkValue func(ctx string, val *node)
	nested     []*rule
}

// validator checks one project model file.
type validator struct {
	a *analyzer
	e *entity
}

func (v *validator) add(sev Severity, pos Pos, format string, args ...any) {
	if pos.File == "" {
		pos = Pos{File: v.e.path}
	}
	v.e.diags = append(v.e.diags, Diagnostic{Pos: pos, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) errorf(pos Pos, format string, args ...any) { v.add(Error, pos, format, args...) }

// checkDocument reports the problems that keep a file from defining a model.
func (a *analyzer) checkDocument(e *entity) bool {
	root := e.doc.root
	if root == nil {
		return false // not YAML; already reported
	}
	v := &validator{a: a, e: e}
	if !root.isMap() {
		v.errorf(Pos{File: e.path, Line: 1, Col: 1}, "The top level object in the class yaml file must be a Map.")
		return false
	}
	var found []*node
	for _, k := range root.keys {
		if s, ok := k.str(); ok {
			for _, t := range documentTypes {
				if s == t {
					found = append(found, k)
				}
			}
		}
	}
	switch {
	case len(found) == 0:
		v.errorf(root.pos, "No {class, exception, enum} type is defined.")
		return false
	case len(found) > 1:
		quoted := make([]string, len(found))
		for i, k := range found {
			quoted[i] = `"` + k.text + `"`
		}
		for _, k := range found[1:] {
			v.errorf(k.pos, "Multiple model types (%s) found for a single model. Only one type per model allowed.", strings.Join(quoted, ", "))
		}
	}
	return true
}

// validate checks a project model file.
func (a *analyzer) validate(e *entity) {
	if !a.checkDocument(e) {
		return
	}
	v := &validator{a: a, e: e}
	root := e.doc.root
	kindKey, _ := root.lookup(e.kindKey)

	if m := e.model; m != nil {
		if others := a.filePaths[m.SubDir+"/"+m.FileName]; len(others) > 1 {
			for _, o := range others {
				if o != e {
					v.errorf(root.pos, `File path collision detected: This model and "%s" would generate files at the same location. Please modify the path or filename to ensure each model generates to a unique location.`, o.path)
					break
				}
			}
		}
	}

	var rules []*rule
	switch e.kindKey {
	case "class":
		rules = v.classRules()
	case "exception":
		rules = v.exceptionRules()
	case "enum":
		rules = v.enumRules()
	}
	v.walk(e.kindKey, rules, root, e.kindKey, false, kindKey.pos)
	v.checkImplicitFieldClashes()
}

// walk checks the map m against rules. docType names m in messages; ctx is
// the name handed to checks; owner is where to report keys missing from m.
func (v *validator) walk(docType string, rules []*rule, m *node, ctx string, propagate bool, owner Pos) {
	var valid []string
	anyAllowed := false
	for _, r := range rules {
		if r.key == anyKey {
			anyAllowed = true
		}
		if !r.hidden {
			valid = append(valid, r.key)
		}
	}
	for _, k := range m.keys {
		key, ok := k.str()
		if !ok {
			v.errorf(k.pos, "Key must be of type String.")
			continue
		}
		bare := strings.TrimPrefix(key, "!")
		if anyAllowed || contains(valid, bare) {
			continue
		}
		hint := ""
		if docType == "class" && (bare == "extends" || bare == "sealed") {
			hint = " Inheritance is experimental; enable the inheritance feature to use it."
		}
		v.errorf(k.pos, `The "%s" property is not allowed for %s type. Valid keys are {%s}.%s`, key, docType, strings.Join(valid, ", "), hint)
	}

	for _, r := range rules {
		type entry struct{ key, val *node }
		var entries []entry
		if r.key == anyKey {
			for i, k := range m.keys {
				if k.isString() {
					entries = append(entries, entry{k, m.vals[i]})
				}
			}
		} else if k, val := m.lookup(r.key); k != nil {
			entries = append(entries, entry{k, val})
		}

		if r.key != anyKey && len(entries) == 0 {
			if r.required {
				v.errorf(owner, `No "%s" property is defined.`, r.key)
			}
			continue
		}

		for _, en := range entries {
			if r.checkKey != nil {
				r.checkKey(ctx, en.key)
			}
		}
		if r.key != anyKey {
			k, val := entries[0].key, entries[0].val
			if r.checkValue != nil {
				r.checkValue(ctx, val)
			}
			for _, other := range r.exclusive {
				if m.has(other) {
					v.errorf(k.pos, `The "%s" property is mutually exclusive with the "%s" property.`, r.key, other)
				}
			}
			if len(r.nested) > 0 && !r.allowEmpty && !val.isMap() {
				v.errorf(valuePos(k, val), `The "%s" property must have at least one value.`, r.key)
			}
			if r.removedHint != "" {
				v.errorf(k.pos, `The "%s" property is deprecated. %s`, r.key, r.removedHint)
			}
		}

		if len(r.nested) == 0 {
			continue
		}
		for _, en := range entries {
			if !en.val.isMap() {
				var required []string
				for _, n := range r.nested {
					if n.required {
						required = append(required, n.key)
					}
				}
				if len(required) > 0 {
					v.errorf(en.key.pos, `The "%s" property is missing required keys (%s).`, en.key.text, strings.Join(required, ", "))
				}
				continue
			}
			nestedCtx, nestedPropagate := en.key.text, r.contextual
			if propagate {
				nestedCtx, nestedPropagate = ctx, true
			}
			v.walk(en.key.text, r.nested, en.val, nestedCtx, nestedPropagate, en.key.pos)
		}
	}
}

// valuePos is where a value is reported: an empty value has no text of its
// own, so its key is reported instead.
func valuePos(k, val *node) Pos {
	if val.isNull() {
		return k.pos
	}
	return val.pos
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *validator) classRules() []*rule {
	inheritance := v.a.opts.Inheritance
	return []*rule{
		{key: "class", required: true, checkValue: v.checkClassName},
		{key: "sealed", hidden: !inheritance, checkValue: v.checkBool, exclusive: []string{"table"}},
		{key: "extends", hidden: !inheritance, checkValue: v.checkExtends},
		{key: "table", checkKey: v.checkTableKey, checkValue: v.checkTableName, exclusive: []string{"sealed"}},
		{key: "managedMigration", checkValue: v.checkBool},
		{key: "serverOnly", checkValue: v.checkBool},
		{key: "fields", nested: []*rule{
			{key: anyKey, checkKey: v.checkFieldName, contextual: true, nested: v.classFieldRules()},
		}},
		{key: "indexes", nested: []*rule{
			{key: anyKey, checkKey: v.checkIndexName, nested: []*rule{
				{key: "fields", required: true, checkValue: v.checkIndexFields},
				{key: "type", checkValue: v.checkIndexType},
				{key: "unique", checkValue: v.checkBool},
			}},
		}},
	}
}

var defaultKeys = []string{"default", "defaultModel", "defaultPersist"}

func (v *validator) classFieldRules() []*rule {
	return []*rule{
		{key: "type", required: true, checkValue: v.checkFieldType},
		{key: "parent", removedHint: `Use the relation keyword instead. E.g. relation(parent=parent_table). Note that the default onDelete action changes from "Cascade" to "NoAction" when using the relation keyword.`},
		{key: "relation", checkKey: v.checkRelationKey, checkValue: v.checkRelation, allowEmpty: true, exclusive: defaultKeys, nested: []*rule{
			{key: "parent", checkKey: v.checkParentKey, checkValue: v.checkParentTable},
			{key: "field", checkKey: v.checkRelationFieldKey, checkValue: v.checkRelationField},
			{key: "onUpdate", checkKey: v.checkActionKey, checkValue: v.checkOneOf(actionNames, nil)},
			{key: "onDelete", checkKey: v.checkActionKey, checkValue: v.checkOneOf(actionNames, nil)},
			{key: "optional", checkKey: v.checkOptionalKey, checkValue: v.checkBool, exclusive: []string{"field"}},
			{key: "name", checkValue: v.checkRelationName},
		}},
		{key: "scope", checkValue: v.checkOneOf(scopeNames, v.checkScope)},
		{key: "persist", checkKey: v.checkPersistKey, checkValue: v.checkBool, exclusive: []string{"relation"}},
		{key: "database", removedHint: `Use "scope=serverOnly" instead.`},
		{key: "api", removedHint: `Use "!persist" instead.`},
		{key: "default", checkKey: v.checkDefaultKey("default"), checkValue: v.checkDefault("default"), exclusive: []string{"relation"}},
		{key: "defaultModel", checkKey: v.checkDefaultKey("defaultModel"), checkValue: v.checkDefault("defaultModel"), exclusive: []string{"relation"}},
		{key: "defaultPersist", checkKey: v.checkDefaultKey("defaultPersist"), checkValue: v.checkDefault("defaultPersist"), exclusive: []string{"relation"}},
		{key: "renamedFrom", checkKey: v.checkRenamedFromKey, checkValue: v.checkRenamedFrom, exclusive: []string{"relation"}},
	}
}

func (v *validator) exceptionRules() []*rule {
	return []*rule{
		{key: "exception", required: true, checkValue: v.checkClassName},
		{key: "serverOnly", checkValue: v.checkBool},
		{key: "fields", nested: []*rule{
			{key: anyKey, checkKey: v.checkFieldName, nested: []*rule{
				{key: "type", required: true, checkValue: v.checkFieldType},
				{key: "default", checkKey: v.checkDefaultKey("default"), checkValue: v.checkDefault("default")},
				{key: "defaultModel", checkKey: v.checkDefaultKey("defaultModel"), checkValue: v.checkDefault("defaultModel")},
			}},
		}},
	}
}

var serializationNames = []string{"byName", "byIndex"}

func (v *validator) enumRules() []*rule {
	return []*rule{
		{key: "enum", required: true, checkValue: v.checkClassName},
		{key: "serialized", checkValue: v.checkOneOf(serializationNames, nil)},
		{key: "serverOnly", checkValue: v.checkBool},
		{key: "values", required: true, checkValue: v.checkEnumValues},
	}
}
