package argon2

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gopod/gopod/modules/auth/internal/sidebyside"
	xargon2 "golang.org/x/crypto/argon2"
)

// TestRFC9106Vector checks the Argon2id test vector of RFC 9106 §5.3, the
// only published vector that uses a secret and associated data, through
// the exported API, with and without a pool, on every block function this
// machine has.
func TestRFC9106Vector(t *testing.T) {
	const want = "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
	forEachBlockFunction(t, func(t *testing.T) {
		for _, pool := range []*Pool{nil, NewPool(1, 32), dirtyPool(64)} {
			for range 2 { // the second hash reuses the area
				got, err := pool.IDKey(
					bytes.Repeat([]byte{0x01}, 32),
					bytes.Repeat([]byte{0x02}, 16),
					bytes.Repeat([]byte{0x03}, 8),
					bytes.Repeat([]byte{0x04}, 12),
					Params{Time: 3, Memory: 32, Threads: 4, KeyLen: 32},
				)
				if err != nil {
					t.Fatal(err)
				}
				if hex.EncodeToString(got) != want {
					t.Errorf("tag = %x, want %s", got, want)
				}
			}
		}
	})
}

// forEachBlockFunction runs f with the assembly block function, if this
// machine has one, and with the generic one.
func forEachBlockFunction(t *testing.T, f func(t *testing.T)) {
	defer func(sse4, lsx bool) { useSSE4, useLSX = sse4, lsx }(useSSE4, useLSX)
	if useSSE4 || useLSX {
		t.Run("assembly", f)
	}
	useSSE4, useLSX = false, false
	t.Run("generic", f)
}

// dirtyPool returns a pool holding one work area of blocks blocks filled
// with garbage, to show that no hash reads memory it has not written.
func dirtyPool(blocks uint32) *Pool {
	p := NewPool(1, blocks)
	area := make([]block, blocks)
	for i := range area {
		for j := range area[i] {
			area[i][j] = 0xdeadbeefcafef00d ^ uint64(i*blockLength+j)
		}
	}
	p.put(area)
	return p
}

// TestMatchesXCrypto compares with golang.org/x/crypto/argon2.IDKey, which
// has no secret: with an empty secret and no associated data both must agree
// for any parameters, including Serverpod 2.4's 256-byte output, with
// fresh, reused and dirty memory.
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
	shared := dirtyPool(4096) // smaller than some costs: those replace it
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.params
			want := xargon2.IDKey([]byte(tt.password), []byte(tt.salt), p.Time, p.Memory, p.Threads, p.KeyLen)
			for _, pool := range []*Pool{nil, shared, dirtyPool(p.Memory), shared} {
				for _, secret := range [][]byte{nil, {}} {
					got, err := pool.IDKey([]byte(tt.password), []byte(tt.salt), secret, []byte{}, p)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("IDKey = %x\nx/crypto = %x", got, want)
					}
				}
			}
		})
	}
}

// TestSecretAndDataChangeTheTag guards against K or X being ignored.
func TestSecretAndDataChangeTheTag(t *testing.T) {
	p := Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 32}
	pw, salt := []byte("hunter2"), []byte("saltsalt")
	var pool *Pool
	base, err := pool.IDKey(pw, salt, nil, nil, p)
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
		got, err := pool.IDKey(pw, salt, in[0], in[1], p)
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
			_, err := NewPool(1, 64).IDKey([]byte("pw"), []byte("saltsalt"), nil, nil, tt.params)
			if !errors.Is(err, ErrInvalidParams) {
				t.Fatalf("err = %v, want ErrInvalidParams", err)
			}
		})
	}
}

// TestPoolKeepsAreas checks which work areas the pool keeps and that a
// warm pool's hashes allocate no work area.
func TestPoolKeepsAreas(t *testing.T) {
	hash := func(pool *Pool, memory uint32) {
		t.Helper()
		if _, err := pool.IDKey([]byte("pw"), []byte("saltsalt"), []byte("pepper"), nil, Params{Time: 1, Memory: memory, Threads: 1, KeyLen: 32}); err != nil {
			t.Fatal(err)
		}
	}
	// kept takes the pool's areas out, reports their sizes and puts them back.
	kept := func(pool *Pool) []int {
		var sizes []int
		var areas [][]block
		for len(pool.free) > 0 {
			a := <-pool.free
			sizes, areas = append(sizes, cap(a)), append(areas, a)
		}
		for _, a := range areas {
			pool.put(a)
		}
		return sizes
	}
	tests := []struct {
		name    string
		n       int
		max     uint32
		hashes  []uint32
		want    []int
		samePtr bool
	}{
		{"one area reused", 1, 1024, []uint32{1024, 1024, 1024}, []int{1024}, true},
		{"a smaller cost reuses a larger area", 1, 1024, []uint32{1024, 64}, []int{1024}, true},
		{"a larger cost replaces a smaller area", 1, 1024, []uint32{64, 1024}, []int{1024}, false},
		{"areas above the maximum are not kept", 1, 512, []uint32{1024}, nil, false},
		{"no room", 0, 1024, []uint32{64}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := NewPool(tt.n, tt.max)
			var first *block
			for i, m := range tt.hashes {
				hash(pool, m)
				if i == 0 && len(pool.free) == 1 {
					a := <-pool.free
					first = &a[0]
					pool.put(a)
				}
			}
			if got := kept(pool); !slices.Equal(got, tt.want) {
				t.Fatalf("pool keeps areas of %v blocks, want %v", got, tt.want)
			}
			if tt.samePtr {
				a := <-pool.free
				if &a[0] != first {
					t.Errorf("the pool holds another area than the first hash's")
				}
			}
		})
	}

	// A warm pool's hash allocates a few hundred bytes, not 4 MiB.
	pool := NewPool(1, 4096)
	hash(pool, 4096)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 3 {
		hash(pool, 4096)
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("3 hashes from a warm pool allocated %d bytes", d)
	}
}

