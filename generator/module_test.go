package generator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator/dart/dartcheck"
	"github.com/gopod/gopod/templates"
)

// TestModuleProject creates a module with gopod create --template module
// and a server project that uses it by path: the server refers to the
// module's class as module:greet:Greeting, gets the module's table in its
// migrations, serves the module's endpoints as greeter.<endpoint>, and both
// generated clients reach them under the module's nickname.
func TestModuleProject(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds two projects")
	}
	// Mostly the go command's work: it overlaps with the other builds.
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	create := func(name, tmpl string) string {
		dir := filepath.Join(root, name)
		_, err := templates.Create(templates.CreateOptions{Dir: dir, Name: name, Template: tmpl,
			GopodDir: gopod.SourceDir(), GopodGoMod: gopod.GoMod, GopodGoSum: gopod.GoSum})
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	write := func(p, src string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	mod := create("greeter", templates.TemplateModule)
	if _, err := Generate(ctx, Options{Dir: mod}); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateMigration(ctx, MigrationOptions{Dir: mod}); err != nil {
		t.Fatal(err)
	}

	shop := create("shop", templates.TemplateServer)
	gen, err := os.ReadFile(filepath.Join(shop, "config", "generator.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(shop, "config", "generator.yaml"), string(gen)+"\nmodules:\n  greeter:\n    nickname: greet\n    path: ../greeter\n")
	write(filepath.Join(shop, "models", "visit.spy.yaml"), "class: Visit\ntable: visit\nfields:\n  greeting: module:greet:Greeting?, relation\n  note: String\n")
	write(filepath.Join(shop, "endpoints", "visits.go"), `package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"

	greeter "greeter/generated/protocol"
	"shop/generated/protocol"
)

// VisitsEndpoint records visits.
type VisitsEndpoint struct {
	pod.Endpoint
}

// Record returns a visit for the greeting.
func (e *VisitsEndpoint) Record(s *pod.Session, g greeter.Greeting) (protocol.Visit, error) {
	return protocol.Visit{Greeting: &g, Note: "met " + g.Name}, nil
}
`)
	write(filepath.Join(shop, "e2e", "module_test.go"), `package e2e

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gopod/gopod/runtime/pod"

	greeter "greeter/client"
	"shop/client"
	"shop/generated/dispatch"
)

func TestModuleEndpoints(t *testing.T) {
	srv := httptest.NewServer(pod.NewServer(dispatch.New(), pod.WithLogger(slog.New(slog.DiscardHandler))))
	defer srv.Close()
	c := client.New(srv.URL)
	ctx := context.Background()
	g, err := c.Modules.Greet.Greeting.Hello(ctx, "ann")
	if err != nil || g.Message != "Hello ann" {
		t.Fatalf("greeter.greeting.hello: %+v, %v", g, err)
	}
	v, err := c.Visits.Record(ctx, greeter.Greeting{Name: "bob", Message: "hi"})
	if err != nil || v.Note != "met bob" || v.Greeting == nil || v.Greeting.Message != "hi" {
		t.Fatalf("visits.record: %+v, %v", v, err)
	}
}
`)

	// Without the module's Go module in go.mod, the generated code could
	// not import it: generate says how to add it, at the module's entry.
	_, err = Generate(ctx, Options{Dir: shop})
	if err == nil || !strings.Contains(err.Error(), "config/generator.yaml:") || !strings.Contains(err.Error(), "go mod edit -require=greeter@") {
		t.Fatalf("generate without the module in go.mod: %v", err)
	}
	requireModule(t, shop, "greeter", "../greeter")

	if _, err := Generate(ctx, Options{Dir: shop}); err != nil {
		t.Fatal(err)
	}
	mig, err := CreateMigration(ctx, MigrationOptions{Dir: shop})
	if err != nil {
		t.Fatal(err)
	}
	def, _ := os.ReadFile(filepath.Join(mig.Dir, "definition.sql"))
	for _, want := range []string{`CREATE TABLE "greeter_greeting"`, `REFERENCES "greeter_greeting"("id")`, "MIGRATION VERSION FOR greeter"} {
		if !strings.Contains(string(def), want) {
			t.Errorf("the project's migration lacks %q", want)
		}
	}

	dartFiles := map[string][]byte{}
	for rel, b := range generatedFiles(t, shop) {
		if strings.HasSuffix(rel, ".dart") || strings.HasSuffix(rel, "pubspec.yaml") {
			dartFiles[rel] = b
		}
	}
	clientDart := string(dartFiles["shop_client/lib/src/protocol/client.dart"])
	for _, want := range []string{"import 'package:greeter_client/greeter_client.dart' as", ".Caller greet;", "{'greet': modules.greet}"} {
		if !strings.Contains(clientDart, want) {
			t.Errorf("the Dart client lacks %q:\n%s", want, clientDart)
		}
	}
	if pubspec := string(dartFiles["shop_client/pubspec.yaml"]); !strings.Contains(pubspec, "greeter_client:\n    path: ../../greeter/greeter_client") {
		t.Errorf("the Dart client does not depend on the module's:\n%s", pubspec)
	}
	delete(dartFiles, "shop_client/pubspec.yaml")
	if err := dartcheck.CheckFiles(dartFiles); err != nil {
		t.Errorf("generated Dart does not parse: %v", err)
	}
	// The e2e test builds the server's dispatch, endpoints, protocol and
	// client, and the module's.
	goCmd(t, shop, "test", "./e2e")
}

// requireModule makes the Go module in dir require the Go module path,
// found at the relative directory at, as gopod's message says to.
func requireModule(t *testing.T, dir, path, at string) {
	t.Helper()
	gomodPath := filepath.Join(dir, "go.mod")
	src, err := os.ReadFile(gomodPath)
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := modfile.Parse(gomodPath, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	gomod.AddNewRequire(path, "v0.0.0-00010101000000-000000000000", false)
	if err := gomod.AddReplace(path, "", at, ""); err != nil {
		t.Fatal(err)
	}
	out, err := gomod.Format()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gomodPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestModuleErrors: a module entry that cannot be used is reported at its
// line and column in generator.yaml, saying what to do.
func TestModuleErrors(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module mono\n\ngo 1.26\n")
	write("server/config/generator.yaml", "type: server\nname: other\n")
	write("fresh/config/generator.yaml", "type: module\nname: fresh\n")
	for _, tc := range []struct{ modules, want string }{
		{"  nope:\n    nickname: x\n", "config/generator.yaml:4:3: unknown module \"nope\" under modules"},
		{"  other:\n    path: ../server\n", "config/generator.yaml:4:3: module other: ../server is a server project; a module has type: module"},
		{"  fresh:\n    path: ../fresh\n", "config/generator.yaml:4:3: module fresh: its generated code is missing (generated/protocol): run gopod generate in ../fresh first"},
		{"  renamed:\n    path: ../fresh\n", "config/generator.yaml:4:3: module renamed: the module at ../fresh is named fresh; list it under that name"},
		{"  gone:\n    path: ../gone\n", "config/generator.yaml:4:3: module gone: path ../gone: config/generator.yaml: not found"},
	} {
		write("app/config/generator.yaml", "type: server\nname: app\nmodules:\n"+tc.modules)
		_, err := Generate(context.Background(), Options{Dir: filepath.Join(root, "app")})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", strings.TrimSpace(tc.modules), err, tc.want)
		}
	}
}
