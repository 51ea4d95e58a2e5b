package wire

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The models below come in pairs: new* types carry the struct tags the
// generator writes and travel by their plan; old* types carry the
// methods the generator wrote before plans, copied here, as the
// reference for bytes and errors.

type testColor int

var testColorNames = [...]string{"red", "green", "blue"}

func (v testColor) EncodeJSON(e *Encoder) { e.Int(int64(v)) }
func (v *testColor) DecodeJSON(x any) error {
	i, err := decodeEnum(x, testColorNames[:], false, "TestEnum")
	*v = testColor(i)
	return err
}

type testColorName int

func (v testColorName) EncodeJSON(e *Encoder) {
	e.String(EnumName(testColorNames[:], int(v), "TestEnumStringified"))
}
func (v *testColorName) DecodeJSON(x any) error {
	i, err := decodeEnum(x, testColorNames[:], true, "TestEnumStringified")
	*v = testColorName(i)
	return err
}

// declColor and declColorName are enums as generated now: declared, without
// methods; testColor and testColorName are their twins with the methods
// generated before.
type (
	declColor     int
	declColorName int
)

var _ = Declare([]TypeDef{
	{Name: "TestEnum", Type: (*declColor)(nil), Values: testColorNames[:]},
	{Name: "TestEnumStringified", Type: (*declColorName)(nil), Values: testColorNames[:], ByName: true},
})

type newNested struct {
	Value string `wire:"value"`
}

type oldNested struct {
	Value string
}

func (m *oldNested) EncodeJSON(e *Encoder) {
	e.ObjectStart()
	e.Key("value")
	e.String(m.Value)
	e.ObjectEnd()
}

func (m *oldNested) DecodeJSON(v any) error {
	o, err := Object(v)
	if err != nil {
		return err
	}
	if m.Value, err = Field(o, "value", DecodeString); err != nil {
		return err
	}
	return nil
}

type newTypes struct {
	AnInt             *int64                            `wire:"anInt,null"`
	ADouble           *float64                          `wire:"aDouble,null"`
	ABool             *bool                             `wire:"aBool,null"`
	AString           *string                           `wire:"aString,null"`
	ADateTime         *time.Time                        `wire:"aDateTime,null"`
	ADuration         *time.Duration                    `wire:"aDuration,null"`
	AUUID             *UUID                             `wire:"aUuid,null"`
	AURI              *url.URL                          `wire:"aUri,null"`
	ABigInt           *big.Int                          `wire:"aBigInt,null"`
	AByteData         []byte                            `wire:"aByteData,null"`
	AnEnum            *declColor                        `wire:"anEnum,null"`
	AStringifiedEnum  *declColorName                    `wire:"aStringifiedEnum,null"`
	AList             []int64                           `wire:"aList,null"`
	ASet              []string                          `wire:"aSet,null" wiretype:"Set<String>?"`
	AMap              map[string]int64                  `wire:"aMap,null"`
	AMapWithIntKeys   map[int64]string                  `wire:"aMapWithIntKeys,null"`
	AMapWithModelKeys []Entry[newNested, string]        `wire:"aMapWithModelKeys,null"`
	ANested           map[string][]map[int64]*time.Time `wire:"aNested,null"`
	AnObject          *newNested                        `wire:"anObject,null"`
	Objects           []*newNested                      `wire:"objects,null"`
	Secret            *string                           `wire:"secret,null,serverOnly"`
}

type oldTypes struct {
	AnInt             *int64
	ADouble           *float64
	ABool             *bool
	AString           *string
	ADateTime         *time.Time
	ADuration         *time.Duration
	AUUID             *UUID
	AURI              *url.URL
	ABigInt           *big.Int
	AByteData         []byte
	AnEnum            *testColor
	AStringifiedEnum  *testColorName
	AList             []int64
	ASet              []string
	AMap              map[string]int64
	AMapWithIntKeys   map[int64]string
	AMapWithModelKeys []Entry[oldNested, string]
	ANested           map[string][]map[int64]*time.Time
	AnObject          *oldNested
	Objects           []*oldNested
	Secret            *string
}

