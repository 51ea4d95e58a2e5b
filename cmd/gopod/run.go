package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gopod/gopod/generator"
)

func newRun() *cobra.Command {
	return &cobra.Command{
		Use:   "run [server flags]",
		Short: "Generate if needed, build and run the server",
		Long: `run brings the generated code up to date, builds cmd/server and starts it
in the project's directory. Flags are passed to the server, which takes
Serverpod's: --mode, --role, --logging, --server-id, --apply-migrations.`,
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
			bin := filepath.Join(".gopod", "bin", "server")
			// -mod=mod lets go.sum pick up modules a newer gopod checkout needs.
			build := exec.CommandContext(ctx, "go", "build", "-mod=mod", "-o", bin, "./cmd/server")
			build.Stdout, build.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := build.Run(); err != nil {
				return fmt.Errorf("building cmd/server: %w", err)
			}
			return runServer(ctx, bin, args, cmd)
		},
	}
}

// runServer starts the server and forwards the interrupt to it, so that it
// shuts down gracefully (and stops its development database).
func runServer(ctx context.Context, bin string, args []string, cmd *cobra.Command) error {
	server := exec.Command(bin, args...)
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
