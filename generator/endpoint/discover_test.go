package endpoint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/templates"
)

// newModule writes a Go module with a protocol package declaring the model
// types Example (a class) and Color (an enum), and returns its directory
// and the Models map discovery needs.
func newModule(t *testing.T) (string, map[string]*model.Model) {
	t.Helper()
	dir := t.TempDir()
	gomod, err := templates.GoMod("example.com/app", gopod.SourceDir(), gopod.GoMod)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "go.mod", string(gomod))
	write(t, dir, "go.sum", string(gopod.GoSum))
	write(t, dir, "protocol/protocol.go", "package protocol\n\ntype Example struct{ Name string }\n\ntype Color int64\n")
	return dir, map[string]*model.Model{
		"example.com/app/protocol.Example": {Kind: model.Class, ClassName: "Example"},
		"example.com/app/protocol.Color":   {Kind: model.Enum, ClassName: "Color"},
	}
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const header = `package %s

import (
	"iter"
	"math/big"
	"net/url"
	"time"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"example.com/app/protocol"
)

var (
	_ = big.NewInt
	_ = url.Parse
	_ = time.Now
	_ wire.UUID
	_ protocol.Example
	_ iter.Seq2[int64, error]
)

type XEndpoint struct{ pod.Endpoint }

`

func discover(t *testing.T, dir string, models map[string]*model.Model, pkg string) ([]*Endpoint, []model.Diagnostic) {
	t.Helper()
	eps, diags, err := Discover(context.Background(), Options{
		Dir: dir, ModulePath: "example.com/app", ModuleDir: dir,
		Patterns: []string{"./" + pkg}, Models: models, CacheDir: filepath.Join(dir, ".gopod"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return eps, diags
}

// TestForms: every Go form maps to its 2.4 type, with 2.4's wire names.
func TestForms(t *testing.T) {
	dir, models := newModule(t)
	write(t, dir, "forms/forms.go", fmt.Sprintf(header, "forms")+`
type OptParams struct {
	pod.Optional
	Second *int64
}

type NamedParams struct {
	pod.Named
	Query string
	Limit *int64 `+"`pod:\"max\"`"+`
}

func (e *XEndpoint) Scalars(s *pod.Session, a *[]int64, b *map[string]int64, c *[]byte, d []*[]byte, u **url.URL, n **big.Int, v *url.URL) error {
	return nil
}

func (e *XEndpoint) Sets(s *pod.Session, set wire.Set[*int64], ids *wire.Set[wire.UUID], byColor map[protocol.Color]*protocol.Example, m []wire.Entry[*int64, string]) (wire.Set[time.Duration], error) {
	return nil, nil
}

func (e *XEndpoint) Records(s *pod.Session, r struct{ P1 int64; P2 string }, named *struct{ P1 int64; Name string; Data *protocol.Example }) ([]struct{ Number int64 }, error) {
	return nil, nil
}

func (e *XEndpoint) Keywords(s *pod.Session, map_ map[string]int64, type_ string, string_ string) error { return nil }

func (e *XEndpoint) Optional(s *pod.Session, first int64, o OptParams) error { return nil }

func (e *XEndpoint) Search(s *pod.Session, p NamedParams) error { return nil }

type HTTPTestEndpoint struct{ pod.Endpoint }

// Get is called as ping.get.
//
//gopod:name ping
type RenamedEndpoint struct{ pod.Endpoint }

//gopod:name getIt
//gopod:param v value
func (e *RenamedEndpoint) Get(s *pod.Session, v int64) error { return nil }
`)
	eps, diags := discover(t, dir, models, "forms")
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	byName := map[string]*Endpoint{}
	for _, ep := range eps {
		byName[ep.Name] = ep
	}
	for _, want := range []string{"x", "hTTPTest", "ping"} {
		if byName[want] == nil {
			t.Errorf("endpoint %s not found (have %v)", want, byName)
		}
	}
	sig := func(m *Method) string {
		var parts []string
		for _, p := range m.Params {
			kind := map[ParamKind]string{Positional: "", OptionalPositional: "[opt] ", Named: "{named} "}[p.Kind]
			if p.Kind == Named && p.Required() {
				kind = "{required} "
			}
			parts = append(parts, kind+p.Type.String()+" "+p.Name)
		}
		ret := "void"
		if m.Returns != nil {
			ret = m.Returns.String()
		}
		return ret + " " + m.Name + "(" + strings.Join(parts, ", ") + ")"
	}
	want := []string{
		"void scalars(List<int>? a, Map<String,int>? b, ByteData? c, List<ByteData?> d, Uri? u, BigInt? n, Uri v)",
		"Set<Duration> sets(Set<int?> set, Set<UuidValue>? ids, Map<Color,Example?> byColor, Map<int?,String> m)",
		"List<({int number})> records((int,String) r, (int,{Example? data,String name})? named)",
		"void keywords(Map<String,int> map, String type, String string)",
		"void optional(int first, [opt] int? second)",
		"void search({required} String query, {named} int? max)",
	}
	x := byName["x"]
	for i, w := range want {
		if i >= len(x.Methods) {
			t.Errorf("method %d missing, want %s", i, w)
			continue
		}
		if got := sig(x.Methods[i]); got != w {
			t.Errorf("got  %s\nwant %s", got, w)
		}
	}
	if r := byName["ping"]; r != nil && (len(r.Methods) != 1 || sig(r.Methods[0]) != "void getIt(int value)") {
		t.Errorf("renamed endpoint: %+v", r.Methods)
	}
	if m := x.Methods[5]; m.Struct == nil || m.Struct.GoName != "NamedParams" || m.Struct.Kind != Named {
		t.Errorf("search's parameter struct: %+v", m.Struct)
	}
}

// TestStreams: methods that return iter.Seq2[T, error] or take input
// streams, alongside ordinary parameters, with their 2.4 types; the
// endpoint streaming hooks are not methods.
func TestStreams(t *testing.T) {
	dir, models := newModule(t)
	write(t, dir, "streams/streams.go", fmt.Sprintf(header, "streams")+`
type In struct {
	pod.Named
	Strings iter.Seq2[string, error]
	Limit   *int64
}

func (e *XEndpoint) CountTo(s *pod.Session, n int64) iter.Seq2[int64, error] { return nil }

func (e *XEndpoint) Echo(s *pod.Session, input iter.Seq2[string, error]) iter.Seq2[string, error] { return input }

func (e *XEndpoint) Sum(s *pod.Session, delay int64, values iter.Seq2[*int64, error]) (int64, error) { return 0, nil }

func (e *XEndpoint) Drain(s *pod.Session, a iter.Seq2[protocol.Example, error], b iter.Seq2[*[]protocol.Color, error]) error { return nil }

func (e *XEndpoint) Named(s *pod.Session, in In) iter.Seq2[wire.Set[*protocol.Example], error] { return nil }

func (e *XEndpoint) Plain(s *pod.Session, n int64) (int64, error) { return n, nil }

func (e *XEndpoint) StreamOpened(s *pod.Session) error { return nil }

func (e *XEndpoint) HandleStreamMessage(s *pod.Session, message any) error { return nil }

func (e *XEndpoint) StreamClosed(s *pod.Session) {}
`)
	eps, diags := discover(t, dir, models, "streams")
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	sig := func(m *Method) string {
		var parts []string
		for _, p := range m.Params {
			ty := p.Type.String()
			if p.Stream {
				ty = "Stream<" + ty + ">"
			}
			if p.Kind == Named {
				ty = "{named} " + ty
			}
			parts = append(parts, ty+" "+p.Name)
		}
		ret := "Future<void>"
		switch {
		case m.ReturnsStream:
			ret = "Stream<" + m.Returns.String() + ">"
		case m.Returns != nil:
			ret = "Future<" + m.Returns.String() + ">"
		}
		return fmt.Sprintf("%s %s(%s) streaming=%v", ret, m.Name, strings.Join(parts, ", "), m.Streaming())
	}
	want := []string{
		"Stream<int> countTo(int n) streaming=true",
		"Stream<String> echo(Stream<String> input) streaming=true",
		"Future<int> sum(int delay, Stream<int?> values) streaming=true",
		"Future<void> drain(Stream<Example> a, Stream<List<Color>?> b) streaming=true",
		"Stream<Set<Example?>> named({named} Stream<String> strings, {named} int? limit) streaming=true",
		"Future<int> plain(int n) streaming=false",
	}
	var got []string
	for _, m := range eps[0].Methods {
		got = append(got, sig(m))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if in := eps[0].Methods[2].Inputs(); len(in) != 1 || in[0].Name != "values" {
		t.Errorf("sum's inputs: %v", in)
	}
}

// TestErrors: a signature gopod cannot serve is an error at its file, line
// and column, saying what to write instead.
func TestErrors(t *testing.T) {
	cases := []struct {
		name, code string
		marker     string // a text on the line the error points at
		message    string
	}{
		{"two pointers", `func (e *XEndpoint) M(s *pod.Session, v **int64) error { return nil }`, "v **int64", "one pointer makes a value nullable"},
		{"int", `func (e *XEndpoint) M(s *pod.Session, v int) error { return nil }`, "v int", "use int64"},
		{"pointer map key", `func (e *XEndpoint) M(s *pod.Session, v map[*int64]string) error { return nil }`, "v map", "use []wire.Entry[*int64, string]"},
		{"string-keyed entries", `func (e *XEndpoint) M(s *pod.Session, v []wire.Entry[string, int64]) error { return nil }`, "v []wire", "use map[string]int64"},
		{"url value", `func (e *XEndpoint) M(s *pod.Session, v url.URL) error { return nil }`, "v url.URL", "use *url.URL"},
		{"not a model", `type Local struct{ A int64 }
func (e *XEndpoint) M(s *pod.Session, v Local) error { return nil }`, "v Local", "is not a model"},
		{"optional not nullable", `type O struct {
	pod.Optional
	A int64
}
func (e *XEndpoint) M(s *pod.Session, o O) error { return nil }`, "A int64", "must be nullable"},
		{"named not last", `type N struct {
	pod.Named
	A int64
}
func (e *XEndpoint) M(s *pod.Session, n N, b int64) error { return nil }`, "n N, b", "must be the last parameter"},
		{"named by pointer", `type N struct {
	pod.Named
	A int64
}
func (e *XEndpoint) M(s *pod.Session, n *N) error { return nil }`, "n *N", "not as a pointer"},
		{"record tag", "func (e *XEndpoint) M(s *pod.Session, r struct{ A int64 `json:\"a\"` }) error { return nil }", "r struct", "has a tag"},
		{"record order", `func (e *XEndpoint) M(s *pod.Session, r struct{ P2 int64 }) error { return nil }`, "r struct", "out of place"},
		{"record unexported", `func (e *XEndpoint) M(s *pod.Session, r struct{ a int64 }) error { return nil }`, "r struct", "must be exported"},
		{"unknown directive", `//gopod:nmae x
func (e *XEndpoint) M(s *pod.Session) error { return nil }`, "//gopod:nmae", "unknown directive"},
		{"param directive naming nothing", `//gopod:param y z
func (e *XEndpoint) M(s *pod.Session, x int64) error { return nil }`, "//gopod:param", "names no positional parameter"},
		{"same wire name", `//gopod:param a b
func (e *XEndpoint) M(s *pod.Session, a int64, b int64) error { return nil }`, "a int64, b", "both have the wire name"},
		{"body error", `func (e *XEndpoint) M(s *pod.Session) error { return undefinedThing }`, "undefinedThing", "undefined: undefinedThing"},
		{"unexported options", `type opts struct {
	pod.Named
	A int64
}
func (e *XEndpoint) M(s *pod.Session, o opts) error { return nil }`, "o opts", "must be exported"},
		{"variadic", `func (e *XEndpoint) M(s *pod.Session, v ...int64) error { return nil }`, "func (e *XEndpoint) M", "variadic"},
		{"iter.Seq", `func (e *XEndpoint) M(s *pod.Session, v iter.Seq[int64]) error { return nil }`, "v iter.Seq", "use iter.Seq2[int64, error]"},
		{"channel parameter", `func (e *XEndpoint) M(s *pod.Session, v <-chan string) error { return nil }`, "v <-chan", "a channel is not a stream; use iter.Seq2[string, error]"},
		{"channel result", `func (e *XEndpoint) M(s *pod.Session) chan int64 { return nil }`, "func (e *XEndpoint) M", "use iter.Seq2[int64, error]"},
		{"second type not error", `func (e *XEndpoint) M(s *pod.Session) iter.Seq2[int64, string] { return nil }`, "func (e *XEndpoint) M", "its second type must be error"},
		{"stream and error", `func (e *XEndpoint) M(s *pod.Session) (iter.Seq2[int64, error], error) { return nil, nil }`, "func (e *XEndpoint) M", "returns iter.Seq2[int64, error] alone"},
		{"stream of streams", `func (e *XEndpoint) M(s *pod.Session, v iter.Seq2[iter.Seq2[int64, error], error]) error { return nil }`, "v iter.Seq2", "a stream of streams"},
		{"pointer to stream", `func (e *XEndpoint) M(s *pod.Session, v *iter.Seq2[int64, error]) error { return nil }`, "v *iter", "take iter.Seq2[int64, error]"},
		{"stream in a list", `func (e *XEndpoint) M(s *pod.Session, v []iter.Seq2[int64, error]) error { return nil }`, "v []iter", "never part of another type"},
		{"stream of records", `func (e *XEndpoint) M(s *pod.Session) iter.Seq2[struct{ P1 int64 }, error] { return nil }`, "func (e *XEndpoint) M", "stream a model class instead"},
		{"stream of a non-model", `type Local struct{ A int64 }
func (e *XEndpoint) M(s *pod.Session, v iter.Seq2[Local, error]) error { return nil }`, "v iter.Seq2", "is not a model"},
		{"no result", `func (e *XEndpoint) M(s *pod.Session) {}`, "func (e *XEndpoint) M", "or a stream iter.Seq2[T, error] (got ())"},
		{"optional stream", `type O struct {
	pod.Optional
	In iter.Seq2[int64, error]
}
func (e *XEndpoint) M(s *pod.Session, o O) error { return nil }`, "In iter.Seq2", "an optional parameter cannot be a stream"},
	}
	dir, models := newModule(t)
	for i, c := range cases {
		pkg := fmt.Sprintf("case%d", i)
		write(t, dir, pkg+"/x.go", fmt.Sprintf(header, pkg)+c.code+"\n")
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pkg := fmt.Sprintf("case%d", i)
			_, diags := discover(t, dir, models, pkg)
			src, _ := os.ReadFile(filepath.Join(dir, pkg, "x.go"))
			line := 0
			for n, l := range strings.Split(string(src), "\n") {
				if strings.Contains(l, c.marker) {
					line = n + 1
					break
				}
			}
			for _, d := range diags {
				if strings.Contains(d.Message, c.message) {
					if d.Pos.File != pkg+"/x.go" || d.Pos.Line != line || d.Pos.Col == 0 {
						t.Errorf("error at %s, want %s/x.go:%d:col", d.Pos, pkg, line)
					}
					return
				}
			}
			t.Errorf("no error saying %q; got %v", c.message, diags)
		})
	}
}

// TestParseCache: a second discovery in the same process reuses the trees
// of unchanged files and sees a changed one.
func TestParseCache(t *testing.T) {
	dir, models := newModule(t)
	write(t, dir, "cached/x.go", fmt.Sprintf(header, "cached")+"func (e *XEndpoint) A(s *pod.Session) error { return nil }\n")
	cache := NewParseCache()
	run := func() []*Endpoint {
		eps, diags, err := Discover(context.Background(), Options{
			Dir: dir, ModulePath: "example.com/app", ModuleDir: dir,
			Patterns: []string{"./cached"}, Models: models, ParseCache: cache,
		})
		if err != nil || len(diags) > 0 {
			t.Fatal(err, diags)
		}
		return eps
	}
	run()
	trees := len(cache.files)
	if eps := run(); len(eps) != 1 || len(eps[0].Methods) != 1 || len(cache.files) != trees {
		t.Fatalf("second run: %d trees cached, %d before", len(cache.files), trees)
	}
	write(t, dir, "cached/x.go", fmt.Sprintf(header, "cached")+"func (e *XEndpoint) A(s *pod.Session) error { return nil }\nfunc (e *XEndpoint) B(s *pod.Session) error { return nil }\n")
	if eps := run(); len(eps[0].Methods) != 2 || len(cache.files) != trees {
		t.Fatalf("after a change: %d methods, %d trees cached (want %d)", len(eps[0].Methods), len(cache.files), trees)
	}
}

// TestMethodOrderAcrossFiles: methods of an endpoint declared in several
// files come in file name order whatever order the files were parsed in
// (here b.go first, kept in the parse cache, then a.go).
func TestMethodOrderAcrossFiles(t *testing.T) {
	dir, models := newModule(t)
	write(t, dir, "multi/b.go", fmt.Sprintf(header, "multi")+"func (e *XEndpoint) B(s *pod.Session) error { return nil }\n")
	cache := NewParseCache()
	run := func() []string {
		eps, diags, err := Discover(context.Background(), Options{
			Dir: dir, ModulePath: "example.com/app", ModuleDir: dir,
			Patterns: []string{"./multi"}, Models: models, ParseCache: cache,
		})
		if err != nil || len(diags) > 0 || len(eps) != 1 {
			t.Fatal(err, diags)
		}
		var names []string
		for _, m := range eps[0].Methods {
			names = append(names, m.Name)
		}
		return names
	}
	run()
	write(t, dir, "multi/a.go", "package multi\n\nimport \"github.com/gopod/gopod/runtime/pod\"\n\nfunc (e *XEndpoint) A(s *pod.Session) error { return nil }\n")
	if got := strings.Join(run(), ","); got != "a,b" {
		t.Errorf("methods %s, want a,b (a.go before b.go)", got)
	}
}

// TestPackageCache: a package checked for its declarations only is read
// back from the package cache while its sources and those of the local
// packages it imports are unchanged, is checked again when either
// changes, and keeps one identity for the packages it shares with the
// endpoints.
func TestPackageCache(t *testing.T) {
	dir, models := newModule(t)
	write(t, dir, "shared/shared.go", "package shared\n\ntype Tag struct{ Label string }\n")
	write(t, dir, "protocol/protocol.go", `package protocol

import "example.com/app/shared"

type Example struct{ Name string }

type Color int64

func Tagged(t shared.Tag) Example { return Example{Name: t.Label} }
`)
	endpoints := func(ret string) string {
		return fmt.Sprintf(`package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"

	"example.com/app/protocol"
	"example.com/app/shared"
)

type XEndpoint struct{ pod.Endpoint }

func (e *XEndpoint) Get(s *pod.Session, label string) (%s, error) {
	return protocol.Tagged(shared.Tag{Label: label}), nil
}
`, ret)
	}
	write(t, dir, "endpoints/x.go", endpoints("protocol.Example"))
	entries := func() int {
		list, _ := filepath.Glob(filepath.Join(dir, ".gopod", "pkgs", "*.export"))
		return len(list)
	}
	check := func(what string, wantErr string) {
		t.Helper()
		eps, diags := discover(t, dir, models, "endpoints")
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, d.String())
		}
		got := strings.Join(msgs, "\n")
		switch {
		case wantErr == "" && (got != "" || len(eps) != 1):
			t.Fatalf("%s: %d endpoints, diagnostics:\n%s", what, len(eps), got)
		case wantErr != "" && !strings.Contains(got, wantErr):
			t.Fatalf("%s: want an error containing %q, got:\n%s", what, wantErr, got)
		}
	}
	check("first run", "")
	if n := entries(); n != 2 {
		t.Fatalf("%d packages cached, want protocol and shared", n)
	}
	stamp := func() string {
		list, _ := filepath.Glob(filepath.Join(dir, ".gopod", "pkgs", "*.export"))
		var s []string
		for _, f := range list {
			if info, err := os.Stat(f); err == nil {
				s = append(s, fmt.Sprint(info.ModTime().UnixNano()))
			}
		}
		return strings.Join(s, " ")
	}
	before := stamp()
	check("from the cache", "")
	if stamp() != before {
		t.Fatal("an unchanged package was checked again, not read from the cache")
	}

	// The protocol package changes: Tagged returns another type.
	write(t, dir, "protocol/protocol.go", `package protocol

import "example.com/app/shared"

type Example struct{ Name string }

type Color int64

func Tagged(t shared.Tag) Color { return Color(len(t.Label)) }
`)
	check("protocol changed", "cannot use protocol.Tagged")
	write(t, dir, "endpoints/x.go", endpoints("protocol.Color"))
	check("endpoint fixed", "")

	// Only shared changes, in a way that breaks the protocol package's
	// declarations: the cached protocol must not be used.
	write(t, dir, "shared/shared.go", "package shared\n\ntype Label struct{ Label string }\n")
	check("shared changed", "undefined: shared.Tag")
}

