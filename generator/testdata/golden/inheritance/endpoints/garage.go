// Package endpoints uses classes of class hierarchies in signatures.
package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"

	"inheritance/generated/protocol"
)

// GarageEndpoint parks cars.
type GarageEndpoint struct {
	pod.Endpoint
}

// Park returns a garage holding car, with its registry filled in on the
// server (which the client never sees).
func (e *GarageEndpoint) Park(s *pod.Session, car protocol.Car) (protocol.Garage, error) {
	car.Registry = &car.Name
	return protocol.Garage{Cars: []protocol.Car{car}, Vehicle: &car.Vehicle}, nil
}

// Grow returns the square with its sides doubled.
func (e *GarageEndpoint) Grow(s *pod.Session, sq protocol.Square) (protocol.Square, error) {
	sq.Side *= 2
	return sq, nil
}
