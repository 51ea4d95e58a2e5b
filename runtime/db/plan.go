package db

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gopod/gopod/wire"
)

// A table's rows are a slice of its class's struct ([]Company). The ORM
// moves their fields in and out of columns through a plan it builds once
// per table from the struct's type: where each column's field lies and
// how it is stored. Generated code declares only the table (its columns
// and the fields that hold them); every function it used to write per
// table cost the compiler time on every change of a model, in large
// projects most of the time of a rebuild.

// colOp is how a column is stored, decided by the Go type of its field.
type colOp uint8

const (
	opValue        colOp = iota // int, double, bool, String, DateTime and ByteData read as pgx reads them
	opInt                       // int64, also a key
	opDouble                    // float64
	opBool                      // bool
	opString                    // string
	opTime                      // time.Time
	opBytes                     // []byte of a column that is not nullable: nil is stored as empty
	opNullBytes                 // []byte of a nullable column: nil is null
	opNullInt                   // *int64, also a key
	opNullDouble                // *float64
	opNullBool                  // *bool
	opNullString                // *string
	opNullTime                  // *time.Time
	opDuration                  // time.Duration, stored in milliseconds
	opNullDuration              // *time.Duration
	opUUID                      // wire.UUID
	opNullUUID                  // *wire.UUID
	opURI                       // *url.URL, stored as text
	opBigInt                    // *big.Int, stored as decimal text
	opEnum                      // an enum, stored as its index
	opEnumName                  // an enum, stored as its name
	opNullEnum                  // *enum, stored as its index
	opNullEnumName              // *enum, stored as its name
	opJSON                      // any other value, stored as the model's JSON has it
)

// colPlan is how one column of a table is read and written.
type colPlan struct {
	op       colOp
	offset   uintptr      // of the field in the row
	typ      reflect.Type // of the field
	name     string       // of the column, for errors
	nullable bool
	// json is a json column's codec: the field's, as the model's JSON
	// has it.
	json wire.FieldCodec
	// nilIsNull says a json column's field is nil as SQL NULL: a
	// pointer, or the slice or map of a nullable column.
	nilIsNull bool
	// names are an enum's value names, in index order; nil for an enum
	// that is not declared to package wire but has JSON methods of its
	// own (hand-written), read and written through those.
	names []string
}

// rowPlan is how the rows of one table are read and written.
type rowPlan struct {
	row   reflect.Type // the struct of a row
	size  uintptr      // of a row
	slice reflect.Type // []row
	ptr   reflect.Type // *[]row, what the methods of Table take
	one   reflect.Type // *row, one row
	cols  []colPlan
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	uuidType     = reflect.TypeFor[wire.UUID]()
	urlPtrType   = reflect.TypeFor[*url.URL]()
	bigIntPtr    = reflect.TypeFor[*big.Int]()
	bytesType    = reflect.TypeFor[[]byte]()
	decodable    = reflect.TypeFor[wire.Decodable]()
	stringer     = reflect.TypeFor[fmt.Stringer]()
)

// plainOps are the ops of the Go types stored as they are, held by value
// and through a pointer (nullable).
var plainOps = map[reflect.Type][2]colOp{
	reflect.TypeFor[int64]():   {opInt, opNullInt},
	reflect.TypeFor[float64](): {opDouble, opNullDouble},
	reflect.TypeFor[bool]():    {opBool, opNullBool},
	reflect.TypeFor[string]():  {opString, opNullString},
	timeType:                   {opTime, opNullTime},
	durationType:               {opDuration, opNullDuration},
	uuidType:                   {opUUID, opNullUUID},
}

// newRowPlan builds the plan of table t for rows of type row.
func newRowPlan(t *Table, row reflect.Type) (*rowPlan, error) {
	if row.Kind() != reflect.Struct {
		return nil, fmt.Errorf("db: the rows of table %s are %s, not a struct", t.name, row)
	}
	p := &rowPlan{row: row, size: row.Size(), slice: reflect.SliceOf(row), cols: make([]colPlan, len(t.columns))}
	p.ptr, p.one = reflect.PointerTo(p.slice), reflect.PointerTo(row)
	for i, def := range t.columns {
		c, err := columnPlan(row, def)
		if err != nil {
			return nil, fmt.Errorf("db: table %s, column %s: %w", t.name, def.Name, err)
		}
		p.cols[i] = c
	}
	if op := p.cols[0].op; op != opNullInt && op != opInt {
		return nil, fmt.Errorf("db: table %s: the id is a %s, not an int", t.name, p.cols[0].typ)
	}
	return p, nil
}

