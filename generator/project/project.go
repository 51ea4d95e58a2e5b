// Package project reads a gopod project's layout: config/generator.yaml in
// Serverpod's format (plus gopod's keys for Go package paths) and the Go
// module that holds the project, and tells the generator where every input
// and output lives.
package project

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Type is generator.yaml's `type`.
type Type string

const (
	Server Type = "server"
	Module Type = "module"
)

// ModuleRef is an entry of generator.yaml's `modules`: a module the project
// uses, under its module name, with the nickname it is known by.
type ModuleRef struct {
	Name     string // serverpod_auth
	Nickname string // auth
	// Path is gopod's `path` key: the directory of a module project of the
	// user's (type: module), relative to the project. Empty for the
	// modules gopod ships.
	Path string
	// Line and Col locate the module's entry in generator.yaml.
	Line, Col int
}

// Project is a loaded gopod project.
type Project struct {
	// Dir is the project root (the directory holding config/).
	Dir  string
	Type Type
	// Name is the project's name (for a module, its module name): the
	// migration module name and the default Dart client package prefix.
	Name string
	// Nickname is how projects refer to this module (type module only).
	Nickname string

	// GoModulePath and GoModuleDir locate the Go module holding the project.
	GoModulePath string
	GoModuleDir  string

	// ModelsDir is the directory scanned for model files (slash path,
	// relative to Dir).
	ModelsDir string
	// EndpointPatterns are the go/packages patterns of the endpoint packages.
	EndpointPatterns []string
	// ProtocolDir, DispatchDir and GoClientDir are the generated Go
	// packages' directories, relative to Dir.
	ProtocolDir string
	DispatchDir string
	GoClientDir string
	// DartClientDir is the Dart client package's directory relative to Dir
	// (Serverpod's client_package_path); empty means no Dart client.
	DartClientDir string

	Modules      []ModuleRef
	ExtraClasses []string
	// GoTypes is gopod's go_extra_classes: for each custom class of
	// extraClasses, by class name, the Go type that stands for it,
	// "<import path>.<Name>".
	GoTypes              map[string]GoType
	Database             bool
	ExperimentalFeatures map[string]bool
}

// GoType is the Go type declared for a custom class, and where.
type GoType struct {
	Pkg, Name string
	Line, Col int
}

// String spells the type as generator.yaml does: example.com/app/shared.Money.
func (t GoType) String() string { return t.Pkg + "." + t.Name }

// ConfigPath is where generator.yaml lives in a project.
const ConfigPath = "config/generator.yaml"

// Error is a problem with the project's configuration, naming the file and
// line.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

var nameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Load reads the project whose root is dir.
func Load(dir string) (*Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("locating the project: %w", err)
	}
	p := &Project{Dir: abs, Type: Server, Database: true, ExperimentalFeatures: map[string]bool{}}
	src, err := os.ReadFile(filepath.Join(abs, ConfigPath))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &Error{File: ConfigPath, Msg: "not found: run gopod in the project's root directory (the one holding config/generator.yaml), or create a project with gopod create"}
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ConfigPath, err)
	}
	if err := p.parse(src); err != nil {
		return nil, err
	}
	if err := p.findGoModule(); err != nil {
		return nil, err
	}
	if p.Name == "" {
		p.Name = defaultName(filepath.Base(abs))
	}
	if p.Type == Module && p.Nickname == "" {
		p.Nickname = p.Name
	}
	return p, nil
}

// defaultName turns a directory name into a Serverpod project name.
func defaultName(base string) string {
	n := strings.ToLower(strings.NewReplacer("-", "_", ".", "_", " ", "_").Replace(base))
	n = strings.TrimSuffix(n, "_server")
	if !nameRe.MatchString(n) {
		return "project"
	}
	return n
}

type rawConfig struct {
	Type                 string                       `yaml:"type"`
	Name                 string                       `yaml:"name"`
	Nickname             string                       `yaml:"nickname"`
	ClientPackagePath    *string                      `yaml:"client_package_path"`
	GoClientPackagePath  string                       `yaml:"go_client_package_path"`
	ProtocolPackagePath  string                       `yaml:"go_protocol_package_path"`
	DispatchPackagePath  string                       `yaml:"go_dispatch_package_path"`
	ModelsPath           string                       `yaml:"models_path"`
	EndpointPackages     []string                     `yaml:"endpoint_packages"`
	Modules              map[string]map[string]string `yaml:"modules"`
	ExtraClasses         []string                     `yaml:"extraClasses"`
	GoExtraClasses       map[string]string            `yaml:"go_extra_classes"`
	Features             map[string]bool              `yaml:"features"`
	ExperimentalFeatures map[string]bool              `yaml:"experimental_features"`
}

