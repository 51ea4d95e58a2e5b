package endpoint

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"

	"github.com/gopod/gopod"
)

// The project's own packages that endpoints import but that are not
// endpoint packages (the generated protocol package above all) are
// checked for their declarations only. Their types are kept under
// .gopod/cache/pkgs as export data, keyed by their sources, those of the
// project's packages they import, and the export data of the others: after
// an endpoint change, the protocol package of a large project is read back
// instead of being parsed and checked again, which was most of the time
// such a change cost.
//
// A package's entry is two files named after a hash of its import path:
// <hash>.json (pkgMeta) and <hash>.export, the export data.

// pkgMeta describes a cached package.
type pkgMeta struct {
	// Sources hashes the package's files (names and contents, the
	// overlay laid over the disk); Key adds what its types depend on.
	Sources string   `json:"sources"`
	Key     string   `json:"key"`
	Name    string   `json:"name"`
	Imports []string `json:"imports"`
}

func (l *loader) pkgCacheBase(path string) string {
	if l.opts.CacheDir == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(l.opts.CacheDir, "pkgs", hex.EncodeToString(sum[:12]))
}

// sourcesHash hashes a package's files.
func sourcesHash(names []string, srcs [][]byte) string {
	h := sha256.New()
	for i, name := range names {
		sum := sha256.Sum256(srcs[i])
		fmt.Fprintf(h, "%s %x\n", filepath.Base(name), sum)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cachedMeta returns the cached description of the package at path when
// its sources are the ones hashed to sources.
func (l *loader) cachedMeta(path, sources string) *pkgMeta {
	base := l.pkgCacheBase(path)
	if base == "" {
		return nil
	}
	b, err := os.ReadFile(base + ".json")
	if err != nil {
		return nil
	}
	var m pkgMeta
	if json.Unmarshal(b, &m) != nil || m.Sources != sources {
		return nil
	}
	return &m
}

// pkgKey is what a declarations-only package's types depend on: its
// sources, the keys of the project's packages it imports (checked
// first) and the export data files of the others, which the go command
// names by content.
func (l *loader) pkgKey(path string, sp *sourcePkg) (string, bool) {
	h := sha256.New()
	fmt.Fprintf(h, "pkg v1 %s %s %s %s\n", runtime.Version(), binaryID(), path, sp.sources)
	if sp.prune {
		fmt.Fprintf(h, "pruned to %s\n", strings.Join(sp.roots, " "))
	}
	for _, imp := range sp.imports {
		switch {
		case imp == "C" || imp == "unsafe":
		case l.local(imp):
			dep := l.source[imp]
			if dep == nil || dep.key == "" {
				return "", false // an endpoint package, or one checked with errors
			}
			fmt.Fprintf(h, "local %s %s\n", imp, dep.key)
		default:
			fmt.Fprintf(h, "export %s %s\n", imp, l.exports[imp])
		}
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// readCached reads the package's export data when its entry has key.
func (l *loader) readCached(path string, sp *sourcePkg, key string) *types.Package {
	if sp.meta == nil || sp.meta.Key != key {
		return nil
	}
	f, err := os.Open(l.pkgCacheBase(path) + ".export")
	if err != nil {
		return nil
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil
	}
	tp, err := gcexportdata.Read(r, l.fset, l.imports, path)
	if err != nil {
		return nil
	}
	return tp
}

// writeCached stores a package checked without errors. Failing to write
// only costs the next run the check.
func (l *loader) writeCached(path string, sp *sourcePkg, key string) {
	base := l.pkgCacheBase(path)
	if base == "" {
		return
	}
	var buf bytes.Buffer
	if err := gcexportdata.Write(&buf, l.fset, sp.types); err != nil {
		return
	}
	meta, err := json.Marshal(pkgMeta{Sources: sp.sources, Key: key, Name: sp.name, Imports: sp.imports})
	if err != nil || os.MkdirAll(filepath.Dir(base), 0o755) != nil {
		return
	}
	// The export data first, then the description that makes it valid.
	if writeAtomic(base+".export", buf.Bytes()) == nil {
		_ = writeAtomic(base+".json", meta)
	}
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, errors.Join(werr, cerr))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// binaryID identifies the running gopod, whose way of checking a package
// the cached types reflect: a new gopod checks again.
var binaryID = sync.OnceValue(func() string {
	id := "gopod " + gopod.Version
	if exe, err := os.Executable(); err == nil {
		if info, err := os.Stat(exe); err == nil {
			id += fmt.Sprintf(" %s %d %d", exe, info.Size(), info.ModTime().UnixNano())
		}
	}
	return id
})
