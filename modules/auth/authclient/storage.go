package authclient

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/gopod/gopod/wire"
)

// Storage keeps the signed-in user between runs of an app, as the shared
// preferences of serverpod_auth_shared_flutter's SessionManager do. The
// authentication key itself lives in the caller's AuthKeyManager.
type Storage interface {
	// Load returns the stored user, nil when none is stored.
	Load() (*UserInfo, error)
	// Save stores the user, replacing any other.
	Save(user *UserInfo) error
	// Remove forgets the stored user; removing nothing is not an error.
	Remove() error
}

// MemoryStorage keeps the user in memory only: the app starts signed out
// unless the key manager still holds a key, in which case Initialize asks
// the server for the user.
type MemoryStorage struct {
	mu   sync.Mutex
	user *UserInfo
}

// NewMemoryStorage returns an empty in-memory storage.
func NewMemoryStorage() *MemoryStorage { return &MemoryStorage{} }

func (s *MemoryStorage) Load() (*UserInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneUser(s.user), nil
}

func (s *MemoryStorage) Save(user *UserInfo) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = cloneUser(user)
	return nil
}

func (s *MemoryStorage) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = nil
	return nil
}

// FileStorage keeps the user as Serverpod's JSON of UserInfo in a file
// readable only by its owner (mode 0600). Keep it next to the key file of
// a client.FileKeyManager, for example "auth-key" and "user-info.json" in
// the app's configuration directory: the two belong together.
type FileStorage struct {
	mu   sync.Mutex
	path string
}

// NewFileStorage keeps the user at path; the directory is created (mode
// 0700) when the first user is saved.
func NewFileStorage(path string) *FileStorage { return &FileStorage{path: path} }

// Path returns the file the user is kept in.
func (s *FileStorage) Path() string { return s.path }

func (s *FileStorage) Load() (*UserInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the user info: %w", err)
	}
	var u UserInfo
	if err := wire.UnmarshalModel(b, &u); err != nil {
		return nil, fmt.Errorf("reading the user info %s: %w (delete the file to start signed out)", s.path, err)
	}
	return &u, nil
}

func (s *FileStorage) Save(user *UserInfo) error {
	if user == nil {
		return s.Remove()
	}
	b, err := wire.MarshalModel(user)
	if err != nil {
		return fmt.Errorf("encoding the user info: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the user info directory: %w", err)
	}
	// A private temporary file renamed into place: a crash never leaves
	// half a user behind, and others never see the file.
	tmp, err := os.CreateTemp(dir, ".user-info-*")
	if err != nil {
		return fmt.Errorf("writing the user info: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the user info: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the user info: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the user info: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("writing the user info: %w", err)
	}
	return nil
}

func (s *FileStorage) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the user info: %w", err)
	}
	return nil
}

// cloneUser copies a user so that neither the caller nor the manager sees
// the other's later changes.
func cloneUser(u *UserInfo) *UserInfo {
	if u == nil {
		return nil
	}
	c := *u
	c.ID = clonePtr(u.ID)
	c.UserName = clonePtr(u.UserName)
	c.FullName = clonePtr(u.FullName)
	c.Email = clonePtr(u.Email)
	c.ImageURL = clonePtr(u.ImageURL)
	if u.ScopeNames != nil {
		c.ScopeNames = append([]string(nil), u.ScopeNames...)
	}
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
