// Package migrate applies a project's database migrations the way Serverpod
// 2.4 does, so that gopod and Serverpod servers can take turns on the same
// database.
//
// The migrations live in Serverpod's layout: migrations/<version>/ holds
// definition.sql (the whole schema, for a fresh database) and migration.sql
// (the change from the previous version), and the serverpod_migrations
// table records the installed version of every module. A fresh database gets
// the latest definition.sql; otherwise each newer migration.sql runs in
// version order.
//
// gopod adds what Serverpod 2.4 lacks: an advisory lock (the one Serverpod
// 2.7 takes) so that servers starting together apply each migration once;
// statement-by-statement execution inside one transaction per file, so that
// a failure names the statement and its line and rolls the whole file back;
// and down migrations (down.sql) for development.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Layout of a project's migration files.
const (
	MigrationsDir      = "migrations"
	RepairMigrationDir = "repair-migration"
	DefinitionFile     = "definition.sql"
	MigrationFile      = "migration.sql"
	DownFile           = "down.sql"
	// RepairModule is the serverpod_migrations module under which the
	// applied repair migration is recorded.
	RepairModule = "_repair"
)

// lockKey is Serverpod's: a gopod server and a Serverpod (2.7 or later)
// server exclude each other too.
const lockKey = "serverpod_migration_lock"

