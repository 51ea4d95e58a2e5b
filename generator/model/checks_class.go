package model

import (
	"strings"
	"unicode/utf8"
)

// Checks of document-level keys: names, tables, inheritance, indexes and
// enum values.

// classModel returns the file's model if it is a class or an exception.
func (v *validator) classModel() *Model {
	if m := v.e.model; m != nil && (m.Kind == Class || m.Kind == Exception) {
		return m
	}
	return nil
}

// tableClass returns the file's model if it is a class.
func (v *validator) tableClass() *Model {
	if m := v.e.model; m != nil && m.Kind == Class {
		return m
	}
	return nil
}

func (v *validator) checkBool(_ string, val *node) {
	if _, ok := val.lenientBool(); !ok {
		v.errorf(val.pos, "The value must be a boolean.")
	}
}

// checkOneOf accepts one of names in any case and then runs then, if set,
// with the canonical index of the value.
func (v *validator) checkOneOf(names []string, then func(ctx string, val *node, i int)) func(string, *node) {
	return func(ctx string, val *node) {
		if s, ok := val.str(); ok {
			for i, n := range names {
				if strings.EqualFold(s, n) {
					if then != nil {
						then(ctx, val, i)
					}
					return
				}
			}
		}
		v.errorf(val.pos, `"%s" is not a valid property. Valid properties are (%s).`, val.display(), strings.Join(names, ", "))
	}
}

func (v *validator) checkClassName(_ string, val *node) {
	docType := v.e.kindKey
	name, ok := val.str()
	switch {
	case !ok:
		v.errorf(val.pos, `The "%s" type must be a String.`, docType)
		return
	case !classNameRE.MatchString(name):
		v.errorf(val.pos, `The "%s" type must be a valid class name (e.g. PascalCaseString).`, docType)
		return
	case reservedClassNames[name]:
		v.errorf(val.pos, `The class name "%s" is reserved and cannot be used.`, name)
		return
	}
	if url, ok := v.a.extraClasses[name]; ok {
		v.errorf(val.pos, `The %s name "%s" is already used by a custom class (%s).`, docType, name, url)
		return
	}
	if v.e.model == nil {
		return
	}
	same := 0
	for _, o := range v.a.classNames[name] {
		if o.module == v.e.module {
			same++
		}
	}
	if same > 1 {
		v.errorf(val.pos, `The %s name "%s" is already used by another model class.`, docType, name)
	}
}

func (v *validator) checkTableKey(_ string, key *node) {
	if !v.a.opts.Database {
		v.add(Warning, key.pos, `The "table" property cannot be used when the database feature is disabled.`)
	}
}

func (v *validator) checkTableName(_ string, val *node) {
	table, ok := val.str()
	if !ok || !snakeCaseRE.MatchString(table) {
		v.errorf(val.pos, `The "table" property must be a snake_case_string.`)
		return
	}
	users := v.a.tableNames[table]
	if (v.e.model == nil && len(users) > 0) || len(users) > 1 {
		for _, o := range users {
			if o != v.e {
				v.errorf(val.pos, `The table name "%s" is already in use by the class "%s".`, table, o.model.ClassName)
				break
			}
		}
		return
	}
	if len(table) > maxTableNameLength {
		v.errorf(val.pos, `The table name "%s" exceeds the %d character table name limitation.`, table, maxTableNameLength)
		return
	}
	if len(users) > 0 && users[0].model.Kind == Class {
		for p := users[0].model.Parent; p != nil; p = p.Parent {
			if p.Table != "" {
				v.errorf(val.pos, `The "table" property is not allowed because another class, "%s", in the class hierarchy already has one defined. Only one table definition is allowed when using inheritance.`, p.ClassName)
				return
			}
			// Serverpod would give the class two id fields.
			if f := p.Field("id"); f != nil {
				v.errorf(val.pos, `The "table" property is not allowed because the inherited class "%s" defines an "id" field, which a table class generates itself; rename that field.`, p.ClassName)
				return
			}
		}
	}
}

func (v *validator) checkExtends(_ string, val *node) {
	name, ok := val.str()
	if !ok {
		v.errorf(val.pos, `The "extends type must be a String.`)
		return
	}
	parent := v.a.findByClassName(name)
	switch {
	case parent == nil:
		v.errorf(val.pos, `The class "%s" was not found in any model.`, name)
		return
	case parent.module != "":
		v.errorf(val.pos, "You can only extend classes from your own project.")
		return
	case parent.model.Kind != Class:
		v.errorf(val.pos, `Only classes can be extended, "%s" is an %s.`, name, parent.model.Kind)
		return
	case v.e.cycle:
		v.errorf(val.pos, `The class "%s" cannot extend "%s": the classes would extend each other in a cycle.`, v.e.model.ClassName, name)
		return
	}
	m := v.e.model
	if m == nil {
		return
	}
	current := v.a.findByClassName(m.ClassName)
	if current == nil || current.model.Kind != Class || m.ServerOnly {
		return
	}
	for p := current.model.Parent; p != nil; p = p.Parent {
		if p.ServerOnly {
			v.errorf(val.pos, `Cannot extend a "serverOnly" class in the inheritance chain ("%s") unless class is marked as "serverOnly".`, p.ClassName)
			return
		}
	}
}

