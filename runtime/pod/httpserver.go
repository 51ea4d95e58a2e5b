package pod

import (
	"compress/gzip"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gopod/gopod/runtime/config"
)

// WithHTTP applies the http: section of the configuration: trusted proxies,
// allowed origins, compression and the write timeout. A server without it
// uses config.DefaultHTTP.
func WithHTTP(h config.HTTP) Option {
	return func(s *Server) {
		WithTrustedProxies(h.TrustedProxies, h.ForwardedHeader)(s)
		s.http = h
	}
}

// httpServer returns the API's HTTP server with the configured timeouts.
//
// WriteTimeout is set so that a response is bounded even if no first byte
// is ever written, but a call may run longer: guardedWriter restarts the
// limit when a late response starts, so it bounds how long the client
// takes to receive the answer (at least three quarters of the limit), not
// how long the method takes to compute it.
// Hijacked WebSocket connections leave these deadlines behind: the
// upgrade clears them, and the stream server keeps its own keep-alive.
func (s *Server) httpServer(ctx context.Context, h config.HTTP) *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: h.ReadHeaderTimeout,
		ReadTimeout:       h.ReadTimeout,
		WriteTimeout:      h.WriteTimeout,
		IdleTimeout:       h.IdleTimeout,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ConnState:         s.conns.Track, // the health metrics count connections
	}
}

// setResponseHeaders sets the headers every response carries. They match
// Serverpod 2.4 at its defaults: its Server adds httpResponseHeaders
// (Access-Control-Allow-Origin: * and Access-Control-Allow-Methods: POST),
// and Dart's HttpServer under it adds X-Frame-Options: SAMEORIGIN,
// X-Content-Type-Options: nosniff and X-XSS-Protection: 1; mode=block to
// every response. With allowed origins configured, an allowed Origin is
// echoed (with Vary: Origin) and any other gets no Allow-Origin, so the
// browser keeps the answer from the page.
func (s *Server) setResponseHeaders(h http.Header, r *http.Request) {
	h["X-Content-Type-Options"] = nosniff
	h["X-Frame-Options"] = sameOrigin
	h["X-Xss-Protection"] = xssBlock
	h["Access-Control-Allow-Methods"] = allowPost
	if s.anyOrigin {
		h["Access-Control-Allow-Origin"] = anyOrigin
		return
	}
	h["Vary"] = append(h["Vary"], "Origin")
	if origin := r.Header.Get("Origin"); origin != "" && s.originAllowed(origin) {
		h["Access-Control-Allow-Origin"] = []string{origin}
	}
}

// The header values are shared: net/http only reads them.
var (
	nosniff    = []string{"nosniff"}
	sameOrigin = []string{"SAMEORIGIN"}
	xssBlock   = []string{"1; mode=block"}
	allowPost  = []string{"POST"}
	anyOrigin  = []string{"*"}
)

// webSocketOriginAllowed applies the allowed origins to WebSocket
// upgrades, which browsers make from any page without asking CORS: with
// origins configured, a browser's upgrade (it always names its origin)
// from another origin is refused. Clients that are not browsers send no
// Origin and are let through, as is every origin by default (2.4 accepts
// them all).
func (s *Server) webSocketOriginAllowed(r *http.Request) bool {
	if s.anyOrigin {
		return true
	}
	origin := r.Header.Get("Origin")
	return origin == "" || s.originAllowed(origin)
}

