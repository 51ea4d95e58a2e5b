package pod

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/health"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/runtime/pgembed"
)

// Database is the server's database: a pool, and in development the
// embedded PostgreSQL it runs on.
type Database struct {
	DB      *db.DB
	cluster *pgembed.Cluster
}

// Close closes the pool and stops the embedded cluster, if any.
func (d *Database) Close(ctx context.Context) error {
	d.DB.Close()
	if d.cluster != nil {
		return d.cluster.Stop(ctx)
	}
	return nil
}

// EmbeddedDataDir is where a project keeps its development database.
const EmbeddedDataDir = ".gopod/postgres"

// connectAttempts bounds how long a server waits for its database at start.
const connectAttempts = 6

// OpenDatabase connects to the database of cfg. With no host configured
// it starts the project's embedded PostgreSQL under projectDir/.gopod.
// An external database is retried a few times, since servers and
// databases often start together.
func OpenDatabase(ctx context.Context, cfg *config.Config, projectDir string, log *slog.Logger) (*Database, error) {
	dbc := cfg.Database
	if dbc.Embedded {
		if err := embeddedAllowed(cfg.RunMode); err != nil {
			return nil, err
		}
		name := dbc.Name
		if name == "" {
			name = "gopod"
		}
		log.Info("starting the development database", "dataDir", EmbeddedDataDir)
		cluster, err := pgembed.Start(ctx, pgembed.Options{DataDir: filepath.Join(projectDir, filepath.FromSlash(EmbeddedDataDir)), Database: name})
		if err != nil {
			return nil, fmt.Errorf("starting the development database (configure database.host in config/%s.yaml to use a server of your own): %w", cfg.RunMode, err)
		}
		if cluster.Relocated {
			log.Warn("PostgreSQL's user cannot reach the project folder (gopod runs as root, and PostgreSQL refuses to), "+
				"so the development database is kept outside it; make the folder searchable to others to keep it in the project",
				"dataDir", cluster.DataDir)
		}
		d, err := db.Open(ctx, cluster.ConnString())
		if err != nil {
			_ = cluster.Stop(context.WithoutCancel(ctx))
			return nil, err
		}
		log.Info("development database ready", "postgres", cluster.Version, "socket", cluster.SocketDir)
		return &Database{DB: d, cluster: cluster}, nil
	}
	conn := connString(dbc)
	var lastErr error
	for attempt := 1; attempt <= connectAttempts; attempt++ {
		d, err := db.Open(ctx, conn)
		if err == nil {
			return &Database{DB: d}, nil
		}
		lastErr = err
		// A server that declines TLS will not accept it on a retry.
		if attempt == connectAttempts || ctx.Err() != nil || isTLSRefused(err) {
			break
		}
		wait := time.Duration(attempt) * 2 * time.Second
		log.Warn("database not reachable, retrying", "attempt", attempt, "in", wait, "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	if dbc.RequireSSL && !dbc.IsUnixSocket && isTLSRefused(lastErr) {
		return nil, fmt.Errorf("failed to connect to the database: database.requireSsl is true but the server at %s:%d does not accept TLS (turn ssl on in PostgreSQL, or set requireSsl to false): %w", dbc.Host, dbc.Port, lastErr)
	}
	return nil, fmt.Errorf("failed to connect to the database: %w", lastErr)
}

// isTLSRefused reports whether err is pgx's answer to a server that
// declined the TLS request.
func isTLSRefused(err error) bool {
	return err != nil && strings.Contains(err.Error(), "server refused TLS connection")
}

// sslMode is the libpq sslmode that Serverpod 2.4's requireSsl stands
// for. Its pool passes requireSsl to the postgres package as SslMode.require
// (TLS, the server's certificate not verified) and otherwise as
// SslMode.disable (no TLS at all); the same modes here. Without requireSsl
// nothing is negotiated, so a database on loopback or a private network
// costs no TLS; with it, a server that refuses TLS fails the connection
// rather than falling back to plain text. Verifying the certificate
// (verify-full) needs a CA the configuration has no field for, so, as in
// 2.4, it is not done. A Unix socket never uses TLS (PostgreSQL offers
// none there), whatever requireSsl says.
func sslMode(requireSSL bool) string {
	if requireSSL {
		return "require"
	}
	return "disable"
}

// embeddedAllowed refuses the embedded database outside development and
// test: a staging or production server must not keep its data in a
// throwaway cluster next to the binary because a host was left out.
func embeddedAllowed(mode string) error {
	if mode == config.ModeDevelopment || mode == config.ModeTest || mode == "" {
		return nil
	}
	return fmt.Errorf("config/%[1]s.yaml names no database host, and gopod's embedded database runs in the development and test modes only: "+
		"set host, port, name and user in the database section of config/%[1]s.yaml (or SERVERPOD_DATABASE_HOST and the other SERVERPOD_DATABASE_* variables), "+
		"and the password as database: under %[1]s: in config/passwords.yaml (or SERVERPOD_DATABASE_PASSWORD)", mode)
}

// connString builds a pgx connection string from Serverpod's settings.
func connString(c config.Database) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(c.User, c.Password), Path: "/" + c.Name}
	q := url.Values{}
	if c.IsUnixSocket {
		// The host is the socket's directory.
		q.Set("host", c.Host)
		u.Host = "localhost"
	} else {
		u.Host = c.Host + ":" + strconv.Itoa(c.Port)
	}
	q.Set("sslmode", sslMode(c.RequireSSL))
	if len(c.SearchPaths) > 0 {
		q.Set("search_path", strings.Join(c.SearchPaths, ","))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// migrateDatabase applies what the flags ask for: the repair migration
// first, then the migrations. How the database then stands against the
// migrations is verifyDatabase's job.
func (s *Server) migrateDatabase(ctx context.Context, project fs.FS, args config.Args) error {
	m := migrate.New(db.Pool(s.db), project, s.dispatch.ProjectName)
	if args.ApplyRepairMigration {
		res, err := m.ApplyRepair(ctx)
		if err != nil {
			return fmt.Errorf("failed to apply the repair migration: %w", err)
		}
		s.log.Info("repair migration", "result", res.String())
	}
	if args.ApplyMigrations {
		res, err := m.Apply(ctx)
		if err != nil {
			return fmt.Errorf("failed to apply database migrations: %w", err)
		}
		if res.Changed() {
			versions := make([]string, len(res.Steps))
			for i, step := range res.Steps {
				versions[i] = step.Version
			}
			s.log.Info("applied database migrations", "versions", strings.Join(versions, ", "), "from", orNone(res.From))
		} else {
			s.log.Info("latest database migration already applied", "version", res.To)
		}
	}
	return nil
}

// IntegrityCheckTimeout bounds the start-up comparison of the database with
// the migrations. The comparison only ever leads to a warning, so a
// database too slow to answer must not hold anything up for long.
const IntegrityCheckTimeout = 30 * time.Second

// maxListedDifferences caps the differences a start-up warning lists;
// gopod migrate --check-drift lists them all.
const maxListedDifferences = 10

// Integrity is how a database stands against a project's migrations.
type Integrity struct {
	// Latest is the project's latest migration version, "" when the
	// project has none.
	Latest string
	// Installed is the project's version recorded in serverpod_migrations,
	// "" when none is.
	Installed string
	// Pending are the versions --apply-migrations would run, in order.
	Pending []string
	// Drift are the statements that would bring the live schema to the
	// latest migration's definition. They are only computed when nothing
	// is pending: until then the pending migrations explain the difference.
	Drift []string
}

// CheckIntegrity compares the database with the project's migrations:
// which versions are not applied yet and, when none, how the live schema
// differs from the latest definition (the comparison Drift makes). It
// reads the database and changes nothing.
func CheckIntegrity(ctx context.Context, d *db.DB, project fs.FS, module string) (*Integrity, error) {
	st, err := migrate.New(db.Pool(d), project, module).Status(ctx)
	if err != nil {
		return nil, err
	}
	in := &Integrity{Installed: st.Installed, Pending: st.Pending}
	if len(st.Available) == 0 {
		return in, nil
	}
	in.Latest = st.Available[len(st.Available)-1]
	if len(in.Pending) > 0 {
		return in, nil
	}
	in.Drift, err = driftFrom(ctx, d, project, in.Latest)
	return in, err
}

// ErrDriftNotCompared is CheckIntegrity's (and Drift's) answer in a server
// built with the gopod_noatlas tag, which leaves the schema comparison
// out: nothing is pending, and how the live schema differs from the
// latest definition is not known.
var ErrDriftNotCompared = errors.New("this build does not compare the database's schema with the migrations (it was built with the gopod_noatlas tag)")

// verifyDatabase logs how the database stands against the project's
// migrations, as Serverpod 2.4's verifyDatabaseIntegrity does at start: a
// warning that names the pending migrations or the differences, and the
// command that fixes them. It never fails the server. A server built
// without the schema comparison asks gopod run, when it runs under it and
// serving is true, to make the comparison and log its outcome (see
// DriftCheckEnv); a server that is not going to serve (the maintenance
// role) would stop, and gopod run's check with it, before the outcome.
func (s *Server) verifyDatabase(ctx context.Context, project fs.FS, mode string, serving bool) {
	ctx, cancel := context.WithTimeout(ctx, IntegrityCheckTimeout)
	defer cancel()
	in, err := CheckIntegrity(ctx, s.db, project, s.dispatch.ProjectName)
	if errors.Is(err, ErrDriftNotCompared) {
		s.handOffDrift(ctx, in, mode, serving)
		return
	}
	LogIntegrity(ctx, s.log, in, err, mode)
}

// LogIntegrity logs the outcome of CheckIntegrity as a server does at
// start. ctx is the one the check ran with, so that a check cut short by
// IntegrityCheckTimeout is told from one cancelled because the server is
// stopping (which logs nothing). mode is the server's run mode, which the
// suggested commands name.
func LogIntegrity(ctx context.Context, log *slog.Logger, in *Integrity, err error, mode string) {
	modeFlag := modeFlagFor(mode)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		log.Warn("could not compare the database with the migrations in time; compare them with gopod migrate --check-drift"+modeFlag, "timeout", IntegrityCheckTimeout)
	case err != nil && ctx.Err() != nil:
		// The server is stopping.
	case err != nil:
		log.Warn("could not compare the database with the migrations", "error", err)
	case in.Latest == "":
		log.Warn("the project has no migrations, so the database lacks its tables",
			"fix", "gopod create-migration, then gopod migrate"+modeFlag+" or start the server with --apply-migrations")
	case len(in.Pending) > 0:
		log.Warn("the database does not match the latest migration: migrations are not applied",
			"pending", strings.Join(in.Pending, ", "), "installed", orNone(in.Installed),
			"fix", "gopod migrate"+modeFlag+", or start the server with --apply-migrations")
	case len(in.Drift) > 0:
		listed := in.Drift
		if len(listed) > maxListedDifferences {
			listed = append(listed[:maxListedDifferences:maxListedDifferences],
				fmt.Sprintf("and %d more (gopod migrate --check-drift%s lists them)", len(in.Drift)-maxListedDifferences, modeFlag))
		}
		log.Warn("the database does not match the latest migration",
			"version", in.Latest, "differences", strings.Join(listed, "; "),
			"fix", "gopod create-repair-migration"+modeFlag+", then start the server with --apply-repair-migration")
	default:
		log.Info("the database matches the latest migration", "version", in.Latest)
	}
}

// modeFlagFor is the --mode flag a suggested command needs to act on the
// database of mode; none for development, the commands' default.
func modeFlagFor(mode string) string {
	if mode == "" || mode == config.ModeDevelopment {
		return ""
	}
	return " --mode " + mode
}

func orNone(version string) string {
	if version == "" {
		return "none"
	}
	return version
}

// Drift compares the live schema of d with the latest migration's
// definition in the project's migrations/ folder and returns the
// statements that would reconcile them; no migrations yet is no drift.
// In a build with the gopod_noatlas tag it returns ErrDriftNotCompared.
func Drift(ctx context.Context, d *db.DB, project fs.FS) ([]string, error) {
	versions, err := migrate.New(db.Pool(d), project, "").Versions()
	if err != nil || len(versions) == 0 {
		return nil, err
	}
	return driftFrom(ctx, d, project, versions[len(versions)-1])
}

// databaseHealth is Serverpod's serverpod_database metric: write a random
// number to serverpod_readwrite_test and read it back.
func (s *Server) databaseHealth(ctx context.Context) (string, string, bool) {
	if _, err := health.CheckDatabase(ctx, s.db); err != nil {
		return health.MetricDatabase, err.Error(), false
	}
	return health.MetricDatabase, "ok", true
}