// TestPoolConcurrent shares a pool smaller than the number of hashes in
// flight, as a burst of sign-ins does; run with -race.
func TestPoolConcurrent(t *testing.T) {
	pool := NewPool(2, 256)
	p := Params{Time: 2, Memory: 256, Threads: 2, KeyLen: 32}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 3 {
				pw := []byte{byte(g), byte(i)}
				want := xargon2.IDKey(pw, []byte("saltsalt"), p.Time, p.Memory, p.Threads, p.KeyLen)
				got, err := pool.IDKey(pw, []byte("saltsalt"), nil, nil, p)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("goroutine %d, hash %d: %x, %v; want %x", g, i, got, err, want)
				}
			}
		})
	}
	wg.Wait()
}

// upstreamVersion is the golang.org/x/crypto release this package was
// copied from, and upstreamSums the SHA-256 of its files that were
// changed here, as published in it.
const upstreamVersion = "v0.59.0"

var upstreamSums = map[string]string{
	"argon2.go":      "3675c69f8a2efbd5ae4d35d00f5679113b50ec32f3fe6482c669ef7b401a38d5",
	"argon2_test.go": "3c5d683e91556a09a1cfc5874134dd377fab6bc06621f1a55ebb1f4847b43e45",
}

// TestUpstreamFiles compares the copy with the x/crypto that go.mod
// requires: the files kept verbatim must be identical, and the files
// changed here must be unchanged upstream since upstreamVersion. When
// go.mod moves to an x/crypto whose argon2 differs, this test names the
// files to bring over (see the package comment).
func TestUpstreamFiles(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goTool, "list", "-m", "-f", "{{.Dir}} {{.Version}}", "golang.org/x/crypto").Output()
	if err != nil {
		t.Fatalf("locating golang.org/x/crypto: %v", err)
	}
	dir, version, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	root := dir
	dir = filepath.Join(dir, "argon2")
	local, err := filepath.Glob("blamka_*")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(local, "blake2b.go", "LICENSE", "PATENTS") {
		ours, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if name == "LICENSE" || name == "PATENTS" {
			path = filepath.Join(root, name)
		}
		theirs, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(ours, theirs) {
			t.Errorf("%s differs from golang.org/x/crypto %s's", name, version)
		}
	}
	for name, want := range upstreamSums {
		theirs, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if sum := sha256.Sum256(theirs); hex.EncodeToString(sum[:]) != want {
			t.Errorf("golang.org/x/crypto %s changed argon2/%s since %s: port the change", version, name, upstreamVersion)
		}
	}
	upstream, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range upstream {
		if _, err := os.Stat(filepath.Base(path)); err != nil {
			t.Errorf("golang.org/x/crypto %s has argon2/%s, which this copy lacks", version, filepath.Base(path))
		}
	}
}

// BenchmarkIDKey compares hashes with a secret, from a warm pool and
// from fresh memory, with x/crypto's IDKey at the same cost, one hash at
// a time and GOMAXPROCS at a time, in alternating rounds:
//
//	go test -run '^$' -bench IDKey -benchtime 12x ./modules/auth/internal/argon2
func BenchmarkIDKey(b *testing.B) {
	pw, salt, pepper := []byte("correct horse battery staple"), []byte("0123456789abcdef"), []byte("pepper")
	for _, bc := range []struct {
		name string
		p    Params
	}{
		{"m=19456,t=2,p=1", Params{Time: 2, Memory: 19456, Threads: 1, KeyLen: 32}},
		{"m=4096,t=3,p=1,out=256", Params{Time: 3, Memory: 4096, Threads: 1, KeyLen: 256}},
	} {
		xcrypto := func() error {
			xargon2.IDKey(pw, salt, bc.p.Time, bc.p.Memory, bc.p.Threads, bc.p.KeyLen)
			return nil
		}
		for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
			for _, memory := range []string{"pool", "fresh"} {
				var pool *Pool
				if memory == "pool" {
					pool = NewPool(workers, bc.p.Memory)
				}
				gopod := func() error {
					_, err := pool.IDKey(pw, salt, pepper, nil, bc.p)
					return err
				}
				b.Run(fmt.Sprintf("%s/%s/workers=%d", bc.name, memory, workers), func(b *testing.B) {
					sidebyside.Rounds{
						Subject:  sidebyside.Side{Op: gopod, Workers: workers},
						Baseline: sidebyside.Side{Op: xcrypto, Workers: workers},
						Ops:      8 * workers,
					}.Run(b, "hashes", "x-crypto-hashes")
				})
			}
		}
	}
}
