// Package authkey issues, parses and checks the auth module's auth keys in
// the form Serverpod 2.4 uses, so that keys held by existing clients stay
// valid and keys gopod issues work with 2.4 clients.
//
// A key is a row of serverpod_auth_key plus a secret only the client holds.
// The client sends `<keyId>:<secret>` (wrapped in an Authorization header);
// the row stores lowercase hex sha256(authKeySalt + secret), where
// authKeySalt comes from passwords.yaml and defaults to "salty". A single
// fast hash is enough because the secret is 192 random bits, not a
// password.
package authkey

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultSalt is the salt used when passwords.yaml has no `authKeySalt`.
const DefaultSalt = "salty"

// SecretLength is the length of issued secrets: 32 base64url characters.
const SecretLength = 32

// maxSecretLength bounds what Parse accepts, far above SecretLength, so that
// keys issued by custom code with longer secrets still parse.
const maxSecretLength = 512

// NewSecret returns a fresh secret: 24 bytes from crypto/rand as 32
// unpadded base64url characters (192 bits). 2.4 encoded 32 random bytes
// and cut the text to 32 characters, which gives the same alphabet, length
// and entropy.
func NewSecret() (string, error) {
	b := make([]byte, SecretLength/4*3)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth key secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash returns what serverpod_auth_key.hash stores for secret: lowercase
// hex sha256(salt + secret).
func Hash(salt, secret string) string {
	sum := sha256.Sum256([]byte(salt + secret))
	return hex.EncodeToString(sum[:])
}

// Check reports, in constant time, whether secret matches the stored hash.
func Check(salt, secret, storedHash string) bool {
	return subtle.ConstantTimeCompare([]byte(Hash(salt, secret)), []byte(storedHash)) == 1
}

// Issue returns a new secret and the hash to store for it.
func Issue(salt string) (secret, hash string, err error) {
	secret, err = NewSecret()
	if err != nil {
		return "", "", err
	}
	return secret, Hash(salt, secret), nil
}

// Key is a raw key as a client sends it.
type Key struct {
	ID     int64 // serverpod_auth_key.id
	Secret string
}

// String is the raw form `<id>:<secret>` that the client stores and sends.
func (k Key) String() string {
	return strconv.FormatInt(k.ID, 10) + ":" + k.Secret
}

// ErrMalformed is wrapped by every Parse error.
var ErrMalformed = errors.New("malformed auth key")

// Parse reads a raw key `<id>:<secret>`.
//
// It is stricter than 2.4, which took the id with Dart's int.tryParse and
// ignored anything after a second colon. gopod refuses a third segment and
// any id that is not the canonical decimal form of a positive integer
// (no sign, no leading zeros, no whitespace, no hex): a 2.4 client only ever
// sends back the id it was given, and a canonical id means the session's
// auth id names the key one way only (2.4 kept "007" as the auth id of key 7).
func Parse(raw string) (Key, error) {
	id, secret, ok := strings.Cut(raw, ":")
	if !ok {
		return Key{}, fmt.Errorf("%w: want <keyId>:<secret>, found no colon", ErrMalformed)
	}
	if strings.Contains(secret, ":") {
		return Key{}, fmt.Errorf("%w: want <keyId>:<secret>, found more than one colon", ErrMalformed)
	}
	n, err := ParseID(id)
	if err != nil {
		return Key{}, err
	}
	switch {
	case secret == "":
		return Key{}, fmt.Errorf("%w: the secret after the colon is empty", ErrMalformed)
	case len(secret) > maxSecretLength:
		return Key{}, fmt.Errorf("%w: the secret is %d bytes long, at most %d are accepted", ErrMalformed, len(secret), maxSecretLength)
	}
	return Key{ID: n, Secret: secret}, nil
}

// ParseID reads a key id (also the session's auth id, as sign-out by device
// receives it) in canonical decimal form.
func ParseID(id string) (int64, error) {
	if id == "" || id[0] < '1' || id[0] > '9' {
		return 0, fmt.Errorf("%w: key id %q is not a positive decimal number without leading zeros", ErrMalformed, truncate(id))
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: key id %q is not a positive decimal number within 64 bits", ErrMalformed, truncate(id))
	}
	return n, nil
}

func truncate(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}
