// Package endpoints is a Go port of Serverpod 2.4's test server endpoints
// (tests/serverpod_test_server/lib/src/endpoints), written with gopod's Go
// form of each 2.4 signature; the generated Dart client is compared with
// 2.4's serverpod_test_client.
package endpoints

import (
	"errors"
	"sync"

	"github.com/gopod/gopod/runtime/pod"
)

// A simple endpoint that modifies a global integer. This class is meant for
// testing and the documentation has multiple lines.
type SimpleEndpoint struct {
	pod.Endpoint

	mu        sync.Mutex
	globalInt int64
}

// SetGlobalIntParams holds the optional parameters of SetGlobalInt.
type SetGlobalIntParams struct {
	pod.Optional
	SecondValue *int64
}

// Sets a global integer.
func (e *SimpleEndpoint) SetGlobalInt(s *pod.Session, value *int64, p SetGlobalIntParams) error {
	if value == nil {
		return errors.New("value is required")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.globalInt = *value
	return nil
}

// Adds 1 to the global integer.
func (e *SimpleEndpoint) AddToGlobalInt(s *pod.Session) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.globalInt++
	return nil
}

// Retrieves a global integer.
func (e *SimpleEndpoint) GetGlobalInt(s *pod.Session) (int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.globalInt, nil
}

func (e *SimpleEndpoint) Hello(s *pod.Session, name string) (string, error) {
	return "Hello " + name, nil
}
