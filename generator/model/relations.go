package model

import "strings"

// Relations are resolved the way Serverpod's entity dependency resolver
// does it, including the order in which fields are looked at: which side of
// a relation ends up holding the foreign key, and what validation later
// says about it, depend on that order.

// rel is the analyzer's working state of a field's relation.
type rel struct {
	kind relKind
	// name is the relation's name; named distinguishes an absent name
	// from an empty one.
	name  string
	named bool

	// fieldName is the `field=` of an unresolved object relation, or the
	// field holding the foreign key of an object or list relation.
	fieldName string
	hasField  bool

	parentTable      string
	foreignFieldName string
	onDelete         ForeignKeyAction
	onUpdate         ForeignKeyAction
	fkOrigin         bool
	nullable         bool
	implicit         bool
	container        *Field
	foreignContainer *Field
}

type relKind uint8

const (
	relUnresolvedList relKind = iota
	relUnresolvedObject
	// relUnresolvable is an object relation whose `field=` names a field
	// that already has a relation.
	relUnresolvable
	relForeign
	relObject
	relList
)

// implicitRelationPrefix starts the names Serverpod gives unnamed list
// relations; they are not user names and are not published.
const implicitRelationPrefix = "#_relation_"

// relFromRelation recovers the working state of a dependency's relation.
func relFromRelation(r *Relation) *rel {
	if r == nil {
		return nil
	}
	out := &rel{
		name:             r.Name,
		named:            r.Name != "",
		fieldName:        r.FieldName,
		hasField:         r.FieldName != "",
		parentTable:      r.ParentTable,
		foreignFieldName: r.ForeignFieldName,
		onDelete:         r.OnDelete,
		onUpdate:         r.OnUpdate,
		fkOrigin:         r.ForeignKeyOrigin,
		nullable:         r.Nullable,
		implicit:         r.ImplicitForeignField,
		container:        r.ContainerField,
		foreignContainer: r.ForeignContainerField,
	}
	switch r.Kind {
	case ForeignKeyRelation:
		out.kind = relForeign
	case ObjectRelation:
		out.kind = relObject
	default:
		out.kind = relList
	}
	return out
}

func isListType(t *Type) bool { return t != nil && t.Name == TypeList }
func isIDType(t *Type) bool   { return t != nil && t.Name == TypeInt }

// referencedModel is the model a relation field points at: the element
// type of a list, else the field's type.
func referencedModel(f *Field) *Model {
	if isListType(f.Type) {
		if len(f.Type.Args) == 0 {
			return nil
		}
		return f.Type.Args[0].Model
	}
	return f.Type.Model
}

// referencedName is the class name a relation field points at.
func referencedName(f *Field) string {
	if isListType(f.Type) {
		if len(f.Type.Args) == 0 {
			return ""
		}
		return f.Type.Args[0].Name
	}
	return f.Type.Name
}

func (a *analyzer) resolveRelations() {
	for _, e := range a.ents {
		if e.model == nil || e.model.Kind != Class {
			continue
		}
		// Injected fields are already resolved; only look at the ones
		// the class had before.
		for _, f := range append([]*Field(nil), e.model.Fields...) {
			a.resolveObjectRelation(e, f)
			a.resolveListRelation(e, f)
		}
	}
}

// filterRelationByName returns the fields of foreign whose relation has
// the given name. In a self relation the field itself does not count.
func (a *analyzer) filterRelationByName(cls, foreign *Model, fieldName string, r *rel) []*Field {
	if r == nil || !r.named {
		return nil
	}
	var out []*Field
	for _, f := range foreign.Fields {
		if foreign.Table == cls.Table && f.Name == fieldName {
			continue
		}
		if fr := a.relOf(f); fr != nil && fr.named && fr.name == r.name {
			out = append(out, f)
		}
	}
	return out
}

func (a *analyzer) firstRelationByName(cls, foreign *Model, fieldName string, r *rel) *Field {
	if fs := a.filterRelationByName(cls, foreign, fieldName, r); len(fs) > 0 {
		return fs[0]
	}
	return nil
}

func (a *analyzer) resolveObjectRelation(e *entity, f *Field) {
	r := a.relOf(f)
	if r == nil || r.kind != relUnresolvedObject {
		return
	}
	ref := f.Type.Model
	if ref == nil || ref.Kind != Class || ref.Table == "" {
		return
	}
	foreign := a.firstRelationByName(e.model, ref, f.Name, r)
	switch {
	case r.hasField:
		a.resolveExplicitForeignKey(e, ref, f, r)
	case !r.named || (foreign != nil && isListType(foreign.Type)):
		a.resolveImplicitForeignKey(e, ref, f, r)
	case foreign != nil:
		a.resolveNamedObjectRelation(e, f, r, ref.Table, foreign)
	}
}

