package generator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

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
			write := func(rel, src string) { writeProjectFile(t, dir, rel, src) }
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

// TestGoTypesCache: a check of go_extra_classes that passed is not made
// again while nothing it depends on changes (a model change, or another
// package's, loads nothing), and a change to the package declaring a type,
// or to a package it imports, is checked again and reported as before.
func TestGoTypesCache(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a project")
	}
	const codec = `package codec

import "github.com/gopod/gopod/wire"

// Cents encodes itself as a number of cents.
type Cents struct{ N int64 }

func (c *Cents) EncodeJSON(e *wire.Encoder) { e.Int(c.N) }

func (c *Cents) DecodeJSON(v any) error {
	n, err := wire.DecodeInt(v)
	c.N = n
	return err
}
`
	const shared = `package shared

import "cached/codec"

// Money has the methods of the Cents it embeds.
type Money struct{ codec.Cents }
`
	const model = "class: Wallet\nfields:\n  cash: Money\n"
	dir := filepath.Join(t.TempDir(), "cached")
	write := func(rel, src string) { writeProjectFile(t, dir, rel, src) }
	write("config/generator.yaml", "type: server\nname: cached\n"+
		"extraClasses:\n  - package:cached_shared/cached_shared.dart:Money\n"+
		"go_extra_classes:\n  Money: cached/shared.Money\n")
	write("models/wallet.spy.yaml", model)
	write("codec/codec.go", codec)
	write("shared/shared.go", shared)
	newGoModule(t, dir, "cached")

	loads := 0
	defer func(load func(*packages.Config, ...string) ([]*packages.Package, error)) { loadPackages = load }(loadPackages)
	loadPackages = func(cfg *packages.Config, patterns ...string) ([]*packages.Package, error) {
		loads++
		return packages.Load(cfg, patterns...)
	}
	const noDecode = "config/generator.yaml:6:3: go_extra_classes: Money: cached/shared.Money needs the method DecodeJSON(any) error to be decoded"
	const noType = "config/generator.yaml:6:3: go_extra_classes: Money: package cached/shared declares no exported type Money"
	field := 0
	for _, step := range []struct {
		name    string
		edit    func()
		wantErr string
		load    bool
	}{
		{"first run", func() {}, "", true},
		{"model change", nil, "", false},
		{"another package changes", func() { write("other/other.go", "package other\n") }, "", false},
		{"method removed from an imported package", func() {
			write("codec/codec.go", codec[:strings.Index(codec, "func (c *Cents) DecodeJSON")])
		}, noDecode, true},
		{"model change while failing", nil, noDecode, true},
		// The sources are those of the check that passed: no load.
		{"method back", func() { write("codec/codec.go", codec) }, "", false},
		{"model change after the fix", nil, "", false},
		{"type renamed", func() { write("shared/shared.go", strings.ReplaceAll(shared, "Money", "Cash")) }, noType, true},
		{"type back, with a comment", func() { write("shared/shared.go", shared+"\n// Back.\n") }, "", true},
		{"go.mod changes", func() {
			b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			write("go.mod", string(b)+"\n// edited\n")
		}, "", true},
		{"model change at the end", nil, "", false},
	} {
		if step.edit == nil { // a model gains a field, which no Go type depends on
			field++
			step.edit = func() { write("models/wallet.spy.yaml", model+fmt.Sprintf("  note%d: String?\n", field)) }
		}
		step.edit()
		before := loads
		_, err := Generate(context.Background(), Options{Dir: dir})
		switch {
		case step.wantErr == "" && err != nil:
			t.Fatalf("%s: %v", step.name, err)
		case step.wantErr != "" && (err == nil || err.Error() != step.wantErr):
			t.Fatalf("%s: error %v, want %q", step.name, err, step.wantErr)
		}
		if loaded := loads > before; loaded != step.load {
			t.Errorf("%s: the packages of go_extra_classes were loaded: %v, want %v", step.name, loaded, step.load)
		}
	}
}
