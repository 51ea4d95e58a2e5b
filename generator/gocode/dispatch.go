package gocode

import (
	"fmt"
	"path"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/model"
)

// argVar names the local variable holding a decoded argument; the prefix
// keeps it clear of the closure's own names.
func argVar(p *endpoint.Param) string { return "arg" + exported(p.GoName) }

// Dispatch writes the package that wires the endpoints into a pod.Dispatch
// (dispatch.go) and Serverpod's endpoint listing (protocol.yaml).
func Dispatch(endpoints []*endpoint.Endpoint, o Options) (Files, error) {
	f := o.newFile(o.DispatchPkg)
	what := "the project's endpoints and its modules'"
	if o.Module {
		what = "the module's endpoints"
	}
	f.PackageComment(fmt.Sprintf("Package %s wires %s into the gopod server.", path.Base(o.DispatchPkg), what))
	srv := newEtyper(o.serverTyper())

	moduleName := ""
	if o.Module {
		moduleName = o.Name
	}
	newBody := []jen.Code{
		jen.Id("d").Op(":=").Qual(podPkg, "NewDispatch").Call(jen.Lit(o.Name)),
		// Endpoint stream messages and the exceptions clients send on
		// input streams are decoded by class name.
		jen.Id("d").Dot("Registry").Op("=").Qual(o.ProtocolPkg, "Registry").Call(),
	}
	for _, ep := range endpoints {
		f.ImportName(ep.PkgPath, ep.PkgName)
		newBody = append(newBody, jen.Id("d").Dot("Add").Call(jen.Id(unexported(ep.Name)+"Connector").Call(jen.Op("&").Qual(ep.PkgPath, ep.GoName).Values())))
	}
	for _, m := range o.Modules {
		newBody = append(newBody, jen.Id("d").Dot("AddModule").Call(jen.Lit(m.Name), jen.Qual(m.DispatchPkg, "New").Call()))
	}
	newBody = append(newBody, jen.Return(jen.Id("d")))
	f.Comment("New returns the endpoints the server serves.")
	f.Func().Id("New").Params().Op("*").Qual(podPkg, "Dispatch").Block(newBody...)

	for _, ep := range endpoints {
		f.Line()
		var methods []jen.Code
		for _, m := range ep.Methods {
			call, err := srv.methodLiteral(m)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.Pos, err)
			}
			methods = append(methods, call)
		}
		args := append([]jen.Code{jen.Lit(ep.Name), jen.Lit(moduleName), jen.Id("ep")}, methods...)
		f.Func().Id(unexported(ep.Name)+"Connector").Params(jen.Id("ep").Op("*").Qual(ep.PkgPath, ep.GoName)).Op("*").Qual(podPkg, "Connector").Block(
			jen.Return(jen.Qual(podPkg, "NewConnector").CallFunc(func(g *jen.Group) {
				for _, a := range args {
					g.Line().Add(a)
				}
				g.Line()
			})),
		)
	}
	srv.recordDecls(f)
	srv.classDecls(f)
	code, err := o.render(f)
	if err != nil {
		return nil, err
	}
	return Files{"dispatch.go": code, "protocol.yaml": protocolYAML(endpoints)}, nil
}

