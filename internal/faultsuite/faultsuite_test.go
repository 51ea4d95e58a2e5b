//go:build linux

package main

import (
	"errors"
	"testing"
	"time"
)

// TestOutage: the figures of a fault come from the calls' start times:
// those started while it lasted, and the last failure after its end.
func TestOutage(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	rs := []result{
		{start: at(0), status: 200, latency: time.Millisecond},
		{start: at(1000), status: 500, latency: 20 * time.Millisecond},
		{start: at(1500), err: errors.New("connection refused"), latency: 300 * time.Millisecond},
		{start: at(2000), status: 200, latency: time.Millisecond},
		{start: at(3500), status: 500, latency: 5 * time.Millisecond}, // after the fault ended
		{start: at(5000), status: 200, latency: time.Millisecond},
	}
	during, failedMax, recovered, after := outage(rs, at(1000), at(3000))
	if during.calls != 3 || during.status5xx != 1 || during.transport != 1 || during.ok != 1 {
		t.Errorf("during = %+v", during)
	}
	if failedMax != 300*time.Millisecond {
		t.Errorf("slowest failure %v, want 300ms", failedMax)
	}
	if recovered != 500*time.Millisecond || after != 1 {
		t.Errorf("recovered %v with %d failures after, want 500ms and 1", recovered, after)
	}
	s := summarize(rs, 5*time.Second)
	if s.calls != 6 || s.ok != 3 || s.rate != 0.6 || s.max != 300*time.Millisecond {
		t.Errorf("summary %+v", s)
	}
}

func TestClosedBeforeAnswer(t *testing.T) {
	for _, tc := range []struct {
		err  string
		want bool
	}{
		{`Post "http://127.0.0.1:1/load": dial tcp 127.0.0.1:1: connect: connection refused`, true},
		{`Post "http://127.0.0.1:1/load": http: server closed idle connection`, true},
		{`Post "http://127.0.0.1:1/load": EOF`, true},
		{`Post "http://127.0.0.1:1/load": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, false},
	} {
		if got := closedBeforeAnswer(errors.New(tc.err)); got != tc.want {
			t.Errorf("%s: %t, want %t", tc.err, got, tc.want)
		}
	}
}
