package dart

import (
	"fmt"
	"strconv"

	"github.com/gopod/gopod/generator/model"
)

// modelFile writes the library of one model.
func (g *generator) modelFile(m *model.Model) ([]byte, error) {
	l := g.newLibrary(relativeTo(m.SubDir))
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

// classBody is a model class or exception: the abstract class, `_Undefined`
// when copyWith must tell null from absent, and the `_Impl` class.
func (l *library) classBody(m *model.Model) (doc, error) {
	fields := clientFields(m)
	name := m.ClassName
	impl := "_" + name + "Impl"

	anyNullable := false
	for _, f := range fields {
		if f.Type.Nullable {
			anyNullable = true
		}
	}

	interfaces := l.sp("SerializableModel")
	if m.Kind == model.Exception {
		interfaces = l.sp("SerializableException") + ", " + interfaces
	}
	classHeader := grp(text("abstract class "+name), indent(4, spaceLine, text("implements "+interfaces+" {")))

	ctor, err := l.privateConstructor(name, fields)
	if err != nil {
		return nil, err
	}
	members := concat{ctor, hard, hard, l.factoryConstructor(name, impl, fields), hard, hard, l.fromJSONConstructor(name, fields)}
	for _, f := range fields {
		members = append(members, hard, hard, docComment(fieldDoc(f)), declaration(l.typ(f.Type), f.Name+";"))
	}

	var copyParams []doc
	for _, f := range fields {
		copyParams = append(copyParams, declaration(l.typNullable(f.Type, true), f.Name))
	}
	members = append(members, hard, hard, copyWithDoc(name), text("@"+l.sp("useResult")), hard,
		text(name+" copyWith"), optionalParams(copyParams), text(";"))

	var entries []doc
	for _, f := range fields {
		entry := named(quote(f.Name), toJSON(f.Name, f.Type))
		if f.Type.Nullable {
			entry = cat(text("if ("+f.Name+" != null)"), split{value: entry, indent: 2, breakFirst: true})
		}
		entries = append(entries, entry)
	}
	members = append(members,
		hard, text("@override"),
		hard, text("Map<String, dynamic> toJson() {"),
		indent(2, hard, text("return "), list("{", "}", entries...), text(";")),
		hard, text("}"),
		hard, hard, text("@override"),
		hard, text("String toString() {"),
		indent(2, hard, text("return "+l.sp("SerializationManager")+".encode(this);")),
		hard, text("}"),
	)

	out := concat{docComment(m.Doc), classHeader, indent(2, hard, members), hard, text("}"), hard}
	if anyNullable {
		out = append(out, hard, text("class _Undefined {}"), hard)
	}
	out = append(out, hard, l.implClass(name, impl, fields))
	return out, nil
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

// privateConstructor is `X._({...}) : a = a ?? default;`.
func (l *library) privateConstructor(name string, fields []*model.Field) (doc, error) {
	var params, inits []doc
	for _, f := range fields {
		switch {
		case f.DefaultModel != nil:
			params = append(params, declaration(l.typNullable(f.Type, true), f.Name))
		case f.Type.Nullable || hasDefaults(f):
			params = append(params, text("this."+f.Name))
		default:
			params = append(params, text("required this."+f.Name))
		}
	}
	for _, f := range fields {
		if f.DefaultModel == nil {
			continue
		}
		def, err := l.defaultValue(f)
		if err != nil {
			return nil, err
		}
		inits = append(inits, assign(f.Name, binary(text(f.Name), "??", def)))
	}
	d := cat(text(name+"._"), optionalParams(params))
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
	var superArgs, copyParams, copyArgs []doc
	for _, f := range fields {
		superArgs = append(superArgs, named(f.Name, text(f.Name)))
		if f.Type.Nullable {
			copyParams = append(copyParams, cat(text("Object? "+f.Name+" ="), split{value: text("_Undefined"), indent: 4, preferNext: true}))
			copyArgs = append(copyArgs, named(f.Name, cond(isA(text(f.Name), l.typ(f.Type)), text(f.Name), l.clone(f.Type, f.Name, 0, true))))
		} else {
			copyParams = append(copyParams, declaration(l.typNullable(f.Type, true), f.Name))
			copyArgs = append(copyArgs, named(f.Name, binary(text(f.Name), "??", l.clone(f.Type, f.Name, 0, true))))
		}
	}
	var ctor doc
	if len(fields) > 1 {
		ctor = cat(text(impl), optionalParams(l.constructorParams(fields)), text(" : "), indent(6, call("super._", superArgs...)), text(";"))
	} else {
		ctor = cat(text(impl), optionalParams(l.constructorParams(fields)), split{value: cat(text(": "), call("super._", superArgs...), text(";")), indent: 4, preferNext: true})
	}
	copyWith := cat(
		copyWithDoc(name),
		text("@"+l.sp("useResult")), hard,
		text("@override"), hard,
		text(name+" copyWith"), optionalParams(copyParams), text(" {"),
		indent(2, hard, text("return "), call(name, copyArgs...), text(";")),
		hard, text("}"),
	)
	return cat(
		grp(text("class "+impl), indent(4, spaceLine, text("extends "+name+" {"))),
		indent(2, hard, ctor, hard, hard, copyWith),
		hard, text("}"), hard,
	)
}
