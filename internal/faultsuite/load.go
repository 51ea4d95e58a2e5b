//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// caller makes the suite's calls over loopback HTTP as Serverpod's clients
// make them: a POST with the method and arguments, the key as Basic.
type caller struct {
	http *http.Client
	auth string
}

func newCaller(key string, conns int, timeout time.Duration) *caller {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
	}
	c := &caller{http: &http.Client{Transport: tr, Timeout: timeout}}
	if key != "" {
		c.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(key))
	}
	return c
}

// result is the outcome of one call.
type result struct {
	start   time.Time
	latency time.Duration
	status  int    // 0 when no answer came
	err     error  // transport error (refused, reset, timeout)
	body    []byte // the answer, for calls that need it
}

func (c *caller) call(ctx context.Context, url string, args map[string]any) result {
	body, _ := json.Marshal(args)
	r := result{start: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		r.err = err
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		r.latency, r.err = time.Since(r.start), err
		return r
	}
	r.body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	r.latency, r.status = time.Since(r.start), resp.StatusCode
	if err != nil {
		r.err = err
	}
	return r
}

// job is one call the load generator makes.
type job func(ctx context.Context, c *caller) result

// loadRun is a run of calls at a fixed rate (or as fast as conns
// workers go when rate is 0), for d or until ctx ends.
type loadRun struct {
	mu      sync.Mutex
	results []result
	behind  atomic.Int64 // calls the generator could not start on time
}

func runLoad(ctx context.Context, c *caller, conns int, rate float64, d time.Duration, next func(i int64) job) *loadRun {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	lr := &loadRun{}
	jobs := make(chan int64, conns*4)
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []result
			for i := range jobs {
				// Calls run to their end (or the caller's timeout) even
				// when the run is over, so that none is cut short.
				local = append(local, next(i)(context.WithoutCancel(ctx), c))
			}
			lr.mu.Lock()
			lr.results = append(lr.results, local...)
			lr.mu.Unlock()
		}()
	}
	start := time.Now()
	var sent int64
loop:
	for ctx.Err() == nil {
		due := int64(1 << 62)
		if rate > 0 {
			due = int64(time.Since(start).Seconds() * rate)
		}
		for sent < due {
			select {
			case jobs <- sent:
				sent++
			case <-ctx.Done():
				break loop
			default:
				if rate > 0 {
					// Every worker is busy: the call is late, which the
					// figures count rather than hide.
					lr.behind.Add(1)
					sent++
					continue
				}
				select {
				case jobs <- sent:
					sent++
				case <-ctx.Done():
					break loop
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
	close(jobs)
	wg.Wait()
	slices.SortFunc(lr.results, func(a, b result) int { return a.start.Compare(b.start) })
	return lr
}

// summary counts a run's results.
type summary struct {
	calls, ok, status5xx, otherStatus, transport int
	rate                                         float64 // successful calls per second
	p50, p99, max                                time.Duration
}

func summarize(rs []result, d time.Duration) summary {
	var s summary
	var lat []time.Duration
	for _, r := range rs {
		s.calls++
		switch {
		case r.err != nil:
			s.transport++
		case r.status == http.StatusOK:
			s.ok++
		case r.status >= 500:
			s.status5xx++
		default:
			s.otherStatus++
		}
		lat = append(lat, r.latency)
	}
	if d > 0 {
		s.rate = float64(s.ok) / d.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		s.p50 = lat[len(lat)/2]
		s.p99 = lat[len(lat)*99/100]
		s.max = lat[len(lat)-1]
	}
	return s
}

func (s summary) String() string {
	return fmt.Sprintf("%d calls: %d ok, %d 5xx, %d other status, %d transport errors; %.0f ok/s; latency p50 %v p99 %v max %v",
		s.calls, s.ok, s.status5xx, s.otherStatus, s.transport, s.rate, round(s.p50), round(s.p99), round(s.max))
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// firstErrors describes up to n failed calls.
func firstErrors(rs []result, n int) []string {
	var out []string
	for _, r := range rs {
		if len(out) == n {
			break
		}
		switch {
		case r.err != nil:
			out = append(out, r.err.Error())
		case r.status != http.StatusOK:
			out = append(out, strconv.Itoa(r.status)+" "+string(bytes.TrimSpace(r.body)))
		}
	}
	return out
}
