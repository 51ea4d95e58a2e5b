package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/authclient"
)

var ctx = context.Background()

// device is an app on one device: its own key manager and user storage,
// a caller sending that key, and a session manager over both.
type device struct {
	t        *testing.T
	keys     podclient.AuthKeyManager
	caller   *authclient.Caller
	sm       *authclient.SessionManager
	notified atomic.Int32
}

func (s *server) device(t *testing.T, keys podclient.AuthKeyManager, store authclient.Storage) *device {
	d := &device{t: t, keys: keys}
	d.caller = authclient.NewCaller(podclient.NewCaller(s.url, authclient.Registry(), podclient.WithAuthKeyManager(keys)))
	d.sm = authclient.NewSessionManager(d.caller, keys, store)
	d.sm.AddListener(func() { d.notified.Add(1) })
	return d
}

// fileDevice keeps its key and user in dir, as a command line tool would.
func (s *server) fileDevice(t *testing.T, dir string) *device {
	return s.device(t, podclient.NewFileKeyManager(filepath.Join(dir, "auth-key")), authclient.NewFileStorage(filepath.Join(dir, "user-info.json")))
}

func (s *server) memoryDevice(t *testing.T) *device {
	return s.device(t, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
}

func (d *device) key() string {
	d.t.Helper()
	k, err := d.keys.Get()
	if err != nil {
		d.t.Fatal(err)
	}
	return k
}

// wantNotified checks the listener calls since the last check.
func (d *device) wantNotified(what string, n int32) {
	d.t.Helper()
	if got := d.notified.Swap(0); got != n {
		d.t.Errorf("%s: listener called %d times, want %d", what, got, n)
	}
}

// rename calls a login-required endpoint through the device's caller.
func (d *device) rename(name string) error {
	ok, err := d.caller.User.ChangeUserName(ctx, name)
	if err == nil && !ok {
		return fmt.Errorf("changeUserName(%q) answered false", name)
	}
	return err
}

// withKey returns a caller that sends key, as a copy of a device's key
// taken before it signed out would be sent.
func (s *server) withKey(key string) *authclient.Caller {
	keys := podclient.NewMemoryKeyManager()
	keys.Put(key)
	return authclient.NewCaller(podclient.NewCaller(s.url, authclient.Registry(), podclient.WithAuthKeyManager(keys)))
}

// wantRevoked checks that the server answers 401 to a login-required call
// with key.
func (s *server) wantRevoked(t *testing.T, what, key string) {
	t.Helper()
	_, err := s.withKey(key).User.ChangeUserName(ctx, "ghost")
	if !errors.Is(err, podclient.ErrUnauthorized) {
		t.Errorf("%s: a call with the old key got %v, want 401", what, err)
	}
}

var keyFormat = regexp.MustCompile(`^(\d+):(\S+)$`)

// keyID returns the id part of a "<keyId>:<key>" key.
func keyID(t *testing.T, key string) int64 {
	t.Helper()
	m := keyFormat.FindStringSubmatch(key)
	if m == nil {
		t.Fatalf("key %q is not <keyId>:<key>", key)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func wantMode(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s has mode %v, want %v", filepath.Base(path), fi.Mode().Perm(), mode)
	}
}

func wantGone(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s is still there (%v)", filepath.Base(path), err)
	}
}

func testImage(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{R: uint8(x * 6), G: 90, B: uint8(y * 8), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSessionManager takes one account through a device's life: sign-up,
// validation, sign-in, calls, a restart, an image, sign-out; then two
// devices signed out together; then a sign-out the server cannot confirm.
func TestSessionManager(t *testing.T) {
	// The server signs out only the calling device on the deprecated
	// status.signOut; the session manager's deprecated SignOut must still
	// sign out every device, as 2.4's does.
	srv := startServer(t, func(c *auth.Config) { c.LegacyUserSignOutBehavior = auth.CurrentDevice })
	dir := filepath.Join(t.TempDir(), "phone")
	keyFile, userFile := filepath.Join(dir, "auth-key"), filepath.Join(dir, "user-info.json")
	email, password := "ada@example.com", "correct horse battery"

	phone := srv.fileDevice(t, dir)
	if err := phone.sm.Initialize(ctx); err != nil {
		t.Fatalf("Initialize on a new device: %v", err)
	}
	if phone.sm.IsSignedIn() {
		t.Fatal("a new device is signed in")
	}
	phone.wantNotified("initialize on a new device", 0)

	// Sign-up and validation.
	emailAuth := authclient.NewEmailAuthController(phone.sm)
	if err := emailAuth.CreateAccountRequest(ctx, "Ada", email, password); err != nil {
		t.Fatal(err)
	}
	code := srv.code(email)
	if code == "" {
		t.Fatal("no validation code was sent")
	}
	if _, err := emailAuth.ValidateAccount(ctx, email, "not-the-code"); !errors.Is(err, authclient.ErrRefused) {
		t.Errorf("a wrong code: %v, want ErrRefused", err)
	}
	created, err := emailAuth.ValidateAccount(ctx, email, code)
	if err != nil {
		t.Fatal(err)
	}
	if created.Email == nil || *created.Email != email || created.ID == nil {
		t.Fatalf("created user %+v", created)
	}
	userID := *created.ID
	if phone.sm.IsSignedIn() {
		t.Error("validating the account signed the user in; 2.4 does not")
	}
	phone.wantNotified("sign-up", 0)

	// Sign-in.
	var seen []string
	remove := phone.sm.AddListener(func() { seen = append(seen, fmt.Sprint(phone.sm.IsSignedIn())) })
	if _, err := emailAuth.SignIn(ctx, email, "wrong password"); err == nil {
		t.Error("signed in with a wrong password")
	}
	phone.wantNotified("failed sign-in", 0)
	u, err := emailAuth.SignIn(ctx, email, password)
	if err != nil {
		t.Fatal(err)
	}
	remove()
	phone.wantNotified("sign-in", 1)
	if len(seen) != 1 || seen[0] != "true" {
		t.Errorf("the listener saw signed-in states %q, want [true]", seen)
	}
	if *u.ID != userID || *phone.sm.SignedInUser().ID != userID {
		t.Errorf("signed in as %d, created %d", *phone.sm.SignedInUser().ID, userID)
	}
	phoneKey := phone.key()
	if id := keyID(t, phoneKey); srv.queryInt(`SELECT count(*) FROM serverpod_auth_key WHERE id = $1 AND "userId" = $2`, id, userID) != 1 {
		t.Errorf("the stored key %d is not the user's key on the server", id)
	}
	wantMode(t, keyFile, 0o600)
	wantMode(t, userFile, 0o600)

	// A login-required call with the key the manager stored.
	if err := phone.rename("Ada L."); err != nil {
		t.Fatal(err)
	}
	if err := phone.sm.RefreshSession(ctx); err != nil {
		t.Fatal(err)
	}
	if got := *phone.sm.SignedInUser().UserName; got != "Ada L." {
		t.Errorf("after the rename and a refresh the user is %q", got)
	}
	phone.wantNotified("refresh after a rename", 1)
	if err := phone.sm.RefreshSession(ctx); err != nil {
		t.Fatal(err)
	}
	phone.wantNotified("refresh without a change", 0)

	// An image upload gives the user a new image URL.
	before := *phone.sm.SignedInUser().ImageURL
	if err := phone.sm.UploadUserImage(ctx, testImage(t)); err != nil {
		t.Fatal(err)
	}
	phone.wantNotified("image upload", 1)
	after := phone.sm.SignedInUser().ImageURL
	if after == nil || *after == before {
		t.Fatalf("image URL %v after the upload, %s before", after, before)
	}
	resp, err := http.Get(*after)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the new image answers %d", resp.StatusCode)
	}
	if err := phone.sm.UploadUserImage(ctx, []byte("no image at all")); !errors.Is(err, authclient.ErrRefused) {
		t.Errorf("uploading bytes that are no image: %v, want ErrRefused", err)
	}

	// The app restarts: the stored key and user are restored and checked,
	// and the listener hears of it once.
	phone = srv.fileDevice(t, dir)
	if err := phone.sm.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	if u := phone.sm.SignedInUser(); u == nil || *u.ID != userID || *u.UserName != "Ada L." || *u.ImageURL != *after {
		t.Fatalf("after a restart the user is %+v", u)
	}
	phone.wantNotified("initialize after a restart", 1)

	// Sign-out of this device: the key is gone here and on the server.
	if err := phone.sm.SignOutDevice(ctx); err != nil {
		t.Fatal(err)
	}
	phone.wantNotified("sign-out", 1)
	if phone.sm.IsSignedIn() || phone.key() != "" {
		t.Errorf("after sign-out: signed in %v, key %q", phone.sm.IsSignedIn(), phone.key())
	}
	wantGone(t, keyFile)
	wantGone(t, userFile)
	if err := phone.rename("after sign-out"); !errors.Is(err, podclient.ErrUnauthorized) {
		t.Errorf("a call after sign-out: %v, want 401", err)
	}
	srv.wantRevoked(t, "after signOutDevice", phoneKey)

	// Two devices, signed out together; the second learns of it on its
	// next refresh, which removes its stale key.
	laptop, tablet := srv.memoryDevice(t), srv.memoryDevice(t)
	for _, d := range []*device{laptop, tablet} {
		if _, err := authclient.NewEmailAuthController(d.sm).SignIn(ctx, email, password); err != nil {
			t.Fatal(err)
		}
		d.wantNotified("sign-in", 1)
		if err := d.rename("Ada"); err != nil {
			t.Fatal(err)
		}
	}
	laptopKey, tabletKey := laptop.key(), tablet.key()
	if laptopKey == tabletKey {
		t.Fatal("two devices share a key")
	}
	if err := laptop.sm.SignOutAllDevices(ctx); err != nil {
		t.Fatal(err)
	}
	laptop.wantNotified("sign-out of all devices", 1)
	srv.wantRevoked(t, "laptop after signOutAllDevices", laptopKey)
	srv.wantRevoked(t, "tablet after signOutAllDevices", tabletKey)
	if err := tablet.rename("still here?"); !errors.Is(err, podclient.ErrUnauthorized) {
		t.Errorf("the tablet's next call: %v, want 401", err)
	}
	if err := tablet.sm.RefreshSession(ctx); err != nil {
		t.Fatal(err)
	}
	tablet.wantNotified("refresh after being signed out elsewhere", 1)
	if tablet.sm.IsSignedIn() || tablet.key() != "" {
		t.Errorf("the tablet kept signed in %v, key %q", tablet.sm.IsSignedIn(), tablet.key())
	}
	if n := srv.queryInt(`SELECT count(*) FROM serverpod_auth_key WHERE "userId" = $1`, userID); n != 0 {
		t.Errorf("%d keys left on the server", n)
	}

	// The deprecated SignOut is all devices, whatever the server's legacy
	// setting.
	for _, d := range []*device{laptop, tablet} {
		if _, err := authclient.NewEmailAuthController(d.sm).SignIn(ctx, email, password); err != nil {
			t.Fatal(err)
		}
	}
	laptopKey, tabletKey = laptop.key(), tablet.key()
	//lint:ignore SA1019 the deprecated method is what is tested
	if err := laptop.sm.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	srv.wantRevoked(t, "laptop after the deprecated SignOut", laptopKey)
	srv.wantRevoked(t, "tablet after the deprecated SignOut", tabletKey)

	// A sign-out the server cannot confirm still signs out here, and says
	// that the key lives on at the server.
	if _, err := authclient.NewEmailAuthController(laptop.sm).SignIn(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	laptopKey = laptop.key()
	laptop.notified.Store(0)
	srv.http.Close()
	err = laptop.sm.SignOutDevice(ctx)
	if !errors.Is(err, authclient.ErrSignOutUnconfirmed) {
		t.Errorf("sign-out with the server gone: %v, want ErrSignOutUnconfirmed", err)
	}
	if laptop.sm.IsSignedIn() || laptop.key() != "" {
		t.Errorf("sign-out with the server gone: signed in %v, key %q", laptop.sm.IsSignedIn(), laptop.key())
	}
	laptop.wantNotified("unconfirmed sign-out", 1)
	if srv.queryInt(`SELECT count(*) FROM serverpod_auth_key WHERE id = $1`, keyID(t, laptopKey)) != 1 {
		t.Error("the unconfirmed sign-out's key is gone from the server; the error says it stays")
	}
	if !strings.Contains(err.Error(), "did not confirm") {
		t.Errorf("the error does not say what happened: %v", err)
	}
}
