package wire

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 512

// Parse reads one JSON value into the tree the decoders work on: nil, bool,
// json.Number, string, []any or map[string]any. Numbers stay json.Number so
// that 64-bit integers keep their precision. It accepts exactly RFC 8259
// JSON (with surrounding whitespace), like encoding/json, and is written
// for the request path: one pass, no reflection.
func Parse(b []byte) (any, error) {
	p := parser{data: b}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.errorf("data after the value")
	}
	return v, nil
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// peek returns the byte at the position, 0 at the end of the input.
func (p *parser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (any, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	default:
		return nil, p.errorf("unexpected character %q", c)
	}
}

func (p *parser) literal(word string) error {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return p.errorf("invalid literal, expected %s", word)
	}
	p.pos += len(word)
	return nil
}

func (p *parser) object(depth int) (any, error) {
	if err := p.objectStart(depth); err != nil {
		return nil, err
	}
	obj := make(map[string]any, 4)
	for first := true; ; first = false {
		key, ok, err := p.nextKey(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			return obj, nil
		}
		k := string(key)
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		obj[k] = v
	}
}

// objectStart reads the '{' of an object nested depth deep; nextKey then
// walks its members, and the caller reads each value.
func (p *parser) objectStart(depth int) error {
	if depth > maxDepth {
		return p.errorf("nested more than %d levels deep", maxDepth)
	}
	p.pos++ // {
	return nil
}

// nextKey reads up to the next member's value and returns its key (valid
// until the next read), or ok false after the closing '}'. first is set
// for the first call on an object.
func (p *parser) nextKey(first bool) (key []byte, ok bool, err error) {
	p.skipSpace()
	if p.pos >= len(p.data) {
		if first {
			return nil, false, p.errorf("expected an object key")
		}
		return nil, false, p.errorf("unexpected end of input in an object")
	}
	switch c := p.data[p.pos]; {
	case c == '}' && first:
		p.pos++
		return nil, false, nil
	case first:
	case c == ',':
		p.pos++
		p.skipSpace()
	case c == '}':
		p.pos++
		return nil, false, nil
	default:
		return nil, false, p.errorf("expected ',' or '}' in an object")
	}
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		return nil, false, p.errorf("expected an object key")
	}
	if key, err = p.rawString(); err != nil {
		return nil, false, err
	}
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != ':' {
		return nil, false, p.errorf("expected ':' after an object key")
	}
	p.pos++
	p.skipSpace()
	return key, true, nil
}

// rawString reads a string, as a slice of the input when it has no
// escapes and is valid UTF-8, so looking an object key up allocates
// nothing.
func (p *parser) rawString() ([]byte, error) {
	if b, end, ok := p.plain(); ok {
		p.pos = end
		return b, nil
	}
	s, err := p.string()
	return []byte(s), err
}

// plain looks at the string at p.pos: when it has no escapes or control
// characters and is valid UTF-8, it returns its contents and the position
// after its closing quote.
func (p *parser) plain() (b []byte, end int, ok bool) {
	d := p.data
	ascii := true
	for i := p.pos + 1; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '"':
			b = d[p.pos+1 : i]
			return b, i + 1, ascii || utf8.Valid(b)
		case c == '\\' || c < 0x20:
			return nil, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, 0, false
}

func (p *parser) array(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf("nested more than %d levels deep", maxDepth)
	}
	p.pos++ // [
	arr := make([]any, 0, 4)
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return arr, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in a list")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return arr, nil
		default:
			return nil, p.errorf("expected ',' or ']' in a list")
		}
	}
}

func (p *parser) number() (any, error) {
	start := p.pos
	d := p.data
	if p.pos < len(d) && d[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(d) && d[p.pos] == '0':
		p.pos++
	case p.pos < len(d) && d[p.pos] >= '1' && d[p.pos] <= '9':
		for p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			p.pos++
		}
	default:
		return nil, p.errorf("invalid number")
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		p.pos++
		if p.pos >= len(d) || d[p.pos] < '0' || d[p.pos] > '9' {
			return nil, p.errorf("invalid number: digits expected after '.'")
		}
		for p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			p.pos++
		}
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(d) || d[p.pos] < '0' || d[p.pos] > '9' {
			return nil, p.errorf("invalid number: digits expected in the exponent")
		}
		for p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			p.pos++
		}
	}
	return json.Number(d[start:p.pos]), nil
}

// string reads a quoted string; strings without escapes are sliced
// directly. Invalid UTF-8 becomes U+FFFD, as encoding/json does.
func (p *parser) string() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	d := p.data
	for p.pos < len(d) {
		c := d[p.pos]
		switch {
		case c == '"':
			s := d[start:p.pos]
			p.pos++
			if utf8.Valid(s) {
				return string(s), nil
			}
			return string([]rune(string(s))), nil
		case c == '\\':
			return p.escapedString(start)
		case c < 0x20:
			return "", p.errorf("control character in a string")
		default:
			p.pos++
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) escapedString(start int) (string, error) {
	d := p.data
	buf := make([]byte, 0, p.pos-start+16)
	buf = append(buf, d[start:p.pos]...)
	for p.pos < len(d) {
		c := d[p.pos]
		switch {
		case c == '"':
			p.pos++
			if utf8.Valid(buf) {
				return string(buf), nil
			}
			return string([]rune(string(buf))), nil
		case c < 0x20:
			return "", p.errorf("control character in a string")
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(d) {
			break
		}
		e := d[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate pairs with a following \u low surrogate;
				// anything else is an unpaired surrogate, U+FFFD. A low
				// surrogate pairs with nothing, so the escape after it is
				// left to be read on its own.
				if r < 0xDC00 {
					if r2, ok := p.lowSurrogate(); ok {
						buf = utf8.AppendRune(buf, utf16.DecodeRune(r, r2))
						continue
					}
				}
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.errorf("invalid escape \\%c", e)
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}

func (p *parser) lowSurrogate() (rune, bool) {
	if len(p.data)-p.pos < 6 || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
		return 0, false
	}
	save := p.pos
	p.pos += 2
	r, ok := p.hex4()
	if !ok || r < 0xDC00 || r > 0xDFFF {
		p.pos = save
		return 0, false
	}
	return r, true
}
