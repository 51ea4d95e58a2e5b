package generator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/types"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator/endpoint"
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
//
// Loading those packages costs a go command and their export data on
// every run that is not up to date, though a model or endpoint change
// rarely touches them; so a check that passes is remembered (see
// goTypesCache) until something that could change its answer changes. A
// check that fails is never remembered: it is made again, and reports the
// same error, until it passes.
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
	cachePath := filepath.Join(p.Dir, ".gopod", "cache", "gotypes.json")
	key := goTypesKey(p, env)
	if c := readGoTypesCache(cachePath); c != nil && c.Key == key {
		if files, ok := dirsHash(c.Dirs, time.Time{}); ok && files == c.Files {
			return nil
		}
	}
	start := time.Now()
	dirs, keep, err := loadGoTypes(ctx, p, paths, env)
	if err != nil {
		return err
	}
	// A file saved since the load started may not be what was checked:
	// then the next run checks again.
	if files, ok := dirsHash(dirs, start); ok && keep {
		// Not being able to remember costs the next run a check, no more.
		_ = writeGoTypesCache(cachePath, &goTypesCache{Key: key, Dirs: dirs, Files: files})
	}
	return nil
}

// loadPackages loads the packages of go_extra_classes; a variable so
// that tests can count the loads.
var loadPackages = packages.Load

// loadGoTypes loads the packages at paths and checks the types of
// go_extra_classes in them. It returns the directories of those packages
// and of the packages they import, but for the standard library and the
// module cache, and whether these are known: they are not outside module
// mode (GO111MODULE=off), where no package has a module.
func loadGoTypes(ctx context.Context, p *project.Project, paths []string, env []string) ([]string, bool, error) {
	// NeedImports and NeedFiles list the imports and their files from the
	// same go command (go list -deps); without NeedDeps the imports are
	// not loaded.
	mode := packages.NeedName | packages.NeedTypes | packages.NeedImports | packages.NeedFiles | packages.NeedModule
	cfg := &packages.Config{Context: ctx, Mode: mode, Dir: p.Dir, Env: env}
	pkgs, err := loadPackages(cfg, paths...)
	if err != nil {
		return nil, false, fmt.Errorf("loading the packages of go_extra_classes: %w", err)
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
			return nil, false, at("package %s: %s", t.Pkg, reason)
		}
		obj, ok := pkg.Types.Scope().Lookup(t.Name).(*types.TypeName)
		if !ok || !obj.Exported() {
			return nil, false, at("package %s declares no exported type %s", t.Pkg, t.Name)
		}
		ptr := types.NewPointer(obj.Type())
		if !hasMethod(ptr, obj.Pkg(), "EncodeJSON", "*"+wirePkg+".Encoder", "") {
			return nil, false, at("%s needs the method EncodeJSON(*wire.Encoder) to be encoded", t)
		}
		if !hasMethod(ptr, obj.Pkg(), "DecodeJSON", "any", "error") {
			return nil, false, at("%s needs the method DecodeJSON(any) error to be decoded", t)
		}
	}
	keep := true
	for _, pkg := range pkgs {
		keep = keep && pkg.Module != nil
	}
	var dirs []string
	packages.Visit(pkgs, nil, func(pkg *packages.Package) {
		// The standard library has no module; the module cache never
		// changes.
		if pkg.Module == nil || len(pkg.GoFiles) == 0 {
			return
		}
		if d := filepath.Dir(pkg.GoFiles[0]); !endpoint.InModuleCache(d) {
			dirs = append(dirs, d)
		}
	})
	slices.Sort(dirs)
	return slices.Compact(dirs), keep, nil
}

// goTypesCache is what .gopod/cache/gotypes.json remembers of the last
// check of go_extra_classes that passed. Its answer depends on the types
// named, the check (the gopod binary), the sources of the packages that
// declare the types and of every package these import, and on how the go
// command builds them. Key hashes all of it but the sources of the
// packages outside the module cache (the project's own, and modules
// replaced by a directory): Dirs lists their directories and Files
// hashes their files. Those in the module cache never change; go.mod and
// go.sum, in Key, name them.
type goTypesCache struct {
	Key   string   `json:"key"`
	Dirs  []string `json:"dirs"`
	Files string   `json:"files"`
}

func goTypesKey(p *project.Project, env []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "go types v1\ngopod %s\n%s%s\n", gopod.Version, binaryLine(), p.GoModuleDir)
	for _, name := range slices.Sorted(maps.Keys(p.GoTypes)) {
		fmt.Fprintf(h, "%s %s\n", name, p.GoTypes[name])
	}
	endpoint.HashBuildInputs(h, p.GoModuleDir, env)
	fmt.Fprintf(h, "GO111MODULE=%s GOWORK=%s\n", os.Getenv("GO111MODULE"), os.Getenv("GOWORK"))
	// The go command itself, for a toolchain updated in place.
	if goCmd, err := exec.LookPath("go"); err == nil {
		if info, err := os.Stat(goCmd); err == nil {
			fmt.Fprintf(h, "go %s %d %d\n", goCmd, info.Size(), info.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// dirsHash hashes the names and contents of the Go files (tests left out)
// and go.mod files of dirs. It fails when one of them was modified at or
// after notBefore, unless that is zero.
func dirsHash(dirs []string, notBefore time.Time) (string, bool) {
	h := sha256.New()
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			fmt.Fprintf(h, "%s missing\n", d)
			continue
		}
		fmt.Fprintf(h, "%s\n", d)
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !(strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") || name == "go.mod") {
				continue
			}
			if !notBefore.IsZero() {
				if info, err := e.Info(); err != nil || !info.ModTime().Before(notBefore) {
					return "", false
				}
			}
			b, err := os.ReadFile(filepath.Join(d, name))
			if err != nil {
				fmt.Fprintf(h, "%s unreadable\n", name)
				continue
			}
			fmt.Fprintf(h, "%s %x\n", name, sha256.Sum256(b))
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

func readGoTypesCache(path string) *goTypesCache {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var c goTypesCache
	if json.Unmarshal(b, &c) != nil {
		return nil
	}
	return &c
}

func writeGoTypesCache(path string, c *goTypesCache) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
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
