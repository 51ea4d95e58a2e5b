package dbschema

import (
	"context"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
)

// DiffOptions tune Diff.
type DiffOptions struct {
	// Renames lists renamed columns per table: Renames[table][newName] is
	// the column's previous name. It adds to the PreviousName hints of the
	// target's columns.
	Renames map[string]map[string]string
}

// Plan is the change from one definition to another: the SQL to run, how to
// undo it, and the migration.json that describes it.
type Plan struct {
	// Migration is the content of migration.json for the change.
	Migration *DatabaseMigration
	// Steps are the statements in the order they must run.
	Steps []Step
}

// Step is one SQL statement of a plan.
type Step struct {
	// Action is the kind of Serverpod action the statement belongs to.
	Action ActionType
	// Table is the table the statement changes.
	Table string
	// SQL is the statement, without a trailing semicolon.
	SQL string
	// Reverse are the statements that undo this one, in order. They restore
	// the schema, not dropped data.
	Reverse []string
	// Irreversible is set when the statement cannot be undone by SQL.
	Irreversible bool
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.Steps) == 0 }

// Warnings returns the warnings of the change. Any warning means the change
// may lose data or fail on existing rows.
func (p *Plan) Warnings() []*Warning { return p.Migration.Warnings }

// Destructive reports whether a step of the plan loses data.
func (p *Plan) Destructive() bool {
	for _, w := range p.Migration.Warnings {
		if w.Destructive {
			return true
		}
	}
	return false
}

// Up returns the statements of the plan, in order.
func (p *Plan) Up() []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.SQL
	}
	return out
}

// Down returns the statements that undo the plan, in order.
func (p *Plan) Down() []string {
	var out []string
	for i := len(p.Steps) - 1; i >= 0; i-- {
		out = append(out, p.Steps[i].Reverse...)
	}
	return out
}

// planOptions renders unqualified names, as Serverpod's files do.
func planOptions(o *migrate.PlanOptions) {
	unqualified := ""
	o.SchemaQualifier = &unqualified
}

// prettyPlanOptions also lays CREATE TABLE bodies out one column per line,
// like Serverpod's files. Atlas would break ALTER TABLE statements over lines
// too, so only the statements of table creations and drops are taken from a
// pretty plan.
func prettyPlanOptions(o *migrate.PlanOptions) {
	planOptions(o)
	o.Indent = "    "
}

// prettyStatements plans the creation or drop of one table again, laid out
// over lines. Planning one table at a time keeps the cost linear; the plan of
// the whole change set sorts its changes in quadratic time.
type prettyStatements map[schema.Change][]*migrate.Change

func (p prettyStatements) of(src schema.Change) ([]*migrate.Change, error) {
	if planned, ok := p[src]; ok {
		return planned, nil
	}
	plan, err := postgres.DefaultPlan.PlanChanges(context.Background(), "", []schema.Change{src}, prettyPlanOptions)
	if err != nil {
		return nil, err
	}
	p[src] = plan.Changes
	return plan.Changes, nil
}

// Diff computes the migration from one definition to another. from may be
// nil (an empty database).
//
// Atlas compares the two schemas and plans the SQL; gopod's policy decides
// what the comparison means:
//   - Tables that are not managed on either side are left alone. A table
//     that becomes managed is created with CREATE TABLE IF NOT EXISTS, and a
//     table that stops being managed is kept as it is.
//   - A column whose PreviousName (or DiffOptions.Renames entry) names a
//     column of the previous table is renamed, never dropped and re-added.
//   - A column whose type changes is dropped and added again, as Serverpod
//     does (integer and bigint count as one type, and a change of the Dart
//     type counts as a type change).
//   - Every step that loses data or may fail on existing rows gets a
//     warning of Serverpod's kinds: dropped tables and columns, recreated
//     columns, NOT NULL columns added without a default, columns made NOT
//     NULL, unique indexes added to existing tables.
//   - Nothing is dropped with CASCADE: a foreign key of a kept table that
//     points into a dropped table is dropped explicitly before the table.
func Diff(from, to *DatabaseDefinition, opts DiffOptions) (*Plan, error) {
	if from == nil {
		from = &DatabaseDefinition{}
	}
	if to == nil {
		return nil, fmt.Errorf("diff: no target definition")
	}
	d := &differ{
		ifNotExists: map[string]bool{},
		dropped:     map[string]bool{},
	}
	if err := d.classify(from, to); err != nil {
		return nil, err
	}
	if err := d.collectRenames(opts); err != nil {
		return nil, err
	}
	return d.plan()
}

