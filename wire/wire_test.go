package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/big"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func encodeWith[T any](t *testing.T, f EncodeFunc[T], v T) string {
	t.Helper()
	b, err := Marshal(f, v)
	if err != nil {
		t.Fatalf("encode %v: %v", v, err)
	}
	return string(b)
}

func decodeWith[T any](t *testing.T, f DecodeFunc[T], text string) T {
	t.Helper()
	v, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("parse %s: %v", text, err)
	}
	x, err := f(v)
	if err != nil {
		t.Fatalf("decode %s: %v", text, err)
	}
	return x
}

// roundTrip checks both directions against Serverpod's exact text.
func roundTrip[T any](t *testing.T, enc EncodeFunc[T], dec DecodeFunc[T], v T, want string) {
	t.Helper()
	if got := encodeWith(t, enc, v); got != want {
		t.Errorf("encode %#v = %s, want %s", v, got, want)
	}
	back := decodeWith(t, dec, want)
	if again := encodeWith(t, enc, back); again != want {
		t.Errorf("decode(%s) re-encodes as %s", want, again)
	}
}

func TestInt(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		want string
	}{{0, "0"}, {42, "42"}, {-7, "-7"}, {math.MaxInt64, "9223372036854775807"}, {math.MinInt64, "-9223372036854775808"}} {
		roundTrip(t, (*Encoder).Int, DecodeInt, tc.v, tc.want)
	}
}

func TestDoubleMatchesDartToString(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0.0"},
		{1, "1.0"},
		{-2, "-2.0"},
		{1.5, "1.5"},
		{0.1, "0.1"},
		{100, "100.0"},
		{1e20, "100000000000000000000.0"},
		{1e21, "1e+21"},
		{1.5e300, "1.5e+300"},
		{0.000001, "0.000001"},
		{1e-7, "1e-7"},
		{-1.25e-10, "-1.25e-10"},
		{123456.789, "123456.789"},
	} {
		roundTrip(t, (*Encoder).Double, DecodeDouble, tc.v, tc.want)
	}
	if got := decodeWith(t, DecodeDouble, "3"); got != 3 {
		t.Errorf("an int decodes as double %v", got)
	}
	e := NewEncoder(false)
	e.Double(math.NaN())
	if _, err := e.Bytes(); err == nil {
		t.Error("NaN encoded without an error")
	}
}

