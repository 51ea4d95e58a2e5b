package config

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	localAPI := Server{Port: 8080, PublicHost: "localhost", PublicPort: 8080, PublicScheme: "http"}
	tests := []struct {
		name     string
		dir      string
		mode     string
		serverID string
		env      map[string]string
		want     *Config
	}{
		{
			name: "serverpod development file",
			dir:  "full",
			want: &Config{
				RunMode:        ModeDevelopment,
				ServerID:       "default",
				MaxRequestSize: 524288,
				APIServer:      localAPI,
				InsightsServer: &Server{Port: 8081, PublicHost: "localhost", PublicPort: 8081, PublicScheme: "http"},
				WebServer:      &Server{Port: 8082, PublicHost: "localhost", PublicPort: 8082, PublicScheme: "http"},
				Database:       Database{Host: "localhost", Port: 8090, Name: "shop", User: "postgres", Password: "dev db password"},
				Redis:          Redis{Host: "localhost", Port: 8091, Password: "dev redis password"},
				ServiceSecret:  "dev service secret",
				SessionLogs:    SessionLogs{PersistentEnabled: true},
				FutureCall:     defaultFutureCall,
				Passwords: Passwords{
					"authKeySalt": "shared salt", "emailPasswordPepper": "pepper",
					"database": "dev db password", "redis": "dev redis password", "serviceSecret": "dev service secret",
				},
			},
		},
		{
			name: "production file with every setting",
			dir:  "full",
			mode: ModeProduction,
			want: &Config{
				RunMode:        ModeProduction,
				ServerID:       "prod-1",
				MaxRequestSize: 1048576,
				APIServer:      Server{Port: 8080, PublicHost: "api.shop.example", PublicPort: 443, PublicScheme: "https"},
				InsightsServer: &Server{Port: 8081, PublicHost: "insights.shop.example", PublicPort: 443, PublicScheme: "https"},
				Database: Database{Host: "db.internal", Port: 5432, Name: "shop", User: "shop_app", Password: "prod db password",
					RequireSSL: true, SearchPaths: []string{"shop", "public"}},
				Redis:         Redis{Enabled: true, Host: "redis.internal", Port: 6379, User: "app", Password: "prod redis password"},
				ServiceSecret: "prod service secret",
				SessionLogs:   SessionLogs{PersistentEnabled: true, ConsoleEnabled: true},
				FutureCall:    defaultFutureCall,
				Passwords: Passwords{
					"authKeySalt": "prod salt", "emailPasswordPepper": "pepper", "email_password_salt": "0123",
					"database": "prod db password", "redis": "prod redis password", "serviceSecret": "prod service secret",
				},
			},
		},
		{
			name: "environment overrides the file",
			dir:  "full",
			mode: ModeProduction,
			env: map[string]string{
				EnvAPIPort: "9090", EnvAPIPublicHost: "api.other.example", EnvAPIPublicPort: "8443", EnvAPIPublicScheme: "http",
				EnvWebPort:      "9092",
				EnvDatabaseHost: "db2.internal", EnvDatabasePort: "6432", EnvDatabaseName: "shop2", EnvDatabaseUser: "u2",
				EnvDatabaseRequireSSL: "false", EnvDatabaseIsUnixSocket: "true", EnvDatabaseSearchPaths: "a,b",
				EnvRedisEnabled: "false", EnvRedisHost: "r2", EnvRedisPort: "7000", EnvRedisUser: "ru", EnvRedisRequireSSL: "true",
				EnvMaxRequestSize: "1000", EnvServerID: "from-env",
				EnvSessionPersistentLogEnabled: "false", EnvSessionConsoleLogEnabled: "FALSE",
				EnvDatabasePassword: "env db", EnvServiceSecret: "env secret", EnvRedisPassword: "env redis",
				EnvPasswordPrefix + "authKeySalt": "env salt", "UNRELATED": "x",
			},
			want: &Config{
				RunMode:        ModeProduction,
				ServerID:       "from-env",
				MaxRequestSize: 1000,
				APIServer:      Server{Port: 9090, PublicHost: "api.other.example", PublicPort: 8443, PublicScheme: "http"},
				InsightsServer: &Server{Port: 8081, PublicHost: "insights.shop.example", PublicPort: 443, PublicScheme: "https"},
				WebServer:      &Server{Port: 9092, PublicHost: "localhost", PublicPort: 9092, PublicScheme: "http"},
				Database: Database{Host: "db2.internal", Port: 6432, Name: "shop2", User: "u2", Password: "env db",
					IsUnixSocket: true, SearchPaths: []string{"a", "b"}},
				Redis:         Redis{Host: "r2", Port: 7000, User: "ru", Password: "env redis", RequireSSL: true},
				ServiceSecret: "env secret",
				SessionLogs:   SessionLogs{},
				FutureCall:    defaultFutureCall,
				Passwords: Passwords{
					"authKeySalt": "env salt", "emailPasswordPepper": "pepper", "email_password_salt": "0123",
					"database": "env db", "redis": "env redis", "serviceSecret": "env secret",
				},
			},
		},
		{
			name:     "server id flag wins over environment and file",
			dir:      "full",
			mode:     ModeProduction,
			serverID: "from-flag",
			env:      map[string]string{EnvServerID: "from-env"},
			want: &Config{
				RunMode:        ModeProduction,
				ServerID:       "from-flag",
				MaxRequestSize: 1048576,
				APIServer:      Server{Port: 8080, PublicHost: "api.shop.example", PublicPort: 443, PublicScheme: "https"},
				InsightsServer: &Server{Port: 8081, PublicHost: "insights.shop.example", PublicPort: 443, PublicScheme: "https"},
				Database: Database{Host: "db.internal", Port: 5432, Name: "shop", User: "shop_app", Password: "prod db password",
					RequireSSL: true, SearchPaths: []string{"shop", "public"}},
				Redis:         Redis{Enabled: true, Host: "redis.internal", Port: 6379, User: "app", Password: "prod redis password"},
				ServiceSecret: "prod service secret",
				SessionLogs:   SessionLogs{PersistentEnabled: true, ConsoleEnabled: true},
				FutureCall:    defaultFutureCall,
				Passwords: Passwords{
					"authKeySalt": "prod salt", "emailPasswordPepper": "pepper", "email_password_salt": "0123",
					"database": "prod db password", "redis": "prod redis password", "serviceSecret": "prod service secret",
				},
			},
		},
		{
			name: "database without host is the embedded one",
			dir:  "embedded",
			want: &Config{
				RunMode:        ModeDevelopment,
				ServerID:       "default",
				MaxRequestSize: 524288,
				APIServer:      Server{Port: 9000, PublicHost: "localhost", PublicPort: 9000, PublicScheme: "http"},
				Database:       Database{Embedded: true, Name: "shop_dev"},
				Redis:          Redis{Port: 6379},
				SessionLogs:    SessionLogs{PersistentEnabled: true},
				FutureCall:     defaultFutureCall,
				Passwords:      Passwords{},
			},
		},
		{
			name: "missing keys of a configured server get defaults",
			dir:  "nodb-host",
			want: &Config{
				RunMode:        ModeDevelopment,
				ServerID:       "default",
				MaxRequestSize: 524288,
				APIServer:      localAPI,
				WebServer:      &Server{Port: 8082, PublicHost: "www.example", PublicPort: 8082, PublicScheme: "http"},
				Database:       Database{Embedded: true},
				Redis:          Redis{Port: 6379},
				SessionLogs:    SessionLogs{PersistentEnabled: true},
				FutureCall:     defaultFutureCall,
				Passwords:      Passwords{},
			},
		},
		{
			name: "merge keys",
			dir:  "aliases",
			want: &Config{
				RunMode:        ModeDevelopment,
				ServerID:       "default",
				MaxRequestSize: 524288,
				APIServer:      localAPI,
				Database:       Database{Embedded: true},
				Redis:          Redis{Port: 6379},
				SessionLogs:    SessionLogs{PersistentEnabled: true},
				FutureCall:     defaultFutureCall,
				Passwords:      Passwords{},
			},
		},
		{
			name: "no config directory means defaults",
			dir:  "does-not-exist",
			mode: ModeTest,
			want: &Config{
				RunMode:        ModeTest,
				ServerID:       "default",
				MaxRequestSize: 524288,
				APIServer:      localAPI,
				Database:       Database{Embedded: true},
				Redis:          Redis{Port: 6379},
				SessionLogs:    SessionLogs{PersistentEnabled: true},
				FutureCall:     defaultFutureCall,
				Passwords:      Passwords{},
			},
		},
		{
			name: "environment alone configures a server and the database",
			dir:  "does-not-exist",
			env: map[string]string{
				EnvInsightsPort: "0", EnvDatabaseHost: "db", EnvDatabaseName: "n", EnvDatabaseUser: "u", EnvDatabasePassword: "",
			},
			want: &Config{
				RunMode:        ModeDevelopment,
				ServerID:       "default",
				MaxRequestSize: 524288,
				APIServer:      localAPI,
				InsightsServer: &Server{Port: 0, PublicHost: "localhost", PublicPort: 0, PublicScheme: "http"},
				Database:       Database{Host: "db", Port: 5432, Name: "n", User: "u"},
				Redis:          Redis{Port: 6379},
				SessionLogs:    SessionLogs{PersistentEnabled: true},
				FutureCall:     defaultFutureCall,
				Passwords:      Passwords{"database": ""},
			},
		},
		{
			name: "future call settings of later Serverpod versions",
			dir:  "futurecall",
			env:  map[string]string{EnvFutureCallExecutionEnabled: "false"},
			want: &Config{
				RunMode:        ModeDevelopment,
				ServerID:       "default",
				MaxRequestSize: 524288,
				APIServer:      localAPI,
				Database:       Database{Embedded: true},
				Redis:          Redis{Port: 6379},
				SessionLogs:    SessionLogs{PersistentEnabled: true},
				FutureCall:     FutureCall{ExecutionEnabled: false, ConcurrencyLimit: 0, ScanIntervalMillis: 250},
				Passwords:      Passwords{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if env == nil {
				env = map[string]string{}
			}
			got, err := Load(Options{Dir: filepath.Join("testdata", tt.dir), RunMode: tt.mode, ServerID: tt.serverID, Env: env})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if reflect.ValueOf(tt.want.HTTP).IsZero() {
				tt.want.HTTP = DefaultHTTP()
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load mismatch\n got: %+v\nwant: %+v", got, tt.want)
				for _, d := range diffFields(got, tt.want) {
					t.Log(d)
				}
			}
		})
	}
}

