package endpoints

import (
	"time"

	"github.com/gopod/gopod/runtime/pod"

	"serverpod24/generated/protocol"
)

type ListParametersEndpoint struct {
	pod.Endpoint
}

func (e *ListParametersEndpoint) ReturnIntList(s *pod.Session, list []int64) ([]int64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnIntListList(s *pod.Session, list [][]int64) ([][]int64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnIntListNullable(s *pod.Session, list *[]int64) (*[]int64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnIntListNullableList(s *pod.Session, list []*[]int64) ([]*[]int64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnIntListListNullable(s *pod.Session, list *[][]int64) (*[][]int64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnIntListNullableInts(s *pod.Session, list []*int64) ([]*int64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnNullableIntListNullableInts(s *pod.Session, list *[]*int64) (*[]*int64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnDoubleList(s *pod.Session, list []float64) ([]float64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnDoubleListNullableDoubles(s *pod.Session, list []*float64) ([]*float64, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnBoolList(s *pod.Session, list []bool) ([]bool, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnBoolListNullableBools(s *pod.Session, list []*bool) ([]*bool, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnStringList(s *pod.Session, list []string) ([]string, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnStringListNullableStrings(s *pod.Session, list []*string) ([]*string, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnDateTimeList(s *pod.Session, list []time.Time) ([]time.Time, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnDateTimeListNullableDateTimes(s *pod.Session, list []*time.Time) ([]*time.Time, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnByteDataList(s *pod.Session, list [][]byte) ([][]byte, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnByteDataListNullableByteDatas(s *pod.Session, list []*[]byte) ([]*[]byte, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnSimpleDataList(s *pod.Session, list []protocol.SimpleData) ([]protocol.SimpleData, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnSimpleDataListNullableSimpleData(s *pod.Session, list []*protocol.SimpleData) ([]*protocol.SimpleData, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnSimpleDataListNullable(s *pod.Session, list *[]protocol.SimpleData) (*[]protocol.SimpleData, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnNullableSimpleDataListNullableSimpleData(s *pod.Session, list *[]*protocol.SimpleData) (*[]*protocol.SimpleData, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnDurationList(s *pod.Session, list []time.Duration) ([]time.Duration, error) {
	return list, nil
}

func (e *ListParametersEndpoint) ReturnDurationListNullableDurations(s *pod.Session, list []*time.Duration) ([]*time.Duration, error) {
	return list, nil
}
