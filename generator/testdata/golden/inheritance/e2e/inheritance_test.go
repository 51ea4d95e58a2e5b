// Package e2e checks class hierarchies in generated code: Serverpod 2.4's
// JSON of parents and children (server-only fields inherited), the sealed
// family's interface, calls through the generated Go client, and table
// classes with inherited columns in a real PostgreSQL.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gopod/gopod/generator"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/migrate"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"

	"inheritance/client"
	"inheritance/generated/dispatch"
	"inheritance/generated/protocol"
)

func ptr[T any](v T) *T { return &v }

func encode(t *testing.T, m any, protocolForm bool) string {
	t.Helper()
	e := wire.NewEncoder(protocolForm)
	wire.EncodeValueOf(e, m)
	b, err := e.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func className(m any) string {
	name, _ := wire.ClassNameOf(m)
	return name
}

func TestJSON(t *testing.T) {
	car := protocol.NewCar()
	car.ID, car.Name, car.Registry, car.Seats = ptr(int64(7)), "beetle", ptr("B-1"), ptr(int64(4))
	for _, tc := range []struct {
		m        any
		protocol bool
		want     string
	}{
		// The inherited id comes first, then the parent's fields, then the
		// child's, as 2.4's toJson writes them.
		{&car, false, `{"id":7,"name":"beetle","wheels":4,"registry":"B-1","seats":4}`},
		{&car, true, `{"id":7,"name":"beetle","wheels":4,"seats":4}`},
		{&protocol.Square{Polygon: protocol.Polygon{ShapeFields: protocol.ShapeFields{Label: ptr("sq")}, Sides: 4}, Side: 2.5}, true, `{"label":"sq","sides":4,"side":2.5}`},
		{&protocol.Note{Stamp: protocol.Stamp{Author: "ann"}, Text: "hi"}, true, `{"author":"ann","text":"hi"}`},
	} {
		if got := encode(t, tc.m, tc.protocol); got != tc.want {
			t.Errorf("%s (protocol %v):\n got %s\nwant %s", className(tc.m), tc.protocol, got, tc.want)
		}
	}

	var back protocol.Car
	if err := wire.UnmarshalModel([]byte(`{"name":"mini","wheels":3,"seats":2}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != "mini" || back.Wheels != 3 || *back.Seats != 2 || back.ID != nil {
		t.Errorf("decoded %+v", back)
	}
	if err := wire.UnmarshalModel([]byte(`{"seats":2}`), &back); err == nil {
		t.Error("a car without its inherited name decoded")
	}
}

func TestSealedFamily(t *testing.T) {
	shapes := []protocol.Shape{
		&protocol.Circle{Radius: 1},
		&protocol.Polygon{Sides: 3},
		&protocol.Square{Side: 1},
	}
	for _, s := range shapes {
		switch s.(type) {
		case *protocol.Circle, *protocol.Polygon, *protocol.Square:
		default:
			t.Errorf("unexpected member %T", s)
		}
	}
	// The registry decodes the members by class name, not the sealed class.
	data, err := wire.Parse([]byte(`{"sides":4,"side":3.0}`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := protocol.Registry().Decode("Square", data)
	if sq, ok := v.(protocol.Square); err != nil || !ok || sq.Side != 3 || sq.Sides != 4 {
		t.Errorf("registry: %#v, %v", v, err)
	}
	if _, err := protocol.Registry().Decode("Shape", map[string]any{}); err == nil {
		t.Error("the sealed class itself decoded")
	}
}

func TestCalls(t *testing.T) {
	srv := httptest.NewServer(pod.NewServer(dispatch.New(), pod.WithLogger(slog.New(slog.DiscardHandler))))
	defer srv.Close()
	c := client.New(srv.URL)
	ctx := context.Background()

	car := client.NewCar()
	car.Name, car.Seats = "beetle", ptr(int64(4))
	g, err := c.Garage.Park(ctx, car)
	if err != nil || len(g.Cars) != 1 || g.Cars[0].Name != "beetle" || g.Cars[0].Wheels != 4 || g.Vehicle == nil || g.Vehicle.Name != "beetle" {
		t.Fatalf("park: %+v, %v", g, err)
	}
	sq, err := c.Garage.Grow(ctx, client.Square{Polygon: client.Polygon{Sides: 4}, Side: 1.5})
	if err != nil || sq.Side != 3 || sq.Sides != 4 {
		t.Errorf("grow: %+v, %v", sq, err)
	}
}

// TestTables creates the project's tables with gopod create-migration and
// stores classes whose columns are inherited.
func TestTables(t *testing.T) {
	ctx := context.Background()
	url, drop, err := dbtest.Create(ctx, "inheritance_e2e")
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	dir := t.TempDir()
	for _, p := range []string{"config", "models"} {
		if err := os.CopyFS(filepath.Join(dir, p), os.DirFS(filepath.Join("..", p))); err != nil {
			t.Fatal(err)
		}
	}
	gomod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := generator.CreateMigration(ctx, generator.MigrationOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := migrate.New(pool, os.DirFS(dir), "inheritance").Apply(ctx); err != nil {
		t.Fatal(err)
	}
	conn := db.New(pool).With(ctx)

	v, err := db.InsertRow(conn, protocol.VehicleDB, protocol.Vehicle{Name: "bus", Wheels: 6, Registry: ptr("R")})
	if err != nil || v.ID == nil {
		t.Fatalf("insert vehicle: %+v, %v", v, err)
	}
	got, err := db.FindByID(conn, protocol.VehicleDB, *v.ID)
	if err != nil || got == nil || got.Name != "bus" || *got.Registry != "R" {
		t.Errorf("find vehicle: %+v, %v", got, err)
	}

	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for i, author := range []string{"ann", "bob", "ann"} {
		n := protocol.Note{Stamp: protocol.Stamp{Author: author, At: &at}, Text: fmt.Sprint("note ", i)}
		if _, err := db.InsertRow(conn, protocol.NoteDB, n); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := db.Find(conn, protocol.NoteDB, db.Where(protocol.NoteT.Author.Equals("ann")), db.OrderBy(protocol.NoteT.Text.Asc()))
	if err != nil || len(notes) != 2 || notes[1].Text != "note 2" || !notes[1].At.Equal(at) {
		t.Errorf("notes by ann: %+v, %v", notes, err)
	}
}
