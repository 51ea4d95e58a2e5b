package auth_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/runtime/pod"
)

// loopbackDialer dials from ip, so that the server sees ip as the peer.
func loopbackDialer(ip string) *http.Transport {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 8}
}

// startProxy runs a reverse proxy listening on ip that forwards to target
// from ip, appending the address it sees to X-Forwarded-For as load
// balancers do.
func startProxy(t *testing.T, ip, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	tr := loopbackDialer(ip)
	rp.Transport = tr
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(rp)
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(func() { ts.Close(); tr.CloseIdleConnections() })
	return ts.URL
}

// TestTrustedProxy replays the proxy half of finding 2. Behind a load
// balancer every client used to share its address, and nothing named the
// real one. Now X-Forwarded-For is read from the trusted proxy only: the
// address a client writes there itself is ignored, whether it calls
// directly, through the trusted proxy or through an untrusted one, and
// the per-address limits count each client under its own address.
func TestTrustedProxy(t *testing.T) {
	trustedIP, untrustedIP := loopbackIP(), loopbackIP()
	attackerIP, victimIP := loopbackIP(), loopbackIP()
	e := newEnvWith(t, testPasswords,
		func(c *auth.Config) { c.MaxFailedAttemptsPerIP, c.AddressSlowdown = 3, 10*time.Millisecond },
		pod.WithTrustedProxies([]netip.Prefix{netip.MustParsePrefix(trustedIP + "/32")}, ""))
	trusted := startProxy(t, trustedIP, e.http.URL)
	untrusted := startProxy(t, untrustedIP, e.http.URL)
	clients := map[string]*http.Client{}
	for _, ip := range []string{attackerIP, victimIP} {
		tr := loopbackDialer(ip)
		t.Cleanup(tr.CloseIdleConnections)
		clients[ip] = &http.Client{Transport: tr, Timeout: time.Minute}
	}
	// signIn posts a sign-in from ip to base, with a forged
	// X-Forwarded-For when spoof is set, and says whether it succeeded.
	signIn := func(ip, base, spoof, email, password string) bool {
		t.Helper()
		body := fmt.Sprintf(`{"method":"authenticate","email":%q,"password":%q}`, email, password)
		req, _ := http.NewRequest(http.MethodPost, base+"/serverpod_auth.email", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		if spoof != "" {
			req.Header.Set("X-Forwarded-For", spoof)
		}
		resp, err := clients[ip].Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("sign-in from %s via %s: %d %s", ip, base, resp.StatusCode, b)
		}
		return strings.HasPrefix(string(b), `{"success":true`)
	}

	for _, tt := range []struct {
		name, from, via, spoof, want string
	}{
		{"direct, spoofed", attackerIP, e.http.URL, victimIP, attackerIP},
		{"untrusted proxy, spoofed", attackerIP, untrusted, victimIP, untrustedIP},
		{"trusted proxy, spoofed", attackerIP, trusted, victimIP, attackerIP},
		{"trusted proxy, spoofed twice", attackerIP, trusted, victimIP + ", " + trustedIP, attackerIP},
		{"trusted proxy", victimIP, trusted, "", victimIP},
	} {
		email := newEmail("proxied")
		if signIn(tt.from, tt.via, tt.spoof, email, "wrong-password") {
			t.Fatalf("%s: a wrong password signed in", tt.name)
		}
		if got := e.queryString(`SELECT "ipAddress" FROM "serverpod_email_failed_sign_in" WHERE "email" = $1`, email); got != tt.want {
			t.Errorf("%s: the failure is counted under %s, want %s", tt.name, got, tt.want)
		}
	}

	// The attacker uses up a budget through the trusted proxy while naming
	// the victim's address; the victim, behind the same proxy, is not
	// slowed, and the attacker is.
	victim := newEmail("victim")
	e.signUp(e.client(), "v", victim, "victim-password")
	for i := range 4 {
		signIn(attackerIP, trusted, victimIP, newEmail(fmt.Sprintf("guess%d", i)), "wrong-password")
	}
	if !signIn(victimIP, trusted, "", victim, "victim-password") {
		t.Fatal("the victim's right password was refused")
	}
	logs := e.Logs()
	if strings.Contains(logs, "address="+victimIP+" ") || strings.Contains(logs, "address="+trustedIP+" ") {
		t.Errorf("the victim's or the proxy's address was slowed:\n%s", logs)
	}
	if !strings.Contains(logs, "address="+attackerIP+" ") {
		t.Errorf("the attacker's address was not slowed:\n%s", logs)
	}
}
