package gocode

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopod/gopod"
	"github.com/gopod/gopod/generator/model"
	"github.com/gopod/gopod/templates"
)

// TestModuleRelations generates a module with a table and a project whose
// table relates to it, and type-checks the two packages together: the
// project's ORM reaches the module's table, columns, repository and
// includes across packages.
func TestModuleRelations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go module")
	}
	modModels, diags := model.AnalyzeModule([]model.File{{Path: "models/member.spy.yaml", Src: []byte(`
class: Member
table: shop_member
fields:
  name: String
`)}}, "shop", "my_shop", model.Options{Database: true})
	failOn(t, diags)
	projModels, diags := model.Analyze([]model.File{{Path: "models/order.spy.yaml", Src: []byte(`
class: Order
table: order
fields:
  total: int
  buyer: module:shop:Member?, relation
  seller: module:shop:Member?, relation(optional)
`)}}, model.Options{Database: true, Modules: []model.ModuleModels{{Nickname: "shop", Name: "my_shop", Models: modModels}}})
	failOn(t, diags)

	shop := Module{Name: "my_shop", Nickname: "shop", ProtocolPkg: "proj/shop/protocol", DispatchPkg: "proj/shop/dispatch", ClientPkg: "proj/shop/client"}
	modFiles, _, err := Models(modModels, Options{Name: "my_shop", Module: true, ProtocolPkg: shop.ProtocolPkg, ClientPkg: shop.ClientPkg})
	if err != nil {
		t.Fatal(err)
	}
	projFiles, _, err := Models(projModels, Options{Name: "proj", ProtocolPkg: "proj/protocol", ClientPkg: "proj/client", Modules: []Module{shop}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(projFiles["order.go"]); !strings.Contains(got, "shopprotocol.NewMemberTable(") || !strings.Contains(got, "shopprotocol.MemberDB.Table()") {
		t.Errorf("the project's ORM does not reach the module's table:\n%s", got)
	}

	dir := t.TempDir()
	write := func(rel string, b []byte) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, b := range modFiles {
		write("shop/protocol/"+name, b)
	}
	for name, b := range projFiles {
		write("protocol/"+name, b)
	}
	gomod, err := templates.GoMod("proj", gopod.SourceDir(), gopod.GoMod)
	if err != nil {
		t.Fatal(err)
	}
	write("go.mod", gomod)
	write("go.sum", gopod.GoSum)
	// Uses of the API across the two packages, for the type checker.
	write("use/use.go", []byte(`package use

import (
	"github.com/gopod/gopod/runtime/db"

	"proj/protocol"
	shop "proj/shop/protocol"
)

func Use(c db.Conn, o protocol.Order, m shop.Member) error {
	_, err := protocol.OrderDB.Find(c,
		db.Where(protocol.OrderT.Buyer().Name.Equals("ann").And(protocol.OrderT.Seller().ID.IsNull())),
		db.OrderBy(protocol.OrderT.Buyer().Name.Asc()),
		db.Include(protocol.OrderInclude{Buyer: &shop.MemberInclude{}}),
	)
	if err != nil {
		return err
	}
	if err := protocol.OrderDB.AttachRowSeller(c, o, m); err != nil {
		return err
	}
	return protocol.OrderDB.DetachRowSeller(c, o)
}
`))
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
}

func failOn(t *testing.T, diags []model.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Fails() {
			t.Fatal(d)
		}
	}
}
