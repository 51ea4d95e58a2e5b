package generator

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopod/gopod/generator/project"
)

// writeSyntheticProject writes a project of n models and e endpoint types
// with five methods each. Every fourth model is an enum; of the classes,
// every other one is a table with an index, a relation to the previous
// table (its foreign key a field of its own) and a list relation to the
// table before that; the others hold scalar, container and model fields.
func writeSyntheticProject(tb testing.TB, dir string, n, e int) {
	tb.Helper()
	write := func(rel, src string) { writeProjectFile(tb, dir, rel, src) }
	write("config/generator.yaml", "type: server\nname: synthetic\nclient_package_path: synthetic_client\n")
	name := func(i int) string {
		if i%4 == 3 {
			return fmt.Sprintf("Kind%d", i)
		}
		return fmt.Sprintf("Model%d", i)
	}
	isTable := func(i int) bool { return i%4 == 0 || i%4 == 2 }
	prevTable := func(i, back int) int {
		for j := i - 1; j >= 0; j-- {
			if isTable(j) {
				if back--; back == 0 {
					return j
				}
			}
		}
		return -1
	}
	for i := 0; i < n; i++ {
		if i%4 == 3 {
			write(fmt.Sprintf("models/kind%d.spy.yaml", i), fmt.Sprintf("enum: %s\nvalues:\n  - alpha\n  - beta\n  - gamma\n", name(i)))
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "### Model %d of the synthetic project.\nclass: %s\n", i, name(i))
		if isTable(i) {
			fmt.Fprintf(&b, "table: model_%d\n", i)
		}
		b.WriteString("fields:\n  title: String\n  amount: int\n  ratio: double?\n  created: DateTime\n  tags: List<String>?\n  scores: Map<String, double>?\n")
		if i > 3 {
			fmt.Fprintf(&b, "  kind: %s?\n", name((i/4)*4-1))
		}
		if isTable(i) {
			if p := prevTable(i, 1); p >= 0 {
				fmt.Fprintf(&b, "  parentId: int?\n  parent: %s?, relation(field=parentId, onDelete=SetNull)\n", name(p))
			}
			if p := prevTable(i, 2); p >= 0 {
				fmt.Fprintf(&b, "  others: List<%s>?, relation(name=m%d_others)\n", name(p), i)
			}
			fmt.Fprintf(&b, "indexes:\n  model_%d_title_idx:\n    fields: title, amount\n", i)
		} else if i > 3 {
			fmt.Fprintf(&b, "  other: %s?\n  others: List<%s>?\n", name(i-1-(i%4+1)%3), name(i-2-(i%4+1)%3))
		}
		write(fmt.Sprintf("models/model%d.spy.yaml", i), b.String())
	}
	// The other side of each list relation.
	for i := 0; i < n; i++ {
		if !isTable(i) {
			continue
		}
		if p := prevTable(i, 2); p >= 0 {
			path := filepath.Join(dir, "models", fmt.Sprintf("model%d.spy.yaml", p))
			src, err := os.ReadFile(path)
			if err != nil {
				tb.Fatal(err)
			}
			fields, indexes, _ := strings.Cut(string(src), "indexes:\n")
			fields += fmt.Sprintf("  owner%d: %s?, relation(name=m%d_others)\n", i, name(i), i)
			write(fmt.Sprintf("models/model%d.spy.yaml", p), fields+"indexes:\n"+indexes)
		}
	}
	for j := 0; j < e; j++ {
		m := name((j * 8) % n)
		write(fmt.Sprintf("endpoints/ep%d.go", j), endpointSource(j, m, ""))
	}
	write("cmd/server/main.go", `package main

import (
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/gopod/gopod/runtime/pod"

	"synthetic/generated/dispatch"
)

// main serves the endpoints without a database on a free loopback port,
// printing the address once it listens.
func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr())
	_ = http.Serve(ln, pod.NewServer(dispatch.New()))
}
`)
	newGoModule(tb, dir, "synthetic")
}