// fieldAt finds the named field of row, inherited ones included, and its
// offset in the row.
func fieldAt(row reflect.Type, name string) (reflect.StructField, uintptr, error) {
	f, ok := row.FieldByName(name)
	if !ok {
		return f, 0, fmt.Errorf("%s has no field %s", row, name)
	}
	// The offset of a promoted field adds up the offsets of the structs
	// that hold it; those must be embedded by value.
	var off uintptr
	t := row
	for _, i := range f.Index {
		if t.Kind() != reflect.Struct {
			return f, 0, fmt.Errorf("field %s of %s is reached through a pointer", name, row)
		}
		sf := t.Field(i)
		off += sf.Offset
		t = sf.Type
	}
	return f, off, nil
}

// columnPlan decides how the column def is stored from the type of its
// field.
func columnPlan(row reflect.Type, def ColumnDef) (colPlan, error) {
	f, off, err := fieldAt(row, def.Field)
	if err != nil {
		return colPlan{}, err
	}
	typ := f.Type
	c := colPlan{offset: off, typ: typ, name: def.Name, nullable: def.Nullable}
	elem, ptr := typ, typ.Kind() == reflect.Pointer
	if ptr {
		elem = typ.Elem()
	}
	if ops, ok := plainOps[elem]; ok {
		c.op = ops[0]
		if ptr {
			c.op = ops[1]
		}
		return c, nil
	}
	switch {
	case typ == urlPtrType:
		c.op = opURI
	case typ == bigIntPtr:
		c.op = opBigInt
	case typ == bytesType && def.Nullable:
		c.op = opNullBytes
	case typ == bytesType:
		c.op = opBytes
	case elem.Kind() == reflect.Int:
		if err := c.enum(f.Name, elem, def.ByName); err != nil {
			return c, err
		}
		c.op = [2][2]colOp{{opEnum, opEnumName}, {opNullEnum, opNullEnumName}}[b2i(ptr)][b2i(def.ByName)]
	default:
		if c.json, err = wire.FieldCodecOf(row, f.Name); err != nil {
			return c, fmt.Errorf("field %s is a %s, which the ORM cannot store as json: %w", f.Name, typ, err)
		}
		c.op = opJSON
		k := typ.Kind()
		c.nilIsNull = ptr || def.Nullable && (k == reflect.Slice || k == reflect.Map)
	}
	return c, nil
}

// enum takes the value names of the enum elem, the type of field (or
// what it points to), checking that the column stores it as the enum is
// serialized.
func (c *colPlan) enum(field string, elem reflect.Type, byName bool) error {
	names, declaredByName, ok := wire.EnumValues(elem)
	if !ok {
		// A hand-written enum: its methods know its values.
		if reflect.PointerTo(elem).Implements(decodable) && elem.Implements(stringer) {
			return nil
		}
		return fmt.Errorf("field %s is a %s, an int type that is neither a declared enum nor has JSON methods of its own", field, elem)
	}
	if declaredByName != byName {
		how := [2]string{"index", "name"}
		return fmt.Errorf("field %s: enum %s is serialized by %s, but the column stores it by %s", field, elem, how[b2i(declaredByName)], how[b2i(byName)])
	}
	c.names = names
	return nil
}

// rowSlice is a *[]row as the ORM reads and writes it through its plan.
// It reaches the slice's header directly: the rows are read one by one,
// and going through reflect for each would cost more than the rest of
// the row's plumbing.
type rowSlice struct {
	p *rowPlan
	h *sliceHeader
}

// sliceHeader is how Go lays out a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// newRowSlice returns the slice at ptr, a *[]row.
func newRowSlice(p *rowPlan, ptr unsafe.Pointer) rowSlice {
	return rowSlice{p: p, h: (*sliceHeader)(ptr)}
}

// value is the slice through reflect, settable.
func (r rowSlice) value() reflect.Value {
	return reflect.NewAt(r.p.slice, unsafe.Pointer(r.h)).Elem()
}

func (r rowSlice) len() int { return r.h.len }

// at returns the address of row i.
func (r rowSlice) at(i int) unsafe.Pointer {
	return unsafe.Add(r.h.data, uintptr(i)*r.p.size)
}

// add appends a row whose fields are all zero, as append does, and
// returns its address. The rows from index *zero on are known to be zero:
// the caller starts it at the slice's capacity, and growing the slice
// allocates zeroed memory, so that only rows the slice already had are
// zeroed one by one.
func (r rowSlice) add(zero *int) unsafe.Pointer {
	switch {
	case r.h.len == r.h.cap:
		r.value().Grow(1)
		*zero = r.h.len
	case r.h.len < *zero:
		reflect.NewAt(r.p.row, r.at(r.h.len)).Elem().SetZero()
	}
	r.h.len++
	return r.at(r.h.len - 1)
}

// key returns the int column at index column of row i (the id, a foreign
// key), and false when it is null or not an int column.
func (r rowSlice) key(i, column int) (int64, bool) {
	return r.p.key(r.at(i), column)
}