// DB is where migrations run. *pgxpool.Pool satisfies it; the caller owns
// the pool. The Migrator holds one connection for the whole run, because the
// advisory lock belongs to a connection.
type DB interface {
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// Migrator applies one project's migrations.
type Migrator struct {
	db      DB
	project fs.FS
	module  string
}

// New returns a Migrator for the project whose files are in project (the
// server directory holding migrations/ and repair-migration/, for example
// os.DirFS(dir) or an embed.FS) and whose module name, as recorded in
// serverpod_migrations, is module.
func New(db DB, project fs.FS, module string) *Migrator {
	return &Migrator{db: db, project: project, module: module}
}

// ErrNoMigrations is returned by Apply when the project has no migrations.
var ErrNoMigrations = errors.New("no migrations found in project: create one with gopod create-migration")

// Versions lists the project's migration versions in order: the sorted names
// of the directories in migrations/. migration_registry.txt is not
// consulted, as in Serverpod.
func (m *Migrator) Versions() ([]string, error) {
	entries, err := fs.ReadDir(m.project, MigrationsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	slices.Sort(versions)
	return versions, nil
}

// Status is the state of the database against the project's migrations.
type Status struct {
	Module    string
	Installed string            // the project's installed version, "" when none
	Modules   map[string]string // every row of serverpod_migrations
	Available []string          // the project's versions, in order
	Pending   []string          // the versions Apply would run
}

// Status reads the installed versions without changing anything.
func (m *Migrator) Status(ctx context.Context) (*Status, error) {
	pc, err := m.db.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	defer pc.Release()
	return m.status(ctx, pc.Conn())
}

func (m *Migrator) status(ctx context.Context, conn *pgx.Conn) (*Status, error) {
	versions, err := m.Versions()
	if err != nil {
		return nil, err
	}
	modules, err := installedModules(ctx, conn)
	if err != nil {
		return nil, err
	}
	s := &Status{Module: m.module, Installed: modules[m.module], Modules: modules, Available: versions}
	switch {
	case len(versions) == 0 || s.Installed == versions[len(versions)-1]:
	case s.Installed == "":
		s.Pending = versions[len(versions)-1:]
	default:
		i := slices.Index(versions, s.Installed)
		if i < 0 {
			return s, m.unknownVersion(s.Installed)
		}
		s.Pending = versions[i+1:]
	}
	return s, nil
}

func (m *Migrator) unknownVersion(v string) error {
	return fmt.Errorf("version %s not found in project: the database has migration %s of %s applied, which is not in %s/ "+
		"(is this older code running against a newer database?)", v, v, m.module, MigrationsDir)
}

// installedModules reads serverpod_migrations. A missing table means a
// fresh database.
func installedModules(ctx context.Context, conn *pgx.Conn) (map[string]string, error) {
	rows, err := conn.Query(ctx, `SELECT "module", "version" FROM "serverpod_migrations"`)
	if err != nil {
		if isUndefinedTable(err) {
			return map[string]string{}, nil
		}
		return nil, fmt.Errorf("read serverpod_migrations: %w", err)
	}
	modules := map[string]string{}
	var module, version string
	_, err = pgx.ForEachRow(rows, []any{&module, &version}, func() error {
		modules[module] = version
		return nil
	})
	if err != nil {
		if isUndefinedTable(err) {
			return map[string]string{}, nil
		}
		return nil, fmt.Errorf("read serverpod_migrations: %w", err)
	}
	return modules, nil
}

func isUndefinedTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01"
}

// Apply brings the project's module to the latest version: a fresh database
// (no row for the module) gets the latest definition.sql, otherwise every
// migration.sql after the installed version runs, each in its own
// transaction. Applied versions stay applied when a later one fails: the
// Result then lists them beside the error (a *Error for a failed file). The
// Result is nil when nothing could be started.
func (m *Migrator) Apply(ctx context.Context) (*Result, error) {
	var res *Result
	err := m.withLock(ctx, func(conn *pgx.Conn) error {
		// The installed version is read under the lock, so a server that
		// waited for another one sees what that one applied.
		st, err := m.status(ctx, conn)
		if err != nil {
			return err
		}
		if len(st.Available) == 0 {
			return ErrNoMigrations
		}
		res = &Result{Module: m.module, From: st.Installed, To: st.Installed}
		kind, file := KindMigration, MigrationFile
		if st.Installed == "" {
			kind, file = KindDefinition, DefinitionFile
		}
		// Read every file first so that a missing one stops the run
		// before anything changes.
		files, err := m.readFiles(st.Pending, file)
		if err != nil {
			return err
		}
		for i, v := range st.Pending {
			n, err := runFile(ctx, conn, kind, m.module, v, files[i], func(ctx context.Context, tx *pgx.Conn) error {
				return recordVersion(ctx, tx, m.module, v)
			})
			if err != nil {
				return err
			}
			res.Steps = append(res.Steps, Step{Version: v, Kind: kind, File: files[i].name, Statements: n})
			res.To = v
		}
		return nil
	})
	return res, err
}

// Down rolls back the last n applied migrations of the project, newest
// first, by running their down.sql, and records the version before each as
// installed (no row when the first version is rolled back). It is meant for
// development: down.sql restores the schema, not dropped data.
func (m *Migrator) Down(ctx context.Context, n int) (*Result, error) {
	if n < 1 {
		return nil, fmt.Errorf("roll back %d migrations: the count must be at least 1", n)
	}
	var res *Result
	err := m.withLock(ctx, func(conn *pgx.Conn) error {
		st, err := m.status(ctx, conn)
		if err != nil {
			return err
		}
		if st.Installed == "" {
			return fmt.Errorf("no migration of %s is applied: there is nothing to roll back", m.module)
		}
		i := slices.Index(st.Available, st.Installed)
		if i < 0 {
			return m.unknownVersion(st.Installed)
		}
		if n > i+1 {
			return fmt.Errorf("cannot roll back %d migrations: only %d (up to %s) are applied", n, i+1, st.Installed)
		}
		undo := slices.Clone(st.Available[i-n+1 : i+1])
		slices.Reverse(undo)
		files, err := m.readFiles(undo, DownFile)
		if err != nil {
			return err
		}
		res = &Result{Module: m.module, From: st.Installed, To: st.Installed}
		for j, v := range undo {
			prev := ""
			if k := i - j - 1; k >= 0 {
				prev = st.Available[k]
			}
			stmts, err := runFile(ctx, conn, KindDown, m.module, v, files[j], func(ctx context.Context, tx *pgx.Conn) error {
				if prev == "" {
					return forgetModule(ctx, tx, m.module)
				}
				return recordVersion(ctx, tx, m.module, prev)
			})
			if err != nil {
				return err
			}
			res.Steps = append(res.Steps, Step{Version: v, Kind: KindDown, File: files[j].name, Statements: stmts})
			res.To = prev
		}
		return nil
	})
	return res, err
}

type sqlFile struct {
	name string // path in the project, for messages
	src  string
}

func (m *Migrator) readFiles(versions []string, file string) ([]sqlFile, error) {
	files := make([]sqlFile, len(versions))
	for i, v := range versions {
		name := path.Join(MigrationsDir, v, file)
		data, err := fs.ReadFile(m.project, name)
		if errors.Is(err, fs.ErrNotExist) && file == DownFile {
			return nil, fmt.Errorf("cannot roll back %s: %s does not exist; write it by hand, or restore the database from a backup", v, name)
		}
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", v, err)
		}
		files[i] = sqlFile{name: name, src: string(data)}
	}
	return files, nil
}

