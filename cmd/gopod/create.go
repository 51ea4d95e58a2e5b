package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator"
	"github.com/gopod/gopod/templates"
)

func newCreate() *cobra.Command {
	var module, dir, tmpl string
	var noAuth bool
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a new project",
		Long: `create scaffolds a project: config/, an example model and endpoint,
cmd/server, the generated server code and clients, and the first database
migration. The project builds against this gopod checkout without a network.`,
		Example: `  gopod create myapp
  gopod create myapp --module example.com/myapp
  cd myapp && gopod run
  gopod create greeter --template module`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if dir == "" {
				dir = name
			}
			src := gopod.SourceDir()
			if src == "" {
				return errors.New("cannot tell where the gopod checkout is; set GOPOD_ROOT to its directory")
			}
			written, err := templates.Create(templates.CreateOptions{
				Dir: dir, Name: name, Module: module,
				GopodDir: src, GopodGoMod: gopod.GoMod, GopodGoSum: gopod.GoSum,
				Auth: !noAuth && tmpl != templates.TemplateModule, Template: tmpl,
			})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, f := range written {
				fmt.Fprintln(out, "created", filepath.ToSlash(filepath.Join(dir, f)))
			}
			res, err := generator.Generate(cmd.Context(), generator.Options{Dir: dir})
			if err != nil {
				return fmt.Errorf("the new project does not generate: %w", err)
			}
			for _, f := range res.Written {
				fmt.Fprintln(out, "generated", filepath.ToSlash(filepath.Join(dir, f)))
			}
			// The first migration holds the tables of the models, the
			// modules and Serverpod's core, so the first run has a
			// database to serve from.
			fmt.Fprintln(out, "Creating default database migration.")
			mig, err := generator.CreateMigration(cmd.Context(), generator.MigrationOptions{Dir: dir})
			if err != nil {
				return fmt.Errorf("%s was created, but not its first migration (write it with gopod create-migration in %s): %w", name, dir, err)
			}
			if mig.Version != "" {
				fmt.Fprintln(out, "created", filepath.ToSlash(filepath.Join(dir, "migrations", mig.Version))+"/")
			}
			if tmpl == templates.TemplateModule {
				fmt.Fprint(out, moduleNextSteps(name, dir))
				return nil
			}
			fmt.Fprint(out, nextSteps(name, dir))
			return nil
		},
	}
	cmd.Flags().StringVar(&module, "module", "", "the Go module path (default: the project name)")
	cmd.Flags().StringVar(&dir, "dir", "", "the directory to create (default: the project name)")
	cmd.Flags().BoolVar(&noAuth, "no-auth", false, "leave out the auth module")
	cmd.Flags().StringVar(&tmpl, "template", templates.TemplateServer, "what to create: server, or module (models, endpoints and migrations that servers use)")
	return cmd
}

// moduleNextSteps tells how a server uses the new module.
func moduleNextSteps(name, dir string) string {
	return fmt.Sprintf(`
Created the module %s. A server uses it when its config/generator.yaml lists
it with the path from the server to %s (see %s):
  modules:
    %s:
      nickname: %s
      path: ../%s
`, name, shellQuote(dir), filepath.ToSlash(filepath.Join(dir, "README.md")), name, name, name)
}

// nextSteps tells how to start the new project. gopod run needs nothing
// else: with no database configured it runs a PostgreSQL of its own and
// applies the migrations to it.
func nextSteps(name, dir string) string {
	return fmt.Sprintf(`
Created %s. Start it with:
  cd %s
  gopod run

gopod run builds the server, starts a PostgreSQL of its own for development
(its data goes in .gopod/), applies the migrations and serves the API on
http://localhost:8080/. After changing models, run gopod create-migration.
`, name, shellQuote(dir))
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
