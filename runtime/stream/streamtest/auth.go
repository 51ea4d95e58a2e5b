package streamtest

import (
	"sync"

	"github.com/gopod/gopod/runtime/pod"
)

// Keys is an authentication handler over a table of keys that a test
// fills and revokes. A key's AuthID is the key itself.
type Keys struct {
	mu   sync.Mutex
	keys map[string]*pod.AuthenticationInfo
}

// NewKeys returns an empty table.
func NewKeys() *Keys { return &Keys{keys: map[string]*pod.AuthenticationInfo{}} }

// Add makes key sign in userID with scopes.
func (k *Keys) Add(key string, userID int64, scopes ...string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[key] = &pod.AuthenticationInfo{UserID: userID, Scopes: scopes, AuthID: key}
}

// Revoke makes key sign in no one.
func (k *Keys) Revoke(key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, key)
}

// Handler is the server's authentication handler.
func (k *Keys) Handler(_ *pod.Session, key string) (*pod.AuthenticationInfo, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[key], nil
}
