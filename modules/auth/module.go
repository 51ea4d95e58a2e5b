package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopod/gopod/modules/auth/internal/authkey"
	"github.com/gopod/gopod/modules/auth/internal/avatar"
	"github.com/gopod/gopod/modules/auth/internal/codes"
	"github.com/gopod/gopod/modules/auth/internal/password"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/messages"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/runtime/storage"
)

// ModuleName is the module's name on the wire and in serverpod_migrations.
const ModuleName = "serverpod_auth"

// Names of the secrets the module reads from config/passwords.yaml.
const (
	// PasswordAuthKeySalt salts the stored hashes of auth keys (2.4's
	// authKeySalt; "salty" when missing, as in 2.4).
	PasswordAuthKeySalt = "authKeySalt"
	// PasswordEmailPepper is the Argon2 secret of password hashes (2.4's
	// emailPasswordPepper; none when missing).
	PasswordEmailPepper = "emailPasswordPepper"
	// PasswordLegacySalt is the salt of 2.4's legacy SHA-256 password
	// hashes (email_password_salt, spelled as 2.4 spells it).
	PasswordLegacySalt = "email_password_salt"
	// PasswordCodeSecret keys the hashes of validation and reset codes.
	// When missing, a key is derived from serviceSecret, authKeySalt and
	// emailPasswordPepper.
	PasswordCodeSecret = "authCodeSecret"
)

// Module is the auth module of a server: its configuration and state (the
// secrets, the caches of users and auth keys, the token verifiers).
// Register it with pod.WithModule and its AuthenticationHandler with
// pod.WithAuthenticationHandler.
type Module struct {
	cfg     Config
	now     func() time.Time
	http    *http.Client
	storage storage.Storage
	format  avatar.Format

	initOnce sync.Once
	initErr  error
	keySalt  string
	hasher   *password.Hasher
	codes    *codes.Hasher

	users *cache[int64, *protocol.UserInfo]
	keys  *cache[int64, *cachedKey]
	// central carries revocations between servers; set by init.
	central *messages.Central
	// pending are revocations Redis did not take, sent again when it is
	// back.
	pending pendingRevocations
	log     *slog.Logger

	providers providers

	nextPurge atomic.Int64 // unix nanoseconds
	slow      addressLanes
	mail      mailer
	decoder   imageDecoder
	uploads   userLocks

	// checks counts the guesses the module has let through to a
	// comparison: the figure the attempt limits bound.
	checks struct {
		passwords atomic.Int64 // passwords compared with a stored hash (or hashed for an unknown address)
		codes     atomic.Int64 // codes compared with a stored code
	}
}

