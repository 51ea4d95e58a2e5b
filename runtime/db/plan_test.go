package db

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gopod/gopod/wire"
)

// hue is an enum as gopod generates one: an int whose value names are
// declared to package wire, serialized by index.
type hue int

var hueNames = []string{"red", "blue"}

func (h hue) String() string { return wire.EnumName(hueNames, int(h), "hue") }

// tint is an enum serialized by name.
type tint int

func (s tint) String() string { return wire.EnumName(tintNames, int(s), "tint") }

var tintNames = []string{"light", "dark"}

// pitch is a hand-written enum: not declared, with JSON methods of its
// own.
type pitch int

func (t pitch) String() string { return [...]string{"low", "high"}[t] }

func (t *pitch) DecodeJSON(v any) error {
	switch v := v.(type) {
	case json.Number:
		if v == "0" || v == "1" {
			*t = pitch(v[0] - '0')
			return nil
		}
	case string:
		for i, n := range []string{"low", "high"} {
			if v == n {
				*t = pitch(i)
				return nil
			}
		}
	}
	return fmt.Errorf("no pitch %v", v)
}

// spot is a model as gopod generates one.
type spot struct {
	X int64 `wire:"x"`
}

var _ = wire.Declare([]wire.TypeDef{
	{Name: "hue", Type: (*hue)(nil), Values: hueNames},
	{Name: "tint", Type: (*tint)(nil), Values: tintNames, ByName: true},
	{Name: "spot", Type: (*spot)(nil)},
})

// every has a column of each way the plan stores one.
type every struct {
	ID        *int64   `wire:"id,null"`
	Hue       hue      `wire:"hue"`
	MaybeHue  *hue     `wire:"maybeHue,null"`
	NamedHue  *tint    `wire:"namedHue,null"`
	Spot      spot     `wire:"spot"`
	MaybeSpot *spot    `wire:"maybeSpot,null"`
	Spots     []spot   `wire:"spots,null"`
	Tags      []string `wire:"tags,null"`
	Blob      []byte   `wire:"blob"`
	Link      *url.URL `wire:"link,null"`
	Note      string   `wire:"note"`
}

var tableEvery = NewTable("every", []ColumnDef{
	{Name: "id", Field: "ID", Nullable: true},
	{Name: "hue", Field: "Hue"},
	{Name: "maybeHue", Field: "MaybeHue", Nullable: true},
	{Name: "namedHue", Field: "NamedHue", Nullable: true, ByName: true},
	{Name: "spot", Field: "Spot"},
	{Name: "maybeSpot", Field: "MaybeSpot", Nullable: true},
	{Name: "spots", Field: "Spots", Nullable: true},
	{Name: "tags", Field: "Tags", Nullable: true},
	{Name: "blob", Field: "Blob"},
	{Name: "link", Field: "Link", Nullable: true},
}, (*every)(nil), nil)

// fill scans cols, the columns as PostgreSQL sends them (nil for null),
// into the destinations d, as pgx's scan plans would.
func fill(t *testing.T, d []any, cols []any) {
	t.Helper()
	for i, dst := range d {
		var err error
		switch dst := dst.(type) {
		case pgtype.Int64Scanner:
			v, ok := cols[i].(int64)
			err = dst.ScanInt64(pgtype.Int8{Int64: v, Valid: ok})
		case pgtype.TextScanner:
			v, ok := cols[i].(string)
			err = dst.ScanText(pgtype.Text{String: v, Valid: ok})
		case interface{ ScanBytes([]byte) error }:
			var b []byte
			if s, ok := cols[i].(string); ok {
				b = []byte(s)
			}
			err = dst.ScanBytes(b)
		case *[]byte:
			*dst, _ = cols[i].([]byte)
		default:
			t.Fatalf("column %d: destination %T", i, dst)
		}
		if err != nil {
			t.Fatalf("column %d: %v", i, err)
		}
	}
}