func (m *oldTypes) EncodeJSON(e *Encoder) {
	e.ObjectStart()
	if m.AnInt != nil {
		e.Key("anInt")
		e.Int(*m.AnInt)
	}
	if m.ADouble != nil {
		e.Key("aDouble")
		e.Double(*m.ADouble)
	}
	if m.ABool != nil {
		e.Key("aBool")
		e.Bool(*m.ABool)
	}
	if m.AString != nil {
		e.Key("aString")
		e.String(*m.AString)
	}
	if m.ADateTime != nil {
		e.Key("aDateTime")
		e.DateTime(*m.ADateTime)
	}
	if m.ADuration != nil {
		e.Key("aDuration")
		e.Duration(*m.ADuration)
	}
	if m.AUUID != nil {
		e.Key("aUuid")
		e.UUID(*m.AUUID)
	}
	if m.AURI != nil {
		e.Key("aUri")
		e.URI(m.AURI)
	}
	if m.ABigInt != nil {
		e.Key("aBigInt")
		e.BigInt(m.ABigInt)
	}
	if m.AByteData != nil {
		e.Key("aByteData")
		e.ByteData(m.AByteData)
	}
	if m.AnEnum != nil {
		e.Key("anEnum")
		m.AnEnum.EncodeJSON(e)
	}
	if m.AStringifiedEnum != nil {
		e.Key("aStringifiedEnum")
		m.AStringifiedEnum.EncodeJSON(e)
	}
	if m.AList != nil {
		e.Key("aList")
		EncodeList((*Encoder).Int)(e, m.AList)
	}
	if m.ASet != nil {
		e.Key("aSet")
		EncodeList((*Encoder).String)(e, m.ASet)
	}
	if m.AMap != nil {
		e.Key("aMap")
		EncodeStringMap((*Encoder).Int)(e, m.AMap)
	}
	if m.AMapWithIntKeys != nil {
		e.Key("aMapWithIntKeys")
		EncodeMap((*Encoder).Int, (*Encoder).String)(e, m.AMapWithIntKeys)
	}
	if m.AMapWithModelKeys != nil {
		e.Key("aMapWithModelKeys")
		EncodeEntries(EncodeModel[oldNested], (*Encoder).String)(e, m.AMapWithModelKeys)
	}
	if m.ANested != nil {
		e.Key("aNested")
		EncodeStringMap(EncodeList(EncodeMap((*Encoder).Int, EncodeNullable((*Encoder).DateTime))))(e, m.ANested)
	}
	if m.AnObject != nil {
		e.Key("anObject")
		m.AnObject.EncodeJSON(e)
	}
	if m.Objects != nil {
		e.Key("objects")
		EncodeList(EncodeModelPtr[oldNested])(e, m.Objects)
	}
	if !e.Protocol {
		if m.Secret != nil {
			e.Key("secret")
			e.String(*m.Secret)
		}
	}
	e.ObjectEnd()
}

// DecodeJSON reads the model from a parsed JSON value.
func (m *oldTypes) DecodeJSON(v any) error {
	o, err := Object(v)
	if err != nil {
		return err
	}
	if m.AnInt, err = FieldPtr(o, "anInt", DecodeInt); err != nil {
		return err
	}
	if m.ADouble, err = FieldPtr(o, "aDouble", DecodeDouble); err != nil {
		return err
	}
	if m.ABool, err = FieldPtr(o, "aBool", DecodeBool); err != nil {
		return err
	}
	if m.AString, err = FieldPtr(o, "aString", DecodeString); err != nil {
		return err
	}
	if m.ADateTime, err = FieldPtr(o, "aDateTime", DecodeDateTime); err != nil {
		return err
	}
	if m.ADuration, err = FieldPtr(o, "aDuration", DecodeDuration); err != nil {
		return err
	}
	if m.AUUID, err = FieldPtr(o, "aUuid", DecodeUUID); err != nil {
		return err
	}
	if m.AURI, err = FieldOrZero(o, "aUri", DecodeURI); err != nil {
		return err
	}
	if m.ABigInt, err = FieldOrZero(o, "aBigInt", DecodeBigInt); err != nil {
		return err
	}
	if m.AByteData, err = FieldOrZero(o, "aByteData", DecodeByteData); err != nil {
		return err
	}
	if m.AnEnum, err = FieldPtr(o, "anEnum", DecodeModel[testColor]); err != nil {
		return err
	}
	if m.AStringifiedEnum, err = FieldPtr(o, "aStringifiedEnum", DecodeModel[testColorName]); err != nil {
		return err
	}
	if m.AList, err = FieldOrZero(o, "aList", DecodeList(DecodeInt)); err != nil {
		return err
	}
	if m.ASet, err = FieldOrZero(o, "aSet", DecodeSet(DecodeString)); err != nil {
		return err
	}
	if m.AMap, err = FieldOrZero(o, "aMap", DecodeStringMap(DecodeInt)); err != nil {
		return err
	}
	if m.AMapWithIntKeys, err = FieldOrZero(o, "aMapWithIntKeys", DecodeMap(DecodeInt, DecodeString)); err != nil {
		return err
	}
	if m.AMapWithModelKeys, err = FieldOrZero(o, "aMapWithModelKeys", DecodeEntries(DecodeModel[oldNested], DecodeString)); err != nil {
		return err
	}
	if m.ANested, err = FieldOrZero(o, "aNested", DecodeStringMap(DecodeList(DecodeMap(DecodeInt, DecodeNullable(DecodeDateTime))))); err != nil {
		return err
	}
	m.AnObject = nil
	if x := o["anObject"]; x != nil {
		m.AnObject = new(oldNested)
		if err := m.AnObject.DecodeJSON(x); err != nil {
			return AtKey(err, "anObject")
		}
	}
	if m.Objects, err = FieldOrZero(o, "objects", DecodeList(DecodeModelPtr[oldNested])); err != nil {
		return err
	}
	if m.Secret, err = FieldPtr(o, "secret", DecodeString); err != nil {
		return err
	}
	return nil
}

type newEmpty struct{}

type oldEmpty struct{}

func (m *oldEmpty) EncodeJSON(e *Encoder) {
	e.ObjectStart()
	e.ObjectEnd()
}

func (m *oldEmpty) DecodeJSON(v any) error {
	_, err := Object(v)
	return err
}

