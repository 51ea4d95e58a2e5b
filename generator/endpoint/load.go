package endpoint

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"

	"github.com/gopod/gopod/generator/model"
)

// pkg is one type-checked endpoint package.
type pkg struct {
	path, name string
	files      []*ast.File
	types      *types.Package
}

// loader type-checks packages in process. Packages of the project's own Go
// module (the endpoints, the generated protocol package, anything else the
// project wrote) are parsed from source, with the overlay laid over the
// disk, so a model that was just generated needs no compiling; packages
// of other modules and the standard library come from the export data the
// go command keeps in its build cache, listed once and remembered under
// the project's .gopod/cache.
type loader struct {
	*reporter
	ctx     context.Context
	bctx    build.Context
	imports map[string]*types.Package // shared by source and export data, for one identity per package
	source  map[string]*sourcePkg
	exports map[string]string // import path → export data file
	// noPrune checks every package whole; pruned is true when some
	// package is checked pruned (see prune.go).
	noPrune, pruned bool
}

type sourcePkg struct {
	dir      string
	name     string
	files    []*ast.File
	imports  []string
	bodies   bool // check function bodies (endpoint packages)
	types    *types.Package
	checking bool

	names  []string // the files
	srcs   [][]byte // their contents until parsed
	parsed bool
	// For the package cache (declarations-only packages): the hash of
	// the sources, the cache's entry if it has these sources, and the
	// key of the types once known.
	sources string
	meta    *pkgMeta
	key     string
	// prune checks only the declarations that roots, the names the
	// endpoints use, need.
	prune bool
	roots []string
}

func newLoader(ctx context.Context, o Options) *loader {
	bctx := build.Default
	bctx.CgoEnabled = false // cgo files are not endpoint code; a file that needs cgo is left out
	fset := token.NewFileSet()
	if o.ParseCache != nil {
		fset = o.ParseCache.fset
	}
	return &loader{
		reporter: &reporter{opts: o, fset: fset},
		ctx:      ctx,
		bctx:     bctx,
		imports:  map[string]*types.Package{},
		source:   map[string]*sourcePkg{},
	}
}

// local reports whether an import path belongs to the project's module.
func (l *loader) local(path string) bool {
	m := l.opts.ModulePath
	return m != "" && (path == m || strings.HasPrefix(path, m+"/"))
}

func (l *loader) dirOf(path string) string {
	return filepath.Join(l.opts.ModuleDir, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(path, l.opts.ModulePath), "/")))
}

func (l *loader) importPathOf(dir string) (string, bool) {
	rel, err := filepath.Rel(l.opts.ModuleDir, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", false
	}
	if rel == "." {
		return l.opts.ModulePath, true
	}
	return l.opts.ModulePath + "/" + filepath.ToSlash(rel), true
}

// load type-checks the endpoint packages named by the patterns. When
// a check with pruned packages finds errors, it checks again without
// pruning, so that errors are those of the whole packages.
func (l *loader) load() ([]*pkg, error) {
	pkgs, err := l.loadOnce()
	if err != nil || len(l.diags) == 0 || !l.pruned {
		return pkgs, err
	}
	l.diags, l.noPrune, l.pruned = nil, true, false
	l.imports, l.source = map[string]*types.Package{}, map[string]*sourcePkg{}
	return l.loadOnce()
}

func (l *loader) loadOnce() ([]*pkg, error) {
	dirs, err := l.patternDirs()
	if err != nil {
		return nil, err
	}
	var roots []string
	for _, dir := range dirs {
		path, ok := l.importPathOf(dir)
		if !ok {
			return nil, fmt.Errorf("endpoint package %s is outside the Go module at %s", dir, l.opts.ModuleDir)
		}
		sp, err := l.parse(path, true)
		if err != nil {
			return nil, err
		}
		if sp == nil {
			continue // no Go files for this build
		}
		sp.bodies = true
		roots = append(roots, path)
	}
	// Parse every local package the endpoints reach, and collect the
	// imports that come from export data.
	var external []string
	seen := map[string]bool{}
	queue := slices.Clone(roots)
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		for _, imp := range l.source[path].imports {
			if seen[imp] || imp == "C" || imp == "unsafe" {
				continue
			}
			seen[imp] = true
			if !l.local(imp) {
				external = append(external, imp)
				continue
			}
			sp, err := l.parse(imp, false)
			if err != nil {
				return nil, err
			}
			if sp != nil {
				queue = append(queue, imp)
			}
		}
	}
	l.markPrunable()
	slices.Sort(external)
	if l.exports, err = l.exportData(external); err != nil {
		return nil, err
	}
	var out []*pkg
	for _, path := range roots {
		sp := l.check(path)
		out = append(out, &pkg{path: path, name: sp.name, files: sp.files, types: sp.types})
	}
	return out, nil
}

