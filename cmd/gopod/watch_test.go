package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWatchSeesSavesDuringARun: a file saved while a run is going gets a
// run of its own; the state after a run must not be taken as seen.
func TestWatchSeesSavesDuringARun(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "models", "example.spy.yaml")
	if err := os.MkdirAll(filepath.Dir(model), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(model, []byte("class: Example\nfields:\n  name: String\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	runs := 0
	err := watch(ctx, dir, time.Millisecond, func() {
		runs++
		switch runs {
		case 1: // the user saves while the first run is going
			if err := os.WriteFile(model, []byte("class: Example\nfields:\n  name: String\n  note: String?\n"), 0o644); err != nil {
				t.Error(err)
			}
		case 2:
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("%d runs, want 2: the save made during the first run was not picked up", runs)
	}
}

// TestWatchSettles: with nothing saved, watch runs once and then only
// looks.
func TestWatchSettles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	runs := 0
	if err := watch(ctx, dir, time.Millisecond, func() { runs++ }); err != nil {
		t.Fatal(err)
	}
	if runs != 1 {
		t.Errorf("%d runs with nothing changed, want 1", runs)
	}
}

// TestWatchFollowsPathModules: the inputs watched are those of the project
// and of every module its generator.yaml lists by path, as the file says
// at each look: a module removed from it is no longer watched, one added
// is, and a generator.yaml that cannot be read is still watched.
func TestWatchFollowsPathModules(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const (
		withModule    = "type: server\nname: shop\nmodules:\n  greeter:\n    nickname: greet\n    path: ../greeter\n"
		withoutModule = "type: server\nname: shop\n"
	)
	write("shop/go.mod", "module shop\n\ngo 1.26\n")
	write("shop/config/generator.yaml", withModule)
	write("greeter/go.mod", "module greeter\n\ngo 1.26\n")
	write("greeter/config/generator.yaml", "type: module\nname: greeter\n")
	write("greeter/models/greeting.spy.yaml", "class: Greeting\nfields:\n  name: String\n")
	dir := filepath.Join(root, "shop")

	steps := []struct {
		name    string
		change  func()
		changed bool
	}{
		{"a module's model saved", func() {
			write("greeter/models/greeting.spy.yaml", "class: Greeting\nfields:\n  name: String\n  note: String?\n")
		}, true},
		{"a module's configuration saved", func() { write("greeter/config/generator.yaml", "type: module\nname: greeter\nnickname: greet\n") }, true},
		{"a module's new model", func() { write("greeter/models/farewell.spy.yaml", "class: Farewell\nfields:\n  name: String\n") }, true},
		{"go.mod saved", func() { write("shop/go.mod", "module shop\n\ngo 1.26\n\nrequire greeter v0.0.0\n") }, true},
		{"the module removed from generator.yaml", func() { write("shop/config/generator.yaml", withoutModule) }, true},
		{"a model of the removed module saved", func() { write("greeter/models/greeting.spy.yaml", "class: Greeting\nfields:\n  name: String\n") }, false},
		{"generator.yaml broken", func() { write("shop/config/generator.yaml", withoutModule+"modules: [\n") }, true},
		{"generator.yaml fixed, the module back", func() { write("shop/config/generator.yaml", withModule) }, true},
		{"a model of the module back saved", func() { write("greeter/models/greeting.spy.yaml", "class: Greeting\nfields:\n  title: String\n") }, true},
	}
	last, err := inputSignature(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		step.change()
		sig, err := inputSignature(dir)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if changed := sig != last; changed != step.changed {
			t.Errorf("%s: signature changed %v, want %v", step.name, changed, step.changed)
		}
		last = sig
	}
}
