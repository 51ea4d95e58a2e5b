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
	g *generator
	*importSet
	// modelURL is how this file imports a project model.
	modelURL func(*model.Model) string
	// protocolURL is how this file imports protocol.dart.
	protocolURL string
	// parts are the `part` files of the library of a sealed hierarchy;
	// partOf, for one of those parts, is the file of the library.
	parts  []string
	partOf string
}

// importSet is the imports of a library, numbered in the order of first
// use. The files of a sealed hierarchy are parts of one library and share
// one set, filled in the order the files are generated.
type importSet struct {
	imports []string
	prefix  map[string]string
}

func newImportSet() *importSet { return &importSet{prefix: map[string]string{}} }

func (g *generator) newLibrary(modelURL func(*model.Model) string) *library {
	return &library{g: g, importSet: newImportSet(), modelURL: modelURL, protocolURL: "protocol.dart"}
}

// modelLibrary starts the library of a model's file: a file of its own,
// or, for a class of a sealed hierarchy, a part of the library of the
// hierarchy's top class, whose imports it shares (in the top class's
// directory).
func (g *generator) modelLibrary(m *model.Model, shared *importSet) *library {
	top := m.SealedTop()
	if top == nil || shared == nil {
		l := g.newLibrary(relativeTo(m.SubDir))
		l.protocolURL = climb(m.SubDir) + "protocol.dart"
		return l
	}
	l := &library{g: g, importSet: shared, protocolURL: relPath(top.SubDir, "protocol.dart")}
	l.modelURL = func(x *model.Model) string { return relPath(top.SubDir, modelFilePath(libraryModel(x))) }
	if m == top {
		for _, d := range g.family(top) {
			l.parts = append(l.parts, relPath(top.SubDir, modelFilePath(d)))
		}
	} else {
		l.partOf = relPath(m.SubDir, modelFilePath(top))
	}
	return l
}

// libraryModel is the model whose file is the library declaring m: the
// top class of m's sealed hierarchy, or m.
func libraryModel(m *model.Model) *model.Model {
	if top := m.SealedTop(); top != nil {
		return top
	}
	return m
}

// climb is the relative path from dir (relative to lib/src/protocol) up to
// lib/src/protocol.
func climb(dir string) string {
	if dir == "" {
		return ""
	}
	return strings.Repeat("../", strings.Count(dir, "/")+1)
}

// relPath is the shortest relative path from the directory fromDir to
// target, both relative to lib/src/protocol.
func relPath(fromDir, target string) string {
	from := strings.Split(fromDir, "/")
	if fromDir == "" {
		from = nil
	}
	to := strings.Split(target, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	return strings.Repeat("../", len(from)-i) + strings.Join(to[i:], "/")
}

// relativeTo returns the modelURL of a file in dir (relative to
// lib/src/protocol): Serverpod climbs to the protocol root and descends again
// (`../../a/b/x.dart` from a/b/y.dart).
func relativeTo(dir string) func(*model.Model) string {
	up := climb(dir)
	return func(m *model.Model) string { return up + modelFilePath(libraryModel(m)) }
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

// file assembles header, imports, exports, parts and body. A part has no
// imports of its own: only its `part of` directive.
func (l *library) file(exports []string, body doc) []byte {
	if l.partOf != "" {
		return []byte(partHeader + render(cat(text("part of "+quote(l.partOf)+";"), hard, hard, body)))
	}
	var d concat
	for i, url := range l.imports {
		d = append(d, grp(text("import "+quote(url)), indent(4, spaceLine, text(fmt.Sprintf("as _i%d;", i+1)))), hard)
	}
	for _, e := range exports {
		d = append(d, text("export "+quote(e)+";"), hard)
	}
	for _, p := range l.parts {
		d = append(d, text("part "+quote(p)+";"), hard)
	}
	return []byte(header + render(cat(d, hard, body)))
}
