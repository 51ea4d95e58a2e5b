package pod

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/gopod/gopod/runtime/config"
)

// httpModes are the ways a small call can meet the response layer: not at
// all (the baseline: as before it existed), with compress: false, from a
// client that does not ask for gzip, and from one that does (Go's and
// Dart's clients always do) with an answer below compressMin.
var httpModes = []struct {
	name     string
	compress bool
	accept   string
}{
	{"bare", false, "gzip"}, // no response layer: headers, then the call
	{"off", false, "gzip"},
	{"not-asked", true, ""},
	{"small-gzip", true, "gzip"},
}

// smallCalls makes n in-process calls in one of httpModes.
func smallCalls(n int, bare, compress bool, accept string) error {
	h := config.DefaultHTTP()
	h.Compress = compress
	s := NewServer(testDispatch(), WithHTTP(h), WithLogger(benchServer().log))
	for range n {
		req := httptest.NewRequest("POST", "/example", strings.NewReader(helloBody))
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		rec := httptest.NewRecorder()
		if bare {
			s.setResponseHeaders(rec.Header(), req)
			s.serve(rec, req)
		} else {
			s.ServeHTTP(rec, req)
		}
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "" {
			return fmt.Errorf("status %d, %v", rec.Code, rec.Header())
		}
	}
	return nil
}

func benchSmallCall(b *testing.B, bare, compress bool, accept string) {
	b.ReportAllocs()
	if err := smallCalls(b.N, bare, compress, accept); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSmallCall measures an in-process call in each of httpModes.
func BenchmarkSmallCall(b *testing.B) {
	for _, m := range httpModes {
		b.Run(m.name, func(b *testing.B) { benchSmallCall(b, m.name == "bare", m.compress, m.accept) })
	}
}

var httpRounds = flag.Int("http.rounds", 0, "rounds of TestSmallCallCost (0 skips it)")

// TestSmallCallCost compares the modes of BenchmarkSmallCall, interleaved
// for -http.rounds rounds of 20000 calls each, as median and range of each
// mode's CPU time per call over that of "bare". CPU time (of this process,
// from getrusage) rather than wall time, since other work on a shared
// machine stretches wall time far more than the difference measured:
//
//	go test ./runtime/pod -run SmallCallCost -v -args -http.rounds=15
func TestSmallCallCost(t *testing.T) {
	if *httpRounds <= 0 {
		t.Skip("a measurement; run with -http.rounds N")
	}
	const calls = 20000
	ratios := map[string][]float64{}
	perCall := map[string][]float64{}
	for round := range *httpRounds {
		ns := map[string]float64{}
		order := slices.Clone(httpModes)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, m := range order {
			before := cpuTime(t)
			if err := smallCalls(calls, m.name == "bare", m.compress, m.accept); err != nil {
				t.Fatal(err)
			}
			ns[m.name] = float64(cpuTime(t)-before) / calls
		}
		for _, m := range httpModes {
			ratios[m.name] = append(ratios[m.name], ns[m.name]/ns["bare"])
			perCall[m.name] = append(perCall[m.name], ns[m.name])
		}
	}
	for _, m := range httpModes {
		r, p := ratios[m.name], perCall[m.name]
		slices.Sort(r)
		slices.Sort(p)
		t.Logf("%-10s CPU per call %.2f µs (%.2f–%.2f), relative to bare: median %.3f (%.3f–%.3f) over %d rounds",
			m.name, median(p)/1e3, p[0]/1e3, p[len(p)-1]/1e3, median(r), r[0], r[len(r)-1], len(r))
	}
}

// cpuTime is the process's user and system CPU time in nanoseconds.
func cpuTime(t *testing.T) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
