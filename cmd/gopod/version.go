package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gopod/gopod"
)

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print gopod's version",
		Example: "  gopod version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "gopod %s (Serverpod %s compatible)\n", gopod.Version, gopod.ServerpodVersion)
			return nil
		},
	}
}