// methodLiteral is the &pod.Method{...} of one endpoint method.
func (s etyper) methodLiteral(m *endpoint.Method) (jen.Code, error) {
	if m.Streaming() {
		return s.streamLiteral(m), nil
	}
	var params []jen.Code
	var body []jen.Code
	callArgs := []jen.Code{jen.Id("s")}
	opts := jen.Dict{}
	for _, p := range m.Params {
		v := argVar(p)
		body = append(body,
			jen.List(jen.Id(v), jen.Err()).Op(":=").Add(s.decodeArg(p)),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		)
		if p.Kind == endpoint.Positional {
			callArgs = append(callArgs, jen.Id(v))
		} else {
			opts[jen.Id(p.GoName)] = jen.Id(v)
		}
		params = append(params, paramLiteral(p))
	}
	if m.Struct != nil {
		callArgs = append(callArgs, jen.Qual(m.Struct.PkgPath, m.Struct.GoName).Values(opts))
	}
	call := jen.Id("ep").Dot(m.GoName).Call(callArgs...)
	if m.Returns == nil {
		body = append(body,
			jen.If(jen.Err().Op(":=").Add(call), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Id("e").Dot("Null").Call(),
		)
	} else {
		body = append(body,
			jen.List(jen.Id("result"), jen.Err()).Op(":=").Add(call),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		)
		body = append(body, s.writeResult(m.Returns))
	}
	body = append(body, jen.Return(jen.Nil()))
	lit := []jen.Code{jen.Id("Name").Op(":").Lit(m.Name)}
	if len(params) > 0 {
		lit = append(lit, jen.Id("Params").Op(":").Index().Qual(podPkg, "Param").Add(lines(params)))
	}
	lit = append(lit, jen.Id("Call").Op(":").Func().Params(
		jen.Id("s").Op("*").Qual(podPkg, "Session"),
		jen.Id("a").Op("*").Qual(podPkg, "Args"),
		jen.Id("e").Op("*").Qual(wirePkg, "Encoder"),
	).Error().Block(body...))
	return jen.Op("&").Qual(podPkg, "Method").Add(lines(lit)), nil
}

// writeResult writes a method's result. ByteData goes through the
// runtime, which sends it raw for an endpoint that asks for that
// (SendByteDataAsRaw).
func (s etyper) writeResult(t *endpoint.Type) jen.Code {
	if t.Kind == endpoint.Primitive && t.Name == model.TypeByteData {
		fn := "ByteDataResult"
		if t.Nullable {
			fn = "NullableByteDataResult"
		}
		return jen.Qual(podPkg, fn).Call(jen.Id("s"), jen.Id("e"), jen.Id("result"))
	}
	return s.write(t, jen.Id("result"))
}

// protocolYAML lists the endpoints as Serverpod's protocol.yaml does.
func protocolYAML(endpoints []*endpoint.Endpoint) []byte {
	var b strings.Builder
	for _, ep := range endpoints {
		b.WriteString(ep.Name + ":\n")
		for _, m := range ep.Methods {
			b.WriteString("  - " + m.Name + ":\n")
		}
	}
	return []byte(b.String())
}

// decodeArg is the call that decodes an ordinary parameter from the
// method's arguments a: pod.ArgPtr for a nullable one.
func (s etyper) decodeArg(p *endpoint.Param) *jen.Statement {
	fn, dec := "Arg", s.dec(p.Type)
	if p.Type.Nullable {
		fn, dec = "ArgPtr", s.dec(p.Type.NonNull())
	}
	return jen.Qual(podPkg, fn).Call(jen.Id("a"), jen.Lit(p.Name), dec)
}

// paramLiteral is the pod.Param of an ordinary parameter.
func paramLiteral(p *endpoint.Param) jen.Code {
	fields := []jen.Code{jen.Id("Name").Op(":").Lit(p.Name), jen.Id("Type").Op(":").Lit(p.Type.String())}
	if p.Type.Nullable {
		fields = append(fields, jen.Id("Nullable").Op(":").True())
	}
	return jen.Values(fields...)
}

// streamLiteral is the &pod.Method{...} of a method that streams, as
// package runtime/stream describes it: the ordinary arguments are decoded
// before the stream opens (a bad one answers invalidArguments), and the
// Run calls the method with the input streams and sends what it returns.
func (s etyper) streamLiteral(m *endpoint.Method) jen.Code {
	var params, inputs, decode []jen.Code
	callArgs := []jen.Code{jen.Id("s")}
	opts := jen.Dict{}
	for _, p := range m.Params {
		var v jen.Code
		if p.Stream {
			inputs = append(inputs, jen.Values(jen.Id("Name").Op(":").Lit(p.Name), jen.Id("Type").Op(":").Lit(p.Type.String())))
			v = jen.Qual(streamPkg, "Input").Call(jen.Id("c"), jen.Lit(p.Name), s.class(p.Type))
		} else {
			decode = append(decode,
				jen.List(jen.Id(argVar(p)), jen.Err()).Op(":=").Add(s.decodeArg(p)),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			)
			params = append(params, paramLiteral(p))
			v = jen.Id(argVar(p))
		}
		if p.Kind == endpoint.Positional {
			callArgs = append(callArgs, v)
		} else {
			opts[jen.Id(p.GoName)] = v
		}
	}
	if m.Struct != nil {
		callArgs = append(callArgs, jen.Qual(m.Struct.PkgPath, m.Struct.GoName).Values(opts))
	}
	call := jen.Id("ep").Dot(m.GoName).Call(callArgs...)
	var run []jen.Code
	returns := "ReturnsVoid"
	switch {
	case m.ReturnsStream:
		returns = "ReturnsStream"
		run = append(run, jen.Return(jen.Qual(streamPkg, "SendAll").Call(jen.Id("c"), s.class(m.Returns), call)))
	case m.Returns != nil:
		returns = "ReturnsValue"
		run = append(run,
			jen.List(jen.Id("result"), jen.Err()).Op(":=").Add(call),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
			jen.Return(jen.Qual(streamPkg, "Send").Call(jen.Id("c"), s.class(m.Returns), jen.Id("result"))),
		)
	default:
		run = append(run, jen.Return(call))
	}
	body := append(decode, jen.Return(
		jen.Func().Params(jen.Id("c").Op("*").Qual(streamPkg, "Call")).Error().Block(run...),
		jen.Nil(),
	))
	lit := []jen.Code{jen.Id("Name").Op(":").Lit(m.Name)}
	if len(params) > 0 {
		lit = append(lit, jen.Id("Params").Op(":").Index().Qual(podPkg, "Param").Add(lines(params)))
	}
	if len(inputs) > 0 {
		lit = append(lit, jen.Id("Inputs").Op(":").Index().Qual(podPkg, "StreamParam").Add(lines(inputs)))
	}
	lit = append(lit,
		jen.Id("Returns").Op(":").Qual(podPkg, returns),
		jen.Id("Stream").Op(":").Func().Params(
			jen.Id("s").Op("*").Qual(podPkg, "Session"),
			jen.Id("a").Op("*").Qual(podPkg, "Args"),
		).Params(jen.Qual(streamPkg, "Run"), jen.Error()).Block(body...),
	)
	return jen.Op("&").Qual(podPkg, "Method").Add(lines(lit))
}
