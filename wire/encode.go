package wire

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"
)

// Encodable is implemented by generated models, exceptions and enums.
type Encodable interface {
	EncodeJSON(e *Encoder)
}

// Encoder appends JSON text to a buffer. Errors (such as a NaN double,
// which JSON cannot carry) are sticky: the first one is kept and returned
// by Bytes.
type Encoder struct {
	buf []byte
	// Protocol selects the wire form of models (Serverpod's
	// toJsonForProtocol): fields with scope serverOnly or none are left out.
	// Without it models encode all their fields (toJson), as stored in
	// json columns and logs.
	Protocol bool
	err      error
	// first records, for each open object or array, whether the next member
	// is the first (and so needs no comma).
	first []bool
}

// NewEncoder returns an encoder; protocol selects the wire form of models.
func NewEncoder(protocol bool) *Encoder {
	return &Encoder{Protocol: protocol, buf: make([]byte, 0, 256)}
}

// Bytes returns the encoded text, or the first error met while encoding.
func (e *Encoder) Bytes() ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	if len(e.first) != 0 {
		return nil, errors.New("wire: unbalanced object or array")
	}
	return e.buf, nil
}

// Reset empties the encoder for reuse, keeping its buffer and mode.
func (e *Encoder) Reset() {
	e.buf = e.buf[:0]
	e.err = nil
	e.first = e.first[:0]
}

// Fail records err unless an earlier error is already recorded.
func (e *Encoder) Fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// Err returns the first error recorded.
func (e *Encoder) Err() error { return e.err }

// ObjectStart opens a JSON object.
func (e *Encoder) ObjectStart() {
	e.buf = append(e.buf, '{')
	e.first = append(e.first, true)
}

// Key writes the next member's name (and the comma before it if needed).
func (e *Encoder) Key(name string) {
	e.sep()
	e.writeString(name)
	e.buf = append(e.buf, ':')
}

// ObjectEnd closes the innermost object.
func (e *Encoder) ObjectEnd() {
	e.pop()
	e.buf = append(e.buf, '}')
}

// ArrayStart opens a JSON array.
func (e *Encoder) ArrayStart() {
	e.buf = append(e.buf, '[')
	e.first = append(e.first, true)
}

// Elem starts the next array element (writing the comma before it if needed).
func (e *Encoder) Elem() { e.sep() }

// ArrayEnd closes the innermost array.
func (e *Encoder) ArrayEnd() {
	e.pop()
	e.buf = append(e.buf, ']')
}

func (e *Encoder) sep() {
	n := len(e.first)
	if n == 0 {
		return
	}
	if e.first[n-1] {
		e.first[n-1] = false
		return
	}
	e.buf = append(e.buf, ',')
}

func (e *Encoder) pop() {
	if n := len(e.first); n > 0 {
		e.first = e.first[:n-1]
		return
	}
	e.Fail(errors.New("wire: close without open"))
}

// Null writes null.
func (e *Encoder) Null() { e.buf = append(e.buf, "null"...) }

// Raw writes already-encoded JSON text.
func (e *Encoder) Raw(b []byte) { e.buf = append(e.buf, b...) }

// Bool writes true or false.
func (e *Encoder) Bool(v bool) { e.buf = strconv.AppendBool(e.buf, v) }

// Int writes a 64-bit integer (Serverpod's int), without a fraction.
func (e *Encoder) Int(v int64) { e.buf = strconv.AppendInt(e.buf, v, 10) }

// Double writes a float as Dart's double.toString prints it: integral values
// keep a `.0`, magnitudes outside [1e-6, 1e21) use exponent form.
func (e *Encoder) Double(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		e.Fail(fmt.Errorf("wire: %v cannot be encoded as JSON", v))
		e.Null()
		return
	}
	e.buf = AppendDouble(e.buf, v)
}

