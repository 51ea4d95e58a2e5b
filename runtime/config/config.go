// Package config loads a gopod server's configuration the way Serverpod 2.4
// does: config/<runmode>.yaml, config/passwords.yaml and the SERVERPOD_*
// environment variables, plus the server's command-line flags.
//
// gopod keeps Serverpod's file format and variable names so that an existing
// Serverpod project's config directory works unchanged, and differs where
// Serverpod is silently lenient: a value of the wrong type, an unparsable
// environment variable or an unknown flag value is an error that names the
// file and line (or the variable or flag) and says what to do. Unknown keys
// are ignored, as in Serverpod. One extension: a database section without a
// host, or no database section, selects gopod's embedded development
// database (Database.Embedded).
package config

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Run modes: each picks config/<mode>.yaml and a section of passwords.yaml.
const (
	ModeDevelopment = "development"
	ModeTest        = "test"
	ModeStaging     = "staging"
	ModeProduction  = "production"
)

// Defaults used when the configuration does not say otherwise.
const (
	DefaultAPIPort        = 8080
	DefaultInsightsPort   = 8081
	DefaultWebPort        = 8082
	DefaultMaxRequestSize = 524288
	DefaultServerID       = "default"
	DefaultPublicHost     = "localhost"
	DefaultPublicScheme   = "http"
	DefaultDatabasePort   = 5432
	DefaultRedisPort      = 6379
)

// Config is a server's complete configuration for one run mode.
type Config struct {
	RunMode  string
	ServerID string
	// MaxRequestSize is the largest request body, in bytes, the server accepts.
	MaxRequestSize int

	APIServer Server
	// InsightsServer and WebServer are nil when the file does not configure
	// them: Serverpod then does not start those servers.
	InsightsServer *Server
	WebServer      *Server

	Database Database
	Redis    Redis

	// ServiceSecret authenticates the Insights (service) protocol; it comes
	// from passwords.yaml's serviceSecret.
	ServiceSecret string
	SessionLogs   SessionLogs
	FutureCall    FutureCall
	// HTTP holds gopod's settings for the API server's HTTP handling.
	HTTP HTTP

	// Passwords holds every password for the run mode, including ones the
	// server itself does not use (authKeySalt, emailPasswordPepper, ...).
	Passwords Passwords
}

// Server configures one of the HTTP servers (API, Insights, web).
type Server struct {
	Port         int    // port to listen on; 0 picks a free port
	PublicHost   string // host name clients use
	PublicPort   int    // port clients use
	PublicScheme string // http or https
}

// Database configures the PostgreSQL database.
type Database struct {
	// Embedded is true when the configuration names no database host: gopod
	// then runs a project-local development PostgreSQL, and the other
	// fields are preferences for it (a blank Name or User means the
	// caller's default).
	Embedded     bool
	Host         string
	Port         int
	Name         string
	User         string
	Password     string
	RequireSSL   bool
	IsUnixSocket bool
	// SearchPaths overrides the connection's search_path when not empty.
	SearchPaths []string
}

// Redis configures the optional Redis connection.
type Redis struct {
	Enabled    bool
	Host       string
	Port       int
	User       string
	Password   string
	RequireSSL bool
}

// SessionLogs says where session logs go.
type SessionLogs struct {
	PersistentEnabled bool // write logs to the database
	ConsoleEnabled    bool // print logs
}

// FutureCall configures how the server runs future calls. Serverpod 2.4
// scans every five seconds and runs one call at a time; these keys
// (futureCall: concurrencyLimit, scanInterval in milliseconds, and
// futureCallExecutionEnabled) are those of later Serverpod versions.
type FutureCall struct {
	// ExecutionEnabled is false when this server only schedules calls and
	// leaves running them to others.
	ExecutionEnabled bool
	// ConcurrencyLimit is the most calls run at once; 0 means no limit.
	ConcurrencyLimit int
	// ScanIntervalMillis is how often the server looks for due calls.
	ScanIntervalMillis int
}

