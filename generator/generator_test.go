package generator

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator/dart/dartcheck"
	"github.com/gopod/gopod/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden/*/want")

// inputDirs are the parts of a golden case that are inputs; everything the
// generator writes is compared with want/.
var inputDirs = []string{"config", "models", "endpoints", "e2e", "shared"}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// newGoModule makes dir a Go module that builds against this checkout.
func newGoModule(t testing.TB, dir, module string) {
	t.Helper()
	gomod, err := templates.GoMod(module, gopod.SourceDir(), gopod.GoMod)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), gopod.GoSum, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeProjectFile writes src to rel (a slash path) under dir, making its
// directories.
func writeProjectFile(tb testing.TB, dir, rel, src string) {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// generatedFiles reads every file under dir that is not an input.
func generatedFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		top, _, _ := strings.Cut(rel, "/")
		if d.IsDir() {
			if slices.Contains(inputDirs, top) || top == ".gopod" {
				return fs.SkipDir
			}
			return nil
		}
		if rel == "go.mod" || rel == "go.sum" {
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compareGolden(t *testing.T, wantDir string, got map[string][]byte) {
	t.Helper()
	if *update {
		os.RemoveAll(wantDir)
		for rel, b := range got {
			p := filepath.Join(wantDir, filepath.FromSlash(rel))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := generatedFiles(t, wantDir)
	for rel, b := range got {
		w, ok := want[rel]
		switch {
		case !ok:
			t.Errorf("%s was generated but is not in %s (run go test ./generator -update)", rel, wantDir)
		case !bytes.Equal(w, b):
			t.Errorf("%s differs from its golden file (run go test ./generator -update and review the diff)", rel)
		}
	}
	for rel := range want {
		if _, ok := got[rel]; !ok {
			t.Errorf("%s is in %s but was not generated", rel, wantDir)
		}
	}
}

func goCmd(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestGolden generates each case under testdata/golden, compares the output
// with want/, then builds, vets and tests the generated project (the e2e
// package of a case runs against the generated code).
func TestGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks and builds projects")
	}
	cases, err := os.ReadDir("testdata/golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name(), func(t *testing.T) {
			// Mostly the go command's work (building and testing the
			// project): it overlaps with the other projects' and tests'.
			t.Parallel()
			src := filepath.Join("testdata", "golden", c.Name())
			dir := filepath.Join(t.TempDir(), c.Name())
			for _, d := range inputDirs {
				if _, err := os.Stat(filepath.Join(src, d)); err == nil {
					copyTree(t, filepath.Join(src, d), filepath.Join(dir, d))
				}
			}
			newGoModule(t, dir, c.Name())
			if _, err := Generate(context.Background(), Options{Dir: dir}); err != nil {
				t.Fatal(err)
			}
			got := generatedFiles(t, dir)
			compareGolden(t, filepath.Join(src, "want"), got)
			dartFiles := map[string][]byte{}
			for rel, b := range got {
				if strings.HasSuffix(rel, ".dart") {
					dartFiles[rel] = b
				}
			}
			if len(dartFiles) == 0 {
				t.Error("no Dart client was generated")
			}
			if err := dartcheck.CheckFiles(dartFiles); err != nil {
				t.Errorf("generated Dart does not parse: %v", err)
			}
			goCmd(t, dir, "vet", "./...")
			// go vet ./... has vetted every package and its tests with all
			// analyzers; go test's own vet run would repeat a subset.
			goCmd(t, dir, "test", "-vet=off", "./...")
		})
	}
}

// TestUpToDateShortcut: an unchanged project is only checked; an edited
// generated file or a changed input brings the full run back.
func TestUpToDateShortcut(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks a project")
	}
	dir := filepath.Join(t.TempDir(), "synthetic")
	writeSyntheticProject(t, dir, 8, 2)
	ctx := context.Background()
	if _, err := Generate(ctx, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	checkedOnly := func(res *Result) bool { return len(res.Phases) == 1 }

	res, err := Generate(ctx, Options{Dir: dir})
	if err != nil || !checkedOnly(res) || res.Stale() || res.Unchanged == 0 {
		t.Fatalf("unchanged project: %+v, %v", res, err)
	}

	generated := filepath.Join(dir, "generated", "protocol", "model0.go")
	good, _ := os.ReadFile(generated)
	os.WriteFile(generated, append(append([]byte{}, good...), "// edited by hand\n"...), 0o644)
	res, err = Generate(ctx, Options{Dir: dir, Check: true})
	if err != nil || checkedOnly(res) || !slices.Contains(res.Written, "generated/protocol/model0.go") {
		t.Fatalf("--check with an edited generated file: %+v, %v", res, err)
	}
	if _, err := Generate(ctx, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(generated); !bytes.Equal(b, good) {
		t.Fatal("the edited generated file was not restored")
	}

	endpoint := filepath.Join(dir, "endpoints", "ep0.go")
	src, _ := os.ReadFile(endpoint)
	os.WriteFile(endpoint, append(src, "\n// A comment changes no signature.\n"...), 0o644)
	res, err = Generate(ctx, Options{Dir: dir})
	if err != nil || checkedOnly(res) || res.Stale() {
		t.Fatalf("after editing an endpoint: full run expected, nothing written: %+v, %v", res, err)
	}

	// That run took the models' code from disk; rendering it gives the same.
	os.WriteFile(endpoint, append(src, "\nfunc (e *Thing0Endpoint) Ping(s *pod.Session) error { return nil }\n"...), 0o644)
	if res, err = Generate(ctx, Options{Dir: dir}); err != nil || !slices.Contains(res.Written, "client/client.go") {
		t.Fatalf("after adding a method: %+v, %v", res, err)
	}
	os.Remove(filepath.Join(dir, ".gopod", "cache", "generate.json"))
	if res, err = Generate(ctx, Options{Dir: dir}); err != nil || res.Stale() {
		t.Fatalf("a full render differs from the models taken from disk: %+v, %v", res, err)
	}

	// A model change renders the models it can affect and takes the
	// others from disk; rendering all of them gives the same.
	modelFile := filepath.Join(dir, "models", "model4.spy.yaml")
	msrc, _ := os.ReadFile(modelFile)
	os.WriteFile(modelFile, bytes.Replace(msrc, []byte("fields:\n"), []byte("fields:\n  added: String?\n"), 1), 0o644)
	if res, err = Generate(ctx, Options{Dir: dir}); err != nil || !slices.Contains(res.Written, "generated/protocol/model4.go") {
		t.Fatalf("after adding a field: %+v, %v", res, err)
	}
	os.Remove(filepath.Join(dir, ".gopod", "cache", "generate.json"))
	if res, err = Generate(ctx, Options{Dir: dir}); err != nil || res.Stale() {
		t.Fatalf("a full render differs from a model change's: %+v, %v", res, err)
	}
}
