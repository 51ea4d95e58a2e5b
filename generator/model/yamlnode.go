package model

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// node is a YAML node reduced to what the model language needs: scalars
// typed the way Serverpod's YAML 1.2 loader types them, maps that keep their
// key order, sequences, and a position for every node. Field specifications
// written in the stringified form are turned into maps of such nodes too.
type node struct {
	kind  nodeKind
	typ   scalarType
	text  string
	pos   Pos
	keys  []*node
	vals  []*node
	items []*node

	// exact is set on scalars whose text appears verbatim on their source
	// line, so that positions inside the text can be computed.
	exact bool
	// fromNull marks a field specification converted from an empty value.
	fromNull bool
}

type nodeKind uint8

const (
	scalarNode nodeKind = iota
	mapNode
	seqNode
)

type scalarType uint8

const (
	strScalar scalarType = iota
	nullScalar
	boolScalar
	intScalar
	floatScalar
)

func newString(text string, pos Pos) *node {
	return &node{kind: scalarNode, typ: strScalar, text: text, pos: pos}
}
func newNull(pos Pos) *node { return &node{kind: scalarNode, typ: nullScalar, pos: pos} }

func (n *node) isMap() bool    { return n != nil && n.kind == mapNode }
func (n *node) isSeq() bool    { return n != nil && n.kind == seqNode }
func (n *node) isNull() bool   { return n == nil || (n.kind == scalarNode && n.typ == nullScalar) }
func (n *node) isString() bool { return n != nil && n.kind == scalarNode && n.typ == strScalar }

// str returns the text of a string scalar.
func (n *node) str() (string, bool) {
	if !n.isString() {
		return "", false
	}
	return n.text, true
}

// boolValue returns the value of a YAML boolean.
func (n *node) boolValue() (value, ok bool) {
	if n == nil || n.kind != scalarNode || n.typ != boolScalar {
		return false, false
	}
	return strings.EqualFold(n.text, "true"), true
}

