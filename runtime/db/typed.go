package db

// The typed API of the ORM: generic functions over the rows of a table
// class, given the table's repository (protocol.CompanyDB) or one of its
// relations (protocol.CompanyLinks.Employees).
//
// The generated code only declares those descriptors; their types have
// no methods, and must keep none. A method of a generic type is compiled
// wherever the type is instantiated, once per table class in the package
// that declares the tables, on every change of a model; a generic
// function is compiled only where it is called, for the row types it is
// called with. The functions are small: the work is done by the
// non-generic methods of Table, on a *[]T.

// Repo is the repository of a table whose rows are T (Serverpod's
// Company.db): generated code declares one per table class, as
// protocol.CompanyDB, for Find, Insert and the other functions below.
type Repo[T any] struct {
	// Table is the table, whose rows must be T.
	Table *Table
}

// Find returns the rows of r matching the options (Where, OrderBy, Limit,
// Offset, Include); all rows without any.
func Find[T any](c Conn, r *Repo[T], opts ...Option) ([]T, error) {
	rows := []T{}
	if err := r.Table.Find(c, &rows, opts...); err != nil {
		return nil, err
	}
	return rows, nil
}

// FindFirstRow returns the first row of r matching the options (Where,
// OrderBy, Offset, Include), or nil when there is none.
func FindFirstRow[T any](c Conn, r *Repo[T], opts ...Option) (*T, error) {
	var rows []T
	if err := r.Table.FindFirstRow(c, &rows, opts...); err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// FindByID returns the row of r with the given id, or nil when there is
// none. It takes only the Include option.
func FindByID[T any](c Conn, r *Repo[T], id int64, opts ...Option) (*T, error) {
	var rows []T
	if err := r.Table.FindByID(c, &rows, id, opts...); err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// Count returns the number of rows of r matching the options (Where, and
// Limit to count at most that many).
func Count[T any](c Conn, r *Repo[T], opts ...Option) (int64, error) {
	return r.Table.Count(c, opts...)
}

// Insert inserts rows into r and returns them as stored: with their new
// ids and the database defaults of null columns that have one. An id
// already set is ignored, as in Serverpod. It is atomic: when one row
// fails, none is inserted.
func Insert[T any](c Conn, r *Repo[T], rows ...T) ([]T, error) {
	// The rows written are copies: they are read back as stored.
	out := append([]T{}, rows...)
	if err := r.Table.Insert(c, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// InsertRow inserts one row into r and returns it as stored, with its
// new id.
func InsertRow[T any](c Conn, r *Repo[T], row T) (T, error) {
	rows := []T{row}
	if err := r.Table.Insert(c, &rows); err != nil {
		var zero T
		return zero, err
	}
	return rows[0], nil
}

// Update writes rows of r (every column, or only the columns given) and
// returns them as stored. Every row needs its id. It is atomic: when one
// row fails or does not exist, none is updated.
func Update[T any](c Conn, r *Repo[T], rows []T, columns ...AnyColumn) ([]T, error) {
	out := append([]T{}, rows...)
	if err := r.Table.Update(c, &out, columns...); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateRow writes row of r (every column, or only the columns given) and
// returns it as stored. The row needs its id; a row that does not exist
// is ErrNotFound.
func UpdateRow[T any](c Conn, r *Repo[T], row T, columns ...AnyColumn) (T, error) {
	rows := []T{row}
	if err := r.Table.Update(c, &rows, columns...); err != nil {
		var zero T
		return zero, err
	}
	return rows[0], nil
}

// Delete deletes rows of r (by their ids) and returns the rows deleted,
// as they were stored. Rows that no longer exist are skipped.
func Delete[T any](c Conn, r *Repo[T], rows ...T) ([]T, error) {
	out := []T{}
	if err := r.Table.Delete(c, &rows, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteRow deletes row of r and returns it as it was stored; a row that
// does not exist is ErrNotFound.
func DeleteRow[T any](c Conn, r *Repo[T], row T) (T, error) {
	var out []T
	if err := r.Table.DeleteRow(c, &row, &out); err != nil {
		var zero T
		return zero, err
	}
	return out[0], nil
}

// DeleteWhere deletes the rows of r matching where and returns them. The
// condition is required; Constant(true) deletes every row.
func DeleteWhere[T any](c Conn, r *Repo[T], where Expr) ([]T, error) {
	out := []T{}
	if err := r.Table.DeleteWhere(c, where, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Required and Optional say whether the foreign key of a relation must
// hold a row, as the third type argument of its ListLink or ObjectLink:
// only an optional relation (a nullable foreign key) can be detached, so
// Detach and DetachRow take only links to Optional.
type (
	Required struct{}
	Optional struct{}
)

// Presence is Required or Optional.
type Presence interface{ Required | Optional }

// ListLink is a list relation from rows P to their related rows C, whose
// foreign key is K (Required or Optional), for Attach and Detach.
// Generated code declares one for each list relation, as
// protocol.CompanyLinks.Employees.
type ListLink[P, C any, K Presence] struct {
	// Relation is the relation from the table of P to that of C.
	Relation *Relation
}

// ObjectLink is an object relation from rows R to the row T they relate
// to, whose foreign key is K (Required or Optional), for AttachRow and
// DetachRow. Generated code declares one for each object relation, as
// protocol.CompanyLinks.Hq. The foreign key is R's when R declares it,
// and T's on the other side of a one-to-one relation.
type ObjectLink[R, T any, K Presence] struct {
	// Relation is the relation from the table of R to that of T.
	Relation *Relation
}

// Attach adds children to the list l of parent: it points their foreign
// key at parent (Serverpod's Company.db.attach.employees and
// attachRow.employees). Every row needs its id; it is atomic, and a child
// that does not exist is ErrNotFound.
func Attach[P, C any, K Presence](c Conn, l *ListLink[P, C, K], parent P, children ...C) error {
	return l.Relation.attachList(c, &parent, &children)
}

// Detach removes children from the list l of the rows they belong to: it
// clears their foreign key (Serverpod's Company.db.detach.employees and
// detachRow.employees). Only optional relations can be detached.
func Detach[P, C any](c Conn, l *ListLink[P, C, Optional], children ...C) error {
	return l.Relation.detachList(c, &children)
}

// AttachRow makes related the row that row relates to through l
// (Serverpod's Company.db.attachRow.hq): it sets row's foreign key, or
// on the other side of a one-to-one relation points related's at row.
func AttachRow[R, T any, K Presence](c Conn, l *ObjectLink[R, T, K], row R, related T) error {
	return l.Relation.attachRow(c, &row, &related)
}

// DetachRow clears the relation l of row (Serverpod's
// Company.db.detachRow.hq): it sets row's foreign key to null, or on the
// other side of a one-to-one relation that of the row pointing at row.
// Only optional relations can be detached.
func DetachRow[R, T any](c Conn, l *ObjectLink[R, T, Optional], row R) error {
	return l.Relation.detachRow(c, &row)
}
