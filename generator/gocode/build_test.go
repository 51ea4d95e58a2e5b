package gocode

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/templates"
)

// testModule is a Go module named proj in a temporary directory that
// builds against this checkout, for type-checking generated packages.
type testModule struct {
	t   testing.TB
	dir string
}

func newTestModule(t testing.TB) *testModule {
	t.Helper()
	m := &testModule{t: t, dir: t.TempDir()}
	gomod, err := templates.GoMod("proj", gopod.SourceDir(), gopod.GoMod)
	if err != nil {
		t.Fatal(err)
	}
	m.write("go.mod", gomod)
	m.write("go.sum", gopod.GoSum)
	return m
}

// write writes a file at the slash-separated path rel.
func (m *testModule) write(rel string, b []byte) {
	m.t.Helper()
	p := filepath.Join(m.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		m.t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		m.t.Fatal(err)
	}
}

// writePackage writes files into the directory dir.
func (m *testModule) writePackage(dir string, files Files) {
	m.t.Helper()
	for name, b := range files {
		m.write(dir+"/"+name, b)
	}
}

// goCmd runs the go command in the module and returns its standard output;
// a failure ends the test with the command's error output.
func (m *testModule) goCmd(args ...string) []byte {
	m.t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = m.dir
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		m.t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// generateModels analyzes srcs (model file path → YAML), fails the test on
// any failing diagnostic, and writes the server and client model packages
// into the module as proj/protocol and proj/client.
func (m *testModule) generateModels(srcs map[string]string, opts model.Options) []*model.Model {
	m.t.Helper()
	var files []model.File
	for p, src := range srcs {
		files = append(files, model.File{Path: p, Src: []byte(src)})
	}
	models, diags := model.Analyze(files, opts)
	for _, d := range diags {
		if d.Fails() {
			m.t.Fatal(d)
		}
	}
	server, client, err := Models(models, Options{Name: "proj", ProtocolPkg: "proj/protocol", ClientPkg: "proj/client"})
	if err != nil {
		m.t.Fatal(err)
	}
	m.writePackage("protocol", server)
	m.writePackage("client", client)
	return models
}
