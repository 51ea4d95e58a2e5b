package pod

import (
	"flag"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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

func benchSmallCall(b *testing.B, bare, compress bool, accept string) {
	h := config.DefaultHTTP()
	h.Compress = compress
	s := NewServer(testDispatch(), WithHTTP(h), WithLogger(benchServer().log))
	b.ReportAllocs()
	for b.Loop() {
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
			b.Fatalf("status %d, %v", rec.Code, rec.Header())
		}
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
// for -http.rounds rounds, as median and range of each mode's time per
// call over that of "bare":
//
//	go test ./runtime/pod -run SmallCallCost -v -args -http.rounds=15
func TestSmallCallCost(t *testing.T) {
	if *httpRounds <= 0 {
		t.Skip("a measurement; run with -http.rounds N")
	}
	ratios := map[string][]float64{}
	for round := range *httpRounds {
		ns := map[string]float64{}
		order := slices.Clone(httpModes)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, m := range order {
			r := testing.Benchmark(func(b *testing.B) { benchSmallCall(b, m.name == "bare", m.compress, m.accept) })
			ns[m.name] = float64(r.NsPerOp())
		}
		for _, m := range httpModes {
			ratios[m.name] = append(ratios[m.name], ns[m.name]/ns["bare"])
		}
	}
	for _, m := range httpModes[1:] {
		r := ratios[m.name]
		slices.Sort(r)
		t.Logf("%-10s time per call relative to bare: median %.3f (%.3f–%.3f) over %d rounds", m.name, median(r), r[0], r[len(r)-1], len(r))
	}
}
