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
