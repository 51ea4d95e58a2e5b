package migrate

import (
	"strings"
	"unicode/utf8"
)

// statement is one SQL statement of a migration file.
type statement struct {
	text   string // from its first token up to, not including, the semicolon
	offset int    // byte offset of text in the file
}

// splitStatements cuts a file into statements the way psql does: at
// semicolons outside string literals, quoted identifiers, dollar-quoted
// bodies, comments, parentheses, and the BEGIN ... END body of a CREATE
// FUNCTION or PROCEDURE. Comments between statements are dropped; each statement
// starts at its first token so that errors point at the right line.
// Unterminated quotes run to the end of the file, where PostgreSQL reports
// them.
func splitStatements(src string) []statement {
	var (
		out   []statement
		start = -1 // offset of the current statement's first token
		first string
		depth int // BEGIN/CASE nesting inside a CREATE statement
		paren int // parenthesis nesting
		i     int
	)
	begin := func(at int) {
		if start < 0 {
			start = at
		}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			if nl := strings.IndexByte(src[i:], '\n'); nl >= 0 {
				i += nl + 1
			} else {
				i = len(src)
			}
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			i = skipBlockComment(src, i)
		case c == '\'':
			begin(i)
			i = skipString(src, i, i > 0 && (src[i-1] == 'e' || src[i-1] == 'E') && (i < 2 || !isIdentChar(src[i-2])))
		case c == '"':
			begin(i)
			i = skipQuoted(src, i, '"')
		case c == '$' && (i == 0 || !isIdentChar(src[i-1])):
			begin(i)
			if tag, ok := dollarTag(src[i:]); ok {
				if end := strings.Index(src[i+len(tag):], tag); end >= 0 {
					i += len(tag) + end + len(tag)
				} else {
					i = len(src)
				}
			} else {
				i++
			}
		case c == '(' || c == ')':
			begin(i)
			if c == '(' {
				paren++
			} else if paren > 0 {
				paren--
			}
			i++
		case c == ';':
			if depth > 0 || paren > 0 {
				i++
				continue
			}
			if start >= 0 {
				out = append(out, statement{text: strings.TrimRight(src[start:i], " \t\r\n\f\v"), offset: start})
			}
			start, first, depth, paren = -1, "", 0, 0
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			word := strings.ToUpper(src[i:j])
			if start < 0 {
				start, first = i, word
			} else if first == "CREATE" {
				switch word {
				case "BEGIN", "CASE":
					depth++
				case "END":
					if depth > 0 {
						depth--
					}
				}
			}
			i = j
		default:
			begin(i)
			_, size := utf8.DecodeRuneInString(src[i:])
			i += size
		}
	}
	if start >= 0 {
		out = append(out, statement{text: strings.TrimRight(src[start:], " \t\r\n\f\v"), offset: start})
	}
	return out
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$'
}

// skipBlockComment returns the offset after the comment starting at i;
// PostgreSQL's block comments nest.
func skipBlockComment(src string, i int) int {
	depth := 0
	for i < len(src) {
		switch {
		case strings.HasPrefix(src[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(src[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// skipString returns the offset after the string literal starting at i. A
// doubled quote is a quote; with backslashes (E'...') a backslash escapes
// the next byte.
func skipString(src string, i int, backslashes bool) int {
	i++
	for i < len(src) {
		switch {
		case backslashes && src[i] == '\\':
			i += 2
		case src[i] == '\'' && i+1 < len(src) && src[i+1] == '\'':
			i += 2
		case src[i] == '\'':
			return i + 1
		default:
			i++
		}
	}
	return len(src)
}

func skipQuoted(src string, i int, q byte) int {
	i++
	for i < len(src) {
		if src[i] == q {
			if i+1 < len(src) && src[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(src)
}

// dollarTag returns the opening $tag$ at the start of s.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1], true
		}
		if !(isIdentStart(c) || (j > 1 && c >= '0' && c <= '9')) {
			return "", false
		}
	}
	return "", false
}

// keywords returns the first two words of a statement, upper-cased.
func keywords(text string) (string, string) {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	})
	switch len(words) {
	case 0:
		return "", ""
	case 1:
		return strings.ToUpper(words[0]), ""
	}
	return strings.ToUpper(words[0]), strings.ToUpper(words[1])
}

// txControl classifies statements that open or close a transaction.
type txControl int

const (
	txNone txControl = iota
	txBegin
	txEnd // COMMIT or END
	txOther
)

func classify(s statement) txControl {
	w1, w2 := keywords(s.text)
	switch w1 {
	case "BEGIN":
		return txBegin
	case "START":
		if w2 == "TRANSACTION" {
			return txBegin
		}
	case "COMMIT", "END":
		if w2 == "PREPARED" {
			return txOther
		}
		return txEnd
	case "ABORT", "ROLLBACK":
		if w2 == "TO" {
			return txNone // ROLLBACK TO SAVEPOINT stays inside the transaction
		}
		return txOther
	case "PREPARE":
		if w2 == "TRANSACTION" {
			return txOther
		}
	}
	return txNone
}

// position converts a byte offset in src to a 1-based line and column
// (counted in characters).
func position(src string, offset int) (line, col int) {
	if offset > len(src) {
		offset = len(src)
	}
	before := src[:offset]
	line = strings.Count(before, "\n") + 1
	col = utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// runeOffset converts PostgreSQL's 1-based character position within text
// into a byte offset.
func runeOffset(text string, pos int) int {
	if pos <= 1 {
		return 0
	}
	n := 0
	for i := range text {
		if n == pos-1 {
			return i
		}
		n++
	}
	return len(text)
}
