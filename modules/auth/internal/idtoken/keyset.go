package idtoken

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// KeyFormat is how a provider publishes its signing keys.
type KeyFormat int

const (
	// JWKS is a JSON Web Key Set (RFC 7517), as Google and Apple publish.
	JWKS KeyFormat = iota
	// X509Map is a JSON object from key id to PEM certificate, as Firebase
	// publishes for its ID tokens.
	X509Map
)

// Cache bounds around what a key endpoint's Cache-Control says.
const (
	// DefaultCacheTTL applies when the response has no usable max-age.
	DefaultCacheTTL = time.Hour
	// MinCacheTTL keeps a provider's no-cache or tiny max-age from turning
	// every sign-in into a key fetch.
	MinCacheTTL = time.Minute
	// MaxCacheTTL makes sure removed keys are forgotten within a day.
	MaxCacheTTL = 24 * time.Hour
	// DefaultMinRefreshInterval is the least time between two fetches
	// triggered by tokens naming an unknown key id, so that made-up key ids
	// cannot make the server hammer the provider.
	DefaultMinRefreshInterval = time.Minute
	// DefaultTimeout bounds one network call.
	DefaultTimeout = 10 * time.Second

	maxResponseBytes = 1 << 20
	minRSABits       = 2048
)

// ErrKeyFetch is wrapped by errors about getting a provider's keys: the
// provider or the network failed, not the token.
var ErrKeyFetch = errors.New("fetching signing keys")

// KeySetConfig configures a KeySet.
type KeySetConfig struct {
	URL    string
	Format KeyFormat
	// HTTPClient makes the requests; nil means a client of this package's
	// own (never http.DefaultClient, whose settings other code may change).
	HTTPClient *http.Client
	// Timeout bounds one fetch; zero means DefaultTimeout.
	Timeout time.Duration
	// MinRefreshInterval: see DefaultMinRefreshInterval, used when zero.
	MinRefreshInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// KeySet is a provider's current RSA signing keys, fetched on demand,
// cached as long as the response's Cache-Control max-age allows, and
// refetched early when a token names a key id it does not know (the
// provider has rotated its keys). It is safe for concurrent use.
type KeySet struct {
	cfg      KeySetConfig
	fetching chan struct{} // one fetch at a time

	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey
	expires   time.Time // end of the cache lifetime of keys
	attempted time.Time // start of the last fetch, successful or not
	lastErr   error     // error of the last fetch, nil after a success
}

// NewKeySet returns a KeySet; nothing is fetched until the first Key call.
func NewKeySet(cfg KeySetConfig) *KeySet {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MinRefreshInterval <= 0 {
		cfg.MinRefreshInterval = DefaultMinRefreshInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &KeySet{cfg: cfg, fetching: make(chan struct{}, 1)}
}

// Key returns the public key with id kid. The error wraps ErrUnknownKey
// when the provider does not publish that id, or ErrKeyFetch when the
// keys could not be fetched.
func (s *KeySet) Key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if k, ok, mayFetch, err := s.cached(kid); ok {
		return k, nil
	} else if !mayFetch {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: key id %q is not published at %s", ErrUnknownKey, kid, s.cfg.URL)
	}
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	k, ok := s.keys[kid]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: key id %q is not published at %s", ErrUnknownKey, kid, s.cfg.URL)
	}
	return k, nil
}

// cached looks kid up and decides whether a fetch is allowed: always when
// the cache has expired (unless the previous fetch just failed), and for
// an unknown id only once per MinRefreshInterval.
func (s *KeySet) cached(kid string) (key *rsa.PublicKey, ok, mayFetch bool, lastErr error) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	fresh := now.Before(s.expires)
	key, ok = s.keys[kid]
	if ok && fresh {
		return key, true, false, nil
	}
	recent := !s.attempted.IsZero() && now.Sub(s.attempted) < s.cfg.MinRefreshInterval
	if recent && (fresh || s.lastErr != nil) {
		return nil, false, false, s.lastErr
	}
	return nil, false, true, nil
}

