package gocode

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopod/gopod/generator/model"
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
  clerkId: int
  clerk: module:shop:Member?, relation(field=clerkId)
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
	if got := string(projFiles["order.go"]); !strings.Contains(got, "*shopprotocol.MemberTable") || !strings.Contains(got, "shopprotocol.MemberDB.Table") {
		t.Errorf("the project's ORM does not reach the module's table:\n%s", got)
	}

	mod := newTestModule(t)
	mod.writePackage("shop/protocol", modFiles)
	mod.writePackage("protocol", projFiles)
	// Uses of the API across the two packages, for the type checker.
	mod.write("use/use.go", []byte(`package use

import (
	"github.com/gopod/gopod/runtime/db"

	"proj/protocol"
	shop "proj/shop/protocol"
)

func Use(c db.Conn, o protocol.Order, m shop.Member) error {
	_, err := db.Find(c, protocol.OrderDB,
		db.Where(protocol.OrderT.Buyer().Name.Equals("ann").And(protocol.OrderT.Seller().ID.IsNull())),
		db.OrderBy(protocol.OrderT.Buyer().Name.Asc()),
		db.Include(protocol.OrderInclude{Buyer: &shop.MemberInclude{}}),
	)
	if err != nil {
		return err
	}
	if err := db.AttachRow(c, protocol.OrderLinks.Seller, o, m); err != nil {
		return err
	}
	if err := db.AttachRow(c, protocol.OrderLinks.Clerk, o, m); err != nil {
		return err
	}
	return db.DetachRow(c, protocol.OrderLinks.Seller, o)
}
`))
	mod.goCmd("vet", "./...")

	// What the typed API must refuse to compile, one error to a line: the
	// relation helpers a relation does not have, rows of another table.
	misuse := []string{
		"db.DetachRow(c, protocol.OrderLinks.Clerk, o)",     // a required foreign key
		"db.Attach(c, protocol.OrderLinks.Seller, o, m)",    // an object relation as a list
		"db.AttachRow(c, protocol.OrderLinks.Seller, m, m)", // a row of another table
		"db.Insert(c, protocol.OrderDB, m)",                 // the same
		"db.Detach(c, protocol.OrderLinks.Seller, m)",       // the same
	}
	var b strings.Builder
	b.WriteString("package misuse\n\nimport (\n\t\"github.com/gopod/gopod/runtime/db\"\n\n\t\"proj/protocol\"\n\tshop \"proj/shop/protocol\"\n)\n\n")
	b.WriteString("func Misuse(c db.Conn, o protocol.Order, m shop.Member) {\n")
	const firstLine = 11
	for _, m := range misuse {
		b.WriteString("\t" + m + "\n")
	}
	b.WriteString("}\n")
	mod.write("misuse/misuse.go", []byte(b.String()))
	// -e: every error, not only the first ten.
	cmd := exec.Command("go", "build", "-gcflags=-e", "./misuse")
	cmd.Dir = mod.dir
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("misuse of the typed API compiles:\n%s", b.String())
	}
	for i, m := range misuse {
		if !strings.Contains(string(out), fmt.Sprintf("misuse.go:%d:", firstLine+i)) {
			t.Errorf("compiles: %s\n%s", m, out)
		}
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

// TestORMInstantiations guards the compile time of generated packages. Go
// compiles a generic function anew for every struct type it is
// instantiated with, and the methods of a generic type wherever the type
// is instantiated, so ORM code generic over the table class called or
// declared in the generated package (a db.Repo[T] with methods, as there
// once was) costs every table class a copy of the ORM, and large projects
// minutes of compiling. The generic descriptors it declares now
// (db.Repo[Company], db.ListLink[...]) have no methods, and must keep
// none. The test builds the protocol package of
// a project with several table classes and counts the instantiations of
// package db's generics in it: none may be made for a class, and almost
// none for an enum.
func TestORMInstantiations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Go module")
	}
	const (
		// maxPerClass is the most db instantiations a class may cost.
		maxPerClass = 0
		// maxPerEnum is room for how compilers name shared code; enum
		// columns are made without a type parameter.
		maxPerEnum = 2
	)
	files := []model.File{
		{Path: "models/color.spy.yaml", Src: []byte("enum: Color\nvalues:\n  - red\n  - green\n")},
		{Path: "models/size.spy.yaml", Src: []byte("enum: Size\nserialized: byName\nvalues:\n  - small\n  - large\n")},
		{Path: "models/point.spy.yaml", Src: []byte("class: Point\nfields:\n  x: int\n  y: double?\n")},
	}
	const tables = 6
	for i := range tables {
		var b strings.Builder
		fmt.Fprintf(&b, "class: Thing%d\ntable: thing_%d\nfields:\n", i, i)
		b.WriteString("  name: String\n  amount: int?\n  ratio: double?\n  at: DateTime\n  wait: Duration?\n  key: UuidValue?\n" +
			"  link: Uri?\n  big: BigInt?\n  blob: ByteData?\n  color: Color\n  size: Size?\n  tags: List<String>?\n" +
			"  scores: Map<String, int>?\n  point: Point\n  points: List<Point>?\n  maybe: Point?\n")
		if i > 0 {
			// An object relation to the previous table, whose list of
			// things is the other side.
			fmt.Fprintf(&b, "  parent: Thing%d?, relation(name=thing%d_children)\n", i-1, i)
		}
		if i+1 < tables {
			fmt.Fprintf(&b, "  children: List<Thing%d>?, relation(name=thing%d_children)\n", i+1, i+1)
		}
		files = append(files, model.File{Path: fmt.Sprintf("models/thing%d.spy.yaml", i), Src: []byte(b.String())})
	}
	models, diags := model.Analyze(files, model.Options{Database: true})
	failOn(t, diags)
	server, _, err := Models(models, Options{Name: "proj", ProtocolPkg: "proj/protocol", ClientPkg: "proj/client"})
	if err != nil {
		t.Fatal(err)
	}

	mod := newTestModule(t)
	mod.writePackage("protocol", server)
	archive := filepath.Join(mod.dir, "protocol.a")
	mod.goCmd("build", "-o", archive, "./protocol")
	symbols := mod.goCmd("tool", "nm", archive)

	var classes, enums []string
	for _, m := range models {
		switch {
		case m.Kind == model.Enum:
			enums = append(enums, m.ClassName)
		case m.HasTable():
			classes = append(classes, m.ClassName)
		}
	}
	perType, shapes := dbInstantiations(string(symbols), "proj/protocol.")
	for _, c := range append(classes, "Point") {
		if n := len(perType[c]); n > maxPerClass {
			t.Errorf("class %s costs %d instantiations of package db's generics (at most %d), among them:\n%s", c, n, maxPerClass, strings.Join(first(perType[c], 5), "\n"))
		}
	}
	for _, e := range enums {
		if n := len(perType[e]); n > maxPerEnum {
			t.Errorf("enum %s costs %d instantiations of package db's generics (at most %d), among them:\n%s", e, n, maxPerEnum, strings.Join(first(perType[e], 5), "\n"))
		}
	}
	// An instantiation for a struct compiles for its GC shape, whose name
	// lists the struct's fields rather than naming the class: the struct
	// shapes must be those of the column types (time.Time), not of the
	// classes.
	for _, s := range shapes {
		if !strings.Contains(s, "time.wall") {
			t.Errorf("package db's generics are instantiated for %s", s)
		}
	}
	if len(classes) != tables || len(enums) != 2 {
		t.Fatalf("the project has %d table classes and %d enums", len(classes), len(enums))
	}
}

