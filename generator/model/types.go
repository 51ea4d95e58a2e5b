package model

import (
	"errors"
	"fmt"
	"strings"
)

// ParseType parses a type string of the model language, such as
// `List<String?>?`, `Map<String, module:auth:UserInfo>` or
// `serverpod:LogEntry`. It only checks the syntax; whether the named types
// exist is decided by Analyze.
//
// Prefixes: `module:<nick>:Name` and `serverpod:Name` name module models,
// `protocol:Name` names a project model (the same as a bare name), and
// `package:...:Name` or `project:...:Name` are unvalidated references kept
// in Type.URL.
func ParseType(s string) (*Type, error) {
	p := typeParser{src: []rune(s)}
	t, err := p.parse(0)
	if err == nil {
		p.skipSpace()
		if p.i < len(p.src) {
			err = fmt.Errorf("unexpected %q at offset %d", string(p.src[p.i]), p.i)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("parse type %q: %w", s, err)
	}
	return t, nil
}

// maxTypeDepth bounds generic nesting so that hostile input cannot exhaust
// the stack.
const maxTypeDepth = 64

type typeParser struct {
	src []rune
	i   int
}

func (p *typeParser) skipSpace() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
}

func (p *typeParser) peek() rune {
	if p.i < len(p.src) {
		return p.src[p.i]
	}
	return 0
}

func (p *typeParser) parse(depth int) (*Type, error) {
	if depth > maxTypeDepth {
		return nil, errors.New("generic types are nested too deeply")
	}
	p.skipSpace()
	start := p.i
	for p.i < len(p.src) && !strings.ContainsRune("<>,? \t", p.src[p.i]) {
		p.i++
	}
	if p.i == start {
		if p.i < len(p.src) {
			return nil, fmt.Errorf("expected a type name at offset %d, found %q", p.i, string(p.src[p.i]))
		}
		return nil, errors.New("expected a type name")
	}
	t, err := typeFromName(string(p.src[start:p.i]))
	if err != nil {
		return nil, err
	}

	p.skipSpace()
	if p.peek() == '<' {
		p.i++
		p.skipSpace()
		// `List<>` parses as a list without arguments so that the analyzer
		// can report the missing argument the way Serverpod does.
		if p.peek() == '>' {
			p.i++
		} else {
			for {
				arg, err := p.parse(depth + 1)
				if err != nil {
					return nil, err
				}
				t.Args = append(t.Args, arg)
				p.skipSpace()
				if p.peek() == ',' {
					p.i++
					continue
				}
				if p.peek() == '>' {
					p.i++
					break
				}
				if p.i >= len(p.src) {
					return nil, errors.New("missing '>'")
				}
				return nil, fmt.Errorf("expected ',' or '>' at offset %d, found %q", p.i, string(p.src[p.i]))
			}
		}
	}
	p.skipSpace()
	if p.peek() == '?' {
		p.i++
		t.Nullable = true
	}
	return t, nil
}

// typeFromName splits a possibly prefixed class name.
func typeFromName(mixed string) (*Type, error) {
	parts := strings.Split(mixed, ":")
	name := parts[len(parts)-1]
	if !typeIdentifierRE.MatchString(name) {
		return nil, fmt.Errorf("%q is not a valid type name", name)
	}
	t := &Type{Name: name}
	prefix := parts[:len(parts)-1]
	switch {
	case len(prefix) == 0:
	case prefix[0] == "package" || prefix[0] == "project":
		if len(prefix) < 2 {
			return nil, fmt.Errorf("%q lacks a library", mixed)
		}
		t.URL = strings.Join(prefix, ":")
	case len(prefix) == 1 && prefix[0] == "protocol":
	case len(prefix) == 1 && prefix[0] == "serverpod":
		t.Module = "serverpod"
	case len(prefix) == 2 && prefix[0] == ModuleRefWord:
		if !moduleNicknameRE.MatchString(prefix[1]) {
			return nil, fmt.Errorf("%q is not a valid module nickname", prefix[1])
		}
		t.Module = prefix[1]
	default:
		return nil, fmt.Errorf("unknown type prefix %q", strings.Join(prefix, ":")+":")
	}
	return t, nil
}

// containers and the number of generic arguments each takes.
var containerArity = map[string]int{TypeList: 1, TypeSet: 1, TypeMap: 2}
