package wire

import "fmt"

// This file holds the messages of Serverpod 2.4's two WebSocket protocols,
// byte for byte as serverpod and serverpod_client 2.4 write them:
//
//   - method streaming on /v1/websocket: every frame is
//     {"type": <code>, "data": {...}} (data left out when empty);
//   - endpoint streaming on /websocket (the legacy protocol behind
//     openStreamingConnection): commands {"command": ..., "args": {...}} and
//     messages {"endpoint": ..., "object": {"className", "data"}}.

// MessageType is the type code of a method-streaming message.
type MessageType string

// The method-streaming message types.
const (
	TypePing MessageType = "ping"
	TypePong MessageType = "pong"
	// TypeOpen (OpenMethodStreamCommand) opens a stream: client to server.
	TypeOpen MessageType = "omsc"
	// TypeOpenResponse (OpenMethodStreamResponse) answers TypeOpen.
	TypeOpenResponse MessageType = "omsr"
	// TypeValue (MethodStreamMessage) carries one value of a stream.
	TypeValue MessageType = "msm"
	// TypeException (MethodStreamSerializableException) carries a
	// serializable exception that ends a stream.
	TypeException MessageType = "msse"
	// TypeClose (CloseMethodStreamCommand) closes a stream, from either side.
	TypeClose MessageType = "cmsc"
	// TypeBadRequest (BadRequestMessage) answers a message that could not
	// be read, quoting it.
	TypeBadRequest MessageType = "brm"
)

// OpenResult answers an open command.
type OpenResult string

// The answers to an open command.
const (
	OpenSuccess               OpenResult = "success"
	OpenEndpointNotFound      OpenResult = "endpointNotFound"
	OpenAuthenticationFailed  OpenResult = "authenticationFailed"
	OpenAuthorizationDeclined OpenResult = "authorizationDeclined"
	OpenInvalidArguments      OpenResult = "invalidArguments"
)

// CloseReason says why a stream was closed.
type CloseReason string

// The reasons a stream closes.
const (
	CloseDone  CloseReason = "done"
	CloseError CloseReason = "error"
)

// StreamRef names one stream: the call's endpoint, method and connection
// id (chosen by the client), and for an input stream the parameter it
// feeds. An empty Parameter means the method's output stream.
type StreamRef struct {
	Endpoint     string
	Method       string
	ConnectionID UUID
	Parameter    string
}

// CallKey identifies a call among the streams of a connection as
// Serverpod does: by connection id, endpoint and method, so that every
// stream of a call (its output and its input streams) has the same key. It
// is comparable, for use as a map key.
type CallKey struct {
	ConnectionID     UUID
	Endpoint, Method string
}

// CallKey returns the key of the call r is a stream of.
func (r StreamRef) CallKey() CallKey { return CallKey{r.ConnectionID, r.Endpoint, r.Method} }

// Message is one method-streaming message. Which fields are set depends
// on Type.
type Message struct {
	Type MessageType
	StreamRef
	// Args (open) is the JSON text of the call's ordinary arguments.
	Args string
	// InputStreams (open) names the input streams the client will feed.
	InputStreams []string
	// Auth (open) is the authorization header value, empty when none.
	Auth string
	// Result answers an open command.
	Result OpenResult
	// Reason says why a stream closed.
	Reason CloseReason
	// Object (value) and Exception (exception) are the type-tagged values.
	Object    Tagged
	Exception Tagged
	// Request (bad request) is the message that could not be read.
	Request string
}

