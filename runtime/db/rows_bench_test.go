package db

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// The benchmarks below compare the rows the ORM reads and writes through
// its plan with rows as gopod used to generate them: a slice type per
// table whose methods move each field in and out of its column. The
// baseline's core is a copy of the ORM's code of the time, reduced to the
// statements measured; both build the same SQL and call pgx the same way.

// legacyItemRows are the rows of orm_item as the generator wrote them.
type legacyItemRows []item

func (r *legacyItemRows) Len() int { return len(*r) }
func (r *legacyItemRows) Add()     { *r = append(*r, item{}) }

func (r *legacyItemRows) Scan(i int, d *destList) {
	m := &(*r)[i]
	d.NullInt(&m.ID)
	d.Value(&m.Name)
	d.Value(&m.Price)
	d.NullTime(&m.Due)
	d.Duration(&m.Wait)
	d.NullInt(&m.OwnerID)
	d.NullInt(&m.ParentID)
}

func (r *legacyItemRows) Values(i int, a *argList) {
	m := &(*r)[i]
	a.String(m.Name)
	a.Double(m.Price)
	a.NullTime(m.Due)
	a.Duration(m.Wait)
	a.NullInt(m.OwnerID)
	a.NullInt(m.ParentID)
}

func (r *legacyItemRows) Key(i, column int) (int64, bool) {
	m := &(*r)[i]
	switch column {
	case 0:
		return Key(m.ID)
	case 5:
		return Key(m.OwnerID)
	case 6:
		return Key(m.ParentID)
	}
	return 0, false
}

func (r *legacyItemRows) Pick(js []int) any {
	out := make([]item, len(js))
	for k, j := range js {
		out[k] = (*r)[j]
	}
	return out
}

// legacyRows is the interface the ORM ran on.
type legacyRows interface {
	Len() int
	Add()
	Scan(i int, d *destList)
	Values(i int, a *argList)
	Key(i, column int) (int64, bool)
	Pick(js []int) any
}

func legacyScan(rs pgx.Rows, d *destList, rows legacyRows, i int) error {
	d.reset()
	rows.Scan(i, d)
	return rs.Scan(d.list...)
}

func legacyCollect(rs pgx.Rows, rows legacyRows) error {
	defer rs.Close()
	d := new(destList)
	for rs.Next() {
		rows.Add()
		if err := legacyScan(rs, d, rows, rows.Len()-1); err != nil {
			return err
		}
	}
	return Wrap(rs.Err())
}

func legacyRescan(rs pgx.Rows, rows legacyRows, from, to int) (int, error) {
	defer rs.Close()
	d := new(destList)
	n := 0
	for rs.Next() {
		if from+n == to {
			return n, fmt.Errorf("db: more rows returned than written")
		}
		if err := legacyScan(rs, d, rows, from+n); err != nil {
			return n, err
		}
		n++
	}
	return n, Wrap(rs.Err())
}

// legacyFind is Table.Find without options.
func legacyFind(c Conn, t *Table, rows legacyRows) error {
	sql, args, err := selectSQL(t, &query{}, Expr{}, "")
	if err != nil {
		return err
	}
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return t.errorf("finding rows of", err)
	}
	if err := legacyCollect(rs, rows); err != nil {
		return t.errorf("finding rows of", err)
	}
	return nil
}

// legacyFindByID is Table.FindByID without options.
func legacyFindByID(c Conn, t *Table, rows legacyRows, id int64) error {
	rs, err := c.Querier().Query(c, t.byID, id)
	if err != nil {
		return t.errorf("finding by id in", err)
	}
	defer rs.Close()
	if !rs.Next() {
		if err := rs.Err(); err != nil {
			return t.errorf("finding by id in", err)
		}
		return nil
	}
	rows.Add()
	if err := legacyScan(rs, new(destList), rows, rows.Len()-1); err != nil {
		return t.errorf("finding by id in", err)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return t.errorf("finding by id in", err)
	}
	return nil
}

