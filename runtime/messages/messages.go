// Package messages delivers messages between the parts of a server and,
// when Redis is configured, between servers: a sign-out on one server
// reaches the caches of every server. It plays the part of Serverpod's
// MessageCentral.
//
// Every message is delivered to this server's listeners at once; a global
// message is also published to Redis, and the other servers deliver it to
// theirs. Without Redis a single server still works.
package messages

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix keeps gopod's channels apart from anything else in the
// Redis.
const DefaultPrefix = "gopod:messages:"

// Central routes messages to listeners by channel name.
type Central struct {
	origin string
	// broker carries the messages between servers, nil without Redis. It
	// is an interface so that go-redis is not part of Central's type:
	// every package reaching *Central (through *pod.Server, say) reads
	// that type from export data, and with a *redis.Client field would
	// compile go-redis's generic instantiations anew.
	broker broker
	log    *slog.Logger
	prefix string
	// ready is closed once the first Redis subscription is in place.
	ready     chan struct{}
	readyOnce sync.Once

	// subscribed is set once a subscription has been in place, so that
	// a later one is known to follow a gap.
	subscribed atomic.Bool

	mu         sync.RWMutex
	listeners  map[string]map[int]func([]byte)
	reconnects map[int]func()
	nextID     int
}

// broker is what Central needs of Redis.
type broker interface {
	publish(ctx context.Context, channel string, data []byte) error
	// receive holds one subscription to the channels of c until it
	// fails or ctx ends.
	receive(ctx context.Context, c *Central)
}

// Option configures a Central.
type Option func(*Central)

// WithPrefix names the Redis channels prefix+channel (default
// DefaultPrefix): servers see each other's messages only when they share
// the prefix.
func WithPrefix(prefix string) Option { return func(c *Central) { c.prefix = prefix } }

// New returns a central. origin identifies this server in published
// messages (it must differ between servers sharing the Redis); rdb may be
// nil for a single server.
func New(origin string, rdb *redis.Client, log *slog.Logger, opts ...Option) *Central {
	if log == nil {
		log = slog.Default()
	}
	c := &Central{origin: origin, log: log, prefix: DefaultPrefix, ready: make(chan struct{}), listeners: map[string]map[int]func([]byte){}}
	for _, o := range opts {
		o(c)
	}
	if rdb == nil {
		close(c.ready)
	} else {
		c.broker = redisBroker{rdb}
	}
	return c
}

// Ready is closed once messages from other servers are received: at
// once without Redis, else when Run has subscribed.
func (c *Central) Ready() <-chan struct{} { return c.ready }

// envelope is what travels through Redis.
type envelope struct {
	Origin  string          `json:"origin"`
	Payload json.RawMessage `json:"payload"`
}

// Listen calls fn with the payload of every message posted on channel,
// until the returned function is called.
func (c *Central) Listen(channel string, fn func(payload []byte)) (stop func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	id := c.nextID
	if c.listeners[channel] == nil {
		c.listeners[channel] = map[int]func([]byte){}
	}
	c.listeners[channel][id] = fn
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.listeners[channel], id)
		if len(c.listeners[channel]) == 0 {
			delete(c.listeners, channel)
		}
	}
}

// OnReconnect calls fn each time the subscription to Redis is back after
// it was lost (Redis restarted, the connection broke): messages other
// servers posted meanwhile were not received, so state they would have
// invalidated, such as cached sign-ins, must be treated as stale. It is
// called until the returned function is called.
func (c *Central) OnReconnect(fn func()) (stop func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	id := c.nextID
	if c.reconnects == nil {
		c.reconnects = map[int]func(){}
	}
	c.reconnects[id] = fn
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.reconnects, id)
	}
}

// reconnected tells the OnReconnect listeners that messages may have been
// missed.
func (c *Central) reconnected() {
	c.log.Warn("the Redis subscription is back; messages other servers posted while it was lost were missed")
	c.mu.RLock()
	fns := make([]func(), 0, len(c.reconnects))
	for _, fn := range c.reconnects {
		fns = append(fns, fn)
	}
	c.mu.RUnlock()
	for _, fn := range fns {
		fn()
	}
}

// Listening returns how many listeners channel has on this server.
func (c *Central) Listening(channel string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.listeners[channel])
}

func (c *Central) deliver(channel string, payload []byte) {
	c.mu.RLock()
	fns := make([]func([]byte), 0, len(c.listeners[channel]))
	for _, fn := range c.listeners[channel] {
		fns = append(fns, fn)
	}
	c.mu.RUnlock()
	for _, fn := range fns {
		fn(payload)
	}
}

// Post delivers payload (JSON) to this server's listeners of channel, and
// when global, to every other server's through Redis. An error means the
// message could not be published to the other servers; local listeners
// have received it regardless.
func (c *Central) Post(ctx context.Context, channel string, payload []byte, global bool) error {
	c.deliver(channel, payload)
	if !global || c.broker == nil {
		return nil
	}
	data, err := json.Marshal(envelope{Origin: c.origin, Payload: payload})
	if err != nil {
		return fmt.Errorf("encoding message for %s: %w", channel, err)
	}
	if err := c.broker.publish(ctx, c.prefix+channel, data); err != nil {
		return fmt.Errorf("publishing message on %s: %w", channel, err)
	}
	return nil
}

// Run receives the other servers' messages from Redis until ctx ends. It
// returns at once without Redis. Subscribing is retried when Redis goes
// away, so a restart of Redis does not silence a server.
func (c *Central) Run(ctx context.Context) {
	if c.broker == nil {
		return
	}
	for ctx.Err() == nil {
		c.broker.receive(ctx, c)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// redisBroker is the broker of a Redis client.
type redisBroker struct{ rdb *redis.Client }

func (b redisBroker) publish(ctx context.Context, channel string, data []byte) error {
	return b.rdb.Publish(ctx, channel, data).Err()
}

func (b redisBroker) receive(ctx context.Context, c *Central) {
	sub := b.rdb.PSubscribe(ctx, escapeGlob(c.prefix)+"*")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		if ctx.Err() == nil {
			c.log.Warn("subscribing to Redis messages", "error", err)
		}
		return
	}
	c.readyOnce.Do(func() { close(c.ready) })
	if c.subscribed.Swap(true) {
		c.reconnected() // an earlier subscription failed
	}
	// go-redis resubscribes by itself when the connection breaks; the
	// subscription confirmations it then receives are the only sign of
	// the gap, so the channel carries them too.
	ch := sub.ChannelWithSubscriptions()
	for {
		select {
		case <-ctx.Done():
			return
		case v, ok := <-ch:
			if !ok {
				return
			}
			m, isMessage := v.(*redis.Message)
			if !isMessage {
				c.reconnected()
				continue
			}
			var env envelope
			if err := json.Unmarshal([]byte(m.Payload), &env); err != nil {
				c.log.Warn("ignoring a malformed message from Redis", "channel", m.Channel, "error", err)
				continue
			}
			if env.Origin == c.origin {
				continue // delivered locally when posted
			}
			c.deliver(strings.TrimPrefix(m.Channel, c.prefix), env.Payload)
		}
	}
}

// escapeGlob quotes the characters Redis patterns treat specially, so that
// a prefix matches only itself.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
