package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlFile is a parsed YAML document that remembers where it came from, so
// that every error can point at a line.
type yamlFile struct {
	name string
	root *yaml.Node // top-level mapping, nil for a missing or empty file
}

var yamlErrorLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// readYAML reads and parses name. A missing file is not an error: it yields
// an empty document, as Serverpod treats a missing file.
func readYAML(name string) (*yamlFile, error) {
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return &yamlFile{name: name}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return parseYAML(name, data)
}

func parseYAML(name string, data []byte) (*yamlFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		e := &Error{File: name, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ") + "; fix the syntax"}
		if m := yamlErrorLine.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Column = 1
			e.Msg = "invalid YAML: " + m[2] + "; fix the syntax"
		}
		return nil, e
	}
	f := &yamlFile{name: name}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return f, nil
	}
	root := resolve(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return f, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, f.errorAt(root, "", "the file must be a mapping of keys to values, got "+describe(root))
	}
	if err := f.checkDuplicates(root, ""); err != nil {
		return nil, err
	}
	f.root = root
	return f, nil
}

// checkDuplicates rejects a key given twice in one mapping: YAML forbids it,
// and silently taking one of them would hide a mistake.
func (f *yamlFile) checkDuplicates(n *yaml.Node, path string) error {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			return f.errorAt(k, join(path, k.Value), "key given twice; remove one of them")
		}
		seen[k.Value] = true
		if err := f.checkDuplicates(n.Content[i+1], join(path, k.Value)); err != nil {
			return err
		}
	}
	return nil
}

func (f *yamlFile) errorAt(n *yaml.Node, key, msg string) *Error {
	return &Error{File: f.name, Line: n.Line, Column: n.Column, Key: key, Msg: msg}
}

// resolve follows YAML aliases to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// child returns the value of key in mapping m, or nil when m is nil or has no
// such key. Keys are case-sensitive, as in Serverpod.
func child(m *yaml.Node, key string) (keyNode, value *yaml.Node) {
	if m == nil {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], resolve(m.Content[i+1])
		}
	}
	// YAML merge keys (<<: *base) supply the keys a mapping does not set.
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			continue
		}
		merged := resolve(m.Content[i+1])
		sources := []*yaml.Node{merged}
		if merged.Kind == yaml.SequenceNode {
			sources = merged.Content
		}
		for _, src := range sources {
			if src = resolve(src); src.Kind == yaml.MappingNode {
				if k, v := child(src, key); k != nil {
					return k, v
				}
			}
		}
	}
	return nil, nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names a node's type for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int":
			return "the integer " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!null":
			return "an empty value"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported YAML value"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// section reads the keys of one mapping (such as apiServer) from the file
// and lets environment variables override single keys, the way Serverpod
// merges the file's map with the environment.
type section struct {
	file *yamlFile
	name string     // key path of the section, "" for the top level
	node *yaml.Node // the mapping, nil when the file does not have it
	env  map[string]string
}

func (f *yamlFile) section(name string, env map[string]string) (*section, error) {
	s := &section{file: f, name: name, env: env}
	if name == "" {
		s.node = f.root
		return s, nil
	}
	_, v := child(f.root, name)
	if isNull(v) {
		return s, nil
	}
	if v.Kind != yaml.MappingNode {
		return nil, f.errorAt(v, name, "expected a mapping of settings, got "+describe(v)+"; see config/development.yaml of a new project")
	}
	s.node = v
	return s, nil
}

// present reports whether the section has any setting, in the file or in one
// of the given environment variables. An empty mapping counts as absent, as
// in Serverpod.
func (s *section) present(envVars ...string) bool {
	if s.node != nil && len(s.node.Content) > 0 {
		return true
	}
	for _, v := range envVars {
		if _, ok := s.env[v]; ok {
			return true
		}
	}
	return false
}

// errorf reports a problem with the section as a whole, such as a missing
// key, at the section's position.
func (s *section) errorf(format string, args ...any) *Error {
	e := &Error{File: s.file.name, Key: s.name, Msg: fmt.Sprintf(format, args...)}
	if s.node != nil {
		e.Line, e.Column = s.node.Line, s.node.Column
	}
	return e
}

// value returns the node for key, with ok false when it is absent or empty.
func (s *section) value(key string) (*yaml.Node, bool) {
	_, v := child(s.node, key)
	if isNull(v) {
		return nil, false
	}
	return v, true
}

func (s *section) str(key, envVar string) (string, bool, error) {
	if raw, ok := s.env[envVar]; ok && envVar != "" {
		return raw, true, nil
	}
	v, ok := s.value(key)
	if !ok {
		return "", false, nil
	}
	if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
		return "", false, s.file.errorAt(v, join(s.name, key), "expected a string, got "+describe(v)+"; put the value in quotes")
	}
	return v.Value, true, nil
}

func (s *section) integer(key, envVar string) (int, bool, error) {
	if raw, ok := s.env[envVar]; ok && envVar != "" {
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		if err != nil {
			return 0, false, &Error{Source: "environment variable " + envVar, Msg: fmt.Sprintf("invalid value %q: expected an integer", raw)}
		}
		return n, true, nil
	}
	v, ok := s.value(key)
	if !ok {
		return 0, false, nil
	}
	if v.Kind == yaml.ScalarNode && v.Tag == "!!int" {
		n, err := strconv.ParseInt(v.Value, 0, 64)
		if err == nil && n == int64(int(n)) {
			return int(n), true, nil
		}
	}
	hint := ""
	if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
		if _, err := strconv.Atoi(v.Value); err == nil {
			hint = "; write the number without quotes"
		}
	}
	return 0, false, s.file.errorAt(v, join(s.name, key), "expected an integer, got "+describe(v)+hint)
}

func (s *section) boolean(key, envVar string) (bool, bool, error) {
	if raw, ok := s.env[envVar]; ok && envVar != "" {
		switch strings.ToLower(strings.TrimSpace(raw)) {
		case "true":
			return true, true, nil
		case "false":
			return false, true, nil
		}
		return false, false, &Error{Source: "environment variable " + envVar, Msg: fmt.Sprintf("invalid value %q: expected true or false", raw)}
	}
	v, ok := s.value(key)
	if !ok {
		return false, false, nil
	}
	if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
		return false, false, s.file.errorAt(v, join(s.name, key), "expected true or false, got "+describe(v))
	}
	b, err := strconv.ParseBool(v.Value)
	if err != nil {
		return false, false, s.file.errorAt(v, join(s.name, key), "expected true or false, got "+describe(v))
	}
	return b, true, nil
}

// list reads a list of strings given either as a YAML list or as one
// comma-separated string (the form Serverpod's environment variables use).
func (s *section) list(key, envVar string) ([]string, bool, error) {
	if raw, ok := s.env[envVar]; ok && envVar != "" {
		return splitList(raw), true, nil
	}
	v, ok := s.value(key)
	if !ok {
		return nil, false, nil
	}
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!str":
		return splitList(v.Value), true, nil
	case v.Kind == yaml.SequenceNode:
		out := make([]string, 0, len(v.Content))
		for _, item := range v.Content {
			item = resolve(item)
			if item.Kind != yaml.ScalarNode || item.Tag != "!!str" {
				return nil, false, s.file.errorAt(item, join(s.name, key), "expected a list of strings, got "+describe(item))
			}
			out = append(out, item.Value)
		}
		return out, true, nil
	}
	return nil, false, s.file.errorAt(v, join(s.name, key), "expected a list of strings or a comma-separated string, got "+describe(v))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
