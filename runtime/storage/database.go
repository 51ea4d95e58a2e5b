package storage

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/wire"
)

// Path is where Handler is mounted on the API server, as in Serverpod.
const Path = "/serverpod_cloud_storage"

// Server is the public address of the API server, as config/<mode>.yaml
// gives it under apiServer (publicScheme, publicHost, publicPort).
type Server struct {
	Scheme string
	Host   string
	Port   int
}

// DefaultServer is the address of a server run with Serverpod's default
// development configuration.
var DefaultServer = Server{Scheme: "http", Host: "localhost", Port: 8080}

// Database keeps files in the serverpod_cloud_storage table.
type Database struct {
	id     string
	server Server
	now    func() time.Time
}

// NewDatabase returns the database-backed storage with the given id. Only
// the storage with id Public has public URLs, which point at server; this
// is Serverpod 2.4's rule.
func NewDatabase(id string, server Server) *Database {
	return &Database{id: id, server: server, now: time.Now}
}

// WithClock returns a copy of d that stamps files with now's time.
func (d *Database) WithClock(now func() time.Time) *Database {
	c := *d
	c.now = now
	return &c
}

// ID is the storage's id.
func (d *Database) ID() string { return d.id }

// Store writes data at path, replacing any file there.
func (d *Database) Store(c db.Conn, path string, data []byte, expiration time.Time) error {
	return d.store(c, path, data, expiration, true)
}

// store writes a file; an uploaded file is stored unverified until its
// upload is confirmed.
func (d *Database) store(c db.Conn, path string, data []byte, expiration time.Time, verified bool) error {
	if data == nil {
		data = []byte{} // byteData is NOT NULL
	}
	_, err := c.Querier().Exec(c, `INSERT INTO "serverpod_cloud_storage"
    ("storageId", "path", "addedTime", "expiration", "byteData", "verified")
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT ("storageId", "path") DO UPDATE SET "byteData" = EXCLUDED."byteData",
        "addedTime" = EXCLUDED."addedTime", "expiration" = EXCLUDED."expiration", "verified" = EXCLUDED."verified"`,
		d.id, path, d.now().UTC(), nullTime(expiration), data, verified)
	if err != nil {
		return fmt.Errorf("storing %s in storage %s: %w", path, d.id, err)
	}
	return nil
}

// Retrieve returns the file at path. Files whose upload was not verified,
// and files past their expiration, are not found.
func (d *Database) Retrieve(c db.Conn, path string) ([]byte, error) {
	var data []byte
	err := c.Querier().QueryRow(c, `SELECT "byteData" FROM "serverpod_cloud_storage"
    WHERE "storageId" = $1 AND "path" = $2 AND "verified"
    AND ("expiration" IS NULL OR "expiration" > $3)`, d.id, path, d.now().UTC()).Scan(&data)
	if err != nil {
		if err = db.Wrap(err); errors.Is(err, db.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("reading %s from storage %s: %w", path, d.id, err)
	}
	return data, nil
}

// Exists reports whether a file is stored at path.
func (d *Database) Exists(c db.Conn, path string) (bool, error) {
	var n int
	err := c.Querier().QueryRow(c, `SELECT count(*) FROM "serverpod_cloud_storage" WHERE "storageId" = $1 AND "path" = $2`,
		d.id, path).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("looking for %s in storage %s: %w", path, d.id, db.Wrap(err))
	}
	return n > 0, nil
}

// Delete removes the file at path.
func (d *Database) Delete(c db.Conn, path string) error {
	_, err := c.Querier().Exec(c, `DELETE FROM "serverpod_cloud_storage" WHERE "storageId" = $1 AND "path" = $2`, d.id, path)
	if err != nil {
		return fmt.Errorf("deleting %s from storage %s: %w", path, d.id, err)
	}
	return nil
}

// PublicURL returns the file's address on the API server, in Serverpod
// 2.4's form, so that URLs stored by either server work on both.
func (d *Database) PublicURL(c db.Conn, path string) (string, error) {
	if d.id != Public {
		return "", ErrNotPublic
	}
	ok, err := d.Exists(c, path)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrNotFound
	}
	return d.server.fileURL(path), nil
}

// fileURL is the address at which the handler serves a public file.
func (s Server) fileURL(path string) string {
	return s.url("method", "file", "path", path)
}

// url builds an address of the handler as Dart's Uri does: the port is
// left out when it is the scheme's default, and the query parameters keep
// their order, each percent-encoded with spaces as plus signs.
func (s Server) url(query ...string) string {
	host := s.Host
	if !defaultPort(s.Scheme, s.Port) {
		host = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	} else if ip := net.ParseIP(s.Host); ip != nil && ip.To4() == nil {
		host = "[" + s.Host + "]"
	}
	var q strings.Builder
	for i := 0; i+1 < len(query); i += 2 {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(url.QueryEscape(query[i]))
		q.WriteByte('=')
		q.WriteString(url.QueryEscape(query[i+1]))
	}
	u := url.URL{Scheme: s.Scheme, Host: host, Path: Path, RawQuery: q.String()}
	return u.String()
}

