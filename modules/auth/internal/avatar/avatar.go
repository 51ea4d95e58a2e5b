// Package avatar makes the auth module's user images: the default image of
// a new user (an initial on a coloured square, as Serverpod 2.4 draws it)
// and the normalised form of an uploaded image (a centred square of the
// configured size in the configured format).
//
// Uploaded images are untrusted: Normalize checks their size in bytes and,
// from the header alone, their size in pixels and the memory that decoding
// and resizing them will take (the decoded-bytes budget) before decoding
// anything, so a small file that claims a huge canvas or deep pixels (a
// decompression bomb) is refused without allocating it. A Decoder also
// bounds how many images are decoded at once, so the memory of all
// uploads in flight is at most the budget times that number.
package avatar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // Normalize accepts GIF uploads (the first frame)
	"image/jpeg"
	"image/png"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Format is the encoding of stored user images (AuthConfig.userImageFormat).
type Format int

const (
	// JPEG is 2.4's default.
	JPEG Format = iota
	PNG
)

// ParseFormat reads the configuration's "jpg" or "png".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "jpg", "jpeg":
		return JPEG, nil
	case "png":
		return PNG, nil
	}
	return 0, fmt.Errorf("user image format %q: want jpg or png", s)
}

// Ext is the file extension 2.4 uses in storage paths, without the dot.
func (f Format) Ext() string {
	if f == PNG {
		return "png"
	}
	return "jpg"
}

// Defaults from 2.4's AuthConfig.
const (
	DefaultSize    = 256
	DefaultQuality = 70
	// MaxSize bounds userImageSize; larger avatars serve no one.
	MaxSize = 2048
)

// Palette is 2.4's background colours (Material Design), indexed by
// userId % 14.
var Palette = [14]color.RGBA{
	{0xD3, 0x2F, 0x2F, 0xFF}, {0xD8, 0x1B, 0x60, 0xFF}, {0xAB, 0x47, 0xBC, 0xFF}, {0x7E, 0x57, 0xC2, 0xFF},
	{0x5C, 0x6B, 0xC0, 0xFF}, {0x19, 0x76, 0xD2, 0xFF}, {0x02, 0x77, 0xBD, 0xFF}, {0x00, 0x60, 0x64, 0xFF},
	{0x00, 0x79, 0x6B, 0xFF}, {0x2E, 0x7D, 0x32, 0xFF}, {0x33, 0x69, 0x1E, 0xFF}, {0xBF, 0x36, 0x0C, 0xFF},
	{0x8D, 0x6E, 0x63, 0xFF}, {0x54, 0x6E, 0x7A, 0xFF},
}

// Background returns the default image's colour for userID. 2.4 filled
// with the red channel repeated as green; gopod uses the palette's real
// colour.
func Background(userID int64) color.RGBA {
	i := userID % int64(len(Palette))
	if i < 0 {
		i += int64(len(Palette))
	}
	return Palette[i]
}

// glyphScale is 2.4's 138-pixel font on its 256-pixel canvas.
const glyphScale = 138.0 / 256.0

var parsedFont = sync.OnceValues(func() (*sfnt.Font, error) {
	return opentype.Parse(goregular.TTF)
})

// Initial is the character the default image shows: the first character
// of userName in upper case, or `*` when the name is empty or starts with
// a character that is not printable or that the font cannot draw.
func Initial(userName string) rune {
	r, _ := utf8.DecodeRuneInString(userName)
	if userName == "" || r == utf8.RuneError || !unicode.IsPrint(r) || unicode.IsSpace(r) {
		return '*'
	}
	return unicode.ToUpper(r)
}

