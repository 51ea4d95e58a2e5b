package auth

import (
	"context"
	"encoding/json"
)

// revocationChannel carries what this module's caches must forget. Posted
// through the server's messages, it reaches this server's caches at once
// and, when the servers share a Redis, every other server's: a sign-out or a
// block made on one server holds on all of them without waiting for the
// caches to lapse.
const revocationChannel = "serverpod_auth.revocations"

// revocation names cached state that is no longer true.
type revocation struct {
	// KeyIDs are auth keys that were deleted.
	KeyIDs []int64 `json:"keyIds,omitempty"`
	// KeysOf is a user all of whose keys were deleted or changed.
	KeysOf int64 `json:"keysOf,omitempty"`
	// User is a user whose row changed (blocked, renamed, new scopes).
	User int64 `json:"user,omitempty"`
}

// announce makes every server forget r. Without the server's messages
// (before the module met its server) it forgets locally.
func (m *Module) announce(ctx context.Context, r revocation) {
	central := m.central
	if central == nil {
		m.forget(r)
		return
	}
	payload, _ := json.Marshal(r) // plain integers always encode
	if err := central.Post(ctx, revocationChannel, payload, true); err != nil {
		// This server forgot already; the others' caches lapse within
		// UserInfoCacheLifetime.
		m.log.Warn("auth module: telling the other servers about a sign-out failed", "error", err)
	}
}

// onRevocation is the listener of revocationChannel.
func (m *Module) onRevocation(payload []byte) {
	var r revocation
	if err := json.Unmarshal(payload, &r); err != nil {
		m.log.Warn("auth module: ignoring a malformed revocation", "error", err)
		return
	}
	m.forget(r)
}

func (m *Module) forget(r revocation) {
	for _, id := range r.KeyIDs {
		m.keys.removeKey(id)
	}
	if r.KeysOf != 0 {
		m.keys.remove(func(_ int64, k *cachedKey) bool { return k.userID == r.KeysOf })
	}
	if r.User != 0 {
		m.users.removeKey(r.User)
	}
}
