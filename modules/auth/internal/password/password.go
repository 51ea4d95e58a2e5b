// Package password hashes and verifies the passwords of the auth module's
// email sign-in.
//
// It verifies the three formats a Serverpod 2.4 database may hold in
// serverpod_email_auth.hash and serverpod_email_create_request.hash:
//
//   - legacy: 64 lowercase hex digits, sha256(password + legacySalt +
//     ":" + email), the email part only when the 2.4 server ran with
//     extraSaltyHash (its default);
//   - `$argon2id$<salt>$<hash>`: Argon2id with t=3, m=4096 KiB, p=1, a
//     256-byte tag in padded standard base64, the salt field's text used
//     verbatim as the salt bytes and the pepper (`emailPasswordPepper`) as the
//     Argon2 secret;
//   - `$migratedLegacy$<salt>$<hash>`: the same Argon2id applied to the
//     legacy hex digest, as 2.4's batch migration wrote it.
//
// New hashes use the PHC string format, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`,
// which records its own cost so that the cost can rise later; the pepper is
// still the Argon2 secret. NeedsRehash reports every hash that is not in
// that form at the configured cost, so callers upgrade it after a successful
// sign-in. A deployment that must stay readable by Serverpod 2.4 servers
// sharing the database can set Config.Serverpod24Format to keep writing 2.4's
// own form instead.
//
// Every comparison of a computed hash with a stored one is constant-time.
//
// Normalisation: gopod never trims or otherwise rewrites a password, on
// sign-up, sign-in, password change and reset alike, and compares the exact
// UTF-8 bytes the client sent. Serverpod 2.4 trimmed only at sign-in while
// hashing the untrimmed password everywhere else, so a user whose password
// began or ended with whitespace could never sign in; every stored 2.4 hash
// is a hash of the untrimmed password, so hashing what the client sends is
// the only rule under which all existing users sign in with the password
// they chose. Unicode normalisation is not applied for the same reason: 2.4
// hashed the raw UTF-8.
package password

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/gopod/gopod/modules/auth/internal/argon2"
)

// DefaultLegacySalt is the legacy SHA-256 salt used when passwords.yaml has
// no `email_password_salt`.
const DefaultLegacySalt = "serverpod password salt"

// Serverpod 2.4's fixed Argon2id parameters (pointycastle's defaults with a
// 256-byte output).
var serverpod24Params = argon2.Params{Time: 3, Memory: 4096, Threads: 1, KeyLen: 256}

const (
	phcKeyLen  = 32
	phcSaltLen = 16
)

