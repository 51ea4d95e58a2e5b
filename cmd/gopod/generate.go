package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/gopod/gopod/generator"
	"github.com/gopod/gopod/generator/endpoint"
)

func newGenerate() *cobra.Command {
	var check, watch, verbose bool
	var dir string
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate server code and clients from models and endpoints",
		Long: `generate reads config/generator.yaml, the model files and the Go endpoints,
and writes the protocol and dispatch packages, the Go client and the Dart
client. Nothing is written when a model or an endpoint has an error.`,
		Example: `  gopod generate
  gopod generate --check   # in CI: fail when generated files are stale
  gopod generate --watch   # regenerate when models or endpoints change`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if check && watch {
				return errors.New("--check and --watch cannot be combined")
			}
			if watch {
				return watchAndGenerate(cmd.Context(), dir, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return generateOnce(cmd.Context(), dir, check, verbose, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 when generated files are out of date")
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "keep running and regenerate on changes")
	cmd.Flags().StringVar(&dir, "dir", ".", "the project's root directory")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print how long each step took")
	return cmd
}

func generateOnce(ctx context.Context, dir string, check, verbose bool, stdout, stderr io.Writer) error {
	return generateWith(ctx, generator.Options{Dir: dir, Check: check}, verbose, stdout, stderr)
}

func generateWith(ctx context.Context, opts generator.Options, verbose bool, stdout, stderr io.Writer) error {
	check := opts.Check
	res, err := generator.Generate(ctx, opts)
	if err != nil {
		return err
	}
	if verbose {
		for _, p := range res.Phases {
			fmt.Fprintf(stderr, "%-28s %v\n", p.Name, p.Duration.Round(time.Millisecond))
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, w)
	}
	if check {
		if !res.Stale() {
			fmt.Fprintln(stdout, "Generated files are up to date.")
			return nil
		}
		for _, f := range res.Written {
			fmt.Fprintln(stderr, "stale:", f)
		}
		for _, f := range res.Removed {
			fmt.Fprintln(stderr, "should be removed:", f)
		}
		fmt.Fprintln(stderr, "Generated files are out of date: run gopod generate.")
		return &exitError{code: 1}
	}
	switch {
	case !res.Stale():
		fmt.Fprintf(stdout, "Everything is up to date (%d files).\n", res.Unchanged)
	default:
		for _, f := range res.Written {
			fmt.Fprintln(stdout, "wrote", f)
		}
		for _, f := range res.Removed {
			fmt.Fprintln(stdout, "removed", f)
		}
	}
	return nil
}

// watchAndGenerate regenerates whenever a model file, an endpoint or the
// configuration changes, the project's or a module's it uses by path. It polls modification times, which works on
// every file system (including mounted ones where inotify does not), often
// enough that a save is picked up within a tenth of a second; parsed Go
// files are kept between runs.
func watchAndGenerate(ctx context.Context, dir string, stdout, stderr io.Writer) error {
	fmt.Fprintln(stdout, "Watching for changes; press Ctrl-C to stop.")
	opts := generator.Options{Dir: dir, ParseCache: endpoint.NewParseCache()}
	return watch(ctx, dir, watchInterval, func() {
		if err := generateWith(ctx, opts, false, stdout, stderr); err != nil {
			fmt.Fprintln(stderr, "gopod:", err)
		}
	})
}

// watch calls generate at once and then whenever the inputs in dir have
// changed since the state before the last call, looking every interval.
func watch(ctx context.Context, dir string, interval time.Duration, generate func()) error {
	var last string
	for {
		sig, err := inputSignature(dir)
		if err != nil {
			return err
		}
		if sig != last {
			last = sig
			generate()
			// Between runs only the parsed files are live: give back the
			// garbage tuneGC lets pile up, so that a watching gopod holds
			// about what one run needs.
			debug.FreeOSMemory()
			// last stays the state before the run: a file saved while
			// the run was going makes the next look differ, and runs again.
			// Were the run's own writes to reach a watched file, that
			// second run finds everything up to date and writes nothing,
			// so the loop settles.
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(interval):
		}
	}
}

// watchInterval is how often --watch looks for changes; a look costs a
// walk of the project's inputs (milliseconds for hundreds of models).
const watchInterval = 100 * time.Millisecond

// inputSignature summarises names, sizes and times of the generator's
// inputs as the generator lists them: config/, models and Go files outside
// the generated packages, go.mod, and the same of every module the project
// uses by path. The list is taken afresh at every look, so a module
// added to or removed from generator.yaml is followed from the next look.
func inputSignature(dir string) (string, error) {
	files, err := generator.InputFiles(dir)
	if err != nil {
		return "", err
	}
	var sig []byte
	for _, f := range files {
		info, err := os.Stat(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since it was listed: the next look sees it gone
		}
		if err != nil {
			return "", fmt.Errorf("watching %s: %w", f, err)
		}
		sig = fmt.Appendf(sig, "%s %d %d\n", f, info.Size(), info.ModTime().UnixNano())
	}
	return string(sig), nil
}