// withLock runs fn on one connection while holding Serverpod's migration
// advisory lock.
func (m *Migrator) withLock(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	pc, err := m.db.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	defer pc.Release()
	conn := pc.Conn()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", lockKey); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	ferr := fn(conn)
	uctx := context.WithoutCancel(ctx)
	if _, err := conn.Exec(uctx, "SELECT pg_advisory_unlock(hashtext($1))", lockKey); err != nil {
		// Closing the connection releases the lock; the pool drops a
		// closed connection.
		conn.Close(uctx)
		if ferr == nil {
			ferr = fmt.Errorf("release the migration lock: %w", err)
		}
	}
	return ferr
}

// recordVersion makes sure the module's row says version. Serverpod's files
// write it themselves; doing it again in the same transaction protects
// against hand-written files that forget, which would otherwise be applied
// again on the next start.
func recordVersion(ctx context.Context, conn *pgx.Conn, module, version string) error {
	ok, err := migrationsTableExists(ctx, conn)
	if err != nil || !ok {
		return err
	}
	_, err = conn.Exec(ctx, `INSERT INTO "serverpod_migrations" ("module", "version", "timestamp")
    VALUES ($1, $2, now())
    ON CONFLICT ("module")
    DO UPDATE SET "version" = $2, "timestamp" = now()`, module, version)
	if err != nil {
		return fmt.Errorf("record version %s of %s: %w", version, module, err)
	}
	return nil
}

// forgetModule deletes the module's row, when the table is still there.
func forgetModule(ctx context.Context, conn *pgx.Conn, module string) error {
	ok, err := migrationsTableExists(ctx, conn)
	if err != nil || !ok {
		return err
	}
	if _, err := conn.Exec(ctx, `DELETE FROM "serverpod_migrations" WHERE "module" = $1`, module); err != nil {
		return fmt.Errorf("remove the version of %s: %w", module, err)
	}
	return nil
}

