package pod

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/dbschema"
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
		name := dbc.Name
		if name == "" {
			name = "gopod"
		}
		log.Info("starting the development database", "dataDir", EmbeddedDataDir)
		cluster, err := pgembed.Start(ctx, pgembed.Options{DataDir: filepath.Join(projectDir, filepath.FromSlash(EmbeddedDataDir)), Database: name})
		if err != nil {
			return nil, fmt.Errorf("starting the development database (configure database.host in config/%s.yaml to use a server of your own): %w", cfg.RunMode, err)
		}
		d, err := db.Open(ctx, cluster.ConnString())
		if err != nil {
			_ = cluster.Stop(context.WithoutCancel(ctx))
			return nil, err
		}
		log.Info("development database ready", "postgres", cluster.Version, "port", cluster.Port)
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
		if attempt == connectAttempts || ctx.Err() != nil {
			break
		}
		wait := time.Duration(attempt) * 2 * time.Second
		log.Warn("database not reachable, retrying", "attempt", attempt, "in", wait, "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	return nil, fmt.Errorf("failed to connect to the database: %w", lastErr)
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
	if c.RequireSSL {
		q.Set("sslmode", "require")
	} else {
		q.Set("sslmode", "prefer")
	}
	if len(c.SearchPaths) > 0 {
		q.Set("search_path", strings.Join(c.SearchPaths, ","))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// migrateDatabase applies what the flags ask for (the repair migration
// first, then the migrations) and warns about drift between the live
// schema and the latest migration.
func (s *Server) migrateDatabase(ctx context.Context, projectDir string, args config.Args) error {
	project := os.DirFS(projectDir)
	m := migrate.New(s.db.Pool(), project, s.dispatch.ProjectName)
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
			s.log.Info("applied database migrations", "from", res.From, "to", res.To, "steps", len(res.Steps))
		} else {
			s.log.Info("latest database migration already applied", "version", res.To)
		}
	}
	drift, err := Drift(ctx, s.db, project)
	if err != nil {
		s.log.Warn("could not compare the database with the latest migration", "error", err)
	} else if len(drift) > 0 {
		s.log.Warn("the database does not match the latest migration; did you forget to apply the migrations (--apply-migrations) or a repair migration (--apply-repair-migration)?",
			"differences", strings.Join(drift, "; "))
	}
	return nil
}

// Drift compares the live schema of d with the latest migration's
// definition in the project's migrations/ folder and returns the
// statements that would reconcile them; no migrations yet is no drift.
func Drift(ctx context.Context, d *db.DB, project fs.FS) ([]string, error) {
	versions, err := migrate.New(d.Pool(), project, "").Versions()
	if err != nil || len(versions) == 0 {
		return nil, err
	}
	latest := versions[len(versions)-1]
	data, err := fs.ReadFile(project, path.Join(migrate.MigrationsDir, latest, "definition.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the latest definition: %w", err)
	}
	want, err := dbschema.DecodeDefinition(data)
	if err != nil {
		return nil, fmt.Errorf("migrations/%s/definition.json: %w", latest, err)
	}
	sqlDB := stdlib.OpenDBFromPool(d.Pool())
	defer sqlDB.Close()
	return dbschema.Drift(ctx, sqlDB, want)
}

// databaseHealth is Serverpod's serverpod_database metric: write a random
// number to serverpod_readwrite_test and read it back.
func (s *Server) databaseHealth(ctx context.Context) (string, string, bool) {
	const name = "serverpod_database"
	n := rand.Int64N(1 << 40)
	var id, got int64
	err := s.db.QueryRow(ctx, `INSERT INTO "serverpod_readwrite_test" ("number") VALUES ($1) RETURNING "id", "number"`, n).Scan(&id, &got)
	if err != nil {
		return name, err.Error(), false
	}
	_, _ = s.db.Exec(ctx, `DELETE FROM "serverpod_readwrite_test" WHERE "id" = $1`, id)
	if got != n {
		return name, "read back a different number", false
	}
	return name, "ok", true
}
