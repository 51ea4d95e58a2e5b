package authclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	podclient "github.com/gopod/gopod/client"

	"github.com/gopod/gopod/wire"
)

// Errors of the SessionManager and EmailAuthController, for errors.Is.
var (
	// ErrNotSignedIn: the call needs a signed-in user.
	ErrNotSignedIn = errors.New("not signed in")
	// ErrSignOutUnconfirmed: the local key and user were removed, but the
	// server did not confirm the sign-out, so the key may stay valid on
	// the server until it is signed out from another device (all devices)
	// or expires. The error also wraps why the server call failed.
	ErrSignOutUnconfirmed = errors.New("signed out on this device, but the server did not confirm the sign-out")
	// ErrRefused: the server answered false or null. Serverpod 2.4's
	// endpoints give no reason, so neither can the client.
	ErrRefused = errors.New("refused by the server")
)

// SignInError is a sign-in the server refused.
type SignInError struct {
	// Reason is why, when the server said; nil otherwise.
	Reason *AuthenticationFailReason
}

func (e *SignInError) Error() string {
	if e.Reason == nil {
		return "sign-in failed"
	}
	return "sign-in failed: " + e.Reason.String()
}

// SessionManager keeps track of the signed-in user of a Go app, as
// serverpod_auth_shared_flutter's SessionManager does for Flutter apps: it
// holds the authentication key (in the caller's key manager, as
// "<keyId>:<key>") and the user's UserInfo (in a Storage), checks them with
// the server, signs out, and tells listeners when the signed-in user
// changes.
//
// It differs from the 2.4 Flutter class where that one surprises its
// users: a key the server no longer accepts is removed rather than sent on
// every call; listeners hear of each change once (start-up included); a
// sign-out removes the local key and user even when the server cannot be
// reached, and says so with ErrSignOutUnconfirmed; failures are errors
// rather than false.
//
// When the key changes (a sign-in, a sign-out, a key the server refused),
// the caller's open streams move to a connection with the new key, as
// 2.4's SessionManager refreshes its streaming connection: a stream without
// input streams is opened again under the new identity and goes on, and
// one with input streams ends with client.ErrStreamsReconnected (see
// client.Caller.ReconnectStreams). A stream that requires login ends with
// an error on sign-out.
//
// A SessionManager is safe for concurrent use. Its operations that change
// the state run one at a time, so a refresh that overlaps a sign-out
// cannot sign the user back in.
type SessionManager struct {
	caller *Caller
	keys   podclient.AuthKeyManager
	store  Storage

	// ops admits one state-changing operation at a time; it is a channel
	// rather than a mutex so that waiting for it honours the context.
	ops chan struct{}

	mu        sync.Mutex // guards the fields below
	user      *UserInfo
	listeners []listener
	nextID    int
}

type listener struct {
	id int
	fn func()
}

// NewSessionManager returns a manager for the module's caller. keys must
// be the key manager the caller's client.Caller sends keys from (nil means
// exactly that one); store keeps the user between runs (nil keeps it in
// memory). Call Initialize before use.
func NewSessionManager(caller *Caller, keys podclient.AuthKeyManager, store Storage) *SessionManager {
	if keys == nil {
		keys = caller.Status.caller.AuthKeyManager()
	}
	if store == nil {
		store = NewMemoryStorage()
	}
	return &SessionManager{caller: caller, keys: keys, store: store, ops: make(chan struct{}, 1)}
}

// Caller returns the module's caller the manager calls through.
func (m *SessionManager) Caller() *Caller { return m.caller }

// IsSignedIn reports whether a user is signed in.
func (m *SessionManager) IsSignedIn() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.user != nil
}

// SignedInUser returns a copy of the signed-in user, nil when signed out.
func (m *SessionManager) SignedInUser() *UserInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	return cloneUser(m.user)
}

// AddListener calls fn once after each change of the signed-in user
// (sign-in, sign-out, a changed UserInfo), on the goroutine that made the
// change; fn may call the manager. The returned function removes the
// listener (a call already under way still completes); calling it again
// does nothing.
func (m *SessionManager) AddListener(fn func()) (remove func()) {
	if fn == nil {
		return func() {}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextID++
	id := m.nextID
	m.listeners = append(m.listeners, listener{id: id, fn: fn})
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		for i, l := range m.listeners {
			if l.id == id {
				// A fresh slice: notify may be ranging over the old one.
				m.listeners = append(m.listeners[:i:i], m.listeners[i+1:]...)
				return
			}
		}
	}
}

