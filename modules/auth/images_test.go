package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/protocol"
)

// TestDefaultImages: a new email user gets the default image in the
// configured format and size, served at its public URL.
func TestDefaultImages(t *testing.T) {
	for _, tt := range []struct {
		format auth.ImageFormat
		size   int
		kind   string
	}{
		{"", 0, "jpeg"},
		{auth.JPG, 64, "jpeg"},
		{auth.PNG, 256, "png"},
		{auth.PNG, 33, "png"},
	} {
		t.Run(fmt.Sprintf("%s-%d", tt.format, tt.size), func(t *testing.T) {
			e := newEnv(t, func(c *auth.Config) { c.UserImageFormat, c.UserImageSize = tt.format, tt.size })
			u := e.signUp(e.client(), "Zed", newEmail("image"), "image-password")
			want := tt.size
			if want == 0 {
				want = 256
			}
			ext := map[string]string{"jpeg": ".jpg", "png": ".png"}[tt.kind]
			if u.ImageURL == nil || !strings.HasSuffix(*u.ImageURL, fmt.Sprintf("%%2F%d-1%s", *u.ID, ext)) {
				t.Fatalf("imageUrl %v", u.ImageURL)
			}
			data := fetchBytes(t, *u.ImageURL)
			img, kind, err := image.Decode(bytes.NewReader(data))
			if err != nil || kind != tt.kind {
				t.Fatalf("default image: %s, %v; want %s", kind, err, tt.kind)
			}
			if b := img.Bounds(); b.Dx() != want || b.Dy() != want {
				t.Errorf("default image is %v, want %d×%d", b, want, want)
			}
			// The background is the user's palette colour, not grey.
			r, g, b, _ := img.At(1, 1).RGBA()
			if r == g && g == b {
				t.Errorf("background %v is grey", img.At(1, 1))
			}
		})
	}
}

// A custom generator draws the default image.
func TestImageGenerator(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) {
		c.UserImageFormat, c.UserImageSize = auth.PNG, 16
		c.UserImageGenerator = func(_ context.Context, u *protocol.UserInfo) (image.Image, error) {
			img := image.NewRGBA(image.Rect(0, 0, 40, 40))
			for i := 0; i < len(img.Pix); i += 4 {
				copy(img.Pix[i:], []byte{0, 0, 255, 255})
			}
			return img, nil
		}
	})
	u := e.signUp(e.client(), "gen", newEmail("gen"), "gen-password")
	img := fetchImage(t, *u.ImageURL)
	if b := img.Bounds(); b.Dx() != 16 {
		t.Errorf("generated image is %v", b)
	}
	if c := color.RGBAModel.Convert(img.At(8, 8)).(color.RGBA); c != (color.RGBA{0, 0, 255, 255}) {
		t.Errorf("generated image pixel %v", c)
	}
}

func pngBytes(t *testing.T, w, h int, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUploadReplaceRemove: setUserImage stores a normalised image at a new
// URL and drops the old file; removeUserImage goes back to the default.
func TestUploadReplaceRemove(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) { c.UserImageSize = 128 })
	c := e.client()
	email := newEmail("upload")
	u := e.signUp(c, "up", email, "upload-password")
	me := e.signedInClient(e.signIn(c, email, "upload-password"))
	first := *u.ImageURL

	ok, err := me.User.SetUserImage(ctx, pngBytes(t, 400, 300, color.RGBA{200, 10, 10, 255}))
	if err != nil || !ok {
		t.Fatalf("setUserImage = %v, %v", ok, err)
	}
	info, _ := me.Status.GetUserInfo(ctx)
	second := *info.ImageURL
	if second == first || !strings.HasSuffix(second, fmt.Sprintf("%%2F%d-2.jpg", *u.ID)) {
		t.Fatalf("imageUrl after upload: %s", second)
	}
	img := fetchImage(t, second)
	if b := img.Bounds(); b.Dx() != 128 || b.Dy() != 128 {
		t.Errorf("uploaded image stored as %v, want 128×128", b)
	}
	if r, _, _, _ := img.At(64, 64).RGBA(); r>>8 < 180 {
		t.Errorf("uploaded image content lost: %v", img.At(64, 64))
	}
	if resp, err := http.Get(first); err != nil || resp.StatusCode != 404 {
		t.Errorf("the replaced default image is still served: %v %v", resp.Status, err)
	}

	// Replace once more, through raw 2.4 JSON with ByteData's encoding.
	body := fmt.Sprintf(`{"method":"setUserImage","image":"decode('%s', 'base64')"}`,
		base64.StdEncoding.EncodeToString(pngBytes(t, 50, 50, color.RGBA{10, 200, 10, 255})))
	if status, b := e.raw("serverpod_auth.user", body, keyOfClient(t, e, email)); status != 200 || b != "true" {
		t.Fatalf("raw setUserImage: %d %s", status, b)
	}
	info, _ = me.Status.GetUserInfo(ctx)
	third := *info.ImageURL
	if g, _, _, _ := fetchImage(t, third).At(64, 64).RGBA(); g == 0 || third == second {
		t.Errorf("third image %s", third)
	}

	if ok, _ := me.User.SetUserImage(ctx, []byte("not an image")); ok {
		t.Error("setUserImage accepted bytes that are no image")
	}
	if ok, err := me.User.RemoveUserImage(ctx); err != nil || !ok {
		t.Fatalf("removeUserImage = %v, %v", ok, err)
	}
	info, _ = me.Status.GetUserInfo(ctx)
	if *info.ImageURL == third || !strings.HasSuffix(*info.ImageURL, "-4.jpg") {
		t.Errorf("imageUrl after remove: %s", *info.ImageURL)
	}
	if resp, _ := http.Get(third); resp.StatusCode != 404 {
		t.Error("the removed image is still served")
	}
	if n := e.queryInt(`SELECT count(*) FROM serverpod_user_image WHERE "userId" = $1`, *u.ID); n != 1 {
		t.Errorf("%d image rows, want 1", n)
	}
}

