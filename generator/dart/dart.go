// Package dart writes the Dart client package of a gopod project: the same
// library Serverpod 2.4 generates (model classes, the Protocol serialization
// manager and the Client with one endpoint caller per endpoint), so that a
// Flutter app written for a Serverpod 2.4 server compiles and runs unchanged
// against a gopod server.
//
// Output is deterministic and laid out as `dart format` lays out Serverpod's
// generated files.
package dart

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/model"
)

// Options describe the project the client is for.
type Options struct {
	// ProjectName is the server project's name, e.g. "myapp" (for a module,
	// its module name, e.g. "serverpod_auth").
	ProjectName string
	// ClientPackageName is the Dart package name, e.g. "myapp_client".
	ClientPackageName string
	// Modules are the modules the project uses.
	Modules []Module
	// IsModule generates the client of a module rather than of a server:
	// endpoints are called as "<ProjectName>.<endpoint>" and the library
	// exposes a Caller for the app's Client instead of a Client (Serverpod's
	// generator.yaml `type: module`).
	IsModule bool
	// CustomClasses are the project's custom classes (generator.yaml's
	// extraClasses): the Protocol decodes them by class name, and the
	// client package depends on the Dart packages that declare them.
	CustomClasses []*model.Model
	// Reuse, when set, may answer a model's file (the class of no sealed
	// hierarchy) without rendering it: the caller knows it from an
	// earlier run.
	Reuse func(m *model.Model) ([]byte, bool)
}

// Module is a module the project uses.
type Module struct {
	Name     string // e.g. serverpod_auth
	Nickname string // e.g. auth
	// ClientPackage is the module's Dart client package, e.g.
	// serverpod_auth_client (the real pub package).
	ClientPackage string
	// ClientVersion is the pub version constraint for ClientPackage;
	// empty means 2.4.0.
	ClientVersion string
	// ClientPath, when set, is the path of the module's client package
	// relative to this client package (a gopod module of the user's, not
	// published): the pubspec depends on it by path.
	ClientPath string
}

// Paths of the generated files, relative to the client package root.
const (
	protocolDir  = "lib/src/protocol"
	pubspecPath  = "pubspec.yaml"
	serverpodURL = "package:serverpod_client/serverpod_client.dart"
	// serverpodVersion is the Serverpod release whose client gopod speaks to.
	serverpodVersion = "2.4.0"
)

// Generate returns the files of the Dart client package, keyed by
// slash-separated path relative to the package root: pubspec.yaml,
// lib/<package>.dart, lib/src/protocol/protocol.dart,
// lib/src/protocol/client.dart and one lib/src/protocol/<subdir>/<file>.dart
// per model that is not server-only.
func Generate(models []*model.Model, endpoints []*endpoint.Endpoint, opts Options) (map[string][]byte, error) {
	g, err := newGenerator(models, endpoints, opts)
	if err != nil {
		return nil, err
	}
	pubspec, err := g.pubspec()
	if err != nil {
		return nil, err
	}
	library, err := g.libraryFile()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		pubspecPath: pubspec,
		"lib/" + opts.ClientPackageName + ".dart": library,
		protocolDir + "/protocol.dart":            g.protocolFile(),
		protocolDir + "/client.dart":              g.clientFile(),
	}
	// The files of a sealed hierarchy share the imports of its top class's
	// file, filled as Serverpod fills them: the subclasses first, then the
	// top class.
	shared := map[*model.Model]*importSet{}
	var order []*model.Model
	for _, m := range g.models {
		top := m.SealedTop()
		switch {
		case top == nil:
			order = append(order, m)
		case top == m:
			shared[m] = newImportSet()
			order = append(append(order, g.family(m)...), m)
		}
	}
	for _, m := range order {
		p := ModelFile(m)
		if _, dup := files[p]; dup {
			return nil, fmt.Errorf("%s: model %s would be written to %s, which another model or generated file already uses; rename the model file", m.SourcePath, m.ClassName, p)
		}
		var set *importSet
		if top := m.SealedTop(); top != nil {
			set = shared[top]
		} else if opts.Reuse != nil {
			if src, ok := opts.Reuse(m); ok {
				files[p] = src
				continue
			}
		}
		src, err := g.modelFile(m, set)
		if err != nil {
			return nil, err
		}
		files[p] = src
	}
	return files, nil
}

// family returns the client classes below the top class of a sealed
// hierarchy, in Serverpod's order.
func (g *generator) family(top *model.Model) []*model.Model {
	var out []*model.Model
	for _, d := range top.Descendants() {
		if !d.ServerOnly {
			out = append(out, d)
		}
	}
	return out
}