func (p *Project) parse(src []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return &Error{File: ConfigPath, Msg: "invalid YAML: " + err.Error()}
	}
	var raw rawConfig
	if len(doc.Content) > 0 {
		if err := doc.Content[0].Decode(&raw); err != nil {
			var te *yaml.TypeError
			if errors.As(err, &te) {
				return &Error{File: ConfigPath, Msg: strings.Join(te.Errors, "; ")}
			}
			return &Error{File: ConfigPath, Msg: err.Error()}
		}
	}
	line := func(key string) int { return keyLine(&doc, key) }
	switch raw.Type {
	case "", "server":
		p.Type = Server
	case "module":
		p.Type = Module
	default:
		// Serverpod treats any other value as a server; gopod says so.
		return &Error{File: ConfigPath, Line: line("type"), Msg: fmt.Sprintf("type %q is not supported; use server or module", raw.Type)}
	}
	if raw.Name != "" && !nameRe.MatchString(raw.Name) {
		return &Error{File: ConfigPath, Line: line("name"), Msg: fmt.Sprintf("name %q must be snake_case (lower-case letters, digits and _)", raw.Name)}
	}
	p.Name, p.Nickname = raw.Name, raw.Nickname
	p.ModelsDir = cleanRel(raw.ModelsPath, "models")
	p.ProtocolDir = cleanRel(raw.ProtocolPackagePath, "generated/protocol")
	p.DispatchDir = cleanRel(raw.DispatchPackagePath, "generated/dispatch")
	p.GoClientDir = cleanRel(raw.GoClientPackagePath, "client")
	if raw.ClientPackagePath != nil {
		p.DartClientDir = cleanRel(*raw.ClientPackagePath, "")
	}
	p.EndpointPatterns = raw.EndpointPackages
	if len(p.EndpointPatterns) == 0 {
		p.EndpointPatterns = []string{"./endpoints/..."}
	}
	names := make([]string, 0, len(raw.Modules))
	for n := range raw.Modules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ref := ModuleRef{Name: n, Nickname: raw.Modules[n]["nickname"], Path: raw.Modules[n]["path"]}
		if k := findKey(&doc, "modules", n); k != nil {
			ref.Line, ref.Col = k.Line, k.Column
		}
		if ref.Name == "auth" { // DESIGN's short form
			ref.Name = "serverpod_auth"
		}
		if ref.Nickname == "" {
			ref.Nickname = ref.Name
		}
		p.Modules = append(p.Modules, ref)
	}
	p.ExtraClasses = raw.ExtraClasses
	if err := p.parseGoTypes(&doc, raw.GoExtraClasses); err != nil {
		return err
	}
	if raw.Features != nil {
		p.Database = raw.Features["database"]
	}
	for k, v := range raw.ExperimentalFeatures {
		p.ExperimentalFeatures[k] = v
	}
	return nil
}

var (
	goTypeNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	importPathRe = regexp.MustCompile(`^[A-Za-z0-9_.~+-]+(/[A-Za-z0-9_.~+-]+)*$`)
)

// parseGoTypes reads go_extra_classes: each key must be the class name of
// an entry of extraClasses, each value a Go type as import path and name.
func (p *Project) parseGoTypes(doc *yaml.Node, raw map[string]string) error {
	p.GoTypes = map[string]GoType{}
	classes := map[string]bool{}
	for _, c := range p.ExtraClasses {
		classes[c[strings.LastIndex(c, ":")+1:]] = true
	}
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		at := &Error{File: ConfigPath}
		if k := findKey(doc, "go_extra_classes", name); k != nil {
			at.Line, at.Col = k.Line, k.Column
		}
		if !classes[name] {
			at.Msg = fmt.Sprintf("go_extra_classes: %q is not a class of extraClasses; list its Dart class there (e.g. package:my_shared/my_shared.dart:%s)", name, name)
			return at
		}
		v := strings.TrimSpace(raw[name])
		dot := strings.LastIndex(v, ".")
		if dot <= 0 || !importPathRe.MatchString(v[:dot]) || !goTypeNameRe.MatchString(v[dot+1:]) {
			at.Msg = fmt.Sprintf("go_extra_classes: the Go type of %s must be written as <import path>.<TypeName> (e.g. example.com/app/shared.%s), not %q", name, name, raw[name])
			return at
		}
		p.GoTypes[name] = GoType{Pkg: v[:dot], Name: v[dot+1:], Line: at.Line, Col: at.Col}
	}
	return nil
}

// findKey returns the key node at the path of mapping keys below the
// document's top level, or nil.
func findKey(doc *yaml.Node, path ...string) *yaml.Node {
	if len(doc.Content) == 0 {
		return nil
	}
	m := doc.Content[0]
	var key *yaml.Node
	for _, k := range path {
		if m == nil || m.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == k {
				key, next = m.Content[i], m.Content[i+1]
				break
			}
		}
		if next == nil {
			return nil
		}
		m = next
	}
	return key
}

// cleanRel normalises a configured relative path (slash-separated).
func cleanRel(v, def string) string {
	if v == "" {
		return def
	}
	return path.Clean(filepath.ToSlash(v))
}

// keyLine finds the line of a top-level key, for error messages.
func keyLine(doc *yaml.Node, key string) int {
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return 0
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

// findGoModule locates the go.mod enclosing the project.
func (p *Project) findGoModule() error {
	for dir := p.Dir; ; {
		src, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			mod := modulePath(src)
			if mod == "" {
				return &Error{File: filepath.Join(dir, "go.mod"), Msg: "no module line"}
			}
			p.GoModulePath, p.GoModuleDir = mod, dir
			return nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return &Error{File: "go.mod", Msg: "no go.mod in the project or above it: a gopod project is a Go module (gopod create writes one)"}
		}
		dir = parent
	}
}

func modulePath(gomod []byte) string {
	for _, line := range bytes.Split(gomod, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if rest, ok := bytes.CutPrefix(line, []byte("module")); ok {
			return strings.Trim(string(bytes.TrimSpace(rest)), `"`)
		}
	}
	return ""
}

// ImportPath returns the Go import path of a directory relative to Dir.
func (p *Project) ImportPath(rel string) string {
	abs := filepath.Join(p.Dir, filepath.FromSlash(rel))
	r, err := filepath.Rel(p.GoModuleDir, abs)
	if err != nil || r == "." {
		return p.GoModulePath
	}
	return p.GoModulePath + "/" + filepath.ToSlash(r)
}

// Path returns the absolute path of a directory relative to Dir.
func (p *Project) Path(rel string) string { return filepath.Join(p.Dir, filepath.FromSlash(rel)) }