// differ holds the state of one Diff.
type differ struct {
	// fromTables and toTables are the tables of the two realms. Tables that
	// are not managed appear identically on both sides, so that foreign keys
	// into them resolve and they produce no change.
	fromTables, toTables []*TableDefinition
	// compared are the target tables managed on both sides, in target order.
	compared []*TableDefinition
	// source maps a compared or dropped table to its previous definition.
	source      map[string]*TableDefinition
	target      map[string]*TableDefinition
	ifNotExists map[string]bool
	dropped     map[string]bool
	// droppedOrder lists dropped tables in the order of the previous
	// definition.
	droppedOrder []string
	// renames maps a table to its renamed columns, previous name → new name.
	renames     map[string]map[string]string
	renameOrder map[string][]string // previous names, in target column order
}

func byName(tables []*TableDefinition, which string) (map[string]*TableDefinition, error) {
	m := make(map[string]*TableDefinition, len(tables))
	for _, t := range tables {
		if t.Name == "" {
			return nil, fmt.Errorf("the %s definition has a table without a name", which)
		}
		if _, dup := m[t.Name]; dup {
			return nil, fmt.Errorf("the %s definition has table %q twice", which, t.Name)
		}
		m[t.Name] = t
	}
	return m, nil
}

func (d *differ) classify(from, to *DatabaseDefinition) error {
	src, err := byName(from.Tables, "previous")
	if err != nil {
		return err
	}
	dst, err := byName(to.Tables, "target")
	if err != nil {
		return err
	}
	d.source, d.target = map[string]*TableDefinition{}, dst
	freeze := func(t *TableDefinition) {
		d.fromTables = append(d.fromTables, t)
		d.toTables = append(d.toTables, t)
	}
	for _, s := range from.Tables {
		t := dst[s.Name]
		switch {
		case s.IsManaged() && t == nil:
			d.fromTables = append(d.fromTables, s)
			d.source[s.Name] = s
			d.dropped[s.Name] = true
			d.droppedOrder = append(d.droppedOrder, s.Name)
		case s.IsManaged() && t.IsManaged():
			d.source[s.Name] = s
		case t != nil && t.IsManaged():
			// Unmanaged before, managed now: created if it does not exist.
		case t != nil:
			freeze(t)
		default:
			freeze(s)
		}
	}
	for _, t := range to.Tables {
		s := src[t.Name]
		switch {
		case t.IsManaged() && s != nil && s.IsManaged():
			d.compared = append(d.compared, t)
			d.toTables = append(d.toTables, t)
		case t.IsManaged():
			d.toTables = append(d.toTables, t)
			if s != nil {
				d.ifNotExists[t.Name] = true
			}
		case s == nil:
			freeze(t)
		}
	}
	return nil
}

