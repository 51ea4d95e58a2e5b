// Package argon2 is Argon2id (RFC 9106) with the optional secret key K and
// associated data X, and with memory reused across hashes.
//
// Serverpod 2.4 feeds its `emailPasswordPepper` into Argon2 as K, so
// verifying the password hashes of a 2.4 database needs the secret input.
// golang.org/x/crypto/argon2 takes a secret internally but does not export
// it. The secret enters only the initial hash H0, so this package is
// x/crypto's own code with the secret exposed: the block function is its
// SSE4.1 assembly on amd64, its LSX assembly on loong64 and its pure Go
// elsewhere, and for an empty secret and no associated data the output
// equals golang.org/x/crypto/argon2.IDKey.
//
// Only the id variant is exported: it is the only one Serverpod has ever
// written and the only one gopod writes.
//
// # Memory
//
// A hash at gopod's production cost fills 19 MiB. A Pool keeps the work
// areas of finished hashes for the next ones, so that steady sign-ins do
// not allocate and fault in 19 MiB each. Every block of a work area is
// written before it is read, so a reused area is not cleared first; it
// holds derived data of earlier hashes, as freed memory of x/crypto's
// hashes does until it is reused.
//
// # Origin
//
// argon2.go, argon2_test.go, blake2b.go, blamka_*.go and blamka_*.s are
// the argon2 package of golang.org/x/crypto v0.59.0, copyright The Go
// Authors, under the BSD licence in LICENSE with the patent grant in
// PATENTS. blake2b.go and the blamka files are unchanged (a test compares
// them with the x/crypto that go.mod requires). argon2.go differs from
// upstream in four places only:
//
//   - its package comment is replaced by this file;
//   - Key and IDKey, Argon2i and Argon2id without a secret, are removed:
//     the exported IDKey is gopod's, in idkey.go, taking the secret and
//     associated data, validating the parameters and returning an error
//     where upstream panics;
//   - deriveKey takes a *Pool and draws its work area from it, and
//     initBlocks fills that area instead of allocating one;
//   - the first pass writes each new block with processBlock where
//     upstream XORs it into freshly zeroed memory with processBlockXOR,
//     which gives the same block and spares clearing a reused area.
//
// argon2_test.go is upstream's test file with deriveKey's new argument. To
// follow a newer x/crypto, copy its argon2 files over these, apply the
// four changes again and run the tests.
package argon2
