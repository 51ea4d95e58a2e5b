package password

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/gopod/gopod/modules/auth/internal/sidebyside"
	xargon2 "golang.org/x/crypto/argon2"
)

// testCost keeps the PHC tests fast; one test runs at DefaultCost.
var testCost = Cost{Memory: 64, Time: 1, Threads: 1}

func newHasher(t testing.TB, cfg Config) *Hasher {
	t.Helper()
	if cfg.Cost == (Cost{}) {
		cfg.Cost = testCost
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Serverpod 2.4's own regression values (serverpod_auth_server's
// password_hash tests and the test server's email auth provider test).
const (
	vecLegacyHunter2      = "0713234b3cb6a6f98f6978f17a55a54578c580698dc1d56371502be6abb457eb"
	vecLegacyHunter2Email = "4005303e6e1effd8bc7293bc3e69fe3a480a88249453aef7f58fdcf264419147"
	vecLegacyNotHunter4   = "1d24f0d21861e659c50c87ae03b679dc66ac7dd5fb1b03140e53f9331eeb0a31"
	vecArgon2Hunter2      = "XE1myFwU/BfI2wTVT3Idp2htwbXRLkY3L5ysvmAR+iJJVfHMJEMFP7eFrRwMvsP0dygxYopuCiDGNHhJaIuE0Bm6SIIAJt/LoktWA+JzMdVAQQDF08anztJL8db3nIjqiRr7fTsEnH88zIMx0z+6X22ZIJoKHQ37wI7jTVhPgtEX8OSubOHA8JSKaGko9GoXa1IEO4PXZ/OWoCf+PELDySMIK5UvakJg4Rx6gjuQQJ612VfB0lI+Dw//h5mdbypxIQWBUp+cc8VYwOtKod2BOhEzn/h0R158/n9NaW4Zxz7mteja3K2Kl/fZwGpronzItYZMbw5j7pS96r/Jf227IQ=="
	vecMigratedLegacyHash = "aF5cAla/wBZ6Ka/kpGfmBC9kOftCRBr5srDZFhtAiF9SUqNUwefbsHBJZDX9cOo2B7MHNZzJDbNRg2VH6+VJtp70gHdveN7EJGrcSsaiReI1x4pX/sQ0l78FhIZ/+vYsuFGDCcr4qg1bkIk6apwmGMzJjKMSKy07bPXNcemm3EPhuCC9OLeBQHtS642TsWVKX9412XxGR2aDbRIDJItBMfWlLH0i3JSWxqcUZLtES7bwcvPdqj68jHT6nzAzFJAiOg4NkaTLye/SlKe/q6LjUci/NYYkJ9ujNnJD410E4AR6yVJqWZaGJMTrr38A0Vigayj4IvPaYaMCwho9Pr8/Jg=="
	vecStoredArgon2       = "$argon2id$c2VydmVycG9kIHBhc3N3b3JkIHNhbHQ=$lratTXSlVuxb6xwzHQzMu4Ra0pPVl1YLDdR8AwPY0gRlvF/5M7jxf6tODW9+KOgowfbP1tSGFHQebAjEOsmvL5NvAOrFDI3u0mD/414W8wR0Cni1KpATP7p5MHr5OZ2O4gEtOWfSJfgPTcq0X/uWZjRi1m4mc40TkyIFbMOfyO05JtoX0hi6r/4fTlIgIp1s7KgXEwF7B8IrmEb5zdnDgUs4qUifUM+SEH2S59fNBAt5CIviCOK7VreBztQw+L5S58ZHYSWWyB7bHJLcg1pDV9uiBb+q7qmXWJqDUBQjeJMH4nePzDmy7zarA04zQFhd6d5wIfZilJxJb8XXVGKZrQ=="
	vecStoredMigrated     = "$migratedLegacy$c2VydmVycG9kIHBhc3N3b3JkIHNhbHQ=$zr46HulgsH9Kv8dZR/oNKPkltWHz5axYpINct5ZSRM7mgk7DMXeHI4vyPZkAvICQJPG50OKQdRAnIxaIyitIXvQBhQhcdHYZTAc2wOZfXEwDQGFJahy+N8xLwiT2FFlcaR7rorYKIEwpxZ+haihLauN4G4hFPVoftVbHz6KCY0ZzLbrHxbZtHCRWDy/dmlA0OegUu0Q1cwAXTCOZjobWOUn6uEM0/JbRJ26Mhe2UqTOFdSY/SSVIXyYuDrGDuOtm1OhOTcaLFA68FHANSOzlYPPUy6JHOvTeGfcsjdDWF720uVYUSxP5VDb4MvWWRoB212VXasswtNc2xwBOLO++4Q=="
)

func TestLegacyVectors(t *testing.T) {
	tests := []struct {
		password, salt, email string
		withEmail             bool
		want                  string
	}{
		{"hunter2", "serverpod password salt", "", false, vecLegacyHunter2},
		{"hunter2", "serverpod password salt", "test@serverpod.dev", true, vecLegacyHunter2Email},
		{"hunter0", DefaultLegacySalt, "", false, "8be0c8699ff49f0f0edaa3a69e9e175504e2b7909a1b9cb24b5fd448171da49f"},
		{"hunter1", DefaultLegacySalt, "", false, "51c7c7e0c3e275b1c6a9076701bf3234d7a60da111cf0ee719a6fe2884c4cf89"},
		{"hunter3", DefaultLegacySalt, "", false, "e0bbc3d67336323cfdaf616ca1a4cbc68aee7fdb1cf107349ff7328fcaace081"},
		{"hunter4", DefaultLegacySalt, "", false, "2ee3dc6432300eabf9630ac7827d6dd23fd23cc9120ec4cd58f8f66bd3ce2db9"},
		{"notHunter4", DefaultLegacySalt, "", false, vecLegacyNotHunter4},
	}
	for _, tt := range tests {
		if got := legacyHash(tt.password, tt.salt, tt.email, tt.withEmail); got != tt.want {
			t.Errorf("legacy(%q, %q, %q) = %s, want %s", tt.password, tt.salt, tt.email, got, tt.want)
		}
	}
}

// TestArgon2id24Vectors recomputes 2.4's hashes made with an explicit salt
// ("saltySalt", whose field is its base64 and whose Argon2 salt is that
// field's text).
func TestArgon2id24Vectors(t *testing.T) {
	h := newHasher(t, Config{})
	field := base64.StdEncoding.EncodeToString([]byte("saltySalt"))
	if field != "c2FsdHlTYWx0" {
		t.Fatalf("salt field = %s", field)
	}
	for _, tt := range []struct{ name, input, want string }{
		{"argon2id of hunter2", "hunter2", vecArgon2Hunter2},
		{"migratedLegacy of the text legacyHash", "legacyHash", vecMigratedLegacyHash},
	} {
		got, err := h.argon2id24(context.Background(), tt.input, field)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s = %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// TestVerifyStoredVectors validates the rows of 2.4's test server, which ran
// with extraSaltyHash: false and no pepper.
func TestVerifyStoredVectors(t *testing.T) {
	h := newHasher(t, Config{NoLegacyEmailSalt: true})
	withEmail := newHasher(t, Config{})
	tests := []struct {
		name     string
		h        *Hasher
		password string
		email    string
		stored   string
		want     bool
	}{
		{"legacy", h, "hunter2", "test3@serverpod.dev", vecLegacyHunter2, true},
		{"legacy wrong password", h, "notHunter4", "test7@serverpod.dev", "2ee3dc6432300eabf9630ac7827d6dd23fd23cc9120ec4cd58f8f66bd3ce2db9", false},
		{"legacy hunter0", h, "hunter0", "test1@serverpod.dev", "8be0c8699ff49f0f0edaa3a69e9e175504e2b7909a1b9cb24b5fd448171da49f", true},
		{"legacy with email salt", withEmail, "hunter2", "test@serverpod.dev", vecLegacyHunter2Email, true},
		{"legacy with other email", withEmail, "hunter2", "other@serverpod.dev", vecLegacyHunter2Email, false},
		{"legacy email salt not expected", h, "hunter2", "test@serverpod.dev", vecLegacyHunter2Email, false},
		{"argon2id", h, "hunter2", "test7@serverpod.dev", vecStoredArgon2, true},
		{"argon2id ignores email salting", withEmail, "hunter2", "test7@serverpod.dev", vecStoredArgon2, true},
		{"argon2id wrong password", h, "hunter3", "test7@serverpod.dev", vecStoredArgon2, false},
		{"argon2id trailing space is a different password", h, "hunter2 ", "test7@serverpod.dev", vecStoredArgon2, false},
		{"migratedLegacy", h, "hunter2", "test6@serverpod.dev", vecStoredMigrated, true},
		{"migratedLegacy wrong password", h, "chaser1", "test6@serverpod.dev", vecStoredMigrated, false},
		{"migratedLegacy needs the same email rule", withEmail, "hunter2", "test6@serverpod.dev", vecStoredMigrated, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.h.Verify(context.Background(), tt.password, tt.email, tt.stored)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLegacySaltConfig(t *testing.T) {
	ctx := context.Background()
	stored := legacyHash("hunter2", "first salt", "a@b.c", true)
	for _, tt := range []struct {
		salt string
		want bool
	}{{"first salt", true}, {"second salt", false}, {"", false}} {
		h := newHasher(t, Config{LegacySalt: tt.salt})
		if got, err := h.Verify(ctx, "hunter2", "a@b.c", stored); err != nil || got != tt.want {
			t.Errorf("salt %q: Verify = %v, %v; want %v", tt.salt, got, err, tt.want)
		}
	}
}

func TestPepper(t *testing.T) {
	ctx := context.Background()
	for _, format24 := range []bool{false, true} {
		for _, tt := range []struct {
			name           string
			hashed, verify string
			want           bool
		}{
			{"same pepper", "pepper", "pepper", true},
			{"different pepper", "firstPepper", "differentPepper", false},
			{"missing pepper", "pepper", "", false},
			{"added pepper", "", "pepper", false},
			{"no pepper", "", "", true},
		} {
			h := newHasher(t, Config{Pepper: tt.hashed, Serverpod24Format: format24})
			stored, err := h.Hash(ctx, "hunter2")
			if err != nil {
				t.Fatal(err)
			}
			v := newHasher(t, Config{Pepper: tt.verify, Serverpod24Format: format24})
			got, err := v.Verify(ctx, "hunter2", "", stored)
			if err != nil || got != tt.want {
				t.Errorf("2.4 format %v, %s: Verify = %v, %v; want %v", format24, tt.name, got, err, tt.want)
			}
		}
	}
	// 2.4's migrated form takes the pepper too.
	for _, tt := range []struct {
		wrapped, verify string
		want            bool
	}{{"pepper", "pepper", true}, {"pepper", "other", false}, {"pepper", "", false}, {"", "pepper", false}} {
		stored, err := newHasher(t, Config{Pepper: tt.wrapped, NoLegacyEmailSalt: true}).WrapLegacy(ctx, vecLegacyHunter2)
		if err != nil {
			t.Fatal(err)
		}
		got, err := newHasher(t, Config{Pepper: tt.verify, NoLegacyEmailSalt: true}).Verify(ctx, "hunter2", "", stored)
		if err != nil || got != tt.want {
			t.Errorf("migratedLegacy pepper %q/%q: Verify = %v, %v; want %v", tt.wrapped, tt.verify, got, err, tt.want)
		}
	}
}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)

// TestHashProductionCost hashes once at DefaultCost and checks the PHC
// string against golang.org/x/crypto/argon2, an independent implementation.
func TestHashProductionCost(t *testing.T) {
	ctx := context.Background()
	h, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	m := phcPattern.FindStringSubmatch(stored)
	if m == nil || m[1] != "19456" || m[2] != "2" || m[3] != "1" {
		t.Fatalf("hash %q is not PHC at m=19456,t=2,p=1", stored)
	}
	salt, _ := base64.RawStdEncoding.DecodeString(m[4])
	key, _ := base64.RawStdEncoding.DecodeString(m[5])
	want := xargon2.IDKey([]byte("correct horse battery staple"), salt, 2, 19456, 1, 32)
	if string(key) != string(want) {
		t.Errorf("PHC hash differs from x/crypto's Argon2id")
	}
	if ok, err := h.Verify(ctx, "correct horse battery staple", "", stored); !ok || err != nil {
		t.Errorf("Verify = %v, %v", ok, err)
	}
	if h.NeedsRehash(stored) {
		t.Errorf("a fresh hash needs a rehash")
	}
}

// TestCostsShareMemory runs hashes of 2.4's cost and of the production
// cost through one Hasher, whose pool hands the work area of one to the
// next, and checks each against its reference.
func TestCostsShareMemory(t *testing.T) {
	ctx := context.Background()
	h, err := New(Config{NoLegacyEmailSalt: true, MaxConcurrent: 1})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := h.Hash(ctx, "hunter2")
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range []struct {
		password, stored string
		want             bool
	}{
		{"hunter2", vecStoredArgon2, true},
		{"hunter2", stored, true},
		{"hunter2", vecStoredMigrated, true},
		{"hunter3", stored, false},
		{"hunter3", vecStoredArgon2, false},
	} {
		if ok, err := h.Verify(ctx, tt.password, "", tt.stored); ok != tt.want || err != nil {
			t.Errorf("%d: Verify(%s, %.20s) = %v, %v; want %v", i, tt.password, tt.stored, ok, err, tt.want)
		}
	}
}

func TestHashIsSaltedAndVerifies(t *testing.T) {
	ctx := context.Background()
	for _, format24 := range []bool{false, true} {
		h := newHasher(t, Config{Serverpod24Format: format24, Pepper: "pepper"})
		a, err := h.Hash(ctx, "hunter2")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := h.Hash(ctx, "hunter2")
		if a == b {
			t.Errorf("two hashes of one password are equal: %s", a)
		}
		wantFormat := PHC
		if format24 {
			wantFormat = Argon2id24
		}
		if f := Identify(a); f != wantFormat {
			t.Errorf("Identify(%s) = %v, want %v", a, f, wantFormat)
		}
		for _, tt := range []struct {
			password string
			want     bool
		}{{"hunter2", true}, {"hunter3", false}, {" hunter2", false}, {"", false}} {
			if got, err := h.Verify(ctx, tt.password, "", a); err != nil || got != tt.want {
				t.Errorf("format24=%v Verify(%q) = %v, %v; want %v", format24, tt.password, got, err, tt.want)
			}
		}
		// A changed salt must not verify.
		parts := strings.Split(a, "$")
		parts[len(parts)-2] = strings.Repeat("A", len(parts[len(parts)-2]))
		if got, _ := h.Verify(ctx, "hunter2", "", strings.Join(parts, "$")); got {
			t.Errorf("format24=%v: hash with a replaced salt verifies", format24)
		}
	}
}

func TestWrapLegacy(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Config{NoLegacyEmailSalt: true})
	stored, err := h.WrapLegacy(ctx, vecLegacyHunter2)
	if err != nil {
		t.Fatal(err)
	}
	if Identify(stored) != MigratedLegacy {
		t.Fatalf("WrapLegacy = %s", stored)
	}
	if ok, err := h.Verify(ctx, "hunter2", "x@y.z", stored); !ok || err != nil {
		t.Errorf("Verify = %v, %v", ok, err)
	}
	if ok, _ := h.Verify(ctx, "hunter3", "x@y.z", stored); ok {
		t.Errorf("wrong password verifies")
	}
	if _, err := h.WrapLegacy(ctx, "not a legacy hash"); !errors.Is(err, ErrMalformedHash) {
		t.Errorf("WrapLegacy(garbage) err = %v", err)
	}
}

func TestIdentify(t *testing.T) {
	tests := []struct {
		stored string
		want   Format
	}{
		{vecLegacyHunter2, Legacy},
		{"", Legacy},
		{vecStoredArgon2, Argon2id24},
		{vecStoredMigrated, MigratedLegacy},
		{"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA", PHC},
		{"$invalid$password$hash", Unknown},
		{"$argon2id$a$b$c", Unknown},
		{"$migratedLegacy$a$b$c$d$e", Unknown},
		{"$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", Unknown},
	}
	for _, tt := range tests {
		if got := Identify(tt.stored); got != tt.want {
			t.Errorf("Identify(%.30q) = %v, want %v", tt.stored, got, tt.want)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	h := newHasher(t, Config{})
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct{ name, stored string }{
		{"unknown algorithm", "$invalid$password$hash"},
		{"too many fields", "$argon2id$a$b$c"},
		{"short legacy", "0713234b"},
		{"uppercase legacy", strings.ToUpper(vecLegacyHunter2)},
		{"PHC version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"PHC parameters out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"PHC missing parameter", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key},
		{"PHC leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key},
		{"PHC negative", "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key},
		{"PHC memory above the limit", "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key},
		{"PHC too many passes", "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key},
		{"PHC too many lanes", "$argon2id$v=19$m=8192,t=1,p=200$" + salt + "$" + key},
		{"PHC too little memory", "$argon2id$v=19$m=4,t=1,p=1$" + salt + "$" + key},
		{"PHC zero passes", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"PHC padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"PHC bad base64 hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$!!!!"},
		{"PHC short hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := h.Verify(context.Background(), "hunter2", "", tt.stored)
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Errorf("Verify = %v, %v; want false, ErrMalformedHash", ok, err)
			}
			if !h.NeedsRehash(tt.stored) {
				t.Errorf("NeedsRehash = false for a malformed hash")
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, Config{})
	current, err := h.Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	cheaper, _ := newHasher(t, Config{Cost: Cost{Memory: 32, Time: 1, Threads: 1}}).Hash(ctx, "pw")
	dearer, _ := newHasher(t, Config{Cost: Cost{Memory: 64, Time: 2, Threads: 1}}).Hash(ctx, "pw")
	twoLanes, _ := newHasher(t, Config{Cost: Cost{Memory: 64, Time: 1, Threads: 2}}).Hash(ctx, "pw")
	shortKey := "$argon2id$v=19$m=64,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(make([]byte, 16)) + "$" + base64.RawStdEncoding.EncodeToString(make([]byte, 16))
	shortSalt := "$argon2id$v=19$m=64,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(make([]byte, 8)) + "$" + base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	h24 := newHasher(t, Config{Serverpod24Format: true})
	tests := []struct {
		name   string
		h      *Hasher
		stored string
		want   bool
	}{
		{"current PHC", h, current, false},
		{"cheaper PHC", h, cheaper, true},
		{"dearer PHC", h, dearer, true},
		{"other lane count", h, twoLanes, true},
		{"short key", h, shortKey, true},
		{"short salt", h, shortSalt, true},
		{"legacy", h, vecLegacyHunter2, true},
		{"2.4 argon2id", h, vecStoredArgon2, true},
		{"migratedLegacy", h, vecStoredMigrated, true},
		{"2.4 format: 2.4 argon2id is current", h24, vecStoredArgon2, false},
		{"2.4 format: PHC", h24, current, true},
		{"2.4 format: legacy", h24, vecLegacyHunter2, true},
		{"2.4 format: migratedLegacy", h24, vecStoredMigrated, true},
	}
	for _, tt := range tests {
		if got := tt.h.NeedsRehash(tt.stored); got != tt.want {
			t.Errorf("%s: NeedsRehash = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestContextAndConcurrencyCap(t *testing.T) {
	h := newHasher(t, Config{MaxConcurrent: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
		// The semaphore has room, so the hash may run; then it must succeed.
		if err != nil {
			t.Fatalf("Hash with cancelled context: %v", err)
		}
	}
	h.sem <- struct{}{} // occupy the only slot
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash while the cap is reached and the context is cancelled: err = %v", err)
	}
	<-h.sem
	if _, err := h.Hash(context.Background(), "pw"); err != nil {
		t.Errorf("Hash after the slot is freed: %v", err)
	}

	unlimited := newHasher(t, Config{})
	if _, err := unlimited.Verify(ctx, "pw", "", vecStoredArgon2); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a cancelled context: err = %v", err)
	}
	if _, err := New(Config{MaxConcurrent: -1}); err == nil {
		t.Errorf("New accepted MaxConcurrent -1")
	}
	if _, err := New(Config{Cost: Cost{Memory: 4, Time: 1, Threads: 1}}); err == nil {
		t.Errorf("New accepted 4 KiB of memory")
	}
}

func TestPolicy(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"1234567", false},
		{"12345678", true},
		{strings.Repeat("x", 128), true},
		{strings.Repeat("x", 129), false},
		{"ééééééé", false},               // 7 UTF-16 units, 14 bytes
		{"🔑🔑🔑🔑", true},                   // 8 UTF-16 units (surrogate pairs)
		{strings.Repeat("🔑", 65), false}, // 130 units
		{"  pw  pw", true},               // spaces count; nothing is trimmed
	}
	for _, tt := range tests {
		if err := DefaultPolicy.Check(tt.password); (err == nil) != tt.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", tt.password, err, tt.ok)
		}
	}
}

func TestVerifyAbsentRuns(t *testing.T) {
	// VerifyAbsent has no result; this only guards against a panic in
	// either output format.
	for _, f := range []bool{false, true} {
		newHasher(t, Config{Serverpod24Format: f}).VerifyAbsent(context.Background(), "pw")
	}
}

func BenchmarkHashPHC(b *testing.B) {
	h, err := New(Config{Pepper: "pepper"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	h, err := New(Config{Pepper: "pepper", NoLegacyEmailSalt: true})
	if err != nil {
		b.Fatal(err)
	}
	phc, err := h.Hash(ctx, "hunter2")
	if err != nil {
		b.Fatal(err)
	}
	noPepper, _ := New(Config{NoLegacyEmailSalt: true})
	for _, bc := range []struct {
		name   string
		h      *Hasher
		stored string
	}{
		{"phc-m19456-t2-p1", h, phc},
		{"argon2id-2.4", noPepper, vecStoredArgon2},
		{"migratedLegacy-2.4", noPepper, vecStoredMigrated},
		{"legacy-2.4", noPepper, vecLegacyHunter2},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if ok, err := bc.h.Verify(ctx, "hunter2", "", bc.stored); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// BenchmarkVerifyVsXCrypto verifies a production-cost PHC hash with a
// pepper and runs x/crypto's IDKey at the same cost in alternating
// rounds, GOMAXPROCS at a time, under the cap the auth module sets:
//
//	go test -run '^$' -bench VerifyVsXCrypto -benchtime 12x ./modules/auth/internal/password
func BenchmarkVerifyVsXCrypto(b *testing.B) {
	ctx := context.Background()
	workers := runtime.GOMAXPROCS(0)
	h, err := New(Config{Pepper: "pepper", MaxConcurrent: 2 * workers})
	if err != nil {
		b.Fatal(err)
	}
	stored, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	salt := make([]byte, phcSaltLen)
	c := DefaultCost
	sidebyside.Rounds{
		Subject: sidebyside.Side{Workers: workers, Op: func() error {
			if ok, err := h.Verify(ctx, "correct horse battery staple", "", stored); !ok || err != nil {
				return fmt.Errorf("verify: %v, %v", ok, err)
			}
			return nil
		}},
		Baseline: sidebyside.Side{Workers: workers, Op: func() error {
			xargon2.IDKey([]byte("correct horse battery staple"), salt, c.Time, c.Memory, c.Threads, phcKeyLen)
			return nil
		}},
		Ops: 8 * workers,
	}.Run(b, "verifies", "x-crypto-hashes")
}