// endpointSource is endpoint j, with extra appended to one method's body.
func endpointSource(j int, model, extra string) string {
	return fmt.Sprintf(`package endpoints

import (
	"time"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"synthetic/generated/protocol"
)

type Thing%[1]dEndpoint struct{ pod.Endpoint }

type Find%[1]dParams struct {
	pod.Named
	Query string
	Limit *int64
}

func (e *Thing%[1]dEndpoint) Get(s *pod.Session, id int64) (*protocol.%[2]s, error) { return nil, nil }

func (e *Thing%[1]dEndpoint) Save(s *pod.Session, v protocol.%[2]s) (protocol.%[2]s, error) { return v, nil }

func (e *Thing%[1]dEndpoint) List(s *pod.Session, since time.Time, limit *int64) ([]protocol.%[2]s, error) {%[3]s
	return nil, nil
}

func (e *Thing%[1]dEndpoint) Delete(s *pod.Session, ids wire.Set[int64]) error { return nil }

func (e *Thing%[1]dEndpoint) Find(s *pod.Session, p Find%[1]dParams) (map[string]*[]int64, error) { return nil, nil }
`, j, model, extra)
}

// The benchmarks below run the gopod command, as a user does, on a project
// of 500 models (250 tables, with relations and indexes) and 50 endpoint
// methods, and report its peak resident memory. They keep Go's build
// cache: "cold" means without gopod's own cache (.gopod).

// gopodBinary builds the gopod command once per benchmark.
func gopodBinary(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "gopod")
	root, err := filepath.Abs("..")
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/gopod")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building gopod: %v\n%s", err, out)
	}
	return bin
}

// runGopod runs gopod in dir and returns its wall time, its CPU time
// (user and system: on a machine shared with other work, the wall time
// includes waiting for a core) and its peak RSS.
func runGopod(b *testing.B, bin, dir string, args ...string) (time.Duration, time.Duration, int64) {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		b.Fatalf("gopod %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return elapsed, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), ru.Maxrss * 1024
}

func syntheticProject(b *testing.B, bin string) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "synthetic")
	writeSyntheticProject(b, dir, 500, 10)
	runGopod(b, bin, dir, "generate")
	return dir
}

// runs collects the wall times and peak RSS of a benchmark's runs, for
// a median (min–max) report.
type runs struct {
	times, cpu []time.Duration
	peak       int64
}

func (r *runs) add(d, cpu time.Duration, rss int64) {
	r.times = append(r.times, d)
	r.cpu = append(r.cpu, cpu)
	r.peak = max(r.peak, rss)
}

func (r *runs) report(b *testing.B) {
	reportTimes(b, "", r.times)
	reportTimes(b, "cpu-", r.cpu)
	b.ReportMetric(float64(r.peak)/(1<<20), "peak-MiB")
}

// reportTimes reports the median, min and max of ds in seconds.
func reportTimes(b *testing.B, prefix string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	b.ReportMetric(s[len(s)/2].Seconds(), prefix+"median-s")
	b.ReportMetric(s[0].Seconds(), prefix+"min-s")
	b.ReportMetric(s[len(s)-1].Seconds(), prefix+"max-s")
}

