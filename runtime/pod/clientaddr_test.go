package pod

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("2001:db8:ff::/48")}
	tests := []struct {
		name    string
		proxies []netip.Prefix
		header  string // the forwarding header the proxies write
		remote  string
		xff     []string
		fwd     []string
		want    string
	}{
		{name: "no proxies: the header is never read", remote: "203.0.113.5:4000", xff: []string{"198.51.100.1"}, want: "203.0.113.5"},
		{name: "untrusted peer: the header is ignored", proxies: proxies, remote: "203.0.113.5:4000", xff: []string{"198.51.100.1"}, want: "203.0.113.5"},
		{name: "trusted peer without header", proxies: proxies, remote: "10.1.2.3:4000", want: "10.1.2.3"},
		{name: "trusted peer: the hop it saw", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "a spoofed hop left of the real one is never reached", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"1.2.3.4, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "two trusted proxies", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"1.2.3.4, 198.51.100.1, 192.168.1.7"}, want: "198.51.100.1"},
		{name: "header lines in order", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"1.2.3.4", "198.51.100.1,10.9.9.9"}, want: "198.51.100.1"},
		{name: "every hop trusted: the left-most", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"10.0.0.9, 192.168.1.7"}, want: "10.0.0.9"},
		{name: "a hop with a port", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"198.51.100.1:5555"}, want: "198.51.100.1"},
		{name: "garbage from a trusted proxy: the last proxy", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"198.51.100.1, unknown, 192.168.1.7"}, want: "192.168.1.7"},
		{name: "empty hop", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{""}, want: "10.1.2.3"},
		{name: "IPv6 client", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"2001:db8:1:2::5"}, want: "2001:db8:1:2::5"},
		{name: "IPv6 proxy", proxies: proxies, remote: "[2001:db8:ff:1::1]:4000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "mapped IPv4 peer", proxies: proxies, remote: "[::ffff:10.1.2.3]:4000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "X-Forwarded-For proxies: Forwarded is ignored", proxies: proxies, remote: "10.1.2.3:4000", xff: []string{"198.51.100.1"}, fwd: []string{"for=1.2.3.4"}, want: "198.51.100.1"},
		{name: "Forwarded proxies: X-Forwarded-For is ignored", proxies: proxies, header: HeaderForwarded, remote: "10.1.2.3:4000", xff: []string{"1.2.3.4"}, fwd: []string{"for=198.51.100.1;proto=https"}, want: "198.51.100.1"},
		{name: "Forwarded: right-most untrusted", proxies: proxies, header: HeaderForwarded, remote: "10.1.2.3:4000",
			fwd: []string{`for=1.2.3.4, for="[2001:db8:1::9]:4711";by=10.0.0.1`, "For=192.168.1.7"}, want: "2001:db8:1::9"},
		{name: "Forwarded: quoted separators", proxies: proxies, header: HeaderForwarded, remote: "10.1.2.3:4000",
			fwd: []string{`for=1.2.3.4, for=198.51.100.1;host="a,b;c"`}, want: "198.51.100.1"},
		{name: "Forwarded: element without for", proxies: proxies, header: HeaderForwarded, remote: "10.1.2.3:4000",
			fwd: []string{`for=1.2.3.4, proto=https`}, want: "10.1.2.3"},
		{name: "Forwarded: obfuscated", proxies: proxies, header: HeaderForwarded, remote: "10.1.2.3:4000",
			fwd: []string{`for=1.2.3.4, for=_hidden`}, want: "10.1.2.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(NewDispatch("t"), WithTrustedProxies(tt.proxies, tt.header))
			r := httptest.NewRequest("POST", "/x", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			for _, v := range tt.fwd {
				r.Header.Add("Forwarded", v)
			}
			if got := s.ClientAddress(r).String(); got != tt.want {
				t.Errorf("ClientAddress = %s, want %s", got, tt.want)
			}
			sess := &Session{Request: r, server: s}
			if got := sess.RemoteIP(); got != tt.want {
				t.Errorf("RemoteIP = %s, want %s", got, tt.want)
			}
		})
	}
}

// FuzzClientAddress: whatever the headers say, the answer is the peer or
// an address that appears in them, and nothing panics.
func FuzzClientAddress(f *testing.F) {
	f.Add("10.1.2.3:4000", "1.2.3.4, 198.51.100.1", `for="[2001:db8::1]:80";proto=http, for=unknown`)
	f.Add("[2001:db8:ff::1]:1", "[2001:db8::1]", `for="\"`)
	s := NewServer(NewDispatch("t"), WithTrustedProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ff::/48")}, ""))
	sf := NewServer(NewDispatch("t"), WithTrustedProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ff::/48")}, HeaderForwarded))
	f.Fuzz(func(t *testing.T, remote, xff, fwd string) {
		r := httptest.NewRequest("POST", "/x", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		r.Header.Set("Forwarded", fwd)
		peer := parseHop(remote)
		for _, srv := range []*Server{s, sf} {
			got := srv.ClientAddress(r)
			if !peer.IsValid() {
				if got.IsValid() {
					t.Fatalf("no peer address, but ClientAddress = %v", got)
				}
				continue
			}
			if got != peer && !srv.trusted(peer) {
				t.Fatalf("untrusted peer %v, but ClientAddress = %v", peer, got)
			}
		}
	})
}