// Future call defaults, as later Serverpod versions have them.
const (
	DefaultFutureCallConcurrency  = 1
	DefaultFutureCallScanInterval = 5000
)

// HTTP configures the API server's HTTP handling: the client address
// behind proxies, timeouts, CORS and compression (the http: section, a
// gopod addition). Timeouts of zero mean none.
type HTTP struct {
	// TrustedProxies are the load balancers and proxies in front of the
	// server; only requests from them have their forwarding header read.
	TrustedProxies []netip.Prefix
	// ForwardedHeader is the header the trusted proxies report the client
	// in: X-Forwarded-For (the default) or Forwarded.
	ForwardedHeader string
	// AllowedOrigins are the web origins browsers may call the API from
	// (CORS); "*", the default, allows every origin, as Serverpod 2.4 does.
	AllowedOrigins []string
	// Compress gzips responses for clients that accept it.
	Compress bool

	ReadHeaderTimeout time.Duration // to read a request's headers
	ReadTimeout       time.Duration // to read a whole request, body included
	WriteTimeout      time.Duration // to send a response, from its first byte
	IdleTimeout       time.Duration // a kept-alive connection waits for its next request
}

// HTTP defaults: a request has 10 s for its headers and 30 s in all, a
// response 60 s to reach the client, and an idle connection is closed after
// 120 s (Dart's HttpServer default, which Serverpod 2.4 uses).
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
)

// DefaultHTTP returns the HTTP settings of a configuration that has none.
func DefaultHTTP() HTTP {
	return HTTP{
		ForwardedHeader:   "X-Forwarded-For",
		AllowedOrigins:    []string{"*"},
		Compress:          true,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
	}
}

// Options says which configuration to load.
type Options struct {
	// Dir is the server project directory, the one holding config/. Empty
	// means the current directory.
	Dir string
	// RunMode picks config/<RunMode>.yaml; empty means development.
	RunMode string
	// ServerID is the --server-id flag. When it is empty or "default", the
	// SERVERPOD_SERVER_ID variable or the file's serverId key decides.
	ServerID string
	// Env replaces the process environment, for tests. Nil means os.Environ.
	Env map[string]string
}

// Load reads config/<mode>.yaml and config/passwords.yaml below opts.Dir and
// applies the environment overrides. A missing file means defaults, as in
// Serverpod.
func Load(opts Options) (*Config, error) {
	mode := opts.RunMode
	if mode == "" {
		mode = ModeDevelopment
	}
	if err := checkMode(mode); err != nil {
		return nil, err
	}
	env := opts.Env
	if env == nil {
		env = environ()
	}
	dir := filepath.Join(opts.Dir, "config")

	passwords, err := LoadPasswords(filepath.Join(dir, "passwords.yaml"), mode, env)
	if err != nil {
		return nil, err
	}
	f, err := readYAML(filepath.Join(dir, mode+".yaml"))
	if err != nil {
		return nil, err
	}
	return build(f, mode, opts.ServerID, passwords, env)
}

// Parse builds a configuration from the contents of a run mode's file, for
// callers that keep the file elsewhere. name is used in error messages; env
// holds the environment variables to apply (nil for none).
func Parse(name string, data []byte, runMode, serverID string, passwords Passwords, env map[string]string) (*Config, error) {
	if err := checkMode(runMode); err != nil {
		return nil, err
	}
	f, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	if env == nil {
		env = map[string]string{}
	}
	return build(f, runMode, serverID, passwords, env)
}

func checkMode(mode string) error {
	switch mode {
	case ModeDevelopment, ModeTest, ModeStaging, ModeProduction:
		return nil
	}
	return &Error{Key: "run mode", Msg: fmt.Sprintf("unknown run mode %q; use development, test, staging or production", mode)}
}