// collectRenames finds the columns to rename: the target column names a
// previous name that the previous table has, and neither the new name
// existed before nor the old name exists still.
func (d *differ) collectRenames(opts DiffOptions) error {
	d.renames = map[string]map[string]string{}
	d.renameOrder = map[string][]string{}
	for _, t := range d.compared {
		s := d.source[t.Name]
		for _, c := range t.Columns {
			prev := c.PreviousName
			if p := opts.Renames[t.Name][c.Name]; p != "" {
				prev = p
			}
			if prev == "" || prev == c.Name || s.Column(prev) == nil || s.Column(c.Name) != nil || t.Column(prev) != nil {
				// Already renamed by an earlier migration, or nothing to rename.
				continue
			}
			if other, dup := d.renames[t.Name][prev]; dup {
				return fmt.Errorf("table %q: columns %q and %q are both renamed from %q", t.Name, other, c.Name, prev)
			}
			if d.renames[t.Name] == nil {
				d.renames[t.Name] = map[string]string{}
			}
			d.renames[t.Name][prev] = c.Name
			d.renameOrder[t.Name] = append(d.renameOrder[t.Name], prev)
		}
	}
	if len(d.renames) == 0 {
		d.fromTables = append(d.fromTables, d.comparedSources()...)
		return nil
	}
	for _, s := range d.comparedSources() {
		d.fromTables = append(d.fromTables, renamedTable(s, d.renames[s.Name], d.renames))
	}
	return nil
}

func (d *differ) comparedSources() []*TableDefinition {
	out := make([]*TableDefinition, len(d.compared))
	for i, t := range d.compared {
		out[i] = d.source[t.Name]
	}
	return out
}

// renamedTable returns a copy of t with its columns renamed (previous →
// new), including index elements and foreign key columns, and the
// referenced columns of foreign keys into renamed tables. It returns t
// itself when nothing changes.
func renamedTable(t *TableDefinition, own map[string]string, all map[string]map[string]string) *TableDefinition {
	touched := len(own) > 0
	for _, fk := range t.ForeignKeys {
		for _, rc := range fk.ReferenceColumns {
			if _, ok := all[fk.ReferenceTable][rc]; ok {
				touched = true
			}
		}
	}
	if !touched {
		return t
	}
	rename := func(m map[string]string, name string) string {
		if n, ok := m[name]; ok {
			return n
		}
		return name
	}
	c := *t
	c.Columns = make([]*ColumnDefinition, len(t.Columns))
	for i, col := range t.Columns {
		cc := *col
		cc.Name = rename(own, col.Name)
		c.Columns[i] = &cc
	}
	c.Indexes = make([]*IndexDefinition, len(t.Indexes))
	for i, x := range t.Indexes {
		xc := *x
		xc.Elements = make([]IndexElement, len(x.Elements))
		for k, e := range x.Elements {
			if e.Type == IndexElementColumn {
				e.Definition = rename(own, e.Definition)
			}
			xc.Elements[k] = e
		}
		c.Indexes[i] = &xc
	}
	c.ForeignKeys = make([]*ForeignKeyDefinition, len(t.ForeignKeys))
	for i, fk := range t.ForeignKeys {
		fc := *fk
		fc.Columns = make([]string, len(fk.Columns))
		for k, name := range fk.Columns {
			fc.Columns[k] = rename(own, name)
		}
		fc.ReferenceColumns = make([]string, len(fk.ReferenceColumns))
		for k, name := range fk.ReferenceColumns {
			fc.ReferenceColumns[k] = rename(all[fk.ReferenceTable], name)
		}
		c.ForeignKeys[i] = &fc
	}
	return &c
}

func (d *differ) plan() (*Plan, error) {
	fromRealm, err := buildRealm(d.fromTables)
	if err != nil {
		return nil, fmt.Errorf("previous definition: %w", err)
	}
	toRealm, err := buildRealm(d.toTables)
	if err != nil {
		return nil, fmt.Errorf("target definition: %w", err)
	}
	changes, err := postgres.DefaultDiff.RealmDiff(fromRealm, toRealm)
	if err != nil {
		return nil, fmt.Errorf("compare schemas: %w", err)
	}
	changes, recreated, err := d.applyPolicy(changes, fromRealm, toRealm)
	if err != nil {
		return nil, err
	}

	plan := &Plan{}
	if len(d.renames) > 0 {
		steps, err := d.renameSteps()
		if err != nil {
			return nil, err
		}
		plan.Steps = steps
	}
	if len(changes) > 0 {
		p, err := postgres.DefaultPlan.PlanChanges(context.Background(), "", changes, planOptions)
		if err != nil {
			return nil, fmt.Errorf("plan the migration: %w", err)
		}
		implicit, err := implicitDrops(changes, fromRealm)
		if err != nil {
			return nil, err
		}
		steps, err := d.steps(p.Changes, implicit)
		if err != nil {
			return nil, err
		}
		plan.Steps = append(plan.Steps, steps...)
	}
	plan.Migration = d.migration(changes, recreated)
	return plan, nil
}

