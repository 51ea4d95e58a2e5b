// Package randmodels writes random projects of model files that are valid
// Serverpod 2.4 models (with gopod's refusals honoured), for property
// tests: every kind of field type, defaults, scopes, tables with relations
// and indexes, server-only classes, class hierarchies and sealed families,
// and a custom class. The analyzer must accept every project it writes.
package randmodels

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gopod/gopod/generator/model"
)

// Options are the analysis options the projects need: the database and
// inheritance features, and the custom class Money, whose Go type is
// moneyGoType (import path and name).
func Options(moneyGoType string) model.Options {
	return model.Options{
		Database: true, Inheritance: true,
		ExtraClasses: []string{"package:shared/shared.dart:Money"},
		GoTypes:      map[string]string{"Money": moneyGoType},
	}
}

// MoneyGo is a Go type for the custom class Money, in package pkg.
func MoneyGo(pkg string) string {
	return "package " + pkg + `

import "github.com/gopod/gopod/wire"

type Money struct{ Cents int64 }

func (m *Money) EncodeJSON(e *wire.Encoder) { e.Int(m.Cents) }

func (m *Money) DecodeJSON(v any) (err error) {
	m.Cents, err = wire.DecodeInt(v)
	return err
}
`
}

// Files returns the model files of the random project of seed, sorted by
// path.
func Files(seed uint64) []model.File {
	srcs := project(rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
	var files []model.File
	for _, p := range slices.Sorted(maps.Keys(srcs)) {
		files = append(files, model.File{Path: p, Src: []byte(srcs[p])})
	}
	return files
}

// Dump prints files, for a failing test's message.
func Dump(files []model.File) string {
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "--- %s\n%s\n", f.Path, f.Src)
	}
	return b.String()
}

// genClass is a class of a random project while it is being written.
type genClass struct {
	name, file string
	table      string
	serverOnly bool
	sealed     bool
	exception  bool
	parent     *genClass
	// names are the field names the class and its ancestors use.
	names map[string]bool
	lines []string
	// indexable are persisted scalar fields an index may name.
	indexable []string
	children  int
}

// allNames returns the field names of c and its ancestors.
func (c *genClass) allNames() map[string]bool {
	out := map[string]bool{}
	for x := c; x != nil; x = x.parent {
		for n := range x.names {
			out[n] = true
		}
	}
	return out
}

// hasTable reports whether c or an ancestor has a table.
func (c *genClass) hasTable() bool {
	for x := c; x != nil; x = x.parent {
		if x.table != "" {
			return true
		}
	}
	return false
}

type projectGen struct {
	r       *rand.Rand
	enums   []string
	values  map[string][]string
	classes []*genClass
	files   map[string]string
	n       int
}

// fieldNames are camelCase names, some of them Go keywords or initialisms
// once exported.
var fieldNames = []string{
	"name", "value", "count", "userId", "imageUrl", "httpCode", "type", "range", "select", "data",
	"items", "createdAt", "ttl", "uuid", "json", "amount", "label", "api", "x", "yValue",
	"parentName", "children", "isOpen", "map", "list", "string", "int", "go", "chan", "fallthrough", "className", "error", "encodeJson",
}

func (g *projectGen) pick(n int) int { return g.r.IntN(n) }

func (g *projectGen) chance(p float64) bool { return g.r.Float64() < p }

func project(r *rand.Rand) map[string]string {
	g := &projectGen{r: r, values: map[string][]string{}, files: map[string]string{}}
	for i := range 1 + g.pick(3) {
		name := fmt.Sprintf("Kind%d", i)
		var vals []string
		for j := range 1 + g.pick(4) {
			vals = append(vals, fmt.Sprintf("v%d%c", j, 'a'+rune(g.pick(26))))
		}
		g.enums = append(g.enums, name)
		g.values[name] = vals
		ser := ""
		if g.chance(0.5) {
			ser = "serialized: byName\n"
		}
		g.files[fmt.Sprintf("models/kind%d.spy.yaml", i)] = "enum: " + name + "\n" + ser + "values:\n  - " + strings.Join(vals, "\n  - ") + "\n"
	}
	for range 3 + g.pick(8) {
		g.addClass()
	}
	for _, c := range g.classes {
		g.finish(c)
	}
	return g.files
}

