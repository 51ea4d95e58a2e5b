// Package e2e checks the generated code of this project: the exact JSON of
// every type, both directions, and calls through the generated Go client
// to a server running the generated dispatch.
package e2e

import (
	"context"
	"errors"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"alltypes/client"
	"alltypes/generated/dispatch"
	"alltypes/generated/protocol"
)

func ptr[T any](v T) *T { return &v }

func fullTypes() protocol.Types {
	bi, _ := new(big.Int).SetString("-12345678901234567890", 10)
	u, _ := url.Parse("https://serverpod.dev/a?b=c")
	return protocol.Types{
		AnInt:             ptr(int64(42)),
		ADouble:           ptr(1.5),
		ABool:             ptr(true),
		AString:           ptr(`x"y`),
		ADateTime:         ptr(time.Date(2024, 5, 1, 22, 0, 0, 123000000, time.UTC)),
		ADuration:         ptr(90 * time.Minute),
		AUUID:             ptr(wire.MustParseUUID("550e8400-e29b-41d4-a716-446655440000")),
		AURI:              u,
		ABigInt:           bi,
		AByteData:         []byte("hello"),
		AnEnum:            ptr(protocol.TestEnumGreen),
		AStringifiedEnum:  ptr(protocol.TestEnumStringifiedTwo),
		AList:             []int64{1, 2},
		ASet:              []string{"a", "b"},
		AMap:              map[string]int64{"b": 2, "a": 1},
		AMapWithIntKeys:   map[int64]string{2: "two", 1: "one"},
		AMapWithModelKeys: []wire.Entry[protocol.Nested, string]{{Key: protocol.Nested{Value: "k"}, Value: "v"}},
		ANested:           map[string][]map[int64]*time.Time{"x": {{1: nil}}},
		AnObject:          &protocol.Nested{Value: "n"},
		Objects:           []*protocol.Nested{{Value: "a"}, nil},
		Secret:            ptr("s"),
	}
}

const wireJSON = `{"anInt":42,"aDouble":1.5,"aBool":true,"aString":"x\"y",` +
	`"aDateTime":"2024-05-01T22:00:00.123Z","aDuration":5400000,` +
	`"aUuid":"550e8400-e29b-41d4-a716-446655440000","aUri":"https://serverpod.dev/a?b=c",` +
	`"aBigInt":"-12345678901234567890","aByteData":"decode('aGVsbG8=', 'base64')",` +
	`"anEnum":1,"aStringifiedEnum":"two","aList":[1,2],"aSet":["a","b"],"aMap":{"a":1,"b":2},` +
	`"aMapWithIntKeys":[{"k":1,"v":"one"},{"k":2,"v":"two"}],` +
	`"aMapWithModelKeys":[{"k":{"value":"k"},"v":"v"}],` +
	`"aNested":{"x":[[{"k":1,"v":null}]]},"anObject":{"value":"n"},"objects":[{"value":"a"},null]}`

// fullJSON is the server's toJson: the wire form plus server-only fields.
var fullJSON = wireJSON[:len(wireJSON)-1] + `,"secret":"s"}`

func TestExactJSON(t *testing.T) {
	v := fullTypes()
	got, err := wire.MarshalProtocol(wire.EncodeModel[protocol.Types], v)
	if err != nil || string(got) != wireJSON {
		t.Errorf("wire form:\n got %s (%v)\nwant %s", got, err, wireJSON)
	}
	got, err = wire.MarshalModel(v)
	if err != nil || string(got) != fullJSON {
		t.Errorf("full form:\n got %s (%v)\nwant %s", got, err, fullJSON)
	}
	var back protocol.Types
	if err := wire.UnmarshalModel([]byte(fullJSON), &back); err != nil {
		t.Fatal(err)
	}
	again, _ := wire.MarshalModel(back)
	if string(again) != fullJSON {
		t.Errorf("decode then encode:\n got %s\nwant %s", again, fullJSON)
	}
	var empty protocol.Types
	if got, _ := wire.MarshalModel(empty); string(got) != "{}" {
		t.Errorf("all-null model encodes as %s, want {}", got)
	}
}

