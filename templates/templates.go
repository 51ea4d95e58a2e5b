// Package templates holds the files gopod writes from templates: the
// projects that `gopod create` scaffolds (a server, or a module that
// servers use).
package templates

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"golang.org/x/mod/modfile"
)

//go:embed all:scaffold all:module
var scaffolds embed.FS

// Templates of gopod create: a server project, or a module.
const (
	TemplateServer = "server"
	TemplateModule = "module"
)

// CreateOptions describe a new project.
type CreateOptions struct {
	// Dir is the directory to create; it must not exist or be empty.
	Dir string
	// Name is the project's name (snake_case).
	Name string
	// Module is the Go module path (default: the name).
	Module string
	// GopodDir is the gopod checkout the project builds against (a replace
	// directive), and GopodGoMod and GopodGoSum are its module files.
	GopodDir   string
	GopodGoMod []byte
	GopodGoSum []byte
	// Auth wires in the auth module (servers only).
	Auth bool
	// Template is TemplateServer (the default) or TemplateModule.
	Template string
}

var projectName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Create writes the scaffold of a new project and returns the files it
// wrote, relative to Dir.
func Create(o CreateOptions) ([]string, error) {
	if !projectName.MatchString(o.Name) {
		return nil, fmt.Errorf("project name %q must start with a lower-case letter and hold only lower-case letters, digits and _ (it names the database and the Dart package)", o.Name)
	}
	if o.Module == "" {
		o.Module = o.Name
	}
	switch o.Template {
	case "":
		o.Template = TemplateServer
	case TemplateServer, TemplateModule:
	default:
		return nil, fmt.Errorf("unknown template %q: use %s or %s", o.Template, TemplateServer, TemplateModule)
	}
	if entries, err := os.ReadDir(o.Dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s already exists and is not empty: choose another name or directory", o.Dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checking %s: %w", o.Dir, err)
	}
	files, err := render(o)
	if err != nil {
		return nil, err
	}
	gomod, err := GoMod(o.Module, o.GopodDir, o.GopodGoMod)
	if err != nil {
		return nil, err
	}
	files["go.mod"] = gomod
	files["go.sum"] = o.GopodGoSum
	var written []string
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(o.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("creating %s: %w", name, err)
		}
		mode := os.FileMode(0o644)
		if name == "config/passwords.yaml" {
			mode = 0o600
		}
		if err := os.WriteFile(p, files[name], mode); err != nil {
			return written, fmt.Errorf("writing %s: %w", name, err)
		}
		written = append(written, name)
	}
	return written, nil
}

// render expands the template's files: *.tmpl files through
// text/template, others as they are; "gitignore" becomes ".gitignore" (a
// dot file would be skipped by go:embed patterns and by some tools).
func render(o CreateOptions) (map[string][]byte, error) {
	funcs := template.FuncMap{"secret": newSecret}
	out := map[string][]byte{}
	root := "scaffold"
	if o.Template == TemplateModule {
		root = "module"
	}
	err := fs.WalkDir(scaffolds, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, root+"/")
		data, err := scaffolds.ReadFile(p)
		if err != nil {
			return err
		}
		if name, ok := strings.CutSuffix(rel, ".tmpl"); ok {
			t, err := template.New(rel).Funcs(funcs).Parse(string(data))
			if err != nil {
				return fmt.Errorf("template %s: %w", rel, err)
			}
			var buf bytes.Buffer
			if err := t.Execute(&buf, o); err != nil {
				return fmt.Errorf("template %s: %w", rel, err)
			}
			rel, data = name, buf.Bytes()
		}
		if path.Base(rel) == "gitignore" {
			rel = path.Join(path.Dir(rel), ".gitignore")
		}
		out[rel] = data
		return nil
	})
	return out, err
}

// newSecret returns 24 random bytes in URL-safe base64.
func newSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// GoMod writes a project's go.mod: it requires gopod through a replace to
// the local checkout at gopodDir, and the exact versions gopod itself
// builds with (from gopodGoMod), so the project builds from the module
// cache alone.
func GoMod(module, gopodDir string, gopodGoMod []byte) ([]byte, error) {
	gm, err := modfile.Parse("go.mod", gopodGoMod, nil)
	if err != nil {
		return nil, fmt.Errorf("reading gopod's go.mod: %w", err)
	}
	f := &modfile.File{}
	if err := f.AddModuleStmt(module); err != nil {
		return nil, fmt.Errorf("module path %q: %w", module, err)
	}
	if gm.Go != nil {
		if err := f.AddGoStmt(gm.Go.Version); err != nil {
			return nil, err
		}
	}
	const gopod = "github.com/gopod/gopod"
	if err := f.AddRequire(gopod, "v0.0.0-00010101000000-000000000000"); err != nil {
		return nil, err
	}
	for _, r := range gm.Require {
		f.AddNewRequire(r.Mod.Path, r.Mod.Version, true)
	}
	if err := f.AddReplace(gopod, "", gopodDir, ""); err != nil {
		return nil, err
	}
	f.SetRequireSeparateIndirect(f.Require)
	f.Cleanup()
	return f.Format()
}
