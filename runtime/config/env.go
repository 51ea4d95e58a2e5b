package config

// Environment variables Serverpod 2.4 reads, by the setting they override.
// A variable wins over the file.
const (
	EnvServerID       = "SERVERPOD_SERVER_ID"
	EnvMaxRequestSize = "SERVERPOD_MAX_REQUEST_SIZE"

	EnvAPIPort              = "SERVERPOD_API_SERVER_PORT"
	EnvAPIPublicHost        = "SERVERPOD_API_SERVER_PUBLIC_HOST"
	EnvAPIPublicPort        = "SERVERPOD_API_SERVER_PUBLIC_PORT"
	EnvAPIPublicScheme      = "SERVERPOD_API_SERVER_PUBLIC_SCHEME"
	EnvInsightsPort         = "SERVERPOD_INSIGHTS_SERVER_PORT"
	EnvInsightsPublicHost   = "SERVERPOD_INSIGHTS_SERVER_PUBLIC_HOST"
	EnvInsightsPublicPort   = "SERVERPOD_INSIGHTS_SERVER_PUBLIC_PORT"
	EnvInsightsPublicScheme = "SERVERPOD_INSIGHTS_SERVER_PUBLIC_SCHEME"
	EnvWebPort              = "SERVERPOD_WEB_SERVER_PORT"
	EnvWebPublicHost        = "SERVERPOD_WEB_SERVER_PUBLIC_HOST"
	EnvWebPublicPort        = "SERVERPOD_WEB_SERVER_PUBLIC_PORT"
	EnvWebPublicScheme      = "SERVERPOD_WEB_SERVER_PUBLIC_SCHEME"

	EnvDatabaseHost         = "SERVERPOD_DATABASE_HOST"
	EnvDatabasePort         = "SERVERPOD_DATABASE_PORT"
	EnvDatabaseName         = "SERVERPOD_DATABASE_NAME"
	EnvDatabaseUser         = "SERVERPOD_DATABASE_USER"
	EnvDatabaseRequireSSL   = "SERVERPOD_DATABASE_REQUIRE_SSL"
	EnvDatabaseIsUnixSocket = "SERVERPOD_DATABASE_IS_UNIX_SOCKET"
	// EnvDatabaseSearchPaths is from later Serverpod versions (comma-separated).
	EnvDatabaseSearchPaths = "SERVERPOD_DATABASE_SEARCH_PATHS"

	EnvRedisHost    = "SERVERPOD_REDIS_HOST"
	EnvRedisPort    = "SERVERPOD_REDIS_PORT"
	EnvRedisUser    = "SERVERPOD_REDIS_USER"
	EnvRedisEnabled = "SERVERPOD_REDIS_ENABLED"
	// EnvRedisRequireSSL is from later Serverpod versions.
	EnvRedisRequireSSL = "SERVERPOD_REDIS_REQUIRE_SSL"

	EnvSessionPersistentLogEnabled = "SERVERPOD_SESSION_PERSISTENT_LOG_ENABLED"
	EnvSessionConsoleLogEnabled    = "SERVERPOD_SESSION_CONSOLE_LOG_ENABLED"

	// The future call settings are from later Serverpod versions.
	EnvFutureCallExecutionEnabled = "SERVERPOD_FUTURE_CALL_EXECUTION_ENABLED"
	EnvFutureCallConcurrencyLimit = "SERVERPOD_FUTURE_CALL_CONCURRENCY_LIMIT"
	EnvFutureCallScanInterval     = "SERVERPOD_FUTURE_CALL_SCAN_INTERVAL"

	// The http: section is gopod's own.
	EnvHTTPTrustedProxies    = "SERVERPOD_HTTP_TRUSTED_PROXIES"
	EnvHTTPForwardedHeader   = "SERVERPOD_HTTP_FORWARDED_HEADER"
	EnvHTTPAllowedOrigins    = "SERVERPOD_HTTP_ALLOWED_ORIGINS"
	EnvHTTPCompress          = "SERVERPOD_HTTP_COMPRESS"
	EnvHTTPReadHeaderTimeout = "SERVERPOD_HTTP_READ_HEADER_TIMEOUT"
	EnvHTTPReadTimeout       = "SERVERPOD_HTTP_READ_TIMEOUT"
	EnvHTTPWriteTimeout      = "SERVERPOD_HTTP_WRITE_TIMEOUT"
	EnvHTTPIdleTimeout       = "SERVERPOD_HTTP_IDLE_TIMEOUT"

	EnvDatabasePassword = "SERVERPOD_DATABASE_PASSWORD"
	EnvServiceSecret    = "SERVERPOD_SERVICE_SECRET"
	EnvRedisPassword    = "SERVERPOD_REDIS_PASSWORD"
	// EnvPasswordPrefix sets any password: SERVERPOD_PASSWORD_authKeySalt=x
	// sets authKeySalt. Serverpod 2.4 does not read these (3.0 does); gopod
	// accepts them so that deployments need no passwords.yaml.
	EnvPasswordPrefix = "SERVERPOD_PASSWORD_"
)
