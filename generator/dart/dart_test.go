package dart

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/dart/dartcheck"
	"github.com/gopod/gopod/generator/endpoint"
	"github.com/gopod/gopod/generator/model"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// cases are the directories under testdata (see cases_test.go): the
// project `gopod create` makes, a project using every field type, relation
// and parameter kind, and the client of a module.
var cases = []string{"scaffold", "everything", "module"}

func generateCase(t *testing.T, name string) map[string][]byte {
	t.Helper()
	in := loadCase(t, name)
	files, err := Generate(in.models, in.endpoints, in.opts)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return files
}

// TestGolden compares the generated package with testdata/<case>/client.
func TestGolden(t *testing.T) {
	for _, c := range cases {
		t.Run(c, func(t *testing.T) {
			files := generateCase(t, c)
			dir := filepath.Join("testdata", c, "client")
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for name, src := range files {
					p := filepath.Join(dir, filepath.FromSlash(name))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, src, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			want := readTree(t, dir)
			for _, name := range sortedKeys(want) {
				got, ok := files[name]
				if !ok {
					t.Errorf("%s: expected file not generated", name)
					continue
				}
				if d := firstDifference(want[name], got); d != "" {
					t.Errorf("%s differs from the golden file (run go test -update after checking the change): %s", name, d)
				}
			}
			for _, name := range sortedKeys(files) {
				if _, ok := want[name]; !ok {
					t.Errorf("%s: generated but not in the golden files", name)
				}
			}
		})
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
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
		out[filepath.ToSlash(rel)] = src
		return nil
	})
	if err != nil {
		t.Fatalf("read golden files (run go test -update to create them): %v", err)
	}
	return out
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// firstDifference describes the first line where got differs from want.
func firstDifference(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d: want %q, got %q", i+1, wl, gl)
		}
	}
	return "files differ"
}

