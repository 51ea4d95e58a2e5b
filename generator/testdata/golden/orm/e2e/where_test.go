package e2e

import (
	"context"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/wire"

	"orm/generated/protocol"
)

// Strings that would change a statement if they were pasted into it;
// they must be stored and matched literally.
const (
	injectQuote  = `'; DROP TABLE sample; --`
	injectDouble = `x" OR "1"="1`
)

var (
	uuid1 = wire.MustParseUUID("11111111-1111-1111-1111-111111111111")
	uuid2 = wire.MustParseUUID("22222222-2222-2222-2222-222222222222")
)

// seedSamples stores five rows; the comments of each operator's cases
// refer to these values.
func seedSamples(t *testing.T) {
	reset(t, "sample")
	rows := []struct {
		name     string
		n        int64
		maybeInt *int64
		maybeStr *string
		color    protocol.Color
		size     protocol.Size
		uuid     wire.UUID
	}{
		{"alpha", 1, nil, nil, protocol.ColorRed, protocol.SizeSmall, uuid1},
		{"beta", 2, ptr(int64(10)), ptr("x"), protocol.ColorGreen, protocol.SizeMedium, uuid2},
		{"Gamma", 3, ptr(int64(20)), ptr("y"), protocol.ColorBlue, protocol.SizeLarge, uuid1},
		{injectQuote, 4, nil, ptr("%"), protocol.ColorRed, protocol.SizeSmall, uuid2},
		{injectDouble, 5, ptr(int64(30)), nil, protocol.ColorGreen, protocol.SizeMedium, uuid1},
	}
	var all []protocol.Sample
	for _, r := range rows {
		s := requiredSample(r.name)
		s.AnInt = r.n
		s.ADouble = float64(r.n) + 0.5
		s.ABool = r.n%2 == 1
		s.ADateTime = time.Date(2024, time.Month(r.n), 1, 12, 0, 0, 0, time.UTC)
		s.ADuration = time.Duration(r.n) * time.Second
		s.AColor, s.ASize, s.AUUID = r.color, r.size, r.uuid
		s.AURI, _ = url.Parse("https://example.com/" + strings.Repeat("x", int(r.n)))
		s.ABigInt = new(big.Int).Lsh(big.NewInt(r.n), 100)
		s.MaybeInt, s.MaybeString = r.maybeInt, r.maybeStr
		all = append(all, s)
	}
	if _, err := db.Insert(conn(t), protocol.SampleDB, all...); err != nil {
		t.Fatal(err)
	}
}

func names(rows []protocol.Sample) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.AString)
	}
	return out
}

