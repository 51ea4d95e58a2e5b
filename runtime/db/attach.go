package db

import "fmt"

// The relation helpers (Serverpod's attach, attachRow, detach and
// detachRow) set or clear foreign keys with one UPDATE each. They read
// the ids of the rows through the tables' plans; a relation whose local
// column is the id has its foreign key in the target's rows (a list, or
// the other side of a one-to-one relation), any other in the source's.

// keyInTarget reports whether the foreign key of rel is a column of its
// target's rows.
func (rel *Relation) keyInTarget() bool { return rel.localIndex == 0 }

// check makes sure rel joins columns its tables have.
func (rel *Relation) check() error {
	if rel.localIndex < 0 || rel.foreignIndex < 0 {
		return fmt.Errorf("db: the relation from %s to %s joins columns the tables do not have", rel.source.name, rel.target.name)
	}
	return nil
}

// attachList points the foreign key of children, a *[]C of the target's
// rows, at parent, a *P of the source's: a list relation, or the other
// side of a one-to-one relation.
func (rel *Relation) attachList(c Conn, parent, children any) error {
	if err := rel.check(); err != nil {
		return err
	}
	pid, err := rel.source.idOf(parent)
	if err != nil {
		return fmt.Errorf("attaching to %s: %w", rel.source.name, err)
	}
	rows, err := rel.target.rowsOf(children)
	if err != nil {
		return err
	}
	keys, err := ids(rows)
	if err != nil {
		return fmt.Errorf("attaching %s: %w", rel.target.name, err)
	}
	return setColumn(c, rel.target, rel.foreign, pid, keys)
}

// detachList clears the foreign key of children, a *[]C of the target's
// rows.
func (rel *Relation) detachList(c Conn, children any) error {
	if err := rel.check(); err != nil {
		return err
	}
	rows, err := rel.target.rowsOf(children)
	if err != nil {
		return err
	}
	keys, err := ids(rows)
	if err != nil {
		return fmt.Errorf("detaching %s: %w", rel.target.name, err)
	}
	return setColumn(c, rel.target, rel.foreign, nil, keys)
}

// attachRow relates row, a *R of the source's rows, to related, a *T of
// the target's.
func (rel *Relation) attachRow(c Conn, row, related any) error {
	if err := rel.check(); err != nil {
		return err
	}
	sid, err := rel.source.idOf(row)
	if err != nil {
		return fmt.Errorf("attaching %s to %s: %w", rel.target.name, rel.source.name, err)
	}
	did, err := rel.target.idOf(related)
	if err != nil {
		return fmt.Errorf("attaching %s to %s: %w", rel.target.name, rel.source.name, err)
	}
	if rel.keyInTarget() {
		return setColumn(c, rel.target, rel.foreign, sid, []int64{did})
	}
	return setColumn(c, rel.source, rel.local, did, []int64{sid})
}

// detachRow clears the relation of row, a *R of the source's rows.
func (rel *Relation) detachRow(c Conn, row any) error {
	if err := rel.check(); err != nil {
		return err
	}
	sid, err := rel.source.idOf(row)
	if err != nil {
		return fmt.Errorf("detaching from %s: %w", rel.source.name, err)
	}
	if !rel.keyInTarget() {
		return setColumn(c, rel.source, rel.local, nil, []int64{sid})
	}
	t := rel.target
	sql := "UPDATE " + quoteIdent(t.name) + " SET " + quoteIdent(rel.foreign) + " = NULL WHERE " + quoteIdent(rel.foreign) + " = $1"
	if _, err := c.Querier().Exec(c, sql, sid); err != nil {
		return fmt.Errorf("detaching %s: %w", t.name, Wrap(err))
	}
	return nil
}

// idOf returns the id of row, a pointer to one of t's rows, which must
// have one.
func (t *Table) idOf(row any) (int64, error) {
	p, ptr, err := t.rowOf(row)
	if err != nil {
		return 0, err
	}
	return p.id(ptr)
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
