package generator

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSyntheticProject writes a project of n models (every fourth an
// enum, the rest classes with scalar, container and model fields) and e
// endpoint types with four methods each.
func writeSyntheticProject(tb testing.TB, dir string, n, e int) {
	tb.Helper()
	write := func(rel, content string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("config/generator.yaml", "type: server\nname: synthetic\nclient_package_path: synthetic_client\n")
	name := func(i int) string {
		if i%4 == 3 {
			return fmt.Sprintf("Kind%d", i)
		}
		return fmt.Sprintf("Model%d", i)
	}
	for i := 0; i < n; i++ {
		if i%4 == 3 {
			write(fmt.Sprintf("models/kind%d.spy.yaml", i), fmt.Sprintf("enum: %s\nvalues:\n  - alpha\n  - beta\n  - gamma\n", name(i)))
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "### Model %d of the synthetic project.\nclass: %s\n", i, name(i))
		if i%2 == 0 {
			fmt.Fprintf(&b, "table: model_%d\n", i)
		}
		b.WriteString("fields:\n  title: String\n  amount: int\n  ratio: double?\n  created: DateTime\n  tags: List<String>?\n  scores: Map<String, double>?\n")
		if i > 3 {
			fmt.Fprintf(&b, "  kind: %s?\n  other: %s?\n  others: List<%s>?\n", name((i/4)*4-1), name(i-1-(i%4+1)%3), name(i-2-(i%4+1)%3))
		}
		write(fmt.Sprintf("models/model%d.spy.yaml", i), b.String())
	}
	for j := 0; j < e; j++ {
		m := name((j * 4) % n)
		if strings.HasPrefix(m, "Kind") {
			m = name((j*4)%n + 1)
		}
		write(fmt.Sprintf("endpoints/ep%d.go", j), fmt.Sprintf(`package endpoints

import (
	"time"

	"github.com/gopod/gopod/runtime/pod"

	"synthetic/generated/protocol"
)

type Thing%[1]dEndpoint struct{ pod.Endpoint }

func (e *Thing%[1]dEndpoint) Get(s *pod.Session, id int64) (*protocol.%[2]s, error) { return nil, nil }

func (e *Thing%[1]dEndpoint) Save(s *pod.Session, v protocol.%[2]s) (protocol.%[2]s, error) { return v, nil }

func (e *Thing%[1]dEndpoint) List(s *pod.Session, since time.Time, limit *int64) ([]protocol.%[2]s, error) {
	return nil, nil
}

func (e *Thing%[1]dEndpoint) Delete(s *pod.Session, ids []int64) error { return nil }
`, j, m))
	}
	newGoModule(tb, dir, "synthetic")
}

// syntheticProject writes the 500-model project and generates it once.
func syntheticProject(b *testing.B) string {
	dir := filepath.Join(b.TempDir(), "synthetic")
	writeSyntheticProject(b, dir, 500, 50)
	if _, err := Generate(context.Background(), Options{Dir: dir}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkGenerate500ModelsUnchanged is the common run (gopod run starts
// with one): nothing changed, so generate only checks the hashes of its
// inputs and outputs.
func BenchmarkGenerate500ModelsUnchanged(b *testing.B) {
	dir := syntheticProject(b)
	for b.Loop() {
		res, err := Generate(context.Background(), Options{Dir: dir})
		if err != nil || res.Stale() {
			b.Fatal(err, res.Written)
		}
	}
}

// BenchmarkGenerate500ModelsFull does the whole work every time (analysis,
// rendering with the gofmt cache warm, endpoint discovery, Dart), as after
// a change that leaves the generated Go the same, such as an endpoint's
// body.
func BenchmarkGenerate500ModelsFull(b *testing.B) {
	dir := syntheticProject(b)
	for b.Loop() {
		os.Remove(filepath.Join(dir, ".gopod", "cache", "generate.json"))
		if _, err := Generate(context.Background(), Options{Dir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerate500ModelsOneModelChanged adds and removes a field of one
// model on alternate runs. Most of its time is the go command compiling
// the changed protocol package for endpoint discovery; go build of the
// server then reuses that work.
func BenchmarkGenerate500ModelsOneModelChanged(b *testing.B) {
	dir := syntheticProject(b)
	file := filepath.Join(dir, "models", "model5.spy.yaml")
	original, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	changed := append([]byte(nil), original...)
	changed = append(changed, "  note: String?\n"...)
	i := 0
	for b.Loop() {
		content := original
		if i%2 == 0 {
			content = changed
		}
		i++
		if err := os.WriteFile(file, content, 0o644); err != nil {
			b.Fatal(err)
		}
		if res, err := Generate(context.Background(), Options{Dir: dir}); err != nil || !res.Stale() {
			b.Fatal(err, "nothing was regenerated")
		}
	}
}
