package storage

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/gopod/gopod/runtime/db"
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
	if data == nil {
		data = []byte{} // byteData is NOT NULL
	}
	_, err := c.Querier().Exec(c, `INSERT INTO "serverpod_cloud_storage"
    ("storageId", "path", "addedTime", "expiration", "byteData", "verified")
    VALUES ($1, $2, $3, $4, $5, true)
    ON CONFLICT ("storageId", "path") DO UPDATE SET "byteData" = EXCLUDED."byteData",
        "addedTime" = EXCLUDED."addedTime", "expiration" = EXCLUDED."expiration", "verified" = true`,
		d.id, path, d.now().UTC(), nullTime(expiration), data)
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

// fileURL builds the URL as Dart's Uri does: the port is left out when it
// is the scheme's default, and the query is method then path, each
// percent-encoded with spaces as plus signs.
func (s Server) fileURL(path string) string {
	host := s.Host
	if !defaultPort(s.Scheme, s.Port) {
		host = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	} else if ip := net.ParseIP(s.Host); ip != nil && ip.To4() == nil {
		host = "[" + s.Host + "]"
	}
	u := url.URL{Scheme: s.Scheme, Host: host, Path: Path}
	u.RawQuery = url.Values{"method": {"file"}, "path": {path}}.Encode()
	return u.String()
}

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
