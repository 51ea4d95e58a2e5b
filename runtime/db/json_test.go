package db

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// labelled is a parent class without a table: its fields are stored in
// the columns of the tables of the classes that extend it.
type labelled struct {
	Labels map[string]int64 `wire:"labels,null"`
}

// doc has json and enum columns of each kind, one of them inherited.
type doc struct {
	labelled
	ID         *int64           `wire:"id,null"`
	List       []int64          `wire:"list"`
	Set        []string         `wire:"set" wiretype:"Set<String>"`
	ByKey      map[int64]string `wire:"byKey"`
	Spot       spot             `wire:"spot"`
	MaybeSpot  *spot            `wire:"maybeSpot,null"`
	Spots      []spot           `wire:"spots"`
	MaybeSpots []*spot          `wire:"maybeSpots,null"`
	Hue        hue              `wire:"hue"`
	MaybeHue   *hue             `wire:"maybeHue,null"`
	Tint       tint             `wire:"tint"`
	MaybeTint  *tint            `wire:"maybeTint,null"`
}

var (
	tableDoc = NewTable("orm_doc", []ColumnDef{
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
	}, (*doc)(nil), nil)
	docDB = &Repo[doc]{Table: tableDoc}
)

// docConn opens the test database with table orm_doc, empty.
func docConn(t *testing.T) (*DB, Conn) {
	t.Helper()
	d, err := Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	_, err = d.Exec(context.Background(), `
		DROP TABLE IF EXISTS orm_doc;
		CREATE TABLE orm_doc (id bigserial PRIMARY KEY, labels json, list json NOT NULL, set json NOT NULL,
			"byKey" json NOT NULL, spot json NOT NULL, "maybeSpot" json, spots json NOT NULL, "maybeSpots" json,
			hue bigint NOT NULL, "maybeHue" bigint, tint text NOT NULL, "maybeTint" text)`)
	if err != nil {
		t.Fatal(err)
	}
	return d, d.With(context.Background())
}

