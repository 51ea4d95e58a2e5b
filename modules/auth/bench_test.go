package auth_test

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gopod/gopod/modules/auth"
)

// Run both with: go test -run '^$' -bench . ./modules/auth

// BenchmarkEmailSignIn signs one user in over HTTP, again and again, at
// the production Argon2id cost (19 MiB, 2 passes): the figure is bound by
// the password hash, by design.
func BenchmarkEmailSignIn(b *testing.B) {
	e := newEnv(b, func(c *auth.Config) { c.PasswordCost = auth.PasswordCost{} })
	email := newEmail("bench")
	e.signUp(e.client(), "bench", email, "bench-password")
	body := fmt.Sprintf(`{"method":"authenticate","email":%q,"password":"bench-password"}`, email)
	client := e.http.Client()
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