func TestPlanColumns(t *testing.T) {
	rows := []every{}
	r, err := tableEvery.rowsOf(&rows)
	if err != nil {
		t.Fatal(err)
	}
	stored := []any{int64(7), int64(1), nil, "dark", `{"x":1}`, nil, `[{"x":2},{"x":3}]`, `["a"]`, []byte{}, nil}
	d := new(destList)
	zero := 0
	r.p.scan(r.add(&zero), d)
	fill(t, d.list, stored)
	blue, dark := hue(1), tint(1)
	want := every{
		ID: ptr(int64(7)), Hue: 1, NamedHue: &dark, Spot: spot{1},
		Spots: []spot{{2}, {3}}, Tags: []string{"a"}, Blob: []byte{},
	}
	if !reflect.DeepEqual(rows[0], want) {
		t.Errorf("read %+v, want %+v", rows[0], want)
	}
	a := new(argList)
	r.p.values(r.at(0), a)
	if !reflect.DeepEqual(a.list, stored[1:]) || a.err != nil {
		t.Errorf("values %q, %v; want %q", a.list, a.err, stored[1:])
	}

	// Nil and null the other way round.
	rows[0] = every{MaybeHue: &blue, MaybeSpot: &spot{4}, Link: &url.URL{Scheme: "https", Host: "x"}}
	a.reset()
	r.p.values(r.at(0), a)
	stored = []any{int64(0), int64(1), nil, `{"x":0}`, `{"x":4}`, nil, nil, []byte{}, "https://x"}
	if !reflect.DeepEqual(a.list, stored) || a.err != nil {
		t.Errorf("values %q, %v; want %q", a.list, a.err, stored)
	}
	d.reset()
	r.p.scan(r.at(0), d)
	fill(t, d.list, append([]any{nil}, stored...))
	if rows[0].MaybeSpot.X != 4 || *rows[0].MaybeHue != 1 || rows[0].Spots != nil || rows[0].Link.Host != "x" || rows[0].ID != nil {
		t.Errorf("read back %+v", rows[0])
	}
	if k, ok := r.key(0, 0); ok {
		t.Errorf("key of a null id: %d", k)
	}

	// Values that do not decode are errors, with the index in a list.
	err = jsonScanner{&r.p.cols[6], unsafe.Add(r.at(0), r.p.cols[6].offset)}.ScanBytes([]byte(`[{"x":1},{"x":"no"}]`))
	if err == nil || !strings.Contains(err.Error(), "[1]") {
		t.Errorf("a list with a bad item: %v", err)
	}
	f := func(col int) unsafe.Pointer { return unsafe.Add(r.at(0), r.p.cols[col].offset) }
	if err := (enumIndexScanner{&r.p.cols[1], f(1)}).ScanInt64(pgtype.Int8{Int64: 5, Valid: true}); err == nil || !strings.Contains(err.Error(), `"5"`) {
		t.Errorf("an unknown enum index: %v", err)
	}
	if err := (enumIndexScanner{&r.p.cols[1], f(1)}).ScanInt64(pgtype.Int8{}); err == nil || !strings.Contains(err.Error(), "null") {
		t.Errorf("null in a column that is not nullable: %v", err)
	}
	if err := (enumNameScanner{&r.p.cols[3], f(3)}).ScanText(pgtype.Text{String: "grey", Valid: true}); err == nil || !strings.Contains(err.Error(), `"grey"`) {
		t.Errorf("an unknown enum name: %v", err)
	}

	// A value outside its enum is not stored.
	rows[0] = every{Hue: 2}
	a.reset()
	r.p.values(r.at(0), a)
	if a.err == nil || !strings.Contains(a.err.Error(), "hue: enum hue has no value 2") {
		t.Errorf("storing an unknown enum value: %v", a.err)
	}
	dark = 5
	rows[0] = every{NamedHue: &dark}
	a.reset()
	r.p.values(r.at(0), a)
	if a.err == nil || !strings.Contains(a.err.Error(), "namedHue: enum tint has no value 5") {
		t.Errorf("storing an unknown enum value: %v", a.err)
	}
}

// handMade has an enum of its own making, not declared to package wire.
type handMade struct {
	ID       *int64
	Tone     pitch
	MaybeOne *pitch
	Named    *pitch
}

var tableHandMade = NewTable("handMade", []ColumnDef{
	{Name: "id", Field: "ID", Nullable: true},
	{Name: "tone", Field: "Tone"},
	{Name: "maybeOne", Field: "MaybeOne", Nullable: true},
	{Name: "named", Field: "Named", Nullable: true, ByName: true},
}, (*handMade)(nil), nil)

