package pgembed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrNoBinaries is wrapped by the error Start returns when it finds no
// PostgreSQL server binaries.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found")

const installHint = "install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql; " +
	"Fedora: dnf install postgresql-server; macOS: brew install postgresql@16), " +
	"or set a database host, port, name and user in config/<mode>.yaml to use an existing server"

// binaries is a directory holding initdb and postgres of one version.
type binaries struct {
	dir     string
	version string // full server version, such as 15.4
	major   string // major version as PG_VERSION spells it: 15, or 9.6
}

func (b binaries) path(name string) string { return filepath.Join(b.dir, name) }

// candidateDirs lists where PostgreSQL binaries are looked for, in order:
// pg_config --bindir, the versioned directories distributions use (highest
// version first), then the directories of initdb and postgres on PATH.
func candidateDirs(ctx context.Context) []string {
	var dirs []string
	if out, err := exec.CommandContext(ctx, "pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			dirs = append(dirs, d)
		}
	}
	for _, pattern := range []string{
		"/usr/lib/postgresql/*/bin",          // Debian, Ubuntu
		"/usr/pgsql-*/bin",                   // PGDG packages for RHEL, Fedora
		"/opt/homebrew/opt/postgresql@*/bin", // Homebrew on Apple silicon
		"/usr/local/opt/postgresql@*/bin",    // Homebrew on Intel
		"/Applications/Postgres.app/Contents/Versions/*/bin",
	} {
		matches, _ := filepath.Glob(pattern)
		sort.SliceStable(matches, func(i, j int) bool { return versionLess(matches[j], matches[i]) })
		dirs = append(dirs, matches...)
	}
	for _, name := range []string{"initdb", "postgres"} {
		if p, err := exec.LookPath(name); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	return dirs
}

var versionInPath = regexp.MustCompile(`(\d+)(?:\.(\d+))?`)

// versionLess orders paths by the first version number in them, numerically.
func versionLess(a, b string) bool {
	va, vb := versionInPath.FindStringSubmatch(a), versionInPath.FindStringSubmatch(b)
	if va == nil || vb == nil {
		return va == nil && vb != nil
	}
	for i := 1; i <= 2; i++ {
		x, _ := strconv.Atoi(va[i])
		y, _ := strconv.Atoi(vb[i])
		if x != y {
			return x < y
		}
	}
	return false
}

var serverVersion = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?`)

// probe checks that dir holds a working initdb and postgres and asks
// postgres for its version.
func probe(ctx context.Context, dir string) (binaries, error) {
	b := binaries{dir: dir}
	for _, name := range []string{"initdb", "postgres"} {
		if fi, err := os.Stat(b.path(name)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return b, fmt.Errorf("%s has no %s", dir, name)
		}
	}
	out, err := exec.CommandContext(ctx, b.path("postgres"), "--version").Output()
	if err != nil {
		return b, fmt.Errorf("run %s --version: %w", b.path("postgres"), err)
	}
	m := serverVersion.FindStringSubmatch(string(out))
	if m == nil {
		return b, fmt.Errorf("%s --version printed %q, not a PostgreSQL version", b.path("postgres"), strings.TrimSpace(string(out)))
	}
	b.version, b.major = m[1], m[1]
	if m[2] != "" {
		b.version += "." + m[2]
	}
	// Before version 10 the major version had two parts (9.6).
	if n, _ := strconv.Atoi(m[1]); n < 10 && m[2] != "" {
		b.major = m[1] + "." + m[2]
	}
	return b, nil
}

// findBinaries picks the PostgreSQL installation to run. An explicit dir is
// the only candidate. wantMajor, when set, is the version an existing data
// directory was created with: only that major version can run it.
func findBinaries(ctx context.Context, dir, wantMajor, dataDir string) (binaries, error) {
	dirs := []string{dir}
	if dir == "" {
		dirs = candidateDirs(ctx)
	}
	var found []binaries
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			continue
		}
		seen[d] = true
		b, err := probe(ctx, d)
		if err != nil {
			continue
		}
		if wantMajor == "" || b.major == wantMajor {
			return b, nil
		}
		found = append(found, b)
	}
	if len(found) > 0 {
		var have []string
		for _, b := range found {
			have = append(have, b.version+" ("+b.dir+")")
		}
		return binaries{}, fmt.Errorf("%w for version %s: the data directory %s was created by PostgreSQL %s, and only %s is installed; "+
			"install PostgreSQL %s, or delete %s to start over with an empty database",
			ErrNoBinaries, wantMajor, dataDir, wantMajor, strings.Join(have, ", "), wantMajor, dataDir)
	}
	if dir != "" {
		return binaries{}, fmt.Errorf("%w in %s (need initdb and postgres there): %s", ErrNoBinaries, dir, installHint)
	}
	return binaries{}, fmt.Errorf("%w (looked at pg_config --bindir, /usr/lib/postgresql/*/bin and PATH): %s", ErrNoBinaries, installHint)
}