// CreateDirectFileUploadDescription allows one upload to path through
// Handler, until the description expires. The key in its URL is random; it
// carries the size limit, so that any server sharing the database enforces
// it (a Serverpod 2.4 server compares the whole key and ignores the limit).
// A new description for the same path replaces the old one.
func (d *Database) CreateDirectFileUploadDescription(c db.Conn, path string, o UploadOptions) (string, error) {
	o = o.withDefaults()
	key := rand.Text() + "." + strconv.FormatInt(o.MaxFileSize, 10)
	expiration := d.now().Add(o.Expiration).UTC()
	_, err := c.Querier().Exec(c, `INSERT INTO "serverpod_cloud_storage_direct_upload" ("storageId", "path", "expiration", "authKey")
    VALUES ($1, $2, $3, $4)
    ON CONFLICT ("storageId", "path") DO UPDATE SET "expiration" = EXCLUDED."expiration", "authKey" = EXCLUDED."authKey"`,
		d.id, path, expiration, key)
	if err != nil {
		return "", fmt.Errorf("allowing an upload to %s in storage %s: %w", path, d.id, err)
	}
	e := wire.NewEncoder(false)
	e.ObjectStart()
	e.Key("url")
	e.String(d.server.url("method", "upload", "storage", d.id, "path", path, "key", key))
	e.Key("type")
	e.String("binary")
	e.ObjectEnd()
	desc, err := e.Bytes()
	return string(desc), err
}

// VerifyDirectFileUpload marks the file uploaded at path as verified, so
// that it is served and kept, and reports whether an unverified upload was
// there.
func (d *Database) VerifyDirectFileUpload(c db.Conn, path string) (bool, error) {
	tag, err := c.Querier().Exec(c, `UPDATE "serverpod_cloud_storage" SET "verified" = true, "expiration" = NULL
    WHERE "storageId" = $1 AND "path" = $2 AND NOT "verified"`, d.id, path)
	if err != nil {
		return false, fmt.Errorf("verifying the upload of %s to storage %s: %w", path, d.id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// DeleteExpired removes files past their expiration (uploads never
// verified among them) and upload descriptions past theirs, in every
// database storage.
func DeleteExpired(c db.Conn, now time.Time) (files, uploads int64, err error) {
	tag, err := c.Querier().Exec(c, `DELETE FROM "serverpod_cloud_storage" WHERE "expiration" < $1`, now.UTC())
	if err != nil {
		return 0, 0, fmt.Errorf("deleting expired files: %w", err)
	}
	files = tag.RowsAffected()
	tag, err = c.Querier().Exec(c, `DELETE FROM "serverpod_cloud_storage_direct_upload" WHERE "expiration" < $1`, now.UTC())
	if err != nil {
		return files, 0, fmt.Errorf("deleting expired upload descriptions: %w", err)
	}
	return files, tag.RowsAffected(), nil
}

// upload stores the body of an upload request if key allows it: the
// description must exist, match and not have expired, and the file must
// fit its limit. The description is used up by a successful upload.
func (d *Database) upload(c db.Conn, path, key string, body io.Reader, length int64) error {
	var (
		id         int64
		expiration time.Time
		want       string
	)
	err := c.Querier().QueryRow(c, `SELECT "id", "expiration", "authKey" FROM "serverpod_cloud_storage_direct_upload"
    WHERE "storageId" = $1 AND "path" = $2`, d.id, path).Scan(&id, &expiration, &want)
	if errors.Is(db.Wrap(err), db.ErrNotFound) || (err == nil && subtle.ConstantTimeCompare([]byte(key), []byte(want)) != 1) {
		return errUploadNotAllowed
	}
	if err != nil {
		return fmt.Errorf("looking up the upload of %s to storage %s: %w", path, d.id, err)
	}
	if !expiration.After(d.now().UTC()) {
		_, _ = c.Querier().Exec(c, `DELETE FROM "serverpod_cloud_storage_direct_upload" WHERE "id" = $1`, id)
		return errUploadExpired
	}
	limit := maxFileSize(want)
	if length > limit {
		return errUploadTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return fmt.Errorf("reading the upload: %w", errUploadBody)
	}
	if int64(len(data)) > limit {
		return errUploadTooLarge
	}
	return db.Transaction(c, func(tx *db.Tx) error {
		// Deleting the description claims it: of two uploads with the
		// same key, one stores its file.
		tag, err := tx.Querier().Exec(tx, `DELETE FROM "serverpod_cloud_storage_direct_upload" WHERE "id" = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return errUploadNotAllowed
		}
		// Never verified, the file goes when the description would have.
		return d.store(tx, path, data, expiration, false)
	})
}

// maxFileSize reads the limit a key carries; keys written by Serverpod 2.4
// carry none and get the default.
func maxFileSize(key string) int64 {
	if _, n, ok := strings.Cut(key, "."); ok {
		if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > 0 {
			return v
		}
	}
	return DefaultMaxFileSize
}

// Reasons an upload is refused.
var (
	errUploadNotAllowed = errors.New("no upload to this path was allowed with this key")
	errUploadExpired    = errors.New("the upload description has expired")
	errUploadTooLarge   = errors.New("the file is larger than the upload allows")
	errUploadBody       = errors.New("failed to read the uploaded file")
)

func defaultPort(scheme string, port int) bool {
	return port == 0 || (scheme == "http" && port == 80) || (scheme == "https" && port == 443)
}

// nullTime is nil for the zero time, else the time in UTC (the column is a
// timestamp without time zone holding UTC).
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

var _ Storage = (*Database)(nil)
