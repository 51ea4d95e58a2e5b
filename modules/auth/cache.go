package auth

import (
	"sync"
	"time"
)

// cache keeps values for a lifetime. Removals bump a generation, and a
// value read from the database before a removal is not stored after it:
// otherwise a request that loaded a key just before a sign-out deleted it
// could put it back for a whole lifetime.
type cache[K comparable, V any] struct {
	mu        sync.RWMutex
	entries   map[K]cacheEntry[V]
	gen       uint64
	nextSweep time.Time
}

type cacheEntry[V any] struct {
	value   V
	expires time.Time
}

func newCache[K comparable, V any]() *cache[K, V] {
	return &cache[K, V]{entries: map[K]cacheEntry[V]{}}
}

// get returns the value for k if it has not expired at now.
func (c *cache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.entries[k]
	c.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

// generation is read before loading a value from the database, and passed
// to put.
func (c *cache[K, V]) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put stores v unless something was removed since gen was read.
func (c *cache[K, V]) put(k K, v V, gen uint64, now time.Time, lifetime time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if now.After(c.nextSweep) {
		for key, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, key)
			}
		}
		c.nextSweep = now.Add(lifetime)
	}
	c.entries[k] = cacheEntry[V]{value: v, expires: now.Add(lifetime)}
}

// remove drops the values for which match is true.
func (c *cache[K, V]) remove(match func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if match(k, e.value) {
			delete(c.entries, k)
		}
	}
}

// removeKey drops the value for k.
func (c *cache[K, V]) removeKey(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, k)
}
