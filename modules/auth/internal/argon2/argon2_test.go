package argon2

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	xargon2 "golang.org/x/crypto/argon2"
)

// TestRFC9106Vector checks the Argon2id test vector of RFC 9106 §5.3, the
// only published vector that uses a secret and associated data.
func TestRFC9106Vector(t *testing.T) {
	got, err := IDKey(
		bytes.Repeat([]byte{0x01}, 32),
		bytes.Repeat([]byte{0x02}, 16),
		bytes.Repeat([]byte{0x03}, 8),
		bytes.Repeat([]byte{0x04}, 12),
		Params{Time: 3, Memory: 32, Threads: 4, KeyLen: 32},
	)
	if err != nil {
		t.Fatal(err)
	}
	const want = "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
	if hex.EncodeToString(got) != want {
		t.Errorf("tag = %x, want %s", got, want)
	}
}

// TestMatchesXCrypto compares with golang.org/x/crypto/argon2.IDKey, which
// has no secret: with an empty secret and no associated data both must agree
// for any parameters, including Serverpod 2.4's 256-byte output.
func TestMatchesXCrypto(t *testing.T) {
	tests := []struct {
		name     string
		password string
		salt     string
		params   Params
	}{
		{"minimum memory", "password", "somesalt", Params{Time: 1, Memory: 8, Threads: 1, KeyLen: 32}},
		{"short key", "password", "somesalt", Params{Time: 2, Memory: 64, Threads: 1, KeyLen: 4}},
		{"64-byte key", "password", "somesalt", Params{Time: 2, Memory: 64, Threads: 1, KeyLen: 64}},
		{"65-byte key", "password", "somesalt", Params{Time: 2, Memory: 64, Threads: 1, KeyLen: 65}},
		{"serverpod 2.4 cost", "hunter2", "c2FsdHlTYWx0", Params{Time: 3, Memory: 4096, Threads: 1, KeyLen: 256}},
		{"memory not a multiple of 4p", "pw", "0123456789abcdef", Params{Time: 2, Memory: 103, Threads: 3, KeyLen: 32}},
		{"four lanes", "correct horse battery staple", "saltsaltsalt", Params{Time: 3, Memory: 256, Threads: 4, KeyLen: 32}},
		{"more than 128 blocks per segment", "pw", "saltsalt", Params{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32}},
		{"many lanes", "pw", "saltsalt", Params{Time: 2, Memory: 2048, Threads: 7, KeyLen: 100}},
		{"empty password", "", "saltsalt", Params{Time: 2, Memory: 32, Threads: 2, KeyLen: 1024}},
		{"empty salt", "pw", "", Params{Time: 1, Memory: 16, Threads: 1, KeyLen: 16}},
		{"production cost", "hunter2", "0123456789abcdef", Params{Time: 2, Memory: 19456, Threads: 1, KeyLen: 32}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params
			want := xargon2.IDKey([]byte(tt.password), []byte(tt.salt), p.Time, p.Memory, p.Threads, p.KeyLen)
			for _, secret := range [][]byte{nil, {}} {
				got, err := IDKey([]byte(tt.password), []byte(tt.salt), secret, nil, p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("IDKey = %x\nx/crypto = %x", got, want)
				}
			}
		})
	}
}

// TestSecretAndDataChangeTheTag guards against K or X being ignored.
func TestSecretAndDataChangeTheTag(t *testing.T) {
	p := Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 32}
	pw, salt := []byte("hunter2"), []byte("saltsalt")
	base, err := IDKey(pw, salt, nil, nil, p)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{hex.EncodeToString(base): "no secret, no data"}
	for name, in := range map[string][2][]byte{
		"secret":        {[]byte("pepper"), nil},
		"other secret":  {[]byte("Pepper"), nil},
		"data":          {nil, []byte("pepper")},
		"secret & data": {[]byte("pepper"), []byte("pepper")},
	} {
		got, err := IDKey(pw, salt, in[0], in[1], p)
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[hex.EncodeToString(got)]; dup {
			t.Errorf("%s gives the same tag as %s", name, other)
		}
		seen[hex.EncodeToString(got)] = name
	}
}

func TestInvalidParams(t *testing.T) {
	tests := []struct {
		name   string
		params Params
	}{
		{"zero time", Params{Time: 0, Memory: 64, Threads: 1, KeyLen: 32}},
		{"zero threads", Params{Time: 1, Memory: 64, Threads: 0, KeyLen: 32}},
		{"too little memory", Params{Time: 1, Memory: 7, Threads: 1, KeyLen: 32}},
		{"too little memory per thread", Params{Time: 1, Memory: 31, Threads: 4, KeyLen: 32}},
		{"key too short", Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := IDKey([]byte("pw"), []byte("saltsalt"), nil, nil, tt.params)
			if !errors.Is(err, ErrInvalidParams) {
				t.Fatalf("err = %v, want ErrInvalidParams", err)
			}
		})
	}
}

func BenchmarkIDKey(b *testing.B) {
	pw, salt := []byte("correct horse battery staple"), []byte("0123456789abcdef")
	for _, bc := range []struct {
		name string
		p    Params
	}{
		{"m=19456,t=2,p=1", Params{Time: 2, Memory: 19456, Threads: 1, KeyLen: 32}},
		{"m=4096,t=3,p=1,out=256", Params{Time: 3, Memory: 4096, Threads: 1, KeyLen: 256}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := IDKey(pw, salt, []byte("pepper"), nil, bc.p); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/x-crypto", func(b *testing.B) {
			for b.Loop() {
				xargon2.IDKey(pw, salt, bc.p.Time, bc.p.Memory, bc.p.Threads, bc.p.KeyLen)
			}
		})
	}
}
