package db

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gopod/gopod/wire"
)

// This file converts between the Go types of generated models and what
// their columns hold, as Serverpod 2.4 stores them. Generated code calls
// these helpers for every value it writes (the ...Value functions) and
// every column it reads (the Scan... functions); the scanners implement
// pgx's typed scanner interfaces, so reading takes pgx's direct path
// without reflection.

// Key returns the id or foreign key *p, and whether there is one.
func Key(p *int64) (int64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// Nullable returns *p, or nil (null) for a nil p.
func Nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TimeValue is a DateTime as stored: in UTC (timestamp without time zone).
func TimeValue(t time.Time) any { return t.UTC() }

// NullTimeValue is TimeValue of *p, or null.
func NullTimeValue(p *time.Time) any {
	if p == nil {
		return nil
	}
	return p.UTC()
}

// DurationValue is a Duration as stored: whole milliseconds.
func DurationValue(d time.Duration) any { return d.Milliseconds() }

// NullDurationValue is DurationValue of *p, or null.
func NullDurationValue(p *time.Duration) any {
	if p == nil {
		return nil
	}
	return p.Milliseconds()
}

// UUIDValue is a UuidValue as stored.
func UUIDValue(u wire.UUID) any { return [16]byte(u) }

// NullUUIDValue is UUIDValue of *p, or null.
func NullUUIDValue(p *wire.UUID) any {
	if p == nil {
		return nil
	}
	return [16]byte(*p)
}

// URIValue is a Uri as stored (text), or null for nil.
func URIValue(u *url.URL) any {
	if u == nil {
		return nil
	}
	return u.String()
}

// BigIntValue is a BigInt as stored (decimal text), or null for nil.
func BigIntValue(b *big.Int) any {
	if b == nil {
		return nil
	}
	return b.String()
}

// BytesValue is a ByteData as stored: nil is null.
func BytesValue(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// RequiredBytesValue is a non-null ByteData as stored: nil is empty.
func RequiredBytesValue(b []byte) any {
	if b == nil {
		return []byte{}
	}
	return b
}

// JSONValues encodes the json columns of one row. It keeps the first
// error, so that generated code checks once per row rather than once per
// column.
type JSONValues struct{ err error }

// Encoder returns an encoder for the value of a json column: the full
// JSON (the server's form, with server-only fields).
func (j *JSONValues) Encoder() *wire.Encoder { return wire.NewEncoder(false) }

// Value is the value of the json column of field that e encoded.
func (j *JSONValues) Value(field string, e *wire.Encoder) any {
	b, err := e.Bytes()
	if err != nil {
		if j.err == nil {
			j.err = fmt.Errorf("%s: %w", field, err)
		}
		return nil
	}
	return string(b)
}

// Err is the first error of Value.
func (j *JSONValues) Err() error { return j.err }

// The nullable scalars have their own scanners: pgx reads a pointer to a
// pointer through reflection, once per value.

type nullIntScanner struct{ p **int64 }

func (s nullIntScanner) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	x := v.Int64
	*s.p = &x
	return nil
}

// ScanNullInt reads a nullable int column (an id, a foreign key) into *p.
func ScanNullInt(p **int64) any { return nullIntScanner{p} }

type nullDoubleScanner struct{ p **float64 }

func (s nullDoubleScanner) ScanFloat64(v pgtype.Float8) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	x := v.Float64
	*s.p = &x
	return nil
}

// ScanNullDouble reads a nullable double column into *p.
func ScanNullDouble(p **float64) any { return nullDoubleScanner{p} }

type nullBoolScanner struct{ p **bool }

func (s nullBoolScanner) ScanBool(v pgtype.Bool) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	x := v.Bool
	*s.p = &x
	return nil
}

// ScanNullBool reads a nullable bool column into *p.
func ScanNullBool(p **bool) any { return nullBoolScanner{p} }

type nullStringScanner struct{ p **string }

func (s nullStringScanner) ScanText(v pgtype.Text) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	x := v.String
	*s.p = &x
	return nil
}

// ScanNullString reads a nullable String column into *p.
func ScanNullString(p **string) any { return nullStringScanner{p} }

type nullTimeScanner struct{ p **time.Time }

func (s nullTimeScanner) ScanTimestamp(v pgtype.Timestamp) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	if v.InfinityModifier != pgtype.Finite {
		return fmt.Errorf("reading a DateTime: %v cannot be a DateTime", v.InfinityModifier)
	}
	x := v.Time.UTC()
	*s.p = &x
	return nil
}

// ScanNullTime reads a nullable DateTime column (timestamp without time
// zone, holding UTC) into *p.
func ScanNullTime(p **time.Time) any { return nullTimeScanner{p} }

type durationScanner struct{ p *time.Duration }

func (s durationScanner) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		return fmt.Errorf("null in a Duration column that is not nullable")
	}
	*s.p = time.Duration(v.Int64) * time.Millisecond
	return nil
}

type nullDurationScanner struct{ p **time.Duration }