func BenchmarkGenerate500(b *testing.B) {
	bin := gopodBinary(b)
	dir := syntheticProject(b, bin)
	modelFile := filepath.Join(dir, "models", "model6.spy.yaml")
	original, err := os.ReadFile(modelFile)
	if err != nil {
		b.Fatal(err)
	}
	endpointFile := filepath.Join(dir, "endpoints", "ep3.go")

	// Nothing changed: gopod only compares hashes.
	b.Run("Unchanged", func(b *testing.B) {
		var r runs
		for b.Loop() {
			r.add(runGopod(b, bin, dir, "generate"))
		}
		r.report(b)
	})
	// One model gains a field it never had before (a new name every run, so
	// no cache of gopod's or Go's has seen it).
	b.Run("ModelNewField", func(b *testing.B) {
		var r runs
		i := 0
		for b.Loop() {
			i++
			changed := strings.Replace(string(original), "fields:\n", fmt.Sprintf("fields:\n  note%d: String?\n", i), 1)
			if err := os.WriteFile(modelFile, []byte(changed), 0o644); err != nil {
				b.Fatal(err)
			}
			r.add(runGopod(b, bin, dir, "generate"))
		}
		r.report(b)
	})
	// One endpoint gains a parameter-less method of a new name.
	b.Run("EndpointChanged", func(b *testing.B) {
		var r runs
		i := 0
		for b.Loop() {
			i++
			src := endpointSource(3, "Model24", "") + fmt.Sprintf("\nfunc (e *Thing3Endpoint) Ping%d(s *pod.Session) error { return nil }\n", i)
			if err := os.WriteFile(endpointFile, []byte(src), 0o644); err != nil {
				b.Fatal(err)
			}
			r.add(runGopod(b, bin, dir, "generate"))
		}
		r.report(b)
	})
	// Cold: no .gopod (gopod's caches); Go's build cache stays.
	b.Run("Cold", func(b *testing.B) {
		var r runs
		for b.Loop() {
			b.StopTimer()
			if err := os.RemoveAll(filepath.Join(dir, ".gopod")); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			r.add(runGopod(b, bin, dir, "generate"))
		}
		r.report(b)
	})
}

// BenchmarkModelChangeToServing measures, on the same project, the time
// from saving a model with a new field to a server answering HTTP: gopod
// generate, go build with gopod run's development flags, start. Baseline,
// interleaved with it: the same build and start after an endpoint's body
// changed (what go build costs for an edit that touches no model).
func BenchmarkModelChangeToServing(b *testing.B) {
	bin := gopodBinary(b)
	dir := syntheticProject(b, bin)
	server := filepath.Join(dir, ".gopod", "bin", "server")
	p, err := project.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	// Both paths build as gopod run does in development.
	args := append(append([]string{"build"}, p.ServerBuildFlags(false)...), "-o", server, "./cmd/server")
	// build returns the CPU time of go build and the compiler processes
	// it waited for.
	build := func() time.Duration {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	build()
	modelFile := filepath.Join(dir, "models", "model6.spy.yaml")
	original, err := os.ReadFile(modelFile)
	if err != nil {
		b.Fatal(err)
	}
	endpointFile := filepath.Join(dir, "endpoints", "ep3.go")
	var gopodTimes, plainTimes, gopodCPU, plainCPU []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		changed := strings.Replace(string(original), "fields:\n", fmt.Sprintf("fields:\n  note%d: String?\n", i), 1)
		if err := os.WriteFile(modelFile, []byte(changed), 0o644); err != nil {
			b.Fatal(err)
		}
		_, genCPU, _ := runGopod(b, bin, dir, "generate")
		buildCPU := build()
		serve(b, server)
		gopodTimes = append(gopodTimes, time.Since(start))
		gopodCPU = append(gopodCPU, genCPU+buildCPU)

		start = time.Now()
		if err := os.WriteFile(endpointFile, []byte(endpointSource(3, "Model24", fmt.Sprintf("\n\t_ = %d", i))), 0o644); err != nil {
			b.Fatal(err)
		}
		buildCPU = build()
		serve(b, server)
		plainTimes = append(plainTimes, time.Since(start))
		plainCPU = append(plainCPU, buildCPU)
	}
	reportTimes(b, "gopod-", gopodTimes)
	reportTimes(b, "gopod-cpu-", gopodCPU)
	reportTimes(b, "plain-", plainTimes)
	reportTimes(b, "plain-cpu-", plainCPU)
}

