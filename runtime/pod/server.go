package pod

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/gopod/gopod/runtime/cache"
	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/health"
	"github.com/gopod/gopod/runtime/messages"
	"github.com/gopod/gopod/runtime/storage"
	"github.com/gopod/gopod/runtime/stream"
	"github.com/gopod/gopod/wire"
)

// DefaultMaxRequestSize is Serverpod's default maxRequestSize (512 KiB).
const DefaultMaxRequestSize = 524288

// Module is a module the server runs, such as the auth module. Endpoints
// of the module find their module's state through Server.Module.
type Module interface {
	ModuleName() string
}

// Server serves a Dispatch over Serverpod's HTTP protocol. Its ServeHTTP is
// the API server's handler.
type Server struct {
	dispatch       *Dispatch
	authHandler    AuthenticationHandler
	modules        map[string]Module
	log            *slog.Logger
	maxRequestSize int64
	passwords      map[string]string
	healthChecks   []HealthCheck
	db             *db.DB
	// newMessages makes the messages central, through Redis when
	// WithRedis set it. A closure holds the *redis.Client rather than a
	// field, so that go-redis is not part of Server's type: every package
	// importing pod reads that type from export data (a *Session reaches
	// it), and would compile go-redis's generic instantiations anew.
	newMessages    func(log *slog.Logger, opts ...messages.Option) *messages.Central
	serverID       string
	messagesPrefix string
	messages       *messages.Central
	globalCache    *cache.Global
	storages       map[string]storage.Storage
	runMode        string
	callLevel      slog.Level
	routes         map[string]http.Handler
	logID          atomic.Int64
	encoders       sync.Pool
	machinery
	streams       *stream.Server
	streamOptions stream.Options
	watch         authWatch
	// trustedProxies and forwardedHeader: see WithTrustedProxies.
	trustedProxies  []netip.Prefix
	forwardedHeader string
	// http is the http: section of the configuration (WithHTTP);
	// anyOrigin says whether its allowed origins include "*".
	http      config.HTTP
	anyOrigin bool
}

// HealthCheck measures one health metric for GET /; it returns the metric's
// name, a value to print, and whether the metric is healthy.
type HealthCheck func(ctx context.Context) (name, value string, healthy bool)

// Option configures a Server.
type Option func(*Server)

// WithAuthenticationHandler sets the handler that resolves authentication
// keys (the auth module's AuthenticationHandler, for instance).
func WithAuthenticationHandler(h AuthenticationHandler) Option {
	return func(s *Server) { s.authHandler = h }
}

// WithModule registers a module instance (its configuration and state).
func WithModule(m Module) Option {
	return func(s *Server) { s.modules[m.ModuleName()] = m }
}

// WithLogger sets the structured logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) { s.log = l }
}

// WithMaxRequestSize sets the largest request body accepted.
func WithMaxRequestSize(n int64) Option {
	return func(s *Server) { s.maxRequestSize = n }
}

// WithPasswords sets the values of config/passwords.yaml for the run mode.
func WithPasswords(p map[string]string) Option {
	return func(s *Server) { s.passwords = p }
}

// WithDatabase gives sessions their database (Session.DB, and the ORM
// through Session being a db.Conn).
func WithDatabase(d *db.DB) Option {
	return func(s *Server) { s.db = d }
}

// WithRedis connects the server to Redis: messages posted as global reach
// every server sharing it, and GlobalCache is available. serverID tells
// this server's messages apart from the others'.
func WithRedis(rdb *redis.Client, serverID string) Option {
	return func(s *Server) {
		s.serverID = serverID
		s.newMessages = func(log *slog.Logger, opts ...messages.Option) *messages.Central {
			return messages.New(serverID, rdb, log, opts...)
		}
		s.globalCache = cache.NewGlobal(rdb, "gopod:cache:")
	}
}

