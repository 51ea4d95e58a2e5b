package dart

import (
	"strings"
)

// This file holds a small pretty printer in the style of Wadler's "prettier
// printer", tuned to lay code out the way `dart format` (dart_style 2.x) lays
// out Serverpod's generated client: 80 columns, two-space blocks, four-space
// continuation lines, argument lists with a trailing comma split one per line.
//
// Two departures from the textbook algorithm give dart_style's look:
//   - A hard line break does not force the groups around it to break. When a
//     group is measured, the text up to the first hard break must fit; this is
//     how a call keeps `foo(` on the line and puts its trailing-comma
//     arguments below ("block-like" arguments). Strict groups (conditionals,
//     binary operators) opt out: a hard break inside them breaks them.
//   - split and tail nodes choose between keeping a value on the line and
//     moving it to a continuation line, preferring the layout with fewer
//     breaks, as dart_style's cost model does for `name: value`, `x = value`
//     and `=> value`.

const pageWidth = 80

// doc is a layout document.
type doc interface{}

// text is literal code without line breaks.
type text string

// line is a break that becomes a space (or nothing when soft) in flat mode.
type line struct{ soft bool }

// hardLine is an unconditional line break.
type hardLine struct{}

type concat []doc

type nest struct {
	indent int
	d      doc
}

// breakNest indents its content only when the enclosing group is broken:
// an expression that splits indents all its continuation lines, while the
// block-like arguments of an unsplit expression keep the line's indentation.
type breakNest struct {
	indent int
	d      doc
}

type group struct {
	d      doc
	strict bool
	// minor groups (casts, type tests, index expressions) split only after
	// the structure around them: they stay whole when the start of a value
	// is measured.
	minor bool
}

// split is the value after a head such as `name:`, `=` or `=>`. It goes on
// the same line after a space, or on a continuation line indented by indent.
type split struct {
	value doc
	// indent is the continuation indentation.
	indent int
	// sameLineIndent is added to the value's indentation when it stays on
	// the head's line (dart_style indents arrow bodies either way).
	sameLineIndent int
	// preferNext moves the value to the next line whenever it fits there
	// flat, before trying to break it on the head's line.
	preferNext bool
	// tight joins head and value without a space (a method call after its
	// target).
	tight bool
	// breakFirst moves the value to the next line whenever it does not fit
	// flat on the head's line.
	breakFirst bool
}

// arrowMember is a member with an arrow body. When its signature splits,
// dart_style puts the body on a continuation line; otherwise the body is a
// split after ` =>`.
type arrowMember struct {
	signature doc
	body      doc
}

// arrowBody is the second half of an arrowMember: start is the number of
// lines printed before the signature.
type arrowBody struct {
	start int
	body  doc
}

// tail is `left tail` where the tail (e.g. `as T`) may move to a
// continuation line when left fits on its own.
type tail struct {
	left doc
	tail string
}

var (
	sp        = text(" ")
	softLine  = line{soft: true}
	spaceLine = line{}
	hard      = hardLine{}
)

func cat(ds ...doc) doc { return concat(ds) }

func grp(ds ...doc) doc { return group{d: concat(ds)} }

func strictGroup(ds ...doc) doc { return group{d: concat(ds), strict: true} }

func minorGroup(ds ...doc) doc { return group{d: concat(ds), minor: true} }

func indent(n int, ds ...doc) doc { return nest{indent: n, d: concat(ds)} }

func indentIfBroken(n int, ds ...doc) doc { return breakNest{indent: n, d: concat(ds)} }

// join puts sep between the docs.
func join(ds []doc, sep ...doc) doc {
	var out concat
	for i, d := range ds {
		if i > 0 {
			out = append(out, sep...)
		}
		out = append(out, d)
	}
	return out
}

type mode uint8

const (
	modeBreak mode = iota
	modeFlat
)

type cmd struct {
	indent int
	mode   mode
	strict bool
	// since is the number of lines printed when a flat layout was chosen.
	// A group or split that comes after a hard break inside that layout is
	// not bound by the choice: it gets measured on its own line.
	since int
	// opened marks, while measuring the start of a value, that the
	// value's outermost group has been broken already.
	opened bool
	d      doc
}

type printer struct {
	out strings.Builder
	col int
	// pending is the indentation still to write before the next text; -1
	// when the line already has text. Writing it lazily keeps blank lines
	// free of trailing spaces.
	pending int
	lines   int
	stack   []cmd
	// scratch is measure's work list, kept to save allocations.
	scratch []cmd
}