// generator holds what every file of one Generate call needs.
type generator struct {
	opts      Options
	models    []*model.Model // client models, in source order
	endpoints []*endpoint.Endpoint
	// modules are opts.Modules sorted by name, as Serverpod orders them.
	modules      []Module
	byNickname   map[string]Module
	byModuleName map[string]Module
}

func newGenerator(models []*model.Model, endpoints []*endpoint.Endpoint, opts Options) (*generator, error) {
	if !isDartPackageName(opts.ClientPackageName) {
		return nil, fmt.Errorf("dart client: package name %q is not a valid Dart package name (lowercase letters, digits and underscores, e.g. myapp_client)", opts.ClientPackageName)
	}
	if opts.IsModule && opts.ProjectName == "" {
		return nil, fmt.Errorf("dart client: a module client needs the module's name (Options.ProjectName)")
	}
	g := &generator{
		opts:         opts,
		endpoints:    endpoints,
		byNickname:   map[string]Module{},
		byModuleName: map[string]Module{},
	}
	g.modules = append(g.modules, opts.Modules...)
	sort.SliceStable(g.modules, func(i, j int) bool { return g.modules[i].Name < g.modules[j].Name })
	for _, m := range g.modules {
		if m.Name == "" || m.Nickname == "" || !isDartPackageName(m.ClientPackage) {
			return nil, fmt.Errorf("dart client: module %q needs a name, a nickname and a valid Dart client package name (got %q)", m.Name, m.ClientPackage)
		}
		if _, dup := g.byNickname[m.Nickname]; dup {
			return nil, fmt.Errorf("dart client: two modules use the nickname %q", m.Nickname)
		}
		g.byNickname[m.Nickname] = m
		g.byModuleName[m.Name] = m
	}
	for _, m := range models {
		if m.ServerOnly || m.Module != "" {
			continue
		}
		g.models = append(g.models, m)
	}
	sort.SliceStable(g.models, func(i, j int) bool { return g.models[i].SourcePath < g.models[j].SourcePath })
	if err := g.check(); err != nil {
		return nil, err
	}
	return g, nil
}

// check makes sure every type the client spells resolves, so that the
// emitters can rely on it.
func (g *generator) check() error {
	for _, m := range g.models {
		for _, f := range clientFields(m) {
			if err := g.checkType(f.Type); err != nil {
				return fmt.Errorf("%s: field %s.%s: %w", f.Pos, m.ClassName, f.Name, err)
			}
		}
	}
	for _, e := range g.endpoints {
		if dartReserved[e.Name] || clientMembers[e.Name] {
			return fmt.Errorf("%s: endpoint %s: %q cannot name a field of the Dart client (it is a reserved word or a member of Client); rename the endpoint type", e.Pos, e.GoName, e.Name)
		}
		for _, meth := range e.Methods {
			if dartReserved[meth.Name] || endpointRefMembers[meth.Name] {
				return fmt.Errorf("%s: endpoint method %s.%s: %q cannot name a method of the Dart client (it is a reserved word or a member of EndpointRef); rename the method", meth.Pos, e.Name, meth.GoName, meth.Name)
			}
			if meth.Returns != nil {
				if err := g.checkEndpointType(meth.Returns); err != nil {
					return fmt.Errorf("%s: endpoint method %s.%s returns %s: %w", meth.Pos, e.Name, meth.Name, meth.Returns, err)
				}
			}
			for _, p := range meth.Params {
				if err := g.checkEndpointType(p.Type); err != nil {
					return fmt.Errorf("%s: endpoint method %s.%s, parameter %s: %w", p.Pos, e.Name, meth.Name, p.Name, err)
				}
			}
		}
	}
	return nil
}

func (g *generator) checkType(t *model.Type) error {
	var err error
	t.Walk(func(t *model.Type) {
		if err != nil {
			return
		}
		switch {
		case t.IsPrimitive():
		case t.IsContainer():
			want := 1
			if t.Name == model.TypeMap {
				want = 2
			}
			if len(t.Args) != want {
				err = fmt.Errorf("type %s needs %d type arguments", t, want)
			}
		case t.Model == nil:
			err = fmt.Errorf("type %s is not a known model or supported type", t)
		case t.Model.Kind == model.Custom:
			if !strings.HasPrefix(t.Model.DartURL, "package:") {
				err = fmt.Errorf("custom class %s has no Dart library to import: list it under extraClasses as package:<package>/<file>.dart:%s", t.Model.ClassName, t.Model.ClassName)
			}
		case t.Model.Module == "" && t.Model.ServerOnly:
			err = fmt.Errorf("type %s is server-only and does not exist in the Dart client", t)
		case t.Model.Module != "" && t.Model.Module != "serverpod":
			if _, ok := g.moduleOf(t.Model); !ok {
				err = fmt.Errorf("type %s belongs to module %q, which is not in the project's modules", t, t.Model.Module)
			}
		}
	})
	return err
}

