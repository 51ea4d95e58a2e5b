package dart

import (
	"strconv"

	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/model"
)

// protocolFile writes protocol.dart: the Protocol serialization manager that
// decodes every client model, the container types the models and endpoints
// use, and hands other modules' class names to their Protocol.
func (g *generator) protocolFile() []byte {
	l := g.newLibrary(relativeTo(""))
	var exports []string
	for _, m := range g.models {
		if top := m.SealedTop(); top == nil || top == m {
			// The other classes of a sealed hierarchy are parts of its
			// top class's file.
			exports = append(exports, modelFilePath(m))
		}
	}
	exports = append(exports, "client.dart")

	classHeader := text("class Protocol extends " + l.sp("SerializationManager") + " {")
	singleton := cat(
		text("Protocol._();"), hard,
		hard, text("factory Protocol() => _instance;"), hard,
		hard, text("static final Protocol _instance = Protocol._();"),
	)
	body := cat(
		classHeader,
		indent(2, hard, singleton,
			hard, hard, g.deserializeMethod(l),
			hard, hard, g.classNameMethod(l),
			hard, hard, g.byClassNameMethod(l)),
		hard, text("}"), hard,
		g.recordFunctions(l),
	)
	return l.file(exports, body)
}

// decodable are the classes the Protocol decodes by type and class name:
// the client's models, then the custom classes.
// A sealed class has no fromJson.
func (g *generator) decodable() []*model.Model {
	var out []*model.Model
	for _, m := range g.models {
		if !m.Sealed {
			out = append(out, m)
		}
	}
	return append(out, g.opts.CustomClasses...)
}

// ifBlock is `if (condition) {statements}`.
func ifBlock(condition doc, statements ...doc) doc {
	var body concat
	for _, s := range statements {
		body = append(body, hard, s)
	}
	return cat(text("if ("), condition, text(") {"), indent(2, body), hard, text("}"))
}

func (g *generator) deserializeMethod(l *library) doc {
	type entry struct {
		key   string
		value doc
	}
	var entries []entry
	seen := map[string]bool{}
	add := func(key string, value doc) {
		if !seen[key] {
			seen[key] = true
			entries = append(entries, entry{key, value})
		}
	}
	for _, m := range g.decodable() {
		ref := l.modelRef(m)
		add(ref, as(call(ref+".fromJson", text("data")), "T"))
	}
	for _, m := range g.decodable() {
		ref := l.modelRef(m)
		add(l.sp("getType")+"<"+ref+"?>()", nullableData(call(ref+".fromJson", text("data"))))
	}
	for _, m := range g.models {
		if m.Kind == model.Enum {
			continue
		}
		for _, f := range clientFields(m) {
			l.containerEntries(f.Type, add)
		}
	}
	g.endpointTypes(func(t *endpoint.Type) { l.endpointEntries(t, add) })

	var stmts concat
	stmts = append(stmts, hard, text("t ??= T;"))
	for _, e := range entries {
		stmts = append(stmts, hard, ifBlock(binary(text("t"), "==", text(e.key)), cat(text("return "), e.value, text(";"))))
	}
	for _, mod := range g.modules {
		stmts = append(stmts,
			hard, text("try {"),
			indent(2, hard, text("return "+l.ref(packageURL(mod.ClientPackage), "Protocol")+"().deserialize<T>(data, t);")),
			hard, text("} on "+l.sp("DeserializationTypeNotFoundException")+" catch (_) {}"))
	}
	stmts = append(stmts, hard, text("return super.deserialize<T>(data, t);"))
	return cat(
		text("@override"), hard,
		text("T deserialize<T>("),
		indent(2, hard, text("dynamic data, ["), hard, text("Type? t,")),
		hard, text("]) {"),
		indent(2, stmts),
		hard, text("}"),
	)
}

// nullableData is `(data != null ? decode : null) as T`.
func nullableData(decode doc) doc {
	return as(cat(text("("), cond(text("data != null"), decode, text("null")), text(")")), "T")
}

