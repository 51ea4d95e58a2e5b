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
	Modules          []DartDependency
}

// DartDependency is a module's client package and its version constraint.
type DartDependency struct {
	Package string
	Version string
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
