package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"
)

type OptionalParametersEndpoint struct {
	pod.Endpoint
}

// ReturnOptionalIntParams holds the optional parameters of ReturnOptionalInt.
type ReturnOptionalIntParams struct {
	pod.Optional
	OptionalInt *int64
}

func (e *OptionalParametersEndpoint) ReturnOptionalInt(s *pod.Session, p ReturnOptionalIntParams) (*int64, error) {
	return p.OptionalInt, nil
}
