package db

import "fmt"

// The relation helpers of generated repositories (Serverpod's attach,
// attachRow, detach and detachRow) set or clear foreign keys with one
// UPDATE each.

// AttachList points the foreign key column fk of each child at parent.
// Every row needs its id; it is atomic, and a child that does not exist
// is ErrNotFound.
func AttachList[P, C any](c Conn, parent *Repo[P], child *Repo[C], fk string, p P, children ...C) error {
	pid := parent.meta.ID(&p)
	if pid == nil {
		return fmt.Errorf("attaching to %s: %w", parent.meta.Table.name, errNoID)
	}
	ids, err := child.ids(children)
	if err != nil {
		return fmt.Errorf("attaching %s: %w", child.meta.Table.name, err)
	}
	return setColumn(c, child.meta.Table, fk, *pid, ids)
}

// DetachList clears the foreign key column fk of each child.
func DetachList[C any](c Conn, child *Repo[C], fk string, children ...C) error {
	ids, err := child.ids(children)
	if err != nil {
		return fmt.Errorf("detaching %s: %w", child.meta.Table.name, err)
	}
	return setColumn(c, child.meta.Table, fk, nil, ids)
}

// AttachObject points the foreign key column fk of s at d.
func AttachObject[S, D any](c Conn, src *Repo[S], fk string, s S, target *Repo[D], d D) error {
	sid, did := src.meta.ID(&s), target.meta.ID(&d)
	if sid == nil || did == nil {
		return fmt.Errorf("attaching %s to %s: %w", target.meta.Table.name, src.meta.Table.name, errNoID)
	}
	return setColumn(c, src.meta.Table, fk, *did, []int64{*sid})
}

// DetachObject clears the foreign key column fk of s.
func DetachObject[S any](c Conn, src *Repo[S], fk string, s S) error {
	sid := src.meta.ID(&s)
	if sid == nil {
		return fmt.Errorf("detaching from %s: %w", src.meta.Table.name, errNoID)
	}
	return setColumn(c, src.meta.Table, fk, nil, []int64{*sid})
}

// DetachReferencing clears the foreign key column fk of the target rows
// that point at s: the other side of a one-to-one relation.
func DetachReferencing[S, D any](c Conn, src *Repo[S], target *Repo[D], fk string, s S) error {
	sid := src.meta.ID(&s)
	if sid == nil {
		return fmt.Errorf("detaching from %s: %w", src.meta.Table.name, errNoID)
	}
	t := target.meta.Table
	sql := "UPDATE " + quoteIdent(t.name) + " SET " + quoteIdent(fk) + " = NULL WHERE " + quoteIdent(fk) + " = $1"
	if _, err := c.Querier().Exec(c, sql, *sid); err != nil {
		return fmt.Errorf("detaching %s: %w", t.name, Wrap(err))
	}
	return nil
}

// setColumn sets column to value in the rows of t with the given ids.
func setColumn(c Conn, t *Table, column string, value any, ids []int64) error {
	want := len(keysOf(ids, func(p *int64) (int64, bool) { return *p, true }))
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
