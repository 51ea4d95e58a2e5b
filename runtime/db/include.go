package db

import "fmt"

// Load loads one relation of rows of T. Generated includes
// (CompanyInclude.Loads) return them; each is one query, however many rows
// it loads for.
type Load[T any] interface {
	load(c Conn, rows []T) error
}

// ObjectLoad loads an object relation of S: for each S, the D whose
// TargetKey equals the S's Key. Relation names D's column matched.
type ObjectLoad[S, D any] struct {
	Target    *Repo[D]
	Relation  *Relation
	Key       func(*S) (int64, bool)
	TargetKey func(*D) (int64, bool)
	Set       func(*S, *D)
	// Include loads relations of the D rows in turn.
	Include []Load[D]
}

// ListLoad loads a list relation of S: for each S, the D rows whose
// TargetKey equals the S's Key, filtered, ordered and limited per S as
// given (Serverpod's includeList).
type ListLoad[S, D any] struct {
	Target    *Repo[D]
	Relation  *Relation
	Key       func(*S) (int64, bool)
	TargetKey func(*D) (int64, bool)
	Set       func(*S, []D)
	Where     Expr
	OrderBy   []Order
	// Limit and Offset apply to the rows of each S; a zero Limit is no
	// limit.
	Limit, Offset int
	Include       []Load[D]
}

// keysOf returns the distinct keys of rows, in order.
func keysOf[S any](rows []S, key func(*S) (int64, bool)) []int64 {
	seen := make(map[int64]bool, len(rows))
	keys := make([]int64, 0, len(rows))
	for i := range rows {
		if k, ok := key(&rows[i]); ok && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

func (r *Repo[T]) byKeys(column string, keys []int64) Expr {
	return Expr{setNode{col: Column{ref: r.meta.Table.root, name: column}, values: keys}}
}

func (l ObjectLoad[S, D]) load(c Conn, rows []S) error {
	keys := keysOf(rows, l.Key)
	if len(keys) == 0 {
		return nil
	}
	found, err := l.Target.find(c, &query{}, l.Target.byKeys(l.Relation.foreign, keys), "", l.Include)
	if err != nil {
		return fmt.Errorf("including %s: %w", l.Target.meta.Table.name, err)
	}
	byKey := make(map[int64]int, len(found))
	for i := range found {
		if k, ok := l.TargetKey(&found[i]); ok {
			byKey[k] = i
		}
	}
	for i := range rows {
		k, ok := l.Key(&rows[i])
		if !ok {
			continue
		}
		if j, ok := byKey[k]; ok {
			d := found[j]
			l.Set(&rows[i], &d)
		}
	}
	return nil
}

func (l ListLoad[S, D]) load(c Conn, rows []S) error {
	if l.Limit < 0 || l.Offset < 0 {
		return fmt.Errorf("db: including %s: negative limit or offset", l.Target.meta.Table.name)
	}
	keys := keysOf(rows, l.Key)
	if len(keys) == 0 {
		return nil
	}
	q := &query{where: l.Where, orderBy: l.OrderBy, limit: l.Limit, offset: l.Offset}
	found, err := l.Target.find(c, q, l.Target.byKeys(l.Relation.foreign, keys), l.Relation.foreign, l.Include)
	if err != nil {
		return fmt.Errorf("including %s: %w", l.Target.meta.Table.name, err)
	}
	groups := make(map[int64][]D, len(keys))
	for i := range found {
		if k, ok := l.TargetKey(&found[i]); ok {
			groups[k] = append(groups[k], found[i])
		}
	}
	given := make(map[int64]bool, len(keys))
	for i := range rows {
		k, ok := l.Key(&rows[i])
		if !ok {
			continue
		}
		g := groups[k]
		switch {
		case g == nil:
			// An included list without rows is empty, not absent.
			g = []D{}
		case given[k]:
			// The same parent twice gets its own copy of the list.
			g = append([]D(nil), g...)
		}
		given[k] = true
		l.Set(&rows[i], g)
	}
	return nil
}
