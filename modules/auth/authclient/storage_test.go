package authclient_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopod/gopod/modules/auth/authclient"
	"github.com/gopod/gopod/wire"
)

func TestStorages(t *testing.T) {
	dir := t.TempDir()
	storages := map[string]authclient.Storage{
		"memory": authclient.NewMemoryStorage(),
		"file":   authclient.NewFileStorage(filepath.Join(dir, "app", "user-info.json")),
	}
	for kind, s := range storages {
		t.Run(kind, func(t *testing.T) {
			if u, err := s.Load(); u != nil || err != nil {
				t.Fatalf("empty storage: Load() = %v, %v", u, err)
			}
			if err := s.Remove(); err != nil {
				t.Fatalf("removing nothing: %v", err)
			}
			alice := newUser(1, "Alice")
			if err := s.Save(alice); err != nil {
				t.Fatal(err)
			}
			// The storage keeps its own copy.
			*alice.UserName = "changed"
			alice.ScopeNames = append(alice.ScopeNames, "changed")
			got, err := s.Load()
			if err != nil {
				t.Fatal(err)
			}
			want := newUser(1, "Alice")
			if gb, _ := wire.MarshalModel(got); string(gb) != string(mustMarshal(t, want)) {
				t.Errorf("Load() = %s, want %s", gb, mustMarshal(t, want))
			}
			*got.UserName = "changed again"
			if again, _ := s.Load(); name(again) != "Alice" {
				t.Errorf("changing a loaded user changed the storage: %s", name(again))
			}
			if err := s.Save(newUser(2, "Bob")); err != nil {
				t.Fatal(err)
			}
			if u, _ := s.Load(); name(u) != "Bob" {
				t.Errorf("after saving Bob: %s", name(u))
			}
			if err := s.Remove(); err != nil {
				t.Fatal(err)
			}
			if u, err := s.Load(); u != nil || err != nil {
				t.Errorf("after Remove: %v, %v", u, err)
			}
		})
	}
}

// The file holds Serverpod's JSON of UserInfo, readable by its owner only,
// in a directory only the owner can enter.
func TestFileStorageFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	path := filepath.Join(dir, "user-info.json")
	s := authclient.NewFileStorage(path)
	if err := s.Save(newUser(1, "Alice")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", di.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"id":1,"userIdentifier":"user1@example.com","userName":"Alice","email":"user1@example.com","created":"2024-05-20T10:27:13.000Z","scopeNames":[],"blocked":false}`
	if string(b) != want {
		t.Errorf("file holds\n%s\nwant\n%s", b, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the user file", len(entries))
	}
	if err := s.Save(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("saving nil left the file: %v", err)
	}

	writeFile(t, path, `{"userIdentifier":7}`)
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("broken file: %v; want an error naming it", err)
	}
}

func mustMarshal(t *testing.T, u *authclient.UserInfo) []byte {
	t.Helper()
	b, err := wire.MarshalModel(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
