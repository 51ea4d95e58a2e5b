package auth_test

import (
	"context"
	"fmt"
	"os"
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
