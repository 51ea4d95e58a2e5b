// Package endpoints uses custom classes in endpoint signatures.
package endpoints

import (
	"iter"

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

// Doubled streams each amount doubled, as it arrives.
func (e *PricesEndpoint) Doubled(s *pod.Session, amounts iter.Seq2[*shared.Money, error]) iter.Seq2[*shared.Money, error] {
	return func(yield func(*shared.Money, error) bool) {
		for m, err := range amounts {
			if err == nil && m != nil {
				m = &shared.Money{Cents: 2 * m.Cents, Currency: m.Currency}
			}
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// Totals streams the running total of each list of amounts.
func (e *PricesEndpoint) Totals(s *pod.Session, lists iter.Seq2[[]shared.Money, error]) iter.Seq2[shared.Money, error] {
	return func(yield func(shared.Money, error) bool) {
		var total shared.Money
		for list, err := range lists {
			if err != nil {
				yield(total, err)
				return
			}
			for _, m := range list {
				total.Cents += m.Cents
				total.Currency = m.Currency
			}
			if !yield(total, nil) {
				return
			}
		}
	}
}