// id returns the id of the row at row, which must have one.
func (p *rowPlan) id(row unsafe.Pointer) (int64, error) {
	id, ok := p.key(row, 0)
	if !ok {
		return 0, errNoID
	}
	return id, nil
}

// key returns the int column at index column of the row at row, and
// false when it is null or not an int column.
func (p *rowPlan) key(row unsafe.Pointer, column int) (int64, bool) {
	c := &p.cols[column]
	f := unsafe.Add(row, c.offset)
	switch c.op {
	case opInt:
		return *(*int64)(f), true
	case opNullInt:
		return Key(*(**int64)(f))
	}
	return 0, false
}

// pick returns copies of the rows at the indexes js, in order, in a new
// slice, empty but not nil when js is.
func (r rowSlice) pick(js []int) reflect.Value {
	out := reflect.MakeSlice(r.p.slice, len(js), len(js))
	in := r.value()
	for k, j := range js {
		out.Index(k).Set(in.Index(j))
	}
	return out
}

// scan gives d where to read the columns of the row at row, in order.
func (p *rowPlan) scan(row unsafe.Pointer, d *destList) {
	for i := range p.cols {
		c := &p.cols[i]
		f := unsafe.Add(row, c.offset)
		switch c.op {
		case opInt:
			d.Value((*int64)(f))
		case opDouble:
			d.Value((*float64)(f))
		case opBool:
			d.Value((*bool)(f))
		case opString:
			d.Value((*string)(f))
		case opTime:
			d.Value((*time.Time)(f))
		case opBytes, opNullBytes:
			d.Value((*[]byte)(f))
		case opNullInt:
			d.NullInt((**int64)(f))
		case opNullDouble:
			d.NullDouble((**float64)(f))
		case opNullBool:
			d.NullBool((**bool)(f))
		case opNullString:
			d.NullString((**string)(f))
		case opNullTime:
			d.NullTime((**time.Time)(f))
		case opDuration:
			d.Duration((*time.Duration)(f))
		case opNullDuration:
			d.NullDuration((**time.Duration)(f))
		case opUUID:
			d.UUID((*wire.UUID)(f))
		case opNullUUID:
			d.NullUUID((**wire.UUID)(f))
		case opURI:
			d.URI((**url.URL)(f))
		case opBigInt:
			d.BigInt((**big.Int)(f))
		case opEnum, opNullEnum:
			d.list = append(d.list, (*enumIndexScanner)(d.cell(c, f)))
		case opEnumName, opNullEnumName:
			d.list = append(d.list, (*enumNameScanner)(d.cell(c, f)))
		default:
			d.list = append(d.list, (*jsonScanner)(d.cell(c, f)))
		}
	}
}

// values gives a the values of the columns after id of the row at row,
// in order.
func (p *rowPlan) values(row unsafe.Pointer, a *argList) {
	for i := 1; i < len(p.cols); i++ {
		c := &p.cols[i]
		f := unsafe.Add(row, c.offset)
		switch c.op {
		case opInt:
			a.Int(*(*int64)(f))
		case opDouble:
			a.Double(*(*float64)(f))
		case opBool:
			a.Bool(*(*bool)(f))
		case opString:
			a.String(*(*string)(f))
		case opTime:
			a.Time(*(*time.Time)(f))
		case opBytes:
			a.Bytes(*(*[]byte)(f))
		case opNullBytes:
			a.NullBytes(*(*[]byte)(f))
		case opNullInt:
			a.NullInt(*(**int64)(f))
		case opNullDouble:
			a.NullDouble(*(**float64)(f))
		case opNullBool:
			a.NullBool(*(**bool)(f))
		case opNullString:
			a.NullString(*(**string)(f))
		case opNullTime:
			a.NullTime(*(**time.Time)(f))
		case opDuration:
			a.Duration(*(*time.Duration)(f))
		case opNullDuration:
			a.NullDuration(*(**time.Duration)(f))
		case opUUID:
			a.UUID(*(*wire.UUID)(f))
		case opNullUUID:
			a.NullUUID(*(**wire.UUID)(f))
		case opURI:
			a.URI(*(**url.URL)(f))
		case opBigInt:
			a.BigInt(*(**big.Int)(f))
		case opEnum, opEnumName:
			c.enumValue(f, a)
		case opNullEnum, opNullEnumName:
			if e := *(*unsafe.Pointer)(f); e != nil {
				c.enumValue(e, a)
			} else {
				a.Null()
			}
		default:
			c.encode(f, a)
		}
	}
}

// encode gives a the value of the json column c of a row: the field at
// f, encoded as the model's JSON has it, or null.
func (c *colPlan) encode(f unsafe.Pointer, a *argList) {
	// The first word of a pointer, map or slice is nil when it is.
	if c.nilIsNull && *(*unsafe.Pointer)(f) == nil {
		a.Null()
		return
	}
	e := a.Encoder()
	c.json.Encode(e, f)
	a.JSON(c.name, e)
}

