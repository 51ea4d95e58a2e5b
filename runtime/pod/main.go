package pod

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/storage"
)

// ShutdownTimeout is how long a stopping server waits for calls in flight.
const ShutdownTimeout = 30 * time.Second

// Main runs a server as Serverpod's main does: it reads the flags
// (--mode, --role, --logging, --server-id, --apply-migrations, ...), loads
// config/<mode>.yaml and config/passwords.yaml from the working directory,
// serves until SIGINT or SIGTERM and shuts down gracefully. It returns the
// process exit code.
func Main(args []string, d *Dispatch, opts ...Option) int {
	return main(args, d, os.Stderr, opts...)
}

func main(args []string, d *Dispatch, stderr io.Writer, opts ...Option) int {
	a, err := config.ParseArgs(args)
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	level := slog.LevelInfo
	if a.Logging == config.LoggingVerbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := config.Load(config.Options{Dir: ".", RunMode: a.Mode, ServerID: a.ServerID})
	if err != nil {
		logger.Error("loading the configuration", "error", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	database, err := OpenDatabase(ctx, cfg, ".", logger)
	if err != nil {
		logger.Error("database", "error", err)
		return 1
	}
	defer func() {
		if err := database.Close(context.Background()); err != nil {
			logger.Error("stopping the development database", "error", err)
		}
	}()
	// Files live in the database, as Serverpod's default storages do; their
	// public URLs use the API server's public address.
	public := storage.Server{Scheme: cfg.APIServer.PublicScheme, Host: cfg.APIServer.PublicHost, Port: cfg.APIServer.PublicPort}
	publicStorage := storage.NewDatabase(storage.Public, public)
	privateStorage := storage.NewDatabase(storage.Private, public)
	base := []Option{
		WithLogger(logger),
		WithRunMode(cfg.RunMode),
		WithMaxRequestSize(int64(cfg.MaxRequestSize)),
		WithHTTP(cfg.HTTP),
		WithPasswords(cfg.Passwords),
		WithDatabase(database.DB),
		WithStorage(publicStorage),
		WithStorage(privateStorage),
		WithRoute(storage.Path, storage.Handler(database.DB, publicStorage, logger, publicStorage, privateStorage)),
	}
	if cfg.Redis.Enabled {
		rdb, err := OpenRedis(ctx, cfg.Redis)
		if err != nil {
			logger.Error("redis", "error", err)
			return 1
		}
		defer rdb.Close()
		base = append(base, WithRedis(rdb, cfg.ServerID))
	}
	base = append(base, machineryOptions(cfg, database.DB, logger)...)
	srv := NewServer(d, append(base, opts...)...)
	if err := srv.Run(ctx, cfg, a); err != nil {
		var exit *ExitError
		if errors.As(err, &exit) {
			return exit.Code
		}
		logger.Error("server stopped", "error", err)
		return 1
	}
	return 0
}

// ExitError ends Run with a given exit code and no further message (the
// maintenance role reports its outcome this way).
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return "exit status " + strconv.Itoa(e.Code) }

// Run prepares the database (migrations as the flags ask, the database
// health metric), then serves the API until ctx is cancelled and waits up
// to ShutdownTimeout for calls in flight. In the maintenance role it
// returns after the migrations, so that the process exit status says
// whether they applied; without migration flags that role runs the due
// future calls and the health metrics once and returns, as Serverpod 2.4
// does. Migrations are read from the working directory's migrations/
// folder.
//
// Once the API port is bound, Run compares the database with the latest
// migration in the background and logs a warning when they differ. The
// comparison inspects the whole schema and can wait on a table another
// server is migrating; it only ever produces a warning, so serving never
// waits for it.
func (s *Server) Run(ctx context.Context, cfg *config.Config, args config.Args) error {
	project := os.DirFS(".")
	if s.db != nil {
		if err := s.migrateDatabase(ctx, project, args); err != nil {
			return err
		}
		s.healthChecks = append(s.healthChecks, s.databaseHealth)
	}
	if args.Role == config.RoleMaintenance {
		if s.db != nil {
			s.verifyDatabase(ctx, project, cfg.RunMode, false)
		}
		// As in Serverpod 2.4: after migrations the role exits; otherwise
		// it runs the due future calls and the health metrics once.
		if !args.ApplyMigrations && !args.ApplyRepairMigration {
			if err := s.maintain(ctx); err != nil {
				return err
			}
		}
		s.log.Info("maintenance role: done")
		return nil
	}
	stop := s.startMachinery(ctx, args.Role)
	defer stop()
	go s.messages.Run(ctx)
	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.APIServer.Port)))
	if err != nil {
		return fmt.Errorf("listening on the API port: %w", err)
	}
	if s.db != nil {
		verifyCtx, cancel := context.WithCancel(ctx)
		verified := make(chan struct{})
		go func() {
			defer close(verified)
			s.verifyDatabase(verifyCtx, project, cfg.RunMode, true)
		}()
		// The database closes after Run returns.
		defer func() { cancel(); <-verified }()
	}
	return s.Serve(ctx, ln, cfg)
}

// Serve serves the API on ln until ctx is cancelled.
func (s *Server) Serve(ctx context.Context, ln net.Listener, cfg *config.Config) error {
	hs := s.httpServer(ctx, s.http)
	hs.ErrorLog = slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)
	// Hijacked WebSocket connections are not the HTTP server's to close.
	hs.RegisterOnShutdown(s.streams.Shutdown)
	s.log.Info("serving", "api", "http://"+ln.Addr().String()+"/", "mode", cfg.RunMode, "serverId", cfg.ServerID)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving the API: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// OpenRedis connects to the Redis of the configuration and checks that it
// answers.
func OpenRedis(ctx context.Context, c config.Redis) (*redis.Client, error) {
	opts := &redis.Options{
		Addr:     net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Username: c.User,
		Password: c.Password,
	}
	if c.RequireSSL {
		opts.TLSConfig = &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	}
	rdb := redis.NewClient(opts)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connecting to Redis at %s: %w", opts.Addr, err)
	}
	return rdb, nil
}
