package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// request is one call the load generator repeats.
type request struct {
	// method is POST when empty (the gopod calls); body is sent when
	// not empty.
	method, url, body, authorization string
	// expect, when set, is text every answer must begin with; wrk then
	// reads each body (which costs it time, so only the slow sign-ins
	// use it: the fast calls fail with a status, which wrk counts).
	expect string
}

func (r request) httpMethod() string {
	if r.method == "" {
		return http.MethodPost
	}
	return r.method
}

func (r request) setHeaders(req *http.Request) {
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if r.authorization != "" {
		req.Header.Set("Authorization", r.authorization)
	}
}

// loader drives a server with a request for a while.
type loader interface {
	run(ctx context.Context, r request, d time.Duration) (result, error)
	name() string
}

// result is what a round of load achieved.
type result struct {
	rate     float64 // completed requests per second
	requests int64   // completed requests
}

// wrkLoader runs wrk, the HTTP load generator, with a script that posts
// the request's body.
type wrkLoader struct {
	path    string
	conns   int
	threads int
	dir     string // for the scripts
	n       int
}

func (w *wrkLoader) name() string {
	return fmt.Sprintf("wrk, %d connections, %d threads", w.conns, w.threads)
}

var (
	wrkRequests   = regexp.MustCompile(`(\d+) requests in `)
	wrkRate       = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkNon2xx     = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	wrkUnexpected = regexp.MustCompile(`Unexpected answers: (\d+)`)
	wrkErrors     = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func (w *wrkLoader) run(ctx context.Context, r request, d time.Duration) (result, error) {
	w.n++
	script := filepath.Join(w.dir, fmt.Sprintf("req%d.lua", w.n))
	if err := os.WriteFile(script, []byte(wrkScript(r)), 0o644); err != nil {
		return result{}, err
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, w.path, "-t", strconv.Itoa(w.threads), "-c", strconv.Itoa(w.conns),
		"-d", strconv.Itoa(secs)+"s", "--timeout", "60s", "-s", script, r.url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	return parseWrk(out)
}

// wrkScript is the Lua script that makes wrk send r (and, when r.expect
// is set, count the answers that do not begin with it).
func wrkScript(r request) string {
	var s strings.Builder
	fmt.Fprintf(&s, "wrk.method = %q\n", r.httpMethod())
	if r.body != "" {
		fmt.Fprintf(&s, "wrk.body = [==[%s]==]\n", r.body)
		s.WriteString("wrk.headers[\"Content-Type\"] = \"application/json; charset=utf-8\"\n")
	}
	if r.authorization != "" {
		fmt.Fprintf(&s, "wrk.headers[\"Authorization\"] = [==[%s]==]\n", r.authorization)
	}
	if r.expect != "" {
		fmt.Fprintf(&s, `local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if string.sub(body, 1, %d) ~= [==[%s]==] then
    unexpected = unexpected + 1
    sample = string.sub(body, 1, 300)
  end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do
    n = n + t:get("unexpected")
    if t:get("sample") then io.write("Unexpected answer: " .. t:get("sample") .. "\n") end
  end
  io.write(string.format("Unexpected answers: %%d\n", n))
end
`, len(r.expect), r.expect)
	}
	return s.String()
}

// parseWrk reads the rate from wrk's report; any failed request fails the
// round, since a server answering errors fast would look quick.
func parseWrk(out []byte) (result, error) {
	m := wrkRate.FindSubmatch(out)
	n := wrkRequests.FindSubmatch(out)
	if m == nil || n == nil {
		return result{}, fmt.Errorf("no rate in wrk's output:\n%s", out)
	}
	rate, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		return result{}, err
	}
	requests, err := strconv.ParseInt(string(n[1]), 10, 64)
	if err != nil {
		return result{}, err
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil && string(m[1]) != "0" {
		return result{}, fmt.Errorf("%s responses were not 2xx:\n%s", m[1], out)
	}
	if m := wrkUnexpected.FindSubmatch(out); m != nil && string(m[1]) != "0" {
		return result{}, fmt.Errorf("%s answers were not the expected one:\n%s", m[1], out)
	}
	if m := wrkErrors.FindSubmatch(out); m != nil {
		for _, n := range m[1:] {
			if string(n) != "0" {
				return result{}, fmt.Errorf("socket errors:\n%s", out)
			}
		}
	}
	return result{rate: rate, requests: requests}, nil
}

// goLoader is the load generator used when wrk is not installed: one
// goroutine per connection, each posting the request in a loop over its
// own keep-alive connection.
type goLoader struct{ conns int }

func (g *goLoader) name() string {
	return fmt.Sprintf("a Go load generator (wrk not found), %d connections", g.conns)
}

func (g *goLoader) run(ctx context.Context, r request, d time.Duration) (result, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		done     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	start := time.Now()
	for range g.conns {
		client := &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: 1,
			DialContext:         (&net.Dialer{}).DialContext,
		}}
		wg.Go(func() {
			defer client.CloseIdleConnections()
			body := []byte(r.body)
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, r.httpMethod(), r.url, bytes.NewReader(body))
				r.setHeaders(req)
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errOnce.Do(func() { firstErr = err })
					}
					return
				}
				answer, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errOnce.Do(func() { firstErr = fmt.Errorf("status %d from %s", resp.StatusCode, r.url) })
					return
				}
				if r.expect != "" && !bytes.HasPrefix(answer, []byte(r.expect)) {
					errOnce.Do(func() { firstErr = fmt.Errorf("unexpected answer from %s: %s", r.url, answer) })
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return result{}, firstErr
	}
	return result{rate: float64(done.Load()) / time.Since(start).Seconds(), requests: done.Load()}, nil
}

// post makes one call and returns its status and body.
func post(r request) (int, string, error) {
	req, err := http.NewRequest(r.httpMethod(), r.url, strings.NewReader(r.body))
	if err != nil {
		return 0, "", err
	}
	r.setHeaders(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
