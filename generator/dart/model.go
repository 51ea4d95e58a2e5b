package dart

import (
	"fmt"
	"strconv"

	"github.com/gopod/gopod/generator/model"
)

// modelFile writes the library of one model; shared is the import set of
// its sealed hierarchy, if it belongs to one.
func (g *generator) modelFile(m *model.Model, shared *importSet) ([]byte, error) {
	l := g.modelLibrary(m, shared)
	if m.Kind == model.Enum {
		return l.file(nil, l.enumBody(m)), nil
	}
	body, err := l.classBody(m)
	if err != nil {
		return nil, err
	}
	return l.file(nil, body), nil
}

// enumBody is the enum with fromJson/toJson by index or by name.
func (l *library) enumBody(m *model.Model) doc {
	hasName := false
	for _, v := range m.Values {
		if v.Name == "name" {
			hasName = true
		}
	}
	nameRef := "name"
	if hasName {
		// A value called name shadows Enum.name.
		nameRef = "this.name"
	}

	var values concat
	for i, v := range m.Values {
		if i > 0 {
			values = append(values, hard)
			if len(v.Doc) > 0 {
				values = append(values, hard)
			}
		}
		sep := ","
		if i == len(m.Values)-1 {
			sep = ";"
		}
		values = append(values, docComment(v.Doc), text(v.Name+sep))
	}

	param, jsonType, toJSONBody := "index", "int", "index"
	if m.Serialized == model.ByName {
		param, jsonType, toJSONBody = "name", "String", nameRef
	}
	var cases concat
	for i, v := range m.Values {
		label := strconv.Itoa(i)
		if m.Serialized == model.ByName {
			label = quote(v.Name)
		}
		cases = append(cases, hard, text("case "+label+":"), indent(2, hard, text("return "+m.ClassName+"."+v.Name+";")))
	}
	msg := fmt.Sprintf(`'Value "$%s" cannot be converted to "%s"'`, param, m.ClassName)
	cases = append(cases, hard, text("default:"), indent(2, hard, call("throw ArgumentError", text(msg)), text(";")))

	header := "enum " + m.ClassName + " implements " + l.sp("SerializableModel") + " {"
	return cat(
		docComment(m.Doc),
		text(header),
		indent(2,
			hard, values,
			hard, hard, text("static "+m.ClassName+" fromJson("+jsonType+" "+param+") {"),
			indent(2, hard, text("switch ("+param+") {"), indent(2, cases), hard, text("}")),
			hard, text("}"),
			hard, hard, text("@override"),
			hard, text(jsonType+" toJson() => "+toJSONBody+";"),
			hard, text("@override"),
			hard, text("String toString() => "+nameRef+";"),
		),
		hard, text("}"), hard,
	)
}

