package e2e

import (
	"context"
	"math/big"
	"net/url"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/wire"

	"orm/generated/protocol"
)

// TestColumnTypes checks the tables the migration created against the
// column types the ORM reads and writes: Serverpod 2.4's mapping.
func TestColumnTypes(t *testing.T) {
	want := []struct {
		name, typ  string
		nullable   bool
		hasDefault bool
	}{
		{"id", "bigint", false, true},
		{"anInt", "bigint", false, false},
		{"aDouble", "double precision", false, false},
		{"aBool", "boolean", false, false},
		{"aString", "text", false, false},
		{"aDateTime", "timestamp without time zone", false, false},
		{"aDuration", "bigint", false, false},
		{"aUuid", "uuid", false, false},
		{"aUri", "text", false, false},
		{"aBigInt", "text", false, false},
		{"aByteData", "bytea", false, false},
		{"aColor", "bigint", false, false},
		{"aSize", "text", false, false},
		{"aList", "json", false, false},
		{"aMap", "json", false, false},
		{"aSet", "json", false, false},
		{"anIntMap", "json", false, false},
		{"aPoint", "json", false, false},
		{"maybeInt", "bigint", true, false},
		{"maybeDouble", "double precision", true, false},
		{"maybeBool", "boolean", true, false},
		{"maybeString", "text", true, false},
		{"maybeDateTime", "timestamp without time zone", true, false},
		{"maybeDuration", "bigint", true, false},
		{"maybeUuid", "uuid", true, false},
		{"maybeUri", "text", true, false},
		{"maybeBigInt", "text", true, false},
		{"maybeByteData", "bytea", true, false},
		{"maybeColor", "bigint", true, false},
		{"maybeSize", "text", true, false},
		{"maybeList", "json", true, false},
		{"maybePoint", "json", true, false},
		{"created", "timestamp without time zone", true, true},
		{"tag", "text", true, true},
		{"secret", "text", true, false},
	}
	rows, err := database.Query(context.Background(), `SELECT column_name, data_type, is_nullable = 'YES', column_default IS NOT NULL
		FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'sample' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var name, typ string
		var nullable, hasDefault bool
		if err := rows.Scan(&name, &typ, &nullable, &hasDefault); err != nil {
			t.Fatal(err)
		}
		if i >= len(want) {
			t.Errorf("unexpected column %s", name)
			continue
		}
		w := want[i]
		if name != w.name || typ != w.typ || nullable != w.nullable || hasDefault != w.hasDefault {
			t.Errorf("column %d = %s %s nullable=%v default=%v, want %s %s nullable=%v default=%v", i, name, typ, nullable, hasDefault, w.name, w.typ, w.nullable, w.hasDefault)
		}
		i++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(want) {
		t.Errorf("%d columns, want %d", i, len(want))
	}
}

func requiredSample(s string) protocol.Sample {
	u, _ := url.Parse("https://example.com/a?b=c")
	bi, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	return protocol.Sample{
		AnInt:     -7,
		ADouble:   2.5,
		ABool:     true,
		AString:   s,
		ADateTime: time.Date(2024, 5, 1, 22, 0, 0, 123456000, time.FixedZone("CEST", 2*3600)),
		ADuration: 90*time.Minute + 1500*time.Microsecond,
		AUUID:     wire.MustParseUUID("550e8400-e29b-41d4-a716-446655440000"),
		AURI:      u,
		ABigInt:   bi,
		AByteData: []byte{0, 1, 0xfe, 0xff},
		AColor:    protocol.ColorBlue,
		ASize:     protocol.SizeLarge,
		AList:     []int64{1, 2, 3},
		AMap:      map[string]int64{"b": 2, "a": 1},
		ASet:      []string{"x", "y"},
		AnIntMap:  map[int64]string{2: "two", 1: "one"},
		APoint:    protocol.Point{X: 1, Y: 2, Label: ptr("secret label")},
	}
}

func fullSample(s string) protocol.Sample {
	x := requiredSample(s)
	u, _ := url.Parse("mailto:a@b.c")
	x.MaybeInt = ptr(int64(1) << 62)
	x.MaybeDouble = ptr(-0.125)
	x.MaybeBool = ptr(false)
	x.MaybeString = ptr("")
	x.MaybeDateTime = ptr(time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC))
	x.MaybeDuration = ptr(-time.Second)
	x.MaybeUUID = ptr(wire.MustParseUUID("00000000-0000-0000-0000-000000000001"))
	x.MaybeURI = u
	x.MaybeBigInt = big.NewInt(0)
	x.MaybeByteData = []byte{}
	x.MaybeColor = ptr(protocol.ColorRed)
	x.MaybeSize = ptr(protocol.SizeSmall)
	x.MaybeList = []*protocol.Point{{X: 3}, nil}
	x.MaybePoint = &protocol.Point{Y: -4}
	x.Created = ptr(time.Date(2020, 2, 29, 12, 0, 0, 0, time.UTC))
	x.Tag = ptr("given")
	x.Secret = ptr("server only")
	return x
}

// TestRoundTrip writes every type and reads it back, through the ORM and
// as PostgreSQL holds it.
func TestRoundTrip(t *testing.T) {
	reset(t, "sample")
	c := conn(t)

	full := fullSample("full")
	full.ID = ptr(int64(999)) // ignored, as in Serverpod
	full.Note = ptr("kept in the returned row, never stored")
	stored := insert(t, protocol.SampleDB, full)
	if stored.ID == nil || *stored.ID == 999 {
		t.Fatalf("id = %v, want a new one", stored.ID)
	}
	if stored.Note == nil || *stored.Note != *full.Note {
		t.Errorf("the row returned by InsertRow lost its non-column field: %v", stored.Note)
	}
	got, err := db.FindByID(c, protocol.SampleDB, *stored.ID)
	if err != nil || got == nil {
		t.Fatalf("FindByID = %v, %v", got, err)
	}
	want := full
	want.ID, want.Note = stored.ID, nil
	// Durations are stored in whole milliseconds, as by Serverpod.
	want.ADuration = 90*time.Minute + time.Millisecond
	if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
		t.Errorf("read back:\n got %s\nwant %s", g, w)
	}
	if got.ADateTime.Location() != time.UTC {
		t.Errorf("DateTime read in %v, want UTC", got.ADateTime.Location())
	}

	// As PostgreSQL holds them: UTC timestamps, milliseconds, enum indexes
	// and names, canonical text, and the full JSON (server-only fields
	// included) in json columns.
	var dt, uuid, uri, bigInt, bytes, size, list, amap, point, maybeList string
	var dur, color int64
	err = database.QueryRow(context.Background(), `SELECT "aDateTime"::text, "aDuration", "aUuid"::text, "aUri", "aBigInt",
		encode("aByteData", 'hex'), "aColor", "aSize", "aList"::text, "aMap"::text, "aPoint"::text, "maybeList"::text
		FROM sample WHERE id = $1`, *stored.ID).Scan(&dt, &dur, &uuid, &uri, &bigInt, &bytes, &color, &size, &list, &amap, &point, &maybeList)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"aDateTime", dt, "2024-05-01 20:00:00.123456"},
		{"aUuid", uuid, "550e8400-e29b-41d4-a716-446655440000"},
		{"aUri", uri, "https://example.com/a?b=c"},
		{"aBigInt", bigInt, "-123456789012345678901234567890"},
		{"aByteData", bytes, "0001feff"},
		{"aSize", size, "large"},
		{"aList", list, "[1,2,3]"},
		{"aMap", amap, `{"a":1,"b":2}`},
		{"aPoint", point, `{"x":1,"y":2,"label":"secret label"}`},
		{"maybeList", maybeList, `[{"x":3,"y":0},null]`},
	} {
		if c.got != c.want {
			t.Errorf("%s stored as %q, want %q", c.name, c.got, c.want)
		}
	}
	if dur != 5400001 {
		t.Errorf("aDuration stored as %d, want 5400001 ms", dur)
	}
	if color != 2 {
		t.Errorf("aColor stored as %d, want the index 2", color)
	}
}

// TestNullsAndDefaults stores a row with every nullable column null: they
// read back as nil, except the columns with a database default.
func TestNullsAndDefaults(t *testing.T) {
	reset(t, "sample")
	c := conn(t)
	stored := insert(t, protocol.SampleDB, requiredSample("nulls"))
	if stored.Created == nil {
		t.Error("created is null, want the database's CURRENT_TIMESTAMP")
	}
	if stored.Tag == nil || *stored.Tag != "untagged" {
		t.Errorf("tag = %v, want the default 'untagged'", stored.Tag)
	}
	got, err := db.FindByID(c, protocol.SampleDB, *stored.ID)
	if err != nil || got == nil {
		t.Fatalf("FindByID = %v, %v", got, err)
	}
	if g, w := jsonOf(t, got), jsonOf(t, &stored); g != w {
		t.Errorf("read back:\n got %s\nwant %s", g, w)
	}
	if got.MaybeInt != nil || got.MaybeDateTime != nil || got.MaybeDuration != nil || got.MaybeUUID != nil || got.MaybeURI != nil ||
		got.MaybeBigInt != nil || got.MaybeByteData != nil || got.MaybeColor != nil || got.MaybeSize != nil || got.MaybeList != nil || got.MaybePoint != nil {
		t.Errorf("null columns read as values: %+v", got)
	}
	var nulls int
	err = database.QueryRow(context.Background(), `SELECT num_nulls("maybeInt", "maybeDouble", "maybeBool", "maybeString", "maybeDateTime",
		"maybeDuration", "maybeUuid", "maybeUri", "maybeBigInt", "maybeByteData", "maybeColor", "maybeSize", "maybeList", "maybePoint", "secret")
		FROM sample WHERE id = $1`, *stored.ID).Scan(&nulls)
	if err != nil || nulls != 15 {
		t.Errorf("%d null columns (%v), want 15", nulls, err)
	}

	// Updating to null writes null, not the default.
	stored.Tag = nil
	updated, err := db.UpdateRow(c, protocol.SampleDB, stored)
	if err != nil || updated.Tag != nil {
		t.Errorf("update to null: tag = %v, %v", updated.Tag, err)
	}
}
