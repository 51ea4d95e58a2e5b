package pgembed

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// isCluster reports whether dir holds an initialized cluster.
func isCluster(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "PG_VERSION"))
	return err == nil
}

// pathKey names dir in other places: 12 hex digits of its hash.
func pathKey(dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return hex.EncodeToString(sum[:6])
}

// defaultFallbackDirs are the user cache directory (reachable when it is
// not under a private home) and /var/lib/gopod, which root can always
// create and open to the cluster's user.
func defaultFallbackDirs() []string {
	var dirs []string
	if d, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(d, "gopod"))
	}
	return append(dirs, filepath.Join(string(filepath.Separator), "var", "lib", "gopod"))
}

// fallbackDir returns a data directory for the project of dataDir under
// the first of dirs that the account can reach: <dir>/<project>-<key>/postgres.
func fallbackDir(dataDir string, dirs []string, acct *account) (string, error) {
	project := filepath.Base(dataDir)
	if parent := filepath.Dir(dataDir); filepath.Base(parent) == ".gopod" {
		project = filepath.Base(filepath.Dir(parent))
	}
	sub := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == filepath.Separator || r < ' ' {
			return '_'
		}
		return r
	}, project) + "-" + pathKey(dataDir)
	if dirs == nil {
		dirs = defaultFallbackDirs()
	}
	var errs []error
	for _, root := range dirs {
		_, statErr := os.Stat(root)
		cand := filepath.Join(root, sub, "postgres")
		if err := os.MkdirAll(filepath.Dir(cand), 0o755); err != nil {
			errs = append(errs, err)
			continue
		}
		// Whatever the umask, what was made here must let the user through.
		_ = os.Chmod(filepath.Dir(cand), 0o755)
		if errors.Is(statErr, fs.ErrNotExist) {
			_ = os.Chmod(root, 0o755)
		}
		if err := checkReachable(cand, acct); err != nil {
			errs = append(errs, err)
			continue
		}
		return cand, nil
	}
	return "", fmt.Errorf("no other directory that user can reach either: %w", errors.Join(errs...))
}

// shortSocketDir is a directory of the account's own, under the temporary
// directory, for the socket of a cluster whose data directory has too long
// a path for one.
func shortSocketDir(dataDir string, acct *account) (string, error) {
	dir := filepath.Join(os.TempDir(), "gopod-pg-"+pathKey(dataDir))
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("create the PostgreSQL socket directory: %w", err)
	}
	if err := chownTree(dir, acct); err != nil {
		return "", fmt.Errorf("give the PostgreSQL socket directory to user %s: %w", acct.name, err)
	}
	// Another user may have made it first, to listen in.
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("check the PostgreSQL socket directory: %w", err)
	}
	if !fi.IsDir() || fi.Mode().Perm() != 0o700 || !ownedBySelf(fi, acct) {
		return "", fmt.Errorf("%s is not a private directory of the PostgreSQL user (mode %v): remove it, and gopod creates it again", dir, fi.Mode())
	}
	return dir, nil
}

// newPassword returns a random password (hex, so it needs no quoting).
func newPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate the database password: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// readPassword returns the password kept in dataDir, "" when there is none
// (a cluster made before gopod set passwords).
func readPassword(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, PasswordFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the database password: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// writePrivate writes a file only its owner, the account, can read.
func writePrivate(path, content string, acct *account) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(path, 0o600) // it may have existed with another mode
	}
	if err == nil {
		err = chownTree(path, acct)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeHBA replaces the cluster's client authentication rules with gopod's.
func writeHBA(dataDir string, acct *account) error {
	return writePrivate(filepath.Join(dataDir, hbaName), hbaConf, acct)
}

// setPassword gives a cluster made before gopod set passwords one: set on
// the superuser, kept in the data directory, then required.
func (c *Cluster) setPassword(ctx context.Context, acct *account) error {
	conn, err := pgx.Connect(ctx, c.connString("postgres"))
	if err != nil {
		return fmt.Errorf("connect to the embedded PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, q := range []string{
		"SET password_encryption = 'scram-sha-256'",
		"ALTER ROLE " + pgx.Identifier{c.User}.Sanitize() + " PASSWORD '" + c.Password + "'",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("set the database password: %w", err)
		}
	}
	if err := writePrivate(filepath.Join(c.DataDir, PasswordFile), c.Password, acct); err != nil {
		return err
	}
	if err := writeHBA(c.DataDir, acct); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		return fmt.Errorf("require the database password: %w", err)
	}
	return nil
}
