package model

// resolve links the parsed models: type references, class hierarchies and
// relations, then records the names the validation looks up.
func (a *analyzer) resolve() {
	for _, e := range a.ents {
		if e.model == nil {
			continue
		}
		for _, f := range e.model.Fields {
			if fi := a.info[f]; fi != nil && fi.typeErr == nil && !f.Implicit {
				a.bindType(f.Type)
			}
		}
	}
	a.resolveInheritance()
	a.resolveRelations()
	a.buildIndexes()
}

// bindType points the model references in t at their models. Unprefixed
// names only ever mean models of the analyzed files: a module's models must
// be referenced with their prefix.
func (a *analyzer) bindType(t *Type) {
	t.Walk(func(x *Type) {
		switch {
		case x.URL != "":
			// A class of a Dart library stands for itself in Dart; gopod
			// needs its Go type, which only an extra class has.
			x.Model = a.customs[x.Name]
		case x.Module == "":
			if IsPrimitiveName(x.Name) || x.IsContainer() {
				return
			}
			if m := a.homeModel(x.Name); m != nil {
				x.Model = m
				x.Module = a.home
			} else if c := a.customs[x.Name]; c != nil {
				x.Model = c
			}
		default:
			x.Model = a.moduleModel(x.Module, x.Name)
		}
	})
}

// resolveInheritance sets Model.Parent. A chain that leads back to its
// start is cut, so that walking up a hierarchy always ends; validation
// reports it.
func (a *analyzer) resolveInheritance() {
	all := a.all()
	for _, e := range a.ents {
		m := e.model
		if m == nil || m.Kind != Class || m.Extends == "" {
			continue
		}
		for _, c := range all {
			if c.model != nil && c.model.Kind == Class && c.model.ClassName == m.Extends {
				m.Parent = c.model
				break
			}
		}
	}
	var cyclic []*entity
	for _, e := range a.ents {
		m := e.model
		if m == nil || m.Parent == nil {
			continue
		}
		seen := map[*Model]bool{}
		for p := m.Parent; p != nil && !seen[p]; p = p.Parent {
			if p == m {
				cyclic = append(cyclic, e)
				break
			}
			seen[p] = true
		}
	}
	for _, e := range cyclic {
		e.cycle = true
		e.model.Parent = nil
	}
	for _, e := range a.ents {
		if m := e.model; m != nil && m.Parent != nil && !a.byModel[m.Parent].external {
			m.Parent.Children = append(m.Parent.Children, m)
		}
	}
}
