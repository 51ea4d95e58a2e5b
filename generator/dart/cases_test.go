package dart

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/model"
)

// A test case is a directory under testdata:
//
//	<case>/project.yaml     client options and the modules used
//	<case>/models/...       the project's *.spy.yaml files
//	<case>/endpoints.yaml   endpoints as discovery describes them, with
//	                        types in the model language
//	<case>/client/...       the expected client package (golden files)
//
// Modules' models live in testdata/modules/<module name>.

type projectFile struct {
	ProjectName   string   `yaml:"projectName"`
	ClientPackage string   `yaml:"clientPackage"`
	Modules       []string `yaml:"modules"`
	IsModule      bool     `yaml:"isModule"`
}

type endpointFile []struct {
	Name    string   `yaml:"name"`
	Doc     []string `yaml:"doc"`
	Methods []struct {
		Name       string   `yaml:"name"`
		Doc        []string `yaml:"doc"`
		Deprecated string   `yaml:"deprecated"`
		Returns    string   `yaml:"returns"`
		Params     []struct {
			Name string `yaml:"name"`
			Type string `yaml:"type"`
		} `yaml:"params"`
	} `yaml:"methods"`
}

// knownModules are the modules test cases may use.
var knownModules = map[string]Module{
	"serverpod_auth": {Name: "serverpod_auth", Nickname: "auth", ClientPackage: "serverpod_auth_client"},
}

type caseInput struct {
	models    []*model.Model
	endpoints []*endpoint.Endpoint
	opts      Options
}

// loadCase reads testdata/<name> and resolves it as `gopod generate` would.
func loadCase(t testing.TB, name string) caseInput {
	t.Helper()
	dir := filepath.Join("testdata", name)
	var proj projectFile
	readYAML(t, filepath.Join(dir, "project.yaml"), &proj)
	in := caseInput{opts: Options{ProjectName: proj.ProjectName, ClientPackageName: proj.ClientPackage, IsModule: proj.IsModule}}

	var deps []model.ModuleModels
	for _, name := range proj.Modules {
		mod, ok := knownModules[name]
		if !ok {
			t.Fatalf("%s: unknown module %s", dir, name)
		}
		models, diags := model.AnalyzeModule(modelFiles(t, filepath.Join("testdata", "modules", name)), mod.Nickname, mod.Name, model.Options{Database: true})
		failOnDiagnostics(t, diags)
		deps = append(deps, model.ModuleModels{Nickname: mod.Nickname, Name: mod.Name, Models: models})
		in.opts.Modules = append(in.opts.Modules, mod)
	}
	models, diags := model.Analyze(modelFiles(t, dir), model.Options{Database: true, Modules: deps})
	failOnDiagnostics(t, diags)
	in.models = models

	var eps endpointFile
	readYAML(t, filepath.Join(dir, "endpoints.yaml"), &eps)
	resolve := func(s string) *endpoint.Type {
		typ, err := model.ParseType(s)
		if err != nil {
			t.Fatalf("%s/endpoints.yaml: %v", dir, err)
		}
		if err := resolveType(typ, models, deps); err != nil {
			t.Fatalf("%s/endpoints.yaml: %v", dir, err)
		}
		return etype(t, typ)
	}
	for _, e := range eps {
		ep := &endpoint.Endpoint{Name: e.Name, Doc: e.Doc}
		for _, m := range e.Methods {
			meth := &endpoint.Method{Name: m.Name, Doc: m.Doc, Deprecated: m.Deprecated}
			if m.Returns != "" {
				meth.Returns = resolve(m.Returns)
			}
			for _, p := range m.Params {
				meth.Params = append(meth.Params, &endpoint.Param{Name: p.Name, Type: resolve(p.Type)})
			}
			ep.Methods = append(ep.Methods, meth)
		}
		in.endpoints = append(in.endpoints, ep)
	}
	return in
}

func readYAML(t testing.TB, path string, v any) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(src, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// modelFiles reads the *.spy.yaml files under dir, named relative to it.
func modelFiles(t testing.TB, dir string) []model.File {
	t.Helper()
	var files []model.File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".spy.yaml") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, model.File{Path: filepath.ToSlash(rel), Src: src})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func failOnDiagnostics(t testing.TB, diags []model.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Fails() {
			t.Errorf("model analysis: %s", d)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// resolveType points the model references in typ at their models, as
// endpoint discovery does for Go types.
func resolveType(typ *model.Type, models []*model.Model, deps []model.ModuleModels) error {
	var err error
	typ.Walk(func(t *model.Type) {
		if err != nil || t.IsPrimitive() || t.IsContainer() {
			return
		}
		candidates := models
		if t.Module != "" {
			candidates = nil
			for _, d := range deps {
				if d.Nickname == t.Module {
					candidates = d.Models
				}
			}
		}
		for _, m := range candidates {
			if m.ClassName == t.Name {
				t.Model = m
				return
			}
		}
		err = fmt.Errorf("unknown type %s", t)
	})
	return err
}

// Helpers for building resolved models directly, for inputs the analyzer
// would reject.

func typ(name string, args ...*model.Type) *model.Type {
	return &model.Type{Name: name, Args: args}
}

func modelType(m *model.Model) *model.Type {
	return &model.Type{Name: m.ClassName, Model: m, Module: m.Module}
}

func fld(name string, t *model.Type) *model.Field {
	return &model.Field{Name: name, Type: t, Scope: model.ScopeAll}
}

func withDefault(f *model.Field, raw string) *model.Field {
	f.DefaultModel = &model.DefaultValue{Raw: raw}
	f.DefaultPersist = &model.DefaultValue{Raw: raw}
	return f
}

func class(name, file string, fields ...*model.Field) *model.Model {
	return &model.Model{Kind: model.Class, ClassName: name, SourcePath: "models/" + file + ".spy.yaml", FileName: file, Fields: fields}
}

func method(name string, returns *model.Type, params ...*endpoint.Param) *endpoint.Method {
	m := &endpoint.Method{Name: name, Params: params}
	if returns != nil {
		m.Returns = etype(nil, returns)
	}
	return m
}

func param(name string, t *model.Type) *endpoint.Param {
	return &endpoint.Param{Name: name, Type: etype(nil, t)}
}

// etype is the endpoint type of a resolved model-language type.
func etype(t testing.TB, mt *model.Type) *endpoint.Type {
	et, err := endpoint.FromModel(mt)
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	return et
}