func keyOfClient(t *testing.T, e *env, email string) string {
	return keyOf(e.signIn(e.client(), email, "upload-password"))
}

// TestImageOptions: userCanEditUserImage and enableUserImages are enforced.
func TestImageOptions(t *testing.T) {
	noEdit := newEnv(t, func(c *auth.Config) { c.UserCanEditUserImage = auth.Off })
	email := newEmail("noedit")
	noEdit.signUp(noEdit.client(), "n", email, "noedit-password")
	me := noEdit.signedInClient(noEdit.signIn(noEdit.client(), email, "noedit-password"))
	if ok, _ := me.User.SetUserImage(ctx, pngBytes(t, 8, 8, color.RGBA{1, 2, 3, 255})); ok {
		t.Error("setUserImage with userCanEditUserImage off")
	}
	if ok, _ := me.User.RemoveUserImage(ctx); ok {
		t.Error("removeUserImage with userCanEditUserImage off")
	}

	off := newEnv(t, func(c *auth.Config) { c.EnableUserImages = auth.Off })
	email = newEmail("noimages")
	u := off.signUp(off.client(), "n", email, "noimage-password")
	if u.ImageURL != nil {
		t.Errorf("a default image was made with user images off: %s", *u.ImageURL)
	}
	me = off.signedInClient(off.signIn(off.client(), email, "noimage-password"))
	if ok, _ := me.User.SetUserImage(ctx, pngBytes(t, 8, 8, color.RGBA{1, 2, 3, 255})); ok {
		t.Error("setUserImage with user images off")
	}
	cfg, _ := me.Status.GetUserSettingsConfig(ctx)
	if cfg.CanEditUserImage {
		t.Error("getUserSettingsConfig says images can be edited")
	}
}

// TestUserNames: the name options are enforced, names are trimmed and
// bounded, and userCanSee hides names from the user's own info.
func TestUserNames(t *testing.T) {
	e := newEnv(t, nil)
	email := newEmail("names")
	e.signUp(e.client(), "first", email, "names-password")
	me := e.signedInClient(e.signIn(e.client(), email, "names-password"))
	for _, tt := range []struct {
		name string
		ok   bool
	}{{"  second  ", true}, {"   ", false}, {strings.Repeat("n", 257), false}} {
		if ok, err := me.User.ChangeUserName(ctx, tt.name); err != nil || ok != tt.ok {
			t.Errorf("changeUserName(%.10q) = %v, %v; want %v", tt.name, ok, err, tt.ok)
		}
	}
	info, _ := me.Status.GetUserInfo(ctx)
	if *info.UserName != "second" {
		t.Errorf("userName %q", *info.UserName)
	}
	if ok, _ := me.User.ChangeFullName(ctx, "Full Name"); ok {
		t.Error("changeFullName with userCanEditFullName off (2.4's default)")
	}

	open := newEnv(t, func(c *auth.Config) {
		c.UserCanEditFullName, c.UserCanEditUserName = auth.On, auth.Off
		c.UserCanSeeUserName, c.UserCanSeeFullName = auth.Off, auth.Off
	})
	email = newEmail("hidden")
	open.signUp(open.client(), "hidden", email, "names-password")
	r := open.signIn(open.client(), email, "names-password")
	if r.UserInfo.UserName != nil {
		t.Error("sign-in shows the user name with userCanSeeUserName off")
	}
	me = open.signedInClient(r)
	if ok, _ := me.User.ChangeFullName(ctx, "Full Name"); !ok {
		t.Error("changeFullName refused with userCanEditFullName on")
	}
	if ok, _ := me.User.ChangeUserName(ctx, "other"); ok {
		t.Error("changeUserName with userCanEditUserName off")
	}
	info, _ = me.Status.GetUserInfo(ctx)
	if info.UserName != nil || info.FullName != nil {
		t.Errorf("status.getUserInfo shows hidden names: %s", mustJSON(info))
	}
	if n := open.queryString(`SELECT "fullName" FROM serverpod_user_info WHERE email = $1`, email); n != "Full Name" {
		t.Errorf("stored fullName %q", n)
	}
	settings, _ := me.Status.GetUserSettingsConfig(ctx)
	if want := `{"canSeeUserName":false,"canSeeFullName":false,"canEditUserName":false,"canEditFullName":true,"canEditUserImage":true}`; mustJSON(settings) != want {
		t.Errorf("getUserSettingsConfig = %s, want %s", mustJSON(settings), want)
	}
}
