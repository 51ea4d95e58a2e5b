package migration

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/internal/randmodels"
	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/runtime/dbschema"
)

var randomSeeds = flag.Int("random-models", 0, "TestRandomModelsMigrate: also try this many more random projects (seeds from 1000)")

// TestRandomModelsMigrate is a property test: the tables of every model
// set the analyzer accepts make a definition whose SQL PostgreSQL runs,
// and the database it makes is the definition, column for column.
func TestRandomModelsMigrate(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	for i := range *randomSeeds {
		seeds = append(seeds, uint64(1000+i))
	}
	for _, seed := range seeds {
		files := randmodels.Files(seed)
		models, diags := model.Analyze(files, randmodels.Options("example.com/custom.Money"))
		for _, d := range diags {
			if d.Fails() {
				t.Fatalf("seed %d: the analyzer refuses a valid project: %s\n%s", seed, d, randmodels.Dump(files))
			}
		}
		def, err := ProjectDefinition("proj", models, nil)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, randmodels.Dump(files))
		}
		script, err := dbschema.DefinitionSQL(def)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, randmodels.Dump(files))
		}
		emptyDatabase(t)
		if _, err := testDB.Exec(script); err != nil {
			t.Fatalf("seed %d: PostgreSQL refuses the definition: %v\n%s\n%s", seed, err, script, randmodels.Dump(files))
		}
		noDrift(t, fmt.Sprintf("seed %d (%d tables)", seed, len(def.Tables)), def)
		if strings.Count(script, "CREATE TABLE") != len(def.Tables) {
			t.Errorf("seed %d: %d tables, %d CREATE TABLE", seed, len(def.Tables), strings.Count(script, "CREATE TABLE"))
		}
	}
}
