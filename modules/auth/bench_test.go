package auth_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/internal/sidebyside"
	"golang.org/x/crypto/argon2"
)

// Run both with: go test -run '^$' -bench . ./modules/auth

// BenchmarkEmailSignIn signs one user in over HTTP, again and again, at
// the production Argon2id cost (19 MiB, 2 passes), from more clients than
// the server hashes for at once, and compares the sign-ins per second with
// x/crypto's Argon2id at the same cost run GOMAXPROCS at a time, the
// fastest that hash alone can go here; rounds of the two alternate. The
// server is the auth module on a pod server over loopback HTTP, with the
// package's PostgreSQL. Run at least a dozen pairs of rounds:
//
//	go test -run '^$' -bench EmailSignIn -benchtime 12x ./modules/auth
func BenchmarkEmailSignIn(b *testing.B) {
	e := newEnv(b, func(c *auth.Config) {
		c.PasswordCost = auth.PasswordCost{}
		// Attempts in flight count as failures until their password is
		// checked: with 16 clients at once from one address the limits
		// would refuse the benchmark's own sign-ins.
		c.MaxAllowedEmailSignInAttempts = 1 << 30
		c.MaxFailedAttemptsPerIP = 1 << 30
	})
	email := newEmail("bench")
	e.signUp(e.client(), "bench", email, "bench-password")
	body := fmt.Sprintf(`{"method":"authenticate","email":%q,"password":"bench-password"}`, email)
	procs := runtime.GOMAXPROCS(0)
	clients := 8 * procs
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	salt := make([]byte, 16)
	sidebyside.Rounds{
		Subject: sidebyside.Side{Workers: clients, Op: func() error {
			if status, resp := post(client, e.http.URL+"/serverpod_auth.email", body, ""); status != 200 || !strings.HasPrefix(resp, `{"success":true`) {
				return fmt.Errorf("sign-in: %d %s", status, resp)
			}
			return nil
		}},
		Baseline: sidebyside.Side{Workers: procs, Op: func() error {
			argon2.IDKey([]byte("bench-password"), salt, 2, 19456, 1, 32)
			return nil
		}},
		Ops: 12 * procs,
	}.Run(b, "sign-ins", "x-crypto-hashes")
}

// BenchmarkCall compares one endpoint method, status.isSignedIn, called
// with an auth key (the authentication handler runs: key parsed, hashed
// and compared, user checked, from the cache) and without one, and a bare
// net/http JSON handler for scale.
func BenchmarkCall(b *testing.B) {
	e := newEnv(b, nil)
	email := newEmail("benchcall")
	e.signUp(e.client(), "bench", email, "bench-call-password")
	key := keyOf(e.signIn(e.client(), email, "bench-call-password"))
	header := "Basic " + base64.StdEncoding.EncodeToString([]byte(key))
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, "true")
	}))
	defer bare.Close()

	for _, bc := range []struct {
		name, url, auth, want string
	}{
		{"authenticated", e.http.URL + "/serverpod_auth.status", header, "true"},
		{"anonymous", e.http.URL + "/serverpod_auth.status", "", "false"},
		{"bare-net-http", bare.URL + "/", "", "true"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			defer client.CloseIdleConnections()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if status, resp := post(client, bc.url, `{"method":"isSignedIn"}`, bc.auth); status != 200 || resp != bc.want {
						b.Errorf("%d %s", status, resp)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}

func post(c *http.Client, url, body, authorization string) (int, string) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// BenchmarkAuthenticationHandler is the handler alone on a cached key: the
// cost an auth key adds to a call.
func BenchmarkAuthenticationHandler(b *testing.B) {
	e := newEnv(b, nil)
	email := newEmail("benchhandler")
	e.signUp(e.client(), "bench", email, "bench-handler-password")
	key := keyOf(e.signIn(e.client(), email, "bench-handler-password"))
	s := e.server.NewSession(ctx)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		info, err := e.module.AuthenticationHandler(s, key)
		if err != nil || info == nil {
			b.Fatalf("%v, %v", info, err)
		}
	}
}

// BenchmarkEmailSignInDatabase signs one user in over HTTP with the tests'
// cheap Argon2 cost (1 MiB, 1 pass), so that what it measures is mostly
// the sign-in's work around the hash: its database statements and the
// call. Compare two builds by running them alternately.
func BenchmarkEmailSignInDatabase(b *testing.B) {
	e := newEnv(b, func(c *auth.Config) {
		c.MaxAllowedEmailSignInAttempts = 1 << 30
		c.MaxFailedAttemptsPerIP = 1 << 30
	})
	email := newEmail("benchdb")
	e.signUp(e.client(), "bench", email, "bench-db-password")
	body := fmt.Sprintf(`{"method":"authenticate","email":%q,"password":"bench-db-password"}`, email)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if status, resp := post(client, e.http.URL+"/serverpod_auth.email", body, ""); status != 200 || !strings.HasPrefix(resp, `{"success":true`) {
				b.Errorf("sign-in: %d %s", status, resp)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sign-ins/s")
}