// TestPlanHandMadeEnum checks that an enum that is not declared is read
// and written through its own methods.
func TestPlanHandMadeEnum(t *testing.T) {
	rows := []handMade{}
	r, err := tableHandMade.rowsOf(&rows)
	if err != nil {
		t.Fatal(err)
	}
	stored := []any{int64(1), int64(1), nil, "high"}
	d := new(destList)
	zero := 0
	r.p.scan(r.add(&zero), d)
	fill(t, d.list, stored)
	high := pitch(1)
	if want := (handMade{ID: ptr(int64(1)), Tone: 1, Named: &high}); !reflect.DeepEqual(rows[0], want) {
		t.Errorf("read %+v, want %+v", rows[0], want)
	}
	rows[0].Named, rows[0].MaybeOne = nil, &high
	a := new(argList)
	r.p.values(r.at(0), a)
	if want := []any{int64(1), int64(1), nil}; !reflect.DeepEqual(a.list, want) || a.err != nil {
		t.Errorf("values %q, %v; want %q", a.list, a.err, want)
	}
	c := &r.p.cols[1]
	if err := (enumIndexScanner{c, unsafe.Add(r.at(0), c.offset)}).ScanInt64(pgtype.Int8{Int64: 5, Valid: true}); err == nil {
		t.Error("an unknown enum index was read")
	}
}

// TestPlanAppends checks that rows read into a slice with room to spare
// start from zero, as with append, and that the rows past the length are
// left alone.
func TestPlanAppends(t *testing.T) {
	backing := []item{{Name: "kept"}, {Name: "stale", Owner: &owner{}}, {Name: "beyond"}}
	rows := backing[:1:2]
	r, err := tableItem.rowsOf(&rows)
	if err != nil {
		t.Fatal(err)
	}
	if err := collect(&fakeRows{n: 3}, r); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0].Name != "kept" || rows[1].Owner != nil || backing[1].Name != "name" || backing[2].Name != "beyond" {
		t.Errorf("rows %+v, backing %+v", rows, backing)
	}
}

func TestPlanMistakes(t *testing.T) {
	type odd struct {
		ID    *int64
		Ch    chan int
		Name  string
		List  []string
		N     int
		Hue   hue
		Shade tint
	}
	type tagged struct {
		ID *int64   `wire:"id,null"`
		Ch chan int `wire:"ch"`
	}
	for _, tc := range []struct {
		name  string
		table *Table
		rows  any
		err   string
	}{
		{"no struct", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}}, nil, nil), &[]odd{}, "declared without the struct"},
		{"no field", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "x", Field: "X"}}, (*odd)(nil), nil), &[]odd{}, "has no field X"},
		{"no way to store", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "ch", Field: "Ch"}}, (*odd)(nil), nil), &[]odd{}, "field Ch is a chan int, which the ORM cannot store as json"},
		{"no wire form", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "ch", Field: "Ch"}}, (*tagged)(nil), nil), &[]tagged{}, "chan int has no wire form"},
		{"json without a wire tag", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "list", Field: "List"}}, (*odd)(nil), nil), &[]odd{}, "field List of db.odd has no wire tag"},
		{"an int that is no enum", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "n", Field: "N"}}, (*odd)(nil), nil), &[]odd{}, "field N is a int, an int type that is neither a declared enum"},
		{"enum by name stored by index", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "tint", Field: "Shade"}}, (*odd)(nil), nil), &[]odd{}, "field Shade: enum db.tint is serialized by name, but the column stores it by index"},
		{"enum by index stored by name", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "hue", Field: "Hue", ByName: true}}, (*odd)(nil), nil), &[]odd{}, "field Hue: enum db.hue is serialized by index, but the column stores it by name"},
		{"id not an int", NewTable("t", []ColumnDef{{Name: "id", Field: "Name"}}, (*odd)(nil), nil), &[]odd{}, "not an int"},
		{"rows of another table", tableItem, &[]owner{}, "not *[]db.owner"},
		{"nil rows", tableItem, (*[]item)(nil), "non-nil *[]db.item"},
		{"no rows", tableItem, nil, "not <nil>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.table.rowsOf(tc.rows); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
		})
	}
}
