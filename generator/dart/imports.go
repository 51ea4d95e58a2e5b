package dart

import (
	"fmt"
	"strings"

	"github.com/gopod/gopod/generator/model"
)

// library is one generated Dart file under construction. Like code_builder's
// allocator, it imports every library under a `_iN` prefix, numbered in the
// order of first use, so the file body must be built in textual order.
type library struct {
	g       *generator
	imports []string
	prefix  map[string]string
	// modelURL is how this file imports a project model.
	modelURL func(*model.Model) string
}

func (g *generator) newLibrary(modelURL func(*model.Model) string) *library {
	return &library{g: g, prefix: map[string]string{}, modelURL: modelURL}
}

// relativeTo returns the modelURL of a file in dir (relative to
// lib/src/protocol): Serverpod climbs to the protocol root and descends again
// (`../../a/b/x.dart` from a/b/y.dart).
func relativeTo(dir string) func(*model.Model) string {
	up := ""
	if dir != "" {
		up = strings.Repeat("../", strings.Count(dir, "/")+1)
	}
	return func(m *model.Model) string { return up + modelFilePath(m) }
}

// ref returns symbol qualified by the prefix of url, importing url on first use.
func (l *library) ref(url, symbol string) string {
	p, ok := l.prefix[url]
	if !ok {
		l.imports = append(l.imports, url)
		p = fmt.Sprintf("_i%d", len(l.imports))
		l.prefix[url] = p
	}
	return p + "." + symbol
}

// sp returns a symbol of serverpod_client.
func (l *library) sp(symbol string) string { return l.ref(serverpodURL, symbol) }

// typ spells t as Dart code.
func (l *library) typ(t *model.Type) string {
	return l.typNullable(t, t.Nullable)
}

// typNullable spells t with the given nullability of its outer type.
func (l *library) typNullable(t *model.Type, nullable bool) string {
	var b strings.Builder
	switch {
	case t.Model != nil:
		b.WriteString(l.modelRef(t.Model))
	case t.Name == model.TypeUUID:
		b.WriteString(l.sp(t.Name))
	case t.Name == model.TypeByteData:
		b.WriteString(l.ref("dart:typed_data", t.Name))
	default:
		b.WriteString(t.Name)
	}
	if len(t.Args) > 0 {
		b.WriteByte('<')
		for i, a := range t.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(l.typ(a))
		}
		b.WriteByte('>')
	}
	if nullable {
		b.WriteByte('?')
	}
	return b.String()
}

// modelRef is the qualified class name of a model.
func (l *library) modelRef(m *model.Model) string {
	switch {
	case m.Kind == model.Custom:
		return l.ref(m.DartURL, m.ClassName)
	case m.Module == "":
		return l.ref(l.modelURL(m), m.ClassName)
	case m.Module == "serverpod":
		return l.sp(m.ClassName)
	}
	mod, _ := l.g.moduleOf(m) // resolvable: checked by generator.check
	return l.ref(packageURL(mod.ClientPackage), m.ClassName)
}

// packageURL is the URL of a package's main library.
func packageURL(pkg string) string { return "package:" + pkg + "/" + pkg + ".dart" }

// file assembles header, imports, exports and body.
func (l *library) file(exports []string, body doc) []byte {
	var d concat
	for i, url := range l.imports {
		d = append(d, grp(text("import "+quote(url)), indent(4, spaceLine, text(fmt.Sprintf("as _i%d;", i+1)))), hard)
	}
	for _, e := range exports {
		d = append(d, text("export "+quote(e)+";"), hard)
	}
	return []byte(header + render(cat(d, hard, body)))
}
