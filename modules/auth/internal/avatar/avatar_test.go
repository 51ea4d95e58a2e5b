package avatar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/draw"
)

func decode(t *testing.T, b []byte, wantKind string) image.Image {
	t.Helper()
	img, kind, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding the result: %v", err)
	}
	if kind != wantKind {
		t.Fatalf("result is %s, want %s", kind, wantKind)
	}
	return img
}

// near reports whether c is within tol of want on every channel.
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) bool {
		diff := int(x>>8) - int(y)
		return diff <= tol && diff >= -tol
	}
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func TestDefault(t *testing.T) {
	white := color.RGBA{255, 255, 255, 255}
	for _, tt := range []struct {
		format Format
		kind   string
		tol    int
	}{{PNG, "png", 0}, {JPEG, "jpeg", 6}} {
		for _, size := range []int{16, 64, 256, 300} {
			for _, id := range []int64{1, 7, 14, 27} {
				b, err := Default(id, "ada", size, tt.format, 90)
				if err != nil {
					t.Fatal(err)
				}
				img := decode(t, b, tt.kind)
				if got := img.Bounds(); got.Dx() != size || got.Dy() != size {
					t.Fatalf("%s %d: size %v", tt.kind, size, got)
				}
				bg := Palette[id%14]
				for _, p := range []image.Point{{0, 0}, {size - 1, 0}, {0, size - 1}, {size - 1, size - 1}} {
					if c := img.At(p.X, p.Y); !near(c, bg, tt.tol) {
						t.Errorf("%s size %d user %d: pixel %v is %v, want %v", tt.kind, size, id, p, c, bg)
					}
				}
				if size < 64 {
					continue
				}
				// The glyph is white and its ink is centred.
				minX, minY, maxX, maxY := size, size, -1, -1
				for y := range size {
					for x := range size {
						if near(img.At(x, y), white, 40) {
							minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
						}
					}
				}
				if maxX < 0 {
					t.Fatalf("%s size %d: no white glyph", tt.kind, size)
				}
				cx, cy := float64(minX+maxX)/2, float64(minY+maxY)/2
				if d := float64(size) / 2; cx < d-3 || cx > d+2 || cy < d-3 || cy > d+2 {
					t.Errorf("%s size %d: glyph ink centred at (%.1f, %.1f), want about (%.1f, %.1f)", tt.kind, size, cx, cy, d, d)
				}
				if h := maxY - minY + 1; h < size/4 || h > size*3/4 {
					t.Errorf("%s size %d: glyph is %d pixels high", tt.kind, size, h)
				}
			}
		}
	}
}

