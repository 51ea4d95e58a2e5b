// Package storage keeps files for a gopod server, as Serverpod's cloud
// storage does: each storage has an id ("public" and "private" by
// Serverpod's convention), files are addressed by a path inside it, and a
// public storage hands out URLs at which anyone can download a file.
//
// Database is the default: files live in the core table
// serverpod_cloud_storage, which every Serverpod 2.4 database has, so files
// stored by a Serverpod 2.4 server (user images, say) are found by gopod and
// the other way round. Its public URLs have Serverpod 2.4's form,
//
//	http://localhost:8080/serverpod_cloud_storage?method=file&path=<path>
//
// and Handler serves them; mount it on the API server at Path. Handler also
// takes the direct uploads that CreateDirectFileUploadDescription allows,
// at Path?method=upload, as Serverpod 2.4's storage endpoint does.
package storage

import (
	"errors"
	"time"

	"github.com/gopod/gopod/runtime/db"
)

// Storage ids Serverpod creates by default.
const (
	Public  = "public"
	Private = "private"
)

var (
	// ErrNotFound is returned for a path that holds no file.
	ErrNotFound = errors.New("storage: no such file")
	// ErrNotPublic is returned by PublicURL of a storage whose files have
	// no public address.
	ErrNotPublic = errors.New("storage: files of this storage are not public")
)

// Storage keeps files by path. Every call takes the connection to run on,
// so that a file can be stored in the same transaction as the rows that
// refer to it; storages that are not database-backed ignore it except for
// its context.
type Storage interface {
	// ID is the storage's id, such as "public".
	ID() string
	// Store writes data at path, replacing any file there. A non-zero
	// expiration tells when the file may be deleted.
	Store(c db.Conn, path string, data []byte, expiration time.Time) error
	// Retrieve returns the file at path, or ErrNotFound.
	Retrieve(c db.Conn, path string) ([]byte, error)
	// Exists reports whether a file is stored at path.
	Exists(c db.Conn, path string) (bool, error)
	// Delete removes the file at path; a missing file is not an error.
	Delete(c db.Conn, path string) error
	// PublicURL returns the address at which anyone can download the file
	// at path: ErrNotFound when there is no file, ErrNotPublic when the
	// storage has no public addresses.
	PublicURL(c db.Conn, path string) (string, error)
	// CreateDirectFileUploadDescription lets a client upload a file to
	// path itself: it returns the description that Serverpod's client
	// FileUploader takes (JSON with the URL to post the file to). The
	// upload must happen before the description expires and stay within
	// its size limit.
	CreateDirectFileUploadDescription(c db.Conn, path string, o UploadOptions) (string, error)
	// VerifyDirectFileUpload confirms a finished upload; until then the
	// file is not served, and it is deleted when the description expires.
	// It reports whether there was an unconfirmed upload at path.
	VerifyDirectFileUpload(c db.Conn, path string) (bool, error)
}

// Defaults of UploadOptions, Serverpod's.
const (
	DefaultUploadExpiration = 10 * time.Minute
	DefaultMaxFileSize      = 10 << 20
)

// UploadOptions limit a direct upload; zero values take the defaults.
type UploadOptions struct {
	// Expiration is how long the description may be used.
	Expiration time.Duration
	// MaxFileSize is the largest file accepted, in bytes.
	MaxFileSize int64
}

func (o UploadOptions) withDefaults() UploadOptions {
	if o.Expiration <= 0 {
		o.Expiration = DefaultUploadExpiration
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	return o
}