func TestWhereOperators(t *testing.T) {
	seedSamples(t)
	s := protocol.SampleT
	u2, _ := url.Parse("https://example.com/xx")
	utcMinus2 := time.FixedZone("", -2*3600)
	all := []string{"alpha", "beta", "Gamma", injectQuote, injectDouble}
	cases := []struct {
		name  string
		where db.Expr
		want  []string
	}{
		{"no condition", db.Expr{}, all},
		{"Constant(true)", db.Constant(true), all},
		{"Constant(false)", db.Constant(false), nil},

		{"int Equals", s.AnInt.Equals(2), []string{"beta"}},
		{"int NotEquals", s.AnInt.NotEquals(2), []string{"alpha", "Gamma", injectQuote, injectDouble}},
		{"nullable NotEquals keeps nulls", s.MaybeInt.NotEquals(10), []string{"alpha", "Gamma", injectQuote, injectDouble}},
		{"IsNull", s.MaybeInt.IsNull(), []string{"alpha", injectQuote}},
		{"IsNotNull", s.MaybeInt.IsNotNull(), []string{"beta", "Gamma", injectDouble}},
		{"InSet", s.AnInt.InSet(1, 3, 99), []string{"alpha", "Gamma"}},
		{"InSet of nothing", s.AnInt.InSet(), nil},
		{"NotInSet keeps nulls", s.MaybeInt.NotInSet(10, 30), []string{"alpha", "Gamma", injectQuote}},
		{"NotInSet of nothing", s.MaybeInt.NotInSet(), all},

		{"int GreaterThan", s.AnInt.GreaterThan(3), []string{injectQuote, injectDouble}},
		{"int GreaterOrEqual", s.AnInt.GreaterOrEqual(3), []string{"Gamma", injectQuote, injectDouble}},
		{"int LessThan", s.AnInt.LessThan(2), []string{"alpha"}},
		{"int LessOrEqual", s.AnInt.LessOrEqual(2), []string{"alpha", "beta"}},
		{"int Between", s.AnInt.Between(2, 4), []string{"beta", "Gamma", injectQuote}},
		{"int NotBetween", s.AnInt.NotBetween(2, 4), []string{"alpha", injectDouble}},
		{"nullable int GreaterThan", s.MaybeInt.GreaterThan(15), []string{"Gamma", injectDouble}},
		{"double GreaterThan", s.ADouble.GreaterThan(2.5), []string{"Gamma", injectQuote, injectDouble}},
		{"double Between", s.ADouble.Between(1.5, 2.5), []string{"alpha", "beta"}},
		{"double NotBetween", s.ADouble.NotBetween(1.5, 4.5), []string{injectDouble}},
		// 09:00 UTC on 1 March, given in another zone: compared in UTC.
		{"DateTime GreaterThan", s.ADateTime.GreaterThan(time.Date(2024, 3, 1, 7, 0, 0, 0, utcMinus2)), []string{"Gamma", injectQuote, injectDouble}},
		{"DateTime LessOrEqual", s.ADateTime.LessOrEqual(time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)), []string{"alpha", "beta"}},
		{"DateTime Between", s.ADateTime.Between(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)), []string{"beta", "Gamma"}},
		{"DateTime NotBetween", s.ADateTime.NotBetween(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 4, 30, 0, 0, 0, 0, time.UTC)), []string{"alpha", injectDouble}},
		{"DateTime Equals", s.ADateTime.Equals(time.Date(2024, 4, 1, 10, 0, 0, 0, utcMinus2)), []string{injectQuote}},
		{"Duration GreaterThan", s.ADuration.GreaterThan(3500 * time.Millisecond), []string{injectQuote, injectDouble}},
		{"Duration LessThan", s.ADuration.LessThan(2 * time.Second), []string{"alpha"}},
		{"Duration Between", s.ADuration.Between(2*time.Second, 3*time.Second), []string{"beta", "Gamma"}},
		{"Duration NotBetween", s.ADuration.NotBetween(2*time.Second, 4*time.Second), []string{"alpha", injectDouble}},
		{"Duration InSet", s.ADuration.InSet(time.Second, 5*time.Second), []string{"alpha", injectDouble}},
		{"DateTime InSet", s.ADateTime.InSet(time.Date(2024, 2, 1, 13, 0, 0, 0, time.FixedZone("", 3600)), time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)), []string{"beta"}},
		{"double InSet", s.ADouble.InSet(3.5, 5.5), []string{"Gamma", injectDouble}},
		{"bool NotInSet", s.ABool.NotInSet(true), []string{"beta", injectQuote}},
		{"EqualsPtr", s.MaybeInt.EqualsPtr(ptr(int64(20))), []string{"Gamma"}},
		{"EqualsPtr nil", s.MaybeInt.EqualsPtr(nil), []string{"alpha", injectQuote}},
		{"NotEqualsPtr nil", s.MaybeInt.NotEqualsPtr(nil), []string{"beta", "Gamma", injectDouble}},
		{"column less than column", s.AnInt.LessThanColumn(s.MaybeInt), []string{"beta", "Gamma", injectDouble}},
		{"column greater than column", s.ADouble.GreaterThanColumn(s.MaybeDouble), nil},
		{"column equals column", s.AString.EqualsColumn(s.AString), all},
		{"column differs from column", s.MaybeString.NotEqualsColumn(s.MaybeString), nil},

		{"string Equals, quote injection", s.AString.Equals(injectQuote), []string{injectQuote}},
		{"string Equals, double quote injection", s.AString.Equals(injectDouble), []string{injectDouble}},
		{"string Equals, tautology", s.AString.Equals(`' OR '1'='1`), nil},
		{"string InSet, injections", s.AString.InSet(injectQuote, injectDouble, `') OR TRUE --`), []string{injectQuote, injectDouble}},
		{"Like", s.AString.Like("%a"), []string{"alpha", "beta", "Gamma"}},
		{"Like is case-sensitive", s.AString.Like("g%"), nil},
		{"Like with a quote", s.AString.Like("'%"), []string{injectQuote}},
		{"NotLike keeps nulls", s.MaybeString.NotLike("x"), []string{"alpha", "Gamma", injectQuote, injectDouble}},
		{"ILike", s.AString.ILike("g%"), []string{"Gamma"}},
		{"NotILike", s.AString.NotILike("%A%"), []string{injectDouble}},
		{"Like matches a literal percent", s.MaybeString.Like(`\%`), []string{injectQuote}},

		{"bool Equals", s.ABool.Equals(false), []string{"beta", injectQuote}},
		{"enum by index Equals", s.AColor.Equals(protocol.ColorGreen), []string{"beta", injectDouble}},
		{"enum by index InSet", s.AColor.InSet(protocol.ColorRed, protocol.ColorBlue), []string{"alpha", "Gamma", injectQuote}},
		{"enum by name Equals", s.ASize.Equals(protocol.SizeLarge), []string{"Gamma"}},
		{"enum by name NotInSet", s.ASize.NotInSet(protocol.SizeSmall), []string{"beta", "Gamma", injectDouble}},
		{"UUID Equals", s.AUUID.Equals(uuid2), []string{"beta", injectQuote}},
		{"UUID InSet", s.AUUID.InSet(uuid1), []string{"alpha", "Gamma", injectDouble}},
		{"URI Equals", s.AURI.Equals(u2), []string{"beta"}},
		{"URI Equals nil is IsNull", s.MaybeURI.Equals(nil), all},
		{"BigInt Equals", s.ABigInt.Equals(new(big.Int).Lsh(big.NewInt(3), 100)), []string{"Gamma"}},
		{"BigInt NotInSet", s.ABigInt.NotInSet(new(big.Int).Lsh(big.NewInt(3), 100), nil), []string{"alpha", "beta", injectQuote, injectDouble}},

		{"And", s.AnInt.GreaterThan(1).And(s.ABool.Equals(true)), []string{"Gamma", injectDouble}},
		{"Or", s.AnInt.Equals(1).Or(s.AString.Equals(injectDouble)), []string{"alpha", injectDouble}},
		{"Not", db.Not(s.AnInt.LessThan(4)), []string{injectQuote, injectDouble}},
		{"nested", db.Or(db.And(s.AnInt.GreaterThan(1), s.MaybeInt.IsNull()), s.ASize.Equals(protocol.SizeLarge)), []string{"Gamma", injectQuote}},
		{"Or with no condition matches all", db.Or(s.AnInt.Equals(1), db.Expr{}), all},
		{"Not of no condition matches nothing", db.Not(db.Expr{}), nil},
	}
	c := conn(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Find(c, protocol.SampleDB, db.Where(tc.where), db.OrderBy(s.AnInt.Asc()))
			if err != nil {
				t.Fatal(err)
			}
			if g := names(got); !slices.Equal(g, tc.want) {
				t.Errorf("got %q, want %q", g, tc.want)
			}
			n, err := db.Count(c, protocol.SampleDB, db.Where(tc.where))
			if err != nil || n != int64(len(tc.want)) {
				t.Errorf("Count = %d, %v; want %d", n, err, len(tc.want))
			}
		})
	}
	// The injections were data, nothing else.
	var tables int
	if err := database.QueryRow(context.Background(), `SELECT count(*) FROM sample`).Scan(&tables); err != nil || tables != 5 {
		t.Errorf("sample has %d rows (%v) after the injection attempts, want 5", tables, err)
	}
}