// WithMessagesPrefix names the Redis channels of the server's messages
// (default messages.DefaultPrefix): servers exchange messages when they
// share Redis and the prefix.
func WithMessagesPrefix(prefix string) Option {
	return func(s *Server) { s.messagesPrefix = prefix }
}

// WithStorage adds a file storage, found by its id (public, private)
// through Server.Storage.
func WithStorage(st storage.Storage) Option {
	return func(s *Server) { s.storages[st.ID()] = st }
}

// WithRunMode tells the server its run mode (development, test, staging
// or production); Main sets it from --mode.
func WithRunMode(mode string) Option {
	return func(s *Server) { s.runMode = mode }
}

// WithRoute serves path (an exact path such as /serverpod_cloud_storage)
// with h instead of as an endpoint call; modules use it for files and web
// pages.
func WithRoute(path string, h http.Handler) Option {
	return func(s *Server) { s.routes[path] = h }
}

// WithHealthCheck adds a metric to the health check at GET /.
func WithHealthCheck(h HealthCheck) Option {
	return func(s *Server) { s.healthChecks = append(s.healthChecks, h) }
}

// NewServer returns a server for the dispatch.
func NewServer(d *Dispatch, opts ...Option) *Server {
	s := &Server{
		dispatch:       d,
		modules:        map[string]Module{},
		log:            slog.Default(),
		maxRequestSize: DefaultMaxRequestSize,
		passwords:      map[string]string{},
		routes:         map[string]http.Handler{},
		storages:       map[string]storage.Storage{},
		machinery:      machinery{conns: health.NewConnCounter()},
		http:           config.DefaultHTTP(),
	}
	s.encoders.New = func() any { return wire.NewEncoder(true) }
	for _, o := range opts {
		o(s)
	}
	s.anyOrigin = slices.Contains(s.http.AllowedOrigins, "*")
	s.callLevel = callLogLevel(s.runMode)
	var mopts []messages.Option
	if s.messagesPrefix != "" {
		mopts = append(mopts, messages.WithPrefix(s.messagesPrefix))
	}
	if s.newMessages != nil {
		s.messages = s.newMessages(s.log, mopts...)
	} else {
		s.messages = messages.New(s.serverID, nil, s.log, mopts...)
	}
	if err := s.setUpFutureCalls(); err != nil {
		// Registering the same name twice is a programming error.
		panic(err)
	}
	s.watch.srv = s
	s.newStreams()
	return s
}

// Dispatch returns the endpoints the server serves.
func (s *Server) Dispatch() *Dispatch { return s.dispatch }

// Module returns the registered module with the given name, or nil.
func (s *Server) Module(name string) Module { return s.modules[name] }

// Messages returns the server's message central: local, and across servers
// when Redis is configured.
func (s *Server) Messages() *messages.Central { return s.messages }

// GlobalCache returns the cache shared by every server through Redis, nil
// without Redis.
func (s *Server) GlobalCache() *cache.Global { return s.globalCache }

// RunMode is the server's run mode; development when none was given.
func (s *Server) RunMode() string {
	if s.runMode == "" {
		return "development"
	}
	return s.runMode
}

// Storage returns the file storage with the given id, nil when there is
// none.
func (s *Server) Storage(id string) storage.Storage { return s.storages[id] }

// DB returns the server's database, nil when it has none.
func (s *Server) DB() *db.DB { return s.db }

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// ServeHTTP answers one request as Serverpod 2.4's API server does. Every
// answer carries the security and CORS headers; all but WebSocket upgrades
// go through the write timeout and compression (guardedWriter).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	s.setResponseHeaders(h, r)
	switch r.URL.Path {
	case "/websocket", "/v1/websocket":
		if !s.webSocketOriginAllowed(r) {
			writeText(w, http.StatusForbidden, "Origin not allowed.\n")
			return
		}
		s.serveWebSocket(w, r)
		return
	}
	g := s.guard(w, r)
	defer g.finish()
	s.serve(g, r)
}

