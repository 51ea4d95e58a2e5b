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
	// Object (value) and Exception (exception) are the type-tagged values,
	// as Parse returns them.
	Object    any
	Exception any
	// Request (bad request) is the message that could not be read.
	Request string
}

// ParseMessage reads a method-streaming message. Like serverpod 2.4 it
// refuses unknown types, missing or mistyped fields, malformed connection
// ids and unknown answers or reasons; the class names of values are left
// for the receiver of the stream to check.
func ParseMessage(b []byte) (*Message, error) {
	v, err := Parse(b)
	if err != nil {
		return nil, err
	}
	top, err := Object(v)
	if err != nil {
		return nil, err
	}
	typ, err := Field(top, "type", DecodeString)
	if err != nil {
		return nil, err
	}
	m := &Message{Type: MessageType(typ)}
	switch m.Type {
	case TypePing, TypePong:
		return m, nil
	case TypeOpen, TypeOpenResponse, TypeValue, TypeException, TypeClose, TypeBadRequest:
	default:
		return nil, &Error{Msg: fmt.Sprintf("unknown message type %q", typ)}
	}
	data, err := Object(top["data"])
	if err != nil {
		return nil, AtKey(err, "data")
	}
	if err := m.read(data); err != nil {
		return nil, AtKey(err, "data")
	}
	return m, nil
}

func (m *Message) read(d map[string]any) error {
	if m.Type == TypeBadRequest {
		var err error
		m.Request, err = Field(d, "req", DecodeString)
		return err
	}
	var err error
	if m.Endpoint, err = Field(d, "en", DecodeString); err != nil {
		return err
	}
	if m.Method, err = Field(d, "m", DecodeString); err != nil {
		return err
	}
	if m.ConnectionID, err = Field(d, "cid", DecodeUUID); err != nil {
		return err
	}
	switch m.Type {
	case TypeOpen:
		if m.Args, err = Field(d, "args", DecodeString); err != nil {
			return err
		}
		if m.InputStreams, err = Field(d, "is", DecodeList(DecodeString)); err != nil {
			return err
		}
		m.Auth, err = FieldOrZero(d, "auth", DecodeString)
		return err
	case TypeOpenResponse:
		res, err := Field(d, "res", DecodeString)
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
	if m.Parameter, err = FieldOrZero(d, "p", DecodeString); err != nil {
		return err
	}
	switch m.Type {
	case TypeClose:
		cr, err := Field(d, "cr", DecodeString)
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
		m.Object, err = taggedField(d, "o")
	case TypeException:
		m.Exception, err = taggedField(d, "ex")
	}
	return err
}

// taggedField checks that d[key] is a {"className": <string>, ...} object.
func taggedField(d map[string]any, key string) (any, error) {
	o, err := Object(d[key])
	if err != nil {
		return nil, AtKey(err, key)
	}
	if _, err := Field(o, "className", DecodeString); err != nil {
		return nil, AtKey(err, key)
	}
	return o, nil
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
func EncodeExceptionMessage(e *Encoder, ref StreamRef, ex Model) {
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
	// type-tagged model, as Parse returns it.
	Endpoint string
	Object   any
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
	if m.Object, err = taggedField(top, "object"); err != nil {
		return nil, err
	}
	return m, nil
}

// EncodeLegacyMessage writes a message from endpoint (module.name for a
// module's) carrying m type-tagged.
func EncodeLegacyMessage(e *Encoder, endpoint string, m Model) {
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