// renameSteps plans the column renames on their own: PostgreSQL cannot
// combine RENAME COLUMN with other alterations, and the main plan already
// refers to the new names, so the renames must run first.
func (d *differ) renameSteps() ([]Step, error) {
	var changes []schema.Change
	for _, t := range d.compared {
		prevs := d.renameOrder[t.Name]
		if len(prevs) == 0 {
			continue
		}
		mt := &schema.ModifyTable{T: schema.NewTable(t.Name).SetSchema(schema.New(DefaultSchema))}
		for _, prev := range prevs {
			mt.Changes = append(mt.Changes, &schema.RenameColumn{
				From: schema.NewColumn(prev),
				To:   schema.NewColumn(d.renames[t.Name][prev]),
			})
		}
		changes = append(changes, mt)
	}
	var steps []Step
	for _, c := range changes {
		mt := c.(*schema.ModifyTable)
		p, err := postgres.DefaultPlan.PlanChanges(context.Background(), "", []schema.Change{mt}, planOptions)
		if err != nil {
			return nil, fmt.Errorf("plan the renames of table %q: %w", mt.T.Name, err)
		}
		for _, pc := range p.Changes {
			steps = append(steps, Step{Action: AlterTable, Table: mt.T.Name, SQL: pc.Cmd, Reverse: reverseOf(pc)})
		}
	}
	return steps, nil
}

func reverseOf(c *migrate.Change) []string {
	switch r := c.Reverse.(type) {
	case string:
		if r != "" {
			return []string{r}
		}
	case []string:
		return r
	}
	return nil
}

// steps labels Atlas's planned statements with the Serverpod action and
// table they belong to. Table creations and drops are laid out over lines.
// implicit holds, per table, the statements that recreate what dropping a
// column dropped along with it; they complete the undo of that ALTER TABLE.
func (d *differ) steps(planned []*migrate.Change, implicit map[string][]string) ([]Step, error) {
	out := make([]Step, 0, len(planned))
	pretty := prettyStatements{}
	// seen counts the statements of each source change so far, to pair them
	// with the statements of its pretty plan.
	seen := map[schema.Change]int{}
	prettyOf := func(c *migrate.Change) (*migrate.Change, error) {
		all, err := pretty.of(c.Source)
		if err != nil {
			return nil, fmt.Errorf("plan table %q: %w", tableOf(c.Source), err)
		}
		i := seen[c.Source]
		seen[c.Source]++
		if i >= len(all) || all[i].Comment != c.Comment {
			return c, nil
		}
		return all[i], nil
	}
	last := ""
	for _, c := range planned {
		s := Step{Action: AlterTable, Table: last, SQL: c.Cmd, Reverse: reverseOf(c)}
		switch src := c.Source.(type) {
		case *schema.AddTable:
			p, err := prettyOf(c)
			if err != nil {
				return nil, err
			}
			s.Action, s.Table, s.SQL = CreateTable, src.T.Name, p.Cmd
			if d.ifNotExists[src.T.Name] {
				s.Action = CreateTableIfNotExists
				s.SQL = ifNotExists(s.SQL)
				// The table existed before, unmanaged: undoing the step
				// must not drop it.
				s.Reverse = nil
			}
		case *schema.DropTable:
			p, err := prettyOf(c)
			if err != nil {
				return nil, err
			}
			s.Action, s.Table, s.Reverse = DeleteTable, src.T.Name, reverseOf(p)
		case *schema.ModifyTable:
			s.Table = src.T.Name
			if extra := implicit[src.T.Name]; len(extra) > 0 && dropsColumn(src) && len(s.Reverse) > 0 {
				s.Reverse = append(s.Reverse, extra...)
				delete(implicit, src.T.Name)
			}
		}
		s.Irreversible = len(s.Reverse) == 0 && s.Action != CreateTableIfNotExists
		last = s.Table
		out = append(out, s)
	}
	return out, nil
}

