package endpoints

import (
	"time"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"serverpod24/generated/protocol"
)

type SetParametersEndpoint struct {
	pod.Endpoint
}

func (e *SetParametersEndpoint) ReturnIntSet(s *pod.Session, set wire.Set[int64]) (wire.Set[int64], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnIntSetSet(s *pod.Session, set wire.Set[wire.Set[int64]]) (wire.Set[wire.Set[int64]], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnIntListSet(s *pod.Session, set wire.Set[[]int64]) (wire.Set[[]int64], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnIntSetNullable(s *pod.Session, set *wire.Set[int64]) (*wire.Set[int64], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnIntSetNullableSet(s *pod.Session, set wire.Set[*wire.Set[int64]]) (wire.Set[*wire.Set[int64]], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnIntSetSetNullable(s *pod.Session, set *wire.Set[wire.Set[int64]]) (*wire.Set[wire.Set[int64]], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnIntSetNullableInts(s *pod.Session, set wire.Set[*int64]) (wire.Set[*int64], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnNullableIntSetNullableInts(s *pod.Session, set *wire.Set[*int64]) (*wire.Set[*int64], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnDoubleSet(s *pod.Session, set wire.Set[float64]) (wire.Set[float64], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnDoubleSetNullableDoubles(s *pod.Session, set wire.Set[*float64]) (wire.Set[*float64], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnBoolSet(s *pod.Session, set wire.Set[bool]) (wire.Set[bool], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnBoolSetNullableBools(s *pod.Session, set wire.Set[*bool]) (wire.Set[*bool], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnStringSet(s *pod.Session, set wire.Set[string]) (wire.Set[string], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnStringSetNullableStrings(s *pod.Session, set wire.Set[*string]) (wire.Set[*string], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnDateTimeSet(s *pod.Session, set wire.Set[time.Time]) (wire.Set[time.Time], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnDateTimeSetNullableDateTimes(s *pod.Session, set wire.Set[*time.Time]) (wire.Set[*time.Time], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnByteDataSet(s *pod.Session, set wire.Set[[]byte]) (wire.Set[[]byte], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnByteDataSetNullableByteDatas(s *pod.Session, set wire.Set[*[]byte]) (wire.Set[*[]byte], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnSimpleDataSet(s *pod.Session, set wire.Set[protocol.SimpleData]) (wire.Set[protocol.SimpleData], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnSimpleDataSetNullableSimpleData(s *pod.Session, set wire.Set[*protocol.SimpleData]) (wire.Set[*protocol.SimpleData], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnDurationSet(s *pod.Session, set wire.Set[time.Duration]) (wire.Set[time.Duration], error) {
	return set, nil
}

func (e *SetParametersEndpoint) ReturnDurationSetNullableDurations(s *pod.Session, set wire.Set[*time.Duration]) (wire.Set[*time.Duration], error) {
	return set, nil
}
