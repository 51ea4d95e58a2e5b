package endpoint

import (
	"go/ast"
	"go/token"
	"maps"
	"slices"
	"strings"
)

// Endpoints use a few declarations of the generated protocol package, and
// its declarations are most of what a model change costs to check. A
// package of the project's that only endpoint packages import is
// therefore checked with just the declarations the endpoints name and
// those these need in turn (every type, function, variable and constant
// whose name appears in a kept declaration, and every method of a kept
// type, so that method sets stay whole). If that pruned check finds an
// error, or the endpoint packages do, discovery starts again without
// pruning, so that the errors reported are those of the whole packages.

// markPrunable decides, once every local package is parsed, which
// declarations-only packages are checked pruned, and from which names.
func (l *loader) markPrunable() {
	if l.noPrune {
		return
	}
	importers := map[string][]string{}
	for path, sp := range l.source {
		if sp == nil {
			continue
		}
		for _, imp := range sp.imports {
			importers[imp] = append(importers[imp], path)
		}
	}
packages:
	for path, sp := range l.source {
		if sp == nil || sp.bodies || len(importers[path]) == 0 {
			continue
		}
		names := map[string]bool{}
		for _, imp := range importers[path] {
			isp := l.source[imp]
			if !isp.bodies || !isp.parsed {
				continue packages // imported by a package whose needs are unknown
			}
			for _, f := range isp.files {
				if !usedNames(f, path, sp.name, names) {
					continue packages
				}
			}
		}
		sp.roots = slices.Sorted(maps.Keys(names))
		sp.prune, l.pruned = true, true
	}
}

// usedNames adds to names every name f selects from the package at path
// (pkg.Name); false when f imports it in a way that hides its uses (a
// dot import).
func usedNames(f *ast.File, path, pkgName string, names map[string]bool) bool {
	local := ""
	for _, spec := range f.Imports {
		if strings.Trim(spec.Path.Value, "`\"") != path {
			continue
		}
		switch {
		case spec.Name == nil:
			local = pkgName
		case spec.Name.Name == ".":
			return false
		case spec.Name.Name == "_":
			continue
		default:
			local = spec.Name.Name
		}
	}
	if local == "" {
		return true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == local {
				names[sel.Sel.Name] = true
			}
		}
		return true
	})
	return true
}

// pruneFiles returns copies of files holding only the declarations that
// the names in roots need; the files themselves are not changed (they may
// be shared with a ParseCache).
func pruneFiles(files []*ast.File, roots []string) []*ast.File {
	// Index the declarations by the names they declare; methods by the
	// name of their receiver's type.
	type declRef struct {
		file int
		decl ast.Decl
		spec ast.Spec // nil for a function
	}
	byName := map[string][]declRef{}
	methods := map[string][]declRef{}
	for i, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					byName[d.Name.Name] = append(byName[d.Name.Name], declRef{i, d, nil})
				} else if len(d.Recv.List) > 0 {
					if base := receiverBase(d.Recv.List[0].Type); base != "" {
						methods[base] = append(methods[base], declRef{i, d, nil})
					}
				}
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					continue
				}
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						byName[s.Name.Name] = append(byName[s.Name.Name], declRef{i, d, s})
					case *ast.ValueSpec:
						for _, n := range s.Names {
							byName[n.Name] = append(byName[n.Name], declRef{i, d, s})
						}
					}
				}
			}
		}
	}
	keptDecl := map[ast.Decl]bool{}
	keptSpec := map[ast.Spec]bool{}
	seen := map[string]bool{}
	queue := slices.Clone(roots)
	keep := func(r declRef) {
		var node ast.Node = r.decl
		if r.spec != nil {
			if keptSpec[r.spec] {
				return
			}
			keptSpec[r.spec] = true
			node = r.spec
			// A constant without a value repeats the previous one's
			// (iota): keep the whole group.
			for _, s := range r.decl.(*ast.GenDecl).Specs {
				if !keptSpec[s] {
					keptSpec[s] = true
					queue = appendIdents(queue, s)
				}
			}
		} else if keptDecl[r.decl] {
			return
		}
		keptDecl[r.decl] = true
		queue = appendIdents(queue, node)
	}
	for len(queue) > 0 {
		name := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if seen[name] || name == "_" {
			continue
		}
		seen[name] = true
		for _, r := range byName[name] {
			keep(r)
		}
		for _, r := range methods[name] {
			keep(r)
		}
	}
	out := make([]*ast.File, len(files))
	for i, f := range files {
		c := *f
		c.Decls = nil
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok == token.IMPORT {
					c.Decls = append(c.Decls, d)
					continue
				}
				if !keptDecl[d] {
					continue
				}
				g := *d
				g.Specs = nil
				for _, s := range d.Specs {
					if keptSpec[s] {
						g.Specs = append(g.Specs, s)
					}
				}
				c.Decls = append(c.Decls, &g)
			default:
				if keptDecl[d] {
					c.Decls = append(c.Decls, d)
				}
			}
		}
		out[i] = &c
	}
	return out
}

// receiverBase is the type name of a method's receiver: T in T, *T, T[P].
func receiverBase(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// appendIdents appends every identifier in n: more than the package-level
// names n refers to (fields, parameters, selectors), which only keeps a
// few declarations more.
func appendIdents(names []string, n ast.Node) []string {
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			names = append(names, id.Name)
		}
		return true
	})
	return names
}