func TestOrderLimitOffset(t *testing.T) {
	seedSamples(t)
	s := protocol.SampleT
	c := conn(t)
	got, err := db.Find(c, protocol.SampleDB, db.OrderBy(s.AColor.Asc(), s.AnInt.Desc()))
	if want := []string{injectQuote, "alpha", injectDouble, "beta", "Gamma"}; err != nil || !slices.Equal(names(got), want) {
		t.Errorf("two keys: %q, %v; want %q", names(got), err, want)
	}
	got, err = db.Find(c, protocol.SampleDB, db.OrderBy(s.AnInt.Asc()), db.Limit(2), db.Offset(1))
	if want := []string{"beta", "Gamma"}; err != nil || !slices.Equal(names(got), want) {
		t.Errorf("limit and offset: %q, %v; want %q", names(got), err, want)
	}
	got, err = db.Find(c, protocol.SampleDB, db.OrderBy(s.ASize.Desc(), s.AnInt.Asc()), db.Limit(0))
	if err != nil || len(got) != 0 {
		t.Errorf("Limit(0) = %q, %v; want nothing", names(got), err)
	}

	first, err := db.FindFirstRow(c, protocol.SampleDB, db.Where(s.AnInt.GreaterThan(1)), db.OrderBy(s.ADuration.Desc()), db.Offset(1))
	if err != nil || first == nil || first.AString != injectQuote {
		t.Errorf("FindFirstRow = %v, %v", first, err)
	}
	none, err := db.FindFirstRow(c, protocol.SampleDB, db.Where(s.AnInt.GreaterThan(100)))
	if err != nil || none != nil {
		t.Errorf("FindFirstRow of nothing = %v, %v; want nil, nil", none, err)
	}
	missing, err := db.FindByID(c, protocol.SampleDB, 1<<40)
	if err != nil || missing != nil {
		t.Errorf("FindByID of a missing id = %v, %v; want nil, nil", missing, err)
	}
	if n, err := db.Count(c, protocol.SampleDB, db.Where(s.AnInt.GreaterThan(1)), db.Limit(2)); err != nil || n != 2 {
		t.Errorf("Count with a limit = %d, %v; want 2", n, err)
	}
}

