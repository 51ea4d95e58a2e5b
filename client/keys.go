package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// AuthKeyManager keeps the authentication key a client sends, as
// serverpod_client's AuthenticationKeyManager does. With the auth module
// the key is "<keyId>:<key>".
type AuthKeyManager interface {
	// Get returns the key, empty when signed out.
	Get() (string, error)
	Put(key string) error
	Remove() error
}

// MemoryKeyManager keeps the key in memory only.
type MemoryKeyManager struct {
	mu  sync.Mutex
	key string
}

// NewMemoryKeyManager returns an empty in-memory key manager.
func NewMemoryKeyManager() *MemoryKeyManager { return &MemoryKeyManager{} }

func (m *MemoryKeyManager) Get() (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.key, nil
}

func (m *MemoryKeyManager) Put(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.key = key
	return nil
}

func (m *MemoryKeyManager) Remove() error { return m.Put("") }

// FileKeyManager keeps the key in a file readable only by its owner (mode
// 0600), so a command line tool stays signed in between runs.
type FileKeyManager struct {
	mu   sync.Mutex
	path string
}

// NewFileKeyManager keeps the key at path; the directory is created (mode
// 0700) when the first key is stored.
func NewFileKeyManager(path string) *FileKeyManager { return &FileKeyManager{path: path} }

func (m *FileKeyManager) Get() (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := os.ReadFile(m.path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the key file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func (m *FileKeyManager) Put(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(m.path), 0o700); err != nil {
		return fmt.Errorf("creating the key directory: %w", err)
	}
	// Write to a private temporary file and rename, so a crash never leaves
	// a half-written key and the key is never readable by others.
	tmp, err := os.CreateTemp(filepath.Dir(m.path), ".key-*")
	if err != nil {
		return fmt.Errorf("writing the key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the key file: %w", err)
	}
	if _, err := tmp.WriteString(key); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), m.path); err != nil {
		return fmt.Errorf("writing the key file: %w", err)
	}
	return nil
}

func (m *FileKeyManager) Remove() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := os.Remove(m.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the key file: %w", err)
	}
	return nil
}
