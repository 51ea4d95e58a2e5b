package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/spf13/cobra"

	"github.com/gopod/gopod/generator/migration"
	"github.com/gopod/gopod/generator/project"
	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/dbschema"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/runtime/pod"
)

// projectDatabase opens the database a project's server uses in mode (its
// embedded one in development when no host is configured).
func projectDatabase(ctx context.Context, dir, mode string, stderr io.Writer) (*project.Project, *pod.Database, error) {
	p, err := project.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := config.Load(config.Options{Dir: p.Dir, RunMode: mode})
	if err != nil {
		return nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	database, err := pod.OpenDatabase(ctx, cfg, p.Dir, log)
	if err != nil {
		return nil, nil, err
	}
	return p, database, nil
}

func newMigrate() *cobra.Command {
	var dir, mode string
	var down int
	var checkDrift bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply the migrations to the database without starting the server",
		Long: `migrate applies the project's pending migrations to the database of the run
mode, under an advisory lock so that servers starting at the same time do
not apply them twice. Each version runs in one transaction; a failure names
the statement and leaves that version unapplied.

--down N runs the down.sql of the last N applied versions (for development).
--check-drift exits 1 when the live schema differs from the latest migration.`,
		Example: `  gopod migrate
  gopod migrate --mode production
  gopod migrate --down 1
  gopod migrate --check-drift`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			p, database, err := projectDatabase(ctx, dir, mode, stderr)
			if err != nil {
				return err
			}
			defer database.Close(context.WithoutCancel(ctx))
			m := migrate.New(db.Pool(database.DB), os.DirFS(p.Dir), p.Name)
			var res *migrate.Result
			if down > 0 {
				res, err = m.Down(ctx, down)
			} else {
				res, err = m.Apply(ctx)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(out, res.String())
			drift, err := pod.Drift(ctx, database.DB, os.DirFS(p.Dir))
			if err != nil {
				return err
			}
			if len(drift) == 0 {
				return nil
			}
			fmt.Fprintln(stderr, "The database differs from the latest migration:")
			for _, d := range drift {
				fmt.Fprintln(stderr, "  "+strings.ReplaceAll(d, "\n", "\n  "))
			}
			if checkDrift {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the project's root directory")
	cmd.Flags().StringVarP(&mode, "mode", "m", config.ModeDevelopment, "the run mode whose database to migrate")
	cmd.Flags().IntVar(&down, "down", 0, "roll back the last N applied versions with their down.sql")
	cmd.Flags().BoolVar(&checkDrift, "check-drift", false, "exit 1 when the database differs from the latest migration")
	return cmd
}

func newCreateRepairMigration() *cobra.Command {
	var o migration.RepairOptions
	var mode string
	o.Dir = "."
	cmd := &cobra.Command{
		Use:   "create-repair-migration",
		Short: "Write a migration that brings a drifted database back to a version",
		Long: `create-repair-migration reads the live schema of the run mode's database and
writes repair-migration/<name>.sql, which changes it to the schema of a
migration version (the latest by default) and records the versions. Apply it
with the server's --apply-repair-migration flag.`,
		Example: `  gopod create-repair-migration
  gopod create-repair-migration --version 20240520102713718 --mode staging`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			p, database, err := projectDatabase(ctx, o.Dir, mode, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer database.Close(context.WithoutCancel(ctx))
			sqlDB := stdlib.OpenDBFromPool(db.Pool(database.DB))
			defer sqlDB.Close()
			if o.Live, err = dbschema.Inspect(ctx, sqlDB); err != nil {
				return fmt.Errorf("reading the database's schema: %w", err)
			}
			o.Dir = p.Dir
			res, err := migration.CreateRepair(ctx, o)
			if err != nil {
				return refusal(cmd, err)
			}
			if res.File == "" {
				fmt.Fprintln(cmd.OutOrStdout(), "No changes: the database matches the version. Nothing was written.")
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), res.Plan.String())
			fmt.Fprintf(cmd.OutOrStdout(), "Repair migration created: %s\nApply it with: gopod run --apply-repair-migration\n", res.File)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Dir, "dir", ".", "the project's root directory")
	cmd.Flags().StringVarP(&mode, "mode", "m", config.ModeDevelopment, "the run mode whose database to repair")
	cmd.Flags().StringVarP(&o.Version, "version", "v", "", "the migration version to repair towards (default: the latest)")
	cmd.Flags().StringVarP(&o.Tag, "tag", "t", "", "a tag appended to the repair's name")
	cmd.Flags().BoolVarP(&o.Force, "force", "f", false, "write the repair despite warnings, or when nothing differs")
	return cmd
}