func tableOf(c schema.Change) string {
	switch c := c.(type) {
	case *schema.AddTable:
		return c.T.Name
	case *schema.DropTable:
		return c.T.Name
	case *schema.ModifyTable:
		return c.T.Name
	}
	return ""
}

func dropsColumn(mt *schema.ModifyTable) bool {
	for _, c := range mt.Changes {
		if _, ok := c.(*schema.DropColumn); ok {
			return true
		}
	}
	return false
}

// implicitDrops finds the indexes and foreign keys that PostgreSQL drops
// together with a dropped column. Atlas leaves their DROP out of the plan,
// and so their re-creation out of the undo; this returns, per table, the
// statements that re-create them.
func implicitDrops(changes []schema.Change, fromRealm *schema.Realm) (map[string][]string, error) {
	out := map[string][]string{}
	for _, c := range changes {
		mt, ok := c.(*schema.ModifyTable)
		if !ok {
			continue
		}
		dropped := map[string]bool{}
		for _, m := range mt.Changes {
			if dc, ok := m.(*schema.DropColumn); ok {
				dropped[dc.C.Name] = true
			}
		}
		if len(dropped) == 0 {
			continue
		}
		from, ok := fromRealm.Schemas[0].Table(mt.T.Name)
		if !ok {
			continue
		}
		var restore []schema.Change
		for _, m := range mt.Changes {
			switch m := m.(type) {
			case *schema.DropIndex:
				for _, p := range m.I.Parts {
					if p.C != nil && dropped[p.C.Name] {
						restore = append(restore, &schema.AddIndex{I: m.I})
						break
					}
				}
			case *schema.DropForeignKey:
				for _, fc := range m.F.Columns {
					if dropped[fc.Name] {
						restore = append(restore, &schema.AddForeignKey{F: m.F})
						break
					}
				}
			}
		}
		if len(restore) == 0 {
			continue
		}
		p, err := postgres.DefaultPlan.PlanChanges(context.Background(), "", []schema.Change{&schema.ModifyTable{T: from, Changes: restore}}, planOptions)
		if err != nil {
			return nil, fmt.Errorf("plan the undo of table %q: %w", mt.T.Name, err)
		}
		for _, pc := range p.Changes {
			out[mt.T.Name] = append(out[mt.T.Name], pc.Cmd)
		}
	}
	return out, nil
}

// ifNotExists makes the CREATE INDEX statements of a table created with IF
// NOT EXISTS tolerate an existing index too; Atlas renders the clause only
// for the table itself.
func ifNotExists(stmt string) string {
	for _, p := range []string{"CREATE INDEX ", "CREATE UNIQUE INDEX "} {
		if strings.HasPrefix(stmt, p) {
			return p + "IF NOT EXISTS " + stmt[len(p):]
		}
	}
	return stmt
}

// columnKey names a column of a table.
type columnKey struct{ table, column string }

