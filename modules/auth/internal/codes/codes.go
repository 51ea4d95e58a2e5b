// Package codes makes and checks the one-time codes of the email flows: the
// account verification code and the password reset code.
//
// Codes keep Serverpod 2.4's shape, because users type them into 2.4
// clients that only echo them back: a configurable length (at least 4,
// default 8) over 2.4's 62 mixed-case alphanumerics. Unlike 2.4 they come
// from crypto/rand and are stored hashed.
//
// Hashing choice: HMAC-SHA256 under a server secret, not plain SHA-256 and
// not a password hash. A code has only 23.8 bits at length 4 and 47.6 bits
// at length 8, so any unkeyed hash of it — even Argon2 — falls to an offline
// search within minutes once the table leaks. Keyed with a secret that lives
// in passwords.yaml rather than the database, the stored value is useless
// without the secret, and online guessing is what remains, which the caller
// bounds with expiry and attempt limits. The MAC input also names the
// purpose and, where the caller knows it before the lookup, the subject
// (the email of an account request), so a code never works for another
// flow or account.
//
// A deterministic MAC (no per-row salt) is deliberate: 2.4's reset call
// carries only the code, so the row must be found from the code. It is
// found from the code's first half (Lookup), so that a wrong code whose
// first half is right counts against the reset it aims at; the whole code
// is then checked against the reset's own hash. A guess must hit a
// pending reset's first half before it can try the second half, which a
// few wrong tries use up: for 8-character codes, each reset survives 3 of
// 62^4 (1.5 × 10^7) second halves, however many addresses the guesses come
// from.
//
// Stored values always begin with "$", which is not in Alphabet: a stored
// value made only of Alphabet characters was written by Serverpod 2.4 and
// is the code itself (IsPlaintext), and nothing gopod stores is ever
// compared as a code.
package codes

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Alphabet is 2.4's code alphabet.
const Alphabet = "AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRrSsTtUuVvWwXxYyZz1234567890"

const (
	// MinLength is the shortest code 2.4 allowed (validationCodeLength).
	MinLength = 4
	// DefaultLength is 2.4's default validationCodeLength.
	DefaultLength = 8
	// MaxLength bounds the configuration; longer codes buy nothing.
	MaxLength = 64
)

// Generate returns a code of length characters from Alphabet, drawn from
// crypto/rand without modulo bias.
func Generate(length int) (string, error) {
	if length < MinLength || length > MaxLength {
		return "", fmt.Errorf("code length is %d, must be between %d and %d", length, MinLength, MaxLength)
	}
	// Bytes at or above 248 (= 4 × 62) are discarded so that every
	// character is equally likely.
	const limit = 256 - 256%len(Alphabet)
	out := make([]byte, 0, length)
	buf := make([]byte, length+length/8+1)
	for len(out) < length {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("generating a code: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < length {
				out = append(out, Alphabet[int(b)%len(Alphabet)])
			}
		}
	}
	return string(out), nil
}

// Purpose separates the flows a code can serve.
type Purpose string

const (
	// AccountVerification codes confirm serverpod_email_create_request rows.
	AccountVerification Purpose = "account-verification"
	// PasswordReset codes authorise serverpod_email_reset rows.
	PasswordReset Purpose = "password-reset"
	// PasswordResetLookup is the purpose of Lookup.
	PasswordResetLookup Purpose = "password-reset-lookup"
)

// MinSecretLength is the shortest accepted server secret, in bytes.
const MinSecretLength = 16

// Config configures a Hasher.
type Config struct {
	// Secret keys the HMAC; it must not be stored in the database.
	Secret string
	// AcceptPlaintext lets Verify accept rows written by Serverpod 2.4, which
	// stored the code itself; set it while such rows may still be pending.
	AcceptPlaintext bool
}

// Hasher hashes and verifies codes. It is safe for concurrent use.
type Hasher struct {
	key             []byte
	acceptPlaintext bool
}

// ErrShortSecret is returned by New for a secret below MinSecretLength.
var ErrShortSecret = errors.New("code secret too short")

// New returns a Hasher for cfg.
func New(cfg Config) (*Hasher, error) {
	if len(cfg.Secret) < MinSecretLength {
		return nil, fmt.Errorf("%w: it is %d bytes, at least %d are needed", ErrShortSecret, len(cfg.Secret), MinSecretLength)
	}
	return &Hasher{key: []byte(cfg.Secret), acceptPlaintext: cfg.AcceptPlaintext}, nil
}

// prefix marks a hashed code; 2.4's plaintext codes are alphanumeric only.
const prefix = "$hmac-sha256$"

// Hash returns the value to store for code. subject binds the code to an
// account where the verifying call names it (the email of an account
// request); pass "" where the row is found by the code alone (password
// reset).
func (h *Hasher) Hash(p Purpose, subject, code string) string {
	return prefix + base64.RawURLEncoding.EncodeToString(h.mac(p, subject, code))
}

// Lookup returns the value to store beside a reset to find it from its
// code: a keyed hash of the code's first half (for an odd length, the
// shorter half).
func (h *Hasher) Lookup(code string) string {
	return h.Hash(PasswordResetLookup, "", code[:len(code)/2])
}

// Verify reports in constant time whether code matches stored for the same
// purpose and subject.
func (h *Hasher) Verify(p Purpose, subject, code, stored string) bool {
	enc, ok := strings.CutPrefix(stored, prefix)
	if !ok {
		return h.acceptPlaintext && IsPlaintext(stored) &&
			subtle.ConstantTimeCompare([]byte(code), []byte(stored)) == 1
	}
	want, err := base64.RawURLEncoding.Strict().DecodeString(enc)
	if err != nil {
		return false
	}
	return hmac.Equal(h.mac(p, subject, code), want)
}

// IsPlaintext reports whether stored is a code as 2.4 stored it rather than
// a hash.
func IsPlaintext(stored string) bool {
	if len(stored) < MinLength {
		return false
	}
	for i := range len(stored) {
		if !strings.ContainsRune(Alphabet, rune(stored[i])) {
			return false
		}
	}
	return true
}

// mac is HMAC-SHA256(key, purpose ‖ 0 ‖ len(subject) ‖ subject ‖ code): the
// length prefix keeps (subject, code) pairs from running into each other.
func (h *Hasher) mac(p Purpose, subject, code string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(p))
	m.Write([]byte{0})
	fmt.Fprintf(m, "%d:", len(subject))
	m.Write([]byte(subject))
	m.Write([]byte(code))
	return m.Sum(nil)
}