func migrationsTableExists(ctx context.Context, conn *pgx.Conn) (bool, error) {
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('"serverpod_migrations"') IS NOT NULL`).Scan(&ok); err != nil {
		return false, fmt.Errorf("look for serverpod_migrations: %w", err)
	}
	return ok, nil
}

// runFile runs one migration file as a single transaction, statement by
// statement over the simple query protocol, followed by after. The file's
// own BEGIN and COMMIT (Serverpod writes them) are replaced by the
// Migrator's, so that after joins the same transaction. It returns the
// number of statements run.
func runFile(ctx context.Context, conn *pgx.Conn, kind Kind, module, version string, f sqlFile, after func(context.Context, *pgx.Conn) error) (int, error) {
	body, commit, err := transactionBody(f)
	if err != nil {
		return 0, err
	}
	pg := conn.PgConn()
	fail := func(cause error, s *statement) error {
		e := &Error{Kind: kind, Module: module, Version: version, File: f.name, Err: cause}
		if s != nil {
			e.Statement = s.text
			offset := s.offset
			var pgErr *pgconn.PgError
			if errors.As(cause, &pgErr) && pgErr.Position > 0 {
				offset += runeOffset(s.text, int(pgErr.Position))
			}
			e.Line, e.Column = position(f.src, offset)
		}
		if _, rerr := pg.Exec(context.WithoutCancel(ctx), "ROLLBACK").ReadAll(); rerr != nil {
			// The connection is unusable; dropping it also ends the
			// transaction on the server.
			conn.Close(context.WithoutCancel(ctx))
			e.RollbackErr = rerr
		}
		return e
	}
	if _, err := pg.Exec(ctx, "BEGIN").ReadAll(); err != nil {
		return 0, fmt.Errorf("%s: begin transaction: %w", f.name, err)
	}
	for i := range body {
		if _, err := pg.Exec(ctx, body[i].text).ReadAll(); err != nil {
			return 0, fail(err, &body[i])
		}
	}
	if err := after(ctx, conn); err != nil {
		return 0, fail(err, nil)
	}
	if _, err := pg.Exec(ctx, "COMMIT").ReadAll(); err != nil {
		return 0, fail(err, commit)
	}
	return len(body), nil
}

// transactionBody returns the statements of a file without its enclosing
// BEGIN and COMMIT, and the COMMIT statement (for errors at commit time).
// A file must be one transaction: a transaction statement anywhere else
// would let part of the file commit before a later failure.
func transactionBody(f sqlFile) ([]statement, *statement, error) {
	stmts := splitStatements(f.src)
	var commit, begin *statement
	if len(stmts) > 0 && classify(stmts[0]) == txBegin {
		begin = &stmts[0]
		if last := len(stmts) - 1; last > 0 && classify(stmts[last]) == txEnd {
			commit, begin = &stmts[last], nil
			stmts = stmts[1:last]
		} else {
			stmts = stmts[1:]
		}
	}
	for _, s := range stmts {
		if classify(s) != txNone {
			line, _ := position(f.src, s.offset)
			w, _ := keywords(s.text)
			return nil, nil, fmt.Errorf("%s:%d: %s inside the migration: a migration file must be one transaction "+
				"(BEGIN; at the start, COMMIT; at the end, nothing in between) so that a failure undoes all of it", f.name, line, w)
		}
	}
	if begin != nil {
		line, _ := position(f.src, begin.offset)
		return nil, nil, fmt.Errorf("%s:%d: the migration starts a transaction with BEGIN but does not end with COMMIT; add COMMIT; at the end", f.name, line)
	}
	return stmts, commit, nil
}

// Kind says what kind of file a step ran.
type Kind string

// Kinds of steps.
const (
	KindDefinition Kind = "definition" // the latest definition.sql, on a fresh database
	KindMigration  Kind = "migration"  // a migration.sql
	KindDown       Kind = "down"       // a down.sql
	KindRepair     Kind = "repair"     // a repair migration
)

// Step is one file that was run.
type Step struct {
	Version    string
	Kind       Kind
	File       string // path in the project, such as migrations/20240101120000000/migration.sql
	Statements int    // statements run, without BEGIN and COMMIT
}

// Result says what Apply or Down did.
type Result struct {
	Module string
	From   string // installed version before, "" when none
	To     string // installed version after, "" when none
	Steps  []Step
}

// Changed reports whether anything ran.
func (r *Result) Changed() bool { return len(r.Steps) > 0 }

// String is the server log's summary, in Serverpod's words.
func (r *Result) String() string {
	if !r.Changed() {
		return "Latest database migration already applied."
	}
	var b strings.Builder
	verb := "Applied"
	if r.Steps[0].Kind == KindDown {
		verb = "Rolled back"
	}
	plural := ""
	if len(r.Steps) > 1 {
		plural = "s"
	}
	fmt.Fprintf(&b, "%s database migration%s:", verb, plural)
	for _, s := range r.Steps {
		b.WriteString("\n - ")
		b.WriteString(s.Version)
	}
	return b.String()
}

// Error is a migration file that failed. The file's transaction was rolled
// back: the database and serverpod_migrations are as they were before it.
type Error struct {
	Kind    Kind // what was being run
	Module  string
	Version string
	File    string // path in the project
	// Line and Column locate the failure in File: PostgreSQL's error
	// position when it gives one, else the start of the statement. Zero
	// when the failure was not in a statement of the file.
	Line, Column int
	Statement    string // the failing statement, "" when none
	Err          error  // the cause, usually a *pgconn.PgError
	// RollbackErr is set when even the rollback failed (the connection
	// broke); the server then discards the transaction itself.
	RollbackErr error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch e.Kind {
	case KindDown:
		b.WriteString("failed to roll back migration ")
	case KindRepair:
		b.WriteString("failed to apply repair migration ")
	default:
		b.WriteString("failed to apply migration ")
	}
	fmt.Fprintf(&b, "%s: %s", e.Version, e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if e.Statement != "" {
		fmt.Fprintf(&b, "\n  in statement: %s", abbreviate(e.Statement, 400))
	}
	fmt.Fprintf(&b, "\n  the migration was rolled back; the database is as it was before %s", e.Version)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " ..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