// legacyInsert is Table.Insert of fewer rows than take one statement.
func legacyInsert(c Conn, t *Table, rows legacyRows) error {
	from, to := 0, rows.Len()
	cols := t.columns[1:]
	args := make([]any, 0, (to-from)*len(cols))
	var defaults [][]bool
	a := new(argList)
	for i := from; i < to; i++ {
		a.reset()
		rows.Values(i, a)
		if a.err != nil {
			return fmt.Errorf("row %d: %w", i, a.err)
		}
		vals := a.list
		if len(vals) != len(cols) {
			return fmt.Errorf("db: %d values for the %d columns of %s", len(vals), len(cols), t.name)
		}
		for j, v := range vals {
			if v == nil && cols[j].HasDefault {
				if defaults == nil {
					defaults = make([][]bool, to-from)
				}
				if defaults[i-from] == nil {
					defaults[i-from] = make([]bool, len(cols))
				}
				defaults[i-from][j] = true
				continue
			}
			args = append(args, v)
		}
	}
	sql := t.insertOne
	if to-from > 1 || defaults != nil {
		sql = t.insertSQL(to-from, defaults)
	}
	rs, err := c.Querier().Query(c, sql, args...)
	if err != nil {
		return t.errorf("inserting into", err)
	}
	got, err := legacyRescan(rs, rows, from, to)
	if err != nil {
		return t.errorf("inserting into", err)
	}
	if got != to-from {
		return fmt.Errorf("db: %d rows inserted, %d returned", to-from, got)
	}
	return nil
}

// fakeRows are n rows of orm_item as pgx would hand them over, without a
// database: Scan gives each destination a value the way pgx's scan plans
// do, through the typed scanner interfaces or by pointer.
type fakeRows struct {
	n, i int
	due  time.Time
}

