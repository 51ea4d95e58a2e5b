package main

import (
	"strings"
	"testing"
)

func TestParseWrk(t *testing.T) {
	const report = `Running 5s test @ http://127.0.0.1:1234/bench
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.00ms  20.00ms   90.00%
  61234 requests in 5.00s, 9.00MB read
Requests/sec:  12246.80
Transfer/sec:      1.80MB
`
	for _, tc := range []struct {
		name, extra string
		want        float64
		err         string
	}{
		{"clean", "", 12246.80, ""},
		{"non-2xx", "  Non-2xx or 3xx responses: 12\n", 0, "12 responses were not 2xx"},
		{"socket errors", "  Socket errors: connect 0, read 3, write 0, timeout 0\n", 0, "socket errors"},
		{"clean socket line", "  Socket errors: connect 0, read 0, write 0, timeout 0\n", 12246.80, ""},
		{"unexpected answers", "Unexpected answer: {\"success\":false}\nUnexpected answers: 2\n", 0, "2 answers were not the expected one"},
		{"all expected", "Unexpected answers: 0\n", 12246.80, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseWrk([]byte(report + tc.extra))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got.rate != tc.want || got.requests != 61234 {
				t.Fatalf("%v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if _, err := parseWrk([]byte("unable to connect")); err == nil {
		t.Error("a report without a rate parsed")
	}
}

func TestStats(t *testing.T) {
	for _, tc := range []struct {
		xs          []float64
		med, lo, hi float64
	}{
		{[]float64{3, 1, 2}, 2, 1, 3},
		{[]float64{4, 1, 3, 2}, 2.5, 1, 4},
		{[]float64{5}, 5, 5, 5},
		{nil, 0, 0, 0},
	} {
		m, lo, hi := stats(tc.xs)
		if m != tc.med || lo != tc.lo || hi != tc.hi {
			t.Errorf("stats(%v) = %v %v %v", tc.xs, m, lo, hi)
		}
	}
}

func TestWrkScript(t *testing.T) {
	for _, tc := range []struct {
		name      string
		r         request
		want, not []string
	}{
		{
			name: "gopod call",
			r:    request{url: "http://127.0.0.1:1/me", body: `{"method":"get"}`, authorization: "Basic a2V5"},
			want: []string{`wrk.method = "POST"`, `wrk.body = [==[{"method":"get"}]==]`, `wrk.headers["Content-Type"]`, `wrk.headers["Authorization"] = [==[Basic a2V5]==]`},
			not:  []string{"function response"},
		},
		{
			name: "PocketBase record read",
			r:    request{method: "GET", url: "http://127.0.0.1:1/api/collections/users/records/x", authorization: "tok.en"},
			want: []string{`wrk.method = "GET"`, `wrk.headers["Authorization"] = [==[tok.en]==]`},
			not:  []string{"wrk.body", "Content-Type"},
		},
		{
			name: "sign-in with expected answer",
			r:    request{url: "http://127.0.0.1:1/a", body: "{}", expect: `{"success":true`},
			want: []string{`string.sub(body, 1, 15) ~= [==[{"success":true]==]`, "Unexpected answers: %d"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := wrkScript(tc.r)
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("script lacks %q:\n%s", w, s)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(s, n) {
					t.Errorf("script has %q:\n%s", n, s)
				}
			}
		})
	}
}