type newExtra struct {
	Name    string                  `wire:"name"`
	Label   *string                 `wire:"label,null" wiredefault:"it's"`
	Count   *int64                  `wire:"count,null" wiredefault:"10"`
	When    *time.Time              `wire:"when,null" wiredefault:"2024-05-01T22:00:00.000Z"`
	Timeout *time.Duration          `wire:"timeout,null" wiredefault:"94230100"`
	Color   *declColor              `wire:"color,null" wiredefault:"1"`
	Link    *url.URL                `wire:"link,null" wiredefault:"https://example.com/a"`
	Grid    [][]int64               `wire:"grid" wiretype:"List<List<int>?>"`
	Groups  [][]string              `wire:"groups,null" wiretype:"List<Set<String>>?"`
	ByName  map[string]*newNested   `wire:"byName"`
	Items   []newNested             `wire:"items"`
	Hidden  string                  `wire:"hidden,serverOnly"`
	Blobs   [][]byte                `wire:"blobs" wiretype:"List<ByteData?>"`
	Pairs   []Entry[*string, int64] `wire:"pairs"`
	Ratios  map[string]float64      `wire:"ratios"`
	Big     *big.Int                `wire:"big"`
	At      time.Time               `wire:"at"`
	Empty   newEmpty                `wire:"empty"`
}

type oldExtra struct {
	Name    string
	Label   *string
	Count   *int64
	When    *time.Time
	Timeout *time.Duration
	Color   *testColor
	Link    *url.URL
	Grid    [][]int64
	Groups  [][]string
	ByName  map[string]*oldNested
	Items   []oldNested
	Hidden  string
	Blobs   [][]byte
	Pairs   []Entry[*string, int64]
	Ratios  map[string]float64
	Big     *big.Int
	At      time.Time
	Empty   oldEmpty
}

func (m *oldExtra) EncodeJSON(e *Encoder) {
	e.ObjectStart()
	e.Key("name")
	e.String(m.Name)
	if m.Label != nil {
		e.Key("label")
		e.String(*m.Label)
	}
	if m.Count != nil {
		e.Key("count")
		e.Int(*m.Count)
	}
	if m.When != nil {
		e.Key("when")
		e.DateTime(*m.When)
	}
	if m.Timeout != nil {
		e.Key("timeout")
		e.Duration(*m.Timeout)
	}
	if m.Color != nil {
		e.Key("color")
		m.Color.EncodeJSON(e)
	}
	if m.Link != nil {
		e.Key("link")
		e.URI(m.Link)
	}
	e.Key("grid")
	EncodeList(EncodeNullableList((*Encoder).Int))(e, m.Grid)
	if m.Groups != nil {
		e.Key("groups")
		EncodeList(EncodeList((*Encoder).String))(e, m.Groups)
	}
	e.Key("byName")
	EncodeStringMap(EncodeModelPtr[oldNested])(e, m.ByName)
	e.Key("items")
	e.ArrayStart()
	for j := range m.Items {
		e.Elem()
		m.Items[j].EncodeJSON(e)
	}
	e.ArrayEnd()
	if !e.Protocol {
		e.Key("hidden")
		e.String(m.Hidden)
	}
	e.Key("blobs")
	EncodeList(EncodeNullableByteData)(e, m.Blobs)
	e.Key("pairs")
	EncodeEntries(EncodeNullable((*Encoder).String), (*Encoder).Int)(e, m.Pairs)
	e.Key("ratios")
	EncodeStringMap((*Encoder).Double)(e, m.Ratios)
	e.Key("big")
	e.BigInt(m.Big)
	e.Key("at")
	e.DateTime(m.At)
	e.Key("empty")
	m.Empty.EncodeJSON(e)
	e.ObjectEnd()
}

func (m *oldExtra) DecodeJSON(v any) error {
	o, err := Object(v)
	if err != nil {
		return err
	}
	if m.Name, err = Field(o, "name", DecodeString); err != nil {
		return err
	}
	if m.Label, err = FieldPtr(o, "label", DecodeString); err != nil {
		return err
	}
	if m.Label == nil {
		m.Label = Ptr[string]("it's")
	}
	if m.Count, err = FieldPtr(o, "count", DecodeInt); err != nil {
		return err
	}
	if m.Count == nil {
		m.Count = Ptr[int64](10)
	}
	if m.When, err = FieldPtr(o, "when", DecodeDateTime); err != nil {
		return err
	}
	if m.When == nil {
		m.When = Ptr[time.Time](time.Date(2024, time.May, 1, 22, 0, 0, 0, time.UTC))
	}
	if m.Timeout, err = FieldPtr(o, "timeout", DecodeDuration); err != nil {
		return err
	}
	if m.Timeout == nil {
		m.Timeout = Ptr[time.Duration](94230100 * time.Millisecond)
	}
	if m.Color, err = FieldPtr(o, "color", DecodeModel[testColor]); err != nil {
		return err
	}
	if m.Color == nil {
		m.Color = Ptr[testColor](1)
	}
	if m.Link, err = FieldOrZero(o, "link", DecodeURI); err != nil {
		return err
	}
	if m.Link == nil {
		m.Link = MustParseURI("https://example.com/a")
	}
	if m.Grid, err = Field(o, "grid", DecodeList(DecodeOrZero(DecodeList(DecodeInt)))); err != nil {
		return err
	}
	if m.Groups, err = FieldOrZero(o, "groups", DecodeList(DecodeSet(DecodeString))); err != nil {
		return err
	}
	if m.ByName, err = Field(o, "byName", DecodeStringMap(DecodeModelPtr[oldNested])); err != nil {
		return err
	}
	var items []any
	if items, err = fieldList(o, "items", true); err != nil {
		return err
	}
	m.Items = make([]oldNested, len(items))
	for i, x := range items {
		if err := m.Items[i].DecodeJSON(x); err != nil {
			return AtKey(AtIndex(err, i), "items")
		}
	}
	if m.Hidden, err = Field(o, "hidden", DecodeString); err != nil {
		return err
	}
	if m.Blobs, err = Field(o, "blobs", DecodeList(DecodeOrZero(DecodeByteData))); err != nil {
		return err
	}
	if m.Pairs, err = Field(o, "pairs", DecodeEntries(DecodeNullable(DecodeString), DecodeInt)); err != nil {
		return err
	}
	if m.Ratios, err = Field(o, "ratios", DecodeStringMap(DecodeDouble)); err != nil {
		return err
	}
	if m.Big, err = Field(o, "big", DecodeBigInt); err != nil {
		return err
	}
	if m.At, err = Field(o, "at", DecodeDateTime); err != nil {
		return err
	}
	if err := fieldInto(o, "empty", &m.Empty); err != nil {
		return err
	}
	return nil
}

