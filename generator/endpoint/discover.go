package endpoint

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"github.com/gopod/gopod/generator/model"
)

const (
	podPkg  = "github.com/gopod/gopod/runtime/pod"
	wirePkg = "github.com/gopod/gopod/wire"
)

// Options tell discovery where to look and which Go types are models.
type Options struct {
	// Dir is the project root; positions are reported relative to it, and
	// patterns are resolved from it.
	Dir string
	// ModulePath and ModuleDir locate the Go module holding the project.
	// Its packages are type-checked from source; everything else from the
	// go command's export data.
	ModulePath string
	ModuleDir  string
	// Patterns are the packages holding endpoints: ./endpoints/... or
	// ./endpoints, relative to Dir; other patterns are resolved by the go
	// command.
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
	// CacheDir, when set, keeps the go command's list of export data
	// between runs.
	CacheDir string
	// ParseCache, when set, keeps parsed files between runs in this
	// process.
	ParseCache *ParseCache
}

// Discover type-checks the endpoint packages and returns their endpoints,
// sorted by file and declaration order, with a diagnostic for every method
// that cannot be served.
func Discover(ctx context.Context, o Options) ([]*Endpoint, []model.Diagnostic, error) {
	if o.ModuleDir == "" {
		o.ModuleDir = o.Dir
	}
	l := newLoader(ctx, o)
	pkgs, err := l.load()
	if err != nil {
		return nil, nil, fmt.Errorf("loading endpoint packages %s: %w", strings.Join(o.Patterns, " "), err)
	}
	if len(l.diags) > 0 {
		return nil, l.diags, nil
	}
	d := &discoverer{reporter: l.reporter}
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
			d.add(ep.Pos, model.Error, fmt.Sprintf("endpoint %s (from %s) has the same name on the wire as %s at %s; rename one of the types or give one a `//gopod:name` line", ep.Name, ep.GoName, other.GoName, other.Pos))
		}
		seen[ep.Name] = ep
	}
	d.checkOptionNames(eps)
	return eps, d.diags, nil
}

// reporter collects diagnostics with positions relative to the project.
type reporter struct {
	opts  Options
	fset  *token.FileSet
	diags []model.Diagnostic
}

func (r *reporter) pos(p token.Pos) model.Pos {
	if r.fset == nil || !p.IsValid() {
		return model.Pos{}
	}
	return r.relPos(r.fset.Position(p))
}

func (r *reporter) relPos(pp token.Position) model.Pos {
	file := pp.Filename
	if rel, err := filepath.Rel(r.opts.Dir, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = filepath.ToSlash(rel)
	}
	return model.Pos{File: file, Line: pp.Line, Col: pp.Column}
}

func (r *reporter) add(p model.Pos, sev model.Severity, msg string) {
	r.diags = append(r.diags, model.Diagnostic{Pos: p, Severity: sev, Message: msg})
}

type discoverer struct {
	*reporter
	// options remembers the option structs seen, by Go client name.
	options map[string]*optionsDecl
}

type optionsDecl struct {
	named *types.Named
	opts  *ParamStruct
}

// pkgEndpoints finds the endpoint types of one package in source order.
func (d *discoverer) pkgEndpoints(p *pkg) []*Endpoint {
	decls := collectDecls(p.files)
	var out []*Endpoint
	scope := p.types.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || !tn.Exported() || !strings.HasSuffix(name, "Endpoint") || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok || !embedsPodEndpoint(named) {
			continue
		}
		doc := decls.types[name]
		ep := &Endpoint{
			Name:    endpointName(name),
			GoName:  name,
			PkgPath: p.path,
			PkgName: p.name,
			Doc:     docLines(doc),
			Pos:     d.pos(tn.Pos()),
		}
		dirs := d.directives(doc)
		if n, ok := dirs.name(d, "endpoint "+name); ok {
			ep.Name = n
		}
		dirs.rejectParams(d, "a type")
		ep.Methods = d.methods(named, decls)
		out = append(out, ep)
	}
	return out
}

func embedsPodEndpoint(n *types.Named) bool { return embeds(n, podPkg, "Endpoint") }

// embeds reports whether struct type n embeds pkg.name (or a pointer to it).
func embeds(n *types.Named, pkg, name string) bool {
	st, ok := n.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if !f.Embedded() {
			continue
		}
		t := types.Unalias(f.Type())
		if p, ok := t.(*types.Pointer); ok {
			t = types.Unalias(p.Elem())
		}
		if isNamed(t, pkg, name) {
			return true
		}
	}
	return false
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	o := n.Obj()
	return o.Pkg() != nil && o.Pkg().Path() == pkg && o.Name() == name
}