// lenientBool accepts a YAML boolean or the strings "true" and "false" in
// any case, which is what the stringified form produces.
func (n *node) lenientBool() (value, ok bool) {
	if v, ok := n.boolValue(); ok {
		return v, true
	}
	if s, ok := n.str(); ok {
		switch strings.ToLower(s) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// lookup returns the key and value nodes of the string key in a map.
func (n *node) lookup(key string) (k, v *node) {
	if !n.isMap() {
		return nil, nil
	}
	for i, kn := range n.keys {
		if kn.isString() && kn.text == key {
			return kn, n.vals[i]
		}
	}
	return nil, nil
}

// get returns the value of the string key in a map, or nil.
func (n *node) get(key string) *node {
	_, v := n.lookup(key)
	return v
}

// has reports whether a map has the string key.
func (n *node) has(key string) bool {
	k, _ := n.lookup(key)
	return k != nil
}

// set adds or replaces a key; a replaced key keeps its place and position.
func (n *node) set(key, val *node) {
	for i, kn := range n.keys {
		if kn.isString() && key.isString() && kn.text == key.text {
			n.vals[i] = val
			return
		}
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, val)
}

// display renders a value the way Serverpod prints it in messages.
func (n *node) display() string {
	if n == nil {
		return "null"
	}
	switch n.kind {
	case mapNode:
		parts := make([]string, len(n.keys))
		for i := range n.keys {
			parts[i] = n.keys[i].display() + ": " + n.vals[i].display()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case seqNode:
		parts := make([]string, len(n.items))
		for i, it := range n.items {
			parts[i] = it.display()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	switch n.typ {
	case nullScalar:
		return "null"
	case boolScalar:
		return strings.ToLower(n.text)
	}
	return n.text
}

// yamlDoc is a loaded model file.
type yamlDoc struct {
	root  *node
	lines []string
}

// loadYAML parses src into nodes. Any YAML error is returned as a
// diagnostic and leaves root nil: like Serverpod, a file that is not valid
// YAML is not analyzed any further.
func loadYAML(file string, src []byte) (doc yamlDoc, diags []Diagnostic) {
	doc.lines = splitLines(src)
	defer func() {
		// yaml.v3 is not ours; a bug in it must not take the generator down.
		if r := recover(); r != nil {
			doc.root = nil
			diags = append(diags, Diagnostic{Pos: Pos{File: file}, Severity: Error, Message: fmt.Sprintf("The file could not be parsed as YAML (%v).", r)})
		}
	}()

	dec := yaml.NewDecoder(bytes.NewReader(src))
	var first yaml.Node
	switch err := dec.Decode(&first); {
	case errors.Is(err, io.EOF):
		doc.root = newNull(Pos{File: file, Line: 1, Col: 1})
		return doc, nil
	case err != nil:
		return doc, []Diagnostic{yamlErrorDiagnostic(file, src, err)}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return doc, []Diagnostic{{Pos: Pos{File: file, Line: next.Line, Col: next.Column}, Severity: Error, Message: "Only expected one document."}}
	case !errors.Is(err, io.EOF):
		return doc, []Diagnostic{yamlErrorDiagnostic(file, src, err)}
	}

	c := converter{file: file, lines: doc.lines, done: map[*yaml.Node]*node{}, busy: map[*yaml.Node]bool{}}
	doc.root = c.convert(&first)
	if len(c.diags) > 0 {
		return yamlDoc{lines: doc.lines}, c.diags
	}
	return doc, nil
}

func splitLines(src []byte) []string {
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
var yamlAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// yamlParserProblems are the problems yaml.v3 reports from its parser
// rather than its scanner. The parser's line numbers are zero-based, the
// scanner's one-based, and neither is printed when it is zero.
var yamlParserProblems = []string{
	"did not find expected key",
	"did not find expected '-' indicator",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected node content",
	"did not find expected <document start>",
	"found duplicate %YAML directive",
	"found duplicate %TAG directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// yamlErrorDiagnostic turns a yaml.v3 error into a diagnostic on the line
// it concerns.
func yamlErrorDiagnostic(file string, src []byte, err error) Diagnostic {
	msg := err.Error()
	line := 1
	problem := strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		problem = m[2]
		if isParserProblem(problem) {
			line++
		}
	} else if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
		line = lineOf(src, bytes.Index(src, []byte("*"+m[1])))
	} else if isReaderProblem(problem) {
		line = lineOf(src, firstUnreadable(src))
	}
	return Diagnostic{Pos: Pos{File: file, Line: line}, Severity: Error, Message: "Invalid YAML: " + problem + "."}
}

func isParserProblem(p string) bool {
	for _, pp := range yamlParserProblems {
		if p == pp {
			return true
		}
	}
	return false
}

// isReaderProblem reports errors about the bytes of the file, which yaml.v3
// reports without a position.
func isReaderProblem(p string) bool {
	return strings.Contains(p, "UTF-8") || strings.Contains(p, "UTF-16") || strings.Contains(p, "control characters")
}

// firstUnreadable returns the offset of the first byte YAML does not
// accept: invalid UTF-8 or a control character.
func firstUnreadable(src []byte) int {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		printable := r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7e) || r == 0x85 ||
			(r >= 0xa0 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd && (r != 0xfeff || i == 0)) || r >= 0x10000
		if !printable {
			return i
		}
		i += size
	}
	return -1
}

// lineOf returns the 1-based line of a byte offset, or 0 (file level) for
// an unknown offset.
func lineOf(src []byte, offset int) int {
	if offset < 0 || offset > len(src) {
		return 0
	}
	return bytes.Count(src[:offset], []byte("\n")) + 1
}

// converter turns yaml.v3 nodes into nodes. Aliases share the converted
// node of their anchor, so alias bombs cost nothing, and an alias inside its
// own anchor becomes null.
type converter struct {
	file  string
	lines []string
	done  map[*yaml.Node]*node
	busy  map[*yaml.Node]bool
	diags []Diagnostic
}

func (c *converter) pos(y *yaml.Node) Pos { return Pos{File: c.file, Line: y.Line, Col: y.Column} }

func (c *converter) convert(y *yaml.Node) *node {
	if y == nil {
		return newNull(Pos{File: c.file, Line: 1, Col: 1})
	}
	if n, ok := c.done[y]; ok {
		return n
	}
	if c.busy[y] {
		return newNull(c.pos(y))
	}
	c.busy[y] = true
	defer delete(c.busy, y)

	var n *node
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			n = newNull(Pos{File: c.file, Line: 1, Col: 1})
		} else {
			n = c.convert(y.Content[0])
		}
	case yaml.AliasNode:
		if y.Alias == nil {
			n = newNull(c.pos(y))
		} else {
			n = c.convert(y.Alias)
		}
	case yaml.MappingNode:
		n = &node{kind: mapNode, pos: c.pos(y)}
		seen := map[string]bool{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k := c.convert(y.Content[i])
			if k.kind == scalarNode {
				id := fmt.Sprint(k.typ) + "\x00" + k.text
				if seen[id] {
					c.diags = append(c.diags, Diagnostic{Pos: k.pos, Severity: Error, Message: "Duplicate mapping key."})
				}
				seen[id] = true
			}
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, c.convert(y.Content[i+1]))
		}
	case yaml.SequenceNode:
		n = &node{kind: seqNode, pos: c.pos(y)}
		for _, it := range y.Content {
			n.items = append(n.items, c.convert(it))
		}
	default:
		n = c.scalar(y)
	}
	c.done[y] = n
	return n
}

func (c *converter) scalar(y *yaml.Node) *node {
	n := &node{kind: scalarNode, typ: strScalar, text: y.Value, pos: c.pos(y)}
	switch y.ShortTag() {
	case "!!null":
		n.typ = nullScalar
	case "!!bool":
		if strings.EqualFold(y.Value, "true") || strings.EqualFold(y.Value, "false") {
			n.typ = boolScalar
		}
	case "!!int":
		if _, err := strconv.ParseInt(strings.ReplaceAll(y.Value, "_", ""), 0, 64); err == nil {
			n.typ = intScalar
		}
	case "!!float":
		n.typ = floatScalar
	}
	// Positions inside a scalar can only be computed when its text is
	// written verbatim on its line.
	plain := y.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
	if plain && y.Line >= 1 && y.Line <= len(c.lines) && y.Column >= 1 && !strings.Contains(y.Value, "\n") {
		line := []rune(c.lines[y.Line-1])
		text := []rune(y.Value)
		start := y.Column - 1
		n.exact = start+len(text) <= len(line) && string(line[start:start+len(text)]) == y.Value
	}
	return n
}

// at returns the position of the rune offset off inside the scalar n, or
// the scalar's own position when that cannot be computed.
func (n *node) at(off int) Pos {
	if n == nil {
		return Pos{}
	}
	p := n.pos
	if n.exact && p.Col > 0 {
		p.Col += off
	}
	return p
}
