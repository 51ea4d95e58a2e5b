package endpoints

import (
	"github.com/gopod/gopod/runtime/pod"
)

type NamedParametersEndpoint struct {
	pod.Endpoint
}

// NamedParametersMethodParams holds the named parameters of NamedParametersMethod.
type NamedParametersMethodParams struct {
	pod.Named
	NamedInt                    int64
	IntWithDefaultValue         int64
	NullableInt                 *int64
	NullableIntWithDefaultValue *int64
}

func (e *NamedParametersEndpoint) NamedParametersMethod(s *pod.Session, p NamedParametersMethodParams) (bool, error) {
	return true, nil
}

// NamedParametersMethodEqualIntsParams holds the named parameters of NamedParametersMethodEqualInts.
type NamedParametersMethodEqualIntsParams struct {
	pod.Named
	NamedInt    int64
	NullableInt *int64
}

func (e *NamedParametersEndpoint) NamedParametersMethodEqualInts(s *pod.Session, p NamedParametersMethodEqualIntsParams) (bool, error) {
	return p.NullableInt != nil && *p.NullableInt == p.NamedInt, nil
}
