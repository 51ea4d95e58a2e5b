package migration

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopod/gopod/generator/model"
)

// benchModels returns n table models: varied column types, defaults, an
// index each, and a relation to the previous table.
func benchModels(b *testing.B, n int, extra string) []*model.Model {
	b.Helper()
	srcs := map[string]string{}
	for i := 0; i < n; i++ {
		src := fmt.Sprintf("class: Entity%d\ntable: entity_%d\nfields:\n  name: String\n  note: String?, default='none'\n  count2: int, default=0\n  ratio: double?\n  active: bool, default=true\n  created: DateTime, default=now\n  ref: UuidValue?\n  tags: List<String>?\n", i, i)
		if i > 0 {
			src += fmt.Sprintf("  parent: Entity%d?, relation(optional, onDelete=SetNull)\n", i-1)
		}
		if i == 0 {
			src += extra
		}
		src += fmt.Sprintf("indexes:\n  entity_%d_name_idx:\n    fields: name, created\n    unique: true\n", i)
		srcs[fmt.Sprintf("models/entity_%d.spy.yaml", i)] = src
	}
	return analyzeSources(b, srcs)
}

// BenchmarkCreateMigration500 measures create-migration on a project of 500
// tables: the first migration (every table created), and a later one that
// adds a column to one table.
func BenchmarkCreateMigration500(b *testing.B) {
	initial := benchModels(b, 500, "")
	changed := benchModels(b, 500, "  added: String?\n")
	clock := func() time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC) }

	b.Run("initial", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			dir := b.TempDir()
			if _, err := Create(ctx, Options{Dir: dir, ProjectName: "bench", Models: initial, Now: clock}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("incremental", func(b *testing.B) {
		base := b.TempDir()
		if _, err := Create(ctx, Options{Dir: base, ProjectName: "bench", Models: initial, Now: clock}); err != nil {
			b.Fatal(err)
		}
		later := func() time.Time { return clock().Add(time.Hour) }
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			dir := filepath.Join(b.TempDir(), "p")
			if err := os.CopyFS(dir, os.DirFS(base)); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := Create(ctx, Options{Dir: dir, ProjectName: "bench", Models: changed, Now: later})
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Plan.Steps) != 1 {
				b.Fatalf("%d statements, want 1", len(res.Plan.Steps))
			}
		}
	})
}
