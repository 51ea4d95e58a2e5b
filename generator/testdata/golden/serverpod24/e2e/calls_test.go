// Package e2e calls every endpoint form of the Serverpod 2.4 port through
// the generated Go client, against a server running the generated
// dispatch: values come back as sent, nulls included.
package e2e

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"serverpod24/client"
	"serverpod24/generated/dispatch"
)

func ptr[T any](v T) *T { return &v }

func serve(t *testing.T) *client.Client {
	t.Helper()
	srv := pod.NewServer(dispatch.New(), pod.WithLogger(slog.New(slog.DiscardHandler)))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return client.New(ts.URL)
}

// echo calls an endpoint method that returns its argument and checks
// that it does.
func echo[T any](t *testing.T, name string, call func(context.Context, T) (T, error), in T) {
	t.Helper()
	got, err := call(context.Background(), in)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("%s returned %#v, want %#v", name, got, in)
	}
}

var (
	when = time.Date(2024, 5, 1, 22, 0, 0, 123000000, time.UTC)
	uri  = func() *url.URL { u, _ := url.Parse("https://serverpod.dev/a?b=c"); return u }()
	big1 = func() *big.Int { n, _ := new(big.Int).SetString("-12345678901234567890", 10); return n }()
	uuid = wire.MustParseUUID("550e8400-e29b-41d4-a716-446655440000")
)

func TestBasicTypes(t *testing.T) {
	c := serve(t).BasicTypes
	echo(t, "testInt", c.TestInt, ptr(int64(42)))
	echo(t, "testInt null", c.TestInt, nil)
	echo(t, "testDouble", c.TestDouble, ptr(1.5))
	echo(t, "testDouble null", c.TestDouble, nil)
	echo(t, "testBool", c.TestBool, ptr(true))
	echo(t, "testBool null", c.TestBool, nil)
	echo(t, "testDateTime", c.TestDateTime, ptr(when))
	echo(t, "testDateTime null", c.TestDateTime, nil)
	echo(t, "testString", c.TestString, ptr(`x"y`))
	echo(t, "testString null", c.TestString, nil)
	echo(t, "testByteData", c.TestByteData, ptr([]byte("hello")))
	echo(t, "testByteData empty", c.TestByteData, ptr([]byte{}))
	echo(t, "testByteData null", c.TestByteData, nil)
	echo(t, "testDuration", c.TestDuration, ptr(90*time.Minute))
	echo(t, "testDuration null", c.TestDuration, nil)
	echo(t, "testUuid", c.TestUuid, &uuid)
	echo(t, "testUuid null", c.TestUuid, nil)
	echo(t, "testUri", c.TestUri, &uri)
	echo(t, "testUri null", c.TestUri, nil)
	echo(t, "testBigInt", c.TestBigInt, &big1)
	echo(t, "testBigInt null", c.TestBigInt, nil)
}

func TestLists(t *testing.T) {
	c := serve(t).ListParameters
	echo(t, "returnIntList", c.ReturnIntList, []int64{1, 2, 3})
	echo(t, "returnIntList empty", c.ReturnIntList, []int64{})
	echo(t, "returnIntListList", c.ReturnIntListList, [][]int64{{1}, {}})
	echo(t, "returnIntListNullable", c.ReturnIntListNullable, &[]int64{4})
	echo(t, "returnIntListNullable null", c.ReturnIntListNullable, nil)
	echo(t, "returnIntListNullableList", c.ReturnIntListNullableList, []*[]int64{{1}, nil})
	echo(t, "returnIntListListNullable null", c.ReturnIntListListNullable, nil)
	echo(t, "returnIntListNullableInts", c.ReturnIntListNullableInts, []*int64{ptr(int64(1)), nil})
	echo(t, "returnNullableIntListNullableInts", c.ReturnNullableIntListNullableInts, &[]*int64{nil})
	echo(t, "returnNullableIntListNullableInts null", c.ReturnNullableIntListNullableInts, nil)
	echo(t, "returnByteDataListNullableByteDatas", c.ReturnByteDataListNullableByteDatas, []*[]byte{ptr([]byte("a")), nil})
	echo(t, "returnSimpleDataListNullableSimpleData", c.ReturnSimpleDataListNullableSimpleData, []*client.SimpleData{{Num: 1}, nil})
	echo(t, "returnNullableSimpleDataListNullableSimpleData null", c.ReturnNullableSimpleDataListNullableSimpleData, nil)
	echo(t, "returnDateTimeListNullableDateTimes", c.ReturnDateTimeListNullableDateTimes, []*time.Time{&when, nil})
	echo(t, "returnDurationListNullableDurations", c.ReturnDurationListNullableDurations, []*time.Duration{ptr(time.Second), nil})
}

