package pod

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// maxImporterTextSymbols bounds the functions the compiler emits for a
// small package importing the runtime. The probe's own code is a handful
// of functions; the rest are generic instantiations and wrappers of types
// it reaches through the export data of pod and the packages pod's API
// exposes, which every importer compiles again (go-redis's Client alone
// once cost each importer some 1,800 functions and a second of compiling).
const maxImporterTextSymbols = 200

// importCostProbe is a package as a project writes and generates them: an
// endpoint, the dispatch wiring it, and a main with the auth module.
const importCostProbe = `package importcostprobe

import (
	"os"
	"time"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"
)

type GreetingEndpoint struct{ pod.Endpoint }

func (e *GreetingEndpoint) Hello(s *pod.Session, name string) (string, error) {
	err := db.Transaction(s, func(tx *db.Tx) error {
		_, err := tx.Querier().Exec(tx, "SELECT $1", name)
		return err
	})
	if err != nil {
		return "", err
	}
	if err := s.Server().Messages().Post(s, "greeting", []byte(name), true); err != nil {
		return "", err
	}
	if err := s.Server().FutureCallWithDelay(s, "reminder", nil, time.Hour, name); err != nil {
		return "", err
	}
	if c := s.Server().GlobalCache(); c != nil {
		if err := c.Put(s, name, []byte(name), time.Minute); err != nil {
			return "", err
		}
	}
	return "Hello " + name, nil
}

func New() *pod.Dispatch {
	ep := &GreetingEndpoint{}
	d := pod.NewDispatch("probe")
	d.Add(pod.NewConnector("greeting", "", ep, &pod.Method{
		Name:   "hello",
		Params: []pod.Param{{Name: "name", Type: "String"}},
		Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
			argName, err := pod.Arg(a, "name", wire.DecodeString)
			if err != nil {
				return err
			}
			result, err := ep.Hello(s, argName)
			if err != nil {
				return err
			}
			e.String(result)
			return nil
		},
	}))
	return d
}

func Main() {
	authModule := auth.New(auth.Config{ConcealAccounts: true})
	os.Exit(pod.Main(os.Args[1:], New(),
		pod.WithModule(authModule),
		pod.WithAuthenticationHandler(authModule.AuthenticationHandler)))
}
`

// TestImporterCompilesLittle compiles importCostProbe with the go command
// and counts the functions in its object file, so that a type of the
// runtime's API that starts to reach a heavy generic type (a
// *redis.Client or *pgxpool.Pool in a struct field, a method mentioning
// one) fails here rather than slowing every rebuild of every project.
func TestImporterCompilesLittle(t *testing.T) {
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to compile the probe with")
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found above runtime/pod: %v", err)
	}

	// The probe joins the module through an overlay, so that it imports
	// the runtime as it is in this tree without a file in the tree.
	dir := t.TempDir()
	src := filepath.Join(dir, "probe.go")
	if err := os.WriteFile(src, []byte(importCostProbe), 0o644); err != nil {
		t.Fatal(err)
	}
	probeDir := filepath.Join(root, "runtime", "pod", "importcostprobe")
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(probeDir, "probe.go"): src},
	})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		t.Fatal(err)
	}

	list := exec.Command(goCmd, "list", "-export", "-overlay", overlayFile, "-f", "{{.Export}}", "./runtime/pod/importcostprobe")
	list.Dir = root
	var stderr bytes.Buffer
	list.Stderr = &stderr
	out, err := list.Output()
	if err != nil {
		t.Fatalf("compiling the probe: %v\n%s", err, stderr.Bytes())
	}
	object := strings.TrimSpace(string(out))
	if object == "" {
		t.Fatalf("the go command named no object file for the probe\n%s", stderr.Bytes())
	}

	nm := exec.Command(goCmd, "tool", "nm", "-size", object)
	stderr.Reset()
	nm.Stderr = &stderr
	syms, err := nm.Output()
	if err != nil {
		t.Fatalf("listing the probe's symbols: %v\n%s", err, stderr.Bytes())
	}
	text := textSymbols(syms)
	if len(text) == 0 {
		t.Fatalf("no functions in the probe's object file: the count below would mean nothing\n%s", syms)
	}
	t.Logf("the probe compiles to %d functions", len(text))
	if len(text) > maxImporterTextSymbols {
		t.Errorf("a package importing the runtime compiles to %d functions, more than %d; by origin, the most:\n%s",
			len(text), maxImporterTextSymbols, offenders(text, 12))
	}
}

// nmLine is a line of go tool nm -size: address (blank when undefined),
// size, type and name, which holds spaces when it names a shape type.
var nmLine = regexp.MustCompile(`^\s*(?:[0-9a-f]+\s+)?[0-9]+\s+(\S)\s+(.+)$`)

// textSymbols returns the names of the text (function) symbols defined in
// the output of go tool nm -size.
func textSymbols(nmOutput []byte) []string {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(nmOutput))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if m := nmLine.FindStringSubmatch(sc.Text()); m != nil && m[1] == "T" {
			names = append(names, m[2])
		}
	}
	return names
}

// offenders groups symbol names by origin (see symbolOrigin) and lists the
// n largest groups with an example each.
func offenders(names []string, n int) string {
	count := map[string]int{}
	example := map[string]string{}
	for _, name := range names {
		o := symbolOrigin(name)
		count[o]++
		if example[o] == "" {
			example[o] = name
		}
	}
	origins := make([]string, 0, len(count))
	for o := range count {
		origins = append(origins, o)
	}
	sort.Slice(origins, func(i, j int) bool {
		if count[origins[i]] != count[origins[j]] {
			return count[origins[i]] > count[origins[j]]
		}
		return origins[i] < origins[j]
	})
	var b strings.Builder
	for i, o := range origins {
		if i == n {
			fmt.Fprintf(&b, "  … and %d more origins\n", len(origins)-n)
			break
		}
		ex := example[o]
		if len(ex) > 160 {
			ex = ex[:160] + "…"
		}
		fmt.Fprintf(&b, "  %5d %s (e.g. %s)\n", count[o], o, ex)
	}
	return b.String()
}

// symbolOrigin names what a function symbol was compiled for: the generic
// type or function before its type arguments (sync/atomic.Pointer), or
// the shape type whose methods it wraps, cut short.
func symbolOrigin(name string) string {
	name = strings.Replace(name, "(*", "", 1)
	if strings.HasPrefix(name, "go.shape.") {
		name = strings.Replace(name, "}).", "}.", 1)
		if len(name) > 100 {
			name = name[:100] + "…"
		}
		return name
	}
	if i := strings.IndexAny(name, "[("); i >= 0 {
		return name[:i]
	}
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[:i]
	}
	return name
}
