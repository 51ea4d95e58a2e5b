package generator

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/dart"
	"github.com/gopod/gopod/generator/gocode"
	"github.com/gopod/gopod/generator/project"
)

// TestModelKeysCoverRendering edits the model files of projects with
// relations, enums, defaults and inheritance, one edit at a time, and
// checks that every model whose key the edit left alone renders exactly
// as before: a key that missed something a model's code depends on would
// let a run keep stale code.
func TestModelKeysCoverRendering(t *testing.T) {
	for _, name := range []string{"orm", "inheritance", "alltypes", "custom"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			copyTree(t, filepath.Join("testdata", "golden", name), dir)
			newGoModule(t, dir, name)
			base := readModelSources(t, dir)
			before, ok := renderWithKeys(t, dir)
			if !ok {
				t.Fatal("the project's models do not analyze")
			}
			var edits []modelEdit
			for _, rel := range slices.Sorted(maps.Keys(base)) {
				src := base[rel]
				if fields, rest, ok := strings.Cut(src, "fields:\n"); ok {
					edits = append(edits,
						modelEdit{rel, "a new field", fields + "fields:\n  zzNew: String?\n" + rest},
						modelEdit{rel, "a field less", fields + "fields:\n" + dropLine(rest)},
						modelEdit{rel, "a field made nullable", fields + "fields:\n" + nullFirst(rest)},
					)
				}
				if vals, rest, ok := strings.Cut(src, "values:\n"); ok {
					edits = append(edits, modelEdit{rel, "a new enum value", vals + "values:\n  - zzNew\n" + rest})
				}
				edits = append(edits, modelEdit{rel, "a doc comment", "### Edited.\n" + src})
				if strings.Contains(src, "serverOnly: true") {
					edits = append(edits, modelEdit{rel, "no longer server-only", strings.Replace(src, "serverOnly: true", "serverOnly: false", 1)})
				}
				if strings.Contains(src, "onDelete=") {
					edits = append(edits, modelEdit{rel, "another onDelete", strings.Replace(src, "onDelete=", "onUpdate=Restrict, onDelete=", 1)})
				}
			}
			applied, kept := 0, 0
			for _, e := range edits {
				write := func(src string) {
					if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(e.file)), []byte(src), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				write(e.src)
				after, ok := renderWithKeys(t, dir)
				write(base[e.file])
				if !ok {
					continue // an edit the model language refuses
				}
				applied++
				for src, a := range after {
					b, ok := before[src]
					if !ok || a.key != b.key {
						continue
					}
					kept++
					if !bytes.Equal(a.server, b.server) || !bytes.Equal(a.client, b.client) {
						t.Errorf("%s of %s: %s keeps its key but renders differently", e.what, e.file, src)
					}
					if a.dartKey == b.dartKey && !bytes.Equal(a.dart, b.dart) {
						t.Errorf("%s of %s: %s keeps its Dart key but renders differently", e.what, e.file, src)
					}
				}
			}
			t.Logf("%d of %d edits applied; %d models kept their keys", applied, len(edits), kept)
			if applied == 0 || (len(base) > 1 && kept == 0) {
				t.Errorf("%d edits applied, %d models kept their keys: the test tests nothing", applied, kept)
			}
		})
	}
}

type modelEdit struct{ file, what, src string }

type renderedModel struct {
	key, dartKey         string
	server, client, dart []byte
}

// renderWithKeys renders every model of the project in dir, keyed by
// model file; false when the models do not analyze.
func renderWithKeys(t *testing.T, dir string) (map[string]renderedModel, bool) {
	t.Helper()
	p, err := project.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := resolveModules(p)
	if err != nil {
		t.Fatal(err)
	}
	customs := customClasses(p)
	models, diags, err := analyzeModels(p, mods, customs)
	if err != nil {
		t.Fatal(err)
	}
	if failing(diags) {
		return nil, false
	}
	opts := goOptions(p, mods, customs)
	keys := newModelKeys(opts)
	keys.compute(models)
	server, client, err := gocode.Models(models, opts)
	if err != nil {
		return nil, false
	}
	dopts := dartOptions(p, mods, customs)
	dartKeys := keys.derive(dopts)
	dartFiles, err := dart.Generate(models, nil, dopts)
	if err != nil {
		return nil, false
	}
	out := map[string]renderedModel{}
	for _, m := range models {
		if !m.ServerOnly && dartFiles[dart.ModelFile(m)] == nil {
			t.Fatalf("%s: no Dart file %s", m.SourcePath, dart.ModelFile(m))
		}
		name := gocode.ModelFileName(m)
		out[m.SourcePath] = renderedModel{key: keys.keys[m], server: server[name], client: client[name],
			dartKey: dartKeys[m], dart: dartFiles[dart.ModelFile(m)]}
	}
	return out, true
}

func readModelSources(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := readModelFiles(os.DirFS(dir), "models")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		out[f.Path] = string(f.Src)
	}
	if len(out) == 0 {
		t.Fatal("no model files")
	}
	return out
}

// dropLine removes the first line of s.
func dropLine(s string) string {
	_, rest, _ := strings.Cut(s, "\n")
	return rest
}

// nullFirst makes the type on the first line of s nullable.
func nullFirst(s string) string {
	line, rest, _ := strings.Cut(s, "\n")
	name, typ, ok := strings.Cut(line, ":")
	if !ok || strings.Contains(typ, "?") || strings.Contains(typ, ",") {
		return s
	}
	return fmt.Sprintf("%s:%s?\n%s", name, typ, rest)
}