// applyPolicy rewrites Atlas's changes to gopod's rules. It returns the
// rewritten changes and the columns that are dropped and added again.
func (d *differ) applyPolicy(changes []schema.Change, fromRealm, toRealm *schema.Realm) ([]schema.Change, map[columnKey]bool, error) {
	recreated := map[columnKey]bool{}
	modify := map[string]*schema.ModifyTable{}
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.AddTable:
			if d.ifNotExists[c.T.Name] {
				c.Extra = append(c.Extra, &schema.IfNotExists{})
			}
		case *schema.ModifyTable:
			modify[c.T.Name] = c
		}
	}
	fromSchema, toSchema := fromRealm.Schemas[0], toRealm.Schemas[0]
	for _, t := range d.compared {
		s := d.fromTable(t.Name)
		var cols []string
		for _, tc := range t.Columns {
			if sc := s.Column(tc.Name); sc != nil && needsRecreate(sc, tc) {
				cols = append(cols, tc.Name)
			}
		}
		if len(cols) == 0 {
			continue
		}
		from, _ := fromSchema.Table(t.Name)
		to, _ := toSchema.Table(t.Name)
		mt := modify[t.Name]
		if mt == nil {
			mt = &schema.ModifyTable{T: to}
			modify[t.Name] = mt
			changes = append(changes, mt)
		}
		if err := recreateColumns(mt, from, to, cols); err != nil {
			return nil, nil, err
		}
		for _, c := range cols {
			recreated[columnKey{t.Name, c}] = true
		}
	}
	return changes, recreated, nil
}

// fromTable returns the previous definition of a compared table, with its
// columns renamed.
func (d *differ) fromTable(name string) *TableDefinition {
	s := d.source[name]
	if len(d.renames) == 0 {
		return s
	}
	return renamedTable(s, d.renames[name], d.renames)
}

// needsRecreate applies Serverpod's rule: a column must be dropped and added
// again when its column type changes (integer and bigint being one type) or
// its Dart type changes other than in nullability.
func needsRecreate(from, to *ColumnDefinition) bool {
	if from.Name == "id" {
		return false
	}
	if !from.ColumnType.like(to.ColumnType) {
		return true
	}
	if from.DartType != "" && to.DartType != "" {
		return strings.TrimSuffix(from.DartType, "?") != strings.TrimSuffix(to.DartType, "?")
	}
	return false
}

// recreateColumns replaces the modification of each column in cols by a
// drop and an add. Indexes and foreign keys on those columns disappear with
// the dropped column, so they are dropped and created again explicitly.
func recreateColumns(mt *schema.ModifyTable, from, to *schema.Table, cols []string) error {
	in := map[string]bool{}
	for _, c := range cols {
		in[c] = true
	}
	touchedIndex := map[string]bool{}
	touchedFK := map[string]bool{}
	var kept []schema.Change
	for _, c := range mt.Changes {
		switch c := c.(type) {
		case *schema.ModifyColumn:
			if in[c.To.Name] {
				continue
			}
		case *schema.AddIndex:
			touchedIndex[c.I.Name] = true
		case *schema.DropIndex:
			touchedIndex[c.I.Name] = true
		case *schema.ModifyIndex:
			touchedIndex[c.To.Name] = true
		case *schema.AddForeignKey:
			touchedFK[c.F.Symbol] = true
		case *schema.DropForeignKey:
			touchedFK[c.F.Symbol] = true
		case *schema.ModifyForeignKey:
			touchedFK[c.To.Symbol] = true
		}
		kept = append(kept, c)
	}
	var drops, adds []schema.Change
	for _, name := range cols {
		fc, ok1 := from.Column(name)
		tc, ok2 := to.Column(name)
		if !ok1 || !ok2 {
			return fmt.Errorf("table %q: column %q is missing from the schema", to.Name, name)
		}
		drops = append(drops, &schema.DropColumn{C: fc})
		adds = append(adds, &schema.AddColumn{C: tc})
	}
	usesRecreated := func(parts []*schema.IndexPart) bool {
		for _, p := range parts {
			if p.C != nil && in[p.C.Name] {
				return true
			}
		}
		return false
	}
	for _, fi := range from.Indexes {
		ti, ok := to.Index(fi.Name)
		if !ok || touchedIndex[fi.Name] || !usesRecreated(fi.Parts) {
			continue
		}
		drops = append(drops, &schema.DropIndex{I: fi})
		adds = append(adds, &schema.AddIndex{I: ti})
	}
	for _, ff := range from.ForeignKeys {
		tf, ok := to.ForeignKey(ff.Symbol)
		if !ok || touchedFK[ff.Symbol] {
			continue
		}
		uses := false
		for _, c := range ff.Columns {
			uses = uses || in[c.Name]
		}
		if !uses {
			continue
		}
		drops = append(drops, &schema.DropForeignKey{F: ff})
		adds = append(adds, &schema.AddForeignKey{F: tf})
	}
	mt.Changes = append(append(kept, drops...), adds...)
	return nil
}