func (g *projectGen) addClass() {
	g.n++
	c := &genClass{name: fmt.Sprintf("Thing%d", g.n), file: fmt.Sprintf("models/d%d/thing%d.spy.yaml", g.pick(3), g.n), names: map[string]bool{}}
	switch {
	case g.chance(0.1):
		c.exception = true
	case g.chance(0.3) && len(g.classes) > 0:
		// A child of an earlier class that is no exception.
		var parents []*genClass
		for _, p := range g.classes {
			if !p.exception {
				parents = append(parents, p)
			}
		}
		if len(parents) > 0 {
			c.parent = parents[g.pick(len(parents))]
			c.parent.children++
		}
	}
	if !c.exception {
		switch {
		case g.chance(0.15) && (c.parent == nil || c.parent.sealed):
			c.sealed = true
		case g.chance(0.45) && !c.hasTable():
			c.table = fmt.Sprintf("thing_%d", g.n)
		}
	}
	if c.parent != nil && c.parent.serverOnly {
		c.serverOnly = true
	} else if g.chance(0.15) {
		c.serverOnly = true
	}
	g.classes = append(g.classes, c)
}

// finish writes the fields of c, which may use any class of the project.
func (g *projectGen) finish(c *genClass) {
	taken := c.allNames()
	for _, d := range g.classes {
		// A field must not be defined again below in the hierarchy either.
		for x := d.parent; x != nil; x = x.parent {
			if x == c {
				for n := range d.names {
					taken[n] = true
				}
			}
		}
	}
	for range g.pick(6) {
		name := fieldNames[g.pick(len(fieldNames))]
		if taken[name] || (c.hasTable() && (name == "count" || name == "id")) {
			continue
		}
		line, ok := g.field(c, name)
		if !ok {
			continue
		}
		taken[name] = true
		c.names[name] = true
		c.lines = append(c.lines, "  "+name+": "+line)
	}
	if c.table != "" && !c.serverOnly {
		g.relations(c, taken)
	}

	kind := "class"
	if c.exception {
		kind = "exception"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", kind, c.name)
	if c.parent != nil {
		fmt.Fprintf(&b, "extends: %s\n", c.parent.name)
	}
	if c.sealed {
		b.WriteString("sealed: true\n")
	}
	if c.table != "" {
		fmt.Fprintf(&b, "table: %s\n", c.table)
	}
	if c.serverOnly {
		b.WriteString("serverOnly: true\n")
	}
	if len(c.lines) > 0 {
		b.WriteString("fields:\n" + strings.Join(c.lines, "\n") + "\n")
	}
	if c.table != "" && len(c.indexable) > 0 && g.chance(0.6) {
		fields := c.indexable[:1+g.pick(len(c.indexable))]
		fmt.Fprintf(&b, "indexes:\n  %s_idx:\n    fields: %s\n", c.table, strings.Join(fields, ", "))
		if g.chance(0.5) {
			b.WriteString("    unique: true\n")
		}
	}
	g.files[c.file] = b.String()
}

// relations adds relation fields to the table class c.
func (g *projectGen) relations(c *genClass, taken map[string]bool) {
	var tables []*genClass
	for _, d := range g.classes {
		if d.table != "" && !d.serverOnly {
			tables = append(tables, d)
		}
	}
	for i := range g.pick(3) {
		t := tables[g.pick(len(tables))]
		name := fmt.Sprintf("rel%d%s", i, t.name)
		if taken[name] || taken[name+"Id"] {
			continue
		}
		taken[name], taken[name+"Id"] = true, true
		c.names[name], c.names[name+"Id"] = true, true
		switch g.pick(3) {
		case 0: // an object relation with an implicit foreign key
			opt := ""
			if g.chance(0.5) {
				opt = "(optional)"
			}
			c.lines = append(c.lines, fmt.Sprintf("  %s: %s?, relation%s", name, t.name, opt))
		case 1: // a list relation: the other table gets a hidden foreign key
			if t == c {
				continue
			}
			c.lines = append(c.lines, fmt.Sprintf("  %s: List<%s>?, relation", name, t.name))
		default: // a foreign key field only
			c.lines = append(c.lines, fmt.Sprintf("  %sId: int?, relation(parent=%s, onDelete=%s)", name, t.table, []string{"Cascade", "SetNull", "NoAction"}[g.pick(3)]))
		}
	}
}

var scalars = []string{"int", "double", "bool", "String", "DateTime", "Duration", "UuidValue", "Uri", "BigInt", "ByteData"}

// field returns the rest of a field line: its type and options.
func (g *projectGen) field(c *genClass, name string) (string, bool) {
	serverOnlyField := !c.serverOnly && !c.exception && g.chance(0.15)
	t := g.typ(c, 0, c.serverOnly || serverOnlyField)
	nullable := g.chance(0.4) || serverOnlyField || !g.earlier(t, c)
	if nullable {
		t += "?"
	}
	var opts []string
	if serverOnlyField {
		scope := "serverOnly"
		if g.chance(0.3) && c.table == "" {
			scope = "none"
		}
		opts = append(opts, "scope="+scope)
	}
	base := strings.TrimSuffix(t, "?")
	if def, ok := g.defaultFor(base); ok && !c.exception && g.chance(0.4) {
		key := []string{"default", "defaultModel"}[g.pick(2)]
		if c.table != "" && nullable && g.chance(0.3) {
			key = "defaultPersist"
		}
		if key != "defaultPersist" || c.table != "" {
			opts = append(opts, key+"="+def)
		}
	}
	persisted := c.table != ""
	if c.table != "" && !c.exception && g.chance(0.1) && !strings.Contains(strings.Join(opts, ","), "defaultPersist") {
		opts = append(opts, "!persist")
		persisted = false
	}
	if persisted && slices.Contains([]string{"int", "String", "bool", "double", "DateTime"}, base) {
		c.indexable = append(c.indexable, name)
	}
	if len(opts) > 0 {
		t += ", " + strings.Join(opts, ", ")
	}
	return t, true
}

// typ returns a random type; serverSide allows server-only classes.
func (g *projectGen) typ(c *genClass, depth int, serverSide bool) string {
	switch k := g.pick(10); {
	case k < 4 || depth > 2:
		return scalars[g.pick(len(scalars))]
	case k == 4:
		return g.enums[g.pick(len(g.enums))]
	case k == 5:
		return "Money"
	case k == 6:
		var ok []string
		for _, d := range g.classes {
			if !d.sealed && !d.exception && (serverSide || !d.serverOnly) {
				ok = append(ok, d.name)
			}
		}
		if len(ok) == 0 {
			return "String"
		}
		return ok[g.pick(len(ok))]
	case k == 7:
		return "List<" + g.maybeNull(g.typ(c, depth+1, serverSide)) + ">"
	case k == 8:
		return "Set<" + g.typ(c, depth+1, serverSide) + ">"
	}
	key := []string{"String", "int", "DateTime", "UuidValue", g.enums[0], g.typ(c, depth+1, serverSide)}[g.pick(6)]
	return "Map<" + g.maybeNull(key) + ", " + g.maybeNull(g.typ(c, depth+1, serverSide)) + ">"
}

// earlier reports whether t is not a class of the project written after
// c (or c itself). A class holds a non-nullable field of a class type by
// value, so such fields only point at earlier classes, and no class
// contains itself (which the analyzer refuses).
func (g *projectGen) earlier(t string, c *genClass) bool {
	for _, d := range g.classes {
		if d == c {
			break
		}
		if d.name == t {
			return true
		}
	}
	for _, d := range g.classes {
		if d.name == t {
			return false
		}
	}
	return true
}

func (g *projectGen) maybeNull(t string) string {
	if g.chance(0.25) {
		return t + "?"
	}
	return t
}

func (g *projectGen) defaultFor(t string) (string, bool) {
	switch t {
	case "int":
		return fmt.Sprint(g.pick(100) - 50), true
	case "double":
		return "2.5", true
	case "bool":
		return "true", true
	case "String":
		return `'it\'s "q"'`, true
	case "DateTime":
		return []string{"now", "2024-05-01T22:00:00.000Z"}[g.pick(2)], true
	case "Duration":
		return "1d 2h 10min", true
	case "UuidValue":
		return []string{"random", "'550e8400-e29b-41d4-a716-446655440000'"}[g.pick(2)], true
	case "Uri":
		return "'https://serverpod.dev/x'", true
	case "BigInt":
		return "-12345678901234567890", true
	}
	if vals, ok := g.values[t]; ok {
		return vals[g.pick(len(vals))], true
	}
	return "", false
}
