package db

import "fmt"

// The relation helpers of generated repositories (Serverpod's attach,
// attachRow, detach and detachRow) set or clear foreign keys with one
// UPDATE each.

// AttachList points the foreign key column fk of the rows of table child
// with the given ids at the row of table parent with id pid. Every row
// needs its id; it is atomic, and a child that does not exist is
// ErrNotFound.
func AttachList(c Conn, parent *Table, pid *int64, child *Table, fk string, ids []*int64) error {
	if pid == nil {
		return fmt.Errorf("attaching to %s: %w", parent.name, errNoID)
	}
	keys, err := required(ids)
	if err != nil {
		return fmt.Errorf("attaching %s: %w", child.name, err)
	}
	return setColumn(c, child, fk, *pid, keys)
}

// DetachList clears the foreign key column fk of the rows of table child
// with the given ids.
func DetachList(c Conn, child *Table, fk string, ids []*int64) error {
	keys, err := required(ids)
	if err != nil {
		return fmt.Errorf("detaching %s: %w", child.name, err)
	}
	return setColumn(c, child, fk, nil, keys)
}

// AttachObject points the foreign key column fk of the row of table src
// with id sid at the row of table target with id did.
func AttachObject(c Conn, src *Table, fk string, sid *int64, target *Table, did *int64) error {
	if sid == nil || did == nil {
		return fmt.Errorf("attaching %s to %s: %w", target.name, src.name, errNoID)
	}
	return setColumn(c, src, fk, *did, []int64{*sid})
}

// DetachObject clears the foreign key column fk of the row of table src
// with id sid.
func DetachObject(c Conn, src *Table, fk string, sid *int64) error {
	if sid == nil {
		return fmt.Errorf("detaching from %s: %w", src.name, errNoID)
	}
	return setColumn(c, src, fk, nil, []int64{*sid})
}

// DetachReferencing clears the foreign key column fk of the rows of table
// target that point at the row of table src with id sid: the other side
// of a one-to-one relation.
func DetachReferencing(c Conn, src, target *Table, fk string, sid *int64) error {
	if sid == nil {
		return fmt.Errorf("detaching from %s: %w", src.name, errNoID)
	}
	sql := "UPDATE " + quoteIdent(target.name) + " SET " + quoteIdent(fk) + " = NULL WHERE " + quoteIdent(fk) + " = $1"
	if _, err := c.Querier().Exec(c, sql, *sid); err != nil {
		return fmt.Errorf("detaching %s: %w", target.name, Wrap(err))
	}
	return nil
}

// required returns the ids, all of which must be set.
func required(ids []*int64) ([]int64, error) {
	out := make([]int64, len(ids))
	for i, id := range ids {
		if id == nil {
			return nil, fmt.Errorf("row %d: %w", i, errNoID)
		}
		out[i] = *id
	}
	return out, nil
}

// setColumn sets column to value in the rows of t with the given ids.
func setColumn(c Conn, t *Table, column string, value any, ids []int64) error {
	distinct := make(map[int64]bool, len(ids))
	for _, id := range ids {
		distinct[id] = true
	}
	want := len(distinct)
	if want == 0 {
		return nil
	}
	sql := "UPDATE " + quoteIdent(t.name) + " SET " + quoteIdent(column) + " = $1 WHERE " + quoteIdent("id") + " = ANY($2)"
	run := func(c Conn) error {
		tag, err := c.Querier().Exec(c, sql, value, ids)
		if err != nil {
			return Wrap(err)
		}
		if n := tag.RowsAffected(); n != int64(want) {
			return fmt.Errorf("%w: %d of %d rows of %s do not exist", ErrNotFound, int64(want)-n, want, t.name)
		}
		return nil
	}
	var err error
	if want == 1 {
		err = run(c)
	} else {
		err = Transaction(c, func(tx *Tx) error { return run(tx) })
	}
	if err != nil {
		return fmt.Errorf("setting %s.%s: %w", t.name, column, err)
	}
	return nil
}
