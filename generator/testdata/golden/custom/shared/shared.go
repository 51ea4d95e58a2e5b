// Package shared holds the Go types of the project's custom classes. They
// encode and decode themselves with the methods generated models have.
package shared

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gopod/gopod/wire"
)

// Money is an amount in cents; on the wire it is the string "12.34 EUR",
// as the Dart class's toJson writes it.
type Money struct {
	Cents    int64
	Currency string
}

func (m *Money) EncodeJSON(e *wire.Encoder) {
	e.String(fmt.Sprintf("%d.%02d %s", m.Cents/100, m.Cents%100, m.Currency))
}

func (m *Money) DecodeJSON(v any) error {
	s, err := wire.DecodeString(v)
	if err != nil {
		return err
	}
	amount, currency, ok := strings.Cut(s, " ")
	whole, frac, ok2 := strings.Cut(amount, ".")
	if !ok || !ok2 || len(frac) != 2 {
		return fmt.Errorf("money %q is not written as 12.34 EUR", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return fmt.Errorf("money %q: %w", s, err)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return fmt.Errorf("money %q: %w", s, err)
	}
	m.Cents, m.Currency = w*100+f, currency
	return nil
}

// Secret has a value that stays on the server: the protocol form (what
// clients get) leaves it out, as a Dart class with toJsonForProtocol does.
type Secret struct {
	Label string
	Value string
}

func (s *Secret) EncodeJSON(e *wire.Encoder) {
	e.ObjectStart()
	e.Key("label")
	e.String(s.Label)
	if !e.Protocol {
		e.Key("value")
		e.String(s.Value)
	}
	e.ObjectEnd()
}

func (s *Secret) DecodeJSON(v any) error {
	o, err := wire.Object(v)
	if err != nil {
		return err
	}
	if s.Label, err = wire.Field(o, "label", wire.DecodeString); err != nil {
		return err
	}
	s.Value, err = wire.FieldOrZero(o, "value", wire.DecodeString)
	return err
}
