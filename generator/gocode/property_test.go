package gocode

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/dart"
	"github.com/gopod/gopod/generator/dart/dartcheck"
	"github.com/gopod/gopod/generator/internal/randmodels"
	"github.com/gopod/gopod/generator/model"
)

var randomSeeds = flag.Int("random-models", 0, "TestRandomModelsCompile: also try this many more random projects (seeds from 1000)")

// ciSeeds are the random projects every test run builds; -random-models=N
// adds N more.
var ciSeeds = []uint64{1, 2, 3, 4}

// TestRandomModelsCompile is a property test: every model set the analyzer
// accepts generates Go that builds and vets, and a Dart client that
// parses. It takes random valid projects (package randmodels), checks that
// the analyzer accepts them, and builds the generated server and client
// packages of all of them in one Go module.
func TestRandomModelsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go module")
	}
	seeds := slices.Clone(ciSeeds)
	for i := range *randomSeeds {
		seeds = append(seeds, uint64(1000+i))
	}
	mod := newTestModule(t)
	mod.write("custom/money.go", []byte(randmodels.MoneyGo("custom")))
	for _, seed := range seeds {
		files := randmodels.Files(seed)
		opts := randmodels.Options("proj/custom.Money")
		models, diags := model.Analyze(files, opts)
		if failing := failingDiags(diags); len(failing) > 0 {
			t.Fatalf("seed %d: the analyzer refuses a valid project:\n%s\n%s", seed, strings.Join(failing, "\n"), randmodels.Dump(files))
		}
		pkg := fmt.Sprintf("proj/s%d", seed)
		customs := model.CustomClasses(opts.ExtraClasses, opts.GoTypes)
		server, client, err := Models(models, Options{Name: "proj", ProtocolPkg: pkg + "/protocol", ClientPkg: pkg + "/client", Custom: customs})
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, randmodels.Dump(files))
		}
		mod.writePackage(fmt.Sprintf("s%d/protocol", seed), server)
		mod.writePackage(fmt.Sprintf("s%d/client", seed), client)
		dartFiles, err := dart.Generate(models, nil, dart.Options{ProjectName: "proj", ClientPackageName: "proj_client", CustomClasses: customs})
		if err != nil {
			t.Fatalf("seed %d: Dart: %v\n%s", seed, err, randmodels.Dump(files))
		}
		if err := dartcheck.CheckFiles(dartFiles); err != nil {
			t.Errorf("seed %d: the Dart client does not parse: %v\n%s", seed, err, randmodels.Dump(files))
		}
		t.Logf("seed %d: %d models", seed, len(models))
	}
	mod.goCmd("vet", "./...")
}

func failingDiags(diags []model.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if d.Fails() {
			out = append(out, d.String())
		}
	}
	return out
}
