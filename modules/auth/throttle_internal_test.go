package auth

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/pod"
)

func TestAddressKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"192.0.2.7:443", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2::9]:8080", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"", ""},
		{"not an address", "not an address"},
	} {
		if got := addressKey(tt.in); got != tt.want {
			t.Errorf("addressKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAddressLanes: a slowed address's attempts take turns; beyond
// maxWaitingPerAddress waiting ones, more are turned away at once; a
// caller that leaves stops waiting.
func TestAddressLanes(t *testing.T) {
	var l addressLanes
	ctx, cancel := context.WithCancel(context.Background())
	s := &pod.Session{Context: ctx}
	results := make(chan bool, maxWaitingPerAddress)
	for range maxWaitingPerAddress {
		go func() { results <- l.pass(s, "192.0.2.1", time.Hour) }()
	}
	for {
		l.mu.Lock()
		n := 0
		if ln := l.lanes["192.0.2.1"]; ln != nil {
			n = ln.waiting
		}
		l.mu.Unlock()
		if n == maxWaitingPerAddress {
			break
		}
		runtime.Gosched()
	}
	if l.pass(s, "192.0.2.1", time.Hour) {
		t.Error("an attempt beyond the waiting ones was let through")
	}
	if !l.pass(&pod.Session{Context: context.Background()}, "192.0.2.2", 0) {
		t.Error("another address waited for this one")
	}
	cancel()
	for range maxWaitingPerAddress {
		if <-results {
			t.Error("an attempt was let through after its caller left")
		}
	}
	if len(l.lanes) != 0 {
		t.Errorf("%d lanes left after every attempt ended", len(l.lanes))
	}
	now := time.Now()
	if !l.firstIn("192.0.2.1", now, time.Minute) || l.firstIn("192.0.2.1", now.Add(time.Second), time.Minute) ||
		!l.firstIn("192.0.2.1", now.Add(time.Minute), time.Minute) {
		t.Error("firstIn does not report once per window")
	}
}
