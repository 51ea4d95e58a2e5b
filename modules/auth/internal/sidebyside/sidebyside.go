// Package sidebyside measures a workload against a baseline in alternating
// rounds, for benchmarks whose claim is a ratio: on a machine shared with
// other work, a round of each taken back to back sees the same load, where
// separate benchmarks run minutes apart may not.
package sidebyside

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Side is one of the two workloads: Op runs once per operation, on
// Workers goroutines at a time.
type Side struct {
	Op      func() error
	Workers int
}

// Rounds compares Subject with Baseline.
type Rounds struct {
	Subject, Baseline Side
	// Ops is the number of operations in every round of either side.
	Ops int

	now func() time.Time // time.Now; tests set it
}

// Result holds the throughput of each side per round, in operations per
// second, and their ratio per pair of rounds.
type Result struct {
	Subject, Baseline, Ratios []float64
}

// Pair runs one round of each side and records their throughputs. Odd
// pairs run the baseline first, so that neither side always follows the
// other.
func (r Rounds) Pair(res *Result) error {
	first, second := r.Subject, r.Baseline
	if len(res.Ratios)%2 == 1 {
		first, second = second, first
	}
	a, err := r.round(first)
	if err != nil {
		return err
	}
	b, err := r.round(second)
	if err != nil {
		return err
	}
	if len(res.Ratios)%2 == 1 {
		a, b = b, a
	}
	res.Subject = append(res.Subject, a)
	res.Baseline = append(res.Baseline, b)
	res.Ratios = append(res.Ratios, a/b)
	return nil
}

// round runs r.Ops operations of s and returns operations per second.
func (r Rounds) round(s Side) (float64, error) {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		firstErr error
		once     sync.Once
	)
	now := r.now
	if now == nil {
		now = time.Now
	}
	start := now()
	for range max(s.Workers, 1) {
		wg.Go(func() {
			for next.Add(1) <= int64(r.Ops) {
				if err := s.Op(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(r.Ops) / now().Sub(start).Seconds(), nil
}

// Run runs one pair of rounds per iteration of b and reports the median
// throughput of each side (in unit and baselineUnit per second) and the
// median, minimum and maximum of the ratios; run it with -benchtime=Nx for
// N pairs.
func (r Rounds) Run(b *testing.B, unit, baselineUnit string) Result {
	b.Helper()
	var res Result
	for b.Loop() {
		if err := r.Pair(&res); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(median(res.Subject), unit+"/s")
	b.ReportMetric(median(res.Baseline), baselineUnit+"/s")
	b.ReportMetric(median(res.Ratios), "ratio-median")
	b.ReportMetric(slices.Min(res.Ratios), "ratio-min")
	b.ReportMetric(slices.Max(res.Ratios), "ratio-max")
	b.Logf("%s/%s over %d pairs of %d-operation rounds: %s", unit, baselineUnit, len(res.Ratios), r.Ops, res)
	return res
}

// String gives the ratio as median (min–max).
func (res Result) String() string {
	if len(res.Ratios) == 0 {
		return "no rounds"
	}
	return fmt.Sprintf("%.3f (%.3f–%.3f)", median(res.Ratios), slices.Min(res.Ratios), slices.Max(res.Ratios))
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
