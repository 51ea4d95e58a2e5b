package endpoints

import (
	"errors"
	"time"

	"github.com/gopod/gopod/runtime/pod"

	"serverpod24/generated/protocol"
)

type ExceptionTestEndpoint struct {
	pod.Endpoint
}

func (e *ExceptionTestEndpoint) ThrowNormalException(s *pod.Session) (string, error) {
	return "", errors.New("something went wrong")
}

func (e *ExceptionTestEndpoint) ThrowExceptionWithData(s *pod.Session) (string, error) {
	one := int64(1)
	return "", &protocol.ExceptionWithData{
		Message:           "Throwing an exception",
		CreationDate:      time.Now(),
		ErrorFields:       []string{"first line error", "second line error"},
		SomeNullableField: &one,
	}
}

func (e *ExceptionTestEndpoint) WorkingWithoutException(s *pod.Session) (string, error) {
	return "Success", nil
}