// Default draws the default image of a user: the initial of userName in
// white, centred on the user's background colour, size pixels square.
func Default(userID int64, userName string, size int, format Format, quality int) ([]byte, error) {
	if err := checkOutput(size, format, quality); err != nil {
		return nil, err
	}
	f, err := parsedFont()
	if err != nil {
		return nil, fmt.Errorf("default user image font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: float64(size) * glyphScale, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("default user image font face: %w", err)
	}
	defer face.Close()

	img := image.NewRGBA(image.Rect(0, 0, size, size))
	draw.Draw(img, img.Bounds(), image.NewUniform(Background(userID)), image.Point{}, draw.Src)

	r := Initial(userName)
	bounds, _, ok := face.GlyphBounds(r)
	if !ok || bounds.Empty() {
		r = '*'
		bounds, _, _ = face.GlyphBounds(r)
	}
	// Centre the glyph's ink, not its advance box: the dot goes where the
	// middle of the ink lands on the middle of the canvas.
	half := fixed.I(size) / 2
	d := font.Drawer{
		Dst:  img,
		Src:  image.White,
		Face: face,
		Dot: fixed.Point26_6{
			X: half - (bounds.Min.X+bounds.Max.X)/2,
			Y: half - (bounds.Min.Y+bounds.Max.Y)/2,
		},
	}
	d.DrawString(string(r))
	return encode(img, format, quality)
}

// Limits bound what Normalize accepts.
type Limits struct {
	MaxBytes  int // encoded size
	MaxPixels int // width × height as the header declares it
	// MaxDecodedBytes bounds the memory that decoding and resizing the
	// image take, as estimated from its header (see decodedBytes); zero
	// means DefaultMaxDecodedBytes.
	MaxDecodedBytes int64
}

// DefaultMaxDecodedBytes is the decoded-bytes budget of one image.
const DefaultMaxDecodedBytes = 64 << 20

// DefaultLimits accept 10 MiB, 16 megapixels and DefaultMaxDecodedBytes:
// a 12-megapixel phone photo (a baseline JPEG, 18 MB decoded) or an
// 8-bit RGBA PNG of 12 megapixels (48 MB) passes, a 16-bit PNG of the
// same size (96 MB) does not.
var DefaultLimits = Limits{MaxBytes: 10 << 20, MaxPixels: 16_000_000, MaxDecodedBytes: DefaultMaxDecodedBytes}

// Errors of Normalize, for the caller to turn into a false result.
var (
	ErrTooLarge    = errors.New("image too large")
	ErrUnsupported = errors.New("unsupported or corrupt image")
)

// Normalize decodes a PNG, JPEG or GIF (its first frame) with
// DefaultLimits, crops the largest centred square, scales it to size
// pixels and encodes it in format.
func Normalize(imageBytes []byte, size int, format Format, quality int) ([]byte, error) {
	return DefaultLimits.Normalize(imageBytes, size, format, quality)
}

// Normalize is the package's Normalize with limits l.
func (l Limits) Normalize(imageBytes []byte, size int, format Format, quality int) ([]byte, error) {
	if err := l.check(imageBytes, size, format, quality); err != nil {
		return nil, err
	}
	return decodeAndFit(imageBytes, size, format, quality)
}

// check refuses, from the header alone, what Normalize must not decode.
func (l Limits) check(imageBytes []byte, size int, format Format, quality int) error {
	if err := checkOutput(size, format, quality); err != nil {
		return err
	}
	if len(imageBytes) > l.MaxBytes {
		return fmt.Errorf("%w: %d bytes, at most %d are accepted", ErrTooLarge, len(imageBytes), l.MaxBytes)
	}
	cfg, kind, err := image.DecodeConfig(bytes.NewReader(imageBytes))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("%w: %s declares %d×%d pixels", ErrUnsupported, kind, cfg.Width, cfg.Height)
	}
	if cfg.Width > l.MaxPixels/cfg.Height {
		return fmt.Errorf("%w: %s of %d×%d pixels, at most %d pixels are accepted", ErrTooLarge, kind, cfg.Width, cfg.Height, l.MaxPixels)
	}
	budget := l.MaxDecodedBytes
	if budget <= 0 {
		budget = DefaultMaxDecodedBytes
	}
	if need := decodedBytes(imageBytes, cfg, kind) + resizeBytes(cfg.Width, cfg.Height, size); need > budget {
		return fmt.Errorf("%w: %s of %d×%d pixels needs about %d MiB to decode and resize, at most %d MiB are allowed",
			ErrTooLarge, kind, cfg.Width, cfg.Height, need>>20, budget>>20)
	}
	return nil
}