// spaces is sliced for indentation.
var spaces = strings.Repeat(" ", 256)

// render lays d out and returns the text.
func render(d doc) string {
	p := &printer{pending: 0}
	p.stack = append(p.stack, cmd{d: d})
	for len(p.stack) > 0 {
		c := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		p.step(c)
	}
	return p.out.String()
}

func (p *printer) push(c cmd) { p.stack = append(p.stack, c) }

func (p *printer) write(s string) {
	if s == "" {
		return
	}
	if p.pending >= 0 {
		for n := p.pending; n > 0; n -= len(spaces) {
			p.out.WriteString(spaces[:min(n, len(spaces))])
		}
		p.pending = -1
	}
	p.out.WriteString(s)
	p.col += len(s)
}

func (p *printer) newline(indent int) {
	p.lines++
	p.out.WriteByte('\n')
	p.col = indent
	p.pending = indent
}

func (p *printer) step(c cmd) {
	switch x := c.d.(type) {
	case nil:
	case text:
		p.write(string(x))
	case concat:
		for i := len(x) - 1; i >= 0; i-- {
			p.push(cmd{indent: c.indent, mode: c.mode, strict: c.strict, since: c.since, d: x[i]})
		}
	case nest:
		p.push(cmd{indent: c.indent + x.indent, mode: c.mode, strict: c.strict, since: c.since, d: x.d})
	case breakNest:
		n := c.indent
		if c.mode == modeBreak {
			n += x.indent
		}
		p.push(cmd{indent: n, mode: c.mode, strict: c.strict, since: c.since, d: x.d})
	case group:
		if c.mode == modeFlat && p.lines == c.since {
			p.push(cmd{indent: c.indent, mode: modeFlat, strict: x.strict, since: c.since, d: x.d})
			return
		}
		m := modeBreak
		if p.fits(pageWidth-p.col, cmd{indent: c.indent, mode: modeFlat, strict: x.strict, d: x.d}, true) {
			m = modeFlat
		}
		p.push(cmd{indent: c.indent, mode: m, strict: x.strict, since: p.lines, d: x.d})
	case line:
		if c.mode == modeFlat {
			if !x.soft {
				p.write(" ")
			}
			return
		}
		p.newline(c.indent)
	case hardLine:
		p.newline(c.indent)
	case split:
		p.split(c, x)
	case arrowMember:
		p.push(cmd{indent: c.indent, mode: c.mode, strict: c.strict, since: c.since, d: arrowBody{start: p.lines, body: x.body}})
		p.push(cmd{indent: c.indent, mode: c.mode, strict: c.strict, since: c.since, d: x.signature})
	case arrowBody:
		p.write(" =>")
		if p.lines > x.start {
			p.newline(c.indent + 4)
			p.push(cmd{indent: c.indent + 4, mode: modeBreak, strict: c.strict, since: p.lines, d: x.body})
			return
		}
		p.split(c, split{value: x.body, indent: 4, sameLineIndent: 4, preferNext: true})
	case tail:
		p.tail(c, x)
	default:
		panic("dart: unknown layout node")
	}
}

func (p *printer) split(c cmd, x split) {
	gap, space := " ", 1
	if x.tight {
		gap, space = "", 0
	}
	same := cmd{indent: c.indent + x.sameLineIndent, mode: modeFlat, strict: c.strict, since: c.since, d: x.value}
	if c.mode == modeFlat && p.lines == c.since {
		p.write(gap)
		p.push(same)
		return
	}
	same.since = p.lines
	if p.fits(pageWidth-p.col-space, same, true) {
		p.write(gap)
		p.push(same)
		return
	}
	next := c.indent + x.indent
	if x.preferNext && p.fits(pageWidth-next, cmd{indent: next, mode: modeFlat, strict: c.strict, d: x.value}, true) {
		p.newline(next)
		p.push(cmd{indent: next, mode: modeFlat, strict: c.strict, since: p.lines, d: x.value})
		return
	}
	if !x.breakFirst && p.fitsHead(pageWidth-p.col-space, x.value) {
		// The value breaks on the head's line; its continuation lines
		// indent from the line, not from the head.
		p.write(gap)
		p.push(cmd{indent: c.indent, mode: modeBreak, strict: c.strict, since: p.lines, d: x.value})
		return
	}
	p.newline(next)
	p.push(cmd{indent: next, mode: modeBreak, strict: c.strict, since: p.lines, d: x.value})
}