// A child class: its own id comes before the fields it inherits.
type newStamp struct {
	Author string     `wire:"author"`
	At     *time.Time `wire:"at,null"`
}

type newNote struct {
	newStamp
	ID   *int64 `wire:"id,null"`
	Text string `wire:"text"`
}

type oldNote struct {
	ID     *int64
	Author string
	At     *time.Time
	Text   string
}

func (m *oldNote) EncodeJSON(e *Encoder) {
	e.ObjectStart()
	if m.ID != nil {
		e.Key("id")
		e.Int(*m.ID)
	}
	e.Key("author")
	e.String(m.Author)
	if m.At != nil {
		e.Key("at")
		e.DateTime(*m.At)
	}
	e.Key("text")
	e.String(m.Text)
	e.ObjectEnd()
}

func (m *oldNote) DecodeJSON(v any) error {
	o, err := Object(v)
	if err != nil {
		return err
	}
	if m.ID, err = FieldPtr(o, "id", DecodeInt); err != nil {
		return err
	}
	if m.Author, err = Field(o, "author", DecodeString); err != nil {
		return err
	}
	if m.At, err = FieldPtr(o, "at", DecodeDateTime); err != nil {
		return err
	}
	if m.Text, err = Field(o, "text", DecodeString); err != nil {
		return err
	}
	return nil
}

// fullTypes is a newTypes with every field set.
func fullTypes() *newTypes {
	at := time.Date(2024, 5, 1, 22, 0, 0, 123456000, time.UTC)
	d := 90 * time.Second
	u := MustParseUUID("11111111-1111-4111-8111-111111111111")
	color, name := declColor(2), declColorName(1)
	return &newTypes{
		AnInt: Ptr[int64](-7), ADouble: Ptr(1.5), ABool: Ptr(true), AString: Ptr("a \"quoted\"\n string ü"),
		ADateTime: &at, ADuration: &d, AUUID: &u, AURI: MustParseURI("https://example.com/x?y=1"),
		ABigInt: MustParseBigInt("-123456789012345678901234567890"), AByteData: []byte{0, 1, 2, 250},
		AnEnum: &color, AStringifiedEnum: &name,
		AList: []int64{3, 1, 2}, ASet: []string{"b", "a"}, AMap: map[string]int64{"z": 1, "a": 2, "m": 3},
		AMapWithIntKeys:   map[int64]string{10: "ten", 2: "two", -1: "minus"},
		AMapWithModelKeys: []Entry[newNested, string]{{Key: newNested{"k2"}, Value: "v2"}, {Key: newNested{"k1"}, Value: "v1"}},
		ANested:           map[string][]map[int64]*time.Time{"x": {{1: &at, 2: nil}, {}}, "a": {}},
		AnObject:          &newNested{"obj"},
		Objects:           []*newNested{{"o1"}, nil, {"o3"}},
		Secret:            Ptr("s3cret"),
	}
}

func fullExtra() *newExtra {
	at := time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)
	return &newExtra{
		Name: "n", Label: Ptr("l"), Count: Ptr[int64](3), When: &at, Timeout: Ptr(time.Hour), Color: Ptr(declColor(0)),
		Link: MustParseURI("mailto:x@example.com"),
		Grid: [][]int64{{1, 2}, nil, {}}, Groups: [][]string{{"a"}, {}},
		ByName: map[string]*newNested{"b": {"B"}, "a": nil}, Items: []newNested{{"i1"}, {"i2"}},
		Hidden: "h", Blobs: [][]byte{nil, {}, {9}}, Pairs: []Entry[*string, int64]{{Key: Ptr("k"), Value: 1}, {Key: nil, Value: 2}},
		Ratios: map[string]float64{"r": 0.25, "q": 1e21}, Big: big.NewInt(42), At: at,
	}
}

// convert copies a new* value into its old* twin through encoding/json
// on the exported fields (the layouts match field for field).
func convert(t *testing.T, from, to any) {
	t.Helper()
	fv, tv := reflect.ValueOf(from).Elem(), reflect.ValueOf(to).Elem()
	copyValue(fv, tv)
}