func (s *KeySet) refresh(ctx context.Context) error {
	requested := s.cfg.Now()
	select {
	case s.fetching <- struct{}{}:
		defer func() { <-s.fetching }()
	case <-ctx.Done():
		return fmt.Errorf("%w from %s: %w", ErrKeyFetch, s.cfg.URL, ctx.Err())
	}
	s.mu.Lock()
	// Another caller fetched while this one waited, or so recently that the
	// rate limit applies: use its result.
	if !s.attempted.IsZero() && (!s.attempted.Before(requested) ||
		s.cfg.Now().Sub(s.attempted) < s.cfg.MinRefreshInterval) {
		err := s.lastErr
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()

	start := s.cfg.Now()
	keys, ttl, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempted = start
	if err != nil {
		s.lastErr = fmt.Errorf("%w from %s: %w", ErrKeyFetch, s.cfg.URL, err)
		return s.lastErr
	}
	s.keys, s.expires, s.lastErr = keys, start.Add(ttl), nil
	return nil
}

func (s *KeySet) fetch(ctx context.Context) (map[string]*rsa.PublicKey, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.URL, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, 0, fmt.Errorf("reading the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("HTTP status %s", resp.Status)
	}
	if len(body) > maxResponseBytes {
		return nil, 0, fmt.Errorf("response larger than %d bytes", maxResponseBytes)
	}
	var keys map[string]*rsa.PublicKey
	switch s.cfg.Format {
	case X509Map:
		keys, err = parseX509Map(body)
	default:
		keys, err = parseJWKS(body)
	}
	if err != nil {
		return nil, 0, err
	}
	if len(keys) == 0 {
		return nil, 0, errors.New("the response holds no usable RSA signing key")
	}
	return keys, cacheTTL(resp.Header), nil
}

// parseJWKS keeps the RSA signature keys of a JWK set that have a key id.
// Keys of other types or uses are skipped rather than failing the set, so
// that a provider adding, say, an EC key does not break sign-in.
func parseJWKS(body []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decoding the JWK set: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			continue
		}
		pub, ok := k.Key.(*rsa.PublicKey)
		if !ok || k.KeyID == "" || (k.Use != "" && k.Use != "sig") ||
			(k.Algorithm != "" && k.Algorithm != string(jose.RS256)) || pub.N.BitLen() < minRSABits {
			continue
		}
		keys[k.KeyID] = pub
	}
	return keys, nil
}

// parseX509Map reads {"<kid>": "<PEM certificate>", ...}. Only the public
// key is used; the certificates are self-issued by the provider and their
// validity dates are not what bounds a key's use (the cache lifetime is).
func parseX509Map(body []byte) (map[string]*rsa.PublicKey, error) {
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("decoding the certificate map: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for kid, p := range m {
		block, _ := pem.Decode([]byte(p))
		if block == nil || block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			continue
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || kid == "" || pub.N.BitLen() < minRSABits {
			continue
		}
		keys[kid] = pub
	}
	return keys, nil
}

// cacheTTL reads Cache-Control max-age (less the Age header), clamped to
// [MinCacheTTL, MaxCacheTTL].
func cacheTTL(h http.Header) time.Duration {
	ttl := DefaultCacheTTL
	for _, directive := range strings.Split(h.Get("Cache-Control"), ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return MinCacheTTL
		case "max-age":
			if secs, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64); err == nil && secs >= 0 {
				ttl = time.Duration(min(secs, int64(MaxCacheTTL/time.Second))) * time.Second
				if age, err := strconv.ParseInt(h.Get("Age"), 10, 64); err == nil && age > 0 {
					ttl -= time.Duration(min(age, int64(MaxCacheTTL/time.Second))) * time.Second
				}
			}
		}
	}
	return min(max(ttl, MinCacheTTL), MaxCacheTTL)
}
