package endpoints

import (
	"time"

	"github.com/gopod/gopod/runtime/pod"

	"serverpod24/generated/protocol"
)

type MapParametersEndpoint struct {
	pod.Endpoint
}

func (e *MapParametersEndpoint) ReturnIntMap(s *pod.Session, map_ map[string]int64) (map[string]int64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnIntMapNullable(s *pod.Session, map_ *map[string]int64) (*map[string]int64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnNestedIntMap(s *pod.Session, map_ map[string]map[string]int64) (map[string]map[string]int64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnIntMapNullableInts(s *pod.Session, map_ map[string]*int64) (map[string]*int64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnNullableIntMapNullableInts(s *pod.Session, map_ *map[string]*int64) (*map[string]*int64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnIntIntMap(s *pod.Session, map_ map[int64]int64) (map[int64]int64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnEnumIntMap(s *pod.Session, map_ map[protocol.TestEnum]int64) (map[protocol.TestEnum]int64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnEnumMap(s *pod.Session, map_ map[string]protocol.TestEnum) (map[string]protocol.TestEnum, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnDoubleMap(s *pod.Session, map_ map[string]float64) (map[string]float64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnDoubleMapNullableDoubles(s *pod.Session, map_ map[string]*float64) (map[string]*float64, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnBoolMap(s *pod.Session, map_ map[string]bool) (map[string]bool, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnBoolMapNullableBools(s *pod.Session, map_ map[string]*bool) (map[string]*bool, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnStringMap(s *pod.Session, map_ map[string]string) (map[string]string, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnStringMapNullableStrings(s *pod.Session, map_ map[string]*string) (map[string]*string, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnDateTimeMap(s *pod.Session, map_ map[string]time.Time) (map[string]time.Time, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnDateTimeMapNullableDateTimes(s *pod.Session, map_ map[string]*time.Time) (map[string]*time.Time, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnByteDataMap(s *pod.Session, map_ map[string][]byte) (map[string][]byte, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnByteDataMapNullableByteDatas(s *pod.Session, map_ map[string]*[]byte) (map[string]*[]byte, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnSimpleDataMap(s *pod.Session, map_ map[string]protocol.SimpleData) (map[string]protocol.SimpleData, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnSimpleDataMapNullableSimpleData(s *pod.Session, map_ map[string]*protocol.SimpleData) (map[string]*protocol.SimpleData, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnSimpleDataMapNullable(s *pod.Session, map_ *map[string]protocol.SimpleData) (*map[string]protocol.SimpleData, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnNullableSimpleDataMapNullableSimpleData(s *pod.Session, map_ *map[string]*protocol.SimpleData) (*map[string]*protocol.SimpleData, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnDurationMap(s *pod.Session, map_ map[string]time.Duration) (map[string]time.Duration, error) {
	return map_, nil
}

func (e *MapParametersEndpoint) ReturnDurationMapNullableDurations(s *pod.Session, map_ map[string]*time.Duration) (map[string]*time.Duration, error) {
	return map_, nil
}