// diffFields names the top-level fields that differ, to make failures
// readable.
func diffFields(got, want *Config) []string {
	var out []string
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			out = append(out, g.Type().Field(i).Name+": got "+fmtValue(g.Field(i))+", want "+fmtValue(w.Field(i)))
		}
	}
	return out
}

func fmtValue(v reflect.Value) string {
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return fmt.Sprintf("%+v", v.Interface())
}

var defaultFutureCall = FutureCall{ExecutionEnabled: true, ConcurrencyLimit: 1, ScanIntervalMillis: 5000}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  string
		mode string
		env  map[string]string
		// want are substrings of the message, starting with the position.
		want []string
	}{
		{
			name: "quoted number",
			dir:  "badtype",
			want: []string{filepath.Join("testdata", "badtype", "config", "development.yaml") + ":2:9: apiServer.port: expected an integer", "without quotes"},
		},
		{
			name: "syntax error",
			dir:  "badyaml",
			want: []string{"development.yaml:", "invalid YAML"},
		},
		{
			name: "duplicate key",
			dir:  "duplicate",
			want: []string{"development.yaml:3:3: apiServer.port: key given twice"},
		},
		{
			name: "database without name",
			dir:  "noname",
			mode: ModeStaging,
			want: []string{"staging.yaml:2:3: database: missing the database name", EnvDatabaseName},
		},
		{
			name: "database without password",
			dir:  "nopassword",
			mode: ModeProduction,
			want: []string{"missing the database password", "under production:", EnvDatabasePassword},
		},
		{
			name: "password that is not a string",
			dir:  "badpasswords",
			want: []string{"passwords.yaml:5:5: development.database: expected a password string, got a mapping"},
		},
		{
			name: "bad port in the environment",
			dir:  "full",
			env:  map[string]string{EnvAPIPort: "eighty"},
			want: []string{"environment variable SERVERPOD_API_SERVER_PORT: invalid value \"eighty\": expected an integer"},
		},
		{
			name: "bad boolean in the environment",
			dir:  "full",
			env:  map[string]string{EnvRedisEnabled: "yes"},
			want: []string{"environment variable SERVERPOD_REDIS_ENABLED", "expected true or false"},
		},
		{
			name: "port out of range",
			dir:  "full",
			env:  map[string]string{EnvWebPort: "70000"},
			want: []string{"SERVERPOD_WEB_SERVER_PORT: port 70000 out of range"},
		},
		{
			name: "scan interval of zero",
			dir:  "full",
			env:  map[string]string{EnvFutureCallScanInterval: "0"},
			want: []string{"SERVERPOD_FUTURE_CALL_SCAN_INTERVAL", "must be a positive number of milliseconds"},
		},
		{
			name: "unknown run mode",
			dir:  "full",
			mode: "prod",
			want: []string{`unknown run mode "prod"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if env == nil {
				env = map[string]string{}
			}
			_, err := Load(Options{Dir: filepath.Join("testdata", tt.dir), RunMode: tt.mode, Env: env})
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Errorf("error %T is not a *config.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseErrorsFromMemory(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"wrong section type", "apiServer: 8080\n", "x.yaml:1:12: apiServer: expected a mapping"},
		{"string for boolean", "database:\n  host: h\n  name: n\n  user: u\n  requireSsl: 'yes'\n", "x.yaml:5:15: database.requireSsl: expected true or false"},
		{"bad scheme", "apiServer:\n  publicScheme: ftp\n", "x.yaml:2:17: apiServer.publicScheme: must be http or https"},
		{"list at top", "- a\n- b\n", "x.yaml:1:1: the file must be a mapping"},
		{"negative request size", "maxRequestSize: -1\n", "x.yaml:1:17: maxRequestSize: must be a positive number"},
		{"redis enabled without host", "redis:\n  enabled: true\n", "x.yaml:2:3: redis: redis is enabled but has no host"},
		{"search paths of numbers", "database:\n  searchPaths: [1]\n", "x.yaml:2:17: database.searchPaths: expected a list of strings"},
		{"trusted proxy host name", "http:\n  trustedProxies: [lb.internal]\n", "x.yaml:2:19: http.trustedProxies: trusted proxy \"lb.internal\" is not an address"},
		{"trusted proxy bad network", "http:\n  trustedProxies: 10.0.0.0/33\n", "x.yaml:2:19: http.trustedProxies: trusted proxy \"10.0.0.0/33\""},
		{"unknown forwarding header", "http:\n  forwardedHeader: X-Real-IP\n", "x.yaml:2:20: http.forwardedHeader: must be X-Forwarded-For or Forwarded"},
		{"negative timeout", "http:\n  writeTimeout: -1\n", "x.yaml:2:17: http.writeTimeout: must be a number of seconds"},
		{"timeout as duration", "http:\n  readTimeout: 30s\n", "x.yaml:2:16: http.readTimeout: expected an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.yaml), ModeDevelopment, "", Passwords{"database": ""}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPasswordsMerge(t *testing.T) {
	file := []byte(`
shared:
  authKeySalt: shared
  database: shared-db
development:
  database: dev-db
production:
  database: prod-db
`)
	tests := []struct {
		name string
		mode string
		env  map[string]string
		want Passwords
	}{
		{"run mode wins over shared", ModeDevelopment, nil, Passwords{"authKeySalt": "shared", "database": "dev-db"}},
		{"shared alone", ModeTest, nil, Passwords{"authKeySalt": "shared", "database": "shared-db"}},
		{"named variable wins over the file", ModeProduction, map[string]string{EnvDatabasePassword: "env-db"},
			Passwords{"authKeySalt": "shared", "database": "env-db"}},
		{"prefixed variable adds and overrides", ModeDevelopment,
			map[string]string{EnvPasswordPrefix + "authKeySalt": "env-salt", EnvPasswordPrefix + "stripeKey": "sk", EnvPasswordPrefix: "ignored"},
			Passwords{"authKeySalt": "env-salt", "database": "dev-db", "stripeKey": "sk"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePasswords("passwords.yaml", file, tt.mode, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHTTPSettings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want func(h *HTTP)
	}{
		{name: "defaults", yaml: "", want: func(*HTTP) {}},
		{
			name: "every setting",
			yaml: `http:
  trustedProxies: [10.0.0.0/8, 192.168.1.7, "2001:db8::/32", "::ffff:172.16.0.1"]
  forwardedHeader: forwarded
  allowedOrigins: [https://app.shop.example]
  compress: false
  readHeaderTimeout: 5
  readTimeout: 20
  writeTimeout: 0
  idleTimeout: 300
`,
			want: func(h *HTTP) {
				h.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
					netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("172.16.0.1/32")}
				h.ForwardedHeader = "Forwarded"
				h.AllowedOrigins = []string{"https://app.shop.example"}
				h.Compress = false
				h.ReadHeaderTimeout, h.ReadTimeout, h.WriteTimeout, h.IdleTimeout = 5*time.Second, 20*time.Second, 0, 300*time.Second
			},
		},
		{
			name: "environment wins",
			yaml: "http:\n  trustedProxies: 10.0.0.1\n  readTimeout: 20\n",
			env:  map[string]string{EnvHTTPTrustedProxies: "10.1.0.0/16, 10.2.0.9", EnvHTTPReadTimeout: "7", EnvHTTPAllowedOrigins: "https://a.example,https://b.example"},
			want: func(h *HTTP) {
				h.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.2.0.9/32")}
				h.ReadTimeout = 7 * time.Second
				h.AllowedOrigins = []string{"https://a.example", "https://b.example"}
			},
		},
		{
			name: "network not at its start is masked",
			yaml: "http:\n  trustedProxies: 10.1.2.3/8\n",
			want: func(h *HTTP) { h.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("x.yaml", []byte(tt.yaml), ModeProduction, "", nil, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultHTTP()
			tt.want(&want)
			if !reflect.DeepEqual(c.HTTP, want) {
				t.Errorf("HTTP = %+v\nwant %+v", c.HTTP, want)
			}
		})
	}
}