func TestDefaultsAndRequiredFields(t *testing.T) {
	r := protocol.NewRequired()
	if r.Count != 10 || r.Ratio != 0.5 || !r.Enabled || *r.Label != "it's" || r.Color != protocol.TestEnumGreen ||
		r.Timeout != 26*time.Hour+10*time.Minute+30*time.Second+100*time.Millisecond ||
		!r.When.Equal(time.Date(2024, 5, 1, 22, 0, 0, 0, time.UTC)) {
		t.Errorf("defaults: %+v", r)
	}
	var x protocol.Required
	err := wire.UnmarshalModel([]byte(`{"name":"n","count":1,"ratio":1,"enabled":true,"when":"2024-05-01T22:00:00.000Z","timeout":0,"color":0,"nested":{"value":"v"}}`), &x)
	if err == nil || err.Error() != "tags: missing required field" {
		t.Errorf("missing required field: %v", err)
	}
	// A nullable field with a default gets it when absent, as Serverpod's constructor does.
	if err := wire.UnmarshalModel([]byte(`{"name":"n","count":1,"ratio":1,"enabled":true,"when":"2024-05-01T22:00:00.000Z","timeout":0,"color":0,"tags":[],"nested":{"value":"v"}}`), &x); err != nil {
		t.Fatal(err)
	}
	if x.Label == nil || *x.Label != "it's" {
		t.Errorf("label = %v", x.Label)
	}
}

func serve(t *testing.T) *client.Client {
	srv := pod.NewServer(dispatch.New(), pod.WithLogger(slog.New(slog.DiscardHandler)))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return client.New(ts.URL)
}

func TestCallsThroughTheGeneratedClient(t *testing.T) {
	c := serve(t)
	ctx := context.Background()

	in := client.Types{AnInt: ptr(int64(7)), AList: []int64{}, AnObject: &client.Nested{Value: "o"}, Objects: []*client.Nested{nil}}
	out, err := c.Types.Echo(ctx, in)
	if err != nil || !reflect.DeepEqual(out, in) {
		t.Errorf("echo = %+v, %v", out, err)
	}
	if out, err := c.Types.EchoNullable(ctx, nil); err != nil || out != nil {
		t.Errorf("echoNullable(null) = %v, %v", out, err)
	}
	if n, err := c.Types.Add(ctx, 40, ptr(int64(2))); err != nil || n != 42 {
		t.Errorf("add = %d, %v", n, err)
	}
	if n, err := c.Types.Add(ctx, 40, nil); err != nil || n != 40 {
		t.Errorf("add without b = %d, %v", n, err)
	}
	u, _ := url.Parse("https://example.com/")
	when := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
	got, err := c.Types.Scalars(ctx, 1, 2.5, true, "s", when, time.Second, wire.MustParseUUID("550e8400-e29b-41d4-a716-446655440000"), u, big.NewInt(9), []byte{0, 1}, client.TestEnumBlue, client.TestEnumStringifiedOne)
	if err != nil || *got.AnInt != 1 || *got.ADouble != 2.5 || !*got.ABool || *got.AString != "s" || !got.ADateTime.Equal(when) ||
		*got.ADuration != time.Second || got.AURI.String() != u.String() || got.ABigInt.Int64() != 9 || string(got.AByteData) != "\x00\x01" ||
		*got.AnEnum != client.TestEnumBlue || *got.AStringifiedEnum != client.TestEnumStringifiedOne {
		t.Errorf("scalars = %+v, %v", got, err)
	}
	m, err := c.Types.Containers(ctx, []int64{1}, map[string][]*int64{"a": {nil}}, map[int64]client.Nested{5: {Value: "five"}}, []int64{})
	if err != nil || len(m[5]) != 2 || m[5][0].Value != "five" || m[5][1] != nil {
		t.Errorf("containers = %v, %v", m, err)
	}
	if s, err := c.Types.Maybe(ctx, true); err != nil || s != nil {
		t.Errorf("maybe(true) = %v, %v", s, err)
	}
	if s, err := c.Types.Maybe(ctx, false); err != nil || *s != "something" {
		t.Errorf("maybe(false) = %v, %v", s, err)
	}
	err = c.Types.Fail(ctx, 7)
	var exc *client.MyException
	if !errors.As(err, &exc) || exc.Message != "failed on purpose" || *exc.Code != 7 {
		t.Errorf("fail = %v", err)
	}
	err = podclient.CallVoid(ctx, c.Caller, "types", "nope", nil)
	var se *podclient.StatusError
	if !errors.As(err, &se) || se.StatusCode != 400 || !errors.Is(err, podclient.ErrBadRequest) {
		t.Errorf("unknown method = %v", err)
	}
}