func TestQueryMistakes(t *testing.T) {
	c := conn(t)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"FindByID with Where", second(db.FindByID(c, protocol.SampleDB, 1, db.Where(protocol.SampleT.AnInt.Equals(1)))), "FindByID does not take Where"},
		{"Count with OrderBy", second(db.Count(c, protocol.SampleDB, db.OrderBy(protocol.SampleT.AnInt.Asc()))), "Count does not take OrderBy"},
		{"negative limit", second(db.Find(c, protocol.SampleDB, db.Limit(-1))), "cannot be negative"},
		{"column of another table", second(db.Find(c, protocol.SampleDB, db.Where(protocol.CityT.Name.Equals("x")))), `a column of table "city" is used in a query on table "sample"`},
		{"include of another table", second(db.Find(c, protocol.SampleDB, db.Include(protocol.CityInclude{}))), "an include of another table"},
		{"value of another enum", second(db.Find(c, protocol.SampleDB, db.Where(protocol.SampleT.AColor.Equals(protocol.SizeLarge)))), "column aColor holds values of enum protocol.Color, not protocol.Size"},
		{"update of another table's column", second(db.Update(c, protocol.SampleDB, nil, protocol.CityT.Name)), `column "name" is not a column of table sample`},
		{"update of the id", second(db.Update(c, protocol.SampleDB, nil, protocol.SampleT.ID)), "cannot be updated"},
		{"DeleteWhere without a condition", second(db.DeleteWhere(c, protocol.SampleDB, db.Expr{})), "needs a condition"},
		{"update without an id", second(db.UpdateRow(c, protocol.SampleDB, requiredSample("x"))), "the row has no id"},
		{"delete without an id", second(db.DeleteRow(c, protocol.SampleDB, requiredSample("x"))), "the row has no id"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