func environ() map[string]string {
	env := make(map[string]string)
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

func build(f *yamlFile, mode, serverID string, passwords Passwords, env map[string]string) (*Config, error) {
	if passwords == nil {
		passwords = Passwords{}
	}
	c := &Config{RunMode: mode, Passwords: passwords, ServiceSecret: passwords[PasswordServiceSecret]}
	top, err := f.section("", env)
	if err != nil {
		return nil, err
	}

	if c.ServerID, err = readServerID(top, serverID); err != nil {
		return nil, err
	}
	size, ok, err := top.integer("maxRequestSize", EnvMaxRequestSize)
	if err != nil {
		return nil, err
	}
	if !ok {
		size = DefaultMaxRequestSize
	}
	if size <= 0 {
		return nil, fieldError(top, "maxRequestSize", EnvMaxRequestSize, fmt.Sprintf("must be a positive number of bytes, got %d", size))
	}
	c.MaxRequestSize = size

	api, err := readServer(f, "apiServer", apiEnv, DefaultAPIPort, env)
	if err != nil {
		return nil, err
	}
	if api == nil {
		api = &Server{Port: DefaultAPIPort, PublicHost: DefaultPublicHost, PublicPort: DefaultAPIPort, PublicScheme: DefaultPublicScheme}
	}
	c.APIServer = *api
	if c.InsightsServer, err = readServer(f, "insightsServer", insightsEnv, DefaultInsightsPort, env); err != nil {
		return nil, err
	}
	if c.WebServer, err = readServer(f, "webServer", webEnv, DefaultWebPort, env); err != nil {
		return nil, err
	}
	if c.Database, err = readDatabase(f, mode, passwords, env); err != nil {
		return nil, err
	}
	if c.Redis, err = readRedis(f, passwords, env); err != nil {
		return nil, err
	}
	if c.SessionLogs, err = readSessionLogs(f, env); err != nil {
		return nil, err
	}
	if c.FutureCall, err = readFutureCall(f, top, env); err != nil {
		return nil, err
	}
	if c.HTTP, err = readHTTP(f, env); err != nil {
		return nil, err
	}
	return c, nil
}

// readServerID applies Serverpod's precedence: a --server-id other than
// "default", then SERVERPOD_SERVER_ID, then the file's serverId.
func readServerID(top *section, fromFlag string) (string, error) {
	if fromFlag != "" && fromFlag != DefaultServerID {
		return fromFlag, nil
	}
	id, ok, err := top.str("serverId", EnvServerID)
	if err != nil || !ok || id == "" {
		return DefaultServerID, err
	}
	return id, nil
}

// fieldError reports a bad value at the key's position, or names the
// environment variable when that is where the value came from.
func fieldError(s *section, key, envVar, msg string) *Error {
	if _, ok := s.env[envVar]; ok && envVar != "" {
		return &Error{Source: "environment variable " + envVar, Msg: msg}
	}
	if v, ok := s.value(key); ok {
		return s.file.errorAt(v, join(s.name, key), msg)
	}
	return s.errorf("%s", msg)
}

type serverEnv struct{ port, publicHost, publicPort, publicScheme string }

var (
	apiEnv      = serverEnv{EnvAPIPort, EnvAPIPublicHost, EnvAPIPublicPort, EnvAPIPublicScheme}
	insightsEnv = serverEnv{EnvInsightsPort, EnvInsightsPublicHost, EnvInsightsPublicPort, EnvInsightsPublicScheme}
	webEnv      = serverEnv{EnvWebPort, EnvWebPublicHost, EnvWebPublicPort, EnvWebPublicScheme}
)

// readServer returns nil when neither the file nor the environment configures
// the server. Missing keys of a configured server get defaults (Serverpod
// requires all four): the server's usual port, localhost, the same public
// port, http.
func readServer(f *yamlFile, name string, ev serverEnv, defaultPort int, env map[string]string) (*Server, error) {
	s, err := f.section(name, env)
	if err != nil {
		return nil, err
	}
	if !s.present(ev.port, ev.publicHost, ev.publicPort, ev.publicScheme) {
		return nil, nil
	}
	srv := &Server{}
	var ok bool
	if srv.Port, ok, err = s.integer("port", ev.port); err != nil {
		return nil, err
	} else if !ok {
		srv.Port = defaultPort
	}
	if err := checkPort(s, "port", ev.port, srv.Port); err != nil {
		return nil, err
	}
	if srv.PublicHost, ok, err = s.str("publicHost", ev.publicHost); err != nil {
		return nil, err
	} else if !ok || srv.PublicHost == "" {
		srv.PublicHost = DefaultPublicHost
	}
	if srv.PublicPort, ok, err = s.integer("publicPort", ev.publicPort); err != nil {
		return nil, err
	} else if !ok {
		srv.PublicPort = srv.Port
	}
	if err := checkPort(s, "publicPort", ev.publicPort, srv.PublicPort); err != nil {
		return nil, err
	}
	if srv.PublicScheme, ok, err = s.str("publicScheme", ev.publicScheme); err != nil {
		return nil, err
	} else if !ok {
		srv.PublicScheme = DefaultPublicScheme
	}
	if srv.PublicScheme != "http" && srv.PublicScheme != "https" {
		return nil, fieldError(s, "publicScheme", ev.publicScheme, fmt.Sprintf("must be http or https, got %q", srv.PublicScheme))
	}
	return srv, nil
}

func checkPort(s *section, key, envVar string, port int) error {
	if port < 0 || port > 65535 {
		return fieldError(s, key, envVar, fmt.Sprintf("port %d out of range; use 1-65535, or 0 for any free port", port))
	}
	return nil
}

func readDatabase(f *yamlFile, mode string, passwords Passwords, env map[string]string) (Database, error) {
	var db Database
	s, err := f.section("database", env)
	if err != nil {
		return db, err
	}
	var hostSet, portSet, ok bool
	if db.Host, hostSet, err = s.str("host", EnvDatabaseHost); err != nil {
		return db, err
	}
	if db.Port, portSet, err = s.integer("port", EnvDatabasePort); err != nil {
		return db, err
	}
	if err := checkPort(s, "port", EnvDatabasePort, db.Port); err != nil {
		return db, err
	}
	if db.Name, _, err = s.str("name", EnvDatabaseName); err != nil {
		return db, err
	}
	if db.User, _, err = s.str("user", EnvDatabaseUser); err != nil {
		return db, err
	}
	if db.RequireSSL, _, err = s.boolean("requireSsl", EnvDatabaseRequireSSL); err != nil {
		return db, err
	}
	if db.IsUnixSocket, _, err = s.boolean("isUnixSocket", EnvDatabaseIsUnixSocket); err != nil {
		return db, err
	}
	if db.SearchPaths, _, err = s.list("searchPaths", EnvDatabaseSearchPaths); err != nil {
		return db, err
	}
	db.Password, ok = passwords[PasswordDatabase]

	if !hostSet || db.Host == "" {
		db.Embedded = true
		db.Host = ""
		return db, nil
	}
	if !portSet {
		db.Port = DefaultDatabasePort
	}
	if db.Name == "" {
		return db, s.errorf("missing the database name; add name: <database> to the database section or set %s", EnvDatabaseName)
	}
	if db.User == "" {
		return db, s.errorf("missing the database user; add user: <user> to the database section or set %s", EnvDatabaseUser)
	}
	if !ok {
		return db, &Error{Key: "database", Msg: fmt.Sprintf("missing the database password: add database: <password> under %s: (or shared:) in config/passwords.yaml, or set %s", mode, EnvDatabasePassword)}
	}
	return db, nil
}

func readRedis(f *yamlFile, passwords Passwords, env map[string]string) (Redis, error) {
	var r Redis
	s, err := f.section("redis", env)
	if err != nil {
		return r, err
	}
	var ok bool
	if r.Enabled, _, err = s.boolean("enabled", EnvRedisEnabled); err != nil {
		return r, err
	}
	if r.Host, _, err = s.str("host", EnvRedisHost); err != nil {
		return r, err
	}
	if r.Port, ok, err = s.integer("port", EnvRedisPort); err != nil {
		return r, err
	} else if !ok {
		r.Port = DefaultRedisPort
	}
	if err := checkPort(s, "port", EnvRedisPort, r.Port); err != nil {
		return r, err
	}
	if r.User, _, err = s.str("user", EnvRedisUser); err != nil {
		return r, err
	}
	if r.RequireSSL, _, err = s.boolean("requireSsl", EnvRedisRequireSSL); err != nil {
		return r, err
	}
	r.Password = passwords[PasswordRedis]
	if r.Enabled && r.Host == "" {
		return r, s.errorf("redis is enabled but has no host; add host: <host> to the redis section or set %s", EnvRedisHost)
	}
	return r, nil
}

// readSessionLogs defaults to logging into the database and not to the
// console, which is Serverpod's default for a server with a database; every
// gopod server has one (embedded or not).
func readSessionLogs(f *yamlFile, env map[string]string) (SessionLogs, error) {
	l := SessionLogs{PersistentEnabled: true}
	s, err := f.section("sessionLogs", env)
	if err != nil {
		return l, err
	}
	if v, ok, err := s.boolean("persistentEnabled", EnvSessionPersistentLogEnabled); err != nil {
		return l, err
	} else if ok {
		l.PersistentEnabled = v
	}
	if v, ok, err := s.boolean("consoleEnabled", EnvSessionConsoleLogEnabled); err != nil {
		return l, err
	} else if ok {
		l.ConsoleEnabled = v
	}
	return l, nil
}

func readFutureCall(f *yamlFile, top *section, env map[string]string) (FutureCall, error) {
	fc := FutureCall{ExecutionEnabled: true, ConcurrencyLimit: DefaultFutureCallConcurrency, ScanIntervalMillis: DefaultFutureCallScanInterval}
	if v, ok, err := top.boolean("futureCallExecutionEnabled", EnvFutureCallExecutionEnabled); err != nil {
		return fc, err
	} else if ok {
		fc.ExecutionEnabled = v
	}
	s, err := f.section("futureCall", env)
	if err != nil {
		return fc, err
	}
	if v, ok, err := s.integer("concurrencyLimit", EnvFutureCallConcurrencyLimit); err != nil {
		return fc, err
	} else if ok {
		// As in Serverpod, zero or less lifts the limit.
		fc.ConcurrencyLimit = max(v, 0)
	}
	if v, ok, err := s.integer("scanInterval", EnvFutureCallScanInterval); err != nil {
		return fc, err
	} else if ok {
		if v <= 0 {
			return fc, fieldError(s, "scanInterval", EnvFutureCallScanInterval, fmt.Sprintf("must be a positive number of milliseconds, got %d", v))
		}
		fc.ScanIntervalMillis = v
	}
	return fc, nil
}

func readHTTP(f *yamlFile, env map[string]string) (HTTP, error) {
	h := DefaultHTTP()
	s, err := f.section("http", env)
	if err != nil {
		return h, err
	}
	proxies, _, err := s.list("trustedProxies", EnvHTTPTrustedProxies)
	if err != nil {
		return h, err
	}
	for _, p := range proxies {
		prefix, err := parseProxy(p)
		if err != nil {
			return h, fieldError(s, "trustedProxies", EnvHTTPTrustedProxies, err.Error())
		}
		h.TrustedProxies = append(h.TrustedProxies, prefix)
	}
	if v, ok, err := s.str("forwardedHeader", EnvHTTPForwardedHeader); err != nil {
		return h, err
	} else if ok {
		switch {
		case strings.EqualFold(v, "X-Forwarded-For"):
			h.ForwardedHeader = "X-Forwarded-For"
		case strings.EqualFold(v, "Forwarded"):
			h.ForwardedHeader = "Forwarded"
		default:
			return h, fieldError(s, "forwardedHeader", EnvHTTPForwardedHeader,
				fmt.Sprintf("must be X-Forwarded-For or Forwarded (the header your load balancer adds the client to), got %q", v))
		}
	}
	if v, ok, err := s.list("allowedOrigins", EnvHTTPAllowedOrigins); err != nil {
		return h, err
	} else if ok {
		h.AllowedOrigins = v
	}
	if v, ok, err := s.boolean("compress", EnvHTTPCompress); err != nil {
		return h, err
	} else if ok {
		h.Compress = v
	}
	for _, t := range []struct {
		key, envVar string
		to          *time.Duration
	}{
		{"readHeaderTimeout", EnvHTTPReadHeaderTimeout, &h.ReadHeaderTimeout},
		{"readTimeout", EnvHTTPReadTimeout, &h.ReadTimeout},
		{"writeTimeout", EnvHTTPWriteTimeout, &h.WriteTimeout},
		{"idleTimeout", EnvHTTPIdleTimeout, &h.IdleTimeout},
	} {
		v, ok, err := s.integer(t.key, t.envVar)
		if err != nil {
			return h, err
		}
		if !ok {
			continue
		}
		if v < 0 {
			return h, fieldError(s, t.key, t.envVar, fmt.Sprintf("must be a number of seconds (0 for no limit), got %d", v))
		}
		*t.to = time.Duration(v) * time.Second
	}
	return h, nil
}

// parseProxy reads an address (10.0.0.7, 2001:db8::7) or a network in
// CIDR notation (10.0.0.0/8, 2001:db8::/32).
func parseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, fmt.Errorf("trusted proxy %q is not an address or a network such as 10.0.0.0/8: %w", s, err)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("trusted proxy %q is not an address or a network such as 10.0.0.0/8", s)
	}
	a = a.WithZone("").Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// String describes the configuration for a verbose startup log. Passwords