// migration builds migration.json's content from the final changes, in
// Serverpod's order: dropped tables first, then every target table that is
// created or altered, in target order.
func (d *differ) migration(changes []schema.Change, recreated map[columnKey]bool) *DatabaseMigration {
	m := &DatabaseMigration{MigrationAPIVersion: MigrationAPIVersion, Actions: []*MigrationAction{}, Warnings: []*Warning{}}
	added := map[string]bool{}
	modified := map[string]*schema.ModifyTable{}
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.AddTable:
			added[c.T.Name] = true
		case *schema.ModifyTable:
			modified[c.T.Name] = c
		}
	}
	// Foreign keys of kept tables that point into dropped tables, by
	// dropped table, to be named in its warning.
	refsInto := map[string][]string{}
	for _, t := range d.compared {
		mt := modified[t.Name]
		if mt == nil {
			continue
		}
		for _, c := range mt.Changes {
			var fk *schema.ForeignKey
			switch c := c.(type) {
			case *schema.DropForeignKey:
				fk = c.F
			case *schema.ModifyForeignKey:
				fk = c.From
			}
			if fk != nil && fk.RefTable != nil && d.dropped[fk.RefTable.Name] {
				refsInto[fk.RefTable.Name] = append(refsInto[fk.RefTable.Name], fmt.Sprintf("%q of table %q", fk.Symbol, t.Name))
			}
		}
	}
	for _, name := range d.droppedOrder {
		m.Actions = append(m.Actions, &MigrationAction{Type: DeleteTable, DeleteTable: name})
		msg := fmt.Sprintf("Table %q will be dropped.", name)
		if refs := refsInto[name]; len(refs) > 0 {
			msg += fmt.Sprintf(" The foreign keys %s that reference it are dropped first.", strings.Join(refs, ", "))
		}
		m.Warnings = append(m.Warnings, &Warning{Type: TableDropped, Message: msg, Table: name, Columns: []string{}, Destructive: true})
	}
	for _, t := range d.toTables {
		if !t.IsManaged() {
			continue
		}
		switch {
		case added[t.Name]:
			typ := CreateTable
			if d.ifNotExists[t.Name] {
				typ = CreateTableIfNotExists
			}
			m.Actions = append(m.Actions, &MigrationAction{Type: typ, CreateTable: t})
		case modified[t.Name] != nil || len(d.renames[t.Name]) > 0:
			tm := d.tableMigration(t, modified[t.Name], recreated)
			m.Actions = append(m.Actions, &MigrationAction{Type: AlterTable, AlterTable: tm})
			m.Warnings = append(m.Warnings, tm.Warnings...)
		}
	}
	return m
}