func TestMaps(t *testing.T) {
	c := serve(t).MapParameters
	echo(t, "returnIntMap", c.ReturnIntMap, map[string]int64{"a": 1, "b": 2})
	echo(t, "returnIntMapNullable", c.ReturnIntMapNullable, &map[string]int64{"a": 1})
	echo(t, "returnIntMapNullable null", c.ReturnIntMapNullable, nil)
	echo(t, "returnNestedIntMap", c.ReturnNestedIntMap, map[string]map[string]int64{"x": {"y": 1}})
	echo(t, "returnIntMapNullableInts", c.ReturnIntMapNullableInts, map[string]*int64{"a": nil, "b": ptr(int64(2))})
	echo(t, "returnNullableIntMapNullableInts null", c.ReturnNullableIntMapNullableInts, nil)
	echo(t, "returnIntIntMap", c.ReturnIntIntMap, map[int64]int64{1: 2, 3: 4})
	echo(t, "returnEnumIntMap", c.ReturnEnumIntMap, map[client.TestEnum]int64{client.TestEnumTwo: 2})
	echo(t, "returnEnumMap", c.ReturnEnumMap, map[string]client.TestEnum{"x": client.TestEnumThree})
	echo(t, "returnByteDataMapNullableByteDatas", c.ReturnByteDataMapNullableByteDatas, map[string]*[]byte{"a": nil, "b": ptr([]byte{1})})
	echo(t, "returnSimpleDataMapNullable", c.ReturnSimpleDataMapNullable, &map[string]client.SimpleData{"a": {Num: 3}})
	echo(t, "returnNullableSimpleDataMapNullableSimpleData", c.ReturnNullableSimpleDataMapNullableSimpleData, &map[string]*client.SimpleData{"a": nil})
}

func TestSets(t *testing.T) {
	c := serve(t).SetParameters
	echo(t, "returnIntSet", c.ReturnIntSet, wire.Set[int64]{3, 1, 2})
	echo(t, "returnIntSetSet", c.ReturnIntSetSet, wire.Set[wire.Set[int64]]{{1}, {2, 3}})
	echo(t, "returnIntListSet", c.ReturnIntListSet, wire.Set[[]int64]{{1, 2}})
	echo(t, "returnIntSetNullable", c.ReturnIntSetNullable, &wire.Set[int64]{1})
	echo(t, "returnIntSetNullable null", c.ReturnIntSetNullable, nil)
	echo(t, "returnIntSetNullableSet", c.ReturnIntSetNullableSet, wire.Set[*wire.Set[int64]]{{1}, nil})
	echo(t, "returnNullableIntSetNullableInts", c.ReturnNullableIntSetNullableInts, &wire.Set[*int64]{nil, ptr(int64(1))})
	echo(t, "returnByteDataSet", c.ReturnByteDataSet, wire.Set[[]byte]{[]byte("a"), []byte("b")})
	echo(t, "returnSimpleDataSetNullableSimpleData", c.ReturnSimpleDataSetNullableSimpleData, wire.Set[*client.SimpleData]{{Num: 1}, nil})
	echo(t, "returnDurationSet", c.ReturnDurationSet, wire.Set[time.Duration]{time.Second, time.Minute})

	if _, err := c.ReturnIntSet(context.Background(), wire.Set[int64]{1, 1}); err == nil {
		t.Error("a set with a duplicate was accepted")
	}
}