// Cost is the Argon2id cost of new hashes.
type Cost struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultCost is the production cost: 19 MiB, two passes, one lane (OWASP's
// first Argon2id recommendation). Tests use a lower cost.
var DefaultCost = Cost{Memory: 19456, Time: 2, Threads: 1}

// Limits bounds the cost a stored PHC hash may ask for, so that a tampered
// or mistaken row cannot make one sign-in allocate gigabytes.
type Limits struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultLimits allow 256 MiB, 16 passes and 16 lanes.
var DefaultLimits = Limits{Memory: 256 * 1024, Time: 16, Threads: 16}

// Config configures a Hasher. The zero value gives Serverpod 2.4's defaults
// with gopod's production cost.
type Config struct {
	// Cost of new hashes; the zero value means DefaultCost.
	Cost Cost
	// Pepper is passwords.yaml's `emailPasswordPepper`, the Argon2 secret.
	// Empty means none, as in 2.4.
	Pepper string
	// LegacySalt is passwords.yaml's `email_password_salt`; empty means
	// DefaultLegacySalt.
	LegacySalt string
	// NoLegacyEmailSalt is set when the 2.4 server ran with
	// `extraSaltyHash: false`, so its legacy hashes do not include the email.
	NoLegacyEmailSalt bool
	// Serverpod24Format makes Hash write 2.4's `$argon2id$<salt>$<hash>`
	// form (and NeedsRehash accept it) instead of PHC.
	Serverpod24Format bool
	// Limits on stored PHC parameters; the zero value means DefaultLimits.
	Limits Limits
	// MaxConcurrent caps how many hashes run at once; callers beyond it
	// wait or give up with their context. Zero means no cap.
	//
	// Each hash holds its cost in memory (19 MiB at DefaultCost) and keeps
	// one core busy per lane, so running more hashes than there are cores
	// makes each slower without finishing more per second; the cap keeps a
	// burst of sign-ins from exhausting memory instead. It also sizes the
	// pool of work areas that hashes reuse, so that the Hasher keeps at
	// most MaxConcurrent areas (GOMAXPROCS without a cap) between bursts.
	MaxConcurrent int
}

// Hasher hashes and verifies passwords. It is safe for concurrent use.
type Hasher struct {
	cfg  Config
	sem  chan struct{}
	pool *argon2.Pool
}

// New returns a Hasher for cfg.
func New(cfg Config) (*Hasher, error) {
	if cfg.Cost == (Cost{}) {
		cfg.Cost = DefaultCost
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.LegacySalt == "" {
		cfg.LegacySalt = DefaultLegacySalt
	}
	if err := cfg.Cost.params().Validate(); err != nil {
		return nil, fmt.Errorf("password cost: %w", err)
	}
	if cfg.MaxConcurrent < 0 {
		return nil, fmt.Errorf("password: MaxConcurrent is %d, must be 0 (no cap) or more", cfg.MaxConcurrent)
	}
	h := &Hasher{cfg: cfg}
	areas := runtime.GOMAXPROCS(0)
	if cfg.MaxConcurrent > 0 {
		h.sem = make(chan struct{}, cfg.MaxConcurrent)
		areas = cfg.MaxConcurrent
	}
	// Areas as large as the costs this Hasher writes and verifies in the
	// normal course are kept; a stored PHC hash of a higher cost gets memory
	// of its own.
	h.pool = argon2.NewPool(areas, max(cfg.Cost.Memory, serverpod24Params.Memory))
	return h, nil
}

func (c Cost) params() argon2.Params {
	return argon2.Params{Time: c.Time, Memory: c.Memory, Threads: c.Threads, KeyLen: phcKeyLen}
}

// Format names the kind of a stored hash.
type Format int

const (
	// Unknown is anything Verify cannot check.
	Unknown Format = iota
	// Legacy is 2.4's unsalted-per-user SHA-256 hex.
	Legacy
	// Argon2id24 is 2.4's `$argon2id$<salt>$<hash>`.
	Argon2id24
	// MigratedLegacy is 2.4's `$migratedLegacy$<salt>$<hash>`.
	MigratedLegacy
	// PHC is `$argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>`.
	PHC
)

func (f Format) String() string {
	switch f {
	case Legacy:
		return "legacy"
	case Argon2id24:
		return "argon2id (serverpod 2.4)"
	case MigratedLegacy:
		return "migratedLegacy"
	case PHC:
		return "argon2id (PHC)"
	}
	return "unknown"
}

// Identify tells the format of a stored hash the way 2.4 dispatches on it:
// no `$` at all is legacy; otherwise the second `$`-separated field names
// the algorithm, and 2.4's forms have exactly four fields.
func Identify(stored string) Format {
	parts := strings.Split(stored, "$")
	switch {
	case len(parts) < 2:
		return Legacy
	case parts[1] == "argon2id" && len(parts) == 4:
		return Argon2id24
	case parts[1] == "argon2id" && len(parts) == 6:
		return PHC
	case parts[1] == "migratedLegacy" && len(parts) == 4:
		return MigratedLegacy
	}
	return Unknown
}

// ErrMalformedHash is wrapped by Verify's errors about a stored hash it
// cannot read.
var ErrMalformedHash = errors.New("malformed password hash")

// Hash returns a new hash of password in the configured format, with a
// fresh random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if h.cfg.Serverpod24Format {
		salt, err := randomSalt24()
		if err != nil {
			return "", err
		}
		sum, err := h.argon2id24(ctx, password, salt)
		if err != nil {
			return "", err
		}
		return "$argon2id$" + salt + "$" + sum, nil
	}
	salt := make([]byte, phcSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	c := h.cfg.Cost
	key, err := h.derive(ctx, []byte(password), salt, c.params())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", c.Memory, c.Time, c.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether password matches the stored hash. email is the
// account's stored email (serverpod_email_auth.email); only the legacy
// formats use it. A stored hash that cannot be read gives false and an
// error wrapping ErrMalformedHash, for the caller to log; a mismatch gives
// false and no error.
func (h *Hasher) Verify(ctx context.Context, password, email, stored string) (bool, error) {
	switch Identify(stored) {
	case Legacy:
		if !isLowerHex64(stored) {
			return false, fmt.Errorf("%w: legacy hash is not 64 lowercase hex digits", ErrMalformedHash)
		}
		return equal(h.legacy(password, email), stored), nil
	case Argon2id24:
		parts := strings.Split(stored, "$")
		sum, err := h.argon2id24(ctx, password, parts[2])
		if err != nil {
			return false, err
		}
		return equal(sum, parts[3]), nil
	case MigratedLegacy:
		parts := strings.Split(stored, "$")
		sum, err := h.argon2id24(ctx, h.legacy(password, email), parts[2])
		if err != nil {
			return false, err
		}
		return equal(sum, parts[3]), nil
	case PHC:
		p, salt, want, err := h.parsePHC(stored)
		if err != nil {
			return false, err
		}
		got, err := h.derive(ctx, []byte(password), salt, p)
		if err != nil {
			return false, err
		}
		return subtle.ConstantTimeCompare(got, want) == 1, nil
	}
	return false, fmt.Errorf("%w: unknown format %q", ErrMalformedHash, algorithmField(stored))
}

// VerifyAbsent spends the work of verifying a current-format hash and
// returns nothing: a sign-in for an unknown email calls it so that its
// answer takes as long as one for a known email with a wrong password.
func (h *Hasher) VerifyAbsent(ctx context.Context, password string) {
	if h.cfg.Serverpod24Format {
		_, _ = h.argon2id24(ctx, password, "gopodabsentuser0")
		return
	}
	_, _ = h.derive(ctx, []byte(password), make([]byte, phcSaltLen), h.cfg.Cost.params())
}

// NeedsRehash reports whether stored should be replaced by a fresh Hash of
// the password after the next successful verification: true for every
// format and cost other than the one Hash writes now.
func (h *Hasher) NeedsRehash(stored string) bool {
	switch Identify(stored) {
	case Argon2id24:
		return !h.cfg.Serverpod24Format
	case PHC:
		if h.cfg.Serverpod24Format {
			return true
		}
		p, salt, key, err := h.parsePHC(stored)
		if err != nil {
			return true
		}
		c := h.cfg.Cost
		return p.Memory != c.Memory || p.Time != c.Time || p.Threads != c.Threads ||
			len(key) != phcKeyLen || len(salt) < phcSaltLen
	}
	return true
}

// WrapLegacy turns a legacy hex hash into 2.4's `$migratedLegacy$` form with
// a fresh salt, as 2.4's batch migration does: the password is not needed,
// and the email (if any) stays baked into the legacy digest. Its result
// still verifies on a Serverpod 2.4 server using the same pepper.
func (h *Hasher) WrapLegacy(ctx context.Context, legacyHex string) (string, error) {
	if !isLowerHex64(legacyHex) {
		return "", fmt.Errorf("%w: legacy hash is not 64 lowercase hex digits", ErrMalformedHash)
	}
	salt, err := randomSalt24()
	if err != nil {
		return "", err
	}
	sum, err := h.argon2id24(ctx, legacyHex, salt)
	if err != nil {
		return "", err
	}
	return "$migratedLegacy$" + salt + "$" + sum, nil
}

// legacy is 2.4's SHA-256 hash as lowercase hex.
func (h *Hasher) legacy(password, email string) string {
	return legacyHash(password, h.cfg.LegacySalt, email, !h.cfg.NoLegacyEmailSalt)
}

func legacyHash(password, salt, email string, withEmail bool) string {
	s := password + salt
	if withEmail {
		s += ":" + email
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// argon2id24 is 2.4's Argon2id: the salt field's text is the salt, and the
// tag is padded standard base64.
func (h *Hasher) argon2id24(ctx context.Context, password, saltField string) (string, error) {
	key, err := h.derive(ctx, []byte(password), []byte(saltField), serverpod24Params)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(key), nil
}

// derive runs Argon2id with the pepper as secret, within the concurrency cap.
func (h *Hasher) derive(ctx context.Context, password, salt []byte, p argon2.Params) ([]byte, error) {
	if h.sem != nil {
		select {
		case h.sem <- struct{}{}:
			defer func() { <-h.sem }()
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting to hash a password: %w", ctx.Err())
		}
	} else if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hashing a password: %w", err)
	}
	var secret []byte
	if h.cfg.Pepper != "" {
		secret = []byte(h.cfg.Pepper)
	}
	key, err := h.pool.IDKey(password, salt, secret, nil, p)
	if err != nil {
		return nil, fmt.Errorf("hashing a password: %w", err)
	}
	return key, nil
}

// parsePHC reads `$argon2id$v=19$m=M,t=T,p=P$<salt>$<hash>` strictly:
// version 19 only, parameters in that order, unpadded standard base64, and
// the cost within the configured limits.
func (h *Hasher) parsePHC(stored string) (argon2.Params, []byte, []byte, error) {
	var p argon2.Params
	parts := strings.Split(stored, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: not a PHC argon2id string", ErrMalformedHash)
	}
	if parts[2] != "v=19" {
		return p, nil, nil, fmt.Errorf("%w: PHC version %q, only v=19 is supported", ErrMalformedHash, parts[2])
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return p, nil, nil, fmt.Errorf("%w: PHC parameters %q, want m=..,t=..,p=..", ErrMalformedHash, parts[3])
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || (len(v) > 1 && v[0] == '0') {
			return p, nil, nil, fmt.Errorf("%w: PHC parameter %q, want %s=<decimal>", ErrMalformedHash, fields[i], name)
		}
		vals[i] = n
	}
	lim := h.cfg.Limits
	if vals[0] > uint64(lim.Memory) || vals[1] > uint64(lim.Time) || vals[2] > uint64(lim.Threads) {
		return p, nil, nil, fmt.Errorf("%w: PHC cost m=%d,t=%d,p=%d exceeds the limit m=%d,t=%d,p=%d",
			ErrMalformedHash, vals[0], vals[1], vals[2], lim.Memory, lim.Time, lim.Threads)
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: PHC salt: %v", ErrMalformedHash, err)
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: PHC hash: %v", ErrMalformedHash, err)
	}
	p = argon2.Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]), KeyLen: uint32(len(key))}
	if err := p.Validate(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %v", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}

// randomSalt24 makes a salt field for 2.4's formats: 16 characters of
// unpadded base64url over 12 random bytes (96 bits). 2.4 drew 16 of 62
// alphanumerics (95 bits); any text without `$` is a valid field, since it
// is used verbatim.
func randomSalt24() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// algorithmField is the `$`-separated field naming the algorithm, for error
// messages that must not repeat the hash itself.
func algorithmField(stored string) string {
	parts := strings.SplitN(stored, "$", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// Policy is the length rule for new passwords.
type Policy struct {
	MinLength, MaxLength int
}

// DefaultPolicy is 2.4's minPasswordLength and maxPasswordLength.
var DefaultPolicy = Policy{MinLength: 8, MaxLength: 128}

// Check reports whether password satisfies the policy. Lengths count UTF-16
// code units, as 2.4 (Dart) did, so every password 2.4 accepted is accepted.
// gopod applies it on sign-up, change and reset alike.
func (p Policy) Check(password string) error {
	n := 0
	for _, r := range password {
		n += utf16.RuneLen(r)
	}
	switch {
	case n < p.MinLength:
		return fmt.Errorf("password is %d characters long, must be at least %d", n, p.MinLength)
	case n > p.MaxLength:
		return fmt.Errorf("password is %d characters long, must be at most %d", n, p.MaxLength)
	}
	return nil
}