func (s *Server) originAllowed(origin string) bool {
	for _, o := range s.http.AllowedOrigins {
		if strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// compressMin is the smallest body worth compressing: below it, gzip's
// own 18-byte frame and the CPU time buy little.
const compressMin = 1024

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, line := range r.Header.Values("Accept-Encoding") {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ",")
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.TrimSpace(coding)
			if !strings.EqualFold(coding, "gzip") && !strings.EqualFold(coding, "x-gzip") {
				continue
			}
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// compressible reports whether a response of this type shrinks under gzip
// (text, JSON, XML, JavaScript, SVG); images, archives and other binary
// formats are compressed already.
func compressible(contentType string) bool {
	t, _, _ := strings.Cut(contentType, ";")
	t = strings.ToLower(strings.TrimSpace(t))
	switch {
	case strings.HasPrefix(t, "text/"),
		t == "application/json", t == "application/javascript", t == "application/xml", t == "image/svg+xml",
		strings.HasSuffix(t, "+json"), strings.HasSuffix(t, "+xml"):
		return true
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

var guardedWriters = sync.Pool{New: func() any { return new(guardedWriter) }}

// guardedWriter restarts the write timeout when the response starts, and
// gzips the response when the client accepts it, the type compresses and
// the body reaches compressMin. Until the body reaches compressMin it is
// held back, so that a small answer goes out as it is, with its length.
type guardedWriter struct {
	w            http.ResponseWriter
	writeTimeout time.Duration
	begun        time.Time // when the request reached the server
	gzipOK       bool      // the client accepts gzip and the server compresses

	status  int  // as the handler set it, 0 until then
	started bool // the header went out
	gz      *gzip.Writer
	n       int
	held    [compressMin]byte
}

func (s *Server) guard(w http.ResponseWriter, r *http.Request) *guardedWriter {
	g := guardedWriters.Get().(*guardedWriter)
	*g = guardedWriter{w: w, writeTimeout: s.http.WriteTimeout, begun: time.Now(),
		gzipOK: s.http.Compress && r.Method != http.MethodHead && r.Header.Get("Range") == "" && acceptsGzip(r)}
	return g
}

func (g *guardedWriter) Header() http.Header { return g.w.Header() }

// Unwrap lets http.ResponseController reach the connection.
func (g *guardedWriter) Unwrap() http.ResponseWriter { return g.w }

func (g *guardedWriter) WriteHeader(status int) {
	if g.started || g.status != 0 {
		return
	}
	if status < 200 { // informational: goes out at once, the real one follows
		g.w.WriteHeader(status)
		return
	}
	g.status = status
	if !g.gzipOK || status == http.StatusNoContent || status == http.StatusNotModified || status == http.StatusPartialContent {
		g.start(false)
	}
}

func (g *guardedWriter) Write(p []byte) (int, error) {
	if !g.started {
		if g.status == 0 {
			g.status = http.StatusOK
		}
		if !g.gzipOK {
			g.start(false)
		} else if g.n+len(p) < compressMin {
			g.n += copy(g.held[g.n:], p)
			return len(p), nil
		} else {
			g.start(true)
		}
	}
	if g.gz != nil {
		return g.gz.Write(p)
	}
	return g.w.Write(p)
}

// start sends the header, gzipped when asked and the response allows, then
// what was held back.
func (g *guardedWriter) start(compress bool) {
	g.started = true
	// The server's WriteTimeout runs from the request's start. A quick
	// answer keeps most of it, and setting the deadline again would cost
	// more than the call; only an answer that took a quarter of it or more
	// gets the whole limit anew.
	if now := time.Now(); g.writeTimeout > 0 && now.Sub(g.begun) >= g.writeTimeout/4 {
		_ = http.NewResponseController(g.w).SetWriteDeadline(now.Add(g.writeTimeout))
	}
	h := g.w.Header()
	if compress {
		ct := h.Get("Content-Type")
		if ct == "" && g.n > 0 {
			// What net/http would sniff from the plain body.
			ct = http.DetectContentType(g.held[:g.n])
			h.Set("Content-Type", ct)
		}
		compress = compressible(ct) && h.Get("Content-Encoding") == "" && h.Get("Content-Range") == ""
	}
	if compress {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		g.gz = gzipWriters.Get().(*gzip.Writer)
		g.gz.Reset(g.w)
	}
	if g.status != 0 {
		g.w.WriteHeader(g.status)
	}
	if g.n > 0 {
		held := g.held[:g.n]
		g.n = 0
		if g.gz != nil {
			_, _ = g.gz.Write(held)
		} else {
			_, _ = g.w.Write(held)
		}
	}
}

// Flush sends what is held back and asks the connection to send it.
func (g *guardedWriter) Flush() {
	if !g.started {
		g.start(g.gzipOK && g.n >= compressMin)
	}
	if g.gz != nil {
		_ = g.gz.Flush()
	}
	_ = http.NewResponseController(g.w).Flush()
}

// finish ends the response: a body held back goes out uncompressed, and a
// gzip stream is closed. The writer must not be used afterwards.
func (g *guardedWriter) finish() {
	if !g.started {
		g.start(false)
	}
	if g.gz != nil {
		_ = g.gz.Close()
		g.gz.Reset(nil)
		gzipWriters.Put(g.gz)
	}
	*g = guardedWriter{}
	guardedWriters.Put(g)
}
