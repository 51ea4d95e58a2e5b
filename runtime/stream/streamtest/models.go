package streamtest

import "github.com/gopod/gopod/wire"

// The models below are written as `gopod generate` writes them.

// Note is a message in a room.
type Note struct {
	Text string
}

// ClassName is the model's class name in type-tagged JSON.
func (*Note) ClassName() string { return "Note" }

// EncodeJSON writes the model as Serverpod does.
func (m *Note) EncodeJSON(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("text")
	e.String(m.Text)
	e.ObjectEnd()
}

// DecodeJSON reads the model from a parsed JSON value.
func (m *Note) DecodeJSON(v any) error {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	m.Text, err = wire.Field(o, "text", wire.DecodeString)
	return err
}

func decodeAnyNote(v any) (any, error) {
	var m Note
	err := m.DecodeJSON(v)
	return m, err
}

// Oops is an `exception:` model.
type Oops struct {
	Reason string
}

// ClassName is the model's class name in type-tagged JSON.
func (*Oops) ClassName() string { return "Oops" }

// EncodeJSON writes the model as Serverpod does.
func (m *Oops) EncodeJSON(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("reason")
	e.String(m.Reason)
	e.ObjectEnd()
}

// DecodeJSON reads the model from a parsed JSON value.
func (m *Oops) DecodeJSON(v any) error {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	m.Reason, err = wire.Field(o, "reason", wire.DecodeString)
	return err
}

func (m *Oops) Error() string { return "Oops: " + m.Reason }

func decodeAnyOops(v any) (any, error) {
	var m Oops
	err := m.DecodeJSON(v)
	return &m, err
}

// Registry decodes the project's classes by their class name.
func Registry() *wire.Registry {
	r := wire.NewRegistry()
	r.Add("Note", decodeAnyNote)
	r.Add("Oops", decodeAnyOops)
	return r
}