func TestOptionalAndNamedParameters(t *testing.T) {
	ctx := context.Background()
	cl := serve(t)
	echo(t, "returnOptionalInt", func(ctx context.Context, v *int64) (*int64, error) {
		return cl.OptionalParameters.ReturnOptionalInt(ctx, client.ReturnOptionalIntParams{OptionalInt: v})
	}, ptr(int64(7)))
	if got, err := cl.OptionalParameters.ReturnOptionalInt(ctx, client.ReturnOptionalIntParams{}); err != nil || got != nil {
		t.Errorf("returnOptionalInt without the argument: %v, %v", got, err)
	}

	m := cl.MethodSignaturePermutations
	if got, err := m.EchoPositionalArg(ctx, "a"); err != nil || got != "a" {
		t.Errorf("echoPositionalArg: %q, %v", got, err)
	}
	if got, err := m.EchoNamedArg(ctx, client.EchoNamedArgParams{String: "b"}); err != nil || got != "b" {
		t.Errorf("echoNamedArg: %q, %v", got, err)
	}
	if got, err := m.EchoNullableNamedArg(ctx, client.EchoNullableNamedArgParams{}); err != nil || got != nil {
		t.Errorf("echoNullableNamedArg without it: %v, %v", got, err)
	}
	if got, err := m.EchoOptionalArg(ctx, client.EchoOptionalArgParams{String: ptr("c")}); err != nil || got == nil || *got != "c" {
		t.Errorf("echoOptionalArg: %v, %v", got, err)
	}
	got, err := m.EchoPositionalAndNamedArgs(ctx, "1", client.EchoPositionalAndNamedArgsParams{String2: "2"})
	if err != nil || !reflect.DeepEqual(got, []*string{ptr("1"), ptr("2")}) {
		t.Errorf("echoPositionalAndNamedArgs: %v, %v", got, err)
	}
	got, err = m.EchoPositionalAndNullableNamedArgs(ctx, "1", client.EchoPositionalAndNullableNamedArgsParams{})
	if err != nil || !reflect.DeepEqual(got, []*string{ptr("1"), nil}) {
		t.Errorf("echoPositionalAndNullableNamedArgs: %v, %v", got, err)
	}
	got, err = m.EchoPositionalAndOptionalArgs(ctx, "1", client.EchoPositionalAndOptionalArgsParams{String2: ptr("2")})
	if err != nil || !reflect.DeepEqual(got, []*string{ptr("1"), ptr("2")}) {
		t.Errorf("echoPositionalAndOptionalArgs: %v, %v", got, err)
	}

	n := cl.NamedParameters
	if ok, err := n.NamedParametersMethodEqualInts(ctx, client.NamedParametersMethodEqualIntsParams{NamedInt: 3, NullableInt: ptr(int64(3))}); err != nil || !ok {
		t.Errorf("namedParametersMethodEqualInts(3, 3): %v, %v", ok, err)
	}
	if ok, err := n.NamedParametersMethodEqualInts(ctx, client.NamedParametersMethodEqualIntsParams{NamedInt: 3}); err != nil || ok {
		t.Errorf("namedParametersMethodEqualInts(3, null): %v, %v", ok, err)
	}
	if ok, err := n.NamedParametersMethod(ctx, client.NamedParametersMethodParams{NamedInt: 1, IntWithDefaultValue: 42}); err != nil || !ok {
		t.Errorf("namedParametersMethod: %v, %v", ok, err)
	}
}

