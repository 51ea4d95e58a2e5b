package endpoint

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/tools/go/packages"

	"github.com/gopod/gopod/generator/model"
)

const (
	podPkg  = "github.com/gopod/gopod/runtime/pod"
	wirePkg = "github.com/gopod/gopod/wire"
)

// Options tell discovery where to look and which Go types are models.
type Options struct {
	// Dir is the project root; positions are reported relative to it.
	Dir string
	// Patterns are go/packages patterns of the packages holding endpoints
	// (for example ./endpoints/...).
	Patterns []string
	// Models maps "<import path>.<TypeName>" of every generated model type
	// (the project's protocol package and the modules') to its model.
	Models map[string]*model.Model
	// Env is the environment for the go command (nil: the process's).
	Env []string
	// Overlay replaces or adds files (by absolute path) while
	// type-checking, so endpoints can be checked against models that are
	// generated but not written yet.
	Overlay map[string][]byte
}

// Discover type-checks the endpoint packages and returns their endpoints,
// sorted by file and declaration order, with a diagnostic for every method
// that cannot be served.
func Discover(ctx context.Context, o Options) ([]*Endpoint, []model.Diagnostic, error) {
	cfg := &packages.Config{
		Context: ctx,
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:     o.Dir,
		Env:     o.Env,
		Overlay: o.Overlay,
	}
	pkgs, err := packages.Load(cfg, o.Patterns...)
	if err != nil {
		return nil, nil, fmt.Errorf("loading endpoint packages %s: %w", strings.Join(o.Patterns, " "), err)
	}
	d := &discoverer{opts: o}
	for _, p := range pkgs {
		// A build failure is reported both as the compiler's summary
		// (without a position) and as positioned errors; keep the latter.
		positioned := false
		for _, e := range p.Errors {
			positioned = positioned || (e.Pos != "" && e.Pos != "-")
		}
		for _, e := range p.Errors {
			if positioned && (e.Pos == "" || e.Pos == "-") {
				continue
			}
			d.diag(e.Pos, model.Error, e.Msg+" (endpoints are only generated from Go code that compiles)")
		}
	}
	if len(d.diags) > 0 {
		return nil, d.diags, nil
	}
	var eps []*Endpoint
	for _, p := range pkgs {
		eps = append(eps, d.pkgEndpoints(p)...)
	}
	slices.SortStableFunc(eps, func(a, b *Endpoint) int {
		if c := strings.Compare(a.Pos.File, b.Pos.File); c != 0 {
			return c
		}
		return a.Pos.Line - b.Pos.Line
	})
	seen := map[string]*Endpoint{}
	for _, ep := range eps {
		if other, dup := seen[ep.Name]; dup {
			d.add(ep.Pos, model.Error, fmt.Sprintf("endpoint %s (from %s) has the same name on the wire as %s at %s; rename one of the types", ep.Name, ep.GoName, other.GoName, other.Pos))
		}
		seen[ep.Name] = ep
	}
	return eps, d.diags, nil
}

type discoverer struct {
	opts  Options
	fset  *token.FileSet
	diags []model.Diagnostic
}

func (d *discoverer) pos(p token.Pos) model.Pos {
	if d.fset == nil || !p.IsValid() {
		return model.Pos{}
	}
	return d.relPos(d.fset.Position(p))
}

func (d *discoverer) relPos(pp token.Position) model.Pos {
	file := pp.Filename
	if rel, err := filepath.Rel(d.opts.Dir, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = filepath.ToSlash(rel)
	}
	return model.Pos{File: file, Line: pp.Line, Col: pp.Column}
}

// diag records a go/packages error, whose position is "file:line:col".
func (d *discoverer) diag(pos string, sev model.Severity, msg string) {
	var p model.Pos
	parts := strings.Split(pos, ":")
	if len(parts) >= 1 {
		var line, col int
		if len(parts) >= 3 {
			fmt.Sscan(parts[len(parts)-2], &line)
			fmt.Sscan(parts[len(parts)-1], &col)
			p = d.relPos(token.Position{Filename: strings.Join(parts[:len(parts)-2], ":"), Line: line, Column: col})
		} else {
			p = model.Pos{File: pos}
		}
	}
	d.add(p, sev, msg)
}

func (d *discoverer) add(p model.Pos, sev model.Severity, msg string) {
	d.diags = append(d.diags, model.Diagnostic{Pos: p, Severity: sev, Message: msg})
}

// pkgEndpoints finds the endpoint types of one package in source order.
func (d *discoverer) pkgEndpoints(p *packages.Package) []*Endpoint {
	d.fset = p.Fset
	docs := collectDocs(p)
	var out []*Endpoint
	scope := p.Types.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || !tn.Exported() || !strings.HasSuffix(name, "Endpoint") {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok || !embedsPodEndpoint(named) {
			continue
		}
		ep := &Endpoint{
			Name:    endpointName(name),
			GoName:  name,
			PkgPath: p.PkgPath,
			PkgName: p.Name,
			Doc:     docs[name],
			Pos:     d.pos(tn.Pos()),
		}
		ep.Methods = d.methods(named, docs)
		out = append(out, ep)
	}
	return out
}

