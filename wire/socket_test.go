package wire

import (
	"reflect"
	"strings"
	"testing"
)

var testCID = MustParseUUID("0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11")

func encoded(t *testing.T, f func(e *Encoder)) string {
	t.Helper()
	e := NewEncoder(true)
	f(e)
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testModel stands in for a generated model and exception.
type testModel struct{ Num int64 }

func (*testModel) ClassName() string { return "SimpleData" }
func (m *testModel) Error() string   { return "boom" }
func (m *testModel) EncodeJSON(e *Encoder) {
	e.ObjectStart()
	e.Key("num")
	e.Int(m.Num)
	e.ObjectEnd()
}
func (m *testModel) DecodeJSON(v any) error {
	o, err := Object(v)
	if err != nil {
		return err
	}
	m.Num, err = Field(o, "num", DecodeInt)
	return err
}

// TestMessagesAsServerpodWritesThem pins each message to the bytes
// serverpod 2.4's WebSocketMessage.buildMessage produces (key order as in
// websocket_messages.dart).
func TestMessagesAsServerpodWritesThem(t *testing.T) {
	ref := StreamRef{Endpoint: "methodStreaming", Method: "intEchoStream", ConnectionID: testCID}
	in := ref
	in.Parameter = "stream"
	intObj := func(e *Encoder) { IntClass.EncodeTagged(e, 3) }
	for _, tc := range []struct {
		name string
		enc  func(e *Encoder)
		want string
	}{
		{"ping", EncodePingMessage, `{"type":"ping"}`},
		{"pong", EncodePongMessage, `{"type":"pong"}`},
		{"open", func(e *Encoder) {
			EncodeOpenMessage(e, ref, func(e *Encoder) { e.Key("value"); e.Int(5); e.Key("name"); e.String(`a "b"`) }, []string{"stream"}, "Basic NDI6c2VjcmV0")
		}, `{"type":"omsc","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","args":"{\"value\":5,\"name\":\"a \\\"b\\\"\"}","is":["stream"],"auth":"Basic NDI6c2VjcmV0"}}`},
		{"open without auth or args", func(e *Encoder) { EncodeOpenMessage(e, ref, nil, nil, "") },
			`{"type":"omsc","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","args":"{}","is":[]}}`},
		{"open response", func(e *Encoder) { EncodeOpenResponseMessage(e, ref, OpenAuthorizationDeclined) },
			`{"type":"omsr","data":{"cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","res":"authorizationDeclined","en":"methodStreaming","m":"intEchoStream"}}`},
		{"output value", func(e *Encoder) { EncodeValueMessage(e, ref, intObj) },
			`{"type":"msm","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","o":{"className":"int","data":3}}}`},
		{"input value", func(e *Encoder) { EncodeValueMessage(e, in, intObj) },
			`{"type":"msm","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","p":"stream","o":{"className":"int","data":3}}}`},
		{"null value", func(e *Encoder) {
			EncodeValueMessage(e, ref, func(e *Encoder) { NullableClass(IntClass).EncodeTagged(e, nil) })
		},
			`{"type":"msm","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","o":{"className":"null","data":null}}}`},
		{"model value", func(e *Encoder) {
			EncodeValueMessage(e, ref, func(e *Encoder) { ModelPtrClass[testModel]().EncodeTagged(e, &testModel{Num: 7}) })
		}, `{"type":"msm","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","o":{"className":"SimpleData","data":{"num":7}}}}`},
		{"exception", func(e *Encoder) { EncodeExceptionMessage(e, ref, &testModel{Num: 1}) },
			`{"type":"msse","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","ex":{"className":"SimpleData","data":{"num":1}}}}`},
		{"close output", func(e *Encoder) { EncodeCloseMessage(e, ref, CloseDone) },
			`{"type":"cmsc","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","cr":"done"}}`},
		{"close input", func(e *Encoder) { EncodeCloseMessage(e, in, CloseError) },
			`{"type":"cmsc","data":{"en":"methodStreaming","m":"intEchoStream","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","p":"stream","cr":"error"}}`},
		{"bad request", func(e *Encoder) { EncodeBadRequestMessage(e, "{\"type\":\"nope\"}") },
			`{"type":"brm","data":{"req":"{\"type\":\"nope\"}"}}`},
		{"legacy message", func(e *Encoder) { EncodeLegacyMessage(e, "serverpod_auth.status", &testModel{Num: 2}) },
			`{"endpoint":"serverpod_auth.status","object":{"className":"SimpleData","data":{"num":2}}}`},
		{"legacy pong", EncodeLegacyPong, `{"command":"pong"}`},
		{"legacy ping", func(e *Encoder) { EncodeLegacyCommand(e, "ping", nil) }, `{"command":"ping","args":{}}`},
		{"legacy sign-out", func(e *Encoder) { EncodeLegacyCommand(e, "auth", nil) }, `{"command":"auth","args":{"key":null}}`},
		{"legacy auth", func(e *Encoder) { k := "Basic NDI6c2VjcmV0"; EncodeLegacyCommand(e, "auth", &k) },
			`{"command":"auth","args":{"key":"Basic NDI6c2VjcmV0"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := encoded(t, tc.enc); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseMessage(t *testing.T) {
	cid := testCID.String()
	obj := Tagged{ClassName: "int", Data: json1}
	for _, tc := range []struct {
		text string
		want Message
	}{
		{`{"type":"ping"}`, Message{Type: TypePing}},
		{`{"type":"pong","data":{"ignored":1}}`, Message{Type: TypePong}},
		{`{"type":"omsc","data":{"en":"e","m":"m","cid":"` + cid + `","args":"{\"a\":1}","is":["s","t"],"auth":"Basic eA=="}}`,
			Message{Type: TypeOpen, StreamRef: StreamRef{"e", "m", testCID, ""}, Args: `{"a":1}`, InputStreams: []string{"s", "t"}, Auth: "Basic eA=="}},
		{`{"type":"omsc","data":{"en":"e","m":"m","cid":"` + strings.ToUpper(cid) + `","args":"{}","is":[],"auth":null}}`,
			Message{Type: TypeOpen, StreamRef: StreamRef{"e", "m", testCID, ""}, Args: `{}`, InputStreams: []string{}}},
		{`{"type":"omsr","data":{"cid":"` + cid + `","res":"invalidArguments","en":"e","m":"m"}}`,
			Message{Type: TypeOpenResponse, StreamRef: StreamRef{"e", "m", testCID, ""}, Result: OpenInvalidArguments}},
		{`{"type":"msm","data":{"en":"e","m":"m","cid":"` + cid + `","p":"s","o":{"className":"int","data":1}}}`,
			Message{Type: TypeValue, StreamRef: StreamRef{"e", "m", testCID, "s"}, Object: obj}},
		{`{"type":"msse","data":{"en":"e","m":"m","cid":"` + cid + `","ex":{"className":"int","data":1}}}`,
			Message{Type: TypeException, StreamRef: StreamRef{"e", "m", testCID, ""}, Exception: obj}},
		{`{"type":"cmsc","data":{"en":"e","m":"m","cid":"` + cid + `","p":null,"cr":"error"}}`,
			Message{Type: TypeClose, StreamRef: StreamRef{"e", "m", testCID, ""}, Reason: CloseError}},
		{`{"type":"brm","data":{"req":"x"}}`, Message{Type: TypeBadRequest, Request: "x"}},
	} {
		got, err := ParseMessage([]byte(tc.text))
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tc.text, *got, tc.want)
		}
	}
}

var json1 = mustParse(`1`)

func mustParse(s string) any {
	v, err := Parse([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}

func TestParseMessageRefusesWhatServerpodRefuses(t *testing.T) {
	cid := testCID.String()
	for _, tc := range []struct{ text, want string }{
		{`nope`, "invalid"},
		{`[]`, "expected an object"},
		{`{"type":"PING"}`, `unknown message type "PING"`},
		{`{"type":null}`, "type: missing required field"},
		{`{"type":"omsc"}`, "data: expected an object, got null"},
		{`{"type":"omsc","data":{"en":"e","m":"m","cid":"nope","args":"{}","is":[]}}`, "data.cid: invalid UUID"},
		{`{"type":"omsc","data":{"en":"e","m":"m","cid":"` + cid + `","args":{},"is":[]}}`, "data.args: expected a String"},
		{`{"type":"omsc","data":{"en":"e","m":"m","cid":"` + cid + `","args":"{}"}}`, "data.is: missing required field"},
		{`{"type":"omsc","data":{"en":"e","m":"m","cid":"` + cid + `","args":"{}","is":[1]}}`, "data.is[0]: expected a String"},
		{`{"type":"omsc","data":{"m":"m","cid":"` + cid + `","args":"{}","is":[]}}`, "data.en: missing required field"},
		{`{"type":"omsr","data":{"en":"e","m":"m","cid":"` + cid + `","res":"maybe"}}`, `data.res: unknown answer "maybe"`},
		{`{"type":"cmsc","data":{"en":"e","m":"m","cid":"` + cid + `","cr":"later"}}`, `data.cr: unknown close reason "later"`},
		{`{"type":"cmsc","data":{"en":"e","m":"m","cid":"` + cid + `","p":3,"cr":"done"}}`, "data.p: expected a String"},
		{`{"type":"msm","data":{"en":"e","m":"m","cid":"` + cid + `","o":3}}`, "data.o: expected an object"},
		{`{"type":"msm","data":{"en":"e","m":"m","cid":"` + cid + `","o":{"data":3}}}`, "data.o.className: missing required field"},
		{`{"type":"msm","data":{"en":"e","m":"m","cid":"` + cid + `","o":{"className":4,"data":3}}}`, "data.o.className: expected a String"},
		{`{"type":"msm","data":{"en":"e","m":"m","cid":"` + cid + `"}}`, "data.o: expected an object, got null"},
		{`{"type":"msm","data":{"en":"e","m":"m","cid":"` + cid + `","o":{"className":"int","data":3},"o":null}}`, "data.o: expected an object, got null"},
		{`{"type":"ping","data":{"x":1}} x`, "data after the value"},
		{`{"type":"ping",}`, "expected an object key"},
		{`{"data":3,"type":"omsc"}`, "data: expected an object, got the number 3"},
		{`{"type":"msse","data":{"en":"e","m":"m","cid":"` + cid + `"}}`, "data.ex: expected an object, got null"},
		{`{"type":"brm","data":{}}`, "data.req: missing required field"},
	} {
		_, err := ParseMessage([]byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", tc.text, err, tc.want)
		}
	}
}

func TestParseLegacyMessage(t *testing.T) {
	for _, tc := range []struct {
		text string
		want LegacyMessage
		err  string
	}{
		{text: `{"command":"ping","args":{}}`, want: LegacyMessage{Command: "ping"}},
		{text: `{"command":"auth","args":{"key":"Basic eA=="}}`, want: LegacyMessage{Command: "auth", Key: "Basic eA=="}},
		{text: `{"command":"auth","args":{"key":null}}`, want: LegacyMessage{Command: "auth"}},
		{text: `{"endpoint":"chat","object":{"className":"int","data":1}}`, want: LegacyMessage{Endpoint: "chat", Object: Tagged{ClassName: "int", Data: json1}}},
		{text: `{"command":"ping"}`, err: "args: expected an object"},
		{text: `{"command":"auth","args":{"key":1}}`, err: "args.key: expected a String"},
		{text: `{"object":{"className":"int","data":1}}`, err: "endpoint: missing required field"},
		{text: `{"endpoint":"chat","object":[]}`, err: "object: expected an object"},
		{text: `"x"`, err: "expected an object"},
	} {
		got, err := ParseLegacyMessage([]byte(tc.text))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: got %v, want an error with %q", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%s: got %#v, %v", tc.text, got, err)
		}
	}
}

func TestClassTagged(t *testing.T) {
	for _, tc := range []struct {
		name string
		enc  func(e *Encoder)
		want string
	}{
		{"int", func(e *Encoder) { IntClass.EncodeTagged(e, 5) }, `{"className":"int","data":5}`},
		{"string", func(e *Encoder) { StringClass.EncodeTagged(e, "x") }, `{"className":"String","data":"x"}`},
		{"nullable set", func(e *Encoder) { v := 2.5; NullableClass(DoubleClass).EncodeTagged(e, &v) }, `{"className":"double","data":2.5}`},
		{"nullable nil", func(e *Encoder) { NullableClass(DoubleClass).EncodeTagged(e, nil) }, `{"className":"null","data":null}`},
		{"uri nil", func(e *Encoder) { URIClass.EncodeTagged(e, nil) }, `{"className":"null","data":null}`},
		{"model", func(e *Encoder) { ModelClass[testModel]().EncodeTagged(e, testModel{Num: 4}) }, `{"className":"SimpleData","data":{"num":4}}`},
		{"list", func(e *Encoder) {
			Class[[]int64]{Name: "List<int>", Encode: EncodeList((*Encoder).Int)}.EncodeTagged(e, []int64{1, 2})
		}, `{"className":"List<int>","data":[1,2]}`},
	} {
		if got := encoded(t, tc.enc); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}

	if v, err := IntClass.DecodeTagged(Tagged{"int", mustParse(`9`)}); err != nil || v != 9 {
		t.Errorf("int: %v, %v", v, err)
	}
	if v, err := NullableClass(IntClass).DecodeTagged(Tagged{"null", nil}); err != nil || v != nil {
		t.Errorf("null into int?: %v, %v", v, err)
	}
	if _, err := IntClass.DecodeTagged(Tagged{"null", nil}); err == nil {
		t.Error("null into int: no error")
	}
	if _, err := IntClass.DecodeTagged(Tagged{"int", "9"}); err == nil || !strings.Contains(err.Error(), "data:") {
		t.Errorf("a String into int: %v", err)
	}
	if v, err := ModelPtrClass[testModel]().DecodeTagged(Tagged{"SimpleData", mustParse(`{"num":3}`)}); err != nil || v.Num != 3 {
		t.Errorf("model: %v, %v", v, err)
	}
}

// FuzzParseMessage: whatever a client sends, reading it returns a message
// or an error, never a panic, and a message re-encodes to one that reads
// back the same.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(`{"type":"omsc","data":{"en":"e","m":"m","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","args":"{}","is":["s"],"auth":"Basic eA=="}}`))
	f.Add([]byte(`{"type":"msm","data":{"en":"e","m":"m","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","p":"s","o":{"className":"int","data":1}}}`))
	f.Add([]byte(`{"type":"cmsc","data":{"en":"e","m":"m","cid":"0b6c3f55-7f0e-4a5b-9d43-5b0c2f1e8a11","cr":"done"}}`))
	f.Add([]byte(`{"command":"auth","args":{"key":null}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseLegacyMessage(b)
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		var text string
		switch m.Type {
		case TypeClose:
			text = encoded(t, func(e *Encoder) { EncodeCloseMessage(e, m.StreamRef, m.Reason) })
		case TypeOpenResponse:
			text = encoded(t, func(e *Encoder) { EncodeOpenResponseMessage(e, m.StreamRef, m.Result) })
		case TypeBadRequest:
			text = encoded(t, func(e *Encoder) { EncodeBadRequestMessage(e, m.Request) })
		default:
			return
		}
		again, err := ParseMessage([]byte(text))
		if err != nil {
			t.Fatalf("%s re-encoded as %s, which does not read: %v", b, text, err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("%s re-encoded as %s, which reads as %#v", b, text, again)
		}
	})
}

// TestParseMessageTruncated: every prefix of a message is refused, none
// read past the end.
func TestParseMessageTruncated(t *testing.T) {
	for _, whole := range []string{
		`{"type":"msm","data":{"en":"e","m":"m","cid":"` + testCID.String() + `","p":"s","o":{"className":"int","data":1}}}`,
		`{"type":"omsc","data":{"en":"e","m":"m","cid":"` + testCID.String() + `","args":"{}","is":["s"],"auth":"Basic eA=="}}`,
	} {
		for i := range len(whole) {
			if _, err := ParseMessage([]byte(whole[:i])); err == nil {
				t.Errorf("%q: no error", whole[:i])
			}
		}
	}
}

// TestCallKey: the streams of one call share its key, whichever of them a
// message names; calls differing in connection, endpoint or method do not.
func TestCallKey(t *testing.T) {
	other := MustParseUUID("5f0e2d1c-3b4a-4c5d-8e6f-7a8b9c0d1e2f")
	out := StreamRef{Endpoint: "chat", Method: "room", ConnectionID: testCID}
	for _, tc := range []struct {
		name string
		ref  StreamRef
		same bool
	}{
		{"the output stream", out, true},
		{"an input stream", StreamRef{Endpoint: "chat", Method: "room", ConnectionID: testCID, Parameter: "messages"}, true},
		{"another connection", StreamRef{Endpoint: "chat", Method: "room", ConnectionID: other}, false},
		{"another endpoint", StreamRef{Endpoint: "news", Method: "room", ConnectionID: testCID}, false},
		{"another method", StreamRef{Endpoint: "chat", Method: "lobby", ConnectionID: testCID}, false},
	} {
		if same := tc.ref.CallKey() == out.CallKey(); same != tc.same {
			t.Errorf("%s: same key as the call's output stream %v, want %v", tc.name, same, tc.same)
		}
	}
}