// endpointName follows Serverpod 2.4's rule: lower-case the first letter
// and drop a trailing "Endpoint" (ExampleEndpoint → example,
// HTTPTestEndpoint → hTTPTest).
func endpointName(goName string) string {
	r := []rune(strings.TrimSuffix(goName, "Endpoint"))
	if len(r) == 0 {
		return ""
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
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
func (d *discoverer) methods(named *types.Named, decls *declIndex) []*Method {
	var fns []*types.Func
	for i := 0; i < named.NumMethods(); i++ {
		if fn := named.Method(i); fn.Exported() {
			fns = append(fns, fn)
		}
	}
	// By file name, then offset: the files of a package are loaded in
	// parallel, so positions alone do not order methods of different files
	// the same way from one run to the next.
	slices.SortFunc(fns, func(a, b *types.Func) int {
		pa, pb := d.fset.Position(a.Pos()), d.fset.Position(b.Pos())
		if c := strings.Compare(pa.Filename, pb.Filename); c != 0 {
			return c
		}
		return pa.Offset - pb.Offset
	})
	var out []*Method
	seen := map[string]*Method{}
	for _, fn := range fns {
		sig := fn.Type().(*types.Signature)
		if sig.Params().Len() == 0 || !isSessionParam(sig.Params().At(0).Type()) {
			continue // like Serverpod, methods without the session are not endpoint methods
		}
		if hooks[fn.Name()] {
			continue // endpoint streaming hooks (pod.Endpoint), not callable
		}
		m, ok := d.method(named, fn, sig, decls.methods[named.Obj().Name()+"."+fn.Name()])
		if !ok {
			continue
		}
		if other, dup := seen[m.Name]; dup {
			d.add(m.Pos, model.Error, fmt.Sprintf("methods %s and %s both have the wire name %q; rename one or give one a `//gopod:name` line", other.GoName, m.GoName, m.Name))
			continue
		}
		seen[m.Name] = m
		out = append(out, m)
	}
	return out
}

func isSessionParam(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && isNamed(p.Elem(), podPkg, "Session")
}

func (d *discoverer) method(recv *types.Named, fn *types.Func, sig *types.Signature, decl *ast.FuncDecl) (*Method, bool) {
	pos := d.pos(fn.Pos())
	where := recv.Obj().Name() + "." + fn.Name()
	m := &Method{Name: lowerLeading(fn.Name()), GoName: fn.Name(), Pos: pos}
	var dirs directives
	if decl != nil {
		m.Doc = docLines(decl.Doc)
		dirs = d.directives(decl.Doc)
	}
	m.Deprecated = deprecation(m.Doc)
	if n, ok := dirs.name(d, "method "+where); ok {
		m.Name = n
	}
	ok := true
	if sig.Variadic() {
		d.add(pos, model.Error, fmt.Sprintf("%s: variadic parameters are not supported by endpoint methods; take a slice instead", where))
		ok = false
	}
	if sig.TypeParams().Len() > 0 || recv.TypeParams().Len() > 0 {
		d.add(pos, model.Error, fmt.Sprintf("%s: generic endpoints and methods are not supported", where))
		return m, false
	}
	params := sig.Params()
	renamed := map[string]bool{}
	for i := 1; i < params.Len(); i++ {
		v := params.At(i)
		ppos := d.pos(v.Pos())
		if v.Name() == "" || v.Name() == "_" {
			d.add(ppos, model.Error, fmt.Sprintf("%s: parameter %d needs a name: clients send arguments by name", where, i))
			ok = false
			continue
		}
		if n, isOpts := types.Unalias(v.Type()).(*types.Named); isOpts && (embeds(n, podPkg, "Named") || embeds(n, podPkg, "Optional")) {
			if i != params.Len()-1 {
				d.add(ppos, model.Error, fmt.Sprintf("%s: parameter %s holds optional or named parameters and must be the last parameter", where, v.Name()))
				ok = false
				continue
			}
			if !d.optionParams(m, n, ppos, where) {
				ok = false
			}
			continue
		}
		if p, isPtr := types.Unalias(v.Type()).(*types.Pointer); isPtr {
			if n, isOpts := types.Unalias(p.Elem()).(*types.Named); isOpts && (embeds(n, podPkg, "Named") || embeds(n, podPkg, "Optional")) {
				d.add(ppos, model.Error, fmt.Sprintf("%s: parameter %s: take %s by value, not as a pointer", where, v.Name(), n.Obj().Name()))
				ok = false
				continue
			}
		}
		elem, isStream, err := d.streamForm(v.Type())
		var t *Type
		switch {
		case err != nil:
		case isStream:
			t, err = d.streamType(elem)
		default:
			t, err = d.goForm(v.Type())
		}
		if err != nil {
			d.add(ppos, model.Error, fmt.Sprintf("%s: parameter %s: %v", where, v.Name(), err))
			ok = false
			continue
		}
		wire := paramWireName(v.Name())
		if w, found := dirs.params[v.Name()]; found {
			wire = w.wire
			renamed[v.Name()] = true
		}
		m.Params = append(m.Params, &Param{Name: wire, GoName: v.Name(), Kind: Positional, Type: t, GoType: types.TypeString(v.Type(), relativeTo(recv)), Stream: isStream, Pos: ppos})
	}
	for goName, p := range dirs.params {
		if !renamed[goName] {
			d.add(p.pos, model.Error, fmt.Sprintf("%s: `//gopod:param %s %s` names no positional parameter of the method", where, goName, p.wire))
			ok = false
		}
	}
	wireNames := map[string]*Param{}
	for _, p := range m.Params {
		if other, dup := wireNames[p.Name]; dup {
			d.add(p.Pos, model.Error, fmt.Sprintf("%s: parameters %s and %s both have the wire name %q", where, other.GoName, p.GoName, p.Name))
			ok = false
		}
		wireNames[p.Name] = p
	}
	results := sig.Results()
	errType := types.Universe.Lookup("error").Type()
	var first types.Type
	if results.Len() > 0 {
		first = results.At(0).Type()
	}
	elem, isStream, streamErr := d.streamForm(first)
	switch {
	case results.Len() == 1 && types.Identical(first, errType):
	case isStream && streamErr != nil:
		d.add(pos, model.Error, fmt.Sprintf("%s: result: %v", where, streamErr))
		ok = false
	case results.Len() == 1 && isStream:
		m.ReturnsStream = true
		t, err := d.streamType(elem)
		if err != nil {
			d.add(pos, model.Error, fmt.Sprintf("%s: result: %v", where, err))
			ok = false
		}
		m.Returns = t
	case results.Len() == 2 && types.Identical(results.At(1).Type(), errType) && isStream:
		d.add(pos, model.Error, fmt.Sprintf("%s: a method that streams returns %s alone: its errors travel in the stream, as a (zero, err) pair that ends it", where, types.TypeString(first, shortQualifier)))
		ok = false
	case results.Len() == 2 && types.Identical(results.At(1).Type(), errType):
		t, err := d.goForm(first)
		if err != nil {
			d.add(pos, model.Error, fmt.Sprintf("%s: result: %v", where, err))
			ok = false
		}
		m.Returns = t
	default:
		d.add(pos, model.Error, fmt.Sprintf("%s: an endpoint method returns error, a value and error, or a stream iter.Seq2[T, error] (got %s)", where, results))
		ok = false
	}
	return m, ok
}

// optionParams adds the fields of an options struct (one embedding
// pod.Named or pod.Optional) as the method's named or optional
// positional parameters.
func (d *discoverer) optionParams(m *Method, n *types.Named, pos model.Pos, where string) bool {
	kind := Named
	marker := "pod.Named"
	if embeds(n, podPkg, "Optional") {
		kind, marker = OptionalPositional, "pod.Optional"
		if embeds(n, podPkg, "Named") {
			d.add(pos, model.Error, fmt.Sprintf("%s: %s embeds both pod.Named and pod.Optional; Dart methods take optional positional or named parameters, not both", where, n.Obj().Name()))
			return false
		}
	}
	name := n.Obj().Name()
	if !n.Obj().Exported() {
		d.add(pos, model.Error, fmt.Sprintf("%s: %s must be exported: the generated dispatch package builds it", where, name))
		return false
	}
	if n.Obj().Pkg() == nil || n.TypeParams().Len() > 0 {
		d.add(pos, model.Error, fmt.Sprintf("%s: %s must be a non-generic struct type declared in an endpoint package", where, name))
		return false
	}
	st := n.Underlying().(*types.Struct)
	m.Struct = &ParamStruct{GoName: name, PkgPath: n.Obj().Pkg().Path(), Kind: kind, Pos: d.pos(n.Obj().Pos())}
	if d.options == nil {
		d.options = map[string]*optionsDecl{}
	}
	if prev, ok := d.options[name]; ok && prev.named != n {
		d.add(m.Struct.Pos, model.Error, fmt.Sprintf("%s: option structs %s (%s) and %s (%s) would have the same name in the Go client; rename one", where, name, prev.opts.Pos, name, m.Struct.Pos))
		return false
	}
	d.options[name] = &optionsDecl{named: n, opts: m.Struct}
	ok := true
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		fpos := d.pos(f.Pos())
		if f.Embedded() {
			if isNamed(f.Type(), podPkg, "Named") || isNamed(f.Type(), podPkg, "Optional") {
				continue
			}
			d.add(fpos, model.Error, fmt.Sprintf("%s: %s embeds %s; the fields of an options struct are parameters, embed only %s", where, name, f.Type(), marker))
			ok = false
			continue
		}
		if !f.Exported() {
			d.add(fpos, model.Error, fmt.Sprintf("%s: field %s.%s must be exported: generated code sets it", where, name, f.Name()))
			ok = false
			continue
		}
		elem, isStream, err := d.streamForm(f.Type())
		var t *Type
		switch {
		case err != nil:
		case isStream && kind == OptionalPositional:
			err = fmt.Errorf("an optional parameter cannot be a stream (2.4: nullable parameters of the type Stream are not supported); make it a positional parameter, or a field of a struct embedding pod.Named")
		case isStream:
			t, err = d.streamType(elem)
		default:
			t, err = d.goForm(f.Type())
		}
		if err != nil {
			d.add(fpos, model.Error, fmt.Sprintf("%s: parameter %s.%s: %v", where, name, f.Name(), err))
			ok = false
			continue
		}
		if kind == OptionalPositional && !t.Nullable {
			d.add(fpos, model.Error, fmt.Sprintf("%s: optional parameter %s.%s must be nullable (a pointer), as Dart's [%s? x] is; use pod.Named for a required parameter", where, name, f.Name(), t))
			ok = false
			continue
		}
		wire, err := tagName(st.Tag(i), f.Name())
		if err != nil {
			d.add(fpos, model.Error, fmt.Sprintf("%s: field %s.%s: %v", where, name, f.Name(), err))
			ok = false
			continue
		}
		m.Params = append(m.Params, &Param{Name: wire, GoName: f.Name(), Kind: kind, Type: t, GoType: types.TypeString(f.Type(), relativeTo(n)), Stream: isStream, Pos: fpos})
	}
	if ok && len(m.Params) == 0 {
		d.add(pos, model.Error, fmt.Sprintf("%s: %s has no fields; leave the parameter out", where, name))
		return false
	}
	return ok
}

// tagName is the wire name of an options struct field: its `pod:"name"`
// tag, or its Go name with the leading capital lower-cased.
func tagName(tag, goName string) (string, error) {
	v, ok := reflect.StructTag(tag).Lookup("pod")
	if !ok {
		return lowerLeading(goName), nil
	}
	if !isIdentifier(v) {
		return "", fmt.Errorf("tag pod:%q is not a parameter name", v)
	}
	return v, nil
}

// checkOptionNames refuses option structs whose name the Go client
// already uses for something else.
func (d *discoverer) checkOptionNames(eps []*Endpoint) {
	taken := map[string]string{}
	for _, m := range d.opts.Models {
		taken[m.ClassName] = "model " + m.ClassName
	}
	for _, ep := range eps {
		taken["Endpoint"+exportedName(ep.Name)] = "the client type of endpoint " + ep.Name
	}
	for _, n := range []string{"Client", "Modules", "New", "NewCaller", "Caller", "Registry"} {
		taken[n] = "the client's " + n
	}
	for _, name := range slices.Sorted(maps.Keys(d.options)) {
		if what, clash := taken[name]; clash {
			d.add(d.options[name].opts.Pos, model.Error, fmt.Sprintf("options struct %s has the same name as %s in the Go client; rename it", name, what))
		}
	}
}

func exportedName(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

func relativeTo(n *types.Named) types.Qualifier {
	return func(p *types.Package) string {
		if p == n.Obj().Pkg() {
			return ""
		}
		return p.Name()
	}
}

// paramWireName is a Go parameter's name on the wire. Go cannot name a
// parameter map or type, so a trailing underscore after a keyword or
// predeclared name is dropped: map_ is sent as map, as 2.4 clients do.
func paramWireName(goName string) string {
	if stem, ok := strings.CutSuffix(goName, "_"); ok && (token.IsKeyword(stem) || types.Universe.Lookup(stem) != nil) {
		return stem
	}
	return goName
}

// isIdentifier reports whether s can be a wire name: a Dart identifier
// (Go keywords such as map are fine there).
func isIdentifier(s string) bool {
	for i, r := range s {
		switch {
		case r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// declIndex finds the declarations of types and methods for their docs.
type declIndex struct {
	types   map[string]*ast.CommentGroup
	methods map[string]*ast.FuncDecl // "Recv.Method"
}

func collectDecls(files []*ast.File) *declIndex {
	idx := &declIndex{types: map[string]*ast.CommentGroup{}, methods: map[string]*ast.FuncDecl{}}
	for _, f := range files {
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
					idx.types[ts.Name.Name] = doc
				}
			case *ast.FuncDecl:
				if decl.Recv == nil || len(decl.Recv.List) == 0 {
					continue
				}
				idx.methods[recvName(decl.Recv.List[0].Type)+"."+decl.Name.Name] = decl
			}
		}
	}
	return idx
}

func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr:
		return recvName(e.X)
	case *ast.ParenExpr:
		return recvName(e.X)
	}
	return ""
}

// docLines is the doc comment's text; directive lines (//gopod:name) are
// not part of it.
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