func TestRecords(t *testing.T) {
	c := serve(t).RecordParameters
	sd := client.SimpleData{Num: 9}
	echo(t, "returnRecordOfInt", c.ReturnRecordOfInt, struct{ P1 int64 }{1})
	echo(t, "returnNullableRecordOfInt null", c.ReturnNullableRecordOfInt, nil)
	echo(t, "returnRecordOfNullableInt null field", c.ReturnRecordOfNullableInt, struct{ P1 *int64 }{})
	echo(t, "returnNullableRecordOfNullableInt", c.ReturnNullableRecordOfNullableInt, &struct{ P1 *int64 }{ptr(int64(2))})
	echo(t, "returnIntStringRecord", c.ReturnIntStringRecord, struct {
		P1 int64
		P2 string
	}{1, "a"})
	echo(t, "returnIntSimpleDataRecord", c.ReturnIntSimpleDataRecord, struct {
		P1 int64
		P2 client.SimpleData
	}{1, sd})
	echo(t, "returnNamedIntStringRecord", c.ReturnNamedIntStringRecord, struct {
		Number int64
		Text   string
	}{5, "five"})
	echo(t, "returnRecordOfNamedNullableIntAndNullableObject", c.ReturnRecordOfNamedNullableIntAndNullableObject, struct {
		Number *int64
		Data   *client.SimpleData
	}{nil, &sd})
	echo(t, "returnRecordTypedef", c.ReturnRecordTypedef, struct {
		P1   int64
		Data client.SimpleData
	}{1, sd})
	echo(t, "returnListOfNullableIntSimpleDataRecord", c.ReturnListOfNullableIntSimpleDataRecord, []*struct {
		P1 int64
		P2 client.SimpleData
	}{{1, sd}, nil})
	echo(t, "returnNullableSetOfIntSimpleDataRecord null", c.ReturnNullableSetOfIntSimpleDataRecord, nil)
	echo(t, "returnRecordMapOfIntSimpleDataRecord", c.ReturnRecordMapOfIntSimpleDataRecord, map[struct {
		P1 string
		P2 int64
	}]struct {
		P1 int64
		P2 client.SimpleData
	}{{"k", 1}: {2, sd}})
	type pair = struct {
		P1 int64
		P2 string
	}
	type sub = struct {
		P1 client.SimpleData
		P2 float64
	}
	echo(t, "returnNestedPositionalAndNamedRecord", c.ReturnNestedPositionalAndNamedRecord, struct {
		P1             pair
		NamedSubRecord sub
	}{pair{1, "a"}, sub{sd, 0.5}})
	echo(t, "returnNestedNullableNamedRecord", c.ReturnNestedNullableNamedRecord, struct{ NamedSubRecord *sub }{})

	got, err := c.ReturnStringMapOfListOfRecord(context.Background(), wire.Set[[]map[string]struct{ P1 int64 }]{{{"k": {7}}}})
	if want := map[string][]wire.Set[struct{ P1 int64 }]{"k": {{{7}}}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("returnStringMapOfListOfRecord: %v, %v", got, err)
	}
}