func decodeAndFit(imageBytes []byte, size int, format Format, quality int) ([]byte, error) {
	src, kind, err := image.Decode(bytes.NewReader(imageBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: decoding %s: %v", ErrUnsupported, kind, err)
	}
	return fit(src, size, format, quality)
}

// Decoder normalises uploads within Limits, a few at a time, so that the
// memory of all decodes in flight stays below concurrency ×
// MaxDecodedBytes. It is safe for concurrent use.
type Decoder struct {
	limits Limits
	slots  chan struct{}
	// decoding, when set, is called while an image is being decoded
	// (tests count how many are at once).
	decoding func()
}

// NewDecoder returns a Decoder decoding at most concurrency images at once
// (at least one).
func NewDecoder(l Limits, concurrency int) *Decoder {
	return &Decoder{limits: l, slots: make(chan struct{}, max(concurrency, 1))}
}

// Normalize is Limits.Normalize with the Decoder's limits; an image that
// passes the header checks waits for its turn to be decoded, or until ctx
// is done.
func (d *Decoder) Normalize(ctx context.Context, imageBytes []byte, size int, format Format, quality int) ([]byte, error) {
	if err := d.limits.check(imageBytes, size, format, quality); err != nil {
		return nil, err
	}
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting to decode an image: %w", ctx.Err())
	}
	defer func() { <-d.slots }()
	if d.decoding != nil {
		d.decoding()
	}
	return decodeAndFit(imageBytes, size, format, quality)
}

// decodedBytes estimates from an image's header what decoding it
// allocates, from how Go's decoders lay pixels out: a PNG's pixels in the
// colour model it declares (twice over for an interlaced PNG, whose
// passes are decoded apart), a GIF's one byte per pixel, a JPEG's
// component planes at their sampling, four bytes per pixel more for
// CMYK's conversion, and 4 bytes per plane sample for a progressive
// JPEG's coefficients.
func decodedBytes(data []byte, cfg image.Config, kind string) int64 {
	pixels := int64(cfg.Width) * int64(cfg.Height)
	switch kind {
	case "png":
		n := pixels * int64(bytesPerPixel(cfg.ColorModel))
		if len(data) > 28 && data[28] == 1 { // IHDR's interlace method: Adam7
			n *= 2
		}
		return n
	case "gif":
		return pixels
	case "jpeg":
		j := scanJPEG(data)
		planes := pixels * int64(j.samples) / int64(j.fullSamples)
		n := planes
		if j.components == 4 {
			n += 4 * pixels
		}
		if j.progressive {
			n += 4 * planes
		}
		return n
	}
	return 8 * pixels
}

func bytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// jpegLayout is what decodedBytes needs of a JPEG's frame header: the
// sum of its components' sampling factors (h × v), over the sampling of
// one full-resolution plane (hmax × vmax).
type jpegLayout struct {
	progressive          bool
	components           int
	samples, fullSamples int
}

// scanJPEG reads the frame header (SOFn) of a JPEG. When it cannot, it
// assumes the costliest layout: four full-resolution components,
// progressive.
func scanJPEG(data []byte) jpegLayout {
	worst := jpegLayout{progressive: true, components: 4, samples: 4, fullSamples: 1}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return worst
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		if n < 2 || i+2+n > len(data) {
			return worst
		}
		seg := data[i+4 : i+2+n]
		isSOF := marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
		if !isSOF {
			if marker == 0xDA { // start of scan before any frame header
				return worst
			}
			i += 2 + n
			continue
		}
		if len(seg) < 6 || len(seg) < 6+3*int(seg[5]) || seg[5] == 0 {
			return worst
		}
		j := jpegLayout{progressive: marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE, components: int(seg[5])}
		hmax, vmax := 1, 1
		for c := range j.components {
			h, v := int(seg[6+3*c+1]>>4), int(seg[6+3*c+1]&0x0F)
			hmax, vmax = max(hmax, h), max(vmax, v)
			j.samples += max(h, 1) * max(v, 1)
		}
		j.fullSamples = hmax * vmax
		return j
	}
	return worst
}

