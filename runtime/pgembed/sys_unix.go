//go:build unix

package pgembed

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// account is the unprivileged user the cluster runs as when gopod runs as
// root. A nil *account means the current user.
type account struct {
	name     string
	uid, gid uint32
}

// chooseAccount decides who runs PostgreSQL, which refuses to run as root.
// As root, an existing data directory keeps its owner when that is not root;
// otherwise the named system user (normally postgres) is used.
func chooseAccount(dataDir, name string) (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if fi, err := os.Stat(dataDir); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 {
			a := &account{uid: st.Uid, gid: st.Gid, name: strconv.Itoa(int(st.Uid))}
			if u, err := user.LookupId(a.name); err == nil {
				a.name = u.Username
			}
			return a, nil
		}
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root, and there is no %q user to run it as: "+
			"create one (useradd --system --user-group --home-dir /var/lib/postgresql %s), "+
			"or run gopod as an ordinary user: %w", name, name, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil || uid == 0 {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root, and user %q (uid %s) cannot be used instead; create an unprivileged user for it", name, u.Uid)
	}
	return &account{name: u.Username, uid: uint32(uid), gid: uint32(gid)}, nil
}

// checkReachable makes sure the account can get to dir: every directory
// above it must be searchable by that user, or PostgreSQL fails later with
// a less helpful "permission denied".
func checkReachable(dir string, a *account) error {
	if a == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("check access to %s: %w", p, err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if ok {
			mode := fi.Mode().Perm()
			var can bool
			switch {
			case st.Uid == a.uid:
				can = mode&0o100 != 0
			case st.Gid == a.gid:
				can = mode&0o010 != 0
			default:
				can = mode&0o001 != 0
			}
			if !can {
				return fmt.Errorf("PostgreSQL runs as user %s (it refuses to run as root), but %s (mode %v) does not let that user through to %s: "+
					"make it searchable (chmod o+x %s), keep the project somewhere every user can reach, or run gopod as an ordinary user",
					a.name, p, mode, dir, p)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// chownTree gives dir and everything in it to the account.
func chownTree(dir string, a *account) error {
	if a == nil {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(a.uid), int(a.gid))
	})
}

// ownedBy reports whether dir belongs to the account (or, for nil, whether
// there is nothing to fix).
func ownedBy(dir string, a *account) bool {
	if a == nil {
		return true
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == a.uid
}

// ownedBySelf reports whether fi belongs to the account, or to the
// current user when there is none.
func ownedBySelf(fi os.FileInfo, a *account) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	if a == nil {
		return int(st.Uid) == os.Geteuid()
	}
	return st.Uid == a.uid
}

// processAlive reports whether pid names a live process. EPERM means it
// exists but belongs to someone else.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// isPostgres reports whether a live pid is a PostgreSQL server rather than
// an unrelated process that reused the number. Without /proc it assumes so.
func isPostgres(pid int) bool {
	comm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	if err != nil {
		return true
	}
	s := string(comm)
	return len(s) >= len("postgres") && s[:len("postgres")] == "postgres"
}

func interrupt(p *os.Process) error { return p.Signal(syscall.SIGINT) }
func quit(p *os.Process) error      { return p.Signal(syscall.SIGQUIT) }