// tableMigration describes the alteration of table t.
func (d *differ) tableMigration(t *TableDefinition, mt *schema.ModifyTable, recreated map[columnKey]bool) *TableMigration {
	tm := &TableMigration{
		Name:              t.Name,
		Schema:            DefaultSchema,
		AddColumns:        []*ColumnDefinition{},
		DeleteColumns:     []string{},
		ModifyColumns:     []*ColumnMigration{},
		AddIndexes:        []*IndexDefinition{},
		DeleteIndexes:     []string{},
		AddForeignKeys:    []*ForeignKeyDefinition{},
		DeleteForeignKeys: []string{},
		Warnings:          []*Warning{},
	}
	for _, prev := range d.renameOrder[t.Name] {
		tm.ModifyColumns = append(tm.ModifyColumns, &ColumnMigration{ColumnName: prev, NewColumnName: d.renames[t.Name][prev]})
	}
	warn := func(typ WarningType, destructive bool, cols []string, format string, args ...any) {
		tm.Warnings = append(tm.Warnings, &Warning{Type: typ, Message: fmt.Sprintf(format, args...), Table: t.Name, Columns: cols, Destructive: destructive})
	}
	var changes []schema.Change
	if mt != nil {
		changes = mt.Changes
	}
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.DropColumn:
			tm.DeleteColumns = append(tm.DeleteColumns, c.C.Name)
			if recreated[columnKey{t.Name, c.C.Name}] {
				warn(ColumnDropped, true, []string{c.C.Name}, "Column %s of table %s is modified in a way that it must be deleted and recreated. Its data is lost.", c.C.Name, t.Name)
			} else {
				warn(ColumnDropped, true, []string{c.C.Name}, "Column %q of table %q will be dropped.", c.C.Name, t.Name)
			}
		case *schema.AddColumn:
			cd := t.Column(c.C.Name)
			tm.AddColumns = append(tm.AddColumns, cd)
			if !c.C.Type.Null && c.C.Default == nil {
				warn(NotNullAdded, false, []string{c.C.Name}, "Column %q is added to table %q as NOT NULL without a default. The migration fails if the table has rows; gopod does not drop and recreate the table as Serverpod does. Give the column a default or make it nullable to migrate a table that has rows.", c.C.Name, t.Name)
			}
		case *schema.ModifyColumn:
			cm := &ColumnMigration{
				ColumnName:     c.To.Name,
				AddNullable:    c.Change.Is(schema.ChangeNull) && c.To.Type.Null,
				RemoveNullable: c.Change.Is(schema.ChangeNull) && !c.To.Type.Null,
				ChangeDefault:  c.Change.Is(schema.ChangeDefault),
			}
			if cm.ChangeDefault {
				if cd := t.Column(c.To.Name); cd != nil {
					cm.NewDefault = cd.ColumnDefault
				}
			}
			tm.ModifyColumns = append(tm.ModifyColumns, cm)
			if cm.RemoveNullable {
				warn(NotNullAdded, false, []string{c.To.Name}, "Column %s of table %s is modified to be not null. If there are existing rows with null values, this migration will fail.", c.To.Name, t.Name)
			}
		case *schema.AddIndex:
			d.addIndex(tm, t, c.I, warn)
		case *schema.DropIndex:
			tm.DeleteIndexes = append(tm.DeleteIndexes, c.I.Name)
		case *schema.ModifyIndex:
			tm.DeleteIndexes = append(tm.DeleteIndexes, c.From.Name)
			d.addIndex(tm, t, c.To, warn)
		case *schema.AddForeignKey:
			if fk := t.ForeignKey(c.F.Symbol); fk != nil {
				tm.AddForeignKeys = append(tm.AddForeignKeys, fk)
			}
		case *schema.DropForeignKey:
			tm.DeleteForeignKeys = append(tm.DeleteForeignKeys, c.F.Symbol)
		case *schema.ModifyForeignKey:
			tm.DeleteForeignKeys = append(tm.DeleteForeignKeys, c.From.Symbol)
			if fk := t.ForeignKey(c.To.Symbol); fk != nil {
				tm.AddForeignKeys = append(tm.AddForeignKeys, fk)
			}
		}
	}
	return tm
}

func (d *differ) addIndex(tm *TableMigration, t *TableDefinition, idx *schema.Index, warn func(WarningType, bool, []string, string, ...any)) {
	xd := t.Index(idx.Name)
	if xd == nil {
		return
	}
	tm.AddIndexes = append(tm.AddIndexes, xd)
	if xd.IsUnique {
		warn(UniqueIndexCreated, false, xd.Columns(), "Unique index %q is added to table %q. If there are existing rows with duplicate values, this migration will fail.", xd.IndexName, t.Name)
	}
}
