package generator

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/generator/project"
)

// TestCustomClassGoTypeErrors: a Go type of go_extra_classes that does not
// exist or cannot encode and decode itself is reported at its line and
// column in generator.yaml, and a custom class without a Go type at the
// model field that uses it.
func TestCustomClassGoTypeErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a project")
	}
	const shared = `package shared

type NoMethods struct{}

type WrongDecode struct{}

func (*WrongDecode) EncodeJSON(e *wire.Encoder) {}
func (*WrongDecode) DecodeJSON(b []byte) error { return nil }
`
	for _, tc := range []struct {
		name, goType, model, want string
	}{
		{"missing type", "bad/shared.Nope", "Money", "config/generator.yaml:7:3: go_extra_classes: Money: package bad/shared declares no exported type Nope"},
		{"missing package", "bad/nowhere.Money", "Money", "config/generator.yaml:7:3: go_extra_classes: Money: package bad/nowhere:"},
		{"no methods", "bad/shared.NoMethods", "Money", "config/generator.yaml:7:3: go_extra_classes: Money: bad/shared.NoMethods needs the method EncodeJSON(*wire.Encoder)"},
		{"wrong decode", "bad/shared.WrongDecode", "Money", "config/generator.yaml:7:3: go_extra_classes: Money: bad/shared.WrongDecode needs the method DecodeJSON(any) error"},
		{"undeclared", "bad/shared.WrongDecode", "Coin", `models/wallet.spy.yaml:3:9: error: The custom class "Coin" has no Go type`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bad")
			write := func(rel, src string) {
				p := filepath.Join(dir, filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("config/generator.yaml", "type: server\nname: bad\n"+
				"extraClasses:\n  - package:bad_shared/bad_shared.dart:Money\n  - package:bad_shared/bad_shared.dart:Coin\n"+
				"go_extra_classes:\n  Money: "+tc.goType+"\n")
			write("models/wallet.spy.yaml", "class: Wallet\nfields:\n  cash: "+tc.model+"\n")
			write("shared/shared.go", strings.Replace(shared, "package shared\n", "package shared\n\nimport \"github.com/gopod/gopod/wire\"\n", 1))
			newGoModule(t, dir, "bad")
			_, err := Generate(context.Background(), Options{Dir: dir})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestCustomClassesShared: the models of a project's custom classes are
// built once a run; the analyzed fields refer to the very models the Go
// and Dart emitters and the model keys are given.
func TestCustomClassesShared(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "custom")
	copyTree(t, filepath.Join("testdata", "golden", "custom"), dir)
	newGoModule(t, dir, "custom")
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	customs := customClasses(p)
	models, diags, err := analyzeModels(p, nil, customs)
	if err != nil || failing(diags) {
		t.Fatalf("analysis: %v %v", diags, err)
	}
	var walk func(*model.Type) int
	walk = func(ty *model.Type) int {
		n := 0
		if ty.Model != nil && ty.Model.Kind == model.Custom {
			if !slices.Contains(customs, ty.Model) {
				t.Errorf("field type %s refers to a model of its own for the custom class", ty.Name)
			}
			n++
		}
		for _, a := range ty.Args {
			n += walk(a)
		}
		return n
	}
	uses := 0
	for _, m := range models {
		for _, f := range m.Fields {
			uses += walk(f.Type)
		}
	}
	if uses == 0 {
		t.Fatal("no field of the golden project uses a custom class")
	}
	if got := goOptions(p, nil, customs).Custom; !slices.Equal(got, customs) {
		t.Error("the Go options hold other custom class models")
	}
	if got := dartOptions(p, nil, customs).CustomClasses; !slices.Equal(got, customs) {
		t.Error("the Dart options hold other custom class models")
	}
}