// serve answers a request that is not a WebSocket upgrade.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if r.URL.Path == "/" {
		s.serveHealth(w, r)
		return
	}
	if h, ok := s.routes[r.URL.Path]; ok {
		h.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, Accept, User-Agent, X-Requested-With")
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	s.serveCall(w, r)
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, text)
}

// serveHealth answers GET /: always 200, "OK <time>" or "SADNESS <time>"
// followed by the failing metrics.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	var issues []string
	for _, check := range s.healthChecks {
		if name, value, ok := check(r.Context()); !ok {
			issues = append(issues, name+": "+value+"\n")
		}
	}
	word := "OK "
	if len(issues) > 0 {
		word = "SADNESS "
	}
	now := wire.AppendDateTime(nil, time.Now())
	now[bytes.IndexByte(now, 'T')] = ' ' // Dart's DateTime.toString uses a space
	writeText(w, http.StatusOK, word+string(now)+"\n"+strings.Join(issues, ""))
}

// callError is a failure that answers with a status and a text body.
type callError struct {
	status int
	text   string
}

// exactBodyBuffer is the largest declared body length readBody allocates
// for before the bytes arrive.
const exactBodyBuffer = 16 << 10

// readBody reads at most max bytes; a larger body answers 413.
func (s *Server) readBody(r *http.Request) ([]byte, *callError) {
	tooLarge := func() *callError {
		return &callError{http.StatusRequestEntityTooLarge, fmt.Sprintf("Request size exceeds the maximum allowed size of %d bytes.", s.maxRequestSize)}
	}
	if r.ContentLength > s.maxRequestSize {
		return nil, tooLarge()
	}
	var body []byte
	var err error
	if r.ContentLength >= 0 && r.ContentLength <= exactBodyBuffer {
		// The usual case: a small body of known length (net/http holds
		// the body to it), read into one exact buffer with no growing.
		// A larger claimed length is read as it arrives, so that a client
		// cannot make the server hold memory it never sends.
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, s.maxRequestSize+1))
	}
	if err != nil {
		return nil, &callError{http.StatusBadRequest, "Failed to read the request body.\n"}
	}
	if int64(len(body)) > s.maxRequestSize {
		return nil, tooLarge()
	}
	return body, nil
}

