package db

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// fakeDocRows are n rows of orm_doc (the model of json_test.go) as pgx would hand them over,
// without a database.
type fakeDocRows struct {
	fakeRows
	n, i int
}

func (r *fakeDocRows) Next() bool {
	r.i++
	return r.i <= r.n
}

// benchDocColumns are the columns of an orm_doc row as PostgreSQL sends
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
			var rows []doc
			r, err := tableDoc.rowsOf(&rows)
			if err != nil {
				b.Fatal(err)
			}
			if err := collect(&fakeDocRows{n: 100}, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("write100", func(b *testing.B) {
		var rows []doc
		r, err := tableDoc.rowsOf(&rows)
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