// Initialize restores the stored key and user, then checks them with the
// server (status.getUserInfo): the user the server names is stored, and a
// key the server no longer accepts is removed together with the user.
// Listeners are called once if the signed-in user changes.
//
// When the server cannot be reached, the stored user stays signed in (an
// app can start offline) and the error says why the check failed; call
// RefreshSession later.
func (m *SessionManager) Initialize(ctx context.Context) error {
	return m.do(ctx, func() error {
		key, err := m.keys.Get()
		if err != nil {
			return fmt.Errorf("initializing the session: %w", err)
		}
		stored, loadErr := m.store.Load()
		if key == "" {
			// A user without a key cannot be signed in; forget it.
			m.setUser(nil)
			if stored != nil || loadErr != nil {
				if err := m.store.Remove(); err != nil {
					return fmt.Errorf("initializing the session: %w", err)
				}
			}
			return nil
		}
		if stored != nil {
			m.setUser(stored)
		}
		if err := m.refresh(ctx); err != nil {
			return fmt.Errorf("initializing the session: %w", errors.Join(err, loadErr))
		}
		// The server's answer replaced whatever the file held, so a
		// broken file is mended and not worth an error.
		return nil
	})
}

// RefreshSession checks the key with the server and updates the user: a
// key the server no longer accepts (revoked, expired, user blocked) is
// removed and the user signed out. On an error (server unreachable) the
// state is kept.
func (m *SessionManager) RefreshSession(ctx context.Context) error {
	return m.do(ctx, func() error {
		if err := m.refresh(ctx); err != nil {
			return fmt.Errorf("refreshing the session: %w", err)
		}
		return nil
	})
}

// refresh asks the server who the key belongs to and records the answer.
func (m *SessionManager) refresh(ctx context.Context) error {
	key, err := m.keys.Get()
	if err != nil {
		return err
	}
	if key == "" {
		return m.signOutLocally()
	}
	user, err := m.caller.Status.GetUserInfo(ctx)
	if errors.Is(err, podclient.ErrUnauthorized) {
		// getUserInfo needs no login, but a server may still refuse a key
		// outright; either way the key is no good.
		user, err = nil, nil
	}
	if err != nil {
		return err
	}
	if user == nil {
		return m.signOutLocally()
	}
	m.setUser(user)
	if err := m.store.Save(user); err != nil {
		return fmt.Errorf("the session is current, but %w", err)
	}
	return nil
}

// RegisterSignedInUser records a sign-in: the key is stored as
// "<keyId>:<key>", the format Serverpod 2.4's clients use, and the user
// saved. Listeners are called if the signed-in user changes. On an error
// nothing changes.
func (m *SessionManager) RegisterSignedInUser(ctx context.Context, user *UserInfo, keyID int64, key string) error {
	if user == nil {
		return errors.New("registering a signed-in user: the user is missing")
	}
	if key == "" {
		return errors.New("registering a signed-in user: the key is empty")
	}
	return m.do(ctx, func() error {
		// The user is saved first: a user without a key is discarded on
		// the next start, whereas a key without a user would be kept.
		if err := m.store.Save(user); err != nil {
			return fmt.Errorf("registering a signed-in user: %w", err)
		}
		if err := m.keys.Put(fmt.Sprintf("%d:%s", keyID, key)); err != nil {
			err = fmt.Errorf("registering a signed-in user: storing the key: %w", err)
			if prev := m.SignedInUser(); prev != nil {
				return errors.Join(err, m.store.Save(prev))
			}
			return errors.Join(err, m.store.Remove())
		}
		m.setUser(user)
		return nil
	})
}

// RegisterResponse records the answer of a sign-in endpoint (email,
// Google, Apple or Firebase authenticate) and returns the user, or a
// *SignInError when the server refused the sign-in.
func (m *SessionManager) RegisterResponse(ctx context.Context, r AuthenticationResponse) (*UserInfo, error) {
	if !r.Success || r.UserInfo == nil || r.KeyID == nil || r.Key == nil {
		return nil, &SignInError{Reason: r.FailReason}
	}
	if err := m.RegisterSignedInUser(ctx, r.UserInfo, *r.KeyID, *r.Key); err != nil {
		return nil, err
	}
	return cloneUser(r.UserInfo), nil
}