// patternDirs resolves the endpoint patterns (./dir or ./dir/...) to
// package directories; other patterns are left to the go command.
func (l *loader) patternDirs() ([]string, error) {
	var dirs []string
	var others []string
	for _, pat := range l.opts.Patterns {
		if !strings.HasPrefix(pat, "./") && !strings.HasPrefix(pat, "../") && pat != "." {
			others = append(others, pat)
			continue
		}
		root, recursive := strings.CutSuffix(pat, "/...")
		root = filepath.Join(l.opts.Dir, filepath.FromSlash(root))
		if !recursive {
			dirs = append(dirs, root)
			continue
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == root {
					return fs.SkipDir
				}
				return err
			}
			if !d.IsDir() {
				return nil
			}
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return fs.SkipDir
			}
			if p != root {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return fs.SkipDir // another module
				}
			}
			dirs = append(dirs, p)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("finding endpoint packages %s: %w", pat, err)
		}
	}
	if len(others) > 0 {
		cmd := exec.CommandContext(l.ctx, "go", append([]string{"list", "-e", "-f", "{{.Dir}}", "--"}, others...)...)
		cmd.Dir, cmd.Env = l.opts.Dir, l.opts.Env
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("listing endpoint packages %s: %w%s", strings.Join(others, " "), err, stderrOf(err))
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line != "" {
				dirs = append(dirs, line)
			}
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs), nil
}

// readFile reads a file through the overlay.
func (l *loader) readFile(path string) ([]byte, error) {
	if b, ok := l.opts.Overlay[path]; ok {
		return b, nil
	}
	return os.ReadFile(path)
}

// goFiles lists the non-test Go files of dir that build on this platform,
// including overlay files that do not exist on disk yet.
func (l *loader) goFiles(dir string) ([]string, error) {
	names := map[string]bool{}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			names[e.Name()] = true
		}
	}
	for p := range l.opts.Overlay {
		if filepath.Dir(p) == dir {
			names[filepath.Base(p)] = true
		}
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		full := filepath.Join(dir, name)
		ctxt := l.bctx
		ctxt.OpenFile = func(p string) (io.ReadCloser, error) {
			b, err := l.readFile(p)
			if err != nil {
				return nil, err
			}
			return io.NopCloser(bytes.NewReader(b)), nil
		}
		ok, err := ctxt.MatchFile(dir, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", full, err)
		}
		if ok {
			out = append(out, full)
		}
	}
	return out, nil
}

// parse reads a local package (nil when it has no Go files). A package
// checked for its declarations only whose sources match its entry in the
// package cache is not parsed: its imports come from the entry, and its
// types, if nothing it depends on changed either, from the cached export
// data (see check).
func (l *loader) parse(path string, bodies bool) (*sourcePkg, error) {
	if sp, ok := l.source[path]; ok {
		return sp, nil
	}
	dir := l.dirOf(path)
	names, err := l.goFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("reading package %s: %w", path, err)
	}
	if len(names) == 0 {
		l.source[path] = nil
		return nil, nil
	}
	srcs := make([][]byte, len(names))
	for i, name := range names {
		if srcs[i], err = l.readFile(name); err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
	}
	sp := &sourcePkg{dir: dir, bodies: bodies, names: names, srcs: srcs}
	l.source[path] = sp
	if !bodies && l.opts.CacheDir != "" {
		sp.sources = sourcesHash(names, srcs)
		if sp.meta = l.cachedMeta(path, sp.sources); sp.meta != nil {
			sp.name, sp.imports = sp.meta.Name, sp.meta.Imports
			return sp, nil
		}
	}
	l.parseFiles(sp)
	return sp, nil
}

