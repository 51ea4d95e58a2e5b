package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gopod/gopod/generator"
	"github.com/gopod/gopod/generator/migration"
)

func newCreateMigration() *cobra.Command {
	var o generator.MigrationOptions
	cmd := &cobra.Command{
		Use:   "create-migration",
		Short: "Write the next database migration from the models",
		Long: `create-migration compares the table models (and the modules' tables) with
the latest migration in migrations/ and writes the next version in
Serverpod's layout, with a down.sql to roll it back in development. No
database is needed.

A change that could lose data or fail on existing rows (dropping a table or
column, changing a type, adding a NOT NULL column without a default, adding
a unique index) is listed and refused unless --force is given. Rename a
field without losing its data with renamedFrom=<old name> in its model.`,
		Example: `  gopod create-migration
  gopod create-migration --tag add-orders
  gopod create-migration --check   # in CI: fail when models changed without a migration`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := generator.CreateMigration(cmd.Context(), o)
			if err != nil {
				return refusal(cmd, err)
			}
			out := cmd.OutOrStdout()
			switch {
			case o.Check && res.Changed:
				fmt.Fprintln(cmd.ErrOrStderr(), "The models changed since the latest migration; run gopod create-migration.")
				fmt.Fprintln(cmd.ErrOrStderr(), res.Diff)
				return &exitError{code: 1}
			case o.Check:
				fmt.Fprintln(out, "The latest migration matches the models.")
			case res.Version == "":
				fmt.Fprintln(out, "No changes: the latest migration matches the models. Nothing was written.")
			default:
				if res.Diff != "" {
					fmt.Fprintln(out, res.Diff)
				}
				fmt.Fprintf(out, "Migration created: migrations/%s\n", res.Version)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.Tag, "tag", "t", "", "a tag appended to the version name (lower-case words joined by -)")
	cmd.Flags().BoolVarP(&o.Force, "force", "f", false, "create the migration despite warnings, or an empty one when nothing changed")
	cmd.Flags().BoolVar(&o.Check, "check", false, "write nothing; exit 1 when the models changed without a migration")
	cmd.Flags().StringVar(&o.Dir, "dir", ".", "the project's root directory")
	return cmd
}

// refusal turns a migration refused for its risks into the list of risks
// and exit status 1; other errors pass through.
func refusal(cmd *cobra.Command, err error) error {
	var refused *migration.RefusedError
	if errors.As(err, &refused) {
		fmt.Fprintln(cmd.ErrOrStderr(), refused.Error())
		return &exitError{code: 1}
	}
	return err
}
