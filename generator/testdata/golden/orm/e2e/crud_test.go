package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/db/dbtest"
	"github.com/gopod/gopod/runtime/pod"

	"orm/client"
	"orm/generated/dispatch"
	"orm/generated/protocol"
)

func cityNames(t *testing.T, c db.Conn) []string {
	t.Helper()
	got, err := db.Find(c, protocol.CityDB, db.OrderBy(protocol.CityT.Name.Asc()))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, x := range got {
		out = append(out, x.Name)
	}
	return out
}

func TestInsertUpdateDelete(t *testing.T) {
	reset(t, "company", "city")
	c := conn(t)
	inserted, err := db.Insert(c, protocol.CityDB, protocol.City{Name: "a"}, protocol.City{Name: "b"}, protocol.City{Name: "c"})
	if err != nil || len(inserted) != 3 || *inserted[0].ID != 1 || *inserted[2].ID != 3 || inserted[1].Name != "b" {
		t.Fatalf("Insert = %+v, %v", inserted, err)
	}
	if got, err := db.Insert(c, protocol.CityDB); err != nil || len(got) != 0 {
		t.Errorf("Insert of nothing = %v, %v", got, err)
	}

	// Update writes every column, or only those chosen.
	a, b := inserted[0], inserted[1]
	a.Name, b.Name = "a2", "b2"
	updated, err := db.Update(c, protocol.CityDB, []protocol.City{a, b})
	if err != nil || len(updated) != 2 || updated[0].Name != "a2" {
		t.Fatalf("Update = %+v, %v", updated, err)
	}
	acme := insert(t, protocol.CompanyDB, protocol.Company{Name: "Acme", HqID: a.ID})
	acme.Name, acme.HqID = "renamed", b.ID
	if _, err := db.UpdateRow(c, protocol.CompanyDB, acme, protocol.CompanyT.HqID); err != nil {
		t.Fatal(err)
	}
	got, _ := db.FindByID(c, protocol.CompanyDB, *acme.ID)
	if got.Name != "Acme" || *got.HqID != *b.ID {
		t.Errorf("UpdateRow of hqId only = %+v, want the name kept and hqId %d", got, *b.ID)
	}

	// An update with a missing row changes nothing.
	missing := protocol.City{ID: ptr(int64(1 << 40)), Name: "x"}
	a.Name = "a3"
	if _, err := db.Update(c, protocol.CityDB, []protocol.City{a, missing}); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("Update with a missing row: %v, want ErrNotFound", err)
	}
	if _, err := db.UpdateRow(c, protocol.CityDB, missing); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("UpdateRow of a missing row: %v, want ErrNotFound", err)
	}
	if names := cityNames(t, c); !slices.Equal(names, []string{"a2", "b2", "c"}) {
		t.Errorf("after the failed update: %q", names)
	}

	// Deletes return what they deleted.
	deleted, err := db.DeleteRow(c, protocol.CityDB, inserted[2])
	if err != nil || deleted.Name != "c" {
		t.Errorf("DeleteRow = %+v, %v", deleted, err)
	}
	if _, err := db.DeleteRow(c, protocol.CityDB, inserted[2]); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("DeleteRow twice: %v, want ErrNotFound", err)
	}
	if _, err := db.Delete(c, protocol.CompanyDB, acme); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Delete(c, protocol.CityDB, a, b, missing)
	if err != nil || len(rows) != 2 {
		t.Errorf("Delete = %+v, %v", rows, err)
	}
	if n, _ := db.Count(c, protocol.CityDB); n != 0 {
		t.Errorf("%d cities left", n)
	}
}

// TestInsertMany inserts more rows than one statement can carry, and
// checks that a failure anywhere inserts nothing.
func TestInsertMany(t *testing.T) {
	reset(t, "sample")
	c := conn(t)
	rows := make([]protocol.Sample, 2500) // 34 columns each: more than 65535 parameters
	for i := range rows {
		rows[i] = requiredSample(fmt.Sprintf("row %d", i))
	}
	got, err := db.Insert(c, protocol.SampleDB, rows...)
	if err != nil || len(got) != len(rows) || got[2499].AString != "row 2499" || *got[2499].ID != 2500 {
		t.Fatalf("Insert of %d rows: %d returned, %v", len(rows), len(got), err)
	}
	for i := range rows {
		rows[i].AString = fmt.Sprintf("again %d", i)
	}
	rows[2400].AString = "row 7" // taken
	_, err = db.Insert(c, protocol.SampleDB, rows...)
	if !errors.Is(err, db.ErrUniqueViolation) {
		t.Errorf("Insert with a duplicate: %v, want a unique violation", err)
	}
	if n, _ := db.Count(c, protocol.SampleDB); n != 2500 {
		t.Errorf("%d rows after a failed insert, want 2500", n)
	}
}

