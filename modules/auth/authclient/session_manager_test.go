package authclient_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	podclient "github.com/gopod/gopod/client"
	"github.com/gopod/gopod/modules/auth/authclient"
	"github.com/gopod/gopod/wire"
)

var ctx = context.Background()

// fakeServer answers the serverpod_auth calls the session manager makes,
// from a table of valid keys, so that each state of the manager can be
// set up directly. The end-to-end test runs the real server.
type fakeServer struct {
	t   *testing.T
	url string

	mu        sync.Mutex
	keys      map[string]*authclient.UserInfo // "<keyId>:<key>" → its user
	nextKey   int
	down      bool            // answer 503 to everything
	refuse401 map[string]bool // keys whose getUserInfo gets 401
	acceptImg bool            // setUserImage answers true
	images    [][]byte        // images received
	calls     []string        // "<endpoint>.<method> <key>"
	// hold, when set, makes getUserInfo wait until it is closed;
	// arrived is closed when such a call has arrived.
	hold, arrived chan struct{}
}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{t: t, keys: map[string]*authclient.UserInfo{}, refuse401: map[string]bool{}}
	ts := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	v, err := wire.Parse(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	args := v.(map[string]any)
	key := ""
	if h := r.Header.Get("Authorization"); h != "" {
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		if err != nil {
			http.Error(w, "bad header", http.StatusBadRequest)
			return
		}
		key = string(b)
	}
	call := strings.TrimPrefix(r.URL.Path, "/serverpod_auth.") + "." + args["method"].(string)

	f.mu.Lock()
	f.calls = append(f.calls, call+" "+key)
	hold, arrived := f.hold, f.arrived
	if call == "status.getUserInfo" {
		f.hold, f.arrived = nil, nil
	} else {
		hold, arrived = nil, nil
	}
	f.mu.Unlock()
	if hold != nil {
		close(arrived)
		<-hold
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	user := f.keys[key]
	reply := func(enc func(e *wire.Encoder)) {
		e := wire.NewEncoder(true)
		enc(e)
		b, err := e.Bytes()
		if err != nil {
			f.t.Error(err)
		}
		w.Write(b)
	}
	switch call {
	case "status.getUserInfo":
		if f.refuse401[key] {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		reply(func(e *wire.Encoder) { wire.EncodeModelPtr(e, user) })
	case "status.signOutDevice":
		delete(f.keys, key)
		reply((*wire.Encoder).Null)
	case "status.signOutAllDevices":
		for k, u := range f.keys {
			if user != nil && *u.ID == *user.ID {
				delete(f.keys, k)
			}
		}
		reply((*wire.Encoder).Null)
	case "user.setUserImage":
		if user == nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		img, err := wire.DecodeByteData(args["image"])
		if err != nil {
			f.t.Errorf("setUserImage: %v", err)
		}
		f.images = append(f.images, img)
		if f.acceptImg {
			u := fmt.Sprintf("https://images.example.com/%d-%d.png", *user.ID, len(f.images))
			user.ImageURL = &u
		}
		reply(func(e *wire.Encoder) { e.Bool(f.acceptImg) })
	case "email.authenticate":
		var u *authclient.UserInfo
		for _, x := range f.keys {
			if x.Email != nil && *x.Email == args["email"] {
				u = x
			}
		}
		r := authclient.AuthenticationResponse{}
		if u != nil && args["password"] == "right password" {
			f.nextKey++
			id, secret := int64(100+f.nextKey), fmt.Sprintf("secret%d", f.nextKey)
			f.keys[fmt.Sprintf("%d:%s", id, secret)] = u
			r.Success, r.KeyID, r.Key, r.UserInfo = true, &id, &secret, u
		} else {
			reason := authclient.AuthenticationFailReasonInvalidCredentials
			r.FailReason = &reason
		}
		reply(func(e *wire.Encoder) { wire.EncodeModel(e, r) })
	default:
		http.Error(w, "no such method "+call, http.StatusBadRequest)
	}
}

// grant makes key valid for u.
func (f *fakeServer) grant(key string, u *authclient.UserInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[key] = cloneForServer(u)
}

func (f *fakeServer) valid(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.keys[key]
	return ok
}

func (f *fakeServer) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

func (f *fakeServer) rename(key, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[key].UserName = &name
}

// takeCalls returns the calls made so far and forgets them.
func (f *fakeServer) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func cloneForServer(u *authclient.UserInfo) *authclient.UserInfo {
	b, _ := wire.MarshalModel(u)
	var c authclient.UserInfo
	if err := wire.UnmarshalModel(b, &c); err != nil {
		panic(err)
	}
	return &c
}

func newUser(id int64, name string) *authclient.UserInfo {
	email := fmt.Sprintf("user%d@example.com", id)
	return &authclient.UserInfo{
		ID:             &id,
		UserIdentifier: email,
		UserName:       &name,
		Email:          &email,
		Created:        time.Date(2024, 5, 20, 10, 27, 13, 0, time.UTC),
		ScopeNames:     []string{},
	}
}

// device is an app on one device: its key manager, storage, manager, and
// the number of times its listener was called.
type device struct {
	keys     podclient.AuthKeyManager
	store    authclient.Storage
	sm       *authclient.SessionManager
	notified atomic.Int32
}

func newDevice(t *testing.T, f *fakeServer, keys podclient.AuthKeyManager, store authclient.Storage) *device {
	t.Helper()
	d := &device{keys: keys, store: store}
	c := podclient.NewCaller(f.url, authclient.Registry(), podclient.WithAuthKeyManager(keys))
	d.sm = authclient.NewSessionManager(authclient.NewCaller(c), keys, store)
	d.sm.AddListener(func() { d.notified.Add(1) })
	return d
}

func (d *device) key(t *testing.T) string {
	t.Helper()
	k, err := d.keys.Get()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (d *device) stored(t *testing.T) *authclient.UserInfo {
	t.Helper()
	u, err := d.store.Load()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func name(u *authclient.UserInfo) string {
	if u == nil {
		return "<nil>"
	}
	if u.UserName == nil {
		return "<no name>"
	}
	return *u.UserName
}

// check compares the device's state: signed-in user, stored user (by
// name), key, and listener calls since the last check.
func (d *device) check(t *testing.T, wantUser, wantStored, wantKey string, wantNotified int32) {
	t.Helper()
	if got := name(d.sm.SignedInUser()); got != wantUser {
		t.Errorf("signed-in user %s, want %s", got, wantUser)
	}
	if got := d.sm.IsSignedIn(); got != (wantUser != "<nil>") {
		t.Errorf("IsSignedIn() = %v with user %s", got, wantUser)
	}
	if got := name(d.stored(t)); got != wantStored {
		t.Errorf("stored user %s, want %s", got, wantStored)
	}
	if got := d.key(t); got != wantKey {
		t.Errorf("key %q, want %q", got, wantKey)
	}
	if got := d.notified.Swap(0); got != wantNotified {
		t.Errorf("listener called %d times, want %d", got, wantNotified)
	}
}

func TestInitialize(t *testing.T) {
	const key = "1:secret"
	tests := []struct {
		name      string
		key       string
		stored    *authclient.UserInfo
		server    *authclient.UserInfo // user of key on the server; nil: key unknown
		down      bool
		refuse401 bool

		wantUser, wantStored, wantKey string
		wantNotified                  int32
		wantCalls                     []string
		wantErr                       bool
	}{
		{
			name:     "nothing stored: no call",
			wantUser: "<nil>", wantStored: "<nil>",
		},
		{
			name: "a user without a key is forgotten", stored: newUser(1, "Al"),
			wantUser: "<nil>", wantStored: "<nil>",
		},
		{
			name: "the server's user replaces the stored one", key: key, stored: newUser(1, "Al"), server: newUser(1, "Alice"),
			wantUser: "Alice", wantStored: "Alice", wantKey: key, wantNotified: 1,
			wantCalls: []string{"status.getUserInfo " + key},
		},
		{
			name: "an unchanged user is signed in once", key: key, stored: newUser(1, "Alice"), server: newUser(1, "Alice"),
			wantUser: "Alice", wantStored: "Alice", wantKey: key, wantNotified: 1,
			wantCalls: []string{"status.getUserInfo " + key},
		},
		{
			name: "a key without a stored user", key: key, server: newUser(1, "Alice"),
			wantUser: "Alice", wantStored: "Alice", wantKey: key, wantNotified: 1,
			wantCalls: []string{"status.getUserInfo " + key},
		},
		{
			name: "a revoked key is removed", key: key, stored: newUser(1, "Al"),
			wantUser: "<nil>", wantStored: "<nil>", wantKey: "",
			wantCalls: []string{"status.getUserInfo " + key},
		},
		{
			name: "a key refused with 401 is removed", key: key, stored: newUser(1, "Al"), server: newUser(1, "Alice"), refuse401: true,
			wantUser: "<nil>", wantStored: "<nil>", wantKey: "",
			wantCalls: []string{"status.getUserInfo " + key},
		},
		{
			name: "offline: the stored user stays signed in", key: key, stored: newUser(1, "Al"), server: newUser(1, "Alice"), down: true,
			wantUser: "Al", wantStored: "Al", wantKey: key, wantNotified: 1, wantErr: true,
			wantCalls: []string{"status.getUserInfo " + key},
		},
		{
			name: "offline without a stored user: the key is kept", key: key, server: newUser(1, "Alice"), down: true,
			wantUser: "<nil>", wantStored: "<nil>", wantKey: key, wantErr: true,
			wantCalls: []string{"status.getUserInfo " + key},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t)
			if tt.server != nil {
				f.grant(key, tt.server)
			}
			f.down = tt.down
			f.refuse401[key] = tt.refuse401
			d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
			if tt.key != "" {
				d.keys.Put(tt.key)
			}
			if tt.stored != nil {
				d.store.Save(tt.stored)
			}
			err := d.sm.Initialize(ctx)
			if (err != nil) != tt.wantErr {
				t.Errorf("Initialize() = %v, want error %v", err, tt.wantErr)
			}
			d.check(t, tt.wantUser, tt.wantStored, tt.wantKey, tt.wantNotified)
			if got := f.takeCalls(); !slices.Equal(got, tt.wantCalls) {
				t.Errorf("calls %q, want %q", got, tt.wantCalls)
			}
		})
	}
}

// A stored user the file cannot give back is replaced by the server's;
// only when the server cannot be asked either is it an error.
func TestInitializeMendsABrokenFile(t *testing.T) {
	f := newFakeServer(t)
	f.grant("1:secret", newUser(1, "Alice"))
	dir := t.TempDir()
	path := dir + "/user-info.json"
	writeFile(t, path, "{not json")
	keys := podclient.NewFileKeyManager(dir + "/auth-key")
	keys.Put("1:secret")

	d := newDevice(t, f, keys, authclient.NewFileStorage(path))
	f.setDown(true)
	err := d.sm.Initialize(ctx)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("offline with a broken file: %v; want an error naming the file", err)
	}
	if d.sm.IsSignedIn() || d.key(t) != "1:secret" || d.notified.Load() != 0 {
		t.Errorf("offline with a broken file: signed in %v, key %q, %d listener calls; want signed out, key kept, none",
			d.sm.IsSignedIn(), d.key(t), d.notified.Load())
	}

	f.setDown(false)
	if err := d.sm.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	d.check(t, "Alice", "Alice", "1:secret", 1)
}

func TestRefreshSession(t *testing.T) {
	const key = "1:secret"
	f := newFakeServer(t)
	f.grant(key, newUser(1, "Alice"))
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	d.sm.RegisterSignedInUser(ctx, newUser(1, "Alice"), 1, "secret")
	d.check(t, "Alice", "Alice", key, 1)

	steps := []struct {
		name    string
		prepare func()
		wantErr bool

		wantUser, wantStored, wantKey string
		wantNotified                  int32
	}{
		{"nothing changed: no listener call", func() {}, false, "Alice", "Alice", key, 0},
		{"a new name", func() { f.rename(key, "Alicia") }, false, "Alicia", "Alicia", key, 1},
		{"offline: the state is kept", func() { f.setDown(true) }, true, "Alicia", "Alicia", key, 0},
		{"revoked elsewhere: signed out", func() {
			f.setDown(false)
			f.mu.Lock()
			delete(f.keys, key)
			f.mu.Unlock()
		}, false, "<nil>", "<nil>", "", 1},
		{"signed out: no call, no change", func() {}, false, "<nil>", "<nil>", "", 0},
	}
	for _, s := range steps {
		s.prepare()
		err := d.sm.RefreshSession(ctx)
		if (err != nil) != s.wantErr {
			t.Errorf("%s: RefreshSession() = %v, want error %v", s.name, err, s.wantErr)
		}
		t.Run(s.name, func(t *testing.T) { d.check(t, s.wantUser, s.wantStored, s.wantKey, s.wantNotified) })
	}
	if calls := f.takeCalls(); len(calls) != 4 {
		t.Errorf("calls %q; want 4 getUserInfo, none while signed out", calls)
	}
}

func TestSignOut(t *testing.T) {
	const key, other = "1:secret", "2:other-device"
	tests := []struct {
		name     string
		signOut  func(*authclient.SessionManager, context.Context) error
		down     bool
		wantCall string
		// whether the other device's key survives on the server
		wantOther bool
	}{
		{"device", (*authclient.SessionManager).SignOutDevice, false, "status.signOutDevice", true},
		{"all devices", (*authclient.SessionManager).SignOutAllDevices, false, "status.signOutAllDevices", false},
		{"deprecated signOut is all devices", (*authclient.SessionManager).SignOut, false, "status.signOutAllDevices", false},
		{"device, server down", (*authclient.SessionManager).SignOutDevice, true, "status.signOutDevice", true},
		{"all devices, server down", (*authclient.SessionManager).SignOutAllDevices, true, "status.signOutAllDevices", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeServer(t)
			f.grant(key, newUser(1, "Alice"))
			f.grant(other, newUser(1, "Alice"))
			d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
			d.sm.RegisterSignedInUser(ctx, newUser(1, "Alice"), 1, "secret")
			d.notified.Store(0)
			f.setDown(tt.down)

			err := tt.signOut(d.sm, ctx)
			if tt.down {
				var se *podclient.StatusError
				if !errors.Is(err, authclient.ErrSignOutUnconfirmed) || !errors.As(err, &se) || se.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("sign-out with the server down: %v; want ErrSignOutUnconfirmed wrapping the 503", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			// Signed out here whatever the server said.
			d.check(t, "<nil>", "<nil>", "", 1)
			if got, want := f.takeCalls(), []string{tt.wantCall + " " + key}; !slices.Equal(got, want) {
				t.Errorf("calls %q, want %q", got, want)
			}
			if f.valid(key) != tt.down {
				t.Errorf("key valid on the server = %v", f.valid(key))
			}
			if f.valid(other) != tt.wantOther {
				t.Errorf("other device's key valid = %v, want %v", f.valid(other), tt.wantOther)
			}

			// Signing out again does nothing and calls nobody.
			if err := tt.signOut(d.sm, ctx); err != nil {
				t.Errorf("second sign-out: %v", err)
			}
			d.check(t, "<nil>", "<nil>", "", 0)
			if calls := f.takeCalls(); len(calls) != 0 {
				t.Errorf("second sign-out called %q", calls)
			}
		})
	}
}

// A key held without a user (the app started offline before any user was
// stored) is still revoked on sign-out.
func TestSignOutKeyWithoutUser(t *testing.T) {
	f := newFakeServer(t)
	f.grant("1:secret", newUser(1, "Alice"))
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	d.keys.Put("1:secret")
	if err := d.sm.SignOutDevice(ctx); err != nil {
		t.Fatal(err)
	}
	d.check(t, "<nil>", "<nil>", "", 0)
	if f.valid("1:secret") {
		t.Error("the key is still valid on the server")
	}
}

// failingKeys is a key manager whose Put and Remove fail, like a key file
// in a directory that became read-only.
type failingKeys struct{ podclient.MemoryKeyManager }

var errDiskFull = errors.New("disk full")

func (*failingKeys) Put(string) error { return errDiskFull }
func (*failingKeys) Remove() error    { return errDiskFull }

func TestRegisterSignedInUser(t *testing.T) {
	f := newFakeServer(t)
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	if err := d.sm.RegisterSignedInUser(ctx, newUser(7, "Bob"), 7, "s3cret"); err != nil {
		t.Fatal(err)
	}
	// 2.4's format: the header is Basic base64("<keyId>:<key>").
	d.check(t, "Bob", "Bob", "7:s3cret", 1)
	if err := d.sm.RegisterSignedInUser(ctx, newUser(7, "Bob"), 8, "again"); err != nil {
		t.Fatal(err)
	}
	d.check(t, "Bob", "Bob", "8:again", 0)
	if err := d.sm.RegisterSignedInUser(ctx, newUser(9, "Carol"), 9, "carol"); err != nil {
		t.Fatal(err)
	}
	d.check(t, "Carol", "Carol", "9:carol", 1)

	for _, bad := range []struct {
		user *authclient.UserInfo
		key  string
	}{{nil, "k"}, {newUser(1, "x"), ""}} {
		if err := d.sm.RegisterSignedInUser(ctx, bad.user, 1, bad.key); err == nil {
			t.Errorf("RegisterSignedInUser(%v, %q) succeeded", bad.user, bad.key)
		}
	}
	d.check(t, "Carol", "Carol", "9:carol", 0)
	if len(f.takeCalls()) != 0 {
		t.Error("registering called the server")
	}
}

func TestRegisterSignedInUserKeepsStateOnError(t *testing.T) {
	f := newFakeServer(t)
	keys := &failingKeys{}
	d := newDevice(t, f, keys, authclient.NewMemoryStorage())
	if err := d.sm.RegisterSignedInUser(ctx, newUser(7, "Bob"), 7, "s3cret"); !errors.Is(err, errDiskFull) {
		t.Fatalf("RegisterSignedInUser() = %v, want the key manager's error", err)
	}
	d.check(t, "<nil>", "<nil>", "", 0)
}

// A sign-out whose key cannot be removed still signs the user out here,
// and says why the key stays.
func TestSignOutReportsLocalErrors(t *testing.T) {
	f := newFakeServer(t)
	f.grant("1:secret", newUser(1, "Alice"))
	d := newDevice(t, f, &failingKeys{}, authclient.NewMemoryStorage())
	d.keys.(*failingKeys).MemoryKeyManager.Put("1:secret")
	d.store.Save(newUser(1, "Alice"))
	if err := d.sm.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	d.notified.Store(0)
	err := d.sm.SignOutDevice(ctx)
	if !errors.Is(err, errDiskFull) || errors.Is(err, authclient.ErrSignOutUnconfirmed) {
		t.Errorf("SignOutDevice() = %v; want only the key manager's error", err)
	}
	d.check(t, "<nil>", "<nil>", "1:secret", 1)
	if f.valid("1:secret") {
		t.Error("the server did not revoke the key")
	}
}

func TestUploadUserImage(t *testing.T) {
	const key = "1:secret"
	f := newFakeServer(t)
	f.grant(key, newUser(1, "Alice"))
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	png := []byte("\x89PNG\r\n\x1a\n-not-really")

	if err := d.sm.UploadUserImage(ctx, png); !errors.Is(err, authclient.ErrNotSignedIn) {
		t.Errorf("signed out: %v, want ErrNotSignedIn", err)
	}
	if calls := f.takeCalls(); len(calls) != 0 {
		t.Errorf("signed out, the upload called %q", calls)
	}

	d.sm.RegisterSignedInUser(ctx, newUser(1, "Alice"), 1, "secret")
	d.notified.Store(0)
	if err := d.sm.UploadUserImage(ctx, png); !errors.Is(err, authclient.ErrRefused) {
		t.Errorf("refused image: %v, want ErrRefused", err)
	}
	d.check(t, "Alice", "Alice", key, 0)

	f.acceptImg = true
	if err := d.sm.UploadUserImage(ctx, png); err != nil {
		t.Fatal(err)
	}
	d.check(t, "Alice", "Alice", key, 1)
	if u := d.sm.SignedInUser(); u.ImageURL == nil || !strings.HasSuffix(*u.ImageURL, "/1-2.png") {
		t.Errorf("image URL after the upload: %v", u.ImageURL)
	}
	if s := d.stored(t); s.ImageURL == nil {
		t.Error("the stored user has no image URL")
	}
	if len(f.images) != 2 || string(f.images[1]) != string(png) {
		t.Errorf("server received %q", f.images)
	}
	want := []string{"user.setUserImage " + key, "user.setUserImage " + key, "status.getUserInfo " + key}
	if got := f.takeCalls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

func TestEmailAuthControllerSignIn(t *testing.T) {
	f := newFakeServer(t)
	f.grant("1:old", newUser(1, "Alice"))
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	c := authclient.NewEmailAuthController(d.sm)

	_, err := c.SignIn(ctx, "user1@example.com", "wrong password")
	var se *authclient.SignInError
	if !errors.As(err, &se) || se.Reason == nil || *se.Reason != authclient.AuthenticationFailReasonInvalidCredentials {
		t.Errorf("wrong password: %v; want a SignInError with invalidCredentials", err)
	}
	d.check(t, "<nil>", "<nil>", "", 0)

	u, err := c.SignIn(ctx, "user1@example.com", "right password")
	if err != nil || name(u) != "Alice" {
		t.Fatalf("SignIn() = %s, %v", name(u), err)
	}
	d.check(t, "Alice", "Alice", "101:secret1", 1)
	if !f.valid(d.key(t)) {
		t.Error("the registered key is not the one the server issued")
	}
}

func TestListeners(t *testing.T) {
	f := newFakeServer(t)
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	var order []string
	removeA := d.sm.AddListener(func() { order = append(order, "a") })
	d.sm.AddListener(func() {
		// Listeners may call the manager, and see the new state.
		order = append(order, "b:"+name(d.sm.SignedInUser()))
		if d.sm.IsSignedIn() {
			// A nested change is its own change.
			d.sm.RefreshSession(ctx)
		}
	})
	f.grant("1:secret", newUser(1, "Alice"))
	d.sm.RegisterSignedInUser(ctx, newUser(1, "Alice"), 1, "secret")
	removeA()
	removeA()
	f.rename("1:secret", "Alicia")
	d.sm.RefreshSession(ctx)
	want := []string{"a", "b:Alice", "b:Alicia"}
	if !slices.Equal(order, want) {
		t.Errorf("listener calls %q, want %q", order, want)
	}
}

// Operations run one at a time: a refresh that is waiting for the server
// when a sign-out starts cannot sign the user back in afterwards.
func TestRefreshOverlappingSignOut(t *testing.T) {
	f := newFakeServer(t)
	f.grant("1:secret", newUser(1, "Alice"))
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	d.sm.RegisterSignedInUser(ctx, newUser(1, "Alice"), 1, "secret")

	hold, arrived := make(chan struct{}), make(chan struct{})
	f.mu.Lock()
	f.hold, f.arrived = hold, arrived
	f.mu.Unlock()
	refreshed := make(chan error)
	go func() { refreshed <- d.sm.RefreshSession(ctx) }()
	<-arrived
	signedOut := make(chan error)
	go func() { signedOut <- d.sm.SignOutDevice(ctx) }()
	close(hold)
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
	if err := <-signedOut; err != nil {
		t.Fatal(err)
	}
	if d.sm.IsSignedIn() || d.key(t) != "" {
		t.Errorf("after sign-out: signed in %v, key %q", d.sm.IsSignedIn(), d.key(t))
	}
	want := []string{"status.getUserInfo 1:secret", "status.signOutDevice 1:secret"}
	if got := f.takeCalls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

// A cancelled context stops a call that waits for another operation.
func TestWaitHonoursContext(t *testing.T) {
	f := newFakeServer(t)
	f.grant("1:secret", newUser(1, "Alice"))
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	d.sm.RegisterSignedInUser(ctx, newUser(1, "Alice"), 1, "secret")
	hold, arrived := make(chan struct{}), make(chan struct{})
	f.mu.Lock()
	f.hold, f.arrived = hold, arrived
	f.mu.Unlock()
	done := make(chan error)
	go func() { done <- d.sm.RefreshSession(ctx) }()
	<-arrived
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := d.sm.SignOutDevice(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("SignOutDevice(cancelled) = %v", err)
	}
	close(hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !d.sm.IsSignedIn() {
		t.Error("the cancelled sign-out signed the user out")
	}
}

// Run with -race: listeners come and go while the state changes.
func TestConcurrentUse(t *testing.T) {
	f := newFakeServer(t)
	f.grant("1:secret", newUser(1, "Alice"))
	d := newDevice(t, f, podclient.NewMemoryKeyManager(), authclient.NewMemoryStorage())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 20 {
				remove := d.sm.AddListener(func() { d.sm.SignedInUser() })
				switch i % 4 {
				case 0:
					d.sm.RegisterSignedInUser(ctx, newUser(1, "Alice"), 1, "secret")
				case 1:
					d.sm.RefreshSession(ctx)
				case 2:
					d.sm.SignOutDevice(ctx)
					f.grant("1:secret", newUser(1, "Alice"))
				case 3:
					_ = d.sm.IsSignedIn()
				}
				remove()
			}
		})
	}
	wg.Wait()
	// Whatever the interleaving, a signed-in user has a key.
	if d.sm.IsSignedIn() && d.key(t) == "" {
		t.Error("signed in without a key")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
