// Package endpoints exercises every parameter and result kind.
package endpoints

import (
	"math/big"
	"net/url"
	"time"

	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"alltypes/generated/protocol"
)

// TypesEndpoint echoes values of every type.
type TypesEndpoint struct {
	pod.Endpoint
}

// Echo returns t unchanged.
func (e *TypesEndpoint) Echo(s *pod.Session, t protocol.Types) (protocol.Types, error) {
	return t, nil
}

// EchoNullable returns t, which may be null.
func (e *TypesEndpoint) EchoNullable(s *pod.Session, t *protocol.Types) (*protocol.Types, error) {
	return t, nil
}

// Required echoes a model with required fields.
func (e *TypesEndpoint) Required(s *pod.Session, r protocol.Required) (protocol.Required, error) {
	return r, nil
}

// Add adds b to a when b is given.
func (e *TypesEndpoint) Add(s *pod.Session, a int64, b *int64) (int64, error) {
	if b != nil {
		a += *b
	}
	return a, nil
}

// Scalars echoes one value of each scalar type.
func (e *TypesEndpoint) Scalars(s *pod.Session, i int64, d float64, b bool, str string, dt time.Time, dur time.Duration, u wire.UUID, uri *url.URL, bi *big.Int, bd []byte, en protocol.TestEnum, named protocol.TestEnumStringified) (protocol.Types, error) {
	return protocol.Types{
		AnInt: &i, ADouble: &d, ABool: &b, AString: &str, ADateTime: &dt, ADuration: &dur,
		AUUID: &u, AURI: uri, ABigInt: bi, AByteData: bd, AnEnum: &en, AStringifiedEnum: &named,
	}, nil
}

// Containers echoes containers, nested and with nullable elements.
func (e *TypesEndpoint) Containers(s *pod.Session, ints []int64, byName map[string][]*int64, byID map[int64]protocol.Nested, maybe []int64) (map[int64][]*protocol.Nested, error) {
	out := map[int64][]*protocol.Nested{}
	for id, n := range byID {
		n := n
		out[id] = []*protocol.Nested{&n, nil}
	}
	return out, nil
}

// Maybe returns nothing when asked to.
func (e *TypesEndpoint) Maybe(s *pod.Session, none bool) (*string, error) {
	if none {
		return nil, nil
	}
	v := "something"
	return &v, nil
}

// Fail returns a serializable exception.
//
// Deprecated: only for testing exceptions.
func (e *TypesEndpoint) Fail(s *pod.Session, code int64) error {
	return &protocol.MyException{Message: "failed on purpose", Code: &code}
}
