package db

import (
	"fmt"
	"math/big"
	"net/url"
	"time"
	"unsafe"

	"github.com/gopod/gopod/wire"
)

// A table's plan (plan.go) moves a row's fields in and out of its columns
// by calling the methods of destList and argList once per column, in the
// table's order. The lists they fill are reused from row to row.

// destList collects where to read the columns of a row.
type destList struct {
	list []any
	// cells hold the scanners of json and enum columns, two words each,
	// which list holds by pointer: put in an interface by value they
	// would be allocated for every column of every row.
	cells []scanCell
}

// reset empties the lists for the next row. The cells of the previous
// row are written over: pgx is done with them once it has scanned it.
func (d *destList) reset() { d.list, d.cells = d.list[:0], d.cells[:0] }

// cell keeps column c of a row, whose field lies at f, and returns where.
// A pointer to a cell stays valid when cells grows: the old array keeps
// what it held.
func (d *destList) cell(c *colPlan, f unsafe.Pointer) *scanCell {
	d.cells = append(d.cells, scanCell{c, f})
	return &d.cells[len(d.cells)-1]
}

// Value reads the column into p as pgx does: int, double, bool, String,
// non-null DateTime and ByteData columns.
func (d *destList) Value(p any) { d.list = append(d.list, p) }

// NullInt reads a nullable int column (an id, a foreign key) into *p.
func (d *destList) NullInt(p **int64) { d.list = append(d.list, nullIntScanner{p}) }

// NullDouble reads a nullable double column into *p.
func (d *destList) NullDouble(p **float64) { d.list = append(d.list, nullDoubleScanner{p}) }

// NullBool reads a nullable bool column into *p.
func (d *destList) NullBool(p **bool) { d.list = append(d.list, nullBoolScanner{p}) }

// NullString reads a nullable String column into *p.
func (d *destList) NullString(p **string) { d.list = append(d.list, nullStringScanner{p}) }

// NullTime reads a nullable DateTime column (timestamp without time zone,
// holding UTC) into *p.
func (d *destList) NullTime(p **time.Time) { d.list = append(d.list, nullTimeScanner{p}) }

// Duration reads a Duration column (milliseconds) into *p.
func (d *destList) Duration(p *time.Duration) { d.list = append(d.list, durationScanner{p}) }

// NullDuration reads a nullable Duration column into *p.
func (d *destList) NullDuration(p **time.Duration) { d.list = append(d.list, nullDurationScanner{p}) }

// UUID reads a uuid column into *p.
func (d *destList) UUID(p *wire.UUID) { d.list = append(d.list, uuidScanner{p}) }

// NullUUID reads a nullable uuid column into *p.
func (d *destList) NullUUID(p **wire.UUID) { d.list = append(d.list, nullUUIDScanner{p}) }

// URI reads a Uri column (text) into *p; null is nil.
func (d *destList) URI(p **url.URL) { d.list = append(d.list, uriScanner{p}) }

// BigInt reads a BigInt column (text) into *p; null is nil.
func (d *destList) BigInt(p **big.Int) { d.list = append(d.list, bigIntScanner{p}) }

// argList collects the values of the columns after id of a row, as the
// columns store them. It keeps the first error (of a json column, an enum
// value outside its enum), so that the plan checks it once per row.
type argList struct {
	list []any
	err  error
	// enc encodes the json columns, one after another: JSON copies out
	// what it encoded, so that one encoder serves every row.
	enc *wire.Encoder
}

func (a *argList) reset() { a.list, a.err = a.list[:0], nil }

// Null is a null value.
func (a *argList) Null() { a.list = append(a.list, nil) }

// Int is an int value.
func (a *argList) Int(v int64) { a.list = append(a.list, v) }

// Double is a double value.
func (a *argList) Double(v float64) { a.list = append(a.list, v) }

// Bool is a bool value.
func (a *argList) Bool(v bool) { a.list = append(a.list, v) }

// String is a String value (and an enum serialized by name).
func (a *argList) String(v string) { a.list = append(a.list, v) }

// NullInt is *p, or null for a nil p.
func (a *argList) NullInt(p *int64) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, *p)
	}
}

// NullDouble is *p, or null for a nil p.
func (a *argList) NullDouble(p *float64) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, *p)
	}
}

// NullBool is *p, or null for a nil p.
func (a *argList) NullBool(p *bool) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, *p)
	}
}

// NullString is *p, or null for a nil p.
func (a *argList) NullString(p *string) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, *p)
	}
}

// Time is a DateTime as stored: in UTC (timestamp without time zone).
func (a *argList) Time(t time.Time) { a.list = append(a.list, t.UTC()) }

// NullTime is Time of *p, or null.
func (a *argList) NullTime(p *time.Time) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, p.UTC())
	}
}

// Duration is a Duration as stored: whole milliseconds.
func (a *argList) Duration(d time.Duration) { a.list = append(a.list, d.Milliseconds()) }

// NullDuration is Duration of *p, or null.
func (a *argList) NullDuration(p *time.Duration) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, p.Milliseconds())
	}
}

// UUID is a UuidValue as stored.
func (a *argList) UUID(u wire.UUID) { a.list = append(a.list, [16]byte(u)) }

// NullUUID is UUID of *p, or null.
func (a *argList) NullUUID(p *wire.UUID) {
	if p == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, [16]byte(*p))
	}
}

// URI is a Uri as stored (text), or null for nil.
func (a *argList) URI(u *url.URL) { a.list = append(a.list, uriValue(u)) }

// BigInt is a BigInt as stored (decimal text), or null for nil.
func (a *argList) BigInt(b *big.Int) { a.list = append(a.list, bigIntValue(b)) }

// Bytes is a non-null ByteData as stored: nil is empty.
func (a *argList) Bytes(b []byte) {
	if b == nil {
		b = []byte{}
	}
	a.list = append(a.list, b)
}

// NullBytes is a nullable ByteData as stored: nil is null.
func (a *argList) NullBytes(b []byte) {
	if b == nil {
		a.list = append(a.list, nil)
	} else {
		a.list = append(a.list, b)
	}
}

// Encoder returns an empty encoder for the value of a json column: the
// full JSON (the server's form, with server-only fields). JSON adds what
// it encoded.
func (a *argList) Encoder() *wire.Encoder {
	if a.enc == nil {
		a.enc = wire.NewEncoder(false)
	} else {
		a.enc.Reset()
	}
	return a.enc
}

// JSON is the value of the json column of field that e encoded.
func (a *argList) JSON(field string, e *wire.Encoder) {
	b, err := e.Bytes()
	if err != nil {
		a.Fail(field, err)
		return
	}
	a.list = append(a.list, string(b))
}

// Fail is the value of the column of field that cannot be stored: the
// row fails with err, the first of its errors.
func (a *argList) Fail(field string, err error) {
	if a.err == nil {
		a.err = fmt.Errorf("%s: %w", field, err)
	}
	a.list = append(a.list, nil)
}

// uriValue and bigIntValue are how Uri and BigInt columns store and
// compare their values.
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
