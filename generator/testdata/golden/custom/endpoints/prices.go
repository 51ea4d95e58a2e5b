// Package endpoints uses custom classes in endpoint signatures.
package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"

	"custom/generated/protocol"
	"custom/shared"
)

// PricesEndpoint works with prices.
type PricesEndpoint struct {
	pod.Endpoint
}

// Double returns twice the amount.
func (e *PricesEndpoint) Double(s *pod.Session, m shared.Money) (shared.Money, error) {
	return shared.Money{Cents: 2 * m.Cents, Currency: m.Currency}, nil
}

// Cheapest returns the smallest amount, or null for none.
func (e *PricesEndpoint) Cheapest(s *pod.Session, all []shared.Money) (*shared.Money, error) {
	var best *shared.Money
	for i := range all {
		if best == nil || all[i].Cents < best.Cents {
			best = &all[i]
		}
	}
	return best, nil
}

// Echo returns the price unchanged.
func (e *PricesEndpoint) Echo(s *pod.Session, p protocol.Price) (protocol.Price, error) {
	return p, nil
}
