package avatar

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// filled is a w×h image of the given type with a little content, so that
// encoders do not collapse it entirely.
func filled(kind string, w, h int) image.Image {
	r := image.Rect(0, 0, w, h)
	var img interface {
		image.Image
		Set(x, y int, c color.Color)
	}
	switch kind {
	case "rgba":
		img = image.NewRGBA(r)
	case "rgba64":
		img = image.NewRGBA64(r)
	case "gray":
		img = image.NewGray(r)
	case "gray16":
		img = image.NewGray16(r)
	case "paletted":
		img = image.NewPaletted(r, color.Palette{color.Black, color.White})
	}
	for y := 0; y < h; y += 7 {
		for x := 0; x < w; x += 5 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	return img
}

// allocatedBy is how many bytes f allocated on the heap.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBudgetBoundsDecoding: for each kind of image Go's decoders produce,
// the estimate made from the header before decoding is at least what
// decoding and resizing then allocate.
func TestBudgetBoundsDecoding(t *testing.T) {
	for _, tt := range []struct {
		name, pixels, format string
		w, h, size           int
	}{
		{"png rgba", "rgba", "png", 800, 600, 256},
		{"png rgba64", "rgba64", "png", 700, 500, 256},
		{"png gray", "gray", "png", 1000, 1000, 64},
		{"png gray16", "gray16", "png", 600, 800, 256},
		{"png paletted", "paletted", "png", 1000, 700, 256},
		{"jpeg 4:2:0", "rgba", "jpeg", 1000, 750, 256},
		{"jpeg gray", "gray", "jpeg", 800, 800, 256},
		{"gif", "rgba", "gif", 800, 600, 256},
		{"no shrink", "rgba", "png", 700, 700, 256},
		{"large output", "rgba", "png", 1100, 1100, 512},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := encodeAs(t, filled(tt.pixels, tt.w, tt.h), tt.format)
			cfg, kind, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			estimate := decodedBytes(data, cfg, kind) + resizeBytes(cfg.Width, cfg.Height, tt.size)
			used := allocatedBy(func() {
				if _, err := decodeAndFit(data, tt.size, PNG, 0); err != nil {
					t.Fatal(err)
				}
			})
			if used > uint64(estimate) {
				t.Errorf("decoding allocated %d KiB, the estimate was %d KiB", used>>10, estimate>>10)
			}
		})
	}
}

// jpegHeader is the start of a JPEG up to its frame header: marker sof
// with the given components' sampling factors (h<<4 | v).
func jpegHeader(sof byte, w, h int, sampling ...byte) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00} // SOI, an APP0 of 2 bytes
	seg := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(sampling))}
	for i, s := range sampling {
		seg = append(seg, byte(i+1), s, 0)
	}
	n := len(seg) + 2
	return append(append(b, 0xFF, sof, byte(n>>8), byte(n)), seg...)
}

func TestJPEGLayout(t *testing.T) {
	const w, h = 1000, 1000
	cfg := image.Config{Width: w, Height: h}
	for _, tt := range []struct {
		name string
		data []byte
		want int64
	}{
		{"baseline 4:2:0", jpegHeader(0xC0, w, h, 0x22, 0x11, 0x11), 1_500_000},
		{"baseline 4:4:4", jpegHeader(0xC0, w, h, 0x11, 0x11, 0x11), 3_000_000},
		{"baseline gray", jpegHeader(0xC0, w, h, 0x11), 1_000_000},
		{"progressive 4:2:0", jpegHeader(0xC2, w, h, 0x22, 0x11, 0x11), 7_500_000},
		{"CMYK", jpegHeader(0xC0, w, h, 0x11, 0x11, 0x11, 0x11), 8_000_000},
		{"progressive CMYK", jpegHeader(0xC2, w, h, 0x11, 0x11, 0x11, 0x11), 24_000_000},
		{"no frame header", []byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02}, 24_000_000},
		{"garbage", []byte{0xFF, 0xD8, 0x00}, 24_000_000},
	} {
		if got := decodedBytes(tt.data, cfg, "jpeg"); got != tt.want {
			t.Errorf("%s: %d bytes, want %d", tt.name, got, tt.want)
		}
	}
}

// TestDecodedBudget: a PNG within the pixel cap whose 16-bit pixels would
// take more than the budget is refused before decoding.
func TestDecodedBudget(t *testing.T) {
	deep := encodeAs(t, filled("rgba64", 1000, 1000), "png") // 8 MB decoded
	flat := encodeAs(t, filled("gray", 1000, 1000), "png")   // 1 MB decoded
	l := Limits{MaxBytes: 10 << 20, MaxPixels: 2_000_000, MaxDecodedBytes: 4 << 20}
	if _, err := l.Normalize(deep, 64, PNG, 0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("16-bit PNG over the budget: %v, want ErrTooLarge", err)
	}
	if _, err := l.Normalize(flat, 64, PNG, 0); err != nil {
		t.Errorf("8-bit gray PNG within the budget: %v", err)
	}
}

// TestDecoderConcurrency: no more images are decoded at once than the
// Decoder allows, and a refused image does not wait for a turn.
func TestDecoderConcurrency(t *testing.T) {
	d := NewDecoder(DefaultLimits, 2)
	var now, peak atomic.Int32
	release := make(chan struct{})
	d.decoding = func() {
		n := now.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		<-release
		now.Add(-1)
	}
	img := encodeAs(t, sample(50, 50), "png")
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.Normalize(context.Background(), img, 32, PNG, 0); err != nil {
				t.Error(err)
			}
		}()
	}
	// The two decoding now hold their turns: a bomb is refused at once,
	// and a good image waits until its context ends.
	for peak.Load() < 2 {
		runtime.Gosched()
	}
	if _, err := d.Normalize(context.Background(), pngHeader(100_000, 100_000), 32, PNG, 0); !errors.Is(err, ErrTooLarge) {
		t.Errorf("bomb while busy: %v, want ErrTooLarge", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Normalize(ctx, img, 32, PNG, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting with a cancelled context: %v", err)
	}
	close(release)
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Errorf("%d images decoded at once, want 2", p)
	}
}
