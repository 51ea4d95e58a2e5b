package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gopod/gopod/generator"
	"github.com/gopod/gopod/generator/project"
	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/runtime/pod"
)

func newRun() *cobra.Command {
	return &cobra.Command{
		Use:   "run [server flags]",
		Short: "Generate if needed, build and run the server",
		Long: `run brings the generated code up to date, builds cmd/server and starts it
in the project's directory. Flags are passed to the server, which takes
Serverpod's: --mode, --role, --logging, --server-id, --apply-migrations.

With no database configured, the server runs a PostgreSQL of its own under
.gopod/, which nothing else uses: run then applies pending migrations to it
without being asked. A database of your own is only migrated when you pass
--apply-migrations, as with Serverpod.

In the development and test modes the server is built for a quick edit
cycle, and without the comparison of the database's schema with the
latest migration that a server makes at start: run makes it for the
server once the server has found no pending migrations, and logs the
outcome as the server would.`,
		Example: `  gopod run
  gopod run --apply-migrations
  gopod run --mode production --role maintenance --apply-migrations`,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				if a == "-h" || a == "--help" {
					return cmd.Help()
				}
			}
			ctx := cmd.Context()
			res, err := generator.Generate(ctx, generator.Options{Dir: "."})
			if err != nil {
				return err
			}
			for _, f := range res.Written {
				fmt.Fprintln(cmd.OutOrStdout(), "generated", f)
			}
			// gopod now only waits for the build and the server: give
			// back what generating left (tuneGC lets garbage pile up).
			debug.FreeOSMemory()
			bin := filepath.Join(".gopod", "bin", "server")
			development := developmentBuild(args)
			flags, err := serverBuildFlags(".", development, os.Getenv("GOFLAGS"))
			if err != nil {
				return err
			}
			// -mod=mod lets go.sum pick up modules a newer gopod checkout needs.
			build := exec.CommandContext(ctx, "go", append(append([]string{"build", "-mod=mod"}, flags...), "-o", bin, "./cmd/server")...)
			build.Stdout, build.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := build.Run(); err != nil {
				return fmt.Errorf("building cmd/server: %w", err)
			}
			var env []string
			if development {
				// The server is built without the schema comparison
				// (project.NoAtlasTag) and asks for it here.
				checker, err := startDriftChecker(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil)), os.DirFS("."))
				if err != nil {
					return err
				}
				defer checker.stop()
				env = append(env, checker.env())
			}
			return runServer(ctx, bin, withDevelopmentMigrations(args, cmd.OutOrStdout()), env, cmd)
		},
	}
}

// developmentBuild reports whether run builds the server for a quick
// build, as it does in the development and test modes: run is most often
// waiting on the build right after a change. Staging and production get
// the optimized build that go build makes. Flags the server would refuse
// are left for it to report, and build as in development.
func developmentBuild(args []string) bool {
	mode := config.ModeDevelopment
	if a, err := config.ParseArgs(args); err == nil {
		mode = a.Mode
	}
	return mode == config.ModeDevelopment || mode == config.ModeTest
}

// serverBuildFlags returns the go build flags of the project in dir: for a
// development build, the generated packages compiled quickly
// (project.DevelopmentGCFlags) and no schema comparison in the server
// (project.NoAtlasTag). goflags is $GOFLAGS: a -tags flag on the command
// line replaces the one there, so its tags are added to gopod's.
func serverBuildFlags(dir string, development bool, goflags string) ([]string, error) {
	p, err := project.Load(dir)
	if err != nil {
		return nil, err
	}
	flags := p.ServerBuildFlags(!development)
	userTags := ""
	for _, f := range strings.Fields(goflags) {
		// As for go build, the last -tags counts.
		if v, ok := strings.CutPrefix(strings.TrimPrefix(strings.TrimPrefix(f, "-"), "-"), "tags="); ok {
			userTags = v
		}
	}
	if userTags == "" {
		return flags, nil
	}
	for i, f := range flags {
		if tags, ok := strings.CutPrefix(f, "-tags="); ok {
			flags[i] = "-tags=" + userTags + "," + tags
		}
	}
	return flags, nil
}

// withDevelopmentMigrations adds --apply-migrations to the server's flags
// when the run mode's database is the embedded one, which gopod runs for
// this project alone: applying pending migrations to it surprises no one.
// A database of your own keeps Serverpod's rule (only when asked). Flags or
// a configuration the server would refuse are left for it to report.
func withDevelopmentMigrations(args []string, out io.Writer) []string {
	a, err := config.ParseArgs(args)
	if err != nil || a.ApplyMigrations || (a.Mode != config.ModeDevelopment && a.Mode != config.ModeTest) {
		return args
	}
	cfg, err := config.Load(config.Options{Dir: ".", RunMode: a.Mode, ServerID: a.ServerID})
	if err != nil || !cfg.Database.Embedded {
		return args
	}
	versions, err := migrate.New(nil, os.DirFS("."), "").Versions()
	if err != nil {
		return args
	}
	if len(versions) == 0 {
		fmt.Fprintln(out, "The project has no migrations, so the database will lack its tables: create the first with gopod create-migration.")
		return args
	}
	fmt.Fprintf(out, "The %s database is gopod's own (%s): applying pending migrations at start (--apply-migrations).\n", a.Mode, pod.EmbeddedDataDir)
	return append([]string{"--apply-migrations"}, args...)
}

// runServer starts the server, with env added to its environment, and
// forwards the interrupt to it, so that it shuts down gracefully (and
// stops its development database).
func runServer(ctx context.Context, bin string, args, env []string, cmd *cobra.Command) error {
	server := exec.Command(bin, args...)
	if len(env) > 0 {
		server.Env = append(os.Environ(), env...)
	}
	server.Stdin, server.Stdout, server.Stderr = os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr()
	if err := server.Start(); err != nil {
		return fmt.Errorf("starting the server: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- server.Wait() }()
	select {
	case err := <-done:
		return exitStatus(err)
	case <-ctx.Done():
		_ = server.Process.Signal(syscall.SIGTERM)
	}
	select {
	case err := <-done:
		return exitStatus(err)
	case <-time.After(time.Minute):
		_ = server.Process.Kill()
		return fmt.Errorf("the server did not stop within a minute of the interrupt")
	}
}

func exitStatus(err error) error {
	if err == nil {
		return nil
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return &exitError{code: ee.ExitCode()}
	}
	return err
}
