// Package avatar makes the auth module's user images: the default image of
// a new user (an initial on a coloured square, as Serverpod 2.4 draws it)
// and the normalised form of an uploaded image (a centred square of the
// configured size in the configured format).
//
// Uploaded images are untrusted: Normalize checks their size in bytes and,
// from the header alone, their size in pixels before decoding anything, so
// a small file that claims a huge canvas (a decompression bomb) is refused
// without allocating it.
package avatar

import (
	"bytes"
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
}

// DefaultLimits accept 10 MiB and 40 megapixels (a large phone photo);
// a 40-megapixel RGBA decode holds 160 MiB for the moment of the resize.
var DefaultLimits = Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000}

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
	if err := checkOutput(size, format, quality); err != nil {
		return nil, err
	}
	if len(imageBytes) > l.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d are accepted", ErrTooLarge, len(imageBytes), l.MaxBytes)
	}
	cfg, kind, err := image.DecodeConfig(bytes.NewReader(imageBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s declares %d×%d pixels", ErrUnsupported, kind, cfg.Width, cfg.Height)
	}
	if cfg.Width > l.MaxPixels/cfg.Height {
		return nil, fmt.Errorf("%w: %s of %d×%d pixels, at most %d pixels are accepted", ErrTooLarge, kind, cfg.Width, cfg.Height, l.MaxPixels)
	}
	src, _, err := image.Decode(bytes.NewReader(imageBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: decoding %s: %v", ErrUnsupported, kind, err)
	}
	return fit(src, size, format, quality)
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
// then takes a few tens of milliseconds instead of half a second.
func shrink(src image.Image, crop image.Rectangle, size int) (image.Image, image.Rectangle) {
	side := crop.Dx()
	factor := side / (2 * size)
	if factor < 2 {
		return src, crop
	}
	n := side / factor
	// Centre the n×factor pixels used within the crop.
	crop = image.Rect(0, 0, n*factor, n*factor).Add(crop.Min.Add(image.Pt(side%factor/2, side%factor/2)))
	full := image.NewRGBA(image.Rect(0, 0, crop.Dx(), crop.Dy()))
	draw.Draw(full, full.Bounds(), src, crop.Min, draw.Src)

	out := image.NewRGBA(image.Rect(0, 0, n, n))
	area := uint32(factor * factor)
	sums := make([]uint32, 4*n)
	for oy := range n {
		clear(sums)
		for y := oy * factor; y < (oy+1)*factor; y++ {
			row := full.Pix[y*full.Stride : y*full.Stride+4*n*factor]
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