func TestSimpleAndErrors(t *testing.T) {
	ctx := context.Background()
	cl := serve(t)
	if err := cl.Simple.SetGlobalInt(ctx, ptr(int64(10)), client.SetGlobalIntParams{}); err != nil {
		t.Fatal(err)
	}
	if err := cl.Simple.AddToGlobalInt(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := cl.Simple.GetGlobalInt(ctx); err != nil || v != 11 {
		t.Errorf("getGlobalInt: %d, %v", v, err)
	}
	if v, err := cl.Simple.Hello(ctx, "gopod"); err != nil || v != "Hello gopod" {
		t.Errorf("hello: %q, %v", v, err)
	}

	var exc *client.ExceptionWithData
	if _, err := cl.ExceptionTest.ThrowExceptionWithData(ctx); !errors.As(err, &exc) || exc.Message != "Throwing an exception" || *exc.SomeNullableField != 1 {
		t.Errorf("throwExceptionWithData: %v", err)
	}
	var status *podclient.StatusError
	if _, err := cl.ExceptionTest.ThrowNormalException(ctx); !errors.As(err, &status) || status.StatusCode != 500 {
		t.Errorf("throwNormalException: %v", err)
	}
	if _, err := cl.SignInRequired.TestMethod(ctx); !errors.Is(err, podclient.ErrUnauthorized) {
		t.Errorf("signInRequired without a key: %v", err)
	}
	if _, err := cl.AdminScopeRequired.TestMethod(ctx); !errors.Is(err, podclient.ErrUnauthorized) {
		t.Errorf("adminScopeRequired without a key: %v", err)
	}

	if err := cl.FieldScopes.StoreObject(ctx, client.ObjectFieldScopes{Normal: "n", API: ptr("a")}); err != nil {
		t.Fatal(err)
	}
	if o, err := cl.FieldScopes.RetrieveObject(ctx); err != nil || o == nil || o.Normal != "n" || o.API == nil || *o.API != "a" {
		t.Errorf("retrieveObject: %+v, %v", o, err)
	}
	if v, err := cl.SubDirTest.TestMethod(ctx); err != nil || v != "subDir" {
		t.Errorf("subDirTest: %q, %v", v, err)
	}
	if v, err := cl.SubSubDirTest.TestMethod(ctx); err != nil || v != "subSubDir" {
		t.Errorf("subSubDirTest: %q, %v", v, err)
	}
}

// TestDartWireForms posts the bodies a 2.4 Dart client sends (records as
// {"p": [...], "n": {...}}, maps with non-String keys as {"k", "v"}
// entries, omitted optional arguments) and checks the exact answers.
func TestDartWireForms(t *testing.T) {
	srv := pod.NewServer(dispatch.New(), pod.WithLogger(slog.New(slog.DiscardHandler)))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cases := []struct{ path, body, want string }{
		{"/recordParameters", `{"method":"returnIntSimpleDataRecord","record":{"p":[1,{"num":9}]}}`, `{"p":[1,{"num":9}]}`},
		{"/recordParameters", `{"method":"returnRecordTypedef","record":{"p":[1],"n":{"data":{"num":2}}}}`, `{"p":[1],"n":{"data":{"num":2}}}`},
		{"/recordParameters", `{"method":"returnRecordOfNamedNullableIntAndNullableObject","record":{"n":{"data":null,"number":null}}}`, `{"n":{"data":null,"number":null}}`},
		{"/recordParameters", `{"method":"returnNullableRecordOfInt","record":null}`, `null`},
		{"/recordParameters", `{"method":"returnRecordMapOfIntSimpleDataRecord","map":[{"k":{"p":["a",1]},"v":{"p":[2,{"num":3}]}}]}`, `[{"k":{"p":["a",1]},"v":{"p":[2,{"num":3}]}}]`},
		{"/optionalParameters", `{"method":"returnOptionalInt"}`, `null`},
		{"/namedParameters", `{"method":"namedParametersMethodEqualInts","namedInt":1,"nullableInt":1}`, `true`},
		{"/mapParameters", `{"method":"returnIntMapNullable","map":null}`, `null`},
		{"/mapParameters", `{"method":"returnEnumIntMap","map":[{"k":1,"v":5}]}`, `[{"k":1,"v":5}]`},
		{"/setParameters", `{"method":"returnIntSetNullableInts","set":[null,1]}`, `[null,1]`},
		{"/basicTypes", `{"method":"testByteData","value":"decode('aGk=', 'base64')"}`, `"decode('aGk=', 'base64')"`},
		{"/basicTypes", `{"method":"testUri","value":null}`, `null`},
		{"/hTTPTest", `{"method":"echo","value":"x"}`, `"x"`},
		{"/renamed", `{"method":"ping","map":{"a":1}}`, `{"a":1}`},
		{"/rawFiles", `{"method":"file","path":"hello.txt"}`, `hello`},
		{"/rawFiles", `{"method":"file","path":"missing"}`, ``},
	}
	for _, c := range cases {
		resp, err := http.Post(ts.URL+c.path, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != c.want {
			t.Errorf("%s %s: %d %s, want %s", c.path, c.body, resp.StatusCode, body, c.want)
		}
		if ct := resp.Header.Get("Content-Type"); c.path == "/rawFiles" && c.want != "" && ct != "text/plain; charset=us-ascii" {
			t.Errorf("raw file sent as %s, want the endpoint's text/plain; charset=us-ascii", ct)
		}
	}
}
