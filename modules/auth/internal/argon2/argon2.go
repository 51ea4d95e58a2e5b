// Package argon2 implements Argon2id as specified by RFC 9106, including the
// optional secret key K and associated data X.
//
// golang.org/x/crypto/argon2 exposes neither K nor X, yet Serverpod 2.4 feeds
// its `emailPasswordPepper` into Argon2 as K. Verifying the password hashes of
// an existing Serverpod database therefore needs an implementation that
// accepts a secret; for inputs without one the output equals
// golang.org/x/crypto/argon2.IDKey.
//
// Only version 0x13 and the id variant are provided: they are the only ones
// Serverpod has ever written and the only ones gopod writes.
package argon2

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"

	"golang.org/x/crypto/blake2b"
)

const (
	version    = 0x13
	typeID     = 2   // y in RFC 9106 §3.2: 0 = Argon2d, 1 = Argon2i, 2 = Argon2id
	syncPoints = 4   // SL: slices per pass
	blockWords = 128 // 1024-byte blocks as 64-bit words
	blockBytes = blockWords * 8
)

type block [blockWords]uint64

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

// IDKey derives a KeyLen-byte tag from password and salt with Argon2id.
// secret is the optional key K (a pepper) and data the optional associated
// data X; nil and empty are the same.
//
// Unlike RFC 9106 it accepts salts shorter than 8 bytes, as
// golang.org/x/crypto/argon2 does, so that hashes written by other
// implementations with short salts still verify; callers that create hashes
// choose their own salt length.
func IDKey(password, salt, secret, data []byte, p Params) ([]byte, error) {
	if err := p.Validate(); err != nil {
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

	h0 := initialHash(password, salt, secret, data, p)
	lanes := uint32(p.Threads)
	memory := p.Memory / (syncPoints * lanes) * (syncPoints * lanes)
	mem := make([]block, memory)
	initLanes(mem, &h0, lanes)
	fill(mem, p.Time, lanes)
	return finalize(mem, lanes, p.KeyLen), nil
}

// initialHash computes H0 (RFC 9106 §3.2 step 1).
func initialHash(password, salt, secret, data []byte, p Params) [blake2b.Size + 8]byte {
	h, _ := blake2b.New512(nil) // cannot fail without a key
	var w [4]byte
	le32 := func(v uint32) {
		binary.LittleEndian.PutUint32(w[:], v)
		h.Write(w[:])
	}
	le32(uint32(p.Threads))
	le32(p.KeyLen)
	le32(p.Memory)
	le32(p.Time)
	le32(version)
	le32(typeID)
	for _, b := range [][]byte{password, salt, secret, data} {
		le32(uint32(len(b)))
		h.Write(b)
	}
	// The 8 spare bytes hold the block and lane numbers of initLanes.
	var h0 [blake2b.Size + 8]byte
	h.Sum(h0[:0])
	return h0
}

// initLanes fills the first two blocks of every lane (step 3 and 4).
func initLanes(mem []block, h0 *[blake2b.Size + 8]byte, lanes uint32) {
	laneLen := uint32(len(mem)) / lanes
	var buf [blockBytes]byte
	for lane := range lanes {
		binary.LittleEndian.PutUint32(h0[blake2b.Size+4:], lane)
		for j := range uint32(2) {
			binary.LittleEndian.PutUint32(h0[blake2b.Size:], j)
			hashPrime(buf[:], h0[:])
			b := &mem[lane*laneLen+j]
			for i := range b {
				b[i] = binary.LittleEndian.Uint64(buf[i*8:])
			}
		}
	}
}

// fill runs the passes, lanes in parallel, synchronised after every slice.
func fill(mem []block, passes, lanes uint32) {
	for pass := range passes {
		for slice := range uint32(syncPoints) {
			if lanes == 1 {
				fillSegment(mem, pass, passes, slice, 0, lanes)
				continue
			}
			var wg sync.WaitGroup
			for lane := range lanes {
				wg.Go(func() { fillSegment(mem, pass, passes, slice, lane, lanes) })
			}
			wg.Wait()
		}
	}
}

// fillSegment computes one segment (one slice of one lane) of a pass.
func fillSegment(mem []block, pass, passes, slice, lane, lanes uint32) {
	memory := uint32(len(mem))
	laneLen := memory / lanes
	segLen := laneLen / syncPoints

	// Argon2id addresses the first half of the first pass independently of
	// the data (the Argon2i way) and the rest from the previous block.
	independent := pass == 0 && slice < syncPoints/2
	var addresses, input, zero block
	var s scratch
	if independent {
		input[0] = uint64(pass)
		input[1] = uint64(lane)
		input[2] = uint64(slice)
		input[3] = uint64(memory)
		input[4] = uint64(passes)
		input[5] = typeID
	}

	index := uint32(0)
	if pass == 0 && slice == 0 {
		index = 2 // the first two blocks of each lane come from initLanes
		if independent {
			nextAddresses(&addresses, &input, &zero, &s)
		}
	}
	offset := lane*laneLen + slice*segLen + index
	for ; index < segLen; index, offset = index+1, offset+1 {
		prev := offset - 1
		if index == 0 && slice == 0 {
			prev += laneLen // a lane's first block follows its last one
		}
		var pseudoRand uint64
		if independent {
			if index%blockWords == 0 {
				nextAddresses(&addresses, &input, &zero, &s)
			}
			pseudoRand = addresses[index%blockWords]
		} else {
			pseudoRand = mem[prev][0]
		}
		ref := refIndex(pseudoRand, pass, slice, lane, index, lanes, laneLen, segLen)
		compress(&mem[offset], &mem[prev], &mem[ref], pass > 0, &s)
	}
}

// nextAddresses produces the next 128 pseudo-random values of data
// independent addressing: G(0, G(0, input)) with the counter incremented.
func nextAddresses(addresses, input, zero *block, s *scratch) {
	input[6]++
	compress(addresses, zero, input, false, s)
	compress(addresses, zero, addresses, false, s)
}

// refIndex maps a pseudo-random value to the reference block (RFC 9106 §3.4.1.2).
func refIndex(pseudoRand uint64, pass, slice, lane, index, lanes, laneLen, segLen uint32) uint32 {
	refLane := uint32(pseudoRand>>32) % lanes
	if pass == 0 && slice == 0 {
		refLane = lane
	}
	sameLane := refLane == lane

	// The reference area: the blocks already finished in the reference lane
	// that the current block may use, never the previous block.
	var area, start uint32
	if pass == 0 {
		area = slice * segLen
	} else {
		area = laneLen - segLen
		start = (slice + 1) % syncPoints * segLen
	}
	switch {
	case sameLane:
		area += index - 1
	case index == 0:
		area--
	}

	x := pseudoRand & 0xffffffff
	x = x * x >> 32
	rel := uint64(area) - 1 - (uint64(area) * x >> 32)
	return refLane*laneLen + uint32((uint64(start)+rel)%uint64(laneLen))
}

// finalize XORs the last blocks of all lanes and hashes them to the tag.
func finalize(mem []block, lanes, keyLen uint32) []byte {
	laneLen := uint32(len(mem)) / lanes
	last := mem[laneLen-1]
	for lane := uint32(1); lane < lanes; lane++ {
		b := &mem[lane*laneLen+laneLen-1]
		for i := range last {
			last[i] ^= b[i]
		}
	}
	var buf [blockBytes]byte
	for i, w := range last {
		binary.LittleEndian.PutUint64(buf[i*8:], w)
	}
	out := make([]byte, keyLen)
	hashPrime(out, buf[:])
	return out
}

// hashPrime is H', the variable-length hash of RFC 9106 §3.3, writing
// len(out) bytes of H'(in) to out.
func hashPrime(out, in []byte) {
	var prefix [4]byte
	binary.LittleEndian.PutUint32(prefix[:], uint32(len(out)))
	if len(out) <= blake2b.Size {
		h, _ := blake2b.New(len(out), nil) // sizes 1..64 cannot fail
		h.Write(prefix[:])
		h.Write(in)
		h.Sum(out[:0])
		return
	}
	h, _ := blake2b.New512(nil)
	h.Write(prefix[:])
	h.Write(in)
	var v [blake2b.Size]byte
	h.Sum(v[:0])
	copy(out, v[:32])
	out = out[32:]
	for len(out) > blake2b.Size {
		v = blake2b.Sum512(v[:])
		copy(out, v[:32])
		out = out[32:]
	}
	h, _ = blake2b.New(len(out), nil)
	h.Write(v[:])
	h.Sum(out[:0])
}