func embedsPodEndpoint(n *types.Named) bool {
	st, ok := n.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if !f.Embedded() {
			continue
		}
		t := f.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if isNamed(t, podPkg, "Endpoint") {
			return true
		}
	}
	return false
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := t.(*types.Named)
	if !ok {
		return false
	}
	o := n.Obj()
	return o.Pkg() != nil && o.Pkg().Path() == pkg && o.Name() == name
}

// endpointName follows Serverpod's rule: lower-case the first letter and
// drop a trailing "Endpoint" (ExampleEndpoint → example).
func endpointName(goName string) string {
	return lowerLeading(strings.TrimSuffix(goName, "Endpoint"))
}

// lowerLeading lower-cases the first letter, or a leading initialism (URLFor
// → urlFor, ID → id), giving the camelCase names Serverpod uses.
func lowerLeading(s string) string {
	r := []rune(s)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	switch {
	case n == 0:
		return s
	case n == 1 || n == len(r):
	default:
		n-- // the last capital starts the next word (URLFor: "F")
	}
	for i := 0; i < n; i++ {
		r[i] = unicode.ToLower(r[i])
	}
	return string(r)
}

// methods returns the endpoint methods declared on the type (not promoted
// from embedded fields), in source order.
func (d *discoverer) methods(named *types.Named, docs map[string][]string) []*Method {
	var fns []*types.Func
	for i := 0; i < named.NumMethods(); i++ {
		if fn := named.Method(i); fn.Exported() {
			fns = append(fns, fn)
		}
	}
	slices.SortFunc(fns, func(a, b *types.Func) int { return int(a.Pos() - b.Pos()) })
	var out []*Method
	seen := map[string]*Method{}
	for _, fn := range fns {
		sig := fn.Type().(*types.Signature)
		if sig.Params().Len() == 0 || !isSessionParam(sig.Params().At(0).Type()) {
			continue // like Serverpod, methods without the session are not endpoint methods
		}
		m, ok := d.method(named, fn, sig, docs)
		if !ok {
			continue
		}
		if other, dup := seen[m.Name]; dup {
			d.add(m.Pos, model.Error, fmt.Sprintf("methods %s and %s both have the wire name %q; rename one", other.GoName, m.GoName, m.Name))
			continue
		}
		seen[m.Name] = m
		out = append(out, m)
	}
	return out
}

func isSessionParam(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	return ok && isNamed(p.Elem(), podPkg, "Session")
}

func (d *discoverer) method(recv *types.Named, fn *types.Func, sig *types.Signature, docs map[string][]string) (*Method, bool) {
	pos := d.pos(fn.Pos())
	where := recv.Obj().Name() + "." + fn.Name()
	m := &Method{Name: lowerLeading(fn.Name()), GoName: fn.Name(), Pos: pos, Doc: docs[recv.Obj().Name()+"."+fn.Name()]}
	m.Deprecated = deprecation(m.Doc)
	ok := true
	if sig.Variadic() {
		d.add(pos, model.Error, fmt.Sprintf("%s: variadic parameters are not supported by endpoint methods; take a slice instead", where))
		ok = false
	}
	params := sig.Params()
	for i := 1; i < params.Len(); i++ {
		v := params.At(i)
		ppos := d.pos(v.Pos())
		if v.Name() == "" || v.Name() == "_" {
			d.add(ppos, model.Error, fmt.Sprintf("%s: parameter %d needs a name: clients send arguments by name", where, i))
			ok = false
			continue
		}
		t, err := d.modelType(v.Type())
		if err != nil {
			d.add(ppos, model.Error, fmt.Sprintf("%s: parameter %s: %v", where, v.Name(), err))
			ok = false
			continue
		}
		m.Params = append(m.Params, &Param{Name: v.Name(), Type: t, GoType: types.TypeString(v.Type(), relativeTo(recv)), Pos: ppos})
	}
	results := sig.Results()
	errType := types.Universe.Lookup("error").Type()
	switch {
	case results.Len() == 1 && types.Identical(results.At(0).Type(), errType):
	case results.Len() == 2 && types.Identical(results.At(1).Type(), errType):
		t, err := d.modelType(results.At(0).Type())
		if err != nil {
			d.add(pos, model.Error, fmt.Sprintf("%s: result: %v", where, err))
			ok = false
		}
		m.Returns = t
	default:
		d.add(pos, model.Error, fmt.Sprintf("%s: an endpoint method returns error, or a value and error (got %s)", where, results))
		ok = false
	}
	return m, ok
}

func relativeTo(n *types.Named) types.Qualifier {
	return func(p *types.Package) string {
		if p == n.Obj().Pkg() {
			return ""
		}
		return p.Name()
	}
}

