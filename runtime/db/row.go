package db

import (
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/gopod/gopod/wire"
)

// Generated Rows move a row's fields in and out of its columns by calling
// the methods of Dests and Args once per column, in the table's order.
// The methods are not inlined: a call passes its argument in registers,
// while an inlined one (or a []any literal in generated code) would box
// the value and store it with a write barrier in every table's code, which
// makes projects of many tables slow to compile. The lists they fill are
// reused from row to row.

// Dests collects where to read the columns of a row.
type Dests struct{ list []any }

func (d *Dests) reset() { d.list = d.list[:0] }

// Value reads the column into p as pgx does: int, double, bool, String,
// non-null DateTime and ByteData columns.
//
//go:noinline
func (d *Dests) Value(p any) { d.list = append(d.list, p) }

// NullInt reads a nullable int column (an id, a foreign key) into *p.
//
//go:noinline
func (d *Dests) NullInt(p **int64) { d.list = append(d.list, nullIntScanner{p}) }

// NullDouble reads a nullable double column into *p.
//
//go:noinline
func (d *Dests) NullDouble(p **float64) { d.list = append(d.list, nullDoubleScanner{p}) }

// NullBool reads a nullable bool column into *p.
//
//go:noinline
func (d *Dests) NullBool(p **bool) { d.list = append(d.list, nullBoolScanner{p}) }

// NullString reads a nullable String column into *p.
//
//go:noinline
func (d *Dests) NullString(p **string) { d.list = append(d.list, nullStringScanner{p}) }

// NullTime reads a nullable DateTime column (timestamp without time zone,
// holding UTC) into *p.
//
//go:noinline
func (d *Dests) NullTime(p **time.Time) { d.list = append(d.list, nullTimeScanner{p}) }

// Duration reads a Duration column (milliseconds) into *p.
//
//go:noinline
func (d *Dests) Duration(p *time.Duration) { d.list = append(d.list, durationScanner{p}) }

// NullDuration reads a nullable Duration column into *p.
//
//go:noinline
func (d *Dests) NullDuration(p **time.Duration) { d.list = append(d.list, nullDurationScanner{p}) }

// UUID reads a uuid column into *p.
//
//go:noinline
func (d *Dests) UUID(p *wire.UUID) { d.list = append(d.list, uuidScanner{p}) }

// NullUUID reads a nullable uuid column into *p.
//
//go:noinline
func (d *Dests) NullUUID(p **wire.UUID) { d.list = append(d.list, nullUUIDScanner{p}) }

// URI reads a Uri column (text) into *p; null is nil.
//
//go:noinline
func (d *Dests) URI(p **url.URL) { d.list = append(d.list, uriScanner{p}) }

// BigInt reads a BigInt column (text) into *p; null is nil.
//
//go:noinline
func (d *Dests) BigInt(p **big.Int) { d.list = append(d.list, bigIntScanner{p}) }

// Enum reads an enum column into p, a pointer to a generated enum: bigint
// for enums serialized by index, text for those serialized by name.
// Unknown values are errors.
//
//go:noinline
func (d *Dests) Enum(p wire.Decodable, byName bool) {
	if byName {
		d.list = append(d.list, enumNameScanner{p})
	} else {
		d.list = append(d.list, enumIndexScanner{p})
	}
}

// NullEnum reads the nullable enum column at index column of row i
// through f, which gets the value as JSON has it: its index as a
// json.Number, or its name.
//
//go:noinline
func (d *Dests) NullEnum(f FieldDecoder, i, column int, byName bool) {
	if byName {
		d.list = append(d.list, nullEnumNameScanner{field{f, i, column}})
	} else {
		d.list = append(d.list, nullEnumIndexScanner{field{f, i, column}})
	}
}

// JSON reads the json column at index column of row i through f, which
// gets the parsed JSON value.
//
//go:noinline
func (d *Dests) JSON(f FieldDecoder, i, column int) {
	d.list = append(d.list, jsonScanner{field{f, i, column}})
}

