package auth_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image/color"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
)

// bombPNG writes a w×h PNG of 16-bit RGBA pixels (8 bytes each once
// decoded), all zero, so that it compresses to a few hundred kilobytes.
// The rows are streamed through zlib: the test never holds the pixels.
// (zlib's best compression makes the 6300×6300 bomb 308 KB, as in the
// review, but takes seconds; its fastest makes it 385 KB.)
func bombPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var idat bytes.Buffer
	z, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]byte, 1+8*w) // filter byte 0, then the pixels
	for range h {
		if _, err := z.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		out.Write(n[:])
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		out.WriteString(kind)
		out.Write(data)
		binary.BigEndian.PutUint32(n[:], crc.Sum32())
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6 // 16 bits per sample, RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// allocated is how many bytes the process has allocated on the heap so
// far. Its growth over a call bounds what the call held at its peak from
// above, whatever the garbage collector did meanwhile.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestImageBombs replays finding 6: small PNGs that decode to hundreds of
// megabytes. The server's memory over each upload is measured: what it
// allocated in all, which bounds its peak.
func TestImageBombs(t *testing.T) {
	const budget = 64 << 20
	e := newEnv(t, func(c *auth.Config) { c.UserImageSize = 128 })
	email := newEmail("bomb")
	e.signUp(e.client(), "b", email, "bomb-password")
	me := e.signedInClient(e.signIn(e.client(), email, "bomb-password"))

	for _, tt := range []struct {
		name string
		w, h int
		ok   bool
	}{
		// The review's bomb: 6300×6300 16-bit, 317 MB decoded.
		{"6300x6300 16-bit", 6300, 6300, false},
		// Within the pixel cap but 96 MB decoded: over the byte budget.
		{"4000x3000 16-bit", 4000, 3000, false},
		// 32 MB decoded: accepted, and within the budget while decoding.
		{"2000x2000 16-bit", 2000, 2000, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img := bombPNG(t, tt.w, tt.h)
			runtime.GC()
			before := allocated()
			ok, err := me.User.SetUserImage(ctx, img)
			used := allocated() - before
			if err != nil || ok != tt.ok {
				t.Fatalf("setUserImage(%d bytes) = %v, %v; want %v", len(img), ok, err, tt.ok)
			}
			t.Logf("%d-byte PNG: %.1f MiB allocated by the server", len(img), float64(used)/(1<<20))
			limit := uint64(budget)
			if !tt.ok {
				// Refused from the header: nothing near the pixels' size.
				limit = 16 << 20
			}
			if used > limit {
				t.Errorf("the upload allocated %.1f MiB; the budget is %.0f MiB", float64(used)/(1<<20), float64(limit)/(1<<20))
			}
		})
	}
}

// TestUploadsPerUser: the user's turn is taken before decoding, so while
// one upload of a user is being decoded, the same user's next one is
// refused without being decoded; another user's is not held up by it.
func TestUploadsPerUser(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.UserImageSize = 32 })
	started, release := make(chan struct{}, 4), make(chan struct{})
	e.module.HoldDecodes(started, release)
	user := func(name string) *authclient.Caller {
		email := newEmail(name)
		e.signUp(e.client(), name, email, name+"-password")
		return e.signedInClient(e.signIn(e.client(), email, name+"-password"))
	}
	ann, bob := user("ann"), user("bob")
	img := pngBytes(t, 40, 40, color.RGBA{1, 2, 3, 255})
	done := make(chan bool, 2)
	upload := func(c *authclient.Caller) {
		ok, err := c.User.SetUserImage(ctx, img)
		if err != nil {
			t.Error(err)
		}
		done <- ok
	}
	go upload(ann)
	<-started
	if ok, err := ann.User.SetUserImage(ctx, img); err != nil || ok {
		t.Errorf("a second upload while the first decodes = %v, %v; want false", ok, err)
	}
	go upload(bob)
	<-started
	close(release)
	if !<-done || !<-done {
		t.Error("the held uploads failed")
	}
	if len(started) != 0 {
		t.Error("the refused upload was decoded")
	}
}
