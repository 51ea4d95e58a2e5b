package generator

import (
	"bufio"
	"context"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/dart/dartcheck"
)

// TestCorpus24 generates Serverpod 2.4's own test server, whose model
// files (testdata/corpus24/server/models, as in tests/serverpod_test_server
// at 2.4.0) use every part of the model language: the project must
// generate, its Go must build, its Dart client must parse, and its first
// migration must create every table exactly as 2.4's definition.sql for
// those models does (testdata/corpus24/definition.sql), statement for
// statement.
func TestCorpus24(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds a large project")
	}
	// Mostly the go command's work: it overlaps with the other builds.
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	// 2.4's test module, which the server uses as module:module:...
	module := filepath.Join(root, "serverpod_test_module")
	copyTree(t, filepath.Join("testdata", "corpus24", "module"), module)
	newGoModule(t, module, "serverpod_test_module")
	if _, err := Generate(ctx, Options{Dir: module}); err != nil {
		t.Fatalf("the test module: %v", err)
	}
	dir := filepath.Join(root, "serverpod_test")
	src := filepath.Join("testdata", "corpus24", "server")
	copyTree(t, src, dir)
	newGoModule(t, dir, "serverpod_test")
	requireModule(t, dir, "serverpod_test_module", "../serverpod_test_module")

	res, err := Generate(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %s", w)
	}
	models := 0
	filepath.WalkDir(filepath.Join(src, "models"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".spy.yaml") {
			models++
		}
		return err
	})
	if models != 131 {
		t.Errorf("the corpus has %d model files; 2.4's test server has 131", models)
	}
	generated, err := os.ReadDir(filepath.Join(dir, "generated", "protocol"))
	if err != nil {
		t.Fatal(err)
	}
	if len(generated) != models+1 { // and protocol.go
		t.Errorf("%d files were generated for %d models", len(generated)-1, models)
	}

	dartFiles := map[string][]byte{}
	for rel, b := range generatedFiles(t, dir) {
		if strings.HasSuffix(rel, ".dart") {
			dartFiles[rel] = b
		}
	}
	if err := dartcheck.CheckFiles(dartFiles); err != nil {
		t.Errorf("generated Dart does not parse: %v", err)
	}
	goCmd(t, dir, "build", "./...")
	// Making the registries builds every model's codec plan from its
	// struct tags (defaults included), which fails on a tag package
	// wire cannot read.
	writeProjectFile(t, dir, "cmd/plancheck/main.go", `package main

import (
	"serverpod_test/client"
	"serverpod_test/generated/protocol"
)

func main() {
	protocol.Registry()
	client.Registry()
}
`)
	goCmd(t, dir, "run", "./cmd/plancheck")

	mig, err := CreateMigration(ctx, MigrationOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := sqlBlocks(t, filepath.Join(mig.Dir, "definition.sql"))
	want := sqlBlocks(t, filepath.Join("testdata", "corpus24", "definition.sql"))
	if len(want) < 140 {
		t.Fatalf("2.4's definition.sql has %d tables and foreign key blocks; it has 144", len(want))
	}
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[key]; !ok {
			t.Errorf("%s: missing from gopod's definition.sql; 2.4 has\n%s", key, want[key])
		} else if g != want[key] {
			t.Errorf("%s differs from 2.4's:\n--- 2.4\n%s\n--- gopod\n%s", key, want[key], g)
		}
	}
	for key := range got {
		// gopod adds tables of its own, named gopod_*, to the auth module.
		if _, ok := want[key]; !ok && !strings.Contains(key, "gopod_") {
			t.Errorf("%s: gopod's definition.sql has it, 2.4's does not:\n%s", key, got[key])
		}
	}
}

var (
	classHeader   = regexp.MustCompile(`^-- Class \w+ as table (\w+)$`)
	foreignHeader = regexp.MustCompile(`^-- Foreign relations for "(\w+)" table$`)
)

// sqlBlocks splits a definition.sql into the part of each table, keyed
// "table <name>" (its CREATE TABLE and indexes) and "foreign keys of
// <name>", each without the comment lines around it.
func sqlBlocks(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	blocks := map[string][]string{}
	key := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch m1, m2 := classHeader.FindStringSubmatch(line), foreignHeader.FindStringSubmatch(line); {
		case m1 != nil:
			key = "table " + m1[1]
			continue
		case m2 != nil:
			key = "foreign keys of " + m2[1]
			continue
		case strings.HasPrefix(line, "-- MIGRATION VERSION"), line == "COMMIT;":
			key = ""
		}
		if key != "" {
			blocks[key] = append(blocks[key], line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, lines := range blocks {
		out[k] = strings.Trim(strings.Join(lines, "\n"), "-\n")
	}
	if len(out) == 0 {
		t.Fatalf("%s has no tables", path)
	}
	return out
}