func (s nullDurationScanner) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	d := time.Duration(v.Int64) * time.Millisecond
	*s.p = &d
	return nil
}

// ScanDuration reads a Duration column (milliseconds) into *p.
func ScanDuration(p *time.Duration) any { return durationScanner{p} }

// ScanNullDuration reads a nullable Duration column into *p.
func ScanNullDuration(p **time.Duration) any { return nullDurationScanner{p} }

type uuidScanner struct{ p *wire.UUID }

func (s uuidScanner) ScanUUID(v pgtype.UUID) error {
	if !v.Valid {
		return fmt.Errorf("null in a UuidValue column that is not nullable")
	}
	*s.p = v.Bytes
	return nil
}

type nullUUIDScanner struct{ p **wire.UUID }

func (s nullUUIDScanner) ScanUUID(v pgtype.UUID) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	u := wire.UUID(v.Bytes)
	*s.p = &u
	return nil
}

// ScanUUID reads a uuid column into *p.
func ScanUUID(p *wire.UUID) any { return uuidScanner{p} }

// ScanNullUUID reads a nullable uuid column into *p.
func ScanNullUUID(p **wire.UUID) any { return nullUUIDScanner{p} }

type uriScanner struct{ p **url.URL }

func (s uriScanner) ScanText(v pgtype.Text) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	u, err := url.Parse(v.String)
	if err != nil {
		return fmt.Errorf("reading a Uri: %w", err)
	}
	*s.p = u
	return nil
}

// ScanURI reads a Uri column (text) into *p; null is nil.
func ScanURI(p **url.URL) any { return uriScanner{p} }

type bigIntScanner struct{ p **big.Int }

func (s bigIntScanner) ScanText(v pgtype.Text) error {
	if !v.Valid {
		*s.p = nil
		return nil
	}
	b, ok := new(big.Int).SetString(v.String, 10)
	if !ok {
		return fmt.Errorf("reading a BigInt: %q is not a decimal integer", v.String)
	}
	*s.p = b
	return nil
}

// ScanBigInt reads a BigInt column (text) into *p; null is nil.
func ScanBigInt(p **big.Int) any { return bigIntScanner{p} }

type enumIndexScanner struct{ p wire.Decodable }

func (s enumIndexScanner) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		return fmt.Errorf("null in an enum column that is not nullable")
	}
	return s.p.DecodeJSON(json.Number(strconv.FormatInt(v.Int64, 10)))
}

type enumNameScanner struct{ p wire.Decodable }

func (s enumNameScanner) ScanText(v pgtype.Text) error {
	if !v.Valid {
		return fmt.Errorf("null in an enum column that is not nullable")
	}
	return s.p.DecodeJSON(v.String)
}

// FieldDecoder is implemented by generated rows whose table has json
// columns or nullable enums: they decode those with the decoders the
// model's own DecodeJSON uses (models and enums through their DecodeJSON
// methods), in one method rather than a function per column.
type FieldDecoder interface {
	// DecodeField sets the field of the column at index column of row i
	// from v, its value as JSON has it, or to its zero value for nil
	// (null).
	DecodeField(i, column int, v any) error
}

// field is a column of a row of generated rows.
type field struct {
	d         FieldDecoder
	i, column int
}

type nullEnumIndexScanner struct{ field }

func (s nullEnumIndexScanner) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		return s.d.DecodeField(s.i, s.column, nil)
	}
	return s.d.DecodeField(s.i, s.column, json.Number(strconv.FormatInt(v.Int64, 10)))
}

type nullEnumNameScanner struct{ field }

func (s nullEnumNameScanner) ScanText(v pgtype.Text) error {
	if !v.Valid {
		return s.d.DecodeField(s.i, s.column, nil)
	}
	return s.d.DecodeField(s.i, s.column, v.String)
}

// ScanEnum reads an enum column into p, a pointer to a generated enum:
// bigint for enums serialized by index, text for those serialized by
// name. Unknown values are errors.
func ScanEnum(p wire.Decodable, byName bool) any {
	if byName {
		return enumNameScanner{p}
	}
	return enumIndexScanner{p}
}

// ScanNullEnum reads the nullable enum column at index column of row i
// through d, which gets the value as JSON has it: its index as a
// json.Number, or its name.
func ScanNullEnum(d FieldDecoder, i, column int, byName bool) any {
	if byName {
		return nullEnumNameScanner{field{d, i, column}}
	}
	return nullEnumIndexScanner{field{d, i, column}}
}

type jsonScanner struct{ field }

func (s jsonScanner) ScanBytes(b []byte) error {
	var v any
	if b != nil {
		var err error
		if v, err = wire.Parse(b); err != nil {
			return fmt.Errorf("reading a json column: %w", err)
		}
	}
	if err := s.d.DecodeField(s.i, s.column, v); err != nil {
		return fmt.Errorf("reading a json column: %w", err)
	}
	return nil
}

// ScanJSON reads the json column at index column of row i through d,
// which gets the parsed JSON value.
func ScanJSON(d FieldDecoder, i, column int) any { return jsonScanner{field{d, i, column}} }