// ParseMessage reads a method-streaming message. Like serverpod 2.4 it
// refuses unknown types, missing or mistyped fields, malformed connection
// ids and unknown answers or reasons; the class names of values are left
// for the receiver of the stream to check.
//
// It reads the envelope and its data without building maps, as it runs
// for every value of every stream; only a value's data becomes a tree.
func ParseMessage(b []byte) (*Message, error) {
	p := parser{data: b}
	p.skipSpace()
	if p.pos >= len(b) || b[p.pos] != '{' {
		v, err := Parse(b)
		if err != nil {
			return nil, err
		}
		_, err = Object(v)
		return nil, err
	}
	var (
		typ     any // a type that is not a string
		typName []byte
		isName  bool
		hasData bool
		data    any // data that is not an object
		f       dataFields
	)
	if err := p.objectStart(1); err != nil {
		return nil, err
	}
	for first := true; ; first = false {
		key, ok, err := p.nextKey(first)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		switch string(key) {
		case "type":
			typ, isName = nil, p.peek() == '"'
			if isName {
				typName, err = p.rawString()
			} else {
				typ, err = p.value(1)
			}
		case "data":
			hasData, data, f = true, nil, dataFields{}
			if p.peek() == '{' {
				err = p.readData(&f)
			} else if data, err = p.value(1); data == nil {
				hasData = false
			}
		default:
			_, err = p.value(1)
		}
		if err != nil {
			return nil, err
		}
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return nil, p.errorf("data after the value")
	}
	if !isName {
		if typ == nil {
			return nil, &Error{Path: "type", Msg: "missing required field"}
		}
		return nil, AtKey(mismatch("a String", typ), "type")
	}
	m := &Message{}
	for _, t := range messageTypes {
		if string(typName) == string(t) {
			m.Type = t
		}
	}
	if m.Type == "" {
		return nil, &Error{Msg: fmt.Sprintf("unknown message type %q", typName)}
	}
	if m.Type == TypePing || m.Type == TypePong {
		return m, nil
	}
	if !hasData || data != nil {
		return nil, AtKey(mismatch("an object", data), "data")
	}
	if err := m.read(&f); err != nil {
		return nil, AtKey(err, "data")
	}
	return m, nil
}

// readData reads the members of a message's data that it knows; the
// tagged values (o, ex) are read as Tagged when they have that shape.
func (p *parser) readData(f *dataFields) error {
	if err := p.objectStart(2); err != nil {
		return err
	}
	for first := true; ; first = false {
		key, ok, err := p.nextKey(first)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		k, known := dataKeys[string(key)]
		f.isString[k] = false
		switch {
		case !known:
			_, err = p.value(2)
		case (k == keyO || k == keyEx) && p.peek() == '{':
			f.tagged[k-keyO], err = p.tagged(3)
			f.v[k], f.has[k] = nil, true
		case k == keyCid && p.peek() == '"':
			// Parsed in place, never copied.
			f.cid, err = p.rawString()
			f.v[k], f.has[k], f.isString[k] = nil, true, true
		case k != keyIs && k != keyO && k != keyEx && p.peek() == '"':
			// Read as a string, not boxed in an any.
			f.s[k], err = p.string()
			f.v[k], f.has[k], f.isString[k] = nil, true, true
		default:
			f.v[k], err = p.value(2)
			f.has[k] = f.v[k] != nil
		}
		if err != nil {
			return err
		}
	}
}

// tagged reads a {"className", "data"} object; a missing or mistyped
// class name is reported by checkTagged.
func (p *parser) tagged(depth int) (taggedRead, error) {
	var t taggedRead
	if err := p.objectStart(depth); err != nil {
		return t, err
	}
	for first := true; ; first = false {
		key, ok, err := p.nextKey(first)
		if err != nil {
			return t, err
		}
		if !ok {
			return t, nil
		}
		switch string(key) {
		case "className":
			if p.peek() == '"' {
				t.ClassName, err = p.string()
				t.className = true
			} else {
				t.className, err = p.value(depth)
			}
		case "data":
			t.Data, err = p.value(depth)
		default:
			_, err = p.value(depth)
		}
		if err != nil {
			return t, err
		}
	}
}

// taggedRead is a tagged value as read, before its class name is
// checked: className is true when it was a string (in ClassName), else
// what it was.
type taggedRead struct {
	className any
	Tagged
}

// Tagged is a type-tagged value as read: its class name and its data, as
// Parse returns it.
type Tagged struct {
	ClassName string
	Data      any
}

