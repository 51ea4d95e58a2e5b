package generator

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/generator/project"
	authmigrations "github.com/gopod/gopod/modules/auth/migrations"
	authmodels "github.com/gopod/gopod/modules/auth/models"
)

// moduleInfo is a module a project can use: where its generated Go
// packages are, which Dart client package serves it, and its model files.
type moduleInfo struct {
	name, nickname    string
	protocolPkg       string
	dispatchPkg       string
	clientPkg         string
	dartClientPackage string
	// dartClientPath is, for a module of the user's, the path of its Dart
	// client package relative to the project's Dart client package.
	dartClientPath string
	models         fs.FS
	// migrations is the module's migrations folder (nil when the module
	// has no tables or ships none yet).
	migrations fs.FS
	analyzed   []*model.Model
}

// builtinModule describes a module gopod ships.
type builtinModule struct {
	defaultNickname   string
	protocolPkg       string
	dispatchPkg       string
	clientPkg         string
	dartClientPackage string
	models            func() fs.FS
	migrations        func() fs.FS
}

// builtinModules are the modules gopod ships, by module name.
var builtinModules = map[string]builtinModule{
	"serverpod_auth": {
		defaultNickname:   "auth",
		protocolPkg:       "github.com/gopod/gopod/modules/auth/protocol",
		dispatchPkg:       "github.com/gopod/gopod/modules/auth/dispatch",
		clientPkg:         "github.com/gopod/gopod/modules/auth/authclient",
		dartClientPackage: "serverpod_auth_client",
		models:            func() fs.FS { return authmodels.Files },
		migrations:        authmigrations.FS,
	},
}

// resolveModules looks up the modules generator.yaml names: modules gopod
// ships, by name, and the user's module projects, by path.
func resolveModules(p *project.Project) ([]*moduleInfo, error) {
	var out []*moduleInfo
	for _, ref := range p.Modules {
		if ref.Path != "" {
			info, err := pathModule(p, ref)
			if err != nil {
				return nil, err
			}
			out = append(out, info)
			continue
		}
		b, ok := builtinModules[ref.Name]
		if !ok {
			known := make([]string, 0, len(builtinModules))
			for n := range builtinModules {
				known = append(known, n)
			}
			sort.Strings(known)
			return nil, &project.Error{File: project.ConfigPath, Line: ref.Line, Col: ref.Col, Msg: fmt.Sprintf("unknown module %q under modules: gopod provides %v; for a module project of yours (gopod create --template module), give its directory as path", ref.Name, known)}
		}
		nick := ref.Nickname
		if nick == "" || nick == ref.Name {
			nick = b.defaultNickname
		}
		info := &moduleInfo{
			name: ref.Name, nickname: nick,
			protocolPkg: b.protocolPkg, dispatchPkg: b.dispatchPkg, clientPkg: b.clientPkg,
			dartClientPackage: b.dartClientPackage, models: b.models(),
		}
		if b.migrations != nil {
			info.migrations = b.migrations()
		}
		out = append(out, info)
	}
	return out, nil
}

// pathModule loads the module project at ref.Path (relative to the
// project): its generated Go packages, models, migrations and Dart client.
func pathModule(p *project.Project, ref project.ModuleRef) (*moduleInfo, error) {
	at := func(format string, args ...any) error {
		return &project.Error{File: project.ConfigPath, Line: ref.Line, Col: ref.Col, Msg: fmt.Sprintf("module %s: ", ref.Name) + fmt.Sprintf(format, args...)}
	}
	mp, err := project.Load(moduleDir(p, ref))
	if err != nil {
		return nil, at("path %s: %v", ref.Path, err)
	}
	switch {
	case mp.Type != project.Module:
		return nil, at("%s is a %s project; a module has type: module in its config/generator.yaml", ref.Path, mp.Type)
	case mp.Name != ref.Name:
		return nil, at("the module at %s is named %s; list it under that name", ref.Path, mp.Name)
	}
	if _, err := os.Stat(mp.Path(mp.ProtocolDir)); err != nil {
		return nil, at("its generated code is missing (%s): run gopod generate in %s first", mp.ProtocolDir, ref.Path)
	}
	if mp.GoModuleDir != p.GoModuleDir {
		if err := requiresModule(p, mp); err != nil {
			return nil, at("%v", err)
		}
	}
	nick := ref.Nickname
	if nick == "" || nick == ref.Name {
		nick = mp.Nickname
	}
	info := &moduleInfo{
		name: mp.Name, nickname: nick,
		protocolPkg: mp.ImportPath(mp.ProtocolDir), dispatchPkg: mp.ImportPath(mp.DispatchDir), clientPkg: mp.ImportPath(mp.GoClientDir),
		models: os.DirFS(mp.Path(mp.ModelsDir)),
	}
	if mp.DartClientDir != "" {
		info.dartClientPackage = path.Base(mp.DartClientDir)
		if p.DartClientDir != "" {
			rel, err := filepath.Rel(p.Path(p.DartClientDir), mp.Path(mp.DartClientDir))
			if err != nil {
				return nil, at("locating its Dart client: %v", err)
			}
			info.dartClientPath = filepath.ToSlash(rel)
		}
	} else if p.DartClientDir != "" {
		return nil, at("it has no Dart client (client_package_path), which the project's Dart client needs")
	}
	if migrations := mp.Path("migrations"); dirExists(migrations) {
		info.migrations = os.DirFS(migrations)
	}
	return info, nil
}

// moduleDir is the directory of the module project ref names by path.
func moduleDir(p *project.Project, ref project.ModuleRef) string {
	return filepath.Join(p.Dir, filepath.FromSlash(ref.Path))
}

// requiresModule checks that the project's go.mod requires the Go module
// holding mp, so that the generated code can import its packages.
func requiresModule(p *project.Project, mp *project.Project) error {
	gomod := filepath.Join(p.GoModuleDir, "go.mod")
	src, err := os.ReadFile(gomod)
	if err != nil {
		return fmt.Errorf("reading go.mod: %w", err)
	}
	f, err := modfile.Parse(gomod, src, nil)
	if err != nil {
		return fmt.Errorf("reading go.mod: %w", err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == mp.GoModulePath {
			return nil
		}
	}
	rel, err := filepath.Rel(p.GoModuleDir, mp.GoModuleDir)
	if err != nil {
		rel = mp.GoModuleDir
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, ".") {
		rel = "./" + rel
	}
	return fmt.Errorf("the project's go.mod does not require its Go module %s; add it with\n  go mod edit -require=%s@v0.0.0-00010101000000-000000000000 -replace=%s=%s", mp.GoModulePath, mp.GoModulePath, mp.GoModulePath, rel)
}

func dirExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
