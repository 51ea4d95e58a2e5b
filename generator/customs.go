package generator

import (
	"context"
	"fmt"
	"go/types"
	"slices"

	"golang.org/x/tools/go/packages"

	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/generator/project"
)

// goTypeSpecs spells the project's go_extra_classes as the model package
// takes them.
func goTypeSpecs(p *project.Project) map[string]string {
	out := map[string]string{}
	for name, t := range p.GoTypes {
		out[name] = t.String()
	}
	return out
}

// customClasses are the models standing for the project's extra classes.
func customClasses(p *project.Project) []*model.Model {
	return model.CustomClasses(p.ExtraClasses, goTypeSpecs(p))
}

// checkGoTypes type-checks the packages that declare the Go types of
// go_extra_classes: each type must exist and, like a generated model, have
// the methods EncodeJSON(*wire.Encoder) and DecodeJSON(any) error on its
// pointer, for the generated code calls them. A problem is reported at the
// type's line in generator.yaml.
func checkGoTypes(ctx context.Context, p *project.Project, env []string) error {
	if len(p.GoTypes) == 0 {
		return nil
	}
	var paths []string
	for _, t := range p.GoTypes {
		if !slices.Contains(paths, t.Pkg) {
			paths = append(paths, t.Pkg)
		}
	}
	slices.Sort(paths)
	cfg := &packages.Config{Context: ctx, Mode: packages.NeedName | packages.NeedTypes, Dir: p.Dir, Env: env}
	pkgs, err := packages.Load(cfg, paths...)
	if err != nil {
		return fmt.Errorf("loading the packages of go_extra_classes: %w", err)
	}
	byPath := map[string]*packages.Package{}
	for _, pkg := range pkgs {
		byPath[pkg.PkgPath] = pkg
	}
	names := make([]string, 0, len(p.GoTypes))
	for name := range p.GoTypes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t := p.GoTypes[name]
		at := func(format string, args ...any) error {
			return &project.Error{File: project.ConfigPath, Line: t.Line, Col: t.Col, Msg: fmt.Sprintf("go_extra_classes: %s: ", name) + fmt.Sprintf(format, args...)}
		}
		pkg := byPath[t.Pkg]
		if pkg == nil || len(pkg.Errors) > 0 || pkg.Types == nil {
			reason := "it cannot be loaded"
			if pkg != nil && len(pkg.Errors) > 0 {
				reason = pkg.Errors[0].Msg
			}
			return at("package %s: %s", t.Pkg, reason)
		}
		obj, ok := pkg.Types.Scope().Lookup(t.Name).(*types.TypeName)
		if !ok || !obj.Exported() {
			return at("package %s declares no exported type %s", t.Pkg, t.Name)
		}
		ptr := types.NewPointer(obj.Type())
		if !hasMethod(ptr, obj.Pkg(), "EncodeJSON", "*"+wirePkg+".Encoder", "") {
			return at("%s needs the method EncodeJSON(*wire.Encoder), as generated models have, to be encoded", t)
		}
		if !hasMethod(ptr, obj.Pkg(), "DecodeJSON", "any", "error") {
			return at("%s needs the method DecodeJSON(any) error, as generated models have, to be decoded", t)
		}
	}
	return nil
}

const wirePkg = "github.com/gopod/gopod/wire"

// hasMethod reports whether t has the method name with one parameter of
// type param and no result or one of type result (types spelled with full
// package paths).
func hasMethod(t types.Type, pkg *types.Package, name, param, result string) bool {
	m, _, _ := types.LookupFieldOrMethod(t, true, pkg, name)
	fn, ok := m.(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() != 1 || sig.Variadic() {
		return false
	}
	if pt := sig.Params().At(0).Type(); param == "any" {
		if iface, ok := pt.Underlying().(*types.Interface); !ok || !iface.Empty() {
			return false
		}
	} else if types.TypeString(pt, nil) != param {
		return false
	}
	if result == "" {
		return sig.Results().Len() == 0
	}
	return sig.Results().Len() == 1 && types.TypeString(sig.Results().At(0).Type(), nil) == result
}
