package gocode

import (
	"fmt"
	"path"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/endpoint"
)

// endpointType names the client type of an endpoint (example → EndpointExample),
// as Serverpod's Dart client does.
func endpointType(ep *endpoint.Endpoint) string { return "Endpoint" + exported(ep.Name) }

// Client writes client.go of the Go client package: one type per endpoint
// with a method per endpoint method, and the Client (or, for a module, the
// Caller that a project's client embeds under Modules).
func Client(endpoints []*endpoint.Endpoint, o Options) (Files, error) {
	f := o.newFile(o.ClientPkg)
	cli := newEtyper(o.clientTyper())
	prefix := ""
	if o.Module {
		prefix = o.Name + "."
	}
	caller := jen.Op("*").Qual(clientPkg, "Caller")

	fieldsOf := func(g *jen.Group) {
		for _, ep := range endpoints {
			g.Id(exported(ep.Name)).Op("*").Id(endpointType(ep))
		}
	}
	valuesOf := func(d jen.Dict) {
		for _, ep := range endpoints {
			d[jen.Id(exported(ep.Name))] = jen.Op("&").Id(endpointType(ep)).Values(jen.Dict{jen.Id("caller"): jen.Id("c")})
		}
	}

	if o.Module {
		f.Comment(fmt.Sprintf("Caller calls the endpoints of the %s module. A project's generated client", o.Name))
		f.Comment("holds one under Modules.")
		f.Type().Id("Caller").StructFunc(fieldsOf)
		f.Line()
		f.Comment("NewCaller returns the module's endpoints, calling through c.")
		f.Func().Id("NewCaller").Params(jen.Id("c").Add(caller)).Op("*").Id("Caller").Block(
			jen.Return(jen.Op("&").Id("Caller").Values(jen.DictFunc(valuesOf))),
		)
	} else {
		f.Comment(fmt.Sprintf("Client calls the %s server.", o.Name))
		f.Type().Id("Client").StructFunc(func(g *jen.Group) {
			g.Comment("Caller sends the calls; it holds the authentication key.")
			g.Id("Caller").Add(caller)
			fieldsOf(g)
			if len(o.Modules) > 0 {
				g.Id("Modules").Id("Modules")
			}
		})
		f.Line()
		if len(o.Modules) > 0 {
			f.Comment("Modules are the endpoints of the modules the server uses, by nickname.")
			f.Type().Id("Modules").StructFunc(func(g *jen.Group) {
				for _, m := range o.Modules {
					g.Id(exported(m.Nickname)).Op("*").Qual(m.ClientPkg, "Caller")
				}
			})
			f.Line()
		}
		f.Comment("New returns a client for the server at host, such as http://localhost:8080/.")
		f.Func().Id("New").Params(jen.Id("host").String(), jen.Id("opts").Op("...").Qual(clientPkg, "Option")).Op("*").Id("Client").Block(
			jen.Id("c").Op(":=").Qual(clientPkg, "NewCaller").Call(jen.Id("host"), jen.Id("Registry").Call(), jen.Id("opts").Op("...")),
			jen.Return(jen.Op("&").Id("Client").Values(jen.DictFunc(func(d jen.Dict) {
				d[jen.Id("Caller")] = jen.Id("c")
				valuesOf(d)
				if len(o.Modules) > 0 {
					d[jen.Id("Modules")] = jen.Id("Modules").Values(jen.DictFunc(func(md jen.Dict) {
						for _, m := range o.Modules {
							md[jen.Id(exported(m.Nickname))] = jen.Qual(m.ClientPkg, "NewCaller").Call(jen.Id("c"))
						}
					}))
				}
			}))),
		)
	}

	typeNames := map[string]*endpoint.Endpoint{}
	for _, ep := range endpoints {
		if other, dup := typeNames[endpointType(ep)]; dup {
			return nil, fmt.Errorf("%s: endpoints %s and %s would both be %s in the Go client; rename one or give one a //gopod:name line", ep.Pos, other.Name, ep.Name, endpointType(ep))
		}
		typeNames[endpointType(ep)] = ep
	}
	declared := map[string]bool{}
	for _, ep := range endpoints {
		f.Line()
		f.Add(docLines(ep.Doc, fmt.Sprintf("%s calls the %s endpoint.", endpointType(ep), ep.Name)))
		f.Type().Id(endpointType(ep)).Struct(jen.Id("caller").Add(caller))
		for _, m := range ep.Methods {
			if m.Struct != nil && !declared[m.Struct.GoName] {
				declared[m.Struct.GoName] = true
				f.Line()
				f.Add(cli.paramStruct(ep, m))
			}
			f.Line()
			f.Add(cli.clientMethod(ep, m, prefix))
		}
	}
	cli.recordDecls(f)
	cli.classDecls(f)
	code, err := o.render(f)
	if err != nil {
		return nil, fmt.Errorf("rendering the client of %s: %w", path.Base(o.ClientPkg), err)
	}
	return Files{"client.go": code}, nil
}