// isBasicToken reports whether s matches Serverpod's ^[a-zA-Z0-9+/]*=*$
// (checked by hand: it runs on every authenticated call).
func isBasicToken(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// unwrapAuthHeader applies Serverpod's rule: a Basic value must be one
// base64 token and is decoded to the raw key; any other value is passed on
// unchanged. Bearer tokens are unwrapped too (Serverpod 3 sends them).
func unwrapAuthHeader(v string) (string, bool) {
	parts := strings.Split(v, " ")
	switch strings.ToLower(parts[0]) {
	case "basic":
		if len(parts) != 2 || !isBasicToken(parts[1]) {
			return "", false
		}
		raw, err := base64.StdEncoding.DecodeString(parts[1])
		if err != nil || !utf8.Valid(raw) {
			return "", false
		}
		return string(raw), true
	case "bearer":
		if len(parts) != 2 || parts[1] == "" {
			return "", false
		}
		return parts[1], true
	}
	return v, true
}

// parseCall splits the path into endpoint and method and reads the
// arguments, following Serverpod's _handleUriCall.
func parseCall(r *http.Request, body []byte) (endpoint, method string, args *Args, cerr *callError) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if strings.Count(path, ".") > 1 {
		return "", "", nil, &callError{http.StatusBadRequest, fmt.Sprintf("Endpoint %s is not a valid endpoint name\n", path)}
	}
	var params map[string]any
	if len(body) > 0 && string(body) != "null" {
		v, err := wire.Parse(body)
		obj, isObj := v.(map[string]any)
		if err != nil || !isObj {
			return "", "", nil, &callError{http.StatusBadRequest, fmt.Sprintf("Invalid JSON in body: %s\n", truncate(body, 200))}
		}
		params = obj
	}
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	args = NewArgs(params, query)
	if ep, m, ok := strings.Cut(path, "/"); ok {
		m, _, _ = strings.Cut(m, "/")
		return ep, m, args, nil
	}
	var name any
	if q, ok := query["method"]; ok && len(q) > 0 {
		name = q[0]
	} else {
		name = params["method"]
	}
	m, ok := name.(string)
	if !ok {
		return "", "", nil, &callError{http.StatusBadRequest, fmt.Sprintf("No method name specified in call to %s\n", path)}
	}
	return path, m, args, nil
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

func (s *Server) serveCall(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := s.call(w, r)
	if c.sess != nil {
		c.sess.closeLog(nil, nil) // a failed call's log is already written
	}
	s.logCall(r.Context(), &c, start)
}

// logCall writes the console line of one call at the server's call level
// (see callLogLevel); when that level is off it does no formatting work
// and allocates nothing.
func (s *Server) logCall(ctx context.Context, c *outcome, start time.Time) {
	level := s.callLevel
	if c.status == StatusClientClosedRequest {
		level = slog.LevelDebug
	}
	if !s.log.Enabled(ctx, level) {
		return
	}
	s.log.LogAttrs(ctx, level, "call",
		slog.String("endpoint", c.endpoint),
		slog.String("method", c.method),
		slog.Int("status", c.status),
		slog.Duration("duration", time.Since(start)))
}

// callLogLevel is the level of the per-call console line, following what
// reaches Serverpod 2.4's console: its CALL line is printed in the
// development run mode only, and --logging verbose adds a line per
// request in every mode. So the line is Info in development and Debug
// elsewhere, which Main's logger shows only with --logging verbose.
func callLogLevel(runMode string) slog.Level {
	if runMode == "" || runMode == "development" {
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// StatusClientClosedRequest is the status a call is logged with when its
// client closed the connection before the answer (nginx's 499): the
// client is gone, so no answer is sent, and the call is neither a server
// error nor a failed session.
const StatusClientClosedRequest = 499

// outcome is what the call log line reports.
type outcome struct {
	endpoint, method string
	status           int
	sess             *Session
}

// call handles one endpoint method call.
func (s *Server) call(w http.ResponseWriter, r *http.Request) (out outcome) {
	fail := func(e *callError) outcome {
		writeText(w, e.status, e.text)
		out.status = e.status
		return out
	}
	body, cerr := s.readBody(r)
	if cerr != nil {
		return fail(cerr)
	}
	endpoint, method, args, cerr := parseCall(r, body)
	if cerr != nil {
		return fail(cerr)
	}
	out.endpoint, out.method = endpoint, method
	var key string
	if hv := r.Header.Get("Authorization"); hv != "" {
		k, ok := unwrapAuthHeader(hv)
		if !ok {
			return fail(&callError{http.StatusBadRequest, fmt.Sprintf("Request has invalid \"authorization\" header: %s\n", hv)})
		}
		key = k
	} else if v, _, ok := args.value("auth"); ok {
		key, _ = v.(string)
	}

	conn := s.dispatch.Lookup(endpoint)
	if conn == nil {
		return fail(&callError{http.StatusNotFound, fmt.Sprintf("Endpoint %s not found\n", endpoint)})
	}
	m := conn.Methods[method]
	if m == nil {
		return fail(&callError{http.StatusBadRequest, fmt.Sprintf("Method \"%s\" not found in endpoint: %s\n", method, endpoint)})
	}
	if m.Call == nil {
		// A streaming method answers over /v1/websocket only.
		return fail(&callError{http.StatusBadRequest, fmt.Sprintf("Endpoint method %s in %s is not of the expected type.\n", method, endpoint)})
	}

	sess := &Session{Context: r.Context(), Endpoint: endpoint, Method: method, Request: r, Log: s.log, server: s, authKey: key,
		sendRaw: conn.SendsByteDataAsRaw(), header: w.Header()}
	s.openSessionLog(sess, false)
	out.sess = sess
	if conn.RequiresAuthentication() {
		info, err := sess.Authenticated()
		if err != nil {
			out.status = s.internalError(w, sess, fmt.Errorf("authentication handler: %w", err), nil)
			return out
		}
		if info == nil {
			w.WriteHeader(http.StatusUnauthorized)
			out.status = http.StatusUnauthorized
			return out
		}
		if len(conn.MissingScopes(info)) > 0 {
			w.WriteHeader(http.StatusForbidden)
			out.status = http.StatusForbidden
			return out
		}
	}

	enc := s.encoders.Get().(*wire.Encoder)
	defer func() {
		enc.Reset()
		s.encoders.Put(enc)
	}()
	err, stack := invoke(m, sess, args, enc)
	if err == nil && sess.raw != nil {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(*sess.raw)
		out.status = http.StatusOK
		return out
	}
	if err == nil {
		var result []byte
		if result, err = enc.Bytes(); err == nil {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(result)
			out.status = http.StatusOK
			return out
		}
		err = fmt.Errorf("encoding the result: %w", err)
	}
	var argErr *ArgError
	if errors.As(err, &argErr) {
		return fail(&callError{http.StatusBadRequest, argErr.Error() + "\n"})
	}
	var exc wire.Exception
	if errors.As(err, &exc) {
		e := wire.NewEncoder(true)
		wire.EncodeTagged(e, exc)
		if body, eerr := e.Bytes(); eerr == nil {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(body)
			out.status = http.StatusBadRequest
			return out
		}
	}
	out.status = s.internalError(w, sess, err, stack)
	return out
}

// invoke runs the method, turning a panic into an error so that one failing
// call never takes the server down.
func invoke(m *Method, sess *Session, args *Args, enc *wire.Encoder) (err error, stack []byte) {
	defer func() {
		if p := recover(); p != nil {
			err, stack = fmt.Errorf("panic: %v", p), debug.Stack()
		}
	}()
	return m.Call(sess, args, enc), nil
}

func (s *Server) internalError(w http.ResponseWriter, sess *Session, err error, stack []byte) int {
	if stack == nil && sess.Request != nil && sess.Request.Context().Err() != nil {
		// The client closed the connection (the request's context ends
		// only then, or when the handler has returned): whatever the
		// method returned follows from its context being cancelled.
		s.log.LogAttrs(sess, slog.LevelDebug, "client disconnected during the call",
			slog.String("endpoint", sess.Endpoint),
			slog.String("method", sess.Method),
			slog.String("error", err.Error()))
		return StatusClientClosedRequest
	}
	// As in Serverpod 2.4, the answer names the failed session's log row
	// (0 when the settings do not log it).
	id := sess.closeLog(err, stack)
	if s.sessionLog == nil {
		id = s.logID.Add(1)
	}
	attrs := []slog.Attr{
		slog.String("endpoint", sess.Endpoint),
		slog.String("method", sess.Method),
		slog.Int64("callLogId", id),
		slog.String("error", err.Error()),
	}
	if stack != nil {
		attrs = append(attrs, slog.String("stack", string(stack)))
	}
	reason, rejected := db.RejectedValue(err)
	rejected = rejected && stack == nil
	level := slog.LevelError
	if rejected {
		// The caller's input, not the server, is at fault.
		level = slog.LevelWarn
	}
	s.log.LogAttrs(sess, level, "endpoint call failed", attrs...)
	if stack == nil && db.Unavailable(err) {
		return unavailable(w, id)
	}
	if rejected {
		writeText(w, http.StatusBadRequest, "Bad request: the database cannot store a value of this call ("+reason+"). Call log id: "+formatLogID(id)+"\n")
		return http.StatusBadRequest
	}
	writeText(w, http.StatusInternalServerError, "Internal server error. Call log id: "+formatLogID(id)+"\n")
	return http.StatusInternalServerError
}