func copyValue(from, to reflect.Value) {
	switch {
	case from.Type().ConvertibleTo(to.Type()):
		to.Set(from.Convert(to.Type()))
	case from.Kind() == reflect.Pointer:
		if from.IsNil() {
			return
		}
		to.Set(reflect.New(to.Type().Elem()))
		copyValue(from.Elem(), to.Elem())
	case from.Kind() == reflect.Slice:
		if from.IsNil() {
			return
		}
		to.Set(reflect.MakeSlice(to.Type(), from.Len(), from.Len()))
		for i := 0; i < from.Len(); i++ {
			copyValue(from.Index(i), to.Index(i))
		}
	case from.Kind() == reflect.Map:
		if from.IsNil() {
			return
		}
		to.Set(reflect.MakeMap(to.Type()))
		it := from.MapRange()
		for it.Next() {
			k := reflect.New(to.Type().Key()).Elem()
			copyValue(it.Key(), k)
			v := reflect.New(to.Type().Elem()).Elem()
			copyValue(it.Value(), v)
			to.SetMapIndex(k, v)
		}
	case from.Kind() == reflect.Struct:
		if from.Type() == reflect.TypeFor[newNote]() {
			to.FieldByName("ID").Set(from.FieldByName("ID"))
			to.FieldByName("Author").Set(from.FieldByName("Author"))
			to.FieldByName("At").Set(from.FieldByName("At"))
			to.FieldByName("Text").Set(from.FieldByName("Text"))
			return
		}
		for i := 0; i < from.NumField(); i++ {
			copyValue(from.Field(i), to.Field(i))
		}
	default:
		panic("cannot copy " + from.Type().String())
	}
}

