// Package generator runs `gopod generate`: it reads a project's model files
// and endpoints and writes the server's protocol and dispatch packages, the
// typed Go client and the Dart client. Everything is computed in memory
// first; files are written only when the whole project is valid, only when
// their content changed, and stale generated files are removed.
package generator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopod/gopod/generator/dart"
	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/gocode"
	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/generator/project"
)

// Options of a generate run.
type Options struct {
	// Dir is the project root.
	Dir string
	// Check computes the output without writing it and reports the files
	// that are stale (for CI).
	Check bool
	// Env is the environment of the go command used to list the export
	// data of the endpoints' imports (nil: this process's).
	Env []string
	// ParseCache keeps parsed Go files between runs of one process, such
	// as generate --watch; nil parses every run.
	ParseCache *endpoint.ParseCache
}

// Result says what a run did (or, with Check, would do).
type Result struct {
	Written   []string // files created or changed, relative to the project
	Removed   []string // stale generated files deleted
	Unchanged int
	// Warnings are diagnostics that do not stop generation.
	Warnings []model.Diagnostic
	// Phases records how long each step took, in order.
	Phases []Phase
}

// Phase is one timed step of a run.
type Phase struct {
	Name     string
	Duration time.Duration
}

func (r *Result) phase(name string, start time.Time) time.Time {
	now := time.Now()
	r.Phases = append(r.Phases, Phase{name, now.Sub(start)})
	return now
}

// Stale reports whether a check run found anything out of date.
func (r *Result) Stale() bool { return len(r.Written) > 0 || len(r.Removed) > 0 }

// DiagnosticsError is returned when model files or endpoints have errors;
// nothing is written.
type DiagnosticsError struct {
	Diagnostics []model.Diagnostic
}

func (e *DiagnosticsError) Error() string {
	var b strings.Builder
	n := 0
	for _, d := range e.Diagnostics {
		if d.Fails() {
			n++
		}
	}
	fmt.Fprintf(&b, "%d problem(s) must be fixed before generating:", n)
	for _, d := range e.Diagnostics {
		b.WriteString("\n  " + d.String())
	}
	return b.String()
}

// output collects generated files by absolute path; owned lists the
// directories whose stale generated files are removed.
type output struct {
	files map[string][]byte
	// models are the files of the Go models, a part of files.
	models  map[string][]byte
	owned   []ownedDir
	written []string
	// same holds the files known to be on disk as they are in files
	// (taken from disk, or compared): changed does not read them again.
	mu   sync.Mutex
	same map[string]bool
}

// fromDisk records that path was read from disk with this content.
func (o *output) fromDisk(path string) {
	o.mu.Lock()
	o.same[path] = true
	o.mu.Unlock()
}

type ownedDir struct {
	dir string
	ext string
}

func (o *output) add(dir string, files map[string][]byte) {
	for name, data := range files {
		o.files[filepath.Join(dir, filepath.FromSlash(name))] = data
	}
}

func (o *output) addModels(dir string, files map[string][]byte) {
	for name, data := range files {
		o.models[filepath.Join(dir, filepath.FromSlash(name))] = data
	}
}

