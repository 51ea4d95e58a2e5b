package auth_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopod/gopod/modules/auth/authclient"
	"github.com/gopod/gopod/runtime/pod"
)

func redisClient(t *testing.T) *redis.Client {
	t.Helper()
	addr := os.Getenv("GOPOD_TEST_REDIS")
	if addr == "" {
		addr = "localhost:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("this test needs Redis at %s (.ci/run starts it; GOPOD_TEST_REDIS points elsewhere): %v", addr, err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// TestRevocationAcrossServers: two servers share the database and a Redis;
// a key cached by one is refused by it as soon as the other signs the user
// out, not a cache lifetime later.
func TestRevocationAcrossServers(t *testing.T) {
	rdb := redisClient(t)
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	a := newEnvWith(t, testPasswords, nil, pod.WithRedis(rdb, "auth-test-a-"+run))
	b := newEnvWith(t, testPasswords, nil, pod.WithRedis(rdb, "auth-test-b-"+run))
	runCtx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go a.server.Messages().Run(runCtx)
	go b.server.Messages().Run(runCtx)

	// sync returns once b has delivered everything a posted before: a's
	// messages reach b in order, so b's answer to a fresh sentinel comes
	// after them.
	sentinels := make(chan string, 64)
	stop := b.server.Messages().Listen("authtest.sentinel", func(p []byte) { sentinels <- string(p) })
	t.Cleanup(stop)
	seq := 0
	sync := func() {
		seq++
		want := fmt.Sprintf(`{"n":%d}`, seq)
		for {
			if err := a.server.Messages().Post(ctx, "authtest.sentinel", []byte(want), true); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-sentinels:
				if got == want {
					return
				}
			case <-time.After(50 * time.Millisecond): // b not subscribed yet: post again
			}
		}
	}
	sync()

	email := newEmail("twoservers")
	a.signUp(a.client(), "two", email, "two-servers-password")
	first, second := a.signIn(a.client(), email, "two-servers-password"), a.signIn(a.client(), email, "two-servers-password")
	onB := []*authclient.Caller{b.signedInClient(first), b.signedInClient(second)}
	wantLoggedIn(t, "on b, before", onB, true, true) // both keys now cached by b

	if err := a.signedInClient(first).Status.SignOutDevice(ctx); err != nil {
		t.Fatal(err)
	}
	sync()
	wantLoggedIn(t, "on b, after signOutDevice on a", onB, false, true)

	if err := a.module.BlockUser(a.server.NewSession(ctx), *first.UserInfo.ID); err != nil {
		t.Fatal(err)
	}
	sync()
	wantLoggedIn(t, "on b, after blocking on a", onB, false, false)
}

// proxy is a loopback TCP proxy to Redis that a test takes down and up
// again, as a Redis restart or a broken network does to one server.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *proxy) up() {
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, r)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(r, c); r.Close() }()
			go func() { _, _ = io.Copy(c, r); c.Close() }()
		}
	}()
}

// down refuses new connections and breaks the open ones.
func (p *proxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestRevocationAfterRedisGap: a sign-out made on a server that cannot
// reach Redis reaches the other servers once it can, not a cache lifetime
// later: the revocation is kept and sent again when its subscription is
// back.
func TestRevocationAfterRedisGap(t *testing.T) {
	shared := redisClient(t)
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	prefix := "gopod:test:auth-gap-" + run + ":"
	px := newProxy(t, shared.Options().Addr)
	viaProxy := redis.NewClient(&redis.Options{Addr: px.addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { viaProxy.Close() })
	a := newEnvWith(t, testPasswords, nil, pod.WithRedis(viaProxy, "auth-gap-a-"+run), pod.WithMessagesPrefix(prefix))
	b := newEnvWith(t, testPasswords, nil, pod.WithRedis(shared, "auth-gap-b-"+run), pod.WithMessagesPrefix(prefix))
	runCtx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go a.server.Messages().Run(runCtx)
	go b.server.Messages().Run(runCtx)
	<-a.server.Messages().Ready()
	<-b.server.Messages().Ready()

	email := newEmail("gap")
	a.signUp(a.client(), "gap", email, "redis-gap-password")
	key := a.signIn(a.client(), email, "redis-gap-password")
	onB := []*authclient.Caller{b.signedInClient(key)}
	wantLoggedIn(t, "on b, before", onB, true) // cached by b

	px.down()
	if err := a.signedInClient(key).Status.SignOutDevice(ctx); err != nil {
		t.Fatal(err)
	}
	wantLoggedIn(t, "on b, while a cannot reach Redis", onB, true) // b's cache has not heard
	px.up()
	deadline := time.Now().Add(15 * time.Second)
	for loggedIn(t, onB[0]) {
		if time.Now().After(deadline) {
			t.Fatal("the sign-out made while a could not reach Redis did not reach b 15 s after Redis was back")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
