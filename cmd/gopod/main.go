// Command gopod is Serverpod for Go: it scaffolds projects, generates the
// server glue and the Go and Dart clients from model files and Go
// endpoints, writes database migrations, and runs the server.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// tuneGC trades memory for CPU time, unless GOGC or GOMEMLIMIT say
// otherwise. A run of generate allocates a lot of short-lived syntax
// (rendered code, parsed files) over a small live heap: with Go's default
// of collecting each time the heap doubles, a third of a 500-model run's
// CPU time went to the collector. Collecting at five times the live heap
// keeps that run's peak RSS under 200 MiB; the memory limit reins the heap
// in well before the collector's pace alone would.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}

// exitError carries an exit status without a further message (the message,
// if any, was already printed).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var exit *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.code
	}
	fmt.Fprintln(stderr, "gopod:", err)
	return 1
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "gopod",
		Short: "Serverpod for Go: models, endpoints, clients and migrations",
		Long: `gopod builds Go servers that Serverpod 2.4 apps and databases work with
unchanged. It reads config/generator.yaml and the model files (*.spy.yaml),
finds the endpoints written in Go, and generates the server code, a typed Go
client, a typed Dart client and PostgreSQL migrations.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newCreate(), newGenerate(), newCreateMigration(), newMigrate(), newCreateRepairMigration(), newRun(), newVersion())
	return root
}