// checkEndpointType checks the models an endpoint type names.
func (g *generator) checkEndpointType(t *endpoint.Type) error {
	var err error
	t.Walk(func(t *endpoint.Type) {
		if err == nil && t.Kind == endpoint.Model {
			err = g.checkType(&model.Type{Name: t.Name, Model: t.Model, Module: t.Model.Module})
		}
	})
	return err
}

// clientMembers are the names the Dart Client (ServerpodClientShared,
// ModuleEndpointCaller) already uses; an endpoint field cannot take them.
var clientMembers = map[string]bool{
	"host": true, "websocketHost": true, "serializationManager": true, "authenticationKeyManager": true,
	"moduleLookup": true, "endpointRefLookup": true, "streamingConnectionTimeout": true,
	"connectionTimeout": true, "onFailedCall": true, "onSucceededCall": true, "connectivityMonitor": true,
	"close": true, "openStreamingConnection": true, "closeStreamingMethodConnections": true,
	"closeStreamingConnection": true, "addStreamingConnectionStatusListener": true,
	"removeStreamingConnectionStatusListener": true, "streamingConnectionStatus": true,
	"updateStreamingConnectionAuthenticationKey": true, "callServerEndpoint": true,
	"callStreamingServerEndpoint": true, "client": true, "modules": true,
	"hashCode": true, "runtimeType": true, "toString": true, "noSuchMethod": true,
}

// endpointRefMembers are the names EndpointRef already uses.
var endpointRefMembers = map[string]bool{
	"caller": true, "client": true, "name": true, "stream": true, "sendStreamMessage": true,
	"resetStream": true, "hashCode": true, "runtimeType": true, "toString": true, "noSuchMethod": true,
}

// moduleOf finds the module a module model belongs to.
func (g *generator) moduleOf(m *model.Model) (Module, bool) {
	if mod, ok := g.byNickname[m.Module]; ok {
		return mod, true
	}
	mod, ok := g.byModuleName[m.ModuleName]
	return mod, ok
}

// clientFields are the fields a model has in the client: those of scope
// all. Table classes start with their id, which the analyzer normally
// injects already.
func clientFields(m *model.Model) []*model.Field {
	var out []*model.Field
	if m.Kind == model.Class && m.HasTable() && m.Field("id") == nil {
		out = append(out, &model.Field{
			Name: "id", Type: &model.Type{Name: model.TypeInt, Nullable: true},
			Scope: model.ScopeAll, Persist: true, Implicit: true, Pos: m.Pos,
		})
	}
	for _, f := range m.AllFields() {
		if f.OnClient() {
			out = append(out, f)
		}
	}
	return out
}

// idDoc documents the id of table classes when the analyzer left it bare.
var idDoc = []string{
	"The database id, set if the object has been inserted into the",
	"database or if it has been fetched from the database. Otherwise,",
	"the id will be null.",
}

func fieldDoc(f *model.Field) []string {
	if len(f.Doc) == 0 && f.Implicit && f.Name == "id" {
		return idDoc
	}
	return f.Doc
}

// ModelFile is the path of a model's file in the client package.
func ModelFile(m *model.Model) string { return protocolDir + "/" + modelFilePath(m) }

// modelFilePath is a model's file relative to lib/src/protocol.
func modelFilePath(m *model.Model) string {
	return path.Join(m.SubDir, m.FileName+".dart")
}

func isDartPackageName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] == '_') {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// header starts every generated Dart file. The ignore_for_file lines are the
// ones Serverpod writes, so that analysis of the client reports the same.
const partHeader = `// Code generated by gopod. DO NOT EDIT.

// ignore_for_file: implementation_imports
// ignore_for_file: library_private_types_in_public_api
// ignore_for_file: non_constant_identifier_names
// ignore_for_file: public_member_api_docs
// ignore_for_file: type_literal_in_constant_pattern
// ignore_for_file: use_super_parameters

`

// header starts every generated file but the parts of a sealed hierarchy,
// which have no imports.
const header = partHeader + `// ignore_for_file: no_leading_underscores_for_library_prefixes
`

// pascal turns an endpoint name into the suffix of its class name:
// s3CloudStorage → S3CloudStorage.
func pascal(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