// decode sets the field at f of json column c from v, its value as JSON
// has it, or to its zero value for nil (null).
func (c *colPlan) decode(f unsafe.Pointer, v any) error {
	// From zero, so that what v leaves out is never a stale value of a
	// row read or written before.
	switch c.typ.Kind() {
	case reflect.Slice:
		// The whole header: the element type does not matter to nil.
		*(*[]byte)(f) = nil
	case reflect.Pointer, reflect.Map:
		*(*unsafe.Pointer)(f) = nil
	default:
		reflect.NewAt(c.typ, f).Elem().SetZero()
	}
	if v == nil {
		return nil
	}
	return c.json.Decode(v, f)
}

// scanCell is a column of a row and where its field lies: what the
// scanners of json and enum columns are.
type scanCell struct {
	c *colPlan
	f unsafe.Pointer
}

// jsonScanner reads a json column into the field at f.
type jsonScanner scanCell

func (s jsonScanner) ScanBytes(b []byte) error {
	var v any
	if b != nil {
		var err error
		if v, err = wire.Parse(b); err != nil {
			return fmt.Errorf("reading a json column: %w", err)
		}
	}
	if err := s.c.decode(s.f, v); err != nil {
		return fmt.Errorf("reading a json column: %w", err)
	}
	return nil
}

// enumValue gives a the enum value at p of column c, as the column
// stores it.
func (c *colPlan) enumValue(p unsafe.Pointer, a *argList) {
	byName := c.op == opEnumName || c.op == opNullEnumName
	if c.names == nil {
		if byName {
			a.String(reflect.NewAt(c.enumType(), p).Interface().(fmt.Stringer).String())
		} else {
			a.Int(int64(*(*int)(p)))
		}
		return
	}
	i := *(*int)(p)
	switch {
	case i < 0 || i >= len(c.names):
		a.Fail(c.name, fmt.Errorf("enum %s has no value %d", c.enumType().Name(), i))
	case byName:
		a.String(c.names[i])
	default:
		a.Int(int64(i))
	}
}

// enumType is the enum of column c, whose field is one or points to one.
func (c *colPlan) enumType() reflect.Type {
	if c.typ.Kind() == reflect.Pointer {
		return c.typ.Elem()
	}
	return c.typ
}

// setEnum sets the enum field at f of column c to the value of index i,
// or to nil for a null value.
func (c *colPlan) setEnum(f unsafe.Pointer, i int, null bool) error {
	if c.op == opEnum || c.op == opEnumName {
		if null {
			return fmt.Errorf("null in an enum column that is not nullable")
		}
		*(*int)(f) = i
		return nil
	}
	if null {
		*(*unsafe.Pointer)(f) = nil
		return nil
	}
	// An enum is an int: a new int is a new value of it.
	x := new(int)
	*x = i
	*(**int)(f) = x
	return nil
}

// enumIndexScanner reads an enum column stored by index (bigint) into
// the field at f.
type enumIndexScanner scanCell

func (s enumIndexScanner) ScanInt64(v pgtype.Int8) error {
	c := s.c
	if !v.Valid || c.names != nil {
		i := v.Int64
		if v.Valid && (i < 0 || i >= int64(len(c.names))) {
			return fmt.Errorf(`Value "%d" cannot be converted to "%s"`, i, c.enumType().Name())
		}
		return c.setEnum(s.f, int(i), !v.Valid)
	}
	return c.decodeEnum(s.f, json.Number(strconv.FormatInt(v.Int64, 10)))
}

// enumNameScanner reads an enum column stored by name (text) into the
// field at f.
type enumNameScanner scanCell

func (s enumNameScanner) ScanText(v pgtype.Text) error {
	c := s.c
	if !v.Valid || c.names != nil {
		i := 0
		if v.Valid {
			var err error
			if i, err = wire.ParseEnum(c.names, v.String, c.enumType().Name()); err != nil {
				return err
			}
		}
		return c.setEnum(s.f, i, !v.Valid)
	}
	return c.decodeEnum(s.f, v.String)
}

// decodeEnum reads v, an index or a name as JSON has it, into the field
// at f of a column of a hand-written enum, through its DecodeJSON.
func (c *colPlan) decodeEnum(f unsafe.Pointer, v any) error {
	if c.op == opNullEnum || c.op == opNullEnumName {
		e := reflect.New(c.enumType())
		if err := e.Interface().(wire.Decodable).DecodeJSON(v); err != nil {
			return err
		}
		*(*unsafe.Pointer)(f) = e.UnsafePointer()
		return nil
	}
	return reflect.NewAt(c.typ, f).Interface().(wire.Decodable).DecodeJSON(v)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