var messageTypes = [...]MessageType{TypePing, TypePong, TypeOpen, TypeOpenResponse, TypeValue, TypeException, TypeClose, TypeBadRequest}

// The keys of a message's data.
const (
	keyEn = iota
	keyM
	keyCid
	keyArgs
	keyIs
	keyAuth
	keyP
	keyCr
	keyRes
	keyO
	keyEx
	keyReq
	numKeys
)

var dataKeys = map[string]int{
	"en": keyEn, "m": keyM, "cid": keyCid, "args": keyArgs, "is": keyIs, "auth": keyAuth,
	"p": keyP, "cr": keyCr, "res": keyRes, "o": keyO, "ex": keyEx, "req": keyReq,
}

var dataKeyNames = [numKeys]string{"en", "m", "cid", "args", "is", "auth", "p", "cr", "res", "o", "ex", "req"}

// dataFields holds the known members of a message's data; a null member
// counts as missing, as in serverpod. The tagged values o and ex, when
// they are objects, are in tagged.
type dataFields struct {
	v        [numKeys]any
	has      [numKeys]bool
	s        [numKeys]string // the members that are strings
	isString [numKeys]bool
	cid      []byte // the connection id, a slice of the input
	tagged   [2]taggedRead
}

// str reads a required string member; want names the type in errors.
func (f *dataFields) str(k int, want string) (string, error) {
	switch {
	case f.isString[k]:
		return f.s[k], nil
	case !f.has[k]:
		return "", &Error{Path: dataKeyNames[k], Msg: "missing required field"}
	}
	return "", AtKey(mismatch(want, f.v[k]), dataKeyNames[k])
}

// optionalStr reads a string member that may be missing or null.
func (f *dataFields) optionalStr(k int) (string, error) {
	if !f.has[k] {
		return "", nil
	}
	return f.str(k, "a String")
}

// required reads a member that must be there, as Field does.
func required[T any](f *dataFields, k int, dec DecodeFunc[T]) (T, error) {
	if !f.has[k] {
		var zero T
		return zero, &Error{Path: dataKeyNames[k], Msg: "missing required field"}
	}
	x, err := dec(f.v[k])
	if err != nil {
		return x, AtKey(err, dataKeyNames[k])
	}
	return x, nil
}

func (m *Message) read(d *dataFields) error {
	var err error
	if m.Type == TypeBadRequest {
		m.Request, err = d.str(keyReq, "a String")
		return err
	}
	if m.Endpoint, err = d.str(keyEn, "a String"); err != nil {
		return err
	}
	if m.Method, err = d.str(keyM, "a String"); err != nil {
		return err
	}
	if _, err := d.str(keyCid, "a UuidValue string"); err != nil {
		return err
	}
	if m.ConnectionID, err = parseUUID(d.cid); err != nil {
		return AtKey(&Error{Msg: err.Error()}, "cid")
	}
	switch m.Type {
	case TypeOpen:
		if m.Args, err = d.str(keyArgs, "a String"); err != nil {
			return err
		}
		if m.InputStreams, err = required(d, keyIs, DecodeList(DecodeString)); err != nil {
			return err
		}
		m.Auth, err = d.optionalStr(keyAuth)
		return err
	case TypeOpenResponse:
		res, err := d.str(keyRes, "a String")
		if err != nil {
			return err
		}
		switch r := OpenResult(res); r {
		case OpenSuccess, OpenEndpointNotFound, OpenAuthenticationFailed, OpenAuthorizationDeclined, OpenInvalidArguments:
			m.Result = r
			return nil
		}
		return AtKey(fmt.Errorf("unknown answer %q", res), "res")
	}
	if m.Parameter, err = d.optionalStr(keyP); err != nil {
		return err
	}
	switch m.Type {
	case TypeClose:
		cr, err := d.str(keyCr, "a String")
		if err != nil {
			return err
		}
		switch r := CloseReason(cr); r {
		case CloseDone, CloseError:
			m.Reason = r
			return nil
		}
		return AtKey(fmt.Errorf("unknown close reason %q", cr), "cr")
	case TypeValue:
		m.Object, err = taggedMember(d, keyO)
	case TypeException:
		m.Exception, err = taggedMember(d, keyEx)
	}
	return err
}