// SignOutDevice signs this device out: the server revokes its key, and
// the key and user are removed here. When the server cannot confirm it,
// the local state is removed all the same and the error wraps
// ErrSignOutUnconfirmed. Signing out while signed out does nothing.
func (m *SessionManager) SignOutDevice(ctx context.Context) error {
	return m.signOut(ctx, "signing out this device", m.caller.Status.SignOutDevice)
}

// SignOutAllDevices signs the user out on every device: the server
// revokes all the user's keys. Local state is handled as SignOutDevice
// does.
func (m *SessionManager) SignOutAllDevices(ctx context.Context) error {
	return m.signOut(ctx, "signing out all devices", m.caller.Status.SignOutAllDevices)
}

// SignOut signs the user out on every device, as 2.4's SessionManager
// does (it calls status.signOutAllDevices, whatever the server's legacy
// sign-out setting).
//
// Deprecated: Use SignOutDevice or SignOutAllDevices.
func (m *SessionManager) SignOut(ctx context.Context) error {
	return m.SignOutAllDevices(ctx)
}

func (m *SessionManager) signOut(ctx context.Context, what string, call func(context.Context) error) error {
	return m.do(ctx, func() error {
		key, err := m.keys.Get()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if key == "" && !m.IsSignedIn() {
			return nil
		}
		var serverErr error
		if key != "" {
			if err := call(ctx); err != nil {
				serverErr = fmt.Errorf("%s: %w: %w", what, ErrSignOutUnconfirmed, err)
			}
		}
		// What the user asked for happens here whatever the server said.
		if err := m.signOutLocally(); err != nil {
			return errors.Join(serverErr, fmt.Errorf("%s: %w", what, err))
		}
		return serverErr
	})
}

// signOutLocally forgets the key and the user. The user is signed out in
// memory even when the files cannot be removed.
func (m *SessionManager) signOutLocally() error {
	m.setUser(nil)
	return errors.Join(m.keys.Remove(), m.store.Remove())
}

// UploadUserImage makes image (PNG, JPEG or GIF bytes) the user's image
// (user.setUserImage) and fetches the user with the new image URL. It
// returns ErrNotSignedIn without a user, and ErrRefused when the server
// rejects the image (not an image, too large, or images disabled).
func (m *SessionManager) UploadUserImage(ctx context.Context, image []byte) error {
	return m.do(ctx, func() error {
		if !m.IsSignedIn() {
			return fmt.Errorf("uploading the user image: %w", ErrNotSignedIn)
		}
		ok, err := m.caller.User.SetUserImage(ctx, image)
		if err != nil {
			return fmt.Errorf("uploading the user image: %w", err)
		}
		if !ok {
			return fmt.Errorf("uploading the user image: %w", ErrRefused)
		}
		if err := m.refresh(ctx); err != nil {
			return fmt.Errorf("the user image was uploaded, but refreshing the user: %w", err)
		}
		return nil
	})
}

// do runs op as the only state-changing operation, then calls the
// listeners once if the signed-in user is not what it was before. The
// listeners run after the operation has let go, so they may call the
// manager.
func (m *SessionManager) do(ctx context.Context, op func() error) error {
	select {
	case m.ops <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	before := m.SignedInUser()
	keyBefore, beforeErr := m.keys.Get()
	err := op()
	if keyAfter, afterErr := m.keys.Get(); beforeErr == nil && afterErr == nil && keyAfter != keyBefore {
		// Failures reach each stream's range; the sign-in or sign-out
		// itself happened.
		_ = m.caller.Status.caller.ReconnectStreams(ctx)
	}
	changed := m.userDiffers(before)
	<-m.ops
	if changed {
		m.notify()
	}
	return err
}

// setUser replaces the signed-in user.
func (m *SessionManager) setUser(u *UserInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.user = cloneUser(u)
}

// userDiffers reports whether the signed-in user differs from u.
func (m *SessionManager) userDiffers(u *UserInfo) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !sameUser(m.user, u)
}

func (m *SessionManager) notify() {
	m.mu.Lock()
	ls := m.listeners
	m.mu.Unlock()
	for _, l := range ls {
		l.fn()
	}
}

// sameUser compares users by their JSON, which covers every field.
func sameUser(a, b *UserInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	ja, errA := wire.MarshalModel(a)
	jb, errB := wire.MarshalModel(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
