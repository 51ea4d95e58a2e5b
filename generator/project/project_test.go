package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeProject(t *testing.T, generatorYAML string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "my-app")
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/mono\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if generatorYAML != "" {
		if err := os.WriteFile(filepath.Join(dir, ConfigPath), []byte(generatorYAML), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDefaultsAndKeys(t *testing.T) {
	dir := writeProject(t, "type: server\nclient_package_path: ../my_app_client\nmodules:\n  auth:\n    nickname: auth\n")
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want string }{
		{p.Name, "my_app"},
		{string(p.Type), "server"},
		{p.ModelsDir, "models"},
		{p.ProtocolDir, "generated/protocol"},
		{p.DispatchDir, "generated/dispatch"},
		{p.GoClientDir, "client"},
		{p.DartClientDir, "../my_app_client"},
		{p.GoModulePath, "example.com/mono"},
		{p.ImportPath(p.ProtocolDir), "example.com/mono/my-app/generated/protocol"},
		{strings.Join(p.EndpointPatterns, ","), "./endpoints/..."},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if len(p.Modules) != 1 || p.Modules[0].Name != "serverpod_auth" || p.Modules[0].Nickname != "auth" {
		t.Errorf("modules: %+v", p.Modules)
	}
	if !p.Database {
		t.Error("the database feature is on by default")
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"missing", "", "config/generator.yaml: not found"},
		{"bad type", "name: app\n\ntype: client\n", "config/generator.yaml:3: type \"client\" is not supported"},
		{"bad name", "name: My App\n", "config/generator.yaml:1: name \"My App\" must be snake_case"},
		{"bad yaml", "modules: [\n", "invalid YAML"},
		{"wrong shape", "endpoint_packages: 5\n", "config/generator.yaml"},
		{"go type of no extra class", "extraClasses:\n  - package:s/s.dart:Money\ngo_extra_classes:\n  Coin: example.com/s.Coin\n", `config/generator.yaml:4:3: go_extra_classes: "Coin" is not a class of extraClasses`},
		{"go type without package", "extraClasses:\n  - package:s/s.dart:Money\ngo_extra_classes:\n  Money: Money\n", "config/generator.yaml:4:3: go_extra_classes: the Go type of Money must be written as <import path>.<TypeName>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(writeProject(t, tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoadGoExtraClasses(t *testing.T) {
	p, err := Load(writeProject(t, "extraClasses:\n  - package:s/s.dart:Money\n  - Coin\ngo_extra_classes:\n  Money: example.com/app/shared.Money\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := GoType{Pkg: "example.com/app/shared", Name: "Money", Line: 5, Col: 3}
	if len(p.GoTypes) != 1 || p.GoTypes["Money"] != want || want.String() != "example.com/app/shared.Money" {
		t.Errorf("go types: %+v", p.GoTypes)
	}
}

func TestLoadModuleProject(t *testing.T) {
	p, err := Load(writeProject(t, "type: module\nname: serverpod_auth\nnickname: auth\ngo_protocol_package_path: protocol\nfeatures:\n  database: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != Module || p.Nickname != "auth" || p.ProtocolDir != "protocol" || p.Database {
		t.Errorf("%+v", p)
	}
}

func TestServerBuildFlags(t *testing.T) {
	dir := writeProject(t, "type: server\ngo_protocol_package_path: internal/models\n")
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		optimized bool
		want      []string
	}{
		{true, nil},
		{false, []string{
			"-gcflags=example.com/mono/my-app/internal/models=" + DevelopmentGCFlags,
			"-gcflags=example.com/mono/my-app/generated/dispatch=" + DevelopmentGCFlags,
			"-ldflags=-w",
			"-tags=gopod_noatlas",
		}},
	} {
		if got := p.ServerBuildFlags(tc.optimized); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("optimized %v: got %q, want %q", tc.optimized, got, tc.want)
		}
	}
}
