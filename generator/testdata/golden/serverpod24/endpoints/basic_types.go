package endpoints

import (
	"math/big"
	"net/url"
	"time"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"
)

type BasicTypesEndpoint struct {
	pod.Endpoint
}

func (e *BasicTypesEndpoint) TestInt(s *pod.Session, value *int64) (*int64, error) {
	return value, nil
}

func (e *BasicTypesEndpoint) TestDouble(s *pod.Session, value *float64) (*float64, error) {
	return value, nil
}

func (e *BasicTypesEndpoint) TestBool(s *pod.Session, value *bool) (*bool, error) {
	return value, nil
}

func (e *BasicTypesEndpoint) TestDateTime(s *pod.Session, dateTime *time.Time) (*time.Time, error) {
	return dateTime, nil
}

func (e *BasicTypesEndpoint) TestString(s *pod.Session, value *string) (*string, error) {
	return value, nil
}

func (e *BasicTypesEndpoint) TestByteData(s *pod.Session, value *[]byte) (*[]byte, error) {
	return value, nil
}

func (e *BasicTypesEndpoint) TestDuration(s *pod.Session, value *time.Duration) (*time.Duration, error) {
	return value, nil
}

func (e *BasicTypesEndpoint) TestUuid(s *pod.Session, value *wire.UUID) (*wire.UUID, error) {
	return value, nil
}

func (e *BasicTypesEndpoint) TestUri(s *pod.Session, value **url.URL) (**url.URL, error) {
	return value, nil
}

func (e *BasicTypesEndpoint) TestBigInt(s *pod.Session, value **big.Int) (**big.Int, error) {
	return value, nil
}