// resizeBytes is what fit allocates for a w×h source and a size×size
// output: the box-averaged copy (4 bytes per pixel), the Catmull-Rom
// kernel's buffer (32 bytes per output column and source row), the output
// and its encoding (4 bytes per pixel each), one strip of rows, and the
// codecs' own state (compression windows, tables, buffers).
func resizeBytes(w, h, size int) int64 {
	const codecs = 2 << 20
	side, sz := int64(min(w, h)), int64(size)
	output := 8*sz*sz + codecs
	if factor := side / (2 * sz); factor >= 2 {
		n := side / factor
		return 4*n*n + 4*side*factor + 32*sz*n + output
	}
	return 32*sz*side + output
}

// Fit crops the largest centred square of img, scales it to size pixels and
// encodes it in format: what Normalize does after decoding, for images an
// application draws itself (AuthConfig.userImageGenerator).
func Fit(img image.Image, size int, format Format, quality int) ([]byte, error) {
	if err := checkOutput(size, format, quality); err != nil {
		return nil, err
	}
	if b := img.Bounds(); b.Empty() {
		return nil, fmt.Errorf("%w: the image has no pixels", ErrUnsupported)
	}
	return fit(img, size, format, quality)
}

func fit(src image.Image, size int, format Format, quality int) ([]byte, error) {
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	crop := image.Rect(0, 0, side, side).Add(image.Pt(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2))
	src, crop = shrink(src, crop, size)
	dst := image.NewRGBA(image.Rect(0, 0, size, size))
	if format == JPEG {
		// JPEG has no alpha: transparent parts become white, not black.
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Over, nil)
	return encode(dst, format, quality)
}

// shrink box-averages the crop of src by the integer factor that brings it
// closest to twice size, so that the Catmull-Rom kernel, whose cost grows
// with the source area, only works on a small image. A 12-megapixel photo
// then takes a few tens of milliseconds instead of half a second. The
// source is read a strip of rows at a time, so that no full-size copy of
// it is made.
func shrink(src image.Image, crop image.Rectangle, size int) (image.Image, image.Rectangle) {
	side := crop.Dx()
	factor := side / (2 * size)
	if factor < 2 {
		return src, crop
	}
	n := side / factor
	// Centre the n×factor pixels used within the crop.
	origin := crop.Min.Add(image.Pt(side%factor/2, side%factor/2))
	strip := image.NewRGBA(image.Rect(0, 0, n*factor, factor))
	out := image.NewRGBA(image.Rect(0, 0, n, n))
	area := uint32(factor * factor)
	sums := make([]uint32, 4*n)
	for oy := range n {
		draw.Draw(strip, strip.Bounds(), src, origin.Add(image.Pt(0, oy*factor)), draw.Src)
		clear(sums)
		for y := range factor {
			row := strip.Pix[y*strip.Stride : y*strip.Stride+4*n*factor]
			for x := range n * factor {
				o := x / factor * 4
				p := row[x*4 : x*4+4]
				sums[o] += uint32(p[0])
				sums[o+1] += uint32(p[1])
				sums[o+2] += uint32(p[2])
				sums[o+3] += uint32(p[3])
			}
		}
		dst := out.Pix[oy*out.Stride : oy*out.Stride+4*n]
		for i, s := range sums {
			dst[i] = uint8((s + area/2) / area) // premultiplied channels average correctly
		}
	}
	return out, out.Bounds()
}

func checkOutput(size int, format Format, quality int) error {
	switch {
	case size < 1 || size > MaxSize:
		return fmt.Errorf("user image size %d: must be between 1 and %d", size, MaxSize)
	case format != JPEG && format != PNG:
		return fmt.Errorf("user image format %d: want JPEG or PNG", format)
	case format == JPEG && (quality < 1 || quality > 100):
		return fmt.Errorf("user image quality %d: must be between 1 and 100", quality)
	}
	return nil
}

func encode(img image.Image, format Format, quality int) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if format == PNG {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	}
	if err != nil {
		return nil, fmt.Errorf("encoding the user image as %s: %w", format.Ext(), err)
	}
	return buf.Bytes(), nil
}
