package model

import "strings"

// A class holds a field of a non-nullable class type by value in Go (as a
// struct inside a struct), and a child class holds its parent. A class
// that so contains itself, through one or more such fields, has no
// finite value: Go refuses the type, and in Dart no object of it can be
// built. Serverpod 2.4 generates such classes; gopod refuses them at the
// field that closes the loop, asking for a null on the way (a nullable
// field, or a container, breaks it).

// checkContainment reports the fields through which a class contains
// itself.
func (a *analyzer) checkContainment() {
	// edges[m] are the classes m holds by value, each with the field that
	// holds it (nil for the parent it extends).
	type edge struct {
		to    *Model
		field *Field
	}
	edges := map[*Model][]edge{}
	var nodes []*Model
	for _, e := range a.ents {
		m := e.model
		if m == nil || (m.Kind != Class && m.Kind != Exception) {
			continue
		}
		nodes = append(nodes, m)
		if m.Parent != nil {
			edges[m] = append(edges[m], edge{to: m.Parent})
		}
		for _, f := range m.Fields {
			t := f.Type
			if t.Nullable || t.Model == nil || (t.Model.Kind != Class && t.Model.Kind != Exception) || t.Model.Module != m.Module {
				continue
			}
			edges[m] = append(edges[m], edge{to: t.Model, field: f})
		}
	}

	// reaches reports a path of edges from from to to, as class names.
	var reaches func(from, to *Model, seen map[*Model]bool) []string
	reaches = func(from, to *Model, seen map[*Model]bool) []string {
		if from == to {
			return []string{to.ClassName}
		}
		if seen[from] {
			return nil
		}
		seen[from] = true
		for _, ed := range edges[from] {
			if path := reaches(ed.to, to, seen); path != nil {
				return append([]string{from.ClassName}, path...)
			}
		}
		return nil
	}
	for _, m := range nodes {
		for _, ed := range edges[m] {
			if ed.field == nil {
				continue
			}
			path := reaches(ed.to, m, map[*Model]bool{})
			if path == nil {
				continue
			}
			e := a.byModel[m]
			e.diags = append(e.diags, Diagnostic{Pos: ed.field.Pos, Severity: Error, Message: `The field "` + ed.field.Name + `" makes the class "` + m.ClassName +
				`" contain itself (` + strings.Join(append([]string{m.ClassName}, path...), " → ") + `), so no value of it can be built; make the field or another on the way nullable.`})
		}
	}
}
