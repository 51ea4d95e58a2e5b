package dart

import (
	"strings"
)

// Builders for the Dart constructs the client uses. They follow how
// Serverpod's generator (code_builder) spells each construct, so that the
// printer, formatting like dart_style, produces what Serverpod produces.

// list lays out an argument, parameter, map or list literal between open and
// close. As with code_builder, more than one entry gets a trailing comma,
// which makes dart_style put one entry per line.
func list(open, close string, items ...doc) doc {
	switch len(items) {
	case 0:
		return text(open + close)
	case 1:
		if open == "{" || open == "[" {
			// A collection splits like a block.
			return grp(text(open), indent(2, softLine, items[0]), softLine, text(close))
		}
		return grp(text(open), indent(4, softLine, items[0]), text(close))
	}
	body := make(concat, 0, 3*len(items))
	for _, it := range items {
		body = append(body, hard, it, text(","))
	}
	return cat(text(open), indent(2, body), hard, text(close))
}

// call is `callee(args)` with code_builder's trailing comma rule.
func call(callee string, args ...doc) doc {
	return cat(text(callee), list("(", ")", args...))
}

// callPlain is `callee(a, b)` without a trailing comma, as Serverpod writes
// the calls it spells out as literal code; the arguments share one
// continuation line when they fit there.
func callPlain(callee string, args ...doc) doc {
	if len(args) < 2 {
		return call(callee, args...)
	}
	return grp(text(callee+"("), indent(4, softLine, grp(join(args, text(","), spaceLine))), text(")"))
}

// callBlock is `callee(closure)`: dart_style keeps a sole function argument
// on the call's line and splits inside it.
func callBlock(callee string, closure doc) doc {
	return cat(text(callee+"("), closure, text(")"))
}

// closure is `(params) => body`; the body moves below the arrow when it
// fits there and not after it.
func closure(params string, body doc) doc {
	return cat(text(params+" =>"), split{value: body, indent: 4, sameLineIndent: 4, preferNext: true})
}

// closureKeep is a closure whose body stays after the arrow and splits
// inside, as dart_style does for a call with several arguments.
func closureKeep(params string, body doc) doc {
	return cat(text(params+" =>"), split{value: body, indent: 4, sameLineIndent: 4})
}

// cast is `value as T`, split before `as` when needed.
func cast(value doc, typ string) doc {
	return minorGroup(indentIfBroken(4, value, spaceLine, text("as "+typ)))
}

// isA is `value is T`, split before `is` when needed.
func isA(value doc, typ string) doc {
	return minorGroup(indentIfBroken(4, value, spaceLine, text("is "+typ)))
}

// paren wraps d in parentheses.
func paren(d doc) doc { return cat(text("("), d, text(")")) }

// declaration is `type name`, split before the name when needed.
func declaration(typ, name string) doc {
	return minorGroup(text(typ), indent(4, spaceLine, text(name)))
}

// named is a named argument or a map entry: `name: value`.
func named(name string, value doc) doc {
	return cat(text(name+":"), split{value: value, indent: 4, preferNext: true})
}

// assign is `name = value` in an initializer list or a statement.
func assign(name string, value doc) doc {
	return cat(text(name+" ="), split{value: value, indent: 4, preferNext: true})
}

// arrow is ` => value` after a member's signature.
func arrow(value doc) doc {
	return cat(text(" =>"), split{value: value, indent: 4, sameLineIndent: 4, preferNext: true})
}

// cond is `c ? a : b`.
func cond(c, a, b doc) doc {
	return strictGroup(indentIfBroken(4, c, spaceLine, text("? "), a, spaceLine, text(": "), b))
}

// binary is `left op right`, split after the operator.
func binary(left doc, op string, right doc) doc {
	return strictGroup(indentIfBroken(4, left, text(" "+op), spaceLine, right))
}

// chain is a method chain. With two or more calls it splits before every
// call when it does not fit, as dart_style does; a single call never splits.
func chain(target doc, calls ...doc) doc {
	switch len(calls) {
	case 0:
		return target
	case 1:
		// dart_style keeps a lone call on its target's line unless even the
		// start of the call does not fit there.
		return cat(target, split{value: calls[0], indent: 4, tight: true})
	}
	return grp(indentIfBroken(4, target, softLine, join(calls, softLine)))
}

// as is `left as T`, where `as T` moves to its own line when left fits alone.
func as(left doc, typ string) doc {
	return tail{left: left, tail: "as " + typ}
}

// docComment renders documentation lines as `///` comments.
func docComment(lines []string) doc {
	var out concat
	for _, l := range lines {
		if l == "" {
			out = append(out, text("///"), hard)
			continue
		}
		out = append(out, text("/// "+l), hard)
	}
	return out
}

// quote writes s as a single-quoted Dart string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '$':
			b.WriteString(`\$`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// dartReserved are Dart's reserved words, which cannot name a parameter; a
// Go parameter with one of these names gets a suffix in the Dart client (its
// wire name stays the same).
var dartReserved = map[string]bool{
	"assert": true, "break": true, "case": true, "catch": true, "class": true, "const": true,
	"continue": true, "default": true, "do": true, "else": true, "enum": true, "extends": true,
	"false": true, "final": true, "finally": true, "for": true, "if": true, "in": true,
	"is": true, "new": true, "null": true, "rethrow": true, "return": true, "super": true,
	"switch": true, "this": true, "throw": true, "true": true, "try": true, "var": true,
	"void": true, "while": true, "with": true,
}