// taggedMember checks that a member is a {"className": <string>, ...}
// object.
func taggedMember(d *dataFields, k int) (Tagged, error) {
	if d.v[k] != nil || !d.has[k] {
		return Tagged{}, AtKey(mismatch("an object", d.v[k]), dataKeyNames[k])
	}
	t := d.tagged[k-keyO]
	switch t.className.(type) {
	case bool: // read as a string
		return t.Tagged, nil
	case nil:
		return Tagged{}, AtKey(&Error{Path: "className", Msg: "missing required field"}, dataKeyNames[k])
	}
	_, err := DecodeString(t.className)
	return Tagged{}, AtKey(AtKey(err, "className"), dataKeyNames[k])
}

// EncodePingMessage writes {"type":"ping"}.
func EncodePingMessage(e *Encoder) { encodeBare(e, TypePing) }

// EncodePongMessage writes {"type":"pong"}.
func EncodePongMessage(e *Encoder) { encodeBare(e, TypePong) }

func encodeBare(e *Encoder, t MessageType) {
	e.ObjectStart()
	e.Key("type")
	e.writeString(string(t))
	e.ObjectEnd()
}

// encodeHead opens {"type": t, "data": { and, when ref is given, writes
// its endpoint, method, connection id and parameter.
func encodeHead(e *Encoder, t MessageType, ref *StreamRef) {
	e.ObjectStart()
	e.Key("type")
	e.writeString(string(t))
	e.Key("data")
	e.ObjectStart()
	if ref == nil {
		return
	}
	e.Key("en")
	e.writeString(ref.Endpoint)
	e.Key("m")
	e.writeString(ref.Method)
	e.Key("cid")
	e.UUID(ref.ConnectionID)
}

func encodeParameter(e *Encoder, ref *StreamRef) {
	if ref.Parameter != "" {
		e.Key("p")
		e.writeString(ref.Parameter)
	}
}

func encodeTail(e *Encoder) {
	e.ObjectEnd()
	e.ObjectEnd()
}

// EncodeOpenMessage writes an open command for ref's call. args writes the
// ordinary arguments as the members of a JSON object (each with e.Key,
// then the value), as for an HTTP call; they travel as JSON text. auth is
// the authorization header value, left out when empty.
func EncodeOpenMessage(e *Encoder, ref StreamRef, args func(e *Encoder), inputs []string, auth string) {
	a := NewEncoder(e.Protocol)
	a.ObjectStart()
	if args != nil {
		args(a)
	}
	a.ObjectEnd()
	text, err := a.Bytes()
	if err != nil {
		e.Fail(fmt.Errorf("encoding the arguments: %w", err))
		return
	}
	encodeHead(e, TypeOpen, &ref)
	e.Key("args")
	e.writeString(string(text))
	e.Key("is")
	e.ArrayStart()
	for _, name := range inputs {
		e.Elem()
		e.writeString(name)
	}
	e.ArrayEnd()
	if auth != "" {
		e.Key("auth")
		e.writeString(auth)
	}
	encodeTail(e)
}

// EncodeOpenResponseMessage answers the open command of ref's call.
func EncodeOpenResponseMessage(e *Encoder, ref StreamRef, res OpenResult) {
	encodeHead(e, TypeOpenResponse, nil)
	e.Key("cid")
	e.UUID(ref.ConnectionID)
	e.Key("res")
	e.writeString(string(res))
	e.Key("en")
	e.writeString(ref.Endpoint)
	e.Key("m")
	e.writeString(ref.Method)
	encodeTail(e)
}

// EncodeValueMessage writes one value of the stream ref; object writes the value
// type-tagged (Class.EncodeTagged).
func EncodeValueMessage(e *Encoder, ref StreamRef, object func(e *Encoder)) {
	encodeHead(e, TypeValue, &ref)
	encodeParameter(e, &ref)
	e.Key("o")
	object(e)
	encodeTail(e)
}