// Generate runs the generator on the project in o.Dir.
func Generate(ctx context.Context, o Options) (*Result, error) {
	res := &Result{}
	t := time.Now()
	p, err := project.Load(o.Dir)
	if err != nil {
		return nil, err
	}
	inputs, modelsHash, err := inputsHash(p)
	if err != nil {
		return nil, err
	}
	last := loadManifest(p)
	if upToDate(p, last, inputs) {
		res.Unchanged = len(last.Outputs)
		res.Warnings = last.Warnings
		res.phase("check inputs and outputs", t)
		return res, nil
	}
	t = res.phase("check inputs and outputs", t)
	mods, err := resolveModules(p)
	if err != nil {
		return nil, err
	}
	// The models of the custom classes are built once: the analysis, the
	// model keys, both emitters and endpoint discovery share them.
	customs := customClasses(p)
	models, diags, err := analyzeModels(p, mods, customs)
	if err != nil {
		return nil, err
	}
	if !failing(diags) {
		if err := checkGoTypes(ctx, p, o.Env); err != nil {
			return nil, err
		}
	}
	t = res.phase("analyze models", t)
	if failing(diags) {
		return nil, &DiagnosticsError{Diagnostics: diags}
	}
	res.Warnings = append(res.Warnings, diags...)

	opts := goOptions(p, mods, customs)
	cache := newFmtCache(p.Dir)
	opts.Format = cache.format
	out := &output{files: map[string][]byte{}, models: map[string][]byte{}, same: map[string]bool{}}
	// When only Go code changed (an endpoint), the models' code is what
	// the last run wrote: the generator is deterministic.
	reused := false
	// Each model's key says what its code depends on (see modelKeys): a
	// model whose key is the last run's is taken from disk.
	keys := newModelKeys(opts)
	keys.compute(models)
	dopts := dartOptions(p, mods, customs)
	dartKeys := keys.derive(dopts)
	rel := func(path string) string { return relPath(p.Dir, path) }
	if files := reuseModelFiles(p, last, modelsHash); files != nil && !o.Check {
		maps.Copy(out.models, files)
		for path := range files {
			out.fromDisk(path)
		}
		reused = true
	} else {
		mopts := opts
		var hits atomic.Int64
		if !o.Check {
			mopts.Reuse = func(m *model.Model) ([]byte, []byte, bool) {
				name := gocode.ModelFileName(m)
				serverPath, clientPath := filepath.Join(p.Path(p.ProtocolDir), name), filepath.Join(p.Path(p.GoClientDir), name)
				server, ok := last.unchanged(m, keys.keys[m], serverPath, rel)
				if !ok {
					return nil, nil, false
				}
				var client []byte
				if !m.ServerOnly {
					if client, ok = last.unchanged(m, keys.keys[m], clientPath, rel); !ok {
						return nil, nil, false
					}
					out.fromDisk(clientPath)
				}
				out.fromDisk(serverPath)
				hits.Add(1)
				return server, client, true
			}
		}
		serverModels, clientModels, err := gocode.Models(models, mopts)
		if err != nil {
			return nil, err
		}
		reused = hits.Load() > 0
		out.addModels(p.Path(p.ProtocolDir), serverModels)
		out.addModels(p.Path(p.GoClientDir), clientModels)
	}
	maps.Copy(out.files, out.models)
	t = res.phase("render Go models", t)

	// Endpoints are type-checked in process against the new models, laid
	// over the disk: nothing is written before the whole project checks.
	overlay := out.changed()
	eps, epDiags, err := discoverEndpoints(ctx, p, o, models, mods, customs, overlay)
	if err != nil {
		return nil, err
	}
	t = res.phase("discover endpoints", t)
	if failing(epDiags) {
		return nil, &DiagnosticsError{Diagnostics: epDiags}
	}
	res.Warnings = append(res.Warnings, epDiags...)

	dispatchFiles, err := gocode.Dispatch(eps, opts)
	if err != nil {
		return nil, err
	}
	out.add(p.Path(p.DispatchDir), dispatchFiles)
	clientFiles, err := gocode.Client(eps, opts)
	if err != nil {
		return nil, err
	}
	out.add(p.Path(p.GoClientDir), clientFiles)
	out.owned = append(out.owned,
		ownedDir{p.Path(p.ProtocolDir), ".go"},
		ownedDir{p.Path(p.DispatchDir), ".go"},
		ownedDir{p.Path(p.GoClientDir), ".go"},
	)

	if p.DartClientDir != "" {
		dir := p.Path(p.DartClientDir)
		if !o.Check {
			dopts.Reuse = func(m *model.Model) ([]byte, bool) {
				path := filepath.Join(dir, filepath.FromSlash(dart.ModelFile(m)))
				src, ok := last.unchangedDart(m, dartKeys[m], path, rel)
				if ok {
					out.fromDisk(path)
				}
				return src, ok
			}
		}
		dartFiles, err := dart.Generate(models, eps, dopts)
		if err != nil {
			return nil, err
		}
		out.add(dir, dartFiles)
		out.owned = append(out.owned, ownedDir{filepath.Join(dir, "lib", "src", "protocol"), ".dart"})
	}
	t = res.phase("render dispatch and clients", t)
	if err := out.sync(p.Dir, o.Check, res); err != nil {
		return nil, err
	}
	if !o.Check {
		// A run that took models from disk used few gofmt entries;
		// pruning would drop those of the models. The next run that
		// renders every model (a new gopod, or no .gopod) prunes.
		if !reused {
			cache.prune()
		}
		saveManifest(p, inputs, modelsHash, out, res.Warnings, keys.bySource(keys.keys), keys.bySource(dartKeys))
	}
	res.phase("write files", t)
	return res, nil
}

