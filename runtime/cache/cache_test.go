package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestLocalExpiresAndEvicts(t *testing.T) {
	now := time.Unix(1000, 0)
	c := NewLocal[int](2)
	c.SetClock(func() time.Time { return now })
	c.Put("a", 1, time.Minute)
	c.Put("b", 2, time.Second)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("a = %v %v", v, ok)
	}
	now = now.Add(2 * time.Second)
	if _, ok := c.Get("b"); ok {
		t.Fatal("b outlived its lifetime")
	}
	c.Put("c", 3, time.Minute)
	c.Put("d", 4, time.Minute) // evicts a, the least recently used
	if _, ok := c.Get("a"); ok || c.Len() != 2 {
		t.Fatalf("eviction: len %d", c.Len())
	}
	c.Invalidate("c")
	if _, ok := c.Get("c"); ok {
		t.Fatal("invalidated entry still there")
	}
	c.Put("a", 5, time.Minute)
	c.Put("a", 6, time.Minute)
	if v, _ := c.Get("a"); v != 6 {
		t.Fatalf("overwrite: %d", v)
	}
	c.Clear()
	if c.Len() != 0 {
		t.Fatal("clear left entries")
	}
}

func TestGlobal(t *testing.T) {
	addr := os.Getenv("GOPOD_TEST_REDIS")
	if addr == "" {
		addr = "localhost:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("these tests need Redis at %s: %v", addr, err)
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	g := NewGlobal(rdb, "gopod:test:"+hex.EncodeToString(suffix)+":")
	if _, ok, err := g.Get(ctx, "k"); ok || err != nil {
		t.Fatalf("missing key: %v %v", ok, err)
	}
	if err := g.Put(ctx, "k", []byte(`{"a":1}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := g.Get(ctx, "k"); !ok || err != nil || string(v) != `{"a":1}` {
		t.Fatalf("get: %s %v %v", v, ok, err)
	}
	if err := g.Invalidate(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := g.Get(ctx, "k"); ok {
		t.Fatal("invalidated key still there")
	}
	g.Put(ctx, "short", []byte("x"), 50*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok, _ := g.Get(ctx, "short"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("entry never expired")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