func TestBoolAndString(t *testing.T) {
	roundTrip(t, (*Encoder).Bool, DecodeBool, true, "true")
	roundTrip(t, (*Encoder).Bool, DecodeBool, false, "false")
	for _, tc := range []struct{ v, want string }{
		{"Hello Bob", `"Hello Bob"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"tab\tnl\ncr\rbs\bff\f", `"tab\tnl\ncr\rbs\bff\f"`},
		{"\x01\x1f", `"\u0001\u001f"`},
		{"<&> ünï 😀 \u2028", `"<&> ünï 😀 ` + "\u2028" + `"`},
	} {
		roundTrip(t, (*Encoder).String, DecodeString, tc.v, tc.want)
	}
	if got := encodeWith(t, (*Encoder).String, "bad\xffutf8"); got != `"bad`+"\ufffd"+`utf8"` {
		t.Errorf("invalid UTF-8 encodes as %s", got)
	}
}

func TestDateTime(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		v    time.Time
		want string
	}{
		{time.Date(2024, 5, 1, 22, 0, 0, 0, time.UTC), `"2024-05-01T22:00:00.000Z"`},
		{time.Date(2024, 5, 1, 22, 0, 0, 123000000, time.UTC), `"2024-05-01T22:00:00.123Z"`},
		{time.Date(2024, 5, 1, 22, 0, 0, 123456000, time.UTC), `"2024-05-01T22:00:00.123456Z"`},
		{time.Date(2024, 5, 1, 23, 0, 0, 0, cet), `"2024-05-01T22:00:00.000Z"`},
		{time.Date(12, 1, 2, 3, 4, 5, 0, time.UTC), `"0012-01-02T03:04:05.000Z"`},
		{time.Date(12345, 1, 2, 3, 4, 5, 0, time.UTC), `"+012345-01-02T03:04:05.000Z"`},
	} {
		roundTrip(t, (*Encoder).DateTime, DecodeDateTime, tc.v, tc.want)
	}
	for _, in := range []string{"2024-05-01T22:00:00Z", "2024-05-01 22:00:00.000Z", "20240501T220000Z", "2024-05-02T00:00:00+02:00", "2024-05-01T22:00:00", "2024-05-01T22:00:00.000000Z"} {
		got := decodeWith(t, DecodeDateTime, `"`+in+`"`)
		if want := time.Date(2024, 5, 1, 22, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("parse %s = %v, want %v", in, got, want)
		}
	}
	for _, bad := range []string{`"yesterday"`, `"2024-13-01T00:00:00Z"`, `"2024-02-30T00:00:00Z"`, `5`} {
		v, _ := Parse([]byte(bad))
		if _, err := DecodeDateTime(v); err == nil {
			t.Errorf("DateTime %s decoded without error", bad)
		}
	}
}

func TestDuration(t *testing.T) {
	roundTrip(t, (*Encoder).Duration, DecodeDuration, 90*time.Minute, "5400000")
	roundTrip(t, (*Encoder).Duration, DecodeDuration, 1500*time.Millisecond, "1500")
	roundTrip(t, (*Encoder).Duration, DecodeDuration, -time.Second, "-1000")
	v, _ := Parse([]byte("9223372036854775807"))
	if _, err := DecodeDuration(v); err == nil {
		t.Error("an out-of-range duration decoded")
	}
}

func TestUUID(t *testing.T) {
	u := MustParseUUID("550E8400-E29B-41D4-A716-446655440000")
	roundTrip(t, (*Encoder).UUID, DecodeUUID, u, `"550e8400-e29b-41d4-a716-446655440000"`)
	n := NewUUID()
	if n[6]>>4 != 4 || n[8]>>6 != 2 || n == NewUUID() {
		t.Errorf("NewUUID %s is not a random version 4 UUID", n)
	}
	for _, bad := range []string{"", "550e8400e29b41d4a716446655440000", "550e8400-e29b-41d4-a716-44665544000g"} {
		if _, err := ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q) succeeded", bad)
		}
	}
}

func TestURIBigIntByteData(t *testing.T) {
	u, _ := url.Parse("https://serverpod.dev/a?b=c")
	roundTrip(t, (*Encoder).URI, DecodeURI, u, `"https://serverpod.dev/a?b=c"`)
	n, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	roundTrip(t, (*Encoder).BigInt, DecodeBigInt, n, `"-123456789012345678901234567890"`)
	roundTrip(t, (*Encoder).ByteData, DecodeByteData, []byte("hello"), `"decode('aGVsbG8=', 'base64')"`)
	roundTrip(t, (*Encoder).ByteData, DecodeByteData, []byte{}, `"decode('', 'base64')"`)
	if got := decodeWith(t, DecodeByteData, `"aGVsbG8="`); string(got) != "hello" {
		t.Errorf("plain base64 decoded as %q", got)
	}
}

func TestContainers(t *testing.T) {
	roundTrip(t, EncodeList((*Encoder).Int), DecodeList(DecodeInt), []int64{1, 2, 3}, "[1,2,3]")
	roundTrip(t, EncodeList((*Encoder).Int), DecodeList(DecodeInt), []int64{}, "[]")
	one := int64(1)
	roundTrip(t, EncodeList(EncodeNullable((*Encoder).Int)), DecodeList(DecodeNullable(DecodeInt)), []*int64{&one, nil}, "[1,null]")
	roundTrip(t, EncodeStringMap((*Encoder).String), DecodeStringMap(DecodeString), map[string]string{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`)
	roundTrip(t, EncodeMap((*Encoder).Int, (*Encoder).String), DecodeMap(DecodeInt, DecodeString), map[int64]string{2: "two", 1: "one"}, `[{"k":1,"v":"one"},{"k":2,"v":"two"}]`)
	nested := map[string][][]int64{"x": {{1}, {}}}
	roundTrip(t, EncodeStringMap(EncodeList(EncodeList((*Encoder).Int))), DecodeStringMap(DecodeList(DecodeList(DecodeInt))), nested, `{"x":[[1],[]]}`)
	roundTrip(t, EncodeList(EncodeNullableList((*Encoder).Int)), DecodeList(DecodeOrZero(DecodeList(DecodeInt))), [][]int64{nil, {}}, "[null,[]]")

	v, _ := Parse([]byte(`[1,2,1]`))
	if _, err := DecodeSet(DecodeInt)(v); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("a Set with duplicates decoded: %v", err)
	}
}

