package sidebyside

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when an operation says so, so that the rates
// are exact.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestPairs(t *testing.T) {
	var clock fakeClock
	var mu sync.Mutex
	var order []string
	op := func(name string, d time.Duration) func() error {
		return func() error {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			clock.advance(d)
			return nil
		}
	}
	r := Rounds{
		// The subject takes 100 ms per operation, the baseline 50 ms.
		Subject:  Side{Op: op("s", 100*time.Millisecond), Workers: 3},
		Baseline: Side{Op: op("b", 50*time.Millisecond), Workers: 1},
		Ops:      2,
		now:      clock.now,
	}
	var res Result
	for range 3 {
		if err := r.Pair(&res); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"s", "s", "b", "b", "b", "b", "s", "s", "s", "s", "b", "b"}; !slices.Equal(order, want) {
		t.Errorf("order = %v, want %v", order, want)
	}
	want := Result{Subject: []float64{10, 10, 10}, Baseline: []float64{20, 20, 20}, Ratios: []float64{0.5, 0.5, 0.5}}
	for _, s := range []struct {
		name      string
		got, want []float64
	}{{"subject", res.Subject, want.Subject}, {"baseline", res.Baseline, want.Baseline}, {"ratios", res.Ratios, want.Ratios}} {
		if !slices.Equal(s.got, s.want) {
			t.Errorf("%s = %v, want %v", s.name, s.got, s.want)
		}
	}
	if got := res.String(); got != "0.500 (0.500–0.500)" {
		t.Errorf("String = %q", got)
	}
}

func TestPairError(t *testing.T) {
	boom := errors.New("boom")
	r := Rounds{
		Subject:  Side{Op: func() error { return nil }, Workers: 2},
		Baseline: Side{Op: func() error { return boom }, Workers: 2},
		Ops:      5,
	}
	var res Result
	if err := r.Pair(&res); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	if len(res.Ratios) != 0 {
		t.Errorf("a failed pair was recorded: %v", res)
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := (Result{}).String(); got != "no rounds" {
		t.Errorf("empty String = %q", got)
	}
}