func (p *printer) tail(c cmd, x tail) {
	whole := cmd{indent: c.indent, mode: modeFlat, strict: true, since: c.since, d: cat(x.left, sp, text(x.tail))}
	if c.mode == modeFlat && p.lines == c.since {
		p.push(whole)
		return
	}
	whole.since = p.lines
	if p.fits(pageWidth-p.col, whole, true) {
		p.push(whole)
		return
	}
	left := cmd{indent: c.indent, mode: modeFlat, strict: true, since: p.lines, d: x.left}
	if p.fits(pageWidth-p.col, left, false) {
		p.push(cmd{indent: c.indent, mode: modeFlat, since: p.lines, d: indent(4, hard, text(x.tail))})
		p.push(left)
		return
	}
	p.push(cmd{indent: c.indent, mode: modeBreak, since: p.lines, d: cat(x.left, sp, text(x.tail))})
}

// fits reports whether first, followed by the rest of the stack when
// withRest is set, fits in width up to the first line break.
func (p *printer) fits(width int, first cmd, withRest bool) bool {
	return p.measure(width, first, withRest, false)
}

// fitsHead reports whether d's text before its first possible break fits.
func (p *printer) fitsHead(width int, d doc) bool {
	return p.measure(width, cmd{mode: modeBreak, d: d}, true, true)
}

func (p *printer) measure(width int, first cmd, withRest, head bool) bool {
	work := append(p.scratch[:0], first)
	defer func() { p.scratch = work[:0] }()
	rest := len(p.stack)
	for {
		if width < 0 {
			return false
		}
		if len(work) == 0 {
			if !withRest || rest == 0 {
				return true
			}
			rest--
			next := p.stack[rest]
			if next.mode == modeFlat && next.since != p.lines {
				// A flat layout chosen before a hard break no longer binds
				// what follows it: that part may still break.
				next.mode = modeBreak
			}
			work = append(work, next)
			continue
		}
		c := work[len(work)-1]
		work = work[:len(work)-1]
		switch x := c.d.(type) {
		case nil:
		case text:
			width -= len(x)
		case concat:
			for i := len(x) - 1; i >= 0; i-- {
				work = append(work, cmd{indent: c.indent, mode: c.mode, strict: c.strict, opened: c.opened, d: x[i]})
			}
		case nest:
			work = append(work, cmd{indent: c.indent + x.indent, mode: c.mode, strict: c.strict, opened: c.opened, d: x.d})
		case breakNest:
			work = append(work, cmd{indent: c.indent + x.indent, mode: c.mode, strict: c.strict, opened: c.opened, d: x.d})
		case group:
			m, opened := c.mode, c.opened
			if head && c.mode == modeBreak {
				// The value's outermost group breaks; what it contains is
				// measured flat.
				m = modeFlat
				if !x.minor && !c.opened {
					m, opened = modeBreak, true
				}
			}
			work = append(work, cmd{indent: c.indent, mode: m, strict: c.strict || x.strict, opened: opened, d: x.d})
		case line:
			if c.mode == modeBreak {
				return true
			}
			if !x.soft {
				width--
			}
		case hardLine:
			return !(c.mode == modeFlat && c.strict)
		case split:
			if c.mode == modeBreak {
				return true
			}
			if !x.tight {
				width--
			}
			work = append(work, cmd{indent: c.indent, mode: c.mode, strict: c.strict, d: x.value})
		case arrowMember:
			work = append(work, cmd{indent: c.indent, mode: c.mode, strict: c.strict, opened: c.opened, d: cat(x.signature, text(" =>"), split{value: x.body, indent: 4})})
		case arrowBody:
			width -= 3
			work = append(work, cmd{indent: c.indent, mode: c.mode, strict: c.strict, opened: c.opened, d: split{value: x.body, indent: 4}})
		case tail:
			if c.mode == modeBreak && head {
				work = append(work, cmd{indent: c.indent, mode: c.mode, d: x.left})
				continue
			}
			width -= len(x.tail) + 1
			work = append(work, cmd{indent: c.indent, mode: c.mode, strict: c.strict, d: x.left})
		}
	}
}
