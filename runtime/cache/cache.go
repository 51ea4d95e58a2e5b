// Package cache holds values for a while: Local in this process, Global in
// Redis shared by every server. They are Serverpod's local and global
// caches; entries expire after their lifetime and can be invalidated at
// once (messages carry invalidations between servers).
package cache

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Local is an in-process cache with a lifetime per entry and a bounded
// size; when full, the least recently used entry goes.
type Local[V any] struct {
	mu    sync.Mutex
	max   int
	items map[string]*list.Element
	order *list.List // front is the most recently used
	now   func() time.Time
}

type entry[V any] struct {
	key     string
	value   V
	expires time.Time
}

// NewLocal returns a cache of at most max entries.
func NewLocal[V any](max int) *Local[V] {
	return &Local[V]{max: max, items: map[string]*list.Element{}, order: list.New(), now: time.Now}
}

// SetClock replaces the clock (for tests).
func (c *Local[V]) SetClock(now func() time.Time) { c.now = now }

// Get returns the value under key unless it is missing or expired.
func (c *Local[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	e := el.Value.(*entry[V])
	if !c.now().Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return zero, false
	}
	c.order.MoveToFront(el)
	return e.value, true
}

// Put stores value under key for lifetime.
func (c *Local[V]) Put(key string, value V, lifetime time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	expires := c.now().Add(lifetime)
	if el, ok := c.items[key]; ok {
		e := el.Value.(*entry[V])
		e.value, e.expires = value, expires
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&entry[V]{key: key, value: value, expires: expires})
	for c.max > 0 && c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*entry[V]).key)
	}
}

// Invalidate removes key.
func (c *Local[V]) Invalidate(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
}

// Clear removes every entry.
func (c *Local[V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = map[string]*list.Element{}
	c.order.Init()
}

// Len returns the number of entries, expired ones included.
func (c *Local[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// Global is a cache in Redis, shared by every server. Values are bytes
// (encode models with package wire).
type Global struct {
	// store is the Redis client behind an interface: a *redis.Client
	// field would make go-redis part of Global's type, which every package
	// reaching *Global (through *pod.Server, say) reads from export data,
	// and each of them would compile go-redis's generic instantiations anew.
	store  globalStore
	prefix string
}

// globalStore is what Global needs of Redis.
type globalStore interface {
	get(ctx context.Context, key string) (value []byte, found bool, err error)
	set(ctx context.Context, key string, value []byte, lifetime time.Duration) error
	del(ctx context.Context, key string) error
}

// NewGlobal returns a cache in rdb whose keys start with prefix.
func NewGlobal(rdb *redis.Client, prefix string) *Global {
	return &Global{store: redisStore{rdb}, prefix: prefix}
}

// Get returns the value under key; false when missing or expired.
func (g *Global) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, found, err := g.store.get(ctx, g.prefix+key)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s from the global cache: %w", key, err)
	}
	return v, found, nil
}

// Put stores value under key for lifetime.
func (g *Global) Put(ctx context.Context, key string, value []byte, lifetime time.Duration) error {
	if err := g.store.set(ctx, g.prefix+key, value, lifetime); err != nil {
		return fmt.Errorf("writing %s to the global cache: %w", key, err)
	}
	return nil
}

// Invalidate removes key.
func (g *Global) Invalidate(ctx context.Context, key string) error {
	if err := g.store.del(ctx, g.prefix+key); err != nil {
		return fmt.Errorf("removing %s from the global cache: %w", key, err)
	}
	return nil
}

// redisStore is the globalStore of a Redis client.
type redisStore struct{ rdb *redis.Client }

func (s redisStore) get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

func (s redisStore) set(ctx context.Context, key string, value []byte, lifetime time.Duration) error {
	return s.rdb.Set(ctx, key, value, lifetime).Err()
}

func (s redisStore) del(ctx context.Context, key string) error {
	return s.rdb.Del(ctx, key).Err()
}
