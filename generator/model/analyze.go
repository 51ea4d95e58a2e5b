package model

import (
	"sort"
	"strings"
)

// Analyze parses and checks the project's model files and resolves them.
// It returns the models without failing errors, sorted by SourcePath, and every
// diagnostic, sorted by file, line, column.
//
// Models of the modules in opts.Modules can be referenced as
// `module:<nickname>:Name`; they are never modified.
func Analyze(files []File, opts Options) ([]*Model, []Diagnostic) {
	a := newAnalyzer(opts, "", "")
	a.load(files, true)
	a.resolve()
	for _, e := range a.ents {
		a.validate(e)
	}
	a.checkContainment()
	return a.finish()
}

// AnalyzeModule parses the model files of a module the project depends on
// and resolves them, so that the project can reference them. Module models
// are trusted: only problems that keep a file from being read are reported.
// The models get Module set to nickname and ModuleName to moduleName; their
// references to each other resolve as `module:<nickname>:Name`, and
// opts.Modules supplies the modules they depend on in turn.
func AnalyzeModule(files []File, nickname, moduleName string, opts Options) ([]*Model, []Diagnostic) {
	a := newAnalyzer(opts, nickname, moduleName)
	a.load(files, false)
	a.resolve()
	for _, e := range a.ents {
		a.checkDocument(e)
	}
	return a.finish()
}

// entity is one model file, or one ready-made model of a dependency.
type entity struct {
	path string
	// module is the nickname of the module the model belongs to, "" for the
	// project.
	module string
	// external is set for models of dependencies, which are only read.
	external bool

	doc yamlDoc
	// kindKey is the document type key in use: class, exception or enum.
	kindKey string
	model   *Model
	// declared holds the fields written in the file, by name.
	declared map[string]*Field
	// cycle is set when the class's extends chain leads back to itself.
	cycle bool
	diags []Diagnostic
}

// fieldInfo is what the analyzer knows about a field beyond the Field.
type fieldInfo struct {
	owner *entity
	// spec is the field's specification, converted to a map; nil for
	// injected fields and fields of dependencies.
	spec    *node
	typeErr error
	rel     *rel
}

// analyzer holds the state of one analysis. Nothing outlives a call.
type analyzer struct {
	opts Options
	// home is the module nickname of the analyzed files ("" for the
	// project) and homeName that module's name.
	home     string
	homeName string

	ents []*entity // the analyzed files, sorted by path
	ext  []*entity // models of dependencies, in Options order

	info    map[*Field]*fieldInfo
	byModel map[*Model]*entity
	// homeNames maps class names to the first analyzed model of that name.
	homeNames map[string]*Model

	classNames map[string][]*entity
	tableNames map[string][]*entity
	indexNames map[string][]*entity
	filePaths  map[string][]*entity
	modules    map[string]bool
	// extraClasses maps the class name of every extra class to its entry
	// as configured, and customs to the model standing for it.
	extraClasses map[string]string
	customs      map[string]*Model
}

func newAnalyzer(opts Options, home, homeName string) *analyzer {
	a := &analyzer{
		opts:         opts,
		home:         home,
		homeName:     homeName,
		info:         map[*Field]*fieldInfo{},
		byModel:      map[*Model]*entity{},
		homeNames:    map[string]*Model{},
		classNames:   map[string][]*entity{},
		tableNames:   map[string][]*entity{},
		indexNames:   map[string][]*entity{},
		filePaths:    map[string][]*entity{},
		modules:      map[string]bool{},
		extraClasses: map[string]string{},
		customs:      map[string]*Model{},
	}
	customs := opts.Customs
	if customs == nil {
		customs = CustomClasses(opts.ExtraClasses, opts.GoTypes)
	}
	for _, c := range customs {
		spec := c.ClassName
		if c.DartURL != "" {
			spec = c.DartURL + ":" + spec
		}
		a.extraClasses[c.ClassName] = spec
		a.customs[c.ClassName] = c
	}
	if home != "" {
		a.modules[home] = true
	}
	for _, mod := range opts.Modules {
		a.modules[mod.Nickname] = true
		for _, m := range mod.Models {
			if m == nil {
				continue
			}
			e := &entity{path: m.SourcePath, module: mod.Nickname, external: true, model: m}
			a.ext = append(a.ext, e)
			a.byModel[m] = e
			for _, f := range m.Fields {
				a.info[f] = &fieldInfo{owner: e, rel: relFromRelation(f.Relation)}
			}
		}
	}
	return a
}