// classBody is a model class or exception as Serverpod 2.4 writes it. A
// class that nothing extends is abstract with a private implementation,
// `_XImpl`, whose copyWith tells null from absent with `_Undefined`. A
// class that is extended (or sealed) is a plain class with a public
// constructor, which its children's constructors pass their inherited
// fields to (`super.x`); a sealed class has neither fromJson nor copyWith
// nor toJson, as it is never instantiated.
func (l *library) classBody(m *model.Model) (doc, error) {
	fields := clientFields(m)
	name := m.ClassName
	impl := "_" + name + "Impl"
	isParent := m.Kind == model.Class && m.IsParent()
	inherited := map[*model.Field]bool{}
	for _, f := range fields {
		inherited[f] = m.Inherited(f)
	}

	keyword := "abstract class "
	switch {
	case m.Sealed:
		keyword = "sealed class "
	case isParent:
		keyword = "class "
	}
	head := keyword + name
	if m.Parent != nil {
		head += " extends " + l.ref(l.protocolURL, m.Parent.ClassName)
	}
	interfaces := l.sp("SerializableModel")
	if m.Kind == model.Exception {
		interfaces = l.sp("SerializableException") + ", " + interfaces
	}
	classHeader := grp(text(head), indent(4, spaceLine, text("implements "+interfaces+" {")))

	ctorName := name + "._"
	if isParent {
		ctorName = name
	}
	ctor, err := l.constructor(ctorName, fields, inherited)
	if err != nil {
		return nil, err
	}
	members := concat{ctor}
	if !isParent {
		members = append(members, hard, hard, l.factoryConstructor(name, impl, fields))
	}
	if !m.Sealed {
		members = append(members, hard, hard, l.fromJSONConstructor(name, fields))
	}
	for _, f := range fields {
		if !inherited[f] {
			members = append(members, hard, hard, docComment(fieldDoc(f)), declaration(l.typ(f.Type), f.Name+";"))
		}
	}

	switch {
	case !isParent:
		var copyParams []doc
		for _, f := range fields {
			if f.Type.Nullable && inherited[f] {
				copyParams = append(copyParams, declaration("Object?", f.Name))
			} else {
				copyParams = append(copyParams, declaration(l.typNullable(f.Type, true), f.Name))
			}
		}
		members = append(members, hard, hard, copyWithDoc(name))
		if m.Parent != nil && !m.EveryParentSealed() {
			members = append(members, text("@override"), hard)
		}
		members = append(members, text("@"+l.sp("useResult")), hard,
			text(name+" copyWith"), optionalParams(copyParams), text(";"), hard)
	case !m.Sealed:
		members = append(members, hard, hard, l.copyWithMethod(name, fields, false), hard, hard)
	}

	if !m.Sealed {
		var entries []doc
		for _, f := range fields {
			entry := named(quote(f.Name), toJSON(f.Name, f.Type))
			if f.Type.Nullable {
				entry = cat(text("if ("+f.Name+" != null)"), split{value: entry, indent: 2, breakFirst: true})
			}
			entries = append(entries, entry)
		}
		members = append(members,
			text("@override"),
			hard, text("Map<String, dynamic> toJson() {"),
			indent(2, hard, text("return "), list("{", "}", entries...), text(";")),
			hard, text("}"),
			hard, hard, text("@override"),
			hard, text("String toString() {"),
			indent(2, hard, text("return "+l.sp("SerializationManager")+".encode(this);")),
			hard, text("}"),
		)
	}

	out := concat{docComment(m.Doc), classHeader, indent(2, hard, members), hard, text("}"), hard}
	if l.needsUndefined(m, fields) {
		out = append(out, hard, text("class _Undefined {}"), hard)
	}
	if !isParent {
		out = append(out, hard, l.implClass(name, impl, fields))
	}
	return out, nil
}

// needsUndefined reports whether the library defines `_Undefined`, which
// the copyWith of a class with nullable fields uses. The classes of a
// sealed hierarchy share their top class's library, which defines it when
// any of them needs it.
func (l *library) needsUndefined(m *model.Model, fields []*model.Field) bool {
	anyNullable := func(fields []*model.Field) bool {
		for _, f := range fields {
			if f.Type.Nullable {
				return true
			}
		}
		return false
	}
	switch top := m.SealedTop(); {
	case top == nil:
		return anyNullable(fields)
	case top != m:
		return false
	}
	for _, d := range l.g.family(m) {
		if anyNullable(clientFields(d)) {
			return true
		}
	}
	return false
}

// optionalParams is a named parameter list `({a, b})`; empty gives `()`.
func optionalParams(params []doc) doc {
	if len(params) == 0 {
		return text("()")
	}
	return list("({", "})", params...)
}

func copyWithDoc(name string) doc {
	return docComment([]string{
		"Returns a shallow copy of this [" + name + "]",
		"with some or all fields replaced by the given arguments.",
	})
}

// hasDefaults is Serverpod's test for a field that may be left out of the
// constructor.
func hasDefaults(f *model.Field) bool { return f.DefaultModel != nil || f.DefaultPersist != nil }

