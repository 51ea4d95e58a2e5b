package codes

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	for _, n := range []int{MinLength, DefaultLength, 12, MaxLength} {
		seen := map[string]bool{}
		for range 200 {
			c, err := Generate(n)
			if err != nil {
				t.Fatal(err)
			}
			if len(c) != n || !IsPlaintext(c) {
				t.Fatalf("Generate(%d) = %q", n, c)
			}
			if n >= DefaultLength && seen[c] {
				t.Fatalf("Generate(%d) repeated %q", n, c)
			}
			seen[c] = true
		}
	}
	for _, n := range []int{-1, 0, 3, MaxLength + 1} {
		if _, err := Generate(n); err == nil {
			t.Errorf("Generate(%d) succeeded", n)
		}
	}
}

// TestGenerateIsUniform draws 62×2000 characters and checks each symbol's
// count with a chi-squared test at a significance far beyond chance
// (p ≈ 1e-6), so that a biased or truncated alphabet fails and a fair one
// passes except with negligible probability.
func TestGenerateIsUniform(t *testing.T) {
	const perSymbol = 2000
	counts := map[byte]int{}
	total := 0
	for total < perSymbol*len(Alphabet) {
		c, err := Generate(MaxLength)
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(c) {
			counts[c[i]]++
		}
		total += len(c)
	}
	if len(counts) != len(Alphabet) {
		t.Fatalf("%d distinct symbols, want %d", len(counts), len(Alphabet))
	}
	expected := float64(total) / float64(len(Alphabet))
	chi2 := 0.0
	for _, n := range counts {
		chi2 += math.Pow(float64(n)-expected, 2) / expected
	}
	// 61 degrees of freedom: the 1 − 1e-6 quantile is about 125.
	if chi2 > 125 {
		t.Errorf("chi-squared = %.1f over 61 degrees of freedom: the symbols are not uniform", chi2)
	}
}

func newHasher(t *testing.T, plaintext bool) *Hasher {
	t.Helper()
	h, err := New(Config{Secret: "0123456789abcdef0123456789abcdef", AcceptPlaintext: plaintext})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashAndVerify(t *testing.T) {
	h := newHasher(t, false)
	other, _ := New(Config{Secret: "another server secret, 32 bytes."})
	const code = "AbCd1234"
	stored := h.Hash(AccountVerification, "a@example.com", code)
	if !strings.HasPrefix(stored, "$hmac-sha256$") || strings.Contains(stored, code) || IsPlaintext(stored) {
		t.Fatalf("stored = %q", stored)
	}
	tests := []struct {
		name    string
		h       *Hasher
		p       Purpose
		subject string
		code    string
		want    bool
	}{
		{"match", h, AccountVerification, "a@example.com", code, true},
		{"other purpose", h, PasswordReset, "a@example.com", code, false},
		{"other subject", h, AccountVerification, "b@example.com", code, false},
		{"other code", h, AccountVerification, "a@example.com", "AbCd1235", false},
		{"case matters", h, AccountVerification, "a@example.com", "abcd1234", false},
		{"surrounding space", h, AccountVerification, "a@example.com", " AbCd1234", false},
		{"other secret", other, AccountVerification, "a@example.com", code, false},
	}
	for _, tt := range tests {
		if got := tt.h.Verify(tt.p, tt.subject, tt.code, stored); got != tt.want {
			t.Errorf("%s: Verify = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Deterministic, so a reset row can be found by the hash of its code.
	if h.Hash(PasswordReset, "", code) != h.Hash(PasswordReset, "", code) {
		t.Errorf("Hash is not deterministic")
	}
	// The subject's length is part of the input: moving characters between
	// subject and code changes the hash.
	if h.Hash(AccountVerification, "ab", "cdef") == h.Hash(AccountVerification, "abc", "def") {
		t.Errorf("subject and code run into each other")
	}
}

// TestHashIsHMAC recomputes one stored value with crypto/hmac directly, so
// that the stored format is pinned.
func TestHashIsHMAC(t *testing.T) {
	h := newHasher(t, false)
	m := hmac.New(sha256.New, []byte("0123456789abcdef0123456789abcdef"))
	m.Write([]byte("password-reset\x000:AbCd1234"))
	want := "$hmac-sha256$" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	if got := h.Hash(PasswordReset, "", "AbCd1234"); got != want {
		t.Errorf("Hash = %s, want %s", got, want)
	}
}

func TestPlaintextRows(t *testing.T) {
	strict, lenient := newHasher(t, false), newHasher(t, true)
	tests := []struct {
		name         string
		code, stored string
		lenient      bool
	}{
		{"2.4 row", "AbCd1234", "AbCd1234", true},
		{"2.4 row, wrong code", "AbCd1235", "AbCd1234", false},
		{"2.4 row, prefix of code", "AbCd", "AbCd1234", false},
		{"not a code", "ab$", "ab$", false},
		{"too short", "Ab1", "Ab1", false},
		{"empty", "", "", false},
		{"broken hash", "AbCd1234", "$hmac-sha256$!!", false},
	}
	for _, tt := range tests {
		if strict.Verify(PasswordReset, "", tt.code, tt.stored) {
			t.Errorf("%s: strict Verify = true", tt.name)
		}
		if got := lenient.Verify(PasswordReset, "", tt.code, tt.stored); got != tt.lenient {
			t.Errorf("%s: lenient Verify = %v, want %v", tt.name, got, tt.lenient)
		}
	}
}

// TestStoredValueIsNoCode: a stored hash, sent back as the code, matches
// neither itself nor the code it hashes.
func TestStoredValueIsNoCode(t *testing.T) {
	h := newHasher(t, true)
	stored := h.Hash(PasswordReset, "", "AbCd1234")
	if IsPlaintext(stored) || h.Verify(PasswordReset, "", stored, stored) {
		t.Error("the stored hash is accepted as a code")
	}
}

// TestLookup: codes with the same first half find the same reset; the
// value reveals nothing without the secret and is not the code's hash.
func TestLookup(t *testing.T) {
	h, other := newHasher(t, false), newHasher(t, false)
	other.key = []byte("another secret of sixteen bytes")
	if h.Lookup("AbCd1234") != h.Lookup("AbCdzzzz") {
		t.Error("codes sharing their first half have different lookups")
	}
	if h.Lookup("AbCd1234") == h.Lookup("zbCd1234") {
		t.Error("the first half does not change the lookup")
	}
	if h.Lookup("AbCd1234") == other.Lookup("AbCd1234") || h.Lookup("AbCd1234") == h.Hash(PasswordReset, "", "AbCd1234") {
		t.Error("the lookup is not keyed apart from the code's hash")
	}
	if h.Lookup("AbCde") != h.Lookup("AbXyz") {
		t.Error("an odd-length code's lookup uses more than its shorter half")
	}
}

func TestShortSecret(t *testing.T) {
	if _, err := New(Config{Secret: "short"}); !errors.Is(err, ErrShortSecret) {
		t.Errorf("New(short secret) err = %v", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	h, _ := New(Config{Secret: "0123456789abcdef0123456789abcdef"})
	stored := h.Hash(PasswordReset, "", "AbCd1234")
	for b.Loop() {
		if !h.Verify(PasswordReset, "", "AbCd1234", stored) {
			b.Fatal("no match")
		}
	}
}
