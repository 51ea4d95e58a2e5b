// Package endpoints has endpoints of 2.4's test server that use custom
// classes in their signatures.
package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"

	"serverpod_test/shared"
)

// CustomTypesEndpoint echoes custom classes, as 2.4's customTypes does.
type CustomTypesEndpoint struct {
	pod.Endpoint
}

// ReturnCustomClass returns data.
func (e *CustomTypesEndpoint) ReturnCustomClass(s *pod.Session, data shared.CustomClass) (shared.CustomClass, error) {
	return data, nil
}

// ReturnCustomClassNullable returns data, which may be null.
func (e *CustomTypesEndpoint) ReturnCustomClassNullable(s *pod.Session, data *shared.CustomClass) (*shared.CustomClass, error) {
	return data, nil
}

// ReturnCustomClass2 returns data.
func (e *CustomTypesEndpoint) ReturnCustomClass2(s *pod.Session, data shared.CustomClass2) (shared.CustomClass2, error) {
	return data, nil
}