// are masked.
func (c *Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "run mode: %s\nserver id: %s\nmax request size: %d\n", c.RunMode, c.ServerID, c.MaxRequestSize)
	server := func(name string, s *Server) {
		if s != nil {
			fmt.Fprintf(&b, "%s server: port %d, public %s://%s:%d\n", name, s.Port, s.PublicScheme, s.PublicHost, s.PublicPort)
		}
	}
	server("api", &c.APIServer)
	server("insights", c.InsightsServer)
	server("web", c.WebServer)
	if c.Database.Embedded {
		b.WriteString("database: embedded development PostgreSQL\n")
	} else {
		fmt.Fprintf(&b, "database: %s@%s:%d/%s (require SSL: %t, unix socket: %t, password: ********)\n",
			c.Database.User, c.Database.Host, c.Database.Port, c.Database.Name, c.Database.RequireSSL, c.Database.IsUnixSocket)
	}
	if c.Redis.Enabled {
		fmt.Fprintf(&b, "redis: %s:%d\n", c.Redis.Host, c.Redis.Port)
	} else {
		b.WriteString("redis: disabled\n")
	}
	fmt.Fprintf(&b, "session logs: persistent %t, console %t\n", c.SessionLogs.PersistentEnabled, c.SessionLogs.ConsoleEnabled)
	fmt.Fprintf(&b, "future calls: execution %t, concurrency limit %d, scan interval %dms\n",
		c.FutureCall.ExecutionEnabled, c.FutureCall.ConcurrencyLimit, c.FutureCall.ScanIntervalMillis)
	fmt.Fprintf(&b, "http: trusted proxies %v (%s), allowed origins %v, compress %t, timeouts header %v read %v write %v idle %v\n",
		c.HTTP.TrustedProxies, c.HTTP.ForwardedHeader, c.HTTP.AllowedOrigins, c.HTTP.Compress,
		c.HTTP.ReadHeaderTimeout, c.HTTP.ReadTimeout, c.HTTP.WriteTimeout, c.HTTP.IdleTimeout)
	return b.String()
}
