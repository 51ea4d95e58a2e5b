package migration

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/generator/model"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata and the core migrations")

// analyzeFS analyzes every model file of fsys as a project's models, placed
// under dir in the project.
func analyzeFS(t testing.TB, fsys fs.FS, dir string, opts model.Options) []*model.Model {
	t.Helper()
	var files []model.File
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !model.IsModelFile(p) {
			return err
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, model.File{Path: dir + "/" + p, Src: src})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	opts.Database = true
	models, diags := model.Analyze(files, opts)
	for _, d := range diags {
		if d.Fails() {
			t.Fatalf("model error: %s", d)
		}
	}
	return models
}

// analyzeSources analyzes model files given as path → content.
func analyzeSources(t testing.TB, srcs map[string]string) []*model.Model {
	t.Helper()
	var files []model.File
	for p, src := range srcs {
		files = append(files, model.File{Path: p, Src: []byte(src)})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	models, diags := model.Analyze(files, model.Options{Database: true})
	for _, d := range diags {
		if d.Fails() {
			t.Fatalf("model error: %s", d)
		}
	}
	return models
}

// at returns a clock stopped at the instant a version name denotes.
func at(t testing.TB, version string) func() time.Time {
	t.Helper()
	tm, err := time.Parse("20060102150405.000", version[:14]+"."+version[14:17])
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return tm }
}

// readTree returns the files below dir as relative path → content.
func readTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// compareTree checks that the files below got equal those below want; with
// -update it replaces want's files by got's.
func compareTree(t *testing.T, got, want string) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(want); err != nil {
			t.Fatal(err)
		}
		for name, content := range readTree(t, got) {
			p := filepath.Join(want, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	g, w := readTree(t, got), readTree(t, want)
	for name, content := range w {
		if gc, ok := g[name]; !ok {
			t.Errorf("%s: missing", name)
		} else if gc != content {
			t.Errorf("%s differs from the golden file (run the tests with -update to accept):\n%s", name, firstDifference(gc, content))
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("%s: not expected", name)
		}
	}
}

// firstDifference shows the first line where got and want differ.
func firstDifference(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("line %d:\n  got:  %s\n  want: %s", i+1, g, w)
		}
	}
	return "(no line differs)"
}

var ctx = context.Background()
