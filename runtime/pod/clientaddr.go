package pod

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Forwarding headers a trusted proxy may report the client address in.
const (
	HeaderXForwardedFor = "X-Forwarded-For"
	HeaderForwarded     = "Forwarded"
)

// WithTrustedProxies names the proxies (load balancers) in front of the
// server, as addresses and networks. A request that arrives from one of
// them is attributed to the client its forwarding header names (header:
// X-Forwarded-For, or Forwarded; "" means X-Forwarded-For); see
// ClientAddress. Without trusted proxies, the header is never read.
//
// Only the one header is read because a proxy adds to its own header and
// passes the other on untouched: if both were read, a client could name
// any address in the header its proxy does not write.
func WithTrustedProxies(proxies []netip.Prefix, header string) Option {
	return func(s *Server) {
		s.trustedProxies = make([]netip.Prefix, len(proxies))
		for i, p := range proxies {
			s.trustedProxies[i] = p.Masked()
		}
		s.forwardedHeader = http.CanonicalHeaderKey(header)
		if s.forwardedHeader == "" {
			s.forwardedHeader = HeaderXForwardedFor
		}
	}
}

// ClientAddress returns the address of the client that made r.
//
// It starts from the address the connection comes from. As long as that
// address is a trusted proxy, it steps one hop back through the proxy's
// forwarding header, from its right end (the hop the proxy itself saw):
// the first address that is not a trusted proxy is the client. A client can
// put anything in the header, but only to the left of what the trusted
// proxies append, so what it writes is never reached. When a trusted proxy
// reports a hop that is no address ("unknown", an obfuscated name), the
// last proxy reached is the best known answer. When every hop is trusted,
// the left-most one is the client.
func (s *Server) ClientAddress(r *http.Request) netip.Addr {
	peer := parseHop(r.RemoteAddr)
	if !peer.IsValid() || !s.trusted(peer) {
		return peer
	}
	var hops []string
	for _, line := range r.Header.Values(s.forwardedHeader) {
		if s.forwardedHeader == HeaderForwarded {
			hops = appendForwardedFor(hops, line)
		} else {
			for _, h := range strings.Split(line, ",") {
				hops = append(hops, strings.TrimSpace(h))
			}
		}
	}
	addr := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop := parseHop(hops[i])
		if !hop.IsValid() {
			return addr
		}
		addr = hop
		if !s.trusted(hop) {
			return hop
		}
	}
	return addr
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.trustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// appendForwardedFor appends the for= values of an RFC 7239 Forwarded
// header line, one per element, in order. An element without for= is a
// hop of unknown address.
func appendForwardedFor(hops []string, line string) []string {
	for _, elem := range splitQuoted(line, ',') {
		hop := ""
		for _, pair := range splitQuoted(elem, ';') {
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "for") {
				hop = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
		hops = append(hops, hop)
	}
	return hops
}

// splitQuoted splits s at sep outside double quotes.
func splitQuoted(s string, sep byte) []string {
	var parts []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '\\':
			if quoted {
				i++
			}
		case sep:
			if !quoted {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// parseHop reads an address as proxies write it: 192.0.2.1,
// 192.0.2.1:4711, 2001:db8::1, [2001:db8::1] or [2001:db8::1]:4711. A
// zone is dropped and an IPv4-mapped IPv6 address read as IPv4. Anything
// else is the zero Addr.
func parseHop(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	} else if len(s) > 1 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}