func encodeOld(v Encodable, protocol bool) string {
	e := NewEncoder(protocol)
	v.EncodeJSON(e)
	b, err := e.Bytes()
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

func encodeNew(v any, protocol bool) string {
	e := NewEncoder(protocol)
	EncodeValueOf(e, v)
	b, err := e.Bytes()
	if err != nil {
		return "error: " + err.Error()
	}
	return string(b)
}

// pairs are the model pairs under test, each with values to encode.
func planPairs() []struct {
	name     string
	newValue func() any
	oldValue func() Encodable
} {
	type pair = struct {
		name     string
		newValue func() any
		oldValue func() Encodable
	}
	return []pair{
		{"Types full", func() any { return fullTypes() }, func() Encodable { return new(oldTypes) }},
		{"Types empty", func() any { return new(newTypes) }, func() Encodable { return new(oldTypes) }},
		{"Extra full", func() any { return fullExtra() }, func() Encodable { return new(oldExtra) }},
		{"Extra empty", func() any { return new(newExtra) }, func() Encodable { return new(oldExtra) }},
		{"Note full", func() any {
			return &newNote{newStamp: newStamp{Author: "a", At: Ptr(time.Unix(5, 0))}, ID: Ptr[int64](1), Text: "t"}
		}, func() Encodable { return new(oldNote) }},
		{"Note empty", func() any { return new(newNote) }, func() Encodable { return new(oldNote) }},
		{"Bench", func() any { return benchNew() }, func() Encodable { return new(oldUser) }},
	}
}

// TestPlanMatchesGenerated checks that the plan codec writes the bytes
// the generated methods wrote, in both forms, and reads them back alike.
func TestPlanMatchesGenerated(t *testing.T) {
	for _, p := range planPairs() {
		t.Run(p.name, func(t *testing.T) {
			nv, ov := p.newValue(), p.oldValue()
			convert(t, nv, ov)
			for _, protocol := range []bool{false, true} {
				got, want := encodeNew(nv, protocol), encodeOld(ov, protocol)
				if got != want {
					t.Fatalf("protocol=%v:\nplan:      %s\ngenerated: %s", protocol, got, want)
				}
				if strings.HasPrefix(want, "error") {
					continue
				}
				tree, err := Parse([]byte(want))
				if err != nil {
					t.Fatal(err)
				}
				nd, od := reflect.New(reflect.TypeOf(nv).Elem()).Interface(), p.oldValue()
				errNew, errOld := DecodeInto(tree, nd), od.(Decodable).DecodeJSON(tree)
				if fmt.Sprint(errNew) != fmt.Sprint(errOld) {
					t.Fatalf("decoding %s: plan %v, generated %v", want, errNew, errOld)
				}
				if errNew != nil {
					continue
				}
				if a, b := encodeNew(nd, false), encodeOld(od, false); a != b {
					t.Fatalf("decoded %s:\nplan:      %s\ngenerated: %s", want, a, b)
				}
			}
		})
	}
}

// TestPlanDecodeErrors checks that decoding fails with the paths and
// messages of the generated methods.
func TestPlanDecodeErrors(t *testing.T) {
	valid := map[string]string{
		"Types": `{}`,
		"Extra": `{"name":"n","grid":[],"byName":{},"items":[],"hidden":"h","blobs":[],"pairs":[],"ratios":{},"big":"1","at":"2024-01-01T00:00:00Z","empty":{}}`,
	}
	cases := []struct{ model, patch string }{
		{"Types", `null`},
		{"Types", `[]`},
		{"Types", `{"anInt":"1"}`},
		{"Types", `{"anInt":1.5}`},
		{"Types", `{"aDouble":true}`},
		{"Types", `{"aDateTime":"yesterday"}`},
		{"Types", `{"aDuration":1.5}`},
		{"Types", `{"aUuid":"nope"}`},
		{"Types", `{"aUri":5}`},
		{"Types", `{"aBigInt":"1x"}`},
		{"Types", `{"aByteData":"!!"}`},
		{"Types", `{"anEnum":7}`},
		{"Types", `{"anEnum":"red"}`},
		{"Types", `{"aStringifiedEnum":"purple"}`},
		{"Types", `{"aList":[1,"2"]}`},
		{"Types", `{"aList":[1,null]}`},
		{"Types", `{"aList":{}}`},
		{"Types", `{"aSet":["a","a"]}`},
		{"Types", `{"aSet":["a",1]}`},
		{"Types", `{"aMap":{"a":"b"}}`},
		{"Types", `{"aMap":[]}`},
		{"Types", `{"aMapWithIntKeys":[{"k":"x","v":"y"}]}`},
		{"Types", `{"aMapWithIntKeys":[5]}`},
		{"Types", `{"aMapWithIntKeys":{}}`},
		{"Types", `{"aMapWithIntKeys":[{"k":1,"v":2}]}`},
		{"Types", `{"aMapWithModelKeys":[{"k":{},"v":"y"}]}`},
		{"Types", `{"aNested":{"x":[{"k":1}]}}`},
		{"Types", `{"aNested":{"x":[[{"k":1,"v":"no"}]]}}`},
		{"Types", `{"anObject":{"value":1}}`},
		{"Types", `{"anObject":[]}`},
		{"Types", `{"objects":[{"value":"a"},{"value":2}]}`},
		{"Types", `{"objects":[{"value":"a"},[]]}`},
		{"Types", `{"secret":false}`},
		{"Extra", `{"name":null}`},
		{"Extra", `{"grid":[[1],null,["x"]]}`},
		{"Extra", `{"grid":null}`},
		{"Extra", `{"groups":[["a","a"]]}`},
		{"Extra", `{"groups":[null]}`},
		{"Extra", `{"byName":{"a":{"value":3}}}`},
		{"Extra", `{"byName":{"a":5}}`},
		{"Extra", `{"items":[{"value":"x"},{}]}`},
		{"Extra", `{"items":{}}`},
		{"Extra", `{"items":null}`},
		{"Extra", `{"blobs":["x!"]}`},
		{"Extra", `{"pairs":[{"k":1,"v":1}]}`},
		{"Extra", `{"pairs":[{"k":null,"v":null}]}`},
		{"Extra", `{"ratios":{"a":"x"}}`},
		{"Extra", `{"big":1}`},
		{"Extra", `{"empty":[]}`},
		{"Extra", `{"color":9}`},
		{"Extra", `{"link":":"}`},
	}
	for _, c := range cases {
		var base map[string]any
		if err := json.Unmarshal([]byte(valid[c.model]), &base); err != nil {
			t.Fatal(err)
		}
		input := c.patch
		var patch map[string]any
		if json.Unmarshal([]byte(c.patch), &patch) == nil && patch != nil {
			for k, v := range patch {
				base[k] = v
			}
			b, _ := json.Marshal(base)
			input = string(b)
		}
		tree, err := Parse([]byte(input))
		if err != nil {
			t.Fatal(err)
		}
		var nd any
		var od Decodable
		switch c.model {
		case "Types":
			nd, od = new(newTypes), new(oldTypes)
		case "Extra":
			nd, od = new(newExtra), new(oldExtra)
		}
		errNew, errOld := DecodeInto(tree, nd), od.DecodeJSON(tree)
		if errOld == nil {
			t.Errorf("%s %s: the generated code accepts it", c.model, input)
		}
		if fmt.Sprint(errNew) != fmt.Sprint(errOld) {
			t.Errorf("%s %s:\nplan:      %v\ngenerated: %v", c.model, input, errNew, errOld)
		}
	}
}

// TestPlanDefaults checks that a missing or null nullable field with a
// default decodes to a fresh copy of it.
func TestPlanDefaults(t *testing.T) {
	in := `{"name":"n","label":null,"grid":[],"byName":{},"items":[],"hidden":"h","blobs":[],"pairs":[],"ratios":{},"big":"1","at":"2024-01-01T00:00:00Z","empty":{}}`
	var a, b newExtra
	if err := UnmarshalModel([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if err := UnmarshalModel([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	if *a.Label != "it's" || *a.Count != 10 || *a.Timeout != 94230100*time.Millisecond || *a.Color != 1 ||
		a.Link.String() != "https://example.com/a" || !a.When.Equal(time.Date(2024, 5, 1, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("defaults: %+v", a)
	}
	if a.Label == b.Label || a.Link == b.Link {
		t.Error("two decoded models share a default")
	}
}

// TestPlanConcurrent builds plans from many goroutines at once.
func TestPlanConcurrent(t *testing.T) {
	type fresh struct {
		Self []fresh           `wire:"self"`
		Next *fresh            `wire:"next,null"`
		M    map[string]*fresh `wire:"m,null"`
	}
	done := make(chan string)
	for range 8 {
		go func() {
			v := fresh{Self: []fresh{{}}, Next: &fresh{}}
			b, err := MarshalModel(&v)
			if err != nil {
				done <- err.Error()
				return
			}
			var w fresh
			if err := UnmarshalModel(b, &w); err != nil {
				done <- err.Error()
				return
			}
			done <- string(b)
		}()
	}
	for range 8 {
		if got := <-done; got != `{"self":[{"self":[]}],"next":{"self":[]}}` {
			t.Error(got)
		}
	}
}

// The benchmark model: a dozen fields of the common kinds.

type newAddress struct {
	Street string  `wire:"street"`
	City   string  `wire:"city"`
	Zip    *string `wire:"zip,null"`
}

type newUser struct {
	ID       *int64        `wire:"id,null"`
	Name     string        `wire:"name"`
	Email    *string       `wire:"email,null"`
	Age      int64         `wire:"age"`
	Score    float64       `wire:"score"`
	Active   bool          `wire:"active"`
	Created  time.Time     `wire:"created"`
	Updated  *time.Time    `wire:"updated,null"`
	Tags     []string      `wire:"tags"`
	Scores   []int64       `wire:"scores,null"`
	Color    declColorName `wire:"color"`
	Address  newAddress    `wire:"address"`
	Previous []newAddress  `wire:"previous,null"`
}

type oldAddress struct {
	Street string
	City   string
	Zip    *string
}

func (m *oldAddress) EncodeJSON(e *Encoder) {
	e.ObjectStart()
	e.Key("street")
	e.String(m.Street)
	e.Key("city")
	e.String(m.City)
	if m.Zip != nil {
		e.Key("zip")
		e.String(*m.Zip)
	}
	e.ObjectEnd()
}

func (m *oldAddress) DecodeJSON(v any) error {
	o, err := Object(v)
	if err != nil {
		return err
	}
	if m.Street, err = Field(o, "street", DecodeString); err != nil {
		return err
	}
	if m.City, err = Field(o, "city", DecodeString); err != nil {
		return err
	}
	if m.Zip, err = FieldPtr(o, "zip", DecodeString); err != nil {
		return err
	}
	return nil
}

type oldUser struct {
	ID       *int64
	Name     string
	Email    *string
	Age      int64
	Score    float64
	Active   bool
	Created  time.Time
	Updated  *time.Time
	Tags     []string
	Scores   []int64
	Color    testColorName
	Address  oldAddress
	Previous []oldAddress
}

func (m *oldUser) EncodeJSON(e *Encoder) {
	e.ObjectStart()
	if m.ID != nil {
		e.Key("id")
		e.Int(*m.ID)
	}
	e.Key("name")
	e.String(m.Name)
	if m.Email != nil {
		e.Key("email")
		e.String(*m.Email)
	}
	e.Key("age")
	e.Int(m.Age)
	e.Key("score")
	e.Double(m.Score)
	e.Key("active")
	e.Bool(m.Active)
	e.Key("created")
	e.DateTime(m.Created)
	if m.Updated != nil {
		e.Key("updated")
		e.DateTime(*m.Updated)
	}
	e.Key("tags")
	EncodeList((*Encoder).String)(e, m.Tags)
	if m.Scores != nil {
		e.Key("scores")
		EncodeList((*Encoder).Int)(e, m.Scores)
	}
	e.Key("color")
	m.Color.EncodeJSON(e)
	e.Key("address")
	m.Address.EncodeJSON(e)
	if m.Previous != nil {
		e.Key("previous")
		e.ArrayStart()
		for j := range m.Previous {
			e.Elem()
			m.Previous[j].EncodeJSON(e)
		}
		e.ArrayEnd()
	}
	e.ObjectEnd()
}

func (m *oldUser) DecodeJSON(v any) error {
	o, err := Object(v)
	if err != nil {
		return err
	}
	if m.ID, err = FieldPtr(o, "id", DecodeInt); err != nil {
		return err
	}
	if m.Name, err = Field(o, "name", DecodeString); err != nil {
		return err
	}
	if m.Email, err = FieldPtr(o, "email", DecodeString); err != nil {
		return err
	}
	if m.Age, err = Field(o, "age", DecodeInt); err != nil {
		return err
	}
	if m.Score, err = Field(o, "score", DecodeDouble); err != nil {
		return err
	}
	if m.Active, err = Field(o, "active", DecodeBool); err != nil {
		return err
	}
	if m.Created, err = Field(o, "created", DecodeDateTime); err != nil {
		return err
	}
	if m.Updated, err = FieldPtr(o, "updated", DecodeDateTime); err != nil {
		return err
	}
	if m.Tags, err = Field(o, "tags", DecodeList(DecodeString)); err != nil {
		return err
	}
	if m.Scores, err = FieldOrZero(o, "scores", DecodeList(DecodeInt)); err != nil {
		return err
	}
	if m.Color, err = Field(o, "color", DecodeModel[testColorName]); err != nil {
		return err
	}
	if err := fieldInto(o, "address", &m.Address); err != nil {
		return err
	}
	var items []any
	if items, err = fieldList(o, "previous", false); err != nil {
		return err
	}
	m.Previous = nil
	if items != nil {
		m.Previous = make([]oldAddress, len(items))
		for i, x := range items {
			if err := m.Previous[i].DecodeJSON(x); err != nil {
				return AtKey(AtIndex(err, i), "previous")
			}
		}
	}
	return nil
}

func benchNew() *newUser {
	created := time.Date(2024, 5, 1, 22, 0, 0, 0, time.UTC)
	updated := created.Add(36 * time.Hour)
	return &newUser{
		ID: Ptr[int64](12345), Name: "Ada Lovelace", Email: Ptr("ada@example.com"), Age: 36, Score: 98.5, Active: true,
		Created: created, Updated: &updated, Tags: []string{"admin", "math", "poetry"}, Scores: []int64{1, 2, 3, 5, 8},
		Color:    1,
		Address:  newAddress{Street: "12 St James's Square", City: "London", Zip: Ptr("SW1Y 4JH")},
		Previous: []newAddress{{Street: "Piccadilly", City: "London"}, {Street: "Ockham Park", City: "Surrey"}},
	}
}

// BenchmarkCodec compares the plan codec with the generated methods it
// replaces on the same model: run with -count to interleave them.
func BenchmarkCodec(b *testing.B) {
	nv := benchNew()
	ov := new(oldUser)
	copyValue(reflect.ValueOf(nv).Elem(), reflect.ValueOf(ov).Elem())
	data := []byte(encodeNew(nv, true))
	tree, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	e := NewEncoder(true)
	b.Run("encode/generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.Reset()
			ov.EncodeJSON(e)
		}
	})
	b.Run("encode/plan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.Reset()
			// As generated dispatch writes a model result.
			EncodeModelPtr(e, nv)
		}
	})
	b.Run("decode/generated", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m oldUser
			if err := m.DecodeJSON(tree); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/plan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			// As generated dispatch reads a model argument.
			if _, err := DecodeModel[newUser](tree); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// FuzzPlanDecode feeds request bodies to the plan decoder and to the
// generated decoders it replaced: neither may panic, both must accept or
// refuse alike, and what they accept must encode to the same bytes. (The
// messages are compared by TestPlanDecodeErrors: with several bad entries
// in a Go map, which one either names depends on the map's order.)
func FuzzPlanDecode(f *testing.F) {
	for _, p := range planPairs() {
		for _, protocol := range []bool{false, true} {
			f.Add([]byte(encodeNew(p.newValue(), protocol)))
		}
	}
	for _, s := range []string{`{}`, `null`, `{"anInt":1e3}`, `{"aSet":["a","a"]}`, `{"aNested":{"x":[[{"k":1,"v":null}]]}}`, `{"objects":[null,{"value":"v"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := Parse(data)
		if err != nil {
			return
		}
		for _, p := range planPairs() {
			nd, od := reflect.New(reflect.TypeOf(p.newValue()).Elem()).Interface(), p.oldValue()
			errNew, errOld := DecodeInto(tree, nd), od.(Decodable).DecodeJSON(tree)
			if (errNew == nil) != (errOld == nil) {
				t.Fatalf("%s: decoding %s: plan %v, generated %v", p.name, data, errNew, errOld)
			}
			if errNew != nil {
				continue
			}
			for _, protocol := range []bool{false, true} {
				if a, b := encodeNew(nd, protocol), encodeOld(od, protocol); a != b {
					t.Fatalf("%s: decoded %s (protocol=%v):\nplan:      %s\ngenerated: %s", p.name, data, protocol, a, b)
				}
			}
		}
	})
}

// TestPlanRefusesNullOnValues: a null flag needs a type that can be nil;
// on another the plan would read part of the value as a pointer.
func TestPlanRefusesNullOnValues(t *testing.T) {
	type badNull struct {
		Count int64 `wire:"count,null"`
	}
	_, err := MarshalModel(&badNull{})
	if err == nil || !strings.Contains(err.Error(), "field Count") || !strings.Contains(err.Error(), "cannot be nil") {
		t.Errorf("building the plan: %v, want a refusal naming the field", err)
	}
}

// TestPlanNullClearsList: decoding over a model that holds a list, a
// missing or null list leaves a nil slice, with no length.
func TestPlanNullClearsList(t *testing.T) {
	for _, body := range []string{`{}`, `{"aList":null,"aSet":null,"aMap":null}`} {
		m := newTypes{AList: []int64{1, 2}, ASet: []string{"a"}, AMap: map[string]int64{"a": 1}}
		if err := UnmarshalModel([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		if m.AList != nil || len(m.AList) != 0 || m.ASet != nil || len(m.ASet) != 0 || m.AMap != nil {
			t.Errorf("%s: list %v (len %d), set %v (len %d), map %v; want all nil", body, m.AList, len(m.AList), m.ASet, len(m.ASet), m.AMap)
		}
	}
}

// The helpers the generated decoders above used, kept for them.

// fieldList reads a member holding a List of models, as the generated code
// before the plan codec decoded each item through the model's own DecodeJSON (the
// non-generic form of a DecodeList of a model type). It returns the items,
// never nil for an array; nil when the member is missing or null, which is
// an error when required.
func fieldList(o map[string]any, key string, required bool) ([]any, error) {
	v, ok := o[key]
	if !ok || v == nil {
		if required {
			return nil, &Error{Path: key, Msg: "missing required field"}
		}
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, AtKey(mismatch("a List", v), key)
	}
	if a == nil {
		a = []any{}
	}
	return a, nil
}

// fieldInto decodes a required member into dst, a generated model. It is
// the non-generic form of Field for models, so that a package of many
// models does not instantiate a generic function per model type.
func fieldInto(o map[string]any, key string, dst Decodable) error {
	v, ok := o[key]
	if !ok || v == nil {
		return &Error{Path: key, Msg: "missing required field"}
	}
	if err := dst.DecodeJSON(v); err != nil {
		return AtKey(err, key)
	}
	return nil
}

// TestPlanRefusesWireTypeDisagreeingWithNull: the null flag and the
// wiretype's own nullability must agree, or a null would leave the field
// as it was.
func TestPlanRefusesWireTypeDisagreeingWithNull(t *testing.T) {
	type nullFlagOnly struct {
		Link *url.URL `wire:"link,null" wiretype:"Uri"`
	}
	type wireTypeOnly struct {
		Tags []string `wire:"tags" wiretype:"Set<String>?"`
	}
	for _, v := range []any{&nullFlagOnly{}, &wireTypeOnly{}} {
		if _, err := MarshalModel(v); err == nil || !strings.Contains(err.Error(), "disagree") {
			t.Errorf("building the plan of %T: %v, want a refusal", v, err)
		}
	}
}