// resolveImplicitForeignKey injects `<field>Id` just before the object
// field: the foreign key it is stored by.
func (a *analyzer) resolveImplicitForeignKey(e *entity, ref *Model, f *Field, r *rel) {
	foreignContainer := a.firstRelationByName(e.model, ref, f.Name, r)
	fk := &Field{
		Name:     implicitIDFieldName(f.Name),
		Type:     &Type{Name: TypeInt, Nullable: r.nullable},
		Scope:    f.Scope,
		Persist:  true,
		Implicit: true,
		Pos:      f.Pos,
	}
	a.info[fk] = &fieldInfo{owner: e, rel: &rel{
		kind: relForeign, name: r.name, named: r.named,
		parentTable: ref.Table, foreignFieldName: "id",
		container: f, foreignContainer: foreignContainer,
		onDelete: r.onDelete, onUpdate: r.onUpdate, fkOrigin: true,
	}}
	fields := e.model.Fields
	at := 0
	for i, g := range fields {
		if g == f {
			at = i
			break
		}
	}
	e.model.Fields = append(fields[:at:at], append([]*Field{fk}, fields[at:]...)...)

	a.setRel(f, &rel{
		kind: relObject, parentTable: ref.Table, fieldName: fk.Name, hasField: true,
		foreignFieldName: "id", foreignContainer: foreignContainer, fkOrigin: true, nullable: r.nullable,
	})
}

// resolveExplicitForeignKey handles `relation(field=xId)`: the named field
// of the class becomes the foreign key.
func (a *analyzer) resolveExplicitForeignKey(e *entity, ref *Model, f *Field, r *rel) {
	fk := e.model.Field(r.fieldName)
	if fk == nil {
		return
	}
	if a.relOf(fk) != nil {
		u := *r
		u.kind = relUnresolvable
		a.setRel(f, &u)
		return
	}
	var foreignContainer *Field
	if r.named {
		foreignContainer = a.firstRelationByName(e.model, ref, r.fieldName, r)
	}
	a.setRel(fk, &rel{
		kind: relForeign, name: r.name, named: r.named,
		parentTable: ref.Table, foreignFieldName: "id",
		container: f, foreignContainer: foreignContainer,
		onDelete: r.onDelete, onUpdate: r.onUpdate, fkOrigin: true,
	})
	a.setRel(f, &rel{
		kind: relObject, parentTable: ref.Table, fieldName: r.fieldName, hasField: true,
		foreignFieldName: "id", foreignContainer: foreignContainer, fkOrigin: true, nullable: fk.Type.Nullable,
	})
}

// resolveNamedObjectRelation resolves the side of a named relation that
// does not hold the foreign key.
func (a *analyzer) resolveNamedObjectRelation(e *entity, f *Field, r *rel, table string, foreign *Field) {
	fr := a.relOf(foreign)
	var foreignFieldName string
	var foreignContainer *Field
	switch {
	case fr.kind == relUnresolvedObject && fr.hasField:
		foreignFieldName = fr.fieldName
		foreignContainer = foreign
	case fr.kind == relForeign:
		foreignFieldName = foreign.Name
		fr.foreignContainer = f
		foreignContainer = fr.container
	default:
		return
	}
	a.setRel(f, &rel{
		kind: relObject, name: r.name, named: r.named, parentTable: table,
		fieldName: "id", hasField: true, foreignFieldName: foreignFieldName,
		foreignContainer: foreignContainer, fkOrigin: r.fkOrigin, nullable: foreign.Type.Nullable,
	})
}

func (a *analyzer) resolveListRelation(e *entity, f *Field) {
	r := a.relOf(f)
	if r == nil || r.kind != relUnresolvedList || len(f.Type.Args) == 0 {
		return
	}
	ref := f.Type.Args[0].Model
	table := e.model.Table
	if ref == nil || ref.Kind != Class || table == "" {
		return
	}

	if !r.named {
		fkName := implicitListFieldName(table, f.Name)
		auto := implicitRelationPrefix + fkName
		if child := a.byModel[ref]; child != nil && !child.external {
			hidden := &Field{
				Name:     fkName,
				Type:     &Type{Name: TypeInt, Nullable: true},
				Scope:    ScopeNone,
				Persist:  true,
				Implicit: true,
				Pos:      f.Pos,
			}
			a.info[hidden] = &fieldInfo{owner: child, rel: &rel{
				kind: relForeign, name: auto, named: true, parentTable: table,
				foreignFieldName: "id", foreignContainer: f,
				onDelete: NoAction, onUpdate: NoAction, fkOrigin: true,
			}}
			ref.Fields = append(ref.Fields, hidden)
		}
		a.setRel(f, &rel{
			kind: relList, name: auto, named: true, fieldName: "id", hasField: true,
			foreignFieldName: fkName, nullable: true, implicit: true,
		})
		return
	}

	var foreign *Field
	for _, cf := range ref.Fields {
		cr := a.relOf(cf)
		if cr != nil && (cr.kind == relUnresolvedObject || cr.kind == relForeign) && cr.named && cr.name == r.name {
			foreign = cf
			break
		}
	}
	if foreign == nil {
		return
	}
	fr := a.relOf(foreign)
	var foreignFieldName string
	var foreignContainer *Field
	if fr.kind == relForeign {
		foreignFieldName = foreign.Name
		fr.foreignContainer = f
		foreignContainer = fr.container
	} else {
		foreignFieldName = implicitIDFieldName(foreign.Name)
		if fr.hasField {
			foreignFieldName = fr.fieldName
		}
		foreignContainer = foreign
	}
	a.setRel(f, &rel{
		kind: relList, name: r.name, named: r.named, fieldName: "id", hasField: true,
		foreignFieldName: foreignFieldName, foreignContainer: foreignContainer, nullable: foreign.Type.Nullable,
	})
}