// constructor is `X._({...}) : a = a ?? default;` (`X({...})` for a
// parent class): own fields are set with `this.x`, inherited ones passed
// to the parent with `super.x`, and own fields with a model default are
// typed parameters that the initializers default.
func (l *library) constructor(name string, fields []*model.Field, inherited map[*model.Field]bool) (doc, error) {
	var params, inits []doc
	for _, f := range fields {
		target := "this."
		if inherited[f] {
			target = "super."
		}
		switch {
		case f.DefaultModel != nil && !inherited[f]:
			params = append(params, declaration(l.typNullable(f.Type, true), f.Name))
		case f.Type.Nullable || hasDefaults(f):
			params = append(params, text(target+f.Name))
		default:
			params = append(params, text("required "+target+f.Name))
		}
	}
	for _, f := range fields {
		if f.DefaultModel == nil || inherited[f] {
			continue
		}
		def, err := l.defaultValue(f)
		if err != nil {
			return nil, err
		}
		inits = append(inits, assign(f.Name, binary(text(f.Name), "??", def)))
	}
	d := cat(text(name), optionalParams(params))
	switch {
	case len(inits) == 0:
		return cat(d, text(";")), nil
	case len(params) > 1 && len(inits) > 1:
		// dart_style lines the initializers up under the first one.
		return cat(d, text("  : "), indent(6, join(inits, text(","), hard)), text(";")), nil
	case len(params) > 1:
		return cat(d, text(" : "), indent(6, inits[0]), text(";")), nil
	}
	return cat(d, grp(indent(4, spaceLine, text(": "), indent(2, join(inits, text(","), spaceLine)))), text(";")), nil
}

// constructorParams are the parameters of the factory and _Impl constructors.
func (l *library) constructorParams(fields []*model.Field) []doc {
	var params []doc
	for _, f := range fields {
		nullable := f.Type.Nullable || hasDefaults(f)
		typ := l.typNullable(f.Type, nullable)
		if !nullable {
			typ = "required " + typ
		}
		params = append(params, declaration(typ, f.Name))
	}
	return params
}

func (l *library) factoryConstructor(name, impl string, fields []*model.Field) doc {
	return cat(text("factory "+name), optionalParams(l.constructorParams(fields)), text(" ="), split{value: text(impl + ";"), indent: 4, preferNext: true})
}

func (l *library) fromJSONConstructor(name string, fields []*model.Field) doc {
	var args []doc
	for _, f := range fields {
		args = append(args, named(f.Name, l.fromJSON(jsonField(f.Name), f.Type)))
	}
	return cat(
		text("factory "+name+".fromJson"), list("(", ")", text("Map<String, dynamic> jsonSerialization")), text(" {"),
		indent(2, hard, text("return "), call(name, args...), text(";")),
		hard, text("}"),
	)
}

// implClass is the private implementation with the real copyWith.
func (l *library) implClass(name, impl string, fields []*model.Field) doc {
	var superArgs []doc
	for _, f := range fields {
		superArgs = append(superArgs, named(f.Name, text(f.Name)))
	}
	var ctor doc
	if len(fields) > 1 {
		ctor = cat(text(impl), optionalParams(l.constructorParams(fields)), text(" : "), indent(6, call("super._", superArgs...)), text(";"))
	} else {
		ctor = cat(text(impl), optionalParams(l.constructorParams(fields)), split{value: cat(text(": "), call("super._", superArgs...), text(";")), indent: 4, preferNext: true})
	}
	return cat(
		grp(text("class "+impl), indent(4, spaceLine, text("extends "+name+" {"))),
		indent(2, hard, ctor, hard, hard, l.copyWithMethod(name, fields, true)),
		hard, text("}"), hard,
	)
}

// copyWithMethod is the copyWith that builds the copy: of the `_Impl`
// class (an override), or of a parent class.
func (l *library) copyWithMethod(name string, fields []*model.Field, override bool) doc {
	var copyParams, copyArgs []doc
	for _, f := range fields {
		if f.Type.Nullable {
			copyParams = append(copyParams, cat(text("Object? "+f.Name+" ="), split{value: text("_Undefined"), indent: 4, preferNext: true}))
			copyArgs = append(copyArgs, named(f.Name, cond(isA(text(f.Name), l.typ(f.Type)), text(f.Name), l.clone(f.Type, f.Name, 0, true))))
		} else {
			copyParams = append(copyParams, declaration(l.typNullable(f.Type, true), f.Name))
			copyArgs = append(copyArgs, named(f.Name, binary(text(f.Name), "??", l.clone(f.Type, f.Name, 0, true))))
		}
	}
	annotations := concat{text("@" + l.sp("useResult")), hard}
	if override {
		annotations = append(annotations, text("@override"), hard)
	}
	return cat(
		copyWithDoc(name),
		annotations,
		text(name+" copyWith"), optionalParams(copyParams), text(" {"),
		indent(2, hard, text("return "), call(name, copyArgs...), text(";")),
		hard, text("}"),
	)
}