// EncodeExceptionMessage writes the serializable exception that ends the stream
// ref.
func EncodeExceptionMessage(e *Encoder, ref StreamRef, ex Exception) {
	encodeHead(e, TypeException, &ref)
	encodeParameter(e, &ref)
	e.Key("ex")
	EncodeTagged(e, ex)
	encodeTail(e)
}

// EncodeCloseMessage closes the stream ref.
func EncodeCloseMessage(e *Encoder, ref StreamRef, reason CloseReason) {
	encodeHead(e, TypeClose, &ref)
	encodeParameter(e, &ref)
	e.Key("cr")
	e.writeString(string(reason))
	encodeTail(e)
}

// EncodeBadRequestMessage answers a message that could not be read, quoting it.
func EncodeBadRequestMessage(e *Encoder, request string) {
	encodeHead(e, TypeBadRequest, nil)
	e.Key("req")
	e.writeString(request)
	encodeTail(e)
}

// LegacyMessage is one message of the endpoint-streaming protocol: a
// command (ping, auth) or a message for an endpoint.
type LegacyMessage struct {
	// Command is "ping", "auth" or another command; empty for a message.
	Command string
	// Key (auth command) is the new authorization value, empty to sign out.
	Key string
	// Endpoint and Object (a message) name the endpoint and carry the
	// type-tagged model.
	Endpoint string
	Object   Tagged
}

// ParseLegacyMessage reads an endpoint-streaming message as serverpod 2.4
// does: a command needs an args object; a message needs an endpoint name
// and a type-tagged object.
func ParseLegacyMessage(b []byte) (*LegacyMessage, error) {
	v, err := Parse(b)
	if err != nil {
		return nil, err
	}
	top, err := Object(v)
	if err != nil {
		return nil, err
	}
	m := &LegacyMessage{}
	if m.Command, err = FieldOrZero(top, "command", DecodeString); err != nil {
		return nil, err
	}
	if m.Command != "" {
		args, err := Object(top["args"])
		if err != nil {
			return nil, AtKey(err, "args")
		}
		if m.Command == "auth" {
			if m.Key, err = FieldOrZero(args, "key", DecodeString); err != nil {
				return nil, AtKey(err, "args")
			}
		}
		return m, nil
	}
	if m.Endpoint, err = Field(top, "endpoint", DecodeString); err != nil {
		return nil, err
	}
	o, err := Object(top["object"])
	if err != nil {
		return nil, AtKey(err, "object")
	}
	if m.Object.ClassName, err = Field(o, "className", DecodeString); err != nil {
		return nil, AtKey(err, "object")
	}
	m.Object.Data = o["data"]
	return m, nil
}

// EncodeLegacyMessage writes a message from endpoint (module.name for a
// module's) carrying m, a model, type-tagged.
func EncodeLegacyMessage(e *Encoder, endpoint string, m any) {
	e.ObjectStart()
	e.Key("endpoint")
	e.writeString(endpoint)
	e.Key("object")
	EncodeTagged(e, m)
	e.ObjectEnd()
}

// EncodeLegacyPong writes the answer to a ping command.
func EncodeLegacyPong(e *Encoder) {
	e.ObjectStart()
	e.Key("command")
	e.writeString("pong")
	e.ObjectEnd()
}

// EncodeLegacyCommand writes a command as serverpod_client 2.4 sends it:
// ping with empty args, auth with the new key (null to sign out).
func EncodeLegacyCommand(e *Encoder, command string, key *string) {
	e.ObjectStart()
	e.Key("command")
	e.writeString(command)
	e.Key("args")
	e.ObjectStart()
	if command == "auth" {
		e.Key("key")
		if key == nil {
			e.Null()
		} else {
			e.writeString(*key)
		}
	}
	e.ObjectEnd()
	e.ObjectEnd()
}