// TestPrunedProtocol: the protocol package, imported by endpoints only,
// is checked with just what they use, which must bring along what that
// needs: methods (unexported ones too) of the types used, constant
// groups, initializers' functions and the types they name. An error
// found against the pruned package is reported as the whole package
// gives it.
func TestPrunedProtocol(t *testing.T) {
	dir, models := newModule(t)
	write(t, dir, "protocol/protocol.go", `// Code generated by gopod. DO NOT EDIT.

package protocol

import "strings"

type Example struct {
	Name  string
	Inner inner
}

type inner struct{ Parts []Part }

type Part struct{ Text string }

type Sealed interface{ sealed() }

func (Example) sealed() {}

type Color int64

const (
	Red Color = iota
	Green
)

var Default = newDefault()

func newDefault() Example { return Example{Name: strings.ToUpper("x")} }

type Unused struct{ Broken undefinedType }
`)
	src := func(body string) string {
		return `package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"

	"example.com/app/protocol"
)

type XEndpoint struct{ pod.Endpoint }

func (e *XEndpoint) Get(s *pod.Session, c protocol.Color) (protocol.Example, error) {
	var sealed protocol.Sealed = protocol.Default
	_ = sealed
	_ = protocol.Default.Inner.Parts[0].Text
	_ = protocol.Green
	` + body + `
	return protocol.Default, nil
}
`
	}
	write(t, dir, "endpoints/x.go", src(""))
	eps, diags := discover(t, dir, models, "endpoints")
	if len(diags) != 0 || len(eps) != 1 {
		t.Fatalf("%d endpoints, diagnostics %v", len(eps), diags)
	}
	// Using the broken declaration: the error is the whole package's,
	// the same as without pruning.
	write(t, dir, "endpoints/x.go", src("_ = protocol.Unused{}"))
	_, diags = discover(t, dir, models, "endpoints")
	if len(diags) == 0 || !strings.Contains(diags[0].String(), "protocol/protocol.go:31:") || !strings.Contains(diags[0].Message, "undefined: undefinedType") {
		t.Fatalf("want the protocol package's error at its line, got %v", diags)
	}
	// Not using it: the whole package still has that error, which the
	// pruned check does not see; the go command will report it.
	write(t, dir, "endpoints/x.go", src(""))
	if _, diags = discover(t, dir, models, "endpoints"); len(diags) != 0 {
		t.Fatalf("diagnostics %v", diags)
	}
}
