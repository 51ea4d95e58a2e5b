package model

import (
	"strings"
	"unicode"
)

// A field may be written in one line, `name: String?, scope=serverOnly,
// relation(name=x)`, which means the same as the map form with `type` as
// the implicit first key. This file turns that form into map nodes.

// piece is one comma-separated item of a stringified value, trimmed, with
// the rune offset at which it starts in the value.
type piece struct {
	text string
	off  int
}

// splitOptions splits s at commas outside <>, () and quotes, the way
// Serverpod does. Like Serverpod, it lets closing brackets push the depth
// below zero and honours a backslash before a quote.
func splitOptions(s string) []piece {
	runes := []rune(s)
	var out []piece
	depth := 0
	start := 0
	inSingle, inDouble := false, false
	flush := func(end int) {
		seg := runes[start:end]
		lead := 0
		for lead < len(seg) && unicode.IsSpace(seg[lead]) {
			lead++
		}
		out = append(out, piece{text: strings.TrimSpace(string(seg)), off: start + lead})
	}
	for i, r := range runes {
		if r == ',' && depth == 0 {
			flush(i)
			start = i + 1
			continue
		}
		if inSingle || inDouble {
			escaped := i > 0 && runes[i-1] == '\\'
			switch {
			case inDouble && r == '"' && !escaped:
				depth--
				inDouble = false
			case inSingle && r == '\'' && !escaped:
				depth--
				inSingle = false
			}
			continue
		}
		switch r {
		case '<', '(':
			depth++
		case '>', ')':
			depth--
		case '"':
			depth++
			inDouble = true
		case '\'':
			depth++
			inSingle = true
		}
	}
	if start < len(runes) {
		flush(len(runes))
	}
	return out
}

// maxOptionNesting bounds `key(...)` nesting: the language only nests once
// (`relation(...)` inside a field), and deeper parentheses are kept as text.
const maxOptionNesting = 2

// stringified converts the stringified value of src (a string or null
// scalar) into a map node. firstKey names the implicit first item ("type"
// for fields). Problems are passed to report.
func stringified(src *node, firstKey string, report func(pos Pos, msg string)) *node {
	var parts []piece
	if s, ok := src.str(); ok {
		parts = splitOptions(s)
	}
	return convertOptions(src, parts, 0, firstKey, 1, report)
}

func convertOptions(src *node, parts []piece, base int, firstKey string, level int, report func(Pos, string)) *node {
	m := &node{kind: mapNode, pos: src.at(base), fromNull: src.isNull()}
	if firstKey != "" {
		if len(parts) == 0 {
			m.set(newString(firstKey, src.at(base)), newNull(src.at(base)))
		} else {
			p := parts[0]
			m.set(newString(firstKey, src.at(base+p.off)), newString(p.text, src.at(base+p.off)))
			parts = parts[1:]
		}
	}

	seen := map[string]bool{}
	reported := map[string]bool{}
	for _, p := range parts {
		key, val := convertOption(src, p, base, level, report)
		if seen[key.text] && !reported[key.text] {
			reported[key.text] = true
			report(key.pos, `The field option "`+key.text+`" is defined more than once.`)
		}
		seen[key.text] = true
		m.set(key, val)
	}
	return m
}

// convertOption converts one item: `key`, `!key`, `key=value` or
// `key(nested, items)`.
func convertOption(src *node, p piece, base, level int, report func(Pos, string)) (key, val *node) {
	at := func(off int) Pos { return src.at(base + p.off + off) }
	text := p.text

	if open := strings.IndexByte(text, '('); open >= 0 && level < maxOptionNesting && !strings.ContainsAny(text[:open], `='"`) {
		name := strings.TrimSpace(text[:open])
		key = newString(name, at(leadingSpace(text)))
		inner := text[open+1:]
		inner = strings.TrimSuffix(inner, ")")
		if strings.TrimSpace(inner) == "" {
			return key, newNull(at(0))
		}
		innerOff := p.off + runeLen(text[:open+1])
		return key, convertOptions(src, splitOptions(inner), base+innerOff, "", level+1, report)
	}

	if eq := strings.IndexByte(text, '='); eq >= 0 {
		name := strings.TrimSpace(text[:eq])
		key = newString(name, at(0))
		if strings.HasPrefix(name, "!") {
			report(key.pos, "Negating a key with a value is not allowed.")
		}
		rest := text[eq+1:]
		valOff := runeLen(text[:eq+1]) + leadingSpace(rest)
		return key, newString(strings.TrimSpace(rest), at(valOff))
	}

	if strings.HasPrefix(text, "!") {
		name := strings.TrimSpace(text[1:])
		return newString(name, at(1+leadingSpace(text[1:]))), newString("false", at(0))
	}
	return newString(text, at(0)), newString("true", at(0))
}

func runeLen(s string) int { return len([]rune(s)) }

// leadingSpace counts the runes of white space that start s.
func leadingSpace(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			break
		}
		n++
	}
	return n
}
