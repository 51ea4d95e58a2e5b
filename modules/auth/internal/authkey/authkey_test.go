package authkey

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestHash(t *testing.T) {
	// sha256("salty" + "abc") and sha256("abc"), as coreutils sha256sum prints them.
	tests := []struct{ salt, secret, want string }{
		{"salty", "abc", "b144a12e2fb44dddda6eb38c43697e4125455290d2aa8ff1e34aa28f6c41e774"},
		{"", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		if got := Hash(tt.salt, tt.secret); got != tt.want {
			t.Errorf("Hash(%q, %q) = %s, want %s", tt.salt, tt.secret, got, tt.want)
		}
	}
}

var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`)

func TestIssueAndCheck(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		secret, hash, err := Issue(DefaultSalt)
		if err != nil {
			t.Fatal(err)
		}
		if !secretPattern.MatchString(secret) {
			t.Fatalf("secret %q is not 32 base64url characters", secret)
		}
		if seen[secret] {
			t.Fatalf("secret %q issued twice", secret)
		}
		seen[secret] = true
		if len(hash) != 64 || hash != strings.ToLower(hash) {
			t.Fatalf("hash %q is not 64 lowercase hex digits", hash)
		}
		if !Check(DefaultSalt, secret, hash) {
			t.Fatalf("Check rejects a fresh key")
		}
		if Check("other salt", secret, hash) {
			t.Fatalf("Check accepts another salt")
		}
		if Check(DefaultSalt, secret[:31], hash) || Check(DefaultSalt, secret+"x", hash) {
			t.Fatalf("Check accepts a changed secret")
		}
		if Check(DefaultSalt, secret, strings.ToUpper(hash)) || Check(DefaultSalt, secret, "") {
			t.Fatalf("Check accepts a different stored hash")
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		raw    string
		want   Key
		reject bool
	}{
		{raw: "1:abc", want: Key{ID: 1, Secret: "abc"}},
		{raw: "9223372036854775807:s3cr3t-_", want: Key{ID: 9223372036854775807, Secret: "s3cr3t-_"}},
		{raw: "42:" + strings.Repeat("k", 512), want: Key{ID: 42, Secret: strings.Repeat("k", 512)}},
		{raw: "", reject: true},
		{raw: "abc", reject: true},
		{raw: "12", reject: true},
		{raw: "12:", reject: true},
		{raw: ":abc", reject: true},
		{raw: "1:abc:extra", reject: true},
		{raw: "1:abc:", reject: true},
		{raw: "007:abc", reject: true},
		{raw: "0:abc", reject: true},
		{raw: "-1:abc", reject: true},
		{raw: "+7:abc", reject: true},
		{raw: " 7:abc", reject: true},
		{raw: "7 :abc", reject: true},
		{raw: "0x7:abc", reject: true},
		{raw: "9223372036854775808:abc", reject: true},
		{raw: "١:abc", reject: true}, // Arabic-Indic digit one
		{raw: "42:" + strings.Repeat("k", 513), reject: true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.raw)
		if tt.reject {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(%.40q) = %v, %v; want ErrMalformed", tt.raw, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%.40q) = %v, %v; want %v", tt.raw, got, err, tt.want)
		}
		if got.String() != tt.raw {
			t.Errorf("String() = %.40q, want %.40q", got.String(), tt.raw)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1:abc", "007:x", "1:a:b", "", ":", "12345678901234567890:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		k, err := Parse(raw)
		if err != nil {
			return
		}
		// Whatever parses is canonical: it prints back to the same text.
		if k.String() != raw || k.ID <= 0 || k.Secret == "" {
			t.Fatalf("Parse(%q) = %+v, which prints as %q", raw, k, k.String())
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	secret, hash, err := Issue(DefaultSalt)
	if err != nil {
		b.Fatal(err)
	}
	raw := Key{ID: 123456, Secret: secret}.String()
	b.ReportAllocs()
	for b.Loop() {
		k, err := Parse(raw)
		if err != nil || !Check(DefaultSalt, k.Secret, hash) {
			b.Fatal("check failed")
		}
	}
}

func BenchmarkIssue(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Issue(DefaultSalt); err != nil {
			b.Fatal(err)
		}
	}
}
