// Package shared holds the Go counterparts of the custom classes that
// Serverpod 2.4's test server lists under extraClasses.
package shared

import "github.com/gopod/gopod/wire"

// CustomClass is encoded as its value, a JSON string.
type CustomClass struct{ Value string }

func (c *CustomClass) EncodeJSON(e *wire.Encoder) { e.String(c.Value) }

func (c *CustomClass) DecodeJSON(v any) (err error) {
	c.Value, err = wire.DecodeString(v)
	return err
}

// CustomClass2 is encoded as {"text": value}.
type CustomClass2 struct{ Value string }

func (c *CustomClass2) EncodeJSON(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("text")
	e.String(c.Value)
	e.ObjectEnd()
}

func (c *CustomClass2) DecodeJSON(v any) error {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	c.Value, err = wire.Field(o, "text", wire.DecodeString)
	return err
}

// serverSide is the shape of the custom classes with a server-side value:
// {"serverSideValue": ..., "value": ...}; protocol leaves out the
// server-side value when it is not sent to clients.
type serverSide struct {
	ServerSideValue *string
	Value           *string
	protocol        bool
}

func (c *serverSide) encode(e *wire.Encoder) {
	e.ObjectStart()
	if !(c.protocol && e.Protocol) {
		e.Key("serverSideValue")
		wire.EncodeNullable((*wire.Encoder).String)(e, c.ServerSideValue)
	}
	e.Key("value")
	wire.EncodeNullable((*wire.Encoder).String)(e, c.Value)
	e.ObjectEnd()
}

func (c *serverSide) decode(v any) (err error) {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	if c.ServerSideValue, err = wire.FieldPtr(o, "serverSideValue", wire.DecodeString); err != nil {
		return err
	}
	c.Value, err = wire.FieldPtr(o, "value", wire.DecodeString)
	return err
}

// CustomClassWithoutProtocolSerialization sends its server-side value to clients.
type CustomClassWithoutProtocolSerialization struct{ ServerSideValue, Value *string }

func (c *CustomClassWithoutProtocolSerialization) EncodeJSON(e *wire.Encoder) {
	(&serverSide{ServerSideValue: c.ServerSideValue, Value: c.Value}).encode(e)
}

func (c *CustomClassWithoutProtocolSerialization) DecodeJSON(v any) error {
	var s serverSide
	err := s.decode(v)
	c.ServerSideValue, c.Value = s.ServerSideValue, s.Value
	return err
}

// CustomClassWithProtocolSerialization keeps its server-side value on the server.
type CustomClassWithProtocolSerialization struct{ ServerSideValue, Value *string }

func (c *CustomClassWithProtocolSerialization) EncodeJSON(e *wire.Encoder) {
	(&serverSide{ServerSideValue: c.ServerSideValue, Value: c.Value, protocol: true}).encode(e)
}

func (c *CustomClassWithProtocolSerialization) DecodeJSON(v any) error {
	var s serverSide
	err := s.decode(v)
	c.ServerSideValue, c.Value = s.ServerSideValue, s.Value
	return err
}

// CustomClassWithProtocolSerializationMethod keeps its server-side value on the server.
type CustomClassWithProtocolSerializationMethod struct{ ServerSideValue, Value *string }

func (c *CustomClassWithProtocolSerializationMethod) EncodeJSON(e *wire.Encoder) {
	(&serverSide{ServerSideValue: c.ServerSideValue, Value: c.Value, protocol: true}).encode(e)
}

func (c *CustomClassWithProtocolSerializationMethod) DecodeJSON(v any) error {
	var s serverSide
	err := s.decode(v)
	c.ServerSideValue, c.Value = s.ServerSideValue, s.Value
	return err
}
