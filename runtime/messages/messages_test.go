package messages

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	addr := os.Getenv("GOPOD_TEST_REDIS")
	if addr == "" {
		addr = "localhost:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("these tests need Redis at %s (.ci/run starts it; GOPOD_TEST_REDIS points elsewhere): %v", addr, err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// collector records payloads from a listener.
type collector struct {
	mu  sync.Mutex
	got []string
	ch  chan struct{}
}

func newCollector() *collector { return &collector{ch: make(chan struct{}, 16)} }

func (c *collector) add(p []byte) {
	c.mu.Lock()
	c.got = append(c.got, string(p))
	c.mu.Unlock()
	c.ch <- struct{}{}
}

func (c *collector) wait(t *testing.T, n int) []string {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-c.ch:
		case <-time.After(5 * time.Second):
			t.Fatalf("received %d of %d messages", i, n)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

func TestLocalDelivery(t *testing.T) {
	c := New("a", nil, slog.New(slog.DiscardHandler))
	got := newCollector()
	stop := c.Listen("revoked_user_7", got.add)
	if err := c.Post(context.Background(), "revoked_user_7", []byte(`{}`), true); err != nil {
		t.Fatal(err)
	}
	if m := got.wait(t, 1); m[0] != `{}` {
		t.Fatalf("got %v", m)
	}
	stop()
	c.Post(context.Background(), "revoked_user_7", []byte(`{"again":true}`), false)
	if len(got.got) != 1 {
		t.Fatal("a stopped listener still receives")
	}
}

// TestAcrossServers: two centrals sharing Redis stand for two servers; a
// global message posted on one reaches the other exactly once, and the
// poster's own listeners once.
func TestAcrossServers(t *testing.T) {
	rdb := redisClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	channel := "test_" + hex.EncodeToString(suffix)
	a := New("server-a", rdb, slog.New(slog.DiscardHandler))
	b := New("server-b", rdb, slog.New(slog.DiscardHandler))
	go a.Run(ctx)
	go b.Run(ctx)

	atA, atB := newCollector(), newCollector()
	a.Listen(channel, atA.add)
	b.Listen(channel, atB.add)
	// The subscriptions start asynchronously: post until B hears one.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err := a.Post(ctx, channel, []byte(`"probe"`), true); err != nil {
			t.Fatal(err)
		}
		select {
		case <-atB.ch:
		case <-time.After(100 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("server B never received a global message")
			}
			continue
		}
		break
	}
	atA.mu.Lock()
	probes := len(atA.got)
	atA.mu.Unlock()
	for i := 0; i < probes; i++ {
		<-atA.ch
	}

	a.Post(ctx, channel, []byte(`"global"`), true)
	a.Post(ctx, channel, []byte(`"local"`), false)
	atA.wait(t, 2)
	m := atB.wait(t, 1)
	if m[len(m)-1] != `"global"` {
		t.Errorf("B received %v", m)
	}
	select {
	case <-atB.ch:
		t.Errorf("B received more than the global message: %v", atB.got)
	case <-time.After(300 * time.Millisecond):
	}
}

// killSubscription closes the Redis connections of the client named name
// that are subscribed (its own, never another's), as a Redis restart or a
// broken network would.
func killSubscription(t *testing.T, admin *redis.Client, name string) {
	t.Helper()
	list, err := admin.Do(context.Background(), "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		fields := map[string]string{}
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			fields[k] = v
		}
		if fields["name"] != name {
			continue
		}
		if err := admin.Do(context.Background(), "CLIENT", "KILL", "ID", fields["id"]).Err(); err != nil {
			t.Fatal(err)
		}
		killed++
	}
	if killed == 0 {
		t.Fatalf("no subscribed connection named %s", name)
	}
}

// TestReconnectIsAnnounced: when the subscription breaks and go-redis
// restores it by itself, the messages posted in between are lost, so the
// central says so; messages flow again afterwards.
func TestReconnectIsAnnounced(t *testing.T) {
	admin := redisClient(t)
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "gopod-messages-test-" + hex.EncodeToString(suffix)
	prefix := "gopod:test:" + name + ":"
	rdb := redis.NewClient(&redis.Options{Addr: admin.Options().Addr, ClientName: name})
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := slog.New(slog.DiscardHandler)
	a := New("a", rdb, logger, WithPrefix(prefix))
	b := New("b", admin, logger, WithPrefix(prefix))
	reconnects := make(chan struct{}, 4)
	a.OnReconnect(func() { reconnects <- struct{}{} })
	got := newCollector()
	a.Listen("news", got.add)
	go a.Run(ctx)
	<-a.Ready()

	killSubscription(t, admin, name)
	select {
	case <-reconnects:
	case <-time.After(15 * time.Second):
		t.Fatal("no reconnect announced 15 s after the subscription was killed")
	}
	// Delivery works again (posting until a receives: the new
	// subscription may still be on its way).
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := b.Post(ctx, "news", []byte(`"again"`), true); err != nil {
			t.Fatal(err)
		}
		select {
		case <-got.ch:
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("a receives nothing after the reconnect")
		}
	}
}
