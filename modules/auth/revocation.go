package auth

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/gopod/gopod/modules/auth/protocol"
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
	// All is everything: more revocations failed to reach Redis than a
	// server keeps to send again.
	All bool `json:"all,omitempty"`
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
		// This server forgot already. The others hear of it when Redis
		// is back: this server sends it again then, and a server whose
		// own subscription broke meanwhile forgets everything (resync).
		m.pending.add(r)
		m.log.Warn("auth module: telling the other servers about a sign-out failed; it is sent again when Redis is back", "error", err)
	}
}

// resync runs when the server's Redis subscription is back after a gap:
// revocations other servers posted meanwhile were missed, so every cached
// key and user is dropped (they are read again from the database), and
// the revocations this server could not send are sent now.
func (m *Module) resync() {
	m.forget(revocation{All: true})
	list := m.pending.take()
	if len(list) == 0 || m.central == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, r := range list {
		payload, _ := json.Marshal(r)
		if err := m.central.Post(ctx, revocationChannel, payload, true); err != nil {
			for _, r := range list[i:] {
				m.pending.add(r)
			}
			m.log.Warn("auth module: sending the sign-outs made while Redis was away failed", "error", err)
			return
		}
	}
	m.log.Info("auth module: sent the sign-outs made while Redis was away", "count", len(list))
}

// maxPending bounds the revocations a server keeps to send again; past it
// they become one revocation of everything.
const maxPending = 1024

// pendingRevocations are revocations waiting for Redis.
type pendingRevocations struct {
	mu   sync.Mutex
	list []revocation
}

func (p *pendingRevocations) add(r revocation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case len(p.list) == 1 && p.list[0].All:
		// Everything is forgotten already; r adds nothing.
	case len(p.list) >= maxPending:
		p.list = []revocation{{All: true}}
	default:
		p.list = append(p.list, r)
	}
}

func (p *pendingRevocations) take() []revocation {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.list
	p.list = nil
	return list
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
	if r.All {
		m.keys.remove(func(int64, *cachedKey) bool { return true })
		m.users.remove(func(int64, *protocol.UserInfo) bool { return true })
		return
	}
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
