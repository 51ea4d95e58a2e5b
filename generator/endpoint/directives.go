package endpoint

import (
	"fmt"
	"go/ast"
	"strings"

	"github.com/gopod/gopod/generator/model"
)

// directives are the `//gopod:` lines of a doc comment, which set wire
// names explicitly:
//
//	//gopod:name httpTest        the endpoint's or the method's name
//	//gopod:param m map          the wire name of the parameter m
//
// Like //go: directives they are not part of the doc text.
type directives struct {
	nameValue string
	namePos   model.Pos
	hasName   bool
	params    map[string]paramDirective
}

type paramDirective struct {
	wire string
	pos  model.Pos
}

const directivePrefix = "//gopod:"

func (d *discoverer) directives(doc *ast.CommentGroup) directives {
	var out directives
	if doc == nil {
		return out
	}
	for _, c := range doc.List {
		rest, ok := strings.CutPrefix(c.Text, directivePrefix)
		if !ok {
			continue
		}
		pos := d.pos(c.Slash)
		verb, args, _ := strings.Cut(rest, " ")
		fields := strings.Fields(args)
		switch verb {
		case "name":
			if len(fields) != 1 || !isIdentifier(fields[0]) {
				d.add(pos, model.Error, "`//gopod:name` takes one name, such as //gopod:name httpTest")
				continue
			}
			if out.hasName {
				d.add(pos, model.Error, "a second `//gopod:name` line; keep one")
				continue
			}
			out.nameValue, out.namePos, out.hasName = fields[0], pos, true
		case "param":
			if len(fields) != 2 || !isIdentifier(fields[0]) || !isIdentifier(fields[1]) {
				d.add(pos, model.Error, "`//gopod:param` takes the Go parameter and its wire name, such as //gopod:param m map")
				continue
			}
			if out.params == nil {
				out.params = map[string]paramDirective{}
			}
			if _, dup := out.params[fields[0]]; dup {
				d.add(pos, model.Error, fmt.Sprintf("a second `//gopod:param %s` line; keep one", fields[0]))
				continue
			}
			out.params[fields[0]] = paramDirective{wire: fields[1], pos: pos}
		default:
			d.add(pos, model.Error, fmt.Sprintf("unknown directive %s%s; gopod knows //gopod:name and //gopod:param", directivePrefix, verb))
		}
	}
	return out
}

// name returns the name set by `//gopod:name`.
func (ds directives) name(d *discoverer, what string) (string, bool) {
	if !ds.hasName {
		return "", false
	}
	return ds.nameValue, true
}

// rejectParams reports `//gopod:param` lines where they mean nothing.
func (ds directives) rejectParams(d *discoverer, where string) {
	for _, p := range ds.params {
		d.add(p.pos, model.Error, fmt.Sprintf("`//gopod:param` belongs on a method, not on %s", where))
	}
}