// modelType maps a Go type of an endpoint signature to the model language.
func (d *discoverer) modelType(t types.Type) (*model.Type, error) {
	switch t := t.(type) {
	case *types.Basic:
		switch t.Kind() {
		case types.Int64:
			return &model.Type{Name: model.TypeInt}, nil
		case types.Float64:
			return &model.Type{Name: model.TypeDouble}, nil
		case types.Bool:
			return &model.Type{Name: model.TypeBool}, nil
		case types.String:
			return &model.Type{Name: model.TypeString}, nil
		case types.Int, types.Int32, types.Int16, types.Int8, types.Uint, types.Uint64, types.Uint32, types.Uint16, types.Uint8:
			return nil, fmt.Errorf("type %s is not supported; use int64 (Serverpod's int)", t)
		case types.Float32:
			return nil, fmt.Errorf("type float32 is not supported; use float64 (Serverpod's double)")
		}
	case *types.Pointer:
		elem := t.Elem()
		switch {
		case isNamed(elem, "net/url", "URL"):
			return &model.Type{Name: model.TypeURI}, nil
		case isNamed(elem, "math/big", "Int"):
			return &model.Type{Name: model.TypeBigInt}, nil
		}
		if _, isPtr := elem.(*types.Pointer); isPtr {
			return nil, fmt.Errorf("type %s is not supported; use a single pointer for a nullable value", t)
		}
		inner, err := d.modelType(elem)
		if err != nil {
			return nil, err
		}
		inner.Nullable = true
		return inner, nil
	case *types.Slice:
		if b, ok := t.Elem().(*types.Basic); ok && b.Kind() == types.Byte {
			return &model.Type{Name: model.TypeByteData}, nil
		}
		if n, ok := t.Elem().(*types.Named); ok && isNamed(n, wirePkg, "Entry") {
			args := n.TypeArgs()
			k, err := d.modelType(args.At(0))
			if err != nil {
				return nil, err
			}
			v, err := d.modelType(args.At(1))
			if err != nil {
				return nil, err
			}
			return &model.Type{Name: model.TypeMap, Args: []*model.Type{k, v}}, nil
		}
		elem, err := d.modelType(t.Elem())
		if err != nil {
			return nil, err
		}
		return &model.Type{Name: model.TypeList, Args: []*model.Type{elem}}, nil
	case *types.Map:
		k, err := d.modelType(t.Key())
		if err != nil {
			return nil, err
		}
		v, err := d.modelType(t.Elem())
		if err != nil {
			return nil, err
		}
		return &model.Type{Name: model.TypeMap, Args: []*model.Type{k, v}}, nil
	case *types.Named:
		switch {
		case isNamed(t, "time", "Time"):
			return &model.Type{Name: model.TypeDateTime}, nil
		case isNamed(t, "time", "Duration"):
			return &model.Type{Name: model.TypeDuration}, nil
		case isNamed(t, wirePkg, "UUID"):
			return &model.Type{Name: model.TypeUUID}, nil
		case isNamed(t, "net/url", "URL"):
			return nil, fmt.Errorf("type url.URL is not supported; use *url.URL (Serverpod's Uri)")
		case isNamed(t, "math/big", "Int"):
			return nil, fmt.Errorf("type big.Int is not supported; use *big.Int (Serverpod's BigInt)")
		}
		if o := t.Obj(); o.Pkg() != nil {
			if m := d.opts.Models[o.Pkg().Path()+"."+o.Name()]; m != nil {
				return &model.Type{Name: m.ClassName, Module: m.Module, Model: m}, nil
			}
		}
		return nil, fmt.Errorf("type %s is not a model: use a type generated from a model file, or one of the model language's types", t)
	}
	return nil, fmt.Errorf("type %s is not supported by endpoint methods", t)
}

// collectDocs reads the doc comments of type declarations ("Name") and
// methods ("Recv.Method").
func collectDocs(p *packages.Package) map[string][]string {
	docs := map[string][]string{}
	for _, f := range p.Syntax {
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok {
						continue
					}
					doc := ts.Doc
					if doc == nil && len(decl.Specs) == 1 {
						doc = decl.Doc
					}
					docs[ts.Name.Name] = docLines(doc)
				}
			case *ast.FuncDecl:
				if decl.Recv == nil || len(decl.Recv.List) == 0 {
					continue
				}
				docs[recvName(decl.Recv.List[0].Type)+"."+decl.Name.Name] = docLines(decl.Doc)
			}
		}
	}
	return docs
}

func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr:
		return recvName(e.X)
	}
	return ""
}

func docLines(g *ast.CommentGroup) []string {
	if g == nil {
		return nil
	}
	text := strings.TrimRight(g.Text(), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// deprecation returns the text of a "Deprecated:" paragraph.
func deprecation(doc []string) string {
	for i, line := range doc {
		if rest, ok := strings.CutPrefix(line, "Deprecated:"); ok {
			parts := []string{strings.TrimSpace(rest)}
			for _, more := range doc[i+1:] {
				if strings.TrimSpace(more) == "" {
					break
				}
				parts = append(parts, strings.TrimSpace(more))
			}
			return strings.TrimSpace(strings.Join(parts, " "))
		}
	}
	return ""
}