// relationField is the field whose relation carries the name of f's
// relation: f itself, or the foreign key field of an object relation
// holding one.
func (a *analyzer) relationField(cls *Model, f *Field) *Field {
	r := a.relOf(f)
	switch {
	case r == nil || !r.fkOrigin || r.kind == relForeign:
		return f
	case r.kind == relObject:
		return cls.Field(r.fieldName)
	}
	return nil
}

// namedForeignRelationFields returns the fields on the other side of f's
// named relation.
func (a *analyzer) namedForeignRelationFields(e *entity, f *Field) []*Field {
	cls := e.model
	rf := a.relationField(cls, f)
	if rf == nil {
		return nil
	}
	r := a.relOf(rf)
	if r == nil || !r.named {
		return nil
	}
	var foreign *Model
	if fr := a.relOf(f); isIDType(f.Type) && fr != nil && fr.kind == relForeign {
		if es := a.tableNames[fr.parentTable]; len(es) > 0 {
			foreign = es[0].model
		}
	} else {
		foreign = referencedModel(f)
	}
	if foreign == nil || foreign.Kind != Class {
		return nil
	}
	return a.filterRelationByName(cls, foreign, rf.Name, r)
}

// isOneToOne reports whether f is an object relation whose other side is
// an object too.
func (a *analyzer) isOneToOne(e *entity, f *Field) bool {
	if f == nil || isListType(f.Type) {
		return false
	}
	foreign := a.namedForeignRelationFields(e, f)
	if len(foreign) == 0 {
		return false
	}
	for _, g := range foreign {
		if isListType(g.Type) {
			return false
		}
	}
	return true
}

// hasUniqueIndex reports whether f has a unique index of its own.
func (a *analyzer) hasUniqueIndex(f *Field) bool {
	fi := a.info[f]
	if fi == nil || fi.owner == nil || fi.owner.model == nil {
		return false
	}
	for _, idx := range fi.owner.model.Indexes {
		if idx.Unique && len(idx.Fields) == 1 && idx.Fields[0] == f.Name {
			return true
		}
	}
	return false
}

// publishRelations fills Field.Relation from the working state.
func (a *analyzer) publishRelations(e *entity) {
	m := e.model
	for _, f := range m.Fields {
		r := a.relOf(f)
		if r == nil || a.info[f].owner != e {
			continue
		}
		name := r.name
		if strings.HasPrefix(name, implicitRelationPrefix) {
			name = ""
		}
		switch r.kind {
		case relForeign:
			f.Relation = &Relation{
				Kind: ForeignKeyRelation, Name: name, ParentTable: r.parentTable,
				ForeignFieldName: r.foreignFieldName, OnDelete: r.onDelete, OnUpdate: r.onUpdate,
				ForeignKeyOrigin: true, Nullable: f.Type.Nullable,
				ContainerField: r.container, ForeignContainerField: r.foreignContainer,
			}
		case relObject:
			out := &Relation{
				Kind: ObjectRelation, Name: name, ParentTable: r.parentTable,
				ForeignFieldName: r.foreignFieldName, FieldName: r.fieldName,
				ForeignKeyOrigin: r.fkOrigin, Nullable: r.nullable,
				ForeignContainerField: r.foreignContainer,
			}
			// The foreign key field carries the name and the actions of an
			// object relation that owns it.
			if fk := m.Field(r.fieldName); r.fkOrigin && fk != nil {
				if fr := a.relOf(fk); fr != nil && fr.kind == relForeign {
					if out.Name == "" && !strings.HasPrefix(fr.name, implicitRelationPrefix) {
						out.Name = fr.name
					}
					out.OnDelete, out.OnUpdate = fr.onDelete, fr.onUpdate
				}
			}
			f.Relation = out
		case relList:
			nullable := r.nullable
			if child := referencedModel(f); child != nil && !r.implicit {
				if fk := child.Field(r.foreignFieldName); fk != nil {
					nullable = fk.Type.Nullable
				}
			}
			f.Relation = &Relation{
				Kind: ListRelation, Name: name, ForeignFieldName: r.foreignFieldName,
				FieldName: r.fieldName, Nullable: nullable, ImplicitForeignField: r.implicit,
				ForeignContainerField: r.foreignContainer,
			}
		}
	}
}