// paramStruct declares the client's copy of a method's struct of optional
// or named parameters.
func (s etyper) paramStruct(ep *endpoint.Endpoint, m *endpoint.Method) jen.Code {
	what := "named"
	if m.Struct.Kind == endpoint.OptionalPositional {
		what = "optional"
	}
	doc := fmt.Sprintf("%s holds the %s parameters of %s.%s.", m.Struct.GoName, what, ep.Name, m.Name)
	return jen.Comment(doc).Line().Type().Id(m.Struct.GoName).StructFunc(func(g *jen.Group) {
		for _, p := range m.Params {
			if p.Kind != endpoint.Positional {
				g.Id(p.GoName).Add(s.paramType(p))
			}
		}
	})
}

// clientParamName is the Go client's name for a positional parameter: the
// endpoint's own, unless the client method needs that name for itself or
// for a package it uses.
func clientParamName(p *endpoint.Param) string {
	name := unexported(p.GoName)
	switch name {
	case "ctx", "x", "e", "opts", "context", "wire", "podclient", "time", "url", "big", "iter":
		return name + "Arg"
	}
	if strings.HasSuffix(name, "client") {
		return name + "Arg" // a module's client package (authclient)
	}
	return name
}

func (s etyper) clientMethod(ep *endpoint.Endpoint, m *endpoint.Method, prefix string) jen.Code {
	params := []jen.Code{jen.Id("ctx").Qual("context", "Context")}
	var writes, inputs []jen.Code
	used := map[string]bool{}
	for _, p := range m.Params {
		var expr *jen.Statement
		if p.Kind == endpoint.Positional {
			name := clientParamName(p)
			for used[name] {
				name += "_" // userId and userID both read userID in Go
			}
			used[name] = true
			params = append(params, jen.Id(name).Add(s.paramType(p)))
			expr = jen.Id(name)
		} else {
			expr = jen.Id("opts").Dot(p.GoName)
		}
		if p.Stream {
			inputs = append(inputs, jen.Qual(clientPkg, "NewInput").Call(jen.Lit(p.Name), s.class(p.Type), expr))
			continue
		}
		writes = append(writes, jen.Id("e").Dot("Key").Call(jen.Lit(p.Name)), s.write(p.Type, expr))
	}
	if m.Struct != nil {
		params = append(params, jen.Id("opts").Id(m.Struct.GoName))
	}
	var args jen.Code = jen.Nil()
	if len(writes) > 0 {
		args = jen.Func().Params(jen.Id("e").Op("*").Qual(wirePkg, "Encoder")).Block(writes...)
	}
	doc := jen.Null()
	if len(m.Doc) > 0 {
		doc.Add(docLines(m.Doc, ""))
	} else {
		doc.Comment(fmt.Sprintf("%s calls %s.%s.", m.GoName, ep.Name, m.Name))
	}
	if m.Deprecated != "" && len(m.Doc) == 0 {
		doc.Line().Comment("").Line().Comment("Deprecated: " + m.Deprecated)
	}
	recv := jen.Id("x").Op("*").Id(endpointType(ep))
	wireName := jen.Lit(prefix + ep.Name)
	if m.Streaming() {
		var in jen.Code = jen.Nil()
		if len(inputs) > 0 {
			in = jen.Index().Qual(clientPkg, "Input").Add(lines(inputs))
		}
		head := jen.Add(doc).Line().Func().Params(recv).Id(m.GoName).Params(params...)
		callArgs := []jen.Code{jen.Id("ctx"), jen.Id("x").Dot("caller"), wireName, jen.Lit(m.Name), args, in}
		switch {
		case m.ReturnsStream:
			return head.Qual("iter", "Seq2").Types(s.goType(m.Returns), jen.Error()).Block(
				jen.Return(jen.Qual(clientPkg, "Stream").Call(append(callArgs, s.class(m.Returns))...)))
		case m.Returns != nil:
			return head.Params(s.goType(m.Returns), jen.Error()).Block(
				jen.Return(jen.Qual(clientPkg, "StreamValue").Call(append(callArgs, s.class(m.Returns))...)))
		}
		return head.Error().Block(jen.Return(jen.Qual(clientPkg, "StreamVoid").Call(callArgs...)))
	}
	if m.Returns == nil {
		return jen.Add(doc).Line().Func().Params(recv).Id(m.GoName).Params(params...).Error().Block(
			jen.Return(jen.Qual(clientPkg, "CallVoid").Call(jen.Id("ctx"), jen.Id("x").Dot("caller"), wireName, jen.Lit(m.Name), args)),
		)
	}
	return jen.Add(doc).Line().Func().Params(recv).Id(m.GoName).Params(params...).Params(s.goType(m.Returns), jen.Error()).Block(
		jen.Return(jen.Qual(clientPkg, "Call").Call(jen.Id("ctx"), jen.Id("x").Dot("caller"), wireName, jen.Lit(m.Name), args, s.dec(m.Returns))),
	)
}

// paramType is the Go type of a parameter: iter.Seq2[T, error] for an
// input stream of T.
func (s etyper) paramType(p *endpoint.Param) *jen.Statement {
	if p.Stream {
		return jen.Qual("iter", "Seq2").Types(s.goType(p.Type), jen.Error())
	}
	return s.goType(p.Type)
}
