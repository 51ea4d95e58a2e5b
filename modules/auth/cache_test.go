package auth

import (
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	c := newCache[int64, string]()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.put(1, "one", c.generation(), t0, time.Minute)
	if v, ok := c.get(1, t0.Add(59*time.Second)); !ok || v != "one" {
		t.Fatalf("get within the lifetime = %q, %v", v, ok)
	}
	if _, ok := c.get(1, t0.Add(time.Minute)); ok {
		t.Fatal("an expired value was returned")
	}

	// A value loaded before a removal is not stored after it: it may be
	// the very row the removal deleted.
	gen := c.generation()
	c.removeKey(2)
	c.put(2, "stale", gen, t0, time.Minute)
	if _, ok := c.get(2, t0); ok {
		t.Fatal("a value read before a removal was cached")
	}

	c.put(3, "a", c.generation(), t0, time.Minute)
	c.put(4, "b", c.generation(), t0, time.Minute)
	c.remove(func(k int64, v string) bool { return v == "a" })
	if _, ok := c.get(3, t0); ok {
		t.Error("remove kept a matching value")
	}
	if _, ok := c.get(4, t0); !ok {
		t.Error("remove dropped a value that did not match")
	}

	// Expired entries are swept when values are added later.
	c.put(5, "c", c.generation(), t0.Add(2*time.Minute), time.Minute)
	c.mu.RLock()
	n := len(c.entries)
	c.mu.RUnlock()
	if n != 1 {
		t.Errorf("%d entries after the sweep, want 1", n)
	}
}

func TestValidEmail(t *testing.T) {
	for _, tt := range []struct {
		email string
		ok    bool
	}{
		{"a@b.cd", true},
		{"first.last+tag@sub.example.org", true},
		{"no-at.example.com", false},
		{"a@localhost", false},
		{"a@b..cd", false},
		{"a@.b.cd", false},
		{"a b@c.de", false},
		{"Name <a@b.cd>", false},
		{"@b.cd", false},
	} {
		if got := validEmail(tt.email); got != tt.ok {
			t.Errorf("validEmail(%q) = %v, want %v", tt.email, got, tt.ok)
		}
	}
}

func TestGooglePhotoURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://lh3.googleusercontent.com/a/xyz=s100", "https://lh3.googleusercontent.com/a/xyz=s256"},
		{"https://lh3.googleusercontent.com/a/xyz", "https://lh3.googleusercontent.com/a/xyz"},
	} {
		if got := googlePhotoURL(tt.in, 256); got != tt.want {
			t.Errorf("googlePhotoURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