func TestDecodeErrorsNamePath(t *testing.T) {
	v, _ := Parse([]byte(`{"items":[{"k":1,"v":"a"},{"k":"x","v":"b"}]}`))
	o, _ := Object(v)
	_, err := Field(o, "items", DecodeMap(DecodeInt, DecodeString))
	if err == nil || err.Error() != `items[1].k: expected an int, got the string "x"` {
		t.Errorf("error = %v", err)
	}
	_, err = Field(o, "missing", DecodeInt)
	if err == nil || err.Error() != "missing: missing required field" {
		t.Errorf("error = %v", err)
	}
	for _, bad := range []string{`1.5`, `"1"`, `true`, `1e400`} {
		x, _ := Parse([]byte(bad))
		if _, err := DecodeInt(x); err == nil {
			t.Errorf("int %s decoded", bad)
		}
	}
	if got := decodeWith(t, DecodeInt, "2.0"); got != 2 {
		t.Errorf("2.0 decoded as %d", got)
	}
	if _, err := Parse([]byte(`{} x`)); err == nil {
		t.Error("trailing data accepted")
	}
}

func TestRegistry(t *testing.T) {
	mod := NewRegistry()
	mod.Add("UserInfo", Any(DecodeString))
	r := NewRegistry()
	r.Add("Example", Any(DecodeInt))
	r.AddModule("serverpod_auth", mod)
	for _, tc := range []struct {
		in   string
		want any
	}{
		{`{"className":"Example","data":5}`, int64(5)},
		{`{"className":"serverpod_auth.UserInfo","data":"u"}`, "u"},
		{`{"className":"String","data":"s"}`, "s"},
		{`{"className":"null","data":null}`, nil},
	} {
		v, _ := Parse([]byte(tc.in))
		got, err := r.DecodeTagged(v)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("DecodeTagged(%s) = %v, %v", tc.in, got, err)
		}
	}
	v, _ := Parse([]byte(`{"className":"Nope","data":1}`))
	if _, err := r.DecodeTagged(v); err == nil {
		t.Error("unknown class decoded")
	}
	e := NewEncoder(true)
	e.Tagged("Example", func(e *Encoder) { e.Int(5) })
	if b, _ := e.Bytes(); string(b) != `{"className":"Example","data":5}` {
		t.Errorf("tagged = %s", b)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `[{"k":1,"v":"x"}]`, `"decode('aGk=', 'base64')"`, `"2024-05-01T22:00:00.000Z"`, `1e400`, `[1,1]`, `"550e8400-e29b-41d4-a716-446655440000"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			return
		}
		// Every decoder must answer with a value or an error, never panic.
		_, _ = DecodeInt(v)
		_, _ = DecodeDouble(v)
		_, _ = DecodeDateTime(v)
		_, _ = DecodeDuration(v)
		_, _ = DecodeUUID(v)
		_, _ = DecodeURI(v)
		_, _ = DecodeBigInt(v)
		_, _ = DecodeByteData(v)
		_, _ = DecodeSet(DecodeInt)(v)
		_, _ = DecodeMap(DecodeInt, DecodeList(DecodeString))(v)
		_, _ = DecodeStringMap(DecodeNullable(DecodeDouble))(v)
		if s, err := DecodeString(v); err == nil {
			// Strings survive a round trip through the encoder.
			back := decodeWith(t, DecodeString, encodeWith(t, (*Encoder).String, s))
			if strings.ToValidUTF8(s, "\ufffd") != back {
				t.Errorf("string %q came back as %q", s, back)
			}
		}
	})
}

// FuzzParse checks the request-path parser against encoding/json: the same
// inputs are valid, and valid ones give the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e-3,-0,true,false,null]}`, `"\ud83d\ude00\u00e9\n"`, `"\ud800x"`, `{"a":1,"a":2}`, ` [ ] `, `01`, `1.`, `"bad\xff"`, `{"k":{"k":{"k":[[]]}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		var want any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		werr := d.Decode(&want)
		if werr == nil {
			if _, terr := d.Token(); terr != io.EOF {
				werr = errors.New("trailing data")
			}
		}
		if err != nil && strings.Contains(err.Error(), "nested more than") {
			return
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("Parse(%q): err %v, encoding/json: %v", data, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %#v, encoding/json gives %#v", data, got, want)
		}
	})
}
