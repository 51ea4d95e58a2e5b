// Package dartcheck parses Dart source with tree-sitter's Dart grammar. Tests
// use it to prove that generated Dart is syntactically valid (no Dart SDK is
// needed) and to look at the structure of what was generated.
package dartcheck

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/gopod/gopod/generator/dart/dartcheck/internal/grammar"
)

// Problem is a syntax error found in a Dart file.
type Problem struct {
	File string
	// Line and Col are 1-based; Col counts bytes.
	Line, Col int
	// What says what the parser found: "syntax error" for an ERROR node, or
	// "missing X" when the parser had to invent a token.
	What string
	// Near is the source text the problem covers, shortened to one line.
	Near string
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.What)
	if p.Near != "" {
		s += fmt.Sprintf(" near %q", p.Near)
	}
	return s
}

// Tree is a parsed Dart file. Close releases it.
type Tree struct {
	src  []byte
	tree *sitter.Tree
}

// Node is a node of a parsed Dart file.
type Node struct {
	src []byte
	n   *sitter.Node
}

// Parse parses Dart source.
func Parse(src []byte) (*Tree, error) {
	parser := sitter.NewParser()
	defer parser.Close()
	if err := parser.SetLanguage(sitter.NewLanguage(grammar.Language())); err != nil {
		return nil, fmt.Errorf("load the Dart grammar: %w", err)
	}
	tree := parser.Parse(src, nil)
	if tree == nil {
		return nil, errors.New("the Dart parser returned no tree")
	}
	return &Tree{src: src, tree: tree}, nil
}

// Close releases the tree.
func (t *Tree) Close() { t.tree.Close() }

// Root returns the tree's root node (kind "program").
func (t *Tree) Root() Node { return Node{src: t.src, n: t.tree.RootNode()} }

// Kind is the grammar's name for the node, e.g. "class_definition".
func (n Node) Kind() string { return n.n.Kind() }

// Text is the source the node covers.
func (n Node) Text() string { return string(n.src[n.n.StartByte():n.n.EndByte()]) }

// Line is the node's 1-based start line.
func (n Node) Line() int { return int(n.n.StartPosition().Row) + 1 }

// Field returns the child stored under the grammar's field name, if any.
func (n Node) Field(name string) (Node, bool) {
	c := n.n.ChildByFieldName(name)
	if c == nil {
		return Node{}, false
	}
	return Node{src: n.src, n: c}, true
}

// Children returns the node's named children.
func (n Node) Children() []Node {
	var out []Node
	for i := uint(0); i < n.n.NamedChildCount(); i++ {
		out = append(out, Node{src: n.src, n: n.n.NamedChild(i)})
	}
	return out
}

// Next returns the next named sibling, if any.
func (n Node) Next() (Node, bool) {
	s := n.n.NextNamedSibling()
	if s == nil {
		return Node{}, false
	}
	return Node{src: n.src, n: s}, true
}

// FindAll returns every node of the given kind under n (n included), in
// source order.
func (n Node) FindAll(kind string) []Node {
	var out []Node
	n.walk(func(c Node) {
		if c.Kind() == kind {
			out = append(out, c)
		}
	})
	return out
}

func (n Node) walk(fn func(Node)) {
	fn(n)
	for _, c := range n.Children() {
		c.walk(fn)
	}
}

// Check parses src and reports every ERROR and MISSING node; file names the
// source in the problems. A nil result means the file is valid Dart syntax.
func Check(file string, src []byte) ([]Problem, error) {
	tree, err := Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	defer tree.Close()
	var problems []Problem
	var visit func(n *sitter.Node)
	visit = func(n *sitter.Node) {
		if !n.HasError() && !n.IsMissing() {
			return
		}
		switch {
		case n.IsMissing():
			problems = append(problems, problemAt(file, src, n, "missing "+n.Kind()))
			return
		case n.IsError():
			problems = append(problems, problemAt(file, src, n, "syntax error"))
			return
		}
		for i := uint(0); i < n.ChildCount(); i++ {
			visit(n.Child(i))
		}
	}
	visit(tree.tree.RootNode())
	return problems, nil
}

func problemAt(file string, src []byte, n *sitter.Node, what string) Problem {
	pos := n.StartPosition()
	near := string(src[n.StartByte():n.EndByte()])
	if i := strings.IndexByte(near, '\n'); i >= 0 {
		near = near[:i]
	}
	if len(near) > 60 {
		near = near[:60] + "…"
	}
	return Problem{File: file, Line: int(pos.Row) + 1, Col: int(pos.Column) + 1, What: what, Near: near}
}

// CheckFiles checks every file whose name ends in .dart and returns one error
// listing all problems, or nil when every file parses cleanly.
func CheckFiles(files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for name := range files {
		if strings.HasSuffix(name, ".dart") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var all []string
	for _, name := range names {
		problems, err := Check(name, files[name])
		if err != nil {
			return err
		}
		for _, p := range problems {
			all = append(all, p.String())
		}
	}
	if len(all) > 0 {
		return fmt.Errorf("invalid Dart syntax:\n%s", strings.Join(all, "\n"))
	}
	return nil
}