func (r *fakeRows) Close()                                       {}
func (r *fakeRows) Err() error                                   { return nil }
func (r *fakeRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (r *fakeRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (r *fakeRows) Values() ([]any, error)                       { return nil, nil }
func (r *fakeRows) RawValues() [][]byte                          { return nil }
func (r *fakeRows) Conn() *pgx.Conn                              { return nil }
func (r *fakeRows) TypeMap() *pgtype.Map                         { return nil }

func (r *fakeRows) Next() bool {
	r.i++
	return r.i <= r.n
}

func (r *fakeRows) Scan(dest ...any) error {
	if len(dest) != 7 {
		return fmt.Errorf("%d destinations", len(dest))
	}
	k := int64(r.i)
	for j, d := range dest {
		var err error
		switch d := d.(type) {
		case *string:
			*d = "name"
		case *float64:
			*d = 9.5
		case pgtype.TimestampScanner:
			err = d.ScanTimestamp(pgtype.Timestamp{Time: r.due, Valid: true})
		case pgtype.Int64Scanner:
			// The id, the wait, and a null foreign key every other row.
			err = d.ScanInt64(pgtype.Int8{Int64: k, Valid: j != 5 || k%2 == 0})
		default:
			err = fmt.Errorf("destination %T", d)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func benchItems(n int, owned bool) []item {
	due := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	items := make([]item, n)
	for i := range items {
		items[i] = item{Name: "bench", Price: 9.5, Wait: time.Minute, Due: &due}
		if owned && i%2 == 0 {
			items[i].OwnerID = ptr(int64(i))
		}
	}
	return items
}

// TestPlanMatchesGeneratedRows reads and writes the same rows through
// the plan and through generated-style rows.
func TestPlanMatchesGeneratedRows(t *testing.T) {
	due := time.Now()
	var legacy legacyItemRows
	if err := legacyCollect(&fakeRows{n: 5, due: due}, &legacy); err != nil {
		t.Fatal(err)
	}
	var planned []item
	r, err := tableItem.rowsOf(&planned)
	if err != nil {
		t.Fatal(err)
	}
	if err := collect(&fakeRows{n: 5, due: due}, r); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual([]item(legacy), planned) {
		t.Errorf("read through the plan:\n%+v\nthrough generated rows:\n%+v", planned, legacy)
	}
	for i := range planned {
		for col := range tableItem.columns {
			lk, lok := legacy.Key(i, col)
			pk, pok := r.key(i, col)
			if lk != pk || lok != pok {
				t.Errorf("key of row %d column %d: %d %v, generated rows %d %v", i, col, pk, pok, lk, lok)
			}
		}
		la, pa := new(argList), new(argList)
		legacy.Values(i, la)
		r.p.values(r.at(i), pa)
		if !reflect.DeepEqual(la.list, pa.list) {
			t.Errorf("values of row %d: %v, generated rows %v", i, pa.list, la.list)
		}
	}
	if got := r.pick([]int{3, 1}).Interface(); !reflect.DeepEqual(got, legacy.Pick([]int{3, 1})) {
		t.Errorf("pick: %+v", got)
	}
	if got := r.pick(nil).Interface().([]item); got == nil {
		t.Error("picking no rows gave nil, want an empty slice")
	}
}

// pairBench runs plan and legacy alternately and reports the time and
// allocations of each per operation and their ratio: on a busy machine,
// running them side by side compares them under the same load.
func pairBench(b *testing.B, plan, legacy func() error) {
	var tPlan, tLegacy time.Duration
	run := func(f func() error, total *time.Duration) {
		start := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		*total += time.Since(start)
	}
	// Each goes first every other time, so that neither always runs on
	// what the other left in the caches.
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			run(plan, &tPlan)
			run(legacy, &tLegacy)
		} else {
			run(legacy, &tLegacy)
			run(plan, &tPlan)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(tPlan.Nanoseconds())/n, "plan-ns/op")
	b.ReportMetric(float64(tLegacy.Nanoseconds())/n, "generated-ns/op")
	b.ReportMetric(float64(tPlan)/float64(tLegacy), "plan/generated")
	b.ReportMetric(testing.AllocsPerRun(20, func() { _ = plan() }), "plan-allocs/op")
	b.ReportMetric(testing.AllocsPerRun(20, func() { _ = legacy() }), "generated-allocs/op")
}

// BenchmarkRowsPlan compares the plan with generated-style rows on the
// database (FindByID, a Find of 100 rows, an Insert of 10) and on rows
// alone (reading and writing 100 rows without a database).
func BenchmarkRowsPlan(b *testing.B) {
	b.Run("read100", func(b *testing.B) {
		due := time.Now()
		pairBench(b, func() error {
			var rows []item
			r, err := tableItem.rowsOf(&rows)
			if err != nil {
				return err
			}
			return collect(&fakeRows{n: 100, due: due}, r)
		}, func() error {
			var rows legacyItemRows
			return legacyCollect(&fakeRows{n: 100, due: due}, &rows)
		})
	})
	b.Run("write100", func(b *testing.B) {
		items := benchItems(100, true)
		legacy := legacyItemRows(items)
		a := new(argList)
		pairBench(b, func() error {
			r, err := tableItem.rowsOf(&items)
			if err != nil {
				return err
			}
			for i := range r.len() {
				a.reset()
				r.p.values(r.at(i), a)
				r.key(i, 0)
			}
			return nil
		}, func() error {
			for i := range legacy.Len() {
				a.reset()
				legacy.Values(i, a)
				legacy.Key(i, 0)
			}
			return nil
		})
	})
	if testing.Short() {
		return
	}
	_, c := ormDB(b)
	seed := benchItems(100, false)
	if err := tableItem.Insert(c, &seed); err != nil {
		b.Fatal(err)
	}
	id := *seed[0].ID
	b.Run("FindByID", func(b *testing.B) {
		pairBench(b, func() error {
			var rows []item
			if err := tableItem.FindByID(c, &rows, id); err != nil || len(rows) == 0 {
				return fmt.Errorf("found %d rows: %v", len(rows), err)
			}
			return nil
		}, func() error {
			var rows legacyItemRows
			if err := legacyFindByID(c, tableItem, &rows, id); err != nil || len(rows) == 0 {
				return fmt.Errorf("found %d rows: %v", len(rows), err)
			}
			return nil
		})
	})
	b.Run("Find100", func(b *testing.B) {
		pairBench(b, func() error {
			rows := []item{}
			if err := tableItem.Find(c, &rows); err != nil || len(rows) != 100 {
				return fmt.Errorf("found %d rows: %v", len(rows), err)
			}
			return nil
		}, func() error {
			rows := legacyItemRows{}
			if err := legacyFind(c, tableItem, &rows); err != nil || len(rows) != 100 {
				return fmt.Errorf("found %d rows: %v", len(rows), err)
			}
			return nil
		})
	})
	b.Run("Insert10", func(b *testing.B) {
		items := benchItems(10, false)
		pairBench(b, func() error {
			out := append([]item{}, items...)
			return tableItem.Insert(c, &out)
		}, func() error {
			out := append(legacyItemRows{}, items...)
			return legacyInsert(c, tableItem, &out)
		})
	})
}
