package argon2

import (
	"errors"
	"fmt"
	"math"
)

// Params are Argon2id's cost and output parameters.
type Params struct {
	// Time is the number of passes over memory (t), at least 1.
	Time uint32
	// Memory is the memory size in KiB (m), at least 8 × Threads. It is
	// rounded down to a multiple of 4 × Threads, as RFC 9106 §3.2 requires.
	Memory uint32
	// Threads is the degree of parallelism (p), at least 1. Lanes are filled
	// concurrently.
	Threads uint8
	// KeyLen is the tag length in bytes (T), at least 4.
	KeyLen uint32
}

// ErrInvalidParams is wrapped by every error about unusable parameters.
var ErrInvalidParams = errors.New("invalid argon2 parameters")

// Validate reports whether RFC 9106 allows the parameters.
func (p Params) Validate() error {
	switch {
	case p.Time < 1:
		return fmt.Errorf("%w: time (passes) is %d, must be at least 1", ErrInvalidParams, p.Time)
	case p.Threads < 1:
		return fmt.Errorf("%w: threads (parallelism) is 0, must be at least 1", ErrInvalidParams)
	case p.Memory < 8*uint32(p.Threads):
		return fmt.Errorf("%w: memory is %d KiB, must be at least 8 KiB per thread (%d)", ErrInvalidParams, p.Memory, 8*uint32(p.Threads))
	case p.KeyLen < 4:
		return fmt.Errorf("%w: key length is %d bytes, must be at least 4", ErrInvalidParams, p.KeyLen)
	}
	return nil
}

// Pool is a bounded free list of work areas, shared by the hashes that
// run through it. A nil *Pool keeps nothing: each hash allocates its own
// memory, as x/crypto does. It is safe for concurrent use.
type Pool struct {
	free      chan []block
	maxBlocks uint32
}

// NewPool returns a Pool that keeps up to n work areas of up to maxMemory
// KiB each. Sizing n to the number of hashes that may run at once lets
// every hash reuse an area once the pool is warm; an area larger than
// maxMemory, for a stored hash with an unusual cost, is left to the
// garbage collector.
func NewPool(n int, maxMemory uint32) *Pool {
	return &Pool{free: make(chan []block, max(n, 0)), maxBlocks: maxMemory}
}

// get returns a work area of exactly blocks blocks, with arbitrary
// contents.
func (p *Pool) get(blocks uint32) []block {
	if p != nil {
		select {
		case b := <-p.free:
			if uint32(cap(b)) >= blocks {
				return b[:blocks]
			}
			// Too small for this cost: drop it, so that the pool comes to
			// hold areas of the largest cost in use.
		default:
		}
	}
	return make([]block, blocks)
}

// put offers a finished work area to the pool.
func (p *Pool) put(b []block) {
	if p == nil || uint32(cap(b)) > p.maxBlocks {
		return
	}
	select {
	case p.free <- b[:cap(b)]:
	default:
	}
}

// IDKey derives a KeyLen-byte tag from password and salt with Argon2id,
// taking its memory from the pool. secret is the optional key K (a
// pepper) and data the optional associated data X; nil and empty are the
// same.
//
// Unlike RFC 9106 it accepts salts shorter than 8 bytes, as
// golang.org/x/crypto/argon2 does, so that hashes written by other
// implementations with short salts still verify; callers that create hashes
// choose their own salt length.
func (p *Pool) IDKey(password, salt, secret, data []byte, params Params) ([]byte, error) {
	if err := params.Validate(); err != nil {
		return nil, err
	}
	for _, in := range []struct {
		name string
		b    []byte
	}{{"password", password}, {"salt", salt}, {"secret", secret}, {"associated data", data}} {
		if uint64(len(in.b)) > math.MaxUint32 {
			return nil, fmt.Errorf("%w: %s is longer than 2^32-1 bytes", ErrInvalidParams, in.name)
		}
	}
	return deriveKey(p, argon2id, password, salt, secret, data, params.Time, params.Memory, params.Threads, params.KeyLen), nil
}
