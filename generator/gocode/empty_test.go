package gocode

import (
	"testing"

	"github.com/gopod/gopod/generator/model"
)

// TestModelsWithoutFieldsCompile is a regression test: classes with nothing
// to encode or decode on one side (no fields, only an id, only a list
// relation, only server-only fields on the client) once generated
// variables that Go refused as declared and not used.
func TestModelsWithoutFieldsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go module")
	}
	mod := newTestModule(t)
	mod.generateModels(map[string]string{
		"models/empty.spy.yaml":            "class: Empty\n",
		"models/empty_exception.spy.yaml":  "exception: EmptyException\n",
		"models/empty_table.spy.yaml":      "class: EmptyTable\ntable: empty_table\n",
		"models/item.spy.yaml":             "class: Item\ntable: item\nfields:\n  name: String\n",
		"models/only_relation.spy.yaml":    "class: OnlyRelation\ntable: only_relation\nfields:\n  items: List<Item>?, relation\n",
		"models/only_server_only.spy.yaml": "class: OnlyServerOnly\nfields:\n  secret: String?, scope=serverOnly\n",
	}, model.Options{Database: true})
	mod.goCmd("vet", "./...")
}