// Args collects the values of the columns after id of a row, as the
// columns store them. It keeps the first error (of a json column), so
// that generated code checks none.
type Args struct {
	list []any
	err  error
}

func (a *Args) reset() { a.list, a.err = a.list[:0], nil }

// Null is a null value.
//
//go:noinline
func (a *Args) Null() { a.list = append(a.list, nil) }

// Int is an int value.
//
//go:noinline
func (a *Args) Int(v int64) { a.list = append(a.list, v) }

// Double is a double value.
//
//go:noinline
func (a *Args) Double(v float64) { a.list = append(a.list, v) }

// Bool is a bool value.
//
//go:noinline
func (a *Args) Bool(v bool) { a.list = append(a.list, v) }

// String is a String value (and an enum serialized by name).
//
//go:noinline
func (a *Args) String(v string) { a.list = append(a.list, v) }

// NullInt is *p, or null for a nil p.
//
//go:noinline
func (a *Args) NullInt(p *int64) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, *p)
	}
}

// NullDouble is *p, or null for a nil p.
//
//go:noinline
func (a *Args) NullDouble(p *float64) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, *p)
	}
}

// NullBool is *p, or null for a nil p.
//
//go:noinline
func (a *Args) NullBool(p *bool) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, *p)
	}
}

// NullString is *p, or null for a nil p.
//
//go:noinline
func (a *Args) NullString(p *string) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, *p)
	}
}

// Time is a DateTime as stored: in UTC (timestamp without time zone).
//
//go:noinline
func (a *Args) Time(t time.Time) { a.list = append(a.list, t.UTC()) }

// NullTime is Time of *p, or null.
//
//go:noinline
func (a *Args) NullTime(p *time.Time) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, p.UTC())
	}
}

// Duration is a Duration as stored: whole milliseconds.
//
//go:noinline
func (a *Args) Duration(d time.Duration) { a.list = append(a.list, d.Milliseconds()) }

// NullDuration is Duration of *p, or null.
//
//go:noinline
func (a *Args) NullDuration(p *time.Duration) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, p.Milliseconds())
	}
}

// UUID is a UuidValue as stored.
//
//go:noinline
func (a *Args) UUID(u wire.UUID) { a.list = append(a.list, [16]byte(u)) }

// NullUUID is UUID of *p, or null.
//
//go:noinline
func (a *Args) NullUUID(p *wire.UUID) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, [16]byte(*p))
	}
}

// URI is a Uri as stored (text), or null for nil.
//
//go:noinline
func (a *Args) URI(u *url.URL) {
	if u == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, u.String())
	}
}

// BigInt is a BigInt as stored (decimal text), or null for nil.
//
//go:noinline
func (a *Args) BigInt(b *big.Int) {
	if b == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, b.String())
	}
}

// Bytes is a non-null ByteData as stored: nil is empty.
//
//go:noinline
func (a *Args) Bytes(b []byte) {
	if b == nil {
		b = []byte{}
	}
	a.list = append(a.list, b)
}

// NullBytes is a nullable ByteData as stored: nil is null.
//
//go:noinline
func (a *Args) NullBytes(b []byte) {
	if b == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, b)
	}
}

// Encoder returns an encoder for the value of a json column: the full
// JSON (the server's form, with server-only fields). JSON adds what it
// encoded.
func (a *Args) Encoder() *wire.Encoder { return wire.NewEncoder(false) }

// JSON is the value of the json column of field that e encoded.
//
//go:noinline
func (a *Args) JSON(field string, e *wire.Encoder) {
	b, err := e.Bytes()
	if err != nil {
		if a.err == nil {
			a.err = fmt.Errorf("%s: %w", field, err)
		}
		a.list = append(a.list, nil)
		return
	}
	a.list = append(a.list, string(b))
}

// Err is the first error of JSON.
func (a *Args) Err() error { return a.err }

// uriValue and bigIntValue are how Uri and BigInt columns compare.
func uriValue(u *url.URL) any {
	if u == nil {
		return nil
	}
	return u.String()
}

func bigIntValue(b *big.Int) any {
	if b == nil {
		return nil
	}
	return b.String()
}
