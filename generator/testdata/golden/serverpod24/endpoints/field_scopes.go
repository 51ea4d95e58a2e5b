package endpoints

import (
	"sync"

	"github.com/gopod/gopod/runtime/pod"

	"serverpod24/generated/protocol"
)

type FieldScopesEndpoint struct {
	pod.Endpoint

	// stored replaces 2.4's table: the port keeps the object in memory.
	mu     sync.Mutex
	stored *protocol.ObjectFieldScopes
}

func (e *FieldScopesEndpoint) StoreObject(s *pod.Session, object protocol.ObjectFieldScopes) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stored = &object
	return nil
}

func (e *FieldScopesEndpoint) RetrieveObject(s *pod.Session) (*protocol.ObjectFieldScopes, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stored, nil
}