// dbInstantiations reads the output of go tool nm and returns the
// functions that instantiate package db's generics, by the name of each
// type of pkg they are instantiated with, and the struct shapes they are
// compiled for.
func dbInstantiations(nm, pkg string) (perType map[string][]string, shapes []string) {
	perType = map[string][]string{}
	seen := map[string]bool{}
	for _, line := range strings.Split(nm, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[1] != "T" {
			continue
		}
		sym := strings.Join(fields[2:], " ")
		if !strings.HasPrefix(sym, "github.com/gopod/gopod/runtime/db.") || !strings.Contains(sym, "[") {
			continue
		}
		for rest := sym; ; {
			i := strings.Index(rest, pkg)
			if i < 0 {
				break
			}
			rest = rest[i+len(pkg):]
			end := strings.IndexAny(rest, ",]) ")
			if end < 0 {
				end = len(rest)
			}
			name := rest[:end]
			perType[name] = append(perType[name], sym)
		}
		for rest := sym; ; {
			i := strings.Index(rest, "go.shape.struct {")
			if i < 0 {
				break
			}
			rest = rest[i:]
			depth, end := 0, len(rest)
			for j, r := range rest {
				if r == '{' {
					depth++
				} else if r == '}' {
					depth--
					if depth == 0 {
						end = j + 1
						break
					}
				}
			}
			if s := rest[:end]; !seen[s] {
				seen[s] = true
				shapes = append(shapes, s)
			}
			rest = rest[end:]
		}
	}
	return perType, shapes
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