// parseFiles parses a package's sources in parallel: the generated
// protocol package of a large project is most of the work. Without
// bodies, the function bodies of generated files are blanked before
// parsing, as only declarations are checked.
func (l *loader) parseFiles(sp *sourcePkg) {
	names, srcs, bodies := sp.names, sp.srcs, sp.bodies
	sp.parsed, sp.srcs = true, nil
	files := make([]*ast.File, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			src := srcs[i]
			generated := !bodies && isGenerated(src)
			if generated {
				src = blankFormatted(src)
			}
			var key parseKey
			if c := l.opts.ParseCache; c != nil {
				key = parseKey{name: name, sum: sha256.Sum256(src), bodies: bodies}
				if f := c.get(key); f != nil {
					files[i] = f
					return
				}
			}
			mode := parser.SkipObjectResolution
			if bodies {
				mode |= parser.ParseComments // docs and //gopod: lines of endpoints
			}
			files[i], errs[i] = parser.ParseFile(l.fset, name, src, mode)
			if errs[i] != nil && generated {
				// Not blanked right by lines: by tokens, then.
				src = blankBodies(bytes.Clone(srcs[i]))
				files[i], errs[i] = parser.ParseFile(l.fset, name, src, mode)
			}
			if c := l.opts.ParseCache; c != nil && errs[i] == nil {
				c.put(key, files[i])
			}
		}()
	}
	wg.Wait()
	sp.name = ""
	imports := map[string]bool{}
	for i, f := range files {
		if errs[i] != nil {
			var list scanner.ErrorList
			if !errors.As(errs[i], &list) {
				l.add(model.Pos{}, model.Error, fmt.Sprintf("reading %s: %v", names[i], errs[i]))
				continue
			}
			for _, e := range list {
				l.add(l.relPos(e.Pos), model.Error, e.Msg)
			}
			continue
		}
		if sp.name == "" {
			sp.name = f.Name.Name
		} else if f.Name.Name != sp.name {
			l.add(l.pos(f.Name.Pos()), model.Error, fmt.Sprintf("package %s; expected package %s (every file of a directory is one package)", f.Name.Name, sp.name))
			continue
		}
		sp.files = append(sp.files, f)
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, "`\"")
			imports[p] = true
		}
	}
	sp.imports = slices.Sorted(maps.Keys(imports))
}

// check type-checks a parsed local package and the local packages it
// imports. Function bodies are checked only in endpoint packages: the
// others only need their declarations.
func (l *loader) check(path string) *sourcePkg {
	sp := l.source[path]
	if sp.types != nil || sp.checking {
		return sp
	}
	sp.checking = true
	// A declarations-only package may come from the package cache: its
	// local imports are checked first, for their keys, and so that the
	// export data refers to the very packages the endpoints see.
	key, cacheable := "", !sp.bodies && sp.sources != ""
	if cacheable {
		for _, imp := range sp.imports {
			if l.local(imp) && l.source[imp] != nil {
				l.check(imp)
			}
		}
		if key, cacheable = l.pkgKey(path, sp); cacheable {
			if tp := l.readCached(path, sp, key); tp != nil {
				sp.types, sp.key = tp, key
				l.imports[path] = tp
				return sp
			}
		}
	}
	if !sp.parsed {
		l.parseFiles(sp)
	}
	errorsBefore := len(l.diags)
	conf := types.Config{
		Importer:         importerFunc(l.importPkg),
		IgnoreFuncBodies: !sp.bodies,
		FakeImportC:      true,
		Error: func(err error) {
			var te types.Error
			if errors.As(err, &te) {
				if te.Soft && !sp.bodies {
					return
				}
				l.add(l.pos(te.Pos), model.Error, te.Msg+" (endpoints are only generated from Go code that compiles)")
				return
			}
			l.add(model.Pos{}, model.Error, err.Error())
		},
	}
	files := sp.files
	if sp.prune {
		files = pruneFiles(files, sp.roots)
	}
	tp, _ := conf.Check(path, l.fset, files, nil)
	sp.types = tp
	l.imports[path] = tp
	if cacheable && tp != nil && len(l.diags) == errorsBefore {
		sp.key = key
		l.writeCached(path, sp, key)
	}
	return sp
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

func (l *loader) importPkg(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if l.local(path) {
		sp, ok := l.source[path]
		if !ok || sp == nil {
			return nil, fmt.Errorf("package %s has no Go files in %s", path, l.dirOf(path))
		}
		if sp.checking && sp.types == nil {
			return nil, fmt.Errorf("import cycle through %s", path)
		}
		return l.check(path).types, nil
	}
	if p, ok := l.imports[path]; ok && p.Complete() {
		return p, nil
	}
	file, ok := l.exports[path]
	if !ok || file == "" {
		return nil, fmt.Errorf("package %s is not available (is it in go.mod? run go mod tidy)", path)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("reading export data of %s: %w", path, err)
	}
	return gcexportdata.Read(r, l.fset, l.imports, path)
}

// exportCache is what .gopod/cache/exports.json remembers of the go
// command's answer.
type exportCache struct {
	Key      string            `json:"key"`
	Exports  map[string]string `json:"exports"`
	LocalSum string            `json:"localSum"`
	Local    []string          `json:"local"` // package dirs outside GOROOT and the module cache
}

type listedPkg struct {
	ImportPath string
	Export     string
	Dir        string
	Standard   bool
	Module     *struct{ Dir string }
	Error      *struct{ Err string }
}

// exportData returns the export data files of the given packages and
// their dependencies. `go list -export` compiles what the build cache
// lacks; its answer is remembered until go.mod, go.sum, the list of
// packages or a package outside the module cache (a replaced module
// checked out locally) changes.
func (l *loader) exportData(paths []string) (map[string]string, error) {
	if len(paths) == 0 {
		return map[string]string{}, nil
	}
	key := l.exportKey(paths)
	cachePath := ""
	if l.opts.CacheDir != "" {
		cachePath = filepath.Join(l.opts.CacheDir, "exports.json")
		if b, err := os.ReadFile(cachePath); err == nil {
			var c exportCache
			if json.Unmarshal(b, &c) == nil && c.Key == key && localSum(c.Local) == c.LocalSum && exportsExist(c.Exports) {
				return c.Exports, nil
			}
		}
	}
	args := append([]string{"list", "-e", "-export", "-deps", "-json=ImportPath,Export,Dir,Standard,Module,Error", "--"}, paths...)
	cmd := exec.CommandContext(l.ctx, "go", args...)
	cmd.Dir, cmd.Env = l.opts.Dir, l.opts.Env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -export: %w%s", err, stderrOf(err))
	}
	exports := map[string]string{}
	var local []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPkg
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("reading go list's answer: %w", err)
		}
		exports[p.ImportPath] = p.Export
		if !p.Standard && p.Dir != "" && !inModuleCache(p.Dir) {
			local = append(local, p.Dir)
		}
	}
	if cachePath != "" {
		c := exportCache{Key: key, Exports: exports, Local: local, LocalSum: localSum(local)}
		if b, err := json.Marshal(c); err == nil && os.MkdirAll(filepath.Dir(cachePath), 0o755) == nil {
			_ = os.WriteFile(cachePath, b, 0o644)
		}
	}
	return exports, nil
}

