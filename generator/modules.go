package generator

import (
	"fmt"
	"io/fs"

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
	models            fs.FS
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

// resolveModules looks up the modules generator.yaml names.
func resolveModules(p *project.Project) ([]*moduleInfo, error) {
	var out []*moduleInfo
	for _, ref := range p.Modules {
		b, ok := builtinModules[ref.Name]
		if !ok {
			known := make([]string, 0, len(builtinModules))
			for n := range builtinModules {
				known = append(known, n)
			}
			return nil, &project.Error{File: project.ConfigPath, Msg: fmt.Sprintf("unknown module %q under modules; gopod provides %v", ref.Name, known)}
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