func TestTransactions(t *testing.T) {
	reset(t, "city")
	c := conn(t)
	errRollBack := errors.New("roll back")
	err := db.Transaction(c, func(tx *db.Tx) error {
		in := insert(t, protocol.CityDB, protocol.City{Name: "x"}) // outside: committed
		city, err := db.InsertRow(tx, protocol.CityDB, protocol.City{Name: "rolled back"})
		if err != nil {
			return err
		}
		if got, err := db.FindByID(tx, protocol.CityDB, *city.ID); err != nil || got == nil {
			t.Errorf("the transaction does not see its own row: %v, %v", got, err)
		}
		if got, err := db.FindByID(c, protocol.CityDB, *city.ID); err != nil || got != nil {
			t.Errorf("another connection sees an uncommitted row: %v, %v", got, err)
		}
		_, err = db.DeleteRow(tx, protocol.CityDB, in)
		if err != nil {
			return err
		}
		return errRollBack
	})
	if !errors.Is(err, errRollBack) {
		t.Fatalf("Transaction = %v", err)
	}
	if names := cityNames(t, c); !slices.Equal(names, []string{"x"}) {
		t.Errorf("after a rolled back transaction: %q", names)
	}

	// Savepoints and nested transactions undo only their part.
	err = db.Transaction(c, func(tx *db.Tx) error {
		if _, err := db.InsertRow(tx, protocol.CityDB, protocol.City{Name: "kept"}); err != nil {
			return err
		}
		sp, err := tx.Savepoint()
		if err != nil {
			return err
		}
		if _, err := db.InsertRow(tx, protocol.CityDB, protocol.City{Name: "undone by the savepoint"}); err != nil {
			return err
		}
		if err := sp.Rollback(); err != nil {
			return err
		}
		err = db.Transaction(tx, func(inner *db.Tx) error {
			if _, err := db.InsertRow(inner, protocol.CityDB, protocol.City{Name: "undone by the inner transaction"}); err != nil {
				return err
			}
			return errRollBack
		})
		if !errors.Is(err, errRollBack) {
			return fmt.Errorf("inner transaction: %v", err)
		}
		// A failed statement inside a nested transaction leaves the outer
		// one usable.
		err = db.Transaction(tx, func(inner *db.Tx) error {
			_, err := db.InsertRow(inner, protocol.EmployeeDB, protocol.Employee{Name: "nobody's", CompanyID: 1 << 40})
			return err
		})
		if !errors.Is(err, db.ErrForeignKeyViolation) {
			return fmt.Errorf("inner insert: %v", err)
		}
		_, err = db.Update(tx, protocol.CityDB, []protocol.City{{ID: ptr(int64(1)), Name: "x2"}})
		return err
	}, db.TxOptions{Isolation: db.Serializable})
	if err != nil {
		t.Fatal(err)
	}
	if names := cityNames(t, c); !slices.Equal(names, []string{"kept", "x2"}) {
		t.Errorf("after savepoints: %q", names)
	}
}

func TestTypedErrors(t *testing.T) {
	reset(t, "company", "sample")
	c := conn(t)
	insert(t, protocol.CompanyDB, protocol.Company{Name: "Acme"})
	_, err := db.InsertRow(c, protocol.CompanyDB, protocol.Company{Name: "Acme"})
	var dbErr *db.Error
	if !errors.Is(err, db.ErrUniqueViolation) || !errors.As(err, &dbErr) || dbErr.Constraint != "company_name_idx" || dbErr.Table != "company" {
		t.Errorf("duplicate name: %v, want a unique violation of company_name_idx", err)
	}
	_, err = db.InsertRow(c, protocol.EmployeeDB, protocol.Employee{Name: "x", CompanyID: 1 << 40})
	if !errors.Is(err, db.ErrForeignKeyViolation) || errors.Is(err, db.ErrUniqueViolation) {
		t.Errorf("missing company: %v, want a foreign key violation", err)
	}
	s := requiredSample("no uri")
	s.AURI = nil
	_, err = db.InsertRow(c, protocol.SampleDB, s)
	if !errors.Is(err, db.ErrNotNullViolation) || !errors.As(err, &dbErr) || dbErr.Column != "aUri" {
		t.Errorf("null in a required column: %v, want a not null violation of aUri", err)
	}

	// A database without the project's tables.
	url, drop, err := dbtest.Create(context.Background(), "orm_empty")
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	empty, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	_, err = db.Find(empty.With(context.Background()), protocol.CityDB)
	if !errors.Is(err, db.ErrUndefinedTable) || !strings.Contains(err.Error(), "Table not found, have you applied the database migration? (") {
		t.Errorf("missing table: %v, want ErrUndefinedTable with Serverpod's message", err)
	}
	if _, err := db.FindByID(empty.With(context.Background()), protocol.CityDB, 1); !errors.Is(err, db.ErrUndefinedTable) {
		t.Errorf("missing table, FindByID: %v", err)
	}
}

// TestThroughEndpoints calls endpoints that use the ORM with their session.
func TestThroughEndpoints(t *testing.T) {
	reset(t, "company")
	srv := pod.NewServer(dispatch.New(), pod.WithDatabase(database), pod.WithLogger(slog.New(slog.DiscardHandler)))
	ts := httptest.NewServer(srv)
	defer ts.Close()
	cl := client.New(ts.URL)
	ctx := context.Background()
	for _, n := range []string{"Endpoint B", "Endpoint A", "Other"} {
		if co, err := cl.Company.Create(ctx, n); err != nil || co.ID == nil || co.Name != n {
			t.Fatalf("Create(%q) = %+v, %v", n, co, err)
		}
	}
	got, err := cl.Company.Named(ctx, "Endpoint")
	if err != nil || len(got) != 2 || got[0].Name != "Endpoint A" || got[1].Name != "Endpoint B" || got[0].Employees == nil {
		t.Errorf("Named = %+v, %v", got, err)
	}
	if _, err := cl.Company.Create(ctx, "Other"); err == nil {
		t.Error("a duplicate name was created")
	}
}
