// Package model reads Serverpod model files (*.spy.yaml), checks them against
// the rules of Serverpod 2.4's model language and resolves them into
// definitions that the emitters turn into Go, Dart and SQL.
//
// Parsing and analysis report every problem they find, each with the file,
// line and column it concerns, so that one run shows the user everything that
// needs fixing.
package model

import (
	"fmt"
	"strings"
)

// Kind says which of the three model documents a file defines.
type Kind int

const (
	// Class is a `class:` document: a serializable model, optionally stored in a table.
	Class Kind = iota
	// Exception is an `exception:` document: a model that endpoints can return as an error.
	Exception
	// Enum is an `enum:` document.
	Enum
	// Custom is a custom class of generator.yaml's extraClasses: the user's
	// own serializable class, written in Dart for the client and in Go for
	// the server, that models and endpoints may use like a model class. It
	// has no model file and gopod generates nothing for it.
	Custom
)

func (k Kind) String() string {
	switch k {
	case Class:
		return "class"
	case Exception:
		return "exception"
	case Enum:
		return "enum"
	case Custom:
		return "custom class"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Pos is a position in a model file. Line and Col are 1-based; zero means unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Severity orders diagnostics. Error and Warning make generation fail, as in
// Serverpod; Info and Hint are advice.
type Severity int

const (
	Error Severity = iota
	Warning
	Info
	Hint
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info:
		return "info"
	case Hint:
		return "hint"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// Diagnostic is one problem found in a model file.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	Message  string
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message)
}

// Fails reports whether the diagnostic stops generation.
func (d Diagnostic) Fails() bool { return d.Severity == Error || d.Severity == Warning }

// Scope says where a field is visible.
type Scope int

const (
	// ScopeAll fields are on the server, on the client and on the wire.
	ScopeAll Scope = iota
	// ScopeServerOnly fields exist only in server code and in the database.
	ScopeServerOnly
	// ScopeNone fields are hidden from user code; only the database and the
	// ORM see them (used for the implicit foreign keys of list relations).
	ScopeNone
)

func (s Scope) String() string {
	switch s {
	case ScopeAll:
		return "all"
	case ScopeServerOnly:
		return "serverOnly"
	case ScopeNone:
		return "none"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// EnumSerialization is how enum values travel in JSON.
type EnumSerialization int

const (
	// ByIndex encodes an enum value as its position (Serverpod 2.4's default).
	ByIndex EnumSerialization = iota
	// ByName encodes an enum value as its name.
	ByName
)

func (s EnumSerialization) String() string {
	if s == ByName {
		return "byName"
	}
	return "byIndex"
}

// ForeignKeyAction is an ON DELETE / ON UPDATE action. The order matches
// Serverpod's enum, whose indexes appear in definition.json.
type ForeignKeyAction int

const (
	SetNull ForeignKeyAction = iota
	SetDefault
	Restrict
	NoAction
	Cascade
)

// SQL returns the action as PostgreSQL spells it.
func (a ForeignKeyAction) SQL() string {
	switch a {
	case SetNull:
		return "SET NULL"
	case SetDefault:
		return "SET DEFAULT"
	case Restrict:
		return "RESTRICT"
	case Cascade:
		return "CASCADE"
	}
	return "NO ACTION"
}

func (a ForeignKeyAction) String() string {
	switch a {
	case SetNull:
		return "setNull"
	case SetDefault:
		return "setDefault"
	case Restrict:
		return "restrict"
	case Cascade:
		return "cascade"
	}
	return "noAction"
}

// Type is a type as written in a model file (or derived from a Go endpoint
// signature), e.g. `List<String?>?` or `module:auth:UserInfo`.
type Type struct {
	// Name is the class name: a primitive (int, double, bool, String,
	// DateTime, Duration, UuidValue, Uri, BigInt, ByteData), a container
	// (List, Set, Map) or a model name.
	Name     string
	Nullable bool
	// Args are the generic arguments of List, Set and Map.
	Args []*Type
	// Module is the module nickname of a `module:<nick>:Name` reference,
	// "serverpod" for Serverpod's own models, and "" for project models and
	// primitives.
	Module string
	// URL is the library part of an unvalidated `package:` or `project:`
	// reference, e.g. "package:my_shared/my_shared.dart" for
	// `package:my_shared/my_shared.dart:Money`. Such types are taken on trust.
	URL string
	// Model is the resolved definition when Name names a model (project or
	// module). Nil for primitives and containers, and before analysis.
	Model *Model
}

// Primitive names of the model language.
const (
	TypeInt       = "int"
	TypeDouble    = "double"
	TypeBool      = "bool"
	TypeString    = "String"
	TypeDateTime  = "DateTime"
	TypeDuration  = "Duration"
	TypeUUID      = "UuidValue"
	TypeURI       = "Uri"
	TypeBigInt    = "BigInt"
	TypeByteData  = "ByteData"
	TypeList      = "List"
	TypeSet       = "Set"
	TypeMap       = "Map"
	TypeVoid      = "void"
	ModuleRefWord = "module"
)

// primitives lists the scalar types, in Serverpod's whitelist order.
var primitives = []string{TypeInt, TypeDouble, TypeBool, TypeString, TypeDateTime, TypeDuration, TypeUUID, TypeURI, TypeBigInt, TypeByteData}

// IsPrimitiveName reports whether name is a scalar type of the model language.
func IsPrimitiveName(name string) bool {
	for _, p := range primitives {
		if p == name {
			return true
		}
	}
	return false
}

// IsPrimitive reports whether t is a scalar (not a container, not a model).
func (t *Type) IsPrimitive() bool { return IsPrimitiveName(t.Name) }

// IsContainer reports whether t is a List, Set or Map.
func (t *Type) IsContainer() bool {
	return t.Name == TypeList || t.Name == TypeSet || t.Name == TypeMap
}

// IsModel reports whether t refers to a model (class, exception or enum).
func (t *Type) IsModel() bool { return t.Model != nil }

// IsEnum reports whether t refers to an enum model.
func (t *Type) IsEnum() bool { return t.Model != nil && t.Model.Kind == Enum }

// NonNull returns a copy of t that is not nullable.
func (t *Type) NonNull() *Type {
	c := *t
	c.Nullable = false
	return &c
}

// String spells the type as the model language does: `List<String?>?`.
// Module references keep their prefix: `module:auth:UserInfo`.
func (t *Type) String() string {
	var b strings.Builder
	t.write(&b, true)
	return b.String()
}

// DartString spells the type as Dart code names it, without module prefixes:
// `List<UserInfo>?`. Serverpod uses this spelling in protocol.yaml-like
// listings and in type-tagged class names of containers.
func (t *Type) DartString() string {
	var b strings.Builder
	t.write(&b, false)
	return b.String()
}

func (t *Type) write(b *strings.Builder, withModule bool) {
	if withModule && t.URL != "" {
		b.WriteString(t.URL + ":")
	} else if withModule && t.Module != "" {
		if t.Module == "serverpod" {
			b.WriteString("serverpod:")
		} else {
			b.WriteString("module:" + t.Module + ":")
		}
	}
	b.WriteString(t.Name)
	if len(t.Args) > 0 {
		b.WriteByte('<')
		for i, a := range t.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			a.write(b, withModule)
		}
		b.WriteByte('>')
	}
	if t.Nullable {
		b.WriteByte('?')
	}
}

// Walk calls fn for t and every type nested in its generic arguments.
func (t *Type) Walk(fn func(*Type)) {
	fn(t)
	for _, a := range t.Args {
		a.Walk(fn)
	}
}

// RelationKind says which side of a relation a field is.
type RelationKind int

const (
	// ForeignKeyRelation is on the int field that holds the foreign key
	// column (`parentId: int, relation(parent=parent_table)`, or the
	// explicit or implicit id field of an object relation).
	ForeignKeyRelation RelationKind = iota
	// ObjectRelation is on a `Parent?` field; the field is never a column.
	ObjectRelation
	// ListRelation is on a `List<Child>?` field; the field is never a column.
	ListRelation
)

// Relation describes how a field takes part in a relation between tables.
// Fields not used by a kind are zero.
type Relation struct {
	Kind RelationKind
	// Name is the relation's `name=`, empty for unnamed relations.
	Name string

	// ParentTable is the referenced table of a ForeignKeyRelation or an
	// ObjectRelation.
	ParentTable string
	// ForeignFieldName is the referenced column in ParentTable (always "id"
	// for ForeignKeyRelation and ObjectRelation), or, for a ListRelation, the
	// field in the child class that holds this class's id.
	ForeignFieldName string
	// FieldName is, for an ObjectRelation, the field of this class holding
	// the foreign key; for a ListRelation, the field of this class the
	// children point at (always "id").
	FieldName string

	OnDelete ForeignKeyAction
	OnUpdate ForeignKeyAction

	// ForeignKeyOrigin is true on the object relation side that owns the
	// foreign key column.
	ForeignKeyOrigin bool
	// Nullable is true when the foreign key may be null (`optional`, or a
	// nullable explicit id field).
	Nullable bool
	// ImplicitForeignField is true for a ListRelation whose child-side foreign
	// key was injected by the analyzer (the hidden `_xYId` field).
	ImplicitForeignField bool

	// ContainerField is, on a ForeignKeyRelation, the object field of the
	// same class that this foreign key feeds (nil if there is none).
	ContainerField *Field
	// ForeignContainerField is the field on the other class that points back
	// (the parent's list, or the other side of a one-to-one), nil if none.
	ForeignContainerField *Field
}

// DefaultValue is a `default`, `defaultModel` or `defaultPersist` literal as
// written, after the analyzer checked it for the field's type.
type DefaultValue struct {
	// Raw is the literal as written (quotes kept for strings).
	Raw string
	Pos Pos
}

// Field is one field of a class or exception.
type Field struct {
	Name  string
	Type  *Type
	Scope Scope
	// Persist is false for `!persist` fields and for object and list
	// relation fields; on a table class the persisted fields are its columns
	// (classes without a table keep Persist so that a table class extending
	// them inherits their columns).
	Persist bool
	// DefaultModel is applied when a value is created or decoded without the
	// field; DefaultPersist is the column's SQL DEFAULT. `default` sets both.
	DefaultModel   *DefaultValue
	DefaultPersist *DefaultValue
	Relation       *Relation
	// RenamedFrom is gopod's extension to the model language: the field's
	// previous column name, so that create-migration renames the column
	// instead of dropping it.
	RenamedFrom string
	// Implicit is true for fields the analyzer injected (`id`, the foreign
	// key of an object relation, the hidden foreign key of a list relation).
	Implicit bool
	// Doc holds the `###` comment lines above the field, without the markers.
	Doc []string
	Pos Pos
}

// Column is the database column name of the field (Serverpod uses the field
// name verbatim).
func (f *Field) Column() string { return f.Name }

// OnClient reports whether the field exists in client code.
func (f *Field) OnClient() bool { return f.Scope == ScopeAll }

// OnWire reports whether the field is sent to clients.
func (f *Field) OnWire() bool { return f.Scope == ScopeAll }

// Hidden reports whether the field is invisible to user code (scope none).
func (f *Field) Hidden() bool { return f.Scope == ScopeNone }

// Index is an entry of a class's `indexes:`.
type Index struct {
	Name   string
	Fields []string
	// Type is btree, hash, gin, gist, spgist or brin.
	Type   string
	Unique bool
	Pos    Pos
}

// EnumValue is one value of an enum.
type EnumValue struct {
	Name string
	Doc  []string
	Pos  Pos
}

// Model is one class, exception or enum.
type Model struct {
	Kind      Kind
	ClassName string

	// SourcePath is the model file's path relative to the project root
	// (slash-separated); FileName is its base name without the .spy.yaml
	// extensions; SubDir is the directory part Serverpod keeps in output
	// paths (relative to models/, lib/src/models, ...).
	SourcePath string
	FileName   string
	SubDir     string

	// Module is the nickname of the module the model comes from ("" for the
	// project); ModuleName is that module's name (e.g. serverpod_auth), which
	// prefixes type-tagged class names on the wire.
	Module     string
	ModuleName string

	ServerOnly bool
	Doc        []string
	Pos        Pos

	// Class and exception.
	Fields []*Field

	// Class only.
	Table            string
	ManagedMigration bool
	Indexes          []*Index
	// Extends and Sealed are only accepted with the experimental
	// inheritance feature.
	Extends string
	Parent  *Model
	Sealed  bool
	// Children are the classes that extend this one, in file order.
	Children []*Model

	// Enum only.
	Serialized EnumSerialization
	Values     []*EnumValue

	// Custom class only: the Dart library that declares the class
	// (package:my_shared/my_shared.dart), and the Go type that stands for
	// it, by import path and name; GoName is empty when generator.yaml
	// declares none.
	DartURL string
	GoPkg   string
	GoName  string
}

// HasTable reports whether the class is stored in the database.
func (m *Model) HasTable() bool { return m.Table != "" }

// Field returns the field called name, or nil.
func (m *Model) Field(name string) *Field {
	for _, f := range m.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// AllFields returns the fields including inherited ones, in Serverpod's
// order: the class's own id first, then the inherited fields as its
// parent orders them (an inherited id first), then the class's own.
func (m *Model) AllFields() []*Field {
	if m.Parent == nil {
		return m.Fields
	}
	var out, own []*Field
	for _, f := range m.Fields {
		if f.Name == "id" {
			out = append(out, f)
		} else {
			own = append(own, f)
		}
	}
	out = append(out, m.Parent.AllFields()...)
	return append(out, own...)
}

// Inherited reports whether f is a field m has from an ancestor.
func (m *Model) Inherited(f *Field) bool {
	for p := m.Parent; p != nil; p = p.Parent {
		for _, g := range p.Fields {
			if g == f {
				return true
			}
		}
	}
	return false
}

// IsParent reports whether the class is extended or sealed: Serverpod
// generates such a class as a plain class (its children extend it)
// rather than an abstract one with a private implementation.
func (m *Model) IsParent() bool { return len(m.Children) > 0 || m.Sealed }

// SealedTop returns the topmost sealed class of the hierarchy m belongs
// to (m itself for a sealed class without sealed ancestors), or nil when
// m is in no sealed hierarchy. Dart requires the classes of a sealed
// hierarchy in one library, so they are generated as parts of its file.
func (m *Model) SealedTop() *Model {
	if m.Parent != nil {
		if top := m.Parent.SealedTop(); top != nil {
			return top
		}
	}
	if m.Sealed {
		return m
	}
	return nil
}

// Descendants returns the classes that extend m directly or indirectly:
// each child followed by its own descendants, children in file order.
func (m *Model) Descendants() []*Model {
	var out []*Model
	for _, c := range m.Children {
		out = append(out, c)
		out = append(out, c.Descendants()...)
	}
	return out
}

// EveryParentSealed reports whether every ancestor of m is sealed (true
// for a class without a parent).
func (m *Model) EveryParentSealed() bool {
	for p := m.Parent; p != nil; p = p.Parent {
		if !p.Sealed {
			return false
		}
	}
	return true
}

// Columns returns the persisted fields in column order.
func (m *Model) Columns() []*Field {
	var out []*Field
	for _, f := range m.AllFields() {
		if f.Persist {
			out = append(out, f)
		}
	}
	return out
}

// WireClassName is the class name used in type-tagged JSON
// (`{"className": ..., "data": ...}`): the bare name for project models,
// `<moduleName>.<Name>` for module models.
func (m *Model) WireClassName() string {
	if m.ModuleName != "" {
		return m.ModuleName + "." + m.ClassName
	}
	return m.ClassName
}

// File is a model file to analyze.
type File struct {
	// Path is the file's path relative to the project root, slash-separated;
	// diagnostics and SourcePath use it.
	Path string
	Src  []byte
}

// ModuleModels are the models of a module the project depends on. They are
// parsed only so that `module:<nickname>:Name` references resolve.
type ModuleModels struct {
	Nickname string // e.g. auth
	Name     string // e.g. serverpod_auth
	Models   []*Model
}

// Options tune analysis.
type Options struct {
	Modules []ModuleModels
	// ExtraClasses are generator.yaml's extraClasses: custom serializable
	// classes usable as field types, as `package:<library>:<Name>` (or a
	// bare class name).
	ExtraClasses []string
	// GoTypes maps the class name of each extra class to the Go type that
	// stands for it, "<import path>.<Name>" (generator.yaml's
	// go_extra_classes). Using an extra class without one is an error.
	GoTypes map[string]string
	// Customs, when not nil, are the models standing for ExtraClasses as
	// CustomClasses(ExtraClasses, GoTypes) returns them: a caller that
	// hands the same models to the emitters builds them once, and the
	// analyzed fields refer to those very models.
	Customs []*Model
	// Inheritance enables the experimental `extends` and `sealed` keys.
	Inheritance bool
	// Database is generator.yaml's database feature: without it `table`
	// only warns.
	Database bool
}