func (v *validator) checkIndexName(_ string, key *node) {
	name := key.text
	if !mixedSnakeCaseRE.MatchString(name) {
		v.errorf(key.pos, `Invalid format for index "%s", must follow the format lower_snake_case.`, name)
		return
	}
	users := v.a.indexNames[name]
	if (v.e.model == nil && len(users) > 0) || len(users) > 1 {
		for _, o := range users {
			if o != v.e {
				v.errorf(key.pos, `The index name "%s" is already used by the model class "%s".`, name, o.model.ClassName)
				return
			}
		}
		// The same class defines the index twice, which YAML does not allow;
		// nothing more to say.
		return
	}
	if len(name) > maxIndexNameLength {
		v.errorf(key.pos, `The index name "%s" exceeds the %d character index name limitation.`, name, maxIndexNameLength)
	}
}

func (v *validator) checkIndexFields(_ string, val *node) {
	s, ok := val.str()
	if !ok {
		v.errorf(val.pos, `The "fields" property must have at least one field, (e.g. fields: fieldName).`)
		return
	}
	m := v.tableClass()
	if m == nil {
		return
	}
	columns := map[string]bool{}
	for _, f := range m.AllFields() {
		if f.Persist {
			columns[f.Name] = true
		}
	}
	names := splitIndexFields(s)
	count := map[string]int{}
	for _, n := range names {
		count[n]++
		if !columns[n] {
			v.errorf(val.pos, `The field name "%s" is not added to the class or has an !persist scope.`, n)
		}
	}
	for _, n := range names {
		if count[n] > 1 {
			// Serverpod prints the literal word "name" here; naming the
			// field is more useful.
			v.errorf(val.pos, `Duplicated field name "%s", can only reference a field once per index.`, n)
			count[n] = 0
		}
	}
}

var indexTypes = []string{"btree", "hash", "gin", "gist", "spgist", "brin"}

func (v *validator) checkIndexType(_ string, val *node) {
	if s, ok := val.str(); !ok || !contains(indexTypes, s) {
		v.errorf(val.pos, `The "type" property must be one of: %s.`, strings.Join(indexTypes, ", "))
	}
}

func (v *validator) checkEnumValues(_ string, val *node) {
	if !val.isSeq() {
		v.errorf(val.pos, `The "values" property must be a list of strings.`)
		return
	}
	count := map[string]int{}
	for _, it := range val.items {
		count[it.display()]++
	}
	for _, it := range val.items {
		s, ok := it.str()
		switch {
		case !ok:
			v.errorf(it.pos, `The "values" property must be a list of strings.`)
		case !enumValueRE.MatchString(s):
			v.errorf(it.pos, "Enum values must be valid dart enums.")
		case count[it.display()] != 1:
			v.errorf(it.pos, "Enum values must be unique.")
		case reservedWords[s]:
			v.errorf(it.pos, `The enum value "%s" is reserved and cannot be used.`, s)
		}
	}
}

// checkImplicitFieldClashes reports foreign keys the analyzer had to inject
// under a name the class already uses. Serverpod generates a class with the
// field twice; gopod refuses.
func (v *validator) checkImplicitFieldClashes() {
	m := v.tableClass()
	if m == nil {
		return
	}
	for _, f := range m.Fields {
		if !f.Implicit || f.Name == "id" {
			continue
		}
		clash := false
		for _, g := range m.Fields {
			if g != f && g.Name == f.Name {
				clash = true
			}
		}
		if !clash {
			continue
		}
		r := v.a.relOf(f)
		if r != nil && r.container != nil && v.a.info[r.container].owner == v.e {
			v.errorf(r.container.Pos, `The relation field "%s" needs the foreign key field "%s", which is already defined; reference it with relation(field=%s) instead.`, r.container.Name, f.Name, f.Name)
		} else {
			v.errorf(m.Pos, `The implicit foreign key field "%s" clashes with a field of the same name.`, f.Name)
		}
	}
}

// fieldNameTooLong reports whether name exceeds the column name limit.
func fieldNameTooLong(name string) bool { return utf8.RuneCountInString(name) > maxFieldNameLength }
