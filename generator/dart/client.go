package dart

import (
	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/model"
)

// clientFile writes client.dart: one EndpointRef class per endpoint whose
// methods call caller.callServerEndpoint exactly as Serverpod 2.4's client
// does, the Modules class, and the Client (or, for a module, the Caller).
func (g *generator) clientFile() []byte {
	// Endpoint signatures name models through the package, as Serverpod's
	// generator does for types it learned from the endpoint analyzer.
	l := g.newLibrary(func(m *model.Model) string {
		return "package:" + g.opts.ClientPackageName + "/src/protocol/" + modelFilePath(libraryModel(m))
	})
	prefix := ""
	if g.opts.IsModule {
		prefix = g.opts.ProjectName + "."
	}

	var body concat
	for _, e := range g.endpoints {
		body = append(body, l.endpointClass(e, prefix), hard, hard)
	}
	hasModules := len(g.modules) > 0 && !g.opts.IsModule
	if hasModules {
		body = append(body, g.modulesClass(l), hard, hard)
	}
	if g.opts.IsModule {
		body = append(body, g.callerClass(l, prefix))
	} else {
		body = append(body, g.clientClass(l, hasModules))
	}
	return l.file(nil, cat(body, hard))
}

// endpointClassName is Serverpod's class name for an endpoint's caller.
func endpointClassName(e *endpoint.Endpoint) string { return "Endpoint" + pascal(e.Name) }

func (l *library) endpointClass(e *endpoint.Endpoint, prefix string) doc {
	name := endpointClassName(e)
	members := concat{
		hard, text(name + "(" + l.sp("EndpointCaller") + " caller) : super(caller);"),
		hard, hard, text("@override"),
		hard, text("String get name => " + quote(prefix+e.Name) + ";"),
	}
	for _, m := range e.Methods {
		members = append(members, hard, hard, l.endpointMethod(e, m, prefix))
	}
	return cat(
		docComment(e.Doc),
		text("/// {@category Endpoint}"), hard,
		text("class "+name+" extends "+l.sp("EndpointRef")+" {"),
		indent(2, members),
		hard, text("}"),
	)
}

// dartParamName is the Dart name of a parameter; the wire name stays the Go
// one. Reserved words cannot be Dart names, and `caller` would hide the
// EndpointRef's caller inside the method.
func dartParamName(name string, taken map[string]bool) string {
	if !dartReserved[name] && name != "caller" {
		return name
	}
	n := name + "_"
	for taken[n] {
		n += "_"
	}
	return n
}

// etyp spells an endpoint type in Dart.
func (l *library) etyp(t *endpoint.Type) string {
	return t.Dart(func(t *endpoint.Type) string {
		switch {
		case t.Kind == endpoint.Model:
			return l.modelRef(t.Model)
		case t.Name == model.TypeUUID:
			return l.sp(t.Name)
		case t.Name == model.TypeByteData:
			return l.ref("dart:typed_data", t.Name)
		}
		return t.Name
	})
}

// protocolRef names a function of the client's protocol.dart, as the
// client library imports it.
func (l *library) protocolRef(name string) string {
	return l.ref("package:"+l.g.opts.ClientPackageName+"/src/protocol/protocol.dart", name)
}

// argValue is the value of an argument in the call's map: records become
// their JSON map first, as the shared serialization cannot see into them.
func (l *library) argValue(p *endpoint.Param, local string) doc {
	switch {
	case p.Type.Kind == endpoint.Record:
		return text(l.protocolRef("mapRecordToJson") + "(" + local + ")")
	case p.Type.HasRecord():
		mapped := text(l.protocolRef("mapRecordContainingContainerToJson") + "(" + local + ")")
		if p.Type.Nullable {
			return cond(text(local+" == null"), text("null"), mapped)
		}
		return mapped
	}
	return text(local)
}