// TestDartSyntax parses every generated Dart file with the tree-sitter Dart
// grammar.
func TestDartSyntax(t *testing.T) {
	for _, c := range cases {
		t.Run(c, func(t *testing.T) {
			if err := dartcheck.CheckFiles(generateCase(t, c)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLineWidth checks the 80-column layout: only import URIs and lone
// string literals, which dart format cannot split either, may be longer.
func TestLineWidth(t *testing.T) {
	for _, c := range cases {
		files := generateCase(t, c)
		for _, name := range sortedKeys(files) {
			for i, l := range strings.Split(string(files[name]), "\n") {
				if len(l) > pageWidth && !strings.HasPrefix(l, "import '") && !strings.HasPrefix(strings.TrimSpace(l), "'") {
					t.Errorf("%s/%s:%d is %d columns wide: %s", c, name, i+1, len(l), l)
				}
				if strings.TrimRight(l, " ") != l {
					t.Errorf("%s/%s:%d has trailing spaces", c, name, i+1)
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range cases {
		first, second := generateCase(t, c), generateCase(t, c)
		if len(first) != len(second) {
			t.Fatalf("%s: %d files, then %d", c, len(first), len(second))
		}
		for name, src := range first {
			if !bytes.Equal(src, second[name]) {
				t.Errorf("%s: %s differs between two runs", c, name)
			}
		}
	}
}

var importPrefix = regexp.MustCompile(`_i\d+\.`)

// plainType removes import prefixes and spaces from Dart type text, to
// compare it with model.Type.DartString.
func plainType(s string) string {
	return strings.ReplaceAll(importPrefix.ReplaceAllString(s, ""), " ", "")
}

// TestEndpointCalls reads client.dart's syntax tree and checks that each
// endpoint method calls caller.callServerEndpoint with the endpoint's wire
// name (module endpoints prefixed with the module name), the method name and
// a map of the parameters under their wire names, and that it returns the
// Future Serverpod declares.
func TestEndpointCalls(t *testing.T) {
	for _, c := range cases {
		t.Run(c, func(t *testing.T) {
			in := loadCase(t, c)
			endpoints, opts := in.endpoints, in.opts
			files := generateCase(t, c)
			tree, err := dartcheck.Parse(files["lib/src/protocol/client.dart"])
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			classes := map[string]dartcheck.Node{}
			for _, cl := range tree.Root().FindAll("class_definition") {
				if name, ok := cl.Field("name"); ok {
					classes[name.Text()] = cl
				}
			}
			prefix := ""
			if opts.IsModule {
				prefix = opts.ProjectName + "."
			}
			for _, e := range endpoints {
				className := "Endpoint" + strings.ToUpper(e.Name[:1]) + e.Name[1:]
				cl, ok := classes[className]
				if !ok {
					t.Errorf("no class %s for endpoint %s", className, e.Name)
					continue
				}
				body, _ := cl.Field("body")
				methods := methodsOf(body)
				if got := methods["name"].body; got != "'"+prefix+e.Name+"'" {
					t.Errorf("%s.name returns %s, want '%s%s'", className, got, prefix, e.Name)
				}
				for _, m := range e.Methods {
					checkEndpointMethod(t, prefix+e.Name, m, methods[m.Name])
				}
			}
			lookup := "get endpointRefLookup"
			client := files["lib/src/protocol/client.dart"]
			for _, e := range endpoints {
				entry := fmt.Sprintf("'%s%s': %s", prefix, e.Name, e.Name)
				if !bytes.Contains(client[bytes.Index(client, []byte(lookup)):], []byte(entry)) {
					t.Errorf("endpointRefLookup lacks %s", entry)
				}
			}
		})
	}
}

type dartMethod struct {
	signature dartcheck.Node
	// body is the text of the arrow body; call the invocation node's parts.
	body      string
	callee    []string
	typeArg   string
	arguments []dartcheck.Node
	found     bool
}

// methodsOf indexes the methods of a class body by name. The grammar puts a
// method_signature and its function_body side by side.
func methodsOf(body dartcheck.Node) map[string]dartMethod {
	out := map[string]dartMethod{}
	for _, sig := range body.Children() {
		if sig.Kind() != "method_signature" {
			continue
		}
		inner := sig.Children()[0]
		name, ok := inner.Field("name")
		if !ok {
			continue
		}
		m := dartMethod{signature: inner, found: true}
		if fb, ok := sig.Next(); ok && fb.Kind() == "function_body" {
			parts := fb.Children()
			if len(parts) > 0 {
				m.body = parts[0].Text()
			}
			for _, p := range parts {
				switch p.Kind() {
				case "identifier":
					m.callee = append(m.callee, p.Text())
				case "selector":
					for _, s := range p.Children() {
						switch s.Kind() {
						case "unconditional_assignable_selector":
							m.callee = append(m.callee, s.Text())
						case "argument_part":
							for _, a := range s.Children() {
								switch a.Kind() {
								case "type_arguments":
									m.typeArg = a.Text()
								case "arguments":
									m.arguments = a.Children()
								}
							}
						}
					}
				}
			}
		}
		out[name.Text()] = m
	}
	return out
}

// plainDart spells t in Dart without import prefixes.
func plainDart(t *endpoint.Type) string {
	return strings.ReplaceAll(t.Dart(func(t *endpoint.Type) string { return t.Name }), " ", "")
}

func checkEndpointMethod(t *testing.T, endpointName string, m *endpoint.Method, got dartMethod) {
	t.Helper()
	where := endpointName + "." + m.Name
	if !got.found {
		t.Errorf("%s: method not generated", where)
		return
	}
	ret := "void"
	if m.Returns != nil {
		ret = plainDart(m.Returns)
	}
	sig := got.signature.Text()
	name, _ := got.signature.Field("name")
	if gotRet := plainType(sig[:strings.Index(sig, " "+name.Text()+"(")]); gotRet != "Future<"+ret+">" {
		t.Errorf("%s returns %s, want Future<%s>", where, gotRet, ret)
	}
	params := got.signature.FindAll("formal_parameter")
	if len(params) != len(m.Params) {
		t.Errorf("%s has %d parameters, want %d", where, len(params), len(m.Params))
	}
	for i := 0; i < len(params) && i < len(m.Params); i++ {
		pn, _ := params[i].Field("name")
		ptype := plainType(strings.TrimSuffix(params[i].Text(), pn.Text()))
		if ptype != plainDart(m.Params[i].Type) {
			t.Errorf("%s parameter %d has type %s, want %s", where, i, ptype, plainDart(m.Params[i].Type))
		}
	}
	if strings.Join(got.callee, "") != "caller.callServerEndpoint" {
		t.Errorf("%s calls %s, want caller.callServerEndpoint", where, strings.Join(got.callee, ""))
	}
	if plainType(got.typeArg) != "<"+ret+">" {
		t.Errorf("%s calls with type argument %s, want <%s>", where, got.typeArg, ret)
	}
	if len(got.arguments) != 3 {
		t.Fatalf("%s passes %d arguments, want endpoint, method and parameters", where, len(got.arguments))
	}
	if a := got.arguments[0].Text(); a != "'"+endpointName+"'" {
		t.Errorf("%s calls endpoint %s, want '%s'", where, a, endpointName)
	}
	if a := got.arguments[1].Text(); a != "'"+m.Name+"'" {
		t.Errorf("%s calls method %s, want '%s'", where, a, m.Name)
	}
	pairs := got.arguments[2].FindAll("pair")
	if len(pairs) != len(m.Params) {
		t.Fatalf("%s sends %d parameters, want %d: %s", where, len(pairs), len(m.Params), got.arguments[2].Text())
	}
	for i, pair := range pairs {
		key, _ := pair.Field("key")
		value, _ := pair.Field("value")
		if key.Text() != "'"+m.Params[i].Name+"'" {
			t.Errorf("%s sends parameter %d as %s, want '%s'", where, i, key.Text(), m.Params[i].Name)
		}
		dartName, _ := params[i].Field("name")
		if value.Text() != dartName.Text() {
			t.Errorf("%s sends %s for parameter %s, want the parameter %s", where, value.Text(), m.Params[i].Name, dartName.Text())
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	secret := class("Secret", "secret")
	secret.ServerOnly = true
	cyclic := class("A", "a", fld("x", typ("Mystery")))
	orphan := &model.Model{Kind: model.Class, ClassName: "Orphan", Module: "ghost", ModuleName: "ghost_module"}
	badDefault := class("Bad", "bad", withDefault(fld("n", typ(model.TypeInt)), "ten"))

	tests := []struct {
		name      string
		models    []*model.Model
		endpoints []*endpoint.Endpoint
		opts      Options
		want      string
	}{
		{"bad package name", nil, nil, Options{ClientPackageName: "My-Client"}, `package name "My-Client"`},
		{"module without name", nil, nil, Options{ClientPackageName: "x_client", IsModule: true}, "module's name"},
		{"module without package", nil, nil, Options{ClientPackageName: "x_client", Modules: []Module{{Name: "serverpod_auth", Nickname: "auth"}}}, `module "serverpod_auth"`},
		{"server-only parameter", []*model.Model{secret}, []*endpoint.Endpoint{{Name: "e", Methods: []*endpoint.Method{
			method("m", nil, param("s", modelType(secret)))}}}, Options{ClientPackageName: "x_client"}, "parameter s: type Secret is server-only"},
		{"unknown module", nil, []*endpoint.Endpoint{{Name: "e", Methods: []*endpoint.Method{
			method("m", modelType(orphan))}}}, Options{ClientPackageName: "x_client"}, `module "ghost"`},
		{"unresolved type", []*model.Model{cyclic}, nil, Options{ClientPackageName: "x_client"}, "field A.x: type Mystery is not a known model"},
		{"bad default", []*model.Model{badDefault}, nil, Options{ClientPackageName: "x_client"}, `default value "ten"`},
		{"endpoint named like a Client member", nil, []*endpoint.Endpoint{{Name: "host", GoName: "HostEndpoint"}},
			Options{ClientPackageName: "x_client"}, `endpoint HostEndpoint: "host" cannot name a field`},
		{"reserved endpoint name", nil, []*endpoint.Endpoint{{Name: "new", GoName: "NewEndpoint"}},
			Options{ClientPackageName: "x_client"}, `"new" cannot name a field`},
		{"reserved method name", nil, []*endpoint.Endpoint{{Name: "jobs", Methods: []*endpoint.Method{{Name: "do", GoName: "Do"}}}},
			Options{ClientPackageName: "x_client"}, `jobs.Do: "do" cannot name a method`},
		{"method named like an EndpointRef member", nil, []*endpoint.Endpoint{{Name: "jobs", Methods: []*endpoint.Method{{Name: "name", GoName: "Name"}}}},
			Options{ClientPackageName: "x_client"}, `jobs.Name: "name" cannot name a method`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.models, tt.endpoints, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Generate error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestSmallProjects covers layouts the golden cases do not reach: no
// endpoints or models at all, single-field classes with and without
// defaults, and a class whose only field is nullable.
func TestSmallProjects(t *testing.T) {
	one := class("One", "one", withDefault(fld("count", typ(model.TypeInt)), "1"))
	solo := class("Solo", "solo", fld("name", typ(model.TypeString)))
	maybe := class("Maybe", "maybe", fld("note", &model.Type{Name: model.TypeString, Nullable: true}))
	tests := []struct {
		name      string
		models    []*model.Model
		endpoints []*endpoint.Endpoint
		want      []string
	}{
		{"empty", nil, nil, []string{"Map<String, _i1.EndpointRef> get endpointRefLookup => {};", "disconnectStreamsOnLostInternetConnection,\n        );"}},
		{"single default", []*model.Model{one}, nil, []string{"One._({int? count}) : count = count ?? 1;", "factory One({int? count}) = _OneImpl;"}},
		{"single field", []*model.Model{solo}, []*endpoint.Endpoint{{Name: "solo", Methods: []*endpoint.Method{method("get", modelType(solo))}}},
			[]string{"_SoloImpl({required String name}) : super._(name: name);", "_i2.Future<_i3.Solo> get() => caller.callServerEndpoint<_i3.Solo>("}},
		{"single nullable", []*model.Model{maybe}, nil, []string{"class _Undefined {}", "Maybe copyWith({Object? note = _Undefined}) {"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Generate(tt.models, tt.endpoints, Options{ProjectName: "small", ClientPackageName: "small_client"})
			if err != nil {
				t.Fatal(err)
			}
			if err := dartcheck.CheckFiles(files); err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, name := range sortedKeys(files) {
				all.Write(files[name])
			}
			for _, w := range tt.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("generated code lacks %q", w)
				}
			}
		})
	}
}

// BenchmarkGenerate measures a project of 500 models of every field type.
func BenchmarkGenerate(b *testing.B) {
	in := loadCase(b, "everything")
	var models []*model.Model
	for i := 0; i < 500; i++ {
		for _, m := range in.models {
			if m.ClassName != "AllTypes" {
				continue
			}
			c := *m
			c.ClassName = fmt.Sprintf("AllTypes%d", i)
			c.FileName = fmt.Sprintf("all_types_%d", i)
			c.SourcePath = "models/" + c.FileName + ".spy.yaml"
			models = append(models, &c)
		}
	}
	models = append(models, in.models...)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Generate(models, in.endpoints, in.opts); err != nil {
			b.Fatal(err)
		}
	}
}
