package auth

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gopod/gopod/modules/auth/internal/password"
	"github.com/gopod/gopod/runtime/pod"
)

// MigrateOptions are the options of MigrateLegacyPasswordHashes, 2.4's
// batchSize and maxMigratedEntries.
type MigrateOptions struct {
	// BatchSize is how many rows are read and written at a time (default
	// 100).
	BatchSize int
	// Max bounds how many hashes are migrated in this call; zero means
	// all of them.
	Max int
}

// ErrCustomHashing is returned by MigrateLegacyPasswordHashes when the
// module hashes passwords with PasswordHashGenerator or
// PasswordHashValidator, whose hashes it cannot tell apart (as 2.4).
var ErrCustomHashing = errors.New("auth: legacy hashes cannot be migrated with a custom password hash generator or validator")

// MigrateLegacyPasswordHashes does what 2.4's
// Emails.migrateLegacyPasswordHashes does: it wraps every legacy SHA-256
// password hash of serverpod_email_auth (a hash without "$") in Argon2id,
// as `$migratedLegacy$<salt>$<hash>`, so that a leaked table no longer
// gives unsalted SHA-256 to crack. It needs no password: the legacy digest
// itself is hashed, with the pepper of passwords.yaml, and its user signs
// in with the same password as before (and the hash becomes PHC Argon2id
// at that sign-in). The result also verifies on a 2.4 server with the
// same pepper. It returns how many hashes it migrated; a row a sign-in
// upgraded meanwhile is left alone, and a malformed hash is logged and
// skipped.
//
// It runs in the caller's session: an endpoint of the application's own
// (for an administrator), a background job, or a program of a few lines
// that needs no gopod command:
//
//	srv := pod.NewServer(dispatch.New(), pod.WithDatabase(database),
//		pod.WithPasswords(passwords), pod.WithModule(authModule))
//	n, err := authModule.MigrateLegacyPasswordHashes(srv.NewSession(ctx), auth.MigrateOptions{})
func (m *Module) MigrateLegacyPasswordHashes(s *pod.Session, opts MigrateOptions) (int, error) {
	if err := m.init(s); err != nil {
		return 0, err
	}
	if m.customHashing() {
		return 0, ErrCustomHashing
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	type row struct {
		id   int64
		hash string
	}
	migrated := 0
	var last int64
	for opts.Max <= 0 || migrated < opts.Max {
		limit := opts.BatchSize
		if opts.Max > 0 {
			limit = min(limit, opts.Max-migrated)
		}
		rows, err := s.Querier().Query(s, `SELECT "id", "hash" FROM "serverpod_email_auth"
    WHERE "hash" NOT LIKE '%$%' AND "id" > $1 ORDER BY "id" LIMIT $2`, last, limit)
		if err != nil {
			return migrated, fmt.Errorf("reading legacy password hashes: %w", err)
		}
		batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.hash)
		})
		if err != nil {
			return migrated, fmt.Errorf("reading legacy password hashes: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		last = batch[len(batch)-1].id
		for _, r := range batch {
			wrapped, err := m.hasher.WrapLegacy(s, r.hash)
			if errors.Is(err, password.ErrMalformedHash) {
				s.Log.Error("auth module: a password hash without $ is not a legacy hash; left as it is", "emailAuthId", r.id)
				continue
			}
			if err != nil {
				return migrated, err
			}
			tag, err := s.Querier().Exec(s, `UPDATE "serverpod_email_auth" SET "hash" = $3 WHERE "id" = $1 AND "hash" = $2`, r.id, r.hash, wrapped)
			if err != nil {
				return migrated, fmt.Errorf("storing a migrated password hash: %w", err)
			}
			migrated += int(tag.RowsAffected())
		}
	}
	return migrated, nil
}
