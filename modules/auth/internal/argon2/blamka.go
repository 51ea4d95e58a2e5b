package argon2

import "math/bits"

// compress is the compression function G of RFC 9106 §3.5: out = P(a ⊕ b) ⊕
// (a ⊕ b), XORed into the old value of out when xor is set (the version 0x13
// rule for passes after the first). out may alias a or b.
//
// The XOR of the inputs is folded into the row pass and the final XOR into
// the column pass, so that every word is loaded and stored as few times as
// possible; scratch holds a ⊕ b and the state between the passes.
func compress(out, a, b *block, xor bool, s *scratch) {
	// The 1024-byte block is an 8×8 matrix of 16-byte registers; P runs over
	// each row (16 consecutive words) and then over each column (two words
	// from each row).
	for i := 0; i < blockWords; i += 16 {
		x, y := (*[16]uint64)(a[i:i+16]), (*[16]uint64)(b[i:i+16])
		r, q := (*[16]uint64)(s.r[i:i+16]), (*[16]uint64)(s.q[i:i+16])
		for k := range q {
			q[k] = x[k] ^ y[k]
		}
		*r = *q
		permute(q)
	}
	for i := 0; i < 16; i += 2 {
		c, r, o := (*[114]uint64)(s.q[i:i+114]), (*[114]uint64)(s.r[i:i+114]), (*[114]uint64)(out[i:i+114])
		v := [16]uint64{c[0], c[1], c[16], c[17], c[32], c[33], c[48], c[49], c[64], c[65], c[80], c[81], c[96], c[97], c[112], c[113]}
		permute(&v)
		// Word k of the column sits at row k/2, offset k%2.
		if xor {
			for k, w := range v {
				j := k>>1*16 + k&1
				o[j] ^= w ^ r[j]
			}
		} else {
			for k, w := range v {
				j := k>>1*16 + k&1
				o[j] = w ^ r[j]
			}
		}
	}
}

// scratch is compress's working memory, reused across calls to spare the
// zeroing of two blocks per compression.
type scratch struct{ r, q block }

// permute is the BLAKE2b round P on sixteen words, with BlaMka's
// multiplication-hardened addition. Working on locals lets the compiler keep
// the state in registers; halfMix is small enough to be inlined.
func permute(v *[16]uint64) {
	v0, v1, v2, v3, v4, v5, v6, v7 := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	v8, v9, v10, v11, v12, v13, v14, v15 := v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]

	// GB on the columns of the 4×4 word matrix ...
	v0, v4, v8, v12 = halfMix(v0, v4, v8, v12, 32, 24)
	v0, v4, v8, v12 = halfMix(v0, v4, v8, v12, 16, 63)
	v1, v5, v9, v13 = halfMix(v1, v5, v9, v13, 32, 24)
	v1, v5, v9, v13 = halfMix(v1, v5, v9, v13, 16, 63)
	v2, v6, v10, v14 = halfMix(v2, v6, v10, v14, 32, 24)
	v2, v6, v10, v14 = halfMix(v2, v6, v10, v14, 16, 63)
	v3, v7, v11, v15 = halfMix(v3, v7, v11, v15, 32, 24)
	v3, v7, v11, v15 = halfMix(v3, v7, v11, v15, 16, 63)
	// ... and on its diagonals.
	v0, v5, v10, v15 = halfMix(v0, v5, v10, v15, 32, 24)
	v0, v5, v10, v15 = halfMix(v0, v5, v10, v15, 16, 63)
	v1, v6, v11, v12 = halfMix(v1, v6, v11, v12, 32, 24)
	v1, v6, v11, v12 = halfMix(v1, v6, v11, v12, 16, 63)
	v2, v7, v8, v13 = halfMix(v2, v7, v8, v13, 32, 24)
	v2, v7, v8, v13 = halfMix(v2, v7, v8, v13, 16, 63)
	v3, v4, v9, v14 = halfMix(v3, v4, v9, v14, 32, 24)
	v3, v4, v9, v14 = halfMix(v3, v4, v9, v14, 16, 63)

	v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = v0, v1, v2, v3, v4, v5, v6, v7
	v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15] = v8, v9, v10, v11, v12, v13, v14, v15
}

// halfMix is one half of GB (RFC 9106 §3.6); GB is halfMix with rotations
// 32, 24 followed by halfMix with rotations 16, 63.
func halfMix(a, b, c, d uint64, r1, r2 int) (uint64, uint64, uint64, uint64) {
	a += b + 2*uint64(uint32(a))*uint64(uint32(b))
	d = bits.RotateLeft64(d^a, -r1)
	c += d + 2*uint64(uint32(c))*uint64(uint32(d))
	b = bits.RotateLeft64(b^c, -r2)
	return a, b, c, d
}