func failing(diags []model.Diagnostic) bool {
	return slices.ContainsFunc(diags, model.Diagnostic.Fails)
}

// analyzeModels reads every model file under the project's models
// directory and resolves them together with the modules' models; fields
// of custom classes refer to customs.
func analyzeModels(p *project.Project, mods []*moduleInfo, customs []*model.Model) ([]*model.Model, []model.Diagnostic, error) {
	files, err := readModelFiles(os.DirFS(p.Dir), p.ModelsDir)
	if err != nil {
		return nil, nil, err
	}
	opts := model.Options{
		ExtraClasses: p.ExtraClasses,
		GoTypes:      goTypeSpecs(p),
		Customs:      customs,
		Inheritance:  p.ExperimentalFeatures["inheritance"] || p.ExperimentalFeatures["all"],
		Database:     p.Database,
	}
	for _, m := range mods {
		mfiles, err := readModelFiles(m.models, ".")
		if err != nil {
			return nil, nil, fmt.Errorf("reading the %s module's models: %w", m.name, err)
		}
		mm, mdiags := model.AnalyzeModule(mfiles, m.nickname, m.name, opts)
		if failing(mdiags) {
			return nil, nil, fmt.Errorf("the %s module's models do not analyze: %w", m.name, &DiagnosticsError{Diagnostics: mdiags})
		}
		m.analyzed = mm
		opts.Modules = append(opts.Modules, model.ModuleModels{Nickname: m.nickname, Name: m.name, Models: mm})
	}
	models, diags := model.Analyze(files, opts)
	return models, diags, nil
}