// storedDoc returns the columns of the row id as PostgreSQL holds them, as
// text, "NULL" for null.
func storedDoc(t *testing.T, d *DB, id int64) map[string]string {
	t.Helper()
	cols := []string{"labels", "list", "set", "byKey", "spot", "maybeSpot", "spots", "maybeSpots", "hue", "maybeHue", "tint", "maybeTint"}
	var sel []string
	for _, c := range cols {
		sel = append(sel, `coalesce("`+c+`"::text, 'NULL')`)
	}
	vals := make([]string, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := d.QueryRow(context.Background(), "SELECT "+strings.Join(sel, ", ")+" FROM orm_doc WHERE id = $1", id).Scan(dest...); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i, c := range cols {
		out[c] = vals[i]
	}
	return out
}

func TestJSONColumns(t *testing.T) {
	d, c := docConn(t)
	blue, dark := hue(1), tint(1)
	full := doc{
		labelled:   labelled{Labels: map[string]int64{"b": 2, "a": 1}},
		List:       []int64{3, 1, 2},
		Set:        []string{"x", "y"},
		ByKey:      map[int64]string{2: "two"},
		Spot:       spot{1},
		MaybeSpot:  &spot{2},
		Spots:      []spot{{3}, {4}},
		MaybeSpots: []*spot{{5}, nil},
		Hue:        1,
		MaybeHue:   &blue,
		Tint:       1,
		MaybeTint:  &dark,
	}
	rows, err := Insert(c, docDB, full, doc{})
	if err != nil {
		t.Fatal(err)
	}
	id, empty := *rows[0].ID, *rows[1].ID

	t.Run("round trip", func(t *testing.T) {
		got, err := FindByID(c, docDB, id)
		if err != nil || got == nil {
			t.Fatalf("found %v, %v", got, err)
		}
		want := full
		want.ID = &id
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("read back\n%+v\nwant\n%+v", *got, want)
		}
		if !reflect.DeepEqual(rows[0], want) {
			t.Errorf("returned by the insert\n%+v\nwant\n%+v", rows[0], want)
		}
		want2 := map[string]string{
			"labels": `{"a":1,"b":2}`, "list": `[3,1,2]`, "set": `["x","y"]`, "byKey": `[{"k":2,"v":"two"}]`,
			"spot": `{"x":1}`, "maybeSpot": `{"x":2}`, "spots": `[{"x":3},{"x":4}]`, "maybeSpots": `[{"x":5},null]`,
			"hue": "1", "maybeHue": "1", "tint": "dark", "maybeTint": "dark",
		}
		if s := storedDoc(t, d, id); !reflect.DeepEqual(s, want2) {
			t.Errorf("stored %v, want %v", s, want2)
		}
	})

	t.Run("nil", func(t *testing.T) {
		// A nil of a nullable column is NULL, one of a column that is not
		// nullable is stored as the model's JSON has it.
		want := map[string]string{
			"labels": "NULL", "list": `[]`, "set": `[]`, "byKey": `[]`,
			"spot": `{"x":0}`, "maybeSpot": "NULL", "spots": `[]`, "maybeSpots": "NULL",
			"hue": "0", "maybeHue": "NULL", "tint": "light", "maybeTint": "NULL",
		}
		if s := storedDoc(t, d, empty); !reflect.DeepEqual(s, want) {
			t.Errorf("stored %v, want %v", s, want)
		}
		got, err := FindByID(c, docDB, empty)
		if err != nil || got == nil {
			t.Fatalf("found %v, %v", got, err)
		}
		if got.Labels != nil || got.MaybeSpot != nil || got.MaybeSpots != nil || got.MaybeHue != nil || got.MaybeTint != nil {
			t.Errorf("nulls read as %+v", *got)
		}
		if got.List == nil || len(got.List) != 0 || got.Spots == nil || len(got.Spots) != 0 {
			t.Errorf("empty lists read as %+v", *got)
		}
	})

	t.Run("null over a value", func(t *testing.T) {
		// Reading null into a row that held a value leaves nothing of it.
		if _, err := d.Exec(context.Background(), `UPDATE orm_doc SET labels = NULL, "maybeSpot" = 'null', "maybeSpots" = NULL, "maybeHue" = NULL, "maybeTint" = NULL WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		got := []doc{full}
		if err := tableDoc.FindByID(c, &got, id); err != nil {
			t.Fatal(err)
		}
		if r := got[len(got)-1]; r.Labels != nil || r.MaybeSpot != nil || r.MaybeSpots != nil || r.MaybeHue != nil || r.MaybeTint != nil || r.Spot.X != 1 {
			t.Errorf("read %+v", r)
		}
	})

	t.Run("update", func(t *testing.T) {
		row := rows[1]
		row.Labels = map[string]int64{}
		row.MaybeSpots = []*spot{}
		row.Tint = 1
		if _, err := UpdateRow(c, docDB, row); err != nil {
			t.Fatal(err)
		}
		s := storedDoc(t, d, empty)
		if s["labels"] != "{}" || s["maybeSpots"] != "[]" || s["tint"] != "dark" {
			t.Errorf("stored %v", s)
		}
	})

	t.Run("unknown enum values", func(t *testing.T) {
		for _, tc := range []struct{ set, err string }{
			{`hue = 7`, `Value "7" cannot be converted to "hue"`},
			{`"maybeHue" = -1`, `Value "-1" cannot be converted to "hue"`},
			{`tint = 'grey'`, `Value "grey" cannot be converted to "tint"`},
			{`"maybeTint" = 'Dark'`, `Value "Dark" cannot be converted to "tint"`},
			{`"spots" = '[{"x":1},{"x":"no"}]'`, `[1]`},
		} {
			t.Run(tc.set, func(t *testing.T) {
				r, err := InsertRow(c, docDB, full)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := d.Exec(context.Background(), `UPDATE orm_doc SET `+tc.set+` WHERE id = $1`, *r.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := FindByID(c, docDB, *r.ID); err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
			})
		}
	})

	t.Run("unknown enum value written", func(t *testing.T) {
		row := rows[1]
		row.Hue = 9
		if _, err := UpdateRow(c, docDB, row); err == nil || !strings.Contains(err.Error(), "enum hue has no value 9") {
			t.Errorf("error %v", err)
		}
	})
}