// serve starts the built server, waits for its first HTTP answer and stops it.
func serve(b *testing.B, server string) {
	b.Helper()
	cmd := exec.Command(server)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("the server did not print its address: %v", err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + strings.TrimSpace(addr) + "/")
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// BenchmarkGenerateInProcess500 is the whole run in this process with the
// gopod caches warm but the output hash gone, for profiling
// (-cpuprofile): analysis, rendering, endpoint discovery, Dart.
func BenchmarkGenerateInProcess500(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "synthetic")
	writeSyntheticProject(b, dir, 500, 10)
	if _, err := Generate(context.Background(), Options{Dir: dir}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		os.Remove(filepath.Join(dir, ".gopod", "cache", "generate.json"))
		if _, err := Generate(context.Background(), Options{Dir: dir}); err != nil {
			b.Fatal(err)
		}
	}
}

// addCustomClasses gives the synthetic project in dir the custom classes
// of the golden project "custom" (Money and Secret, declared in its
// package shared) and uses them in every tenth class model.
func addCustomClasses(tb testing.TB, dir string, n int) {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "golden", "custom", "shared", "shared.go"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "shared"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shared", "shared.go"), src, 0o644); err != nil {
		tb.Fatal(err)
	}
	config := filepath.Join(dir, "config", "generator.yaml")
	f, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = f.WriteString("extraClasses:\n  - package:synthetic_shared/synthetic_shared.dart:Money\n  - package:synthetic_shared/synthetic_shared.dart:Secret\n" +
		"go_extra_classes:\n  Money: synthetic/shared.Money\n  Secret: synthetic/shared.Secret\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i += 10 {
		if i%4 == 3 {
			continue // an enum
		}
		path := filepath.Join(dir, "models", fmt.Sprintf("model%d.spy.yaml", i))
		src, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		src = []byte(strings.Replace(string(src), "fields:\n", "fields:\n  price: Money?\n  secret: Secret?\n", 1))
		if err := os.WriteFile(path, src, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkGenerateCustom500 runs gopod generate after a model change on
// the 500-model project with custom classes (go_extra_classes), whose
// check of the custom classes' Go types is remembered between runs.
// Interleaved with it, the baseline: the same run without that memory
// (its cache file removed first), which loads the packages declaring the
// types again, as every such run did before the check was remembered.
// Reported: CPU and wall time of both, median (min–max), and the ratio of
// the CPU medians.
func BenchmarkGenerateCustom500(b *testing.B) {
	bin := gopodBinary(b)
	dir := filepath.Join(b.TempDir(), "synthetic")
	writeSyntheticProject(b, dir, 500, 10)
	addCustomClasses(b, dir, 500)
	runGopod(b, bin, dir, "generate")
	modelFile := filepath.Join(dir, "models", "model6.spy.yaml")
	original, err := os.ReadFile(modelFile)
	if err != nil {
		b.Fatal(err)
	}
	cache := filepath.Join(dir, ".gopod", "cache", "gotypes.json")
	var cached, uncached runs
	i, round := 0, 0
	for b.Loop() {
		round++
		for _, remember := range []bool{round%2 == 0, round%2 != 0} { // alternate which goes first
			i++
			changed := strings.Replace(string(original), "fields:\n", fmt.Sprintf("fields:\n  note%d: String?\n", i), 1)
			if err := os.WriteFile(modelFile, []byte(changed), 0o644); err != nil {
				b.Fatal(err)
			}
			if !remember {
				if err := os.Remove(cache); err != nil {
					b.Fatal(err)
				}
				uncached.add(runGopod(b, bin, dir, "generate"))
				continue
			}
			if _, err := os.Stat(cache); err != nil {
				b.Fatal("the check of the custom classes was not remembered")
			}
			cached.add(runGopod(b, bin, dir, "generate"))
		}
	}
	reportTimes(b, "", cached.times)
	reportTimes(b, "cpu-", cached.cpu)
	reportTimes(b, "baseline-", uncached.times)
	reportTimes(b, "baseline-cpu-", uncached.cpu)
	if len(cached.cpu) > 0 {
		c, u := slices.Clone(cached.cpu), slices.Clone(uncached.cpu)
		slices.Sort(c)
		slices.Sort(u)
		b.ReportMetric(c[len(c)/2].Seconds()/u[len(u)/2].Seconds(), "cpu-ratio")
	}
}
