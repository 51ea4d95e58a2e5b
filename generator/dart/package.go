package dart

import (
	"strings"

	"github.com/gopod/gopod/templates"
)

// pubspec is the client package's pubspec.yaml: the Dart SDK range of
// Serverpod 2.4's client template, serverpod_client and the client packages
// of the modules.
func (g *generator) pubspec() ([]byte, error) {
	data := templates.DartPubspec{
		Package:          g.opts.ClientPackageName,
		Project:          g.opts.ProjectName,
		ServerpodVersion: serverpodVersion,
	}
	if data.Project == "" {
		data.Project = strings.TrimSuffix(g.opts.ClientPackageName, "_client")
	}
	for _, m := range g.modules {
		v := m.ClientVersion
		if v == "" {
			v = serverpodVersion
		}
		if strings.ContainsAny(v, " <>=|") {
			v = "'" + v + "'"
		}
		data.Modules = append(data.Modules, templates.DartDependency{Package: m.ClientPackage, Version: v, Path: m.ClientPath})
	}
	// The packages of custom classes are the user's: any version, which an
	// app pins (or overrides with a path) in its own pubspec.
	seen := map[string]bool{}
	for _, c := range g.opts.CustomClasses {
		pkg, _, _ := strings.Cut(strings.TrimPrefix(c.DartURL, "package:"), "/")
		if !strings.HasPrefix(c.DartURL, "package:") || seen[pkg] || pkg == "serverpod_client" {
			continue
		}
		seen[pkg] = true
		data.Modules = append(data.Modules, templates.DartDependency{Package: pkg, Version: "any"})
	}
	return templates.RenderDart("pubspec.yaml.tmpl", data)
}

// libraryFile is lib/<package>.dart, the library apps import.
func (g *generator) libraryFile() ([]byte, error) {
	return templates.RenderDart("library.dart.tmpl", nil)
}