// New returns the auth module configured by cfg. It panics if cfg is
// invalid (see Config.Validate): the configuration is part of the
// program, and a server must not start with, say, 2-character codes.
func New(cfg Config) *Module {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.withDefaults()
	m := &Module{
		cfg:   cfg,
		now:   cfg.Now,
		http:  cfg.HTTPClient,
		users: newCache[int64, *protocol.UserInfo](),
		keys:  newCache[int64, *cachedKey](),
		log:   slog.Default(),
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.http == nil {
		m.http = &http.Client{Timeout: 15 * time.Second}
	}
	m.format, _ = avatar.ParseFormat(string(cfg.UserImageFormat))
	m.decoder = avatar.NewDecoder(avatar.DefaultLimits, maxConcurrentDecodes)
	m.storage = cfg.Storage
	return m
}

// publicStorage is where user images go: Config.Storage, else the
// server's public storage (whose URLs use the configured public address),
// else a database storage addressed at localhost:8080.
func (m *Module) publicStorage(s *pod.Session) storage.Storage {
	if m.storage != nil {
		return m.storage
	}
	if st := s.Server().Storage(storage.Public); st != nil {
		return st
	}
	return storage.NewDatabase(storage.Public, storage.DefaultServer).WithClock(m.now)
}

// ModuleName is serverpod_auth.
func (m *Module) ModuleName() string { return ModuleName }

// Config returns the module's configuration with every default filled in.
func (m *Module) Config() Config { return m.cfg }

var errNotRegistered = errors.New("the auth module is not registered with this server: pass pod.WithModule(auth.New(auth.Config{...})) to pod.NewServer or pod.Main")

// moduleOf returns the auth module of the session's server, ready to use.
func moduleOf(s *pod.Session) (*Module, error) {
	if s.Server() == nil {
		return nil, errNotRegistered
	}
	m, ok := s.Server().Module(ModuleName).(*Module)
	if !ok {
		return nil, errNotRegistered
	}
	if err := m.init(s); err != nil {
		return nil, err
	}
	return m, nil
}

// init reads the secrets from the server's passwords once.
func (m *Module) init(s *pod.Session) error {
	m.initOnce.Do(func() { m.initErr = m.load(s) })
	return m.initErr
}

func (m *Module) load(s *pod.Session) error {
	if srv := s.Server(); srv != nil {
		m.log = srv.Logger()
		if central := srv.Messages(); central != nil {
			central.Listen(revocationChannel, m.onRevocation)
			central.OnReconnect(m.resync)
			m.central = central
		}
	}
	m.keySalt = authkey.DefaultSalt
	if v, ok := s.Password(PasswordAuthKeySalt); ok && v != "" {
		m.keySalt = v
	}
	pepper, _ := s.Password(PasswordEmailPepper)
	legacySalt, _ := s.Password(PasswordLegacySalt)
	pc := password.Config{
		Pepper:            pepper,
		LegacySalt:        legacySalt,
		NoLegacyEmailSalt: !m.cfg.ExtraSaltyHash.Enabled(true),
		Serverpod24Format: m.cfg.Serverpod24PasswordFormat,
		// Each hash holds its cost in memory; a burst of sign-ins waits
		// instead of exhausting it. One hash per core: more at once only
		// share the cores and the caches (19 MiB each), which made
		// sign-ins slower per CPU-second than the hash alone.
		MaxConcurrent: runtime.GOMAXPROCS(0),
	}
	if c := m.cfg.PasswordCost; c != (PasswordCost{}) {
		pc.Cost = password.Cost{Memory: c.MemoryKiB, Time: c.Time, Threads: c.Threads}
	}
	h, err := password.New(pc)
	if err != nil {
		return fmt.Errorf("auth module: password hashing: %w", err)
	}
	m.hasher = h

	secret, ok := s.Password(PasswordCodeSecret)
	if !ok || len(secret) < codes.MinSecretLength {
		secret = m.derivedCodeSecret(s)
	}
	// Codes a Serverpod 2.4 server stored in plain text stay valid until
	// they expire, so that sign-ups in flight during the switch complete.
	ch, err := codes.New(codes.Config{Secret: secret, AcceptPlaintext: true})
	if err != nil {
		return fmt.Errorf("auth module: codes: %w", err)
	}
	m.codes = ch
	return nil
}

// derivedCodeSecret keys the code hashes from the secrets a gopod project
// has anyway, so that they stay valid across restarts and servers without
// another entry in passwords.yaml.
func (m *Module) derivedCodeSecret(s *pod.Session) string {
	mac := hmac.New(sha256.New, []byte("gopod auth code secret"))
	var material int
	for _, name := range []string{"serviceSecret", PasswordAuthKeySalt, PasswordEmailPepper} {
		v, _ := s.Password(name)
		material += len(v)
		fmt.Fprintf(mac, "%d:%s", len(v), v)
	}
	if material < codes.MinSecretLength {
		s.Log.Warn("auth module: passwords.yaml has no authCodeSecret, serviceSecret, authKeySalt or emailPasswordPepper; " +
			"validation and reset codes are hashed with a key anyone can know. Set authCodeSecret before going live.")
	}
	return string(mac.Sum(nil))
}