// readModelFiles returns the model files under dir of fsys, sorted by path.
func readModelFiles(fsys fs.FS, dir string) ([]model.File, error) {
	var files []model.File
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !model.IsModelFile(p) {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, model.File{Path: p, Src: src})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading model files: %w", err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

func goOptions(p *project.Project, mods []*moduleInfo, customs []*model.Model) gocode.Options {
	o := gocode.Options{
		Name:        p.Name,
		Module:      p.Type == project.Module,
		ProtocolPkg: p.ImportPath(p.ProtocolDir),
		DispatchPkg: p.ImportPath(p.DispatchDir),
		ClientPkg:   p.ImportPath(p.GoClientDir),
		Custom:      customs,
	}
	for _, m := range mods {
		o.Modules = append(o.Modules, gocode.Module{Name: m.name, Nickname: m.nickname, ProtocolPkg: m.protocolPkg, DispatchPkg: m.dispatchPkg, ClientPkg: m.clientPkg})
	}
	return o
}

func dartOptions(p *project.Project, mods []*moduleInfo, customs []*model.Model) dart.Options {
	o := dart.Options{ProjectName: p.Name, ClientPackageName: path.Base(p.DartClientDir), IsModule: p.Type == project.Module, CustomClasses: customs}
	for _, m := range mods {
		o.Modules = append(o.Modules, dart.Module{Name: m.name, Nickname: m.nickname, ClientPackage: m.dartClientPackage, ClientPath: m.dartClientPath})
	}
	return o
}

// discoverEndpoints type-checks the endpoint packages against the models
// just generated: they are laid over the files on disk, so discovery sees
// the new models before anything is written.
func discoverEndpoints(ctx context.Context, p *project.Project, o Options, models []*model.Model, mods []*moduleInfo, customs []*model.Model, overlay map[string][]byte) ([]*endpoint.Endpoint, []model.Diagnostic, error) {
	typeMap := map[string]*model.Model{}
	protocolPkg := p.ImportPath(p.ProtocolDir)
	for _, m := range models {
		if !m.Sealed { // an interface, which no call can decode
			typeMap[protocolPkg+"."+m.ClassName] = m
		}
	}
	for _, mod := range mods {
		for _, m := range mod.analyzed {
			typeMap[mod.protocolPkg+"."+m.ClassName] = m
		}
	}
	for _, c := range customs {
		if c.GoName != "" {
			typeMap[c.GoPkg+"."+c.GoName] = c
		}
	}
	return endpoint.Discover(ctx, endpoint.Options{
		Dir:        p.Dir,
		ModulePath: p.GoModulePath,
		ModuleDir:  p.GoModuleDir,
		Patterns:   p.EndpointPatterns,
		Models:     typeMap,
		Env:        o.Env,
		Overlay:    overlay,
		CacheDir:   filepath.Join(p.Dir, ".gopod", "cache"),
		ParseCache: o.ParseCache,
	})
}

// changed returns the output files whose content differs from the disk.
func (o *output) changed() map[string][]byte {
	diff := map[string][]byte{}
	for p, data := range o.files {
		if o.same[p] {
			continue
		}
		if old, err := os.ReadFile(p); err != nil || !bytes.Equal(old, data) {
			diff[p] = data
		} else {
			o.same[p] = true
		}
	}
	return diff
}

// writeFiles writes files and records them as written; once written, a
// file is part of the output that sync finds unchanged.
func (o *output) writeFiles(root string, files map[string][]byte, res *Result) error {
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("writing %s: %w", relPath(root, p), err)
		}
		if err := os.WriteFile(p, files[p], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", relPath(root, p), err)
		}
		res.Written = append(res.Written, relPath(root, p))
		o.written = append(o.written, p)
	}
	return nil
}

func relPath(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// sync writes changed files and removes stale generated ones (or, in check
// mode, only records what it would do).
func (o *output) sync(root string, check bool, res *Result) error {
	changed := o.changed()
	res.Unchanged = len(o.files) - len(changed) - len(o.written)
	if check {
		for _, p := range slices.Sorted(maps.Keys(changed)) {
			res.Written = append(res.Written, relPath(root, p))
		}
	} else if err := o.writeFiles(root, changed, res); err != nil {
		return err
	}
	slices.Sort(res.Written)
	for _, d := range o.owned {
		stale, err := staleFiles(d, o.files)
		if err != nil {
			return err
		}
		for _, p := range stale {
			res.Removed = append(res.Removed, relPath(root, p))
			if !check {
				if err := os.Remove(p); err != nil {
					return fmt.Errorf("removing stale %s: %w", relPath(root, p), err)
				}
			}
		}
	}
	return nil
}

// staleFiles lists generated files in d that this run did not produce.
// Go files count as generated only with gopod's header, so hand-written
// files next to generated ones are never touched.
func staleFiles(d ownedDir, produced map[string][]byte) ([]string, error) {
	var stale []string
	err := filepath.WalkDir(d.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return fs.SkipDir
			}
			return err
		}
		if e.IsDir() {
			if p != d.dir && d.ext == ".go" {
				return fs.SkipDir // Go packages are flat
			}
			return nil
		}
		if filepath.Ext(p) != d.ext {
			return nil
		}
		if _, ok := produced[p]; ok {
			return nil
		}
		if d.ext == ".go" && !isGenerated(p) {
			return nil
		}
		stale = append(stale, p)
		return nil
	})
	return stale, err
}

func isGenerated(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 128)
	n, _ := f.Read(head)
	return bytes.HasPrefix(head[:n], []byte("// "+gocode.Header))
}
