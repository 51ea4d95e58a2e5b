package db

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gopod/gopod/wire"
)

// The rows of bench_doc have the json and enum columns of a generated
// model, as gopod generates it: declared to package wire, no methods.

type benchLabelled struct {
	Labels map[string]int64 `wire:"labels,null"`
}

type benchSpot struct {
	X int64 `wire:"x"`
}

type benchHue int

func (h benchHue) String() string { return wire.EnumName(hueNames, int(h), "benchHue") }

type benchTint int

func (t benchTint) String() string { return wire.EnumName(tintNames, int(t), "benchTint") }

var _ = wire.Declare([]wire.TypeDef{
	{Name: "benchSpot", Type: (*benchSpot)(nil)},
	{Name: "benchHue", Type: (*benchHue)(nil), Values: hueNames},
	{Name: "benchTint", Type: (*benchTint)(nil), Values: tintNames, ByName: true},
})

type benchDoc struct {
	benchLabelled
	ID         *int64           `wire:"id,null"`
	List       []int64          `wire:"list"`
	Set        []string         `wire:"set" wiretype:"Set<String>"`
	ByKey      map[int64]string `wire:"byKey"`
	Spot       benchSpot        `wire:"spot"`
	MaybeSpot  *benchSpot       `wire:"maybeSpot,null"`
	Spots      []benchSpot      `wire:"spots"`
	MaybeSpots []*benchSpot     `wire:"maybeSpots,null"`
	Hue        benchHue         `wire:"hue"`
	MaybeHue   *benchHue        `wire:"maybeHue,null"`
	Tint       benchTint        `wire:"tint"`
	MaybeTint  *benchTint       `wire:"maybeTint,null"`
}

var tableBenchDoc = NewTable("bench_doc", []ColumnDef{
	{Name: "id", Field: "ID", Nullable: true},
	{Name: "labels", Field: "Labels", Nullable: true},
	{Name: "list", Field: "List"},
	{Name: "set", Field: "Set"},
	{Name: "byKey", Field: "ByKey"},
	{Name: "spot", Field: "Spot"},
	{Name: "maybeSpot", Field: "MaybeSpot", Nullable: true},
	{Name: "spots", Field: "Spots"},
	{Name: "maybeSpots", Field: "MaybeSpots", Nullable: true},
	{Name: "hue", Field: "Hue"},
	{Name: "maybeHue", Field: "MaybeHue", Nullable: true},
	{Name: "tint", Field: "Tint", ByName: true},
	{Name: "maybeTint", Field: "MaybeTint", Nullable: true, ByName: true},
}, (*benchDoc)(nil), nil)

// fakeDocRows are n rows of bench_doc as pgx would hand them over,
// without a database.
type fakeDocRows struct {
	fakeRows
	n, i int
}

func (r *fakeDocRows) Next() bool {
	r.i++
	return r.i <= r.n
}

// benchDocColumns are the columns of a bench_doc row as PostgreSQL sends
// them: json as bytes, enums as bigint or text.
var benchDocColumns = []any{
	int64(1), []byte(`{"a":1,"b":2}`), []byte(`[3,1,2]`), []byte(`["x","y"]`), []byte(`[{"k":2,"v":"two"}]`),
	[]byte(`{"x":1}`), []byte(`{"x":2}`), []byte(`[{"x":3},{"x":4}]`), []byte(`[{"x":5},null]`),
	int64(1), int64(1), "dark", "dark",
}

func (r *fakeDocRows) Scan(dest ...any) error {
	if len(dest) != len(benchDocColumns) {
		return fmt.Errorf("%d destinations", len(dest))
	}
	for j, d := range dest {
		var err error
		switch d := d.(type) {
		case pgtype.Int64Scanner:
			err = d.ScanInt64(pgtype.Int8{Int64: benchDocColumns[j].(int64), Valid: true})
		case pgtype.TextScanner:
			err = d.ScanText(pgtype.Text{String: benchDocColumns[j].(string), Valid: true})
		case interface{ ScanBytes([]byte) error }:
			err = d.ScanBytes(benchDocColumns[j].([]byte))
		default:
			err = fmt.Errorf("destination %T", d)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkJSONRowsPlan reads and writes 100 rows of json and enum
// columns through the plan, without a database.
func BenchmarkJSONRowsPlan(b *testing.B) {
	b.Run("read100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var rows []benchDoc
			r, err := tableBenchDoc.rowsOf(&rows)
			if err != nil {
				b.Fatal(err)
			}
			if err := collect(&fakeDocRows{n: 100}, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("write100", func(b *testing.B) {
		var rows []benchDoc
		r, err := tableBenchDoc.rowsOf(&rows)
		if err != nil {
			b.Fatal(err)
		}
		if err := collect(&fakeDocRows{n: 100}, r); err != nil {
			b.Fatal(err)
		}
		a := new(argList)
		b.ReportAllocs()
		for b.Loop() {
			for i := range r.len() {
				a.reset()
				r.p.values(r.at(i), a)
				if a.err != nil {
					b.Fatal(a.err)
				}
			}
		}
	})
}
