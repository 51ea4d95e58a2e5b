package db

import (
	"reflect"
	"strings"
	"testing"
)

// The columns of the test model as generated code declares them now:
// structs that Table.Columns fills, and object relations as methods
// calling JoinColumns. ownerTable and itemTable (orm_test.go) are the
// constructors generated code had before, kept to compare with.
type ownerCols struct {
	ref   *TableRef
	ID    IntColumn
	Name  StringColumn
	Items ListRelation
}

type itemCols struct {
	ref     *TableRef
	ID      IntColumn
	Name    StringColumn
	Price   DoubleColumn
	Due     DateTimeColumn
	Wait    DurationColumn
	OwnerID IntColumn
}

func (t *itemCols) Owner() *ownerCols { return t.ref.JoinColumns(relItemOwner).(*ownerCols) }
func (t *itemCols) Parent() *itemCols { return t.ref.JoinColumns(relItemParent).(*itemCols) }

// ownerC is declared in a file before the relations from its table, so
// that, as in a generated package, it is initialized before them.
var (
	ownerC = tableOwner.Columns((*ownerCols)(nil)).(*ownerCols)
	itemC  = tableItem.Columns((*itemCols)(nil)).(*itemCols)
)

func TestColumnsBuildSameSQL(t *testing.T) {
	if ownerC.Items.rel != relOwnerItems || ownerC.Items.parent != tableOwner.root {
		t.Fatalf("the list relation declared after the table's columns was not set: %+v", ownerC.Items)
	}
	if itemC.Parent() != itemC.Parent() || itemC.Parent().Owner() != itemC.Parent().Owner() || itemC.Owner() == itemC.Parent().Owner() {
		t.Error("a join path is not built once")
	}
	if got := itemC.Parent().Owner().Items; got.rel != relOwnerItems || got.parent != itemC.Parent().Owner().ref {
		t.Errorf("the list relation of a joined table: %+v", got)
	}
	old := query{
		where: And(
			itemT.Parent().Owner().Name.Equals("x"),
			itemT.Parent().Parent().Price.LessOrEqualColumn(itemT.Price),
			itemT.Owner().Items().Any(itemT.Name.Like("a%"), itemT.Owner().Name.NotEquals("y")),
			itemT.Parent().Owner().Items().Count().GreaterThan(1),
		),
		orderBy: []Order{itemT.Parent().Owner().Name.Desc(), itemT.Owner().Items().Count().Asc()},
	}
	now := query{
		where: And(
			itemC.Parent().Owner().Name.Equals("x"),
			itemC.Parent().Parent().Price.LessOrEqualColumn(itemC.Price),
			itemC.Owner().Items.Any(itemC.Name.Like("a%"), itemC.Owner().Name.NotEquals("y")),
			itemC.Parent().Owner().Items.Count().GreaterThan(1),
		),
		orderBy: []Order{itemC.Parent().Owner().Name.Desc(), itemC.Owner().Items.Count().Asc()},
	}
	wantSQL, wantArgs, err := selectSQL(tableItem, &old, Expr{}, "")
	if err != nil {
		t.Fatal(err)
	}
	sql, args, err := selectSQL(tableItem, &now, Expr{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if sql != wantSQL || !reflect.DeepEqual(args, wantArgs) {
		t.Errorf("SQL\n got %s %v\nwant %s %v", sql, args, wantSQL, wantArgs)
	}
	// The aliases, written out: one join per path, two levels deep, and
	// the list relation of a joined table in its own scope.
	for _, part := range []string{
		`LEFT JOIN "orm_item" AS "_t1" ON "orm_item"."parentId" = "_t1"."id" LEFT JOIN "orm_owner" AS "_t2" ON "_t1"."ownerId" = "_t2"."id"`,
		`LEFT JOIN "orm_item" AS "_t3" ON "_t1"."parentId" = "_t3"."id"`,
		`LEFT JOIN "orm_owner" AS "_t4" ON "orm_item"."ownerId" = "_t4"."id"`,
		`EXISTS (SELECT 1 FROM "orm_item" AS "_t5" LEFT JOIN "orm_owner" AS "_t6" ON "_t5"."ownerId" = "_t6"."id" WHERE "_t5"."ownerId" = "_t4"."id" AND ("_t5"."name" LIKE $2 AND "_t6"."name" IS DISTINCT FROM $3))`,
		`WHERE ("_t2"."name" = $1 AND "_t3"."price" <= "orm_item"."price"`,
	} {
		if !strings.Contains(sql, part) {
			t.Errorf("SQL %s\nlacks %s", sql, part)
		}
	}
}

// A table with enum columns, for the enums that Columns finds from the
// rows' fields.
type testColor int

func (c testColor) String() string { return [...]string{"red", "green"}[c] }

type testSize int

func (s testSize) String() string { return [...]string{"small", "large"}[s] }

type painted struct {
	ID    *int64
	Color testColor
	Size  *testSize
}

type paintedCols struct {
	ref   *TableRef
	ID    IntColumn
	Color EnumColumn
	Size  EnumColumn
}

var tablePainted = NewTable("painted", []ColumnDef{
	{Name: "id", Field: "ID"}, {Name: "color", Field: "Color"}, {Name: "size", Field: "Size", Nullable: true, ByName: true},
}, (*painted)(nil), nil)

func TestColumnsEnums(t *testing.T) {
	cols := tablePainted.Columns((*paintedCols)(nil)).(*paintedCols)
	if again := tablePainted.Columns((*paintedCols)(nil)); again != cols {
		t.Error("declaring the columns again made others")
	}
	large := testSize(1)
	for _, tc := range []struct {
		name  string
		got   Expr
		where string
		args  []any
		err   string
	}{
		{"index", cols.Color.Equals(testColor(1)), `"painted"."color" = $1`, []any{int64(1)}, ""},
		{"name", cols.Size.Equals(large), `"painted"."size" = $1`, []any{"large"}, ""},
		{"pointer", cols.Size.NotEqualsPtr(&large), `"painted"."size" IS DISTINCT FROM $1`, []any{"large"}, ""},
		{"nil pointer", cols.Size.EqualsPtr((*testSize)(nil)), `"painted"."size" IS NULL`, nil, ""},
		{"set", cols.Color.InSet(testColor(0), testColor(1)), `"painted"."color" = ANY($1)`, []any{[]int64{0, 1}}, ""},
		{"other enum", cols.Color.Equals(large), "", nil, "db: column color holds values of enum db.testColor, not db.testSize"},
		{"other column", cols.Color.EqualsColumn(cols.Size), "", nil, "db: column color of enum db.testColor compared with column size of enum db.testSize"},
	} {
		sql, args, err := selectSQL(tablePainted, &query{where: tc.got}, Expr{}, "")
		wantSQL := ""
		if tc.where != "" {
			wantSQL = `SELECT "painted"."id", "painted"."color", "painted"."size" FROM "painted" WHERE ` + tc.where
		}
		if sql != wantSQL || !reflect.DeepEqual(args, tc.args) || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("%s: got %s %v %v\nwant %s %v %v", tc.name, sql, args, err, wantSQL, tc.args, tc.err)
		}
	}
	if _, args, _ := selectSQL(tablePainted, &query{where: cols.Size.Equals(large).And(cols.Color.Equals(testColor(1)))}, Expr{}, ""); !reflect.DeepEqual(args, []any{"large", int64(1)}) {
		t.Errorf("stored enum values: %#v", args)
	}
}

func TestColumnsMistakes(t *testing.T) {
	for _, tc := range []struct {
		name string
		cols any
		want string
	}{
		{"not a pointer", paintedCols{}, "not a pointer to a struct"},
		{"no ref", (*struct{ ID IntColumn })(nil), "no *TableRef field"},
		{"unknown field", (*struct {
			ref   *TableRef
			Other IntColumn
		})(nil), "field Other of struct"},
		{"wrong type", (*struct {
			ref *TableRef
			ID  int
		})(nil), "no column type"},
		{"enum of a plain field", (*struct {
			ref *TableRef
			ID  EnumColumn
		})(nil), "not an enum"},
	} {
		_, err := newColsPlan(tablePainted, reflect.TypeOf(tc.cols))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestColumnsConcurrentJoins: goroutines reaching new join paths at once
// share one set of columns per path.
func TestColumnsConcurrentJoins(t *testing.T) {
	got := make(chan *ownerCols, 8)
	for range cap(got) {
		go func() { got <- itemC.Parent().Parent().Parent().Owner() }()
	}
	first := <-got
	for range cap(got) - 1 {
		if o := <-got; o != first {
			t.Fatal("two goroutines got different columns for one join path")
		}
	}
}