func (l *loader) exportKey(paths []string) string {
	h := sha256.New()
	fmt.Fprintln(h, "exports v1", strings.Join(paths, " "), l.opts.ModuleDir)
	HashBuildInputs(h, l.opts.ModuleDir, l.opts.Env)
	return hex.EncodeToString(h.Sum(nil))
}

// HashBuildInputs writes to h what, besides the packages' own files,
// decides what the go command builds in the module at moduleDir with the
// environment env (nil: this process's): go.mod, go.sum, go.work,
// go.work.sum and the Go environment.
func HashBuildInputs(h io.Writer, moduleDir string, env []string) {
	for _, f := range []string{"go.mod", "go.sum", "go.work", "go.work.sum"} {
		b, _ := os.ReadFile(filepath.Join(moduleDir, f))
		fmt.Fprintf(h, "%s %x\n", f, sha256.Sum256(b))
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "GO") || strings.HasPrefix(kv, "CGO") {
			fmt.Fprintln(h, kv)
		}
	}
	for _, k := range []string{"GOFLAGS", "GOOS", "GOARCH", "GOROOT", "GOTOOLCHAIN", "GOEXPERIMENT", "CGO_ENABLED", "PATH"} {
		fmt.Fprintln(h, k, os.Getenv(k))
	}
}

var modCache = sync.OnceValue(func() string {
	if v := os.Getenv("GOMODCACHE"); v != "" {
		return v
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go", "pkg", "mod")
})

// InModuleCache reports whether dir is in the module cache, whose files
// never change: what is there is named by go.mod and go.sum.
func InModuleCache(dir string) bool { return inModuleCache(dir) }

func inModuleCache(dir string) bool {
	rel, err := filepath.Rel(modCache(), dir)
	return err == nil && !strings.HasPrefix(rel, "..")
}

// localSum fingerprints the Go files of the given directories by name,
// size and modification time.
func localSum(dirs []string) string {
	h := sha256.New()
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			fmt.Fprintln(h, d, "missing")
			continue
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
				continue
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			fmt.Fprintln(h, d, e.Name(), info.Size(), info.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func exportsExist(exports map[string]string) bool {
	for _, f := range exports {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return false
		}
	}
	return true
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return "\n" + strings.TrimSpace(string(ee.Stderr))
	}
	return ""
}
