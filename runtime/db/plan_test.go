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

// hue is an enum as gopod generates one.
type hue int

func (h hue) String() string { return [...]string{"red", "blue"}[h] }

func (h *hue) DecodeJSON(v any) error {
	switch v := v.(type) {
	case json.Number:
		if v == "0" || v == "1" {
			*h = hue(v[0] - '0')
			return nil
		}
	case string:
		for i, n := range []string{"red", "blue"} {
			if v == n {
				*h = hue(i)
				return nil
			}
		}
	}
	return fmt.Errorf("no hue %v", v)
}

// spot is a model as gopod generates one.
type spot struct{ X int64 }

func (s *spot) EncodeJSON(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("x")
	e.Int(s.X)
	e.ObjectEnd()
}

func (s *spot) DecodeJSON(v any) error {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	s.X, err = wire.Field(o, "x", wire.DecodeInt)
	return err
}

// every has a column of each way the plan stores one.
type every struct {
	ID        *int64
	Hue       hue
	MaybeHue  *hue
	NamedHue  *hue
	Spot      spot
	MaybeSpot *spot
	Spots     []spot
	Tags      []string
	Blob      []byte
	Link      *url.URL
	Note      string
}

var tableEvery = NewTable("every", []ColumnDef{
	{Name: "id", Field: "ID", Nullable: true},
	{Name: "hue", Field: "Hue"},
	{Name: "maybeHue", Field: "MaybeHue", Nullable: true},
	{Name: "namedHue", Field: "NamedHue", Nullable: true, ByName: true},
	{Name: "spot", Field: "Spot"},
	{Name: "maybeSpot", Field: "MaybeSpot", Nullable: true},
	{Name: "spots", Field: "Spots", Nullable: true},
	{Name: "tags", Field: "Tags", Nullable: true, JSON: JSONCodec(wire.EncodeList((*wire.Encoder).String), wire.DecodeList(wire.DecodeString))},
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
	stored := []any{int64(7), int64(1), nil, "blue", `{"x":1}`, nil, `[{"x":2},{"x":3}]`, `["a"]`, []byte{}, nil}
	d := new(destList)
	zero := 0
	r.p.scan(r.add(&zero), d)
	fill(t, d.list, stored)
	blue := hue(1)
	want := every{
		ID: ptr(int64(7)), Hue: 1, NamedHue: &blue, Spot: spot{1},
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
	if err := (enumIndexScanner{new(hue)}).ScanInt64(pgtype.Int8{Int64: 5, Valid: true}); err == nil {
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
		ID   *int64
		Ch   chan int
		Name string
	}
	for _, tc := range []struct {
		name  string
		table *Table
		rows  any
		err   string
	}{
		{"no struct", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}}, nil, nil), &[]odd{}, "declared without the struct"},
		{"no field", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "x", Field: "X"}}, (*odd)(nil), nil), &[]odd{}, "has no field X"},
		{"no way to store", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "ch", Field: "Ch"}}, (*odd)(nil), nil), &[]odd{}, "cannot store without a codec"},
		{"id not an int", NewTable("t", []ColumnDef{{Name: "id", Field: "Name"}}, (*odd)(nil), nil), &[]odd{}, "not an int"},
		{"codec of another type", NewTable("t", []ColumnDef{{Name: "id", Field: "ID"}, {Name: "n", Field: "Name", JSON: JSONCodec(wire.EncodeList((*wire.Encoder).String), wire.DecodeList(wire.DecodeString))}}, (*odd)(nil), nil), &[]odd{}, "its codec is for []string"},
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
