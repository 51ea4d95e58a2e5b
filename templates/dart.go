package templates

import (
	"bytes"
	"embed"
	"fmt"
	"text/template"
)

//go:embed dart/*.tmpl
var dartFiles embed.FS

var dartTemplates = template.Must(template.ParseFS(dartFiles, "dart/*.tmpl"))

// DartPubspec is the data of the Dart client's pubspec.yaml.
type DartPubspec struct {
	Package          string
	Project          string
	ServerpodVersion string
	// Modules are the client packages of the modules, then the packages
	// that declare custom classes.
	Modules []DartDependency
}

// DartDependency is a package the client depends on: a module's client
// package or a package of custom classes, with its version constraint, or
// with the path of a local package (a gopod module's client).
type DartDependency struct {
	Package string
	Version string
	Path    string
}

// RenderDart renders one of the Dart client's file templates
// (pubspec.yaml.tmpl, library.dart.tmpl) with data.
func RenderDart(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := dartTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("rendering the Dart template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