func (l *library) endpointMethod(e *endpoint.Endpoint, m *endpoint.Method, prefix string) doc {
	ret := "void"
	future := l.ref("dart:async", "Future")
	if m.Returns != nil {
		ret = l.etyp(m.Returns)
	}
	taken := map[string]bool{}
	for _, p := range m.Params {
		taken[p.Name] = true
	}
	var positional, extra, args, streams []doc
	for _, p := range m.Params {
		local := dartParamName(p.Name, taken)
		taken[local] = true
		typ := l.etyp(p.Type)
		if p.Stream {
			typ = l.ref("dart:async", "Stream") + "<" + typ + ">"
		}
		param := typ + " " + local
		if p.Kind == endpoint.Positional {
			positional = append(positional, text(param))
		} else {
			if p.Required() {
				param = "required " + param
			}
			extra = append(extra, text(param))
		}
		if p.Stream {
			streams = append(streams, named(quote(p.Name), text(local)))
			continue
		}
		args = append(args, named(quote(p.Name), l.argValue(p, local)))
	}
	var annotations concat
	if m.Deprecated != "" {
		annotations = append(annotations, call("@Deprecated", text(quote(m.Deprecated))), hard)
	}
	result := future + "<" + ret + ">"
	invoke := call("caller.callServerEndpoint<"+ret+">",
		text(quote(prefix+e.Name)), text(quote(m.Name)), list("{", "}", args...))
	if m.Streaming() {
		// As 2.4: callStreamingServerEndpoint<Stream<T>, T> (or
		// Future<T>, Future<void> and void), the ordinary arguments, then
		// the input streams by name.
		if m.ReturnsStream {
			result = l.ref("dart:async", "Stream") + "<" + ret + ">"
		}
		invoke = cat(
			grp(text("caller.callStreamingServerEndpoint<"+result+","), indent(4, spaceLine, text(ret+">"))),
			list("(", ")", text(quote(prefix+e.Name)), text(quote(m.Name)), list("{", "}", args...), list("{", "}", streams...)),
		)
	}
	return cat(
		docComment(m.Doc),
		annotations,
		arrowMember{signature: cat(text(result+" "+m.Name), paramList(positional, extra, m.Struct)), body: invoke},
		text(";"),
	)
}

// paramList lays out a method's parameters as code_builder and dart_style
// do: one parameter stays on the line (a lone one indented twice when it
// moves), more go one a line with trailing commas, the optional or named
// ones inside [ ] or { }.
func paramList(positional, extra []doc, st *endpoint.ParamStruct) doc {
	open, close := "", ""
	if st != nil {
		open, close = "{", "}"
		if st.Kind == endpoint.OptionalPositional {
			open, close = "[", "]"
		}
	}
	switch n := len(positional) + len(extra); {
	case n == 0:
		return text("()")
	case n == 1 && len(extra) == 1:
		return grp(text("("), indent(8, softLine, cat(text(open), extra[0], text(close))), text(")"))
	case n == 1:
		return grp(text("("), indent(8, softLine, positional[0]), text(")"))
	case len(extra) == 0:
		return list("(", ")", positional...)
	}
	var body concat
	for i, p := range positional {
		sep := ","
		if i == len(positional)-1 {
			sep = ", " + open
		}
		body = append(body, hard, p, text(sep))
	}
	for _, p := range extra {
		body = append(body, hard, p, text(","))
	}
	if len(positional) == 0 {
		return cat(text("("+open), indent(2, body), hard, text(close+")"))
	}
	return cat(text("("), indent(2, body), hard, text(close+")"))
}

func (g *generator) modulesClass(l *library) doc {
	var stmts, fields concat
	for _, mod := range g.modules {
		caller := l.ref(packageURL(mod.ClientPackage), "Caller")
		stmts = append(stmts, hard, text(mod.Nickname+" = "+caller+"(client);"))
	}
	for _, mod := range g.modules {
		fields = append(fields, hard, hard, text("late final "+l.ref(packageURL(mod.ClientPackage), "Caller")+" "+mod.Nickname+";"))
	}
	return cat(
		text("class Modules {"),
		indent(2, hard, text("Modules(Client client) {"), indent(2, stmts), hard, text("}"), fields),
		hard, text("}"),
	)
}