// CustomClasses returns the models that stand for the extra classes specs
// (`package:<library>:<Name>` or a bare name; the first of a name counts),
// with the Go types goTypes declares for them by class name
// ("<import path>.<Name>").
func CustomClasses(specs []string, goTypes map[string]string) []*Model {
	var out []*Model
	seen := map[string]bool{}
	for _, spec := range specs {
		i := strings.LastIndex(spec, ":")
		name := spec[i+1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		m := &Model{Kind: Custom, ClassName: name}
		if i > 0 {
			m.DartURL = spec[:i]
		}
		if goType := goTypes[name]; goType != "" {
			if dot := strings.LastIndex(goType, "."); dot > 0 {
				m.GoPkg, m.GoName = goType[:dot], goType[dot+1:]
			}
		}
		out = append(out, m)
	}
	return out
}

// load parses the files. report says whether problems of the one-line field
// form are reported (they are not for trusted module files).
func (a *analyzer) load(files []File, report bool) {
	sorted := append([]File(nil), files...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	for _, f := range sorted {
		e := a.parseFile(f, report)
		a.ents = append(a.ents, e)
		if m := e.model; m != nil && a.homeNames[m.ClassName] == nil {
			a.homeNames[m.ClassName] = m
		}
	}
}

// all returns the analyzed entities followed by those of dependencies.
func (a *analyzer) all() []*entity {
	return append(append([]*entity(nil), a.ents...), a.ext...)
}

// buildIndexes records which models use which class, table and index
// names, the way Serverpod's collision checks look them up.
func (a *analyzer) buildIndexes() {
	for _, e := range a.all() {
		m := e.model
		if m == nil {
			continue
		}
		a.classNames[m.ClassName] = append(a.classNames[m.ClassName], e)
		if m.Kind != Class {
			continue
		}
		if m.Table != "" {
			a.tableNames[m.Table] = append(a.tableNames[m.Table], e)
		}
		for _, idx := range m.Indexes {
			a.indexNames[idx.Name] = append(a.indexNames[idx.Name], e)
		}
		if !e.external {
			p := m.SubDir + "/" + m.FileName
			a.filePaths[p] = append(a.filePaths[p], e)
		}
	}
}

// findByClassName returns the first model named name, in any module.
func (a *analyzer) findByClassName(name string) *entity {
	if es := a.classNames[name]; len(es) > 0 {
		return es[0]
	}
	return nil
}

// homeModel returns the analyzed model called name.
func (a *analyzer) homeModel(name string) *Model { return a.homeNames[name] }

// moduleModel returns the model called name of the module with the
// nickname nick.
func (a *analyzer) moduleModel(nick, name string) *Model {
	if nick == a.home {
		return a.homeModel(name)
	}
	for _, e := range a.ext {
		if e.module == nick && e.model.ClassName == name {
			return e.model
		}
	}
	return nil
}

func (a *analyzer) relOf(f *Field) *rel {
	if fi := a.info[f]; fi != nil {
		return fi.rel
	}
	return nil
}

func (a *analyzer) setRel(f *Field, r *rel) {
	if fi := a.info[f]; fi != nil {
		fi.rel = r
		return
	}
	a.info[f] = &fieldInfo{rel: r}
}

// finish turns the internal relation states into Relations and returns the
// models without failing errors and all diagnostics.
func (a *analyzer) finish() ([]*Model, []Diagnostic) {
	var models []*Model
	var diags []Diagnostic
	for _, e := range a.ents {
		diags = append(diags, e.diags...)
		if e.model == nil {
			continue
		}
		a.publishRelations(e)
		if !failing(e.diags) {
			models = append(models, e.model)
		}
	}
	sort.SliceStable(models, func(i, j int) bool { return models[i].SourcePath < models[j].SourcePath })
	sort.SliceStable(diags, func(i, j int) bool {
		pi, pj := diags[i].Pos, diags[j].Pos
		if pi.File != pj.File {
			return pi.File < pj.File
		}
		if pi.Line != pj.Line {
			return pi.Line < pj.Line
		}
		return pi.Col < pj.Col
	})
	return models, diags
}

func failing(diags []Diagnostic) bool {
	for _, d := range diags {
		if d.Fails() {
			return true
		}
	}
	return false
}