// TestPaletteIsReal pins gopod's fix of 2.4's colour bug: the first colour
// is #D32F2F, not #D3D32F.
func TestPaletteIsReal(t *testing.T) {
	b, err := Default(0, "x", 32, PNG, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c := decode(t, b, "png").At(0, 0); !near(c, color.RGBA{0xD3, 0x2F, 0x2F, 0xFF}, 0) {
		t.Errorf("user 0 background = %v, want #D32F2F", c)
	}
	for id := range int64(28) {
		if Background(id) != Palette[id%14] {
			t.Errorf("Background(%d) = %v", id, Background(id))
		}
	}
	if Background(-3) != Palette[11] {
		t.Errorf("Background(-3) = %v, want a palette colour", Background(-3))
	}
}

func TestInitial(t *testing.T) {
	tests := []struct {
		name string
		want rune
	}{
		{"ada", 'A'},
		{"Ada", 'A'},
		{"éva", 'É'},
		{"жанна", 'Ж'},
		{"", '*'},
		{" bob", '*'},
		{"\x00bob", '*'},
		{"\u200bbob", '*'}, // zero-width space
		{"\xffbob", '*'},   // invalid UTF-8
		{"😀", '😀'},         // printable, but the font has no glyph: Default draws '*'
	}
	for _, tt := range tests {
		if got := Initial(tt.name); got != tt.want {
			t.Errorf("Initial(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}

	// The image shows the same glyph for names with the same initial, and
	// '*' for names the font cannot draw.
	img := func(name string) string {
		b, err := Default(3, name, 64, PNG, 0)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if img("ada") != img("Anna") {
		t.Errorf("ada and Anna differ")
	}
	if img("ada") == img("bob") {
		t.Errorf("ada and bob look the same")
	}
	if img("") != img("*") || img("😀") != img("") || img(" bob") != img("") {
		t.Errorf("undrawable names do not fall back to '*'")
	}
}

func TestDefaultRejectsBadOutput(t *testing.T) {
	for _, tt := range []struct {
		size    int
		format  Format
		quality int
	}{{0, PNG, 0}, {MaxSize + 1, PNG, 0}, {64, JPEG, 0}, {64, JPEG, 101}, {64, Format(7), 70}} {
		if _, err := Default(1, "a", tt.size, tt.format, tt.quality); err == nil {
			t.Errorf("Default(size %d, format %d, quality %d) succeeded", tt.size, tt.format, tt.quality)
		}
	}
}

// sample is a w×h image whose centred square is red and whose margins are
// blue, so a correct crop contains only red.
func sample(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	side := min(w, h)
	x0, y0 := (w-side)/2, (h-side)/2
	red, blue := color.RGBA{220, 20, 20, 255}, color.RGBA{20, 20, 220, 255}
	for y := range h {
		for x := range w {
			if x >= x0 && x < x0+side && y >= y0 && y < y0+side {
				img.Set(x, y, red)
			} else {
				img.Set(x, y, blue)
			}
		}
	}
	return img
}

func encodeAs(t *testing.T, img image.Image, kind string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch kind {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	case "gif":
		// A two-colour palette, so that no dithering blurs the test colours.
		p := image.NewPaletted(img.Bounds(), color.Palette{color.RGBA{220, 20, 20, 255}, color.RGBA{20, 20, 220, 255}})
		draw.Draw(p, p.Bounds(), img, img.Bounds().Min, draw.Src)
		err = gif.Encode(&buf, p, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNormalize(t *testing.T) {
	red := color.RGBA{220, 20, 20, 255}
	for _, in := range []string{"png", "jpeg", "gif"} {
		for _, dims := range []image.Point{{300, 100}, {90, 400}, {256, 256}, {40, 30}, {1003, 701}} {
			src := encodeAs(t, sample(dims.X, dims.Y), in)
			for _, out := range []struct {
				format Format
				kind   string
			}{{PNG, "png"}, {JPEG, "jpeg"}} {
				for _, size := range []int{32, 256} {
					b, err := Normalize(src, size, out.format, 85)
					if err != nil {
						t.Fatalf("%s %v → %s %d: %v", in, dims, out.kind, size, err)
					}
					img := decode(t, b, out.kind)
					if got := img.Bounds(); got.Dx() != size || got.Dy() != size {
						t.Fatalf("%s %v → %s %d: size %v", in, dims, out.kind, size, got)
					}
					// Points near the corners lie inside the centred square,
					// so red; they are inset because JPEG's chroma
					// subsampling bleeds the margin's blue a few pixels in.
					in1, in2 := size/5, size-1-size/5
					for _, p := range []image.Point{{in1, in1}, {in2, in1}, {in1, in2}, {in2, in2}, {size / 2, size / 2}} {
						if c := img.At(p.X, p.Y); !near(c, red, 40) {
							t.Errorf("%s %v → %s %d: pixel %v is %v, want red (the centred crop)", in, dims, out.kind, size, p, c)
						}
					}
				}
			}
		}
	}
}

func TestNormalizeTransparentToJPEGIsWhite(t *testing.T) {
	src := encodeAs(t, image.NewNRGBA(image.Rect(0, 0, 50, 50)), "png") // fully transparent
	b, err := Normalize(src, 32, JPEG, 90)
	if err != nil {
		t.Fatal(err)
	}
	if c := decode(t, b, "jpeg").At(16, 16); !near(c, color.RGBA{255, 255, 255, 255}, 3) {
		t.Errorf("transparent pixel became %v, want white", c)
	}
}

// pngHeader is a PNG signature and IHDR chunk declaring w×h, with a valid
// CRC and no image data: a bomb's header.
func pngHeader(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr[:]...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestNormalizeRefuses(t *testing.T) {
	small := encodeAs(t, sample(20, 20), "png")
	tests := []struct {
		name    string
		limits  Limits
		input   []byte
		wantErr error
	}{
		{"garbage", DefaultLimits, []byte("definitely not an image"), ErrUnsupported},
		{"empty", DefaultLimits, nil, ErrUnsupported},
		{"bomb header", DefaultLimits, pngHeader(100_000, 100_000), ErrTooLarge},
		{"wide bomb", DefaultLimits, pngHeader(1<<30, 1), ErrTooLarge},
		{"header only", DefaultLimits, pngHeader(64, 64), ErrUnsupported},
		{"truncated", DefaultLimits, small[:len(small)/2], ErrUnsupported},
		{"over the pixel cap", Limits{MaxBytes: 1 << 20, MaxPixels: 399}, small, ErrTooLarge},
		{"over the byte cap", Limits{MaxBytes: len(small) - 1, MaxPixels: 1 << 20}, small, ErrTooLarge},
		{"BMP", DefaultLimits, append([]byte("BM"), make([]byte, 60)...), ErrUnsupported},
	}
	for _, tt := range tests {
		if _, err := tt.limits.Normalize(tt.input, 64, PNG, 0); !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	if _, err := (Limits{MaxBytes: 1 << 20, MaxPixels: 400}).Normalize(small, 64, PNG, 0); err != nil {
		t.Errorf("at the pixel cap: %v", err)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"jpg": JPEG, "JPEG": JPEG, "png": PNG} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("webp"); err == nil {
		t.Errorf("ParseFormat(webp) succeeded")
	}
	if JPEG.Ext() != "jpg" || PNG.Ext() != "png" {
		t.Errorf("extensions %s, %s", JPEG.Ext(), PNG.Ext())
	}
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(42, "ada", DefaultSize, JPEG, DefaultQuality); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalize12MP(b *testing.B) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, sample(4000, 3000), &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	src := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Normalize(src, DefaultSize, JPEG, DefaultQuality); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzNormalize feeds arbitrary bytes to Normalize under tight limits: it
// must return an image of the requested size or one of its errors, and
// never panic or exceed the pixel cap.
func FuzzNormalize(f *testing.F) {
	tiny := sample(6, 4)
	for _, kind := range []string{"png", "jpeg", "gif"} {
		var buf bytes.Buffer
		switch kind {
		case "png":
			png.Encode(&buf, tiny)
		case "jpeg":
			jpeg.Encode(&buf, tiny, nil)
		case "gif":
			gif.Encode(&buf, tiny, nil)
		}
		f.Add(buf.Bytes())
	}
	f.Add(pngHeader(1<<20, 1<<20))
	limits := Limits{MaxBytes: 1 << 16, MaxPixels: 1 << 14}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := limits.Normalize(in, 8, PNG, 0)
		if err != nil {
			if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(out))
		if err != nil || cfg.Width != 8 || cfg.Height != 8 {
			t.Fatalf("output %v, %v; want an 8×8 PNG", cfg, err)
		}
	})
}

func TestFit(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for _, tt := range []struct {
		format Format
		size   int
	}{{JPEG, 64}, {PNG, 256}} {
		out, err := Fit(src, tt.size, tt.format, DefaultQuality)
		if err != nil {
			t.Fatalf("%s %d: %v", tt.format.Ext(), tt.size, err)
		}
		cfg, kind, err := image.DecodeConfig(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		want := map[Format]string{JPEG: "jpeg", PNG: "png"}[tt.format]
		if kind != want || cfg.Width != tt.size || cfg.Height != tt.size {
			t.Errorf("Fit gave %s %d×%d, want %s %d×%d", kind, cfg.Width, cfg.Height, want, tt.size, tt.size)
		}
	}
	if _, err := Fit(image.NewRGBA(image.Rectangle{}), 64, PNG, 0); !errors.Is(err, ErrUnsupported) {
		t.Errorf("empty image: %v, want ErrUnsupported", err)
	}
	if _, err := Fit(src, 0, PNG, 0); err == nil {
		t.Error("size 0 accepted")
	}
}