// endpointFields are the `late final` fields, the statements that set them,
// and the endpointRefLookup getter shared by Client and Caller.
func (g *generator) endpointMembers(l *library, prefix string, hasModules bool) (stmts, fields, lookup doc) {
	var s, f concat
	var entries []doc
	for _, e := range g.endpoints {
		s = append(s, hard, assign(e.Name, text(endpointClassName(e)+"(this)")), text(";"))
		f = append(f, hard, hard, grp(text("late final "+endpointClassName(e)), indent(4, spaceLine, text(e.Name+";"))))
		entries = append(entries, named(quote(prefix+e.Name), text(e.Name)))
	}
	if hasModules {
		s = append(s, hard, text("modules = Modules(this);"))
		f = append(f, hard, hard, text("late final Modules modules;"))
	}
	lookup = cat(
		text("@override"), hard,
		text("Map<String, "+l.sp("EndpointRef")+"> get endpointRefLookup"),
		arrow(list("{", "}", entries...)), text(";"),
	)
	return s, f, lookup
}

// constructorBody is ` {statements}` after a constructor's initializer, or
// `;` when there is nothing to do.
func constructorBody(stmts doc) doc {
	if c, ok := stmts.(concat); ok && len(c) == 0 {
		return text(";")
	}
	return cat(text(" {"), indent(2, stmts), hard, text("}"))
}

func (g *generator) clientClass(l *library, hasModules bool) doc {
	sp := l.sp
	header := text("class Client extends " + sp("ServerpodClientShared") + " {")
	params := cat(
		text("Client("),
		indent(2,
			hard, text("String host, {"),
			hard, text("dynamic securityContext,"),
			hard, text(sp("AuthenticationKeyManager")+"? authenticationKeyManager,"),
			hard, text("Duration? streamingConnectionTimeout,"),
			hard, text("Duration? connectionTimeout,"),
			hard, text("Function("),
			indent(2, hard, text(sp("MethodCallContext")+","), hard, text("Object,"), hard, text("StackTrace,")),
			hard, text(")? onFailedCall,"),
			hard, text("Function("+sp("MethodCallContext")+")? onSucceededCall,"),
			hard, text("bool? disconnectStreamsOnLostInternetConnection,"),
		),
		hard, text("})"),
	)
	var superArgs []doc
	superArgs = append(superArgs, text("host"), text(l.ref("protocol.dart", "Protocol")+"()"))
	for _, n := range []string{"securityContext", "authenticationKeyManager", "streamingConnectionTimeout",
		"connectionTimeout", "onFailedCall", "onSucceededCall", "disconnectStreamsOnLostInternetConnection"} {
		superArgs = append(superArgs, named(n, text(n)))
	}
	stmts, fields, lookup := g.endpointMembers(l, "", hasModules)
	var moduleEntries []doc
	for _, mod := range g.modules {
		moduleEntries = append(moduleEntries, named(quote(mod.Nickname), text("modules."+mod.Nickname)))
	}
	moduleLookup := cat(
		text("@override"), hard,
		text("Map<String, "+sp("ModuleEndpointCaller")+"> get moduleLookup"),
		arrow(list("{", "}", moduleEntries...)), text(";"),
	)
	return cat(
		header,
		indent(2,
			hard, params, text(" : "), indent(6, call("super", superArgs...)), constructorBody(stmts),
			fields,
			hard, hard, lookup,
			hard, hard, moduleLookup,
		),
		hard, text("}"),
	)
}

func (g *generator) callerClass(l *library, prefix string) doc {
	header := text("class Caller extends " + l.sp("ModuleEndpointCaller") + " {")
	ctor := text("Caller(" + l.sp("ServerpodClientShared") + " client) : super(client)")
	stmts, fields, lookup := g.endpointMembers(l, prefix, false)
	return cat(
		header,
		indent(2, hard, ctor, constructorBody(stmts), fields, hard, hard, lookup),
		hard, text("}"),
	)
}