// containerEntries adds the deserialize cases of a List, Set or Map type and
// of the containers nested in it, as Serverpod registers them.
func (l *library) containerEntries(t *model.Type, add func(string, doc)) {
	if t.Model != nil || !t.IsContainer() {
		return
	}
	key := l.typ(t)
	if t.Nullable {
		key = l.sp("getType") + "<" + key + ">()"
	}
	var decode doc
	switch t.Name {
	case model.TypeList, model.TypeSet:
		to := ".toList()"
		if t.Name == model.TypeSet {
			to = ".toSet()"
		}
		elem := "deserialize<" + l.typ(t.Args[0]) + ">(e)"
		decode = chain(text("(data as List)"), callBlock(".map", closure("(e)", text(elem))), text(to))
	case model.TypeMap:
		k, v := l.typ(t.Args[0]), l.typ(t.Args[1])
		if t.Args[0].Name == model.TypeString && t.Args[0].Model == nil {
			decode = cat(text("(data as Map)"), callBlock(".map", closureKeep("(k, v)",
				callPlain("MapEntry", text("deserialize<"+k+">(k)"), text("deserialize<"+v+">(v)")))))
		} else {
			decode = callBlock("Map.fromEntries", cat(text("(data as List)"), callBlock(".map", closure("(e)",
				callPlain("MapEntry", text("deserialize<"+k+">(e['k'])"), text("deserialize<"+v+">(e['v'])"))))))
		}
	}
	if t.Nullable {
		add(key, nullableData(decode))
	} else {
		add(key, as(decode, "T"))
	}
	for _, a := range t.Args {
		l.containerEntries(a, add)
	}
}

func (g *generator) classNameMethod(l *library) doc {
	stmts := concat{
		hard, text("String? className = super.getClassNameForObject(data);"),
		hard, text("if (className != null) return className;"),
	}
	for _, m := range g.decodable() {
		stmts = append(stmts, hard, ifBlock(text("data is "+l.modelRef(m)), text("return "+quote(m.ClassName)+";")))
	}
	for _, mod := range g.modules {
		stmts = append(stmts,
			hard, text("className = "+l.ref(packageURL(mod.ClientPackage), "Protocol")+"().getClassNameForObject(data);"),
			hard, ifBlock(text("className != null"), text("return '"+mod.Name+".$className';")))
	}
	for _, t := range g.streamContainers() {
		stmts = append(stmts, hard, ifBlock(text("data is "+l.etyp(t)), text("return "+quote(t.ClassName())+";")))
	}
	stmts = append(stmts, hard, text("return null;"))
	return cat(
		text("@override"), hard,
		text("String? getClassNameForObject(Object? data) {"),
		indent(2, stmts),
		hard, text("}"),
	)
}

func (g *generator) byClassNameMethod(l *library) doc {
	stmts := concat{
		hard, text("var dataClassName = data['className'];"),
		hard, ifBlock(text("dataClassName is! String"), text("return super.deserializeByClassName(data);")),
	}
	for _, m := range g.decodable() {
		stmts = append(stmts, hard, ifBlock(text("dataClassName == "+quote(m.ClassName)),
			text("return deserialize<"+l.modelRef(m)+">(data['data']);")))
	}
	for _, mod := range g.modules {
		stmts = append(stmts, hard, ifBlock(text("dataClassName.startsWith("+quote(mod.Name+".")+")"),
			text("data['className'] = dataClassName.substring("+strconv.Itoa(len(mod.Name)+1)+");"),
			text("return "+l.ref(packageURL(mod.ClientPackage), "Protocol")+"().deserializeByClassName(data);")))
	}
	for _, t := range g.streamContainers() {
		stmts = append(stmts, hard, ifBlock(text("dataClassName == "+quote(t.ClassName())),
			text("return deserialize<"+l.etyp(t)+">(data['data']);")))
	}
	stmts = append(stmts, hard, text("return super.deserializeByClassName(data);"))
	return cat(
		text("@override"), hard,
		text("dynamic deserializeByClassName(Map<String, dynamic> data) {"),
		indent(2, stmts),
		hard, text("}"),
	)
}

// streamContainers are the List, Set and Map types streams carry, each
// once, in order of use: values of these travel tagged with a class name
// ("List<int>") that 2.4's protocol looks up, as it does a model's.
func (g *generator) streamContainers() []*endpoint.Type {
	var out []*endpoint.Type
	seen := map[string]bool{}
	add := func(t *endpoint.Type) {
		if t.IsContainer() && !seen[t.ClassName()] {
			seen[t.ClassName()] = true
			out = append(out, t)
		}
	}
	for _, e := range g.endpoints {
		for _, m := range e.Methods {
			if m.ReturnsStream {
				add(m.Returns)
			}
			for _, p := range m.Params {
				if p.Stream {
					add(p.Type)
				}
			}
		}
	}
	return out
}