// AppendDouble appends v formatted as Dart's double.toString does.
func AppendDouble(b []byte, v float64) []byte {
	abs := math.Abs(v)
	if v == 0 || (abs >= 1e-6 && abs < 1e21) {
		start := len(b)
		b = strconv.AppendFloat(b, v, 'f', -1, 64)
		for _, c := range b[start:] {
			if c == '.' {
				return b
			}
		}
		return append(b, '.', '0')
	}
	// Go pads the exponent to two digits (1e-07); Dart does not (1e-7).
	s := strconv.FormatFloat(v, 'e', -1, 64)
	i := len(s) - 1
	for s[i] != 'e' {
		i--
	}
	mant, sign, exp := s[:i], s[i+1], s[i+2:]
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	b = append(b, mant...)
	return append(append(append(b, 'e'), sign), exp...)
}

// String writes a JSON string, escaped as Dart's JSON encoder does: only
// quotes, backslashes and control characters are escaped.
func (e *Encoder) String(v string) { e.writeString(v) }

const hexDigits = "0123456789abcdef"

func (e *Encoder) writeString(s string) {
	b := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\t':
				b = append(b, '\\', 't')
			case '\n':
				b = append(b, '\\', 'n')
			case '\f':
				b = append(b, '\\', 'f')
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	e.buf = append(b, '"')
}

// DateTime writes t in UTC as Dart's toIso8601String does:
// 2024-05-01T22:00:00.000Z, with three more digits when microseconds are set.
// Precision below a microsecond is dropped, as Dart has none.
func (e *Encoder) DateTime(t time.Time) {
	e.buf = append(e.buf, '"')
	e.buf = AppendDateTime(e.buf, t)
	e.buf = append(e.buf, '"')
}

// AppendDateTime appends t in Dart's ISO-8601 UTC form (without quotes).
func AppendDateTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year := t.Year()
	switch {
	case year >= 0 && year <= 9999:
		b = appendPadded(b, year, 4)
	case year < 0:
		b = append(b, '-')
		b = appendPadded(b, -year, 6)
	default:
		b = append(b, '+')
		b = appendPadded(b, year, 6)
	}
	b = append(b, '-')
	b = appendPadded(b, int(t.Month()), 2)
	b = append(b, '-')
	b = appendPadded(b, t.Day(), 2)
	b = append(b, 'T')
	b = appendPadded(b, t.Hour(), 2)
	b = append(b, ':')
	b = appendPadded(b, t.Minute(), 2)
	b = append(b, ':')
	b = appendPadded(b, t.Second(), 2)
	b = append(b, '.')
	micro := t.Nanosecond() / 1000
	b = appendPadded(b, micro/1000, 3)
	if micro%1000 != 0 {
		b = appendPadded(b, micro%1000, 3)
	}
	return append(b, 'Z')
}

func appendPadded(b []byte, v, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// Duration writes d as whole milliseconds, Serverpod's Duration encoding.
func (e *Encoder) Duration(d time.Duration) { e.Int(d.Milliseconds()) }

// UUID writes the canonical lower-case string form.
func (e *Encoder) UUID(u UUID) {
	e.buf = append(e.buf, '"')
	e.buf = u.appendText(e.buf)
	e.buf = append(e.buf, '"')
}

// URI writes u as its string form; a nil URI is written as null.
func (e *Encoder) URI(u *url.URL) {
	if u == nil {
		e.Null()
		return
	}
	e.writeString(u.String())
}

// BigInt writes v as a decimal string; a nil value is written as null.
func (e *Encoder) BigInt(v *big.Int) {
	if v == nil {
		e.Null()
		return
	}
	e.buf = append(e.buf, '"')
	e.buf = v.Append(e.buf, 10)
	e.buf = append(e.buf, '"')
}

// ByteData writes b in Serverpod's ByteData form: the string
// decode('<standard base64>', 'base64').
func (e *Encoder) ByteData(b []byte) {
	e.buf = append(e.buf, `"decode('`...)
	e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
	e.buf = append(e.buf, `', 'base64')"`...)
}

// Tagged writes a type-tagged value: {"className":"<name>","data":<value>}.
func (e *Encoder) Tagged(className string, data func(*Encoder)) {
	e.ObjectStart()
	e.Key("className")
	e.writeString(className)
	e.Key("data")
	data(e)
	e.ObjectEnd()
}
