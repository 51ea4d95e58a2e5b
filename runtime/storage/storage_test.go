package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gopod/gopod/runtime/core/coretest"
	"github.com/gopod/gopod/runtime/db"
)

var database *db.DB

func TestMain(m *testing.M) {
	os.Exit(coretest.Main(m, "storage", &database))
}

func open(*testing.T) *db.DB { return database }

func TestFileURL(t *testing.T) {
	tests := []struct {
		server Server
		path   string
		want   string
	}{
		{DefaultServer, "serverpod/user_images/1-1.jpg",
			"http://localhost:8080/serverpod_cloud_storage?method=file&path=serverpod%2Fuser_images%2F1-1.jpg"},
		{Server{"https", "example.com", 443}, "a b+c.png",
			"https://example.com/serverpod_cloud_storage?method=file&path=a+b%2Bc.png"},
		{Server{"http", "example.com", 80}, "x", "http://example.com/serverpod_cloud_storage?method=file&path=x"},
		{Server{"https", "example.com", 8443}, "ü~._-", "https://example.com:8443/serverpod_cloud_storage?method=file&path=%C3%BC~._-"},
		{Server{"http", "::1", 8080}, "x", "http://[::1]:8080/serverpod_cloud_storage?method=file&path=x"},
	}
	for _, tt := range tests {
		if got := tt.server.fileURL(tt.path); got != tt.want {
			t.Errorf("%+v %q:\n got %s\nwant %s", tt.server, tt.path, got, tt.want)
		}
	}
}

func TestDatabaseStorage(t *testing.T) {
	d := open(t)
	c := d.With(context.Background())
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	public := NewDatabase(Public, DefaultServer).WithClock(func() time.Time { return now })
	private := NewDatabase(Private, DefaultServer).WithClock(func() time.Time { return now })

	if _, err := public.Retrieve(c, "t/a.png"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing file: %v, want ErrNotFound", err)
	}
	if _, err := public.PublicURL(c, "t/a.png"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("URL of a missing file: %v, want ErrNotFound", err)
	}
	if err := public.Store(c, "t/a.png", []byte("one"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := public.Store(c, "t/a.png", []byte("two"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, err := public.Retrieve(c, "t/a.png"); err != nil || string(got) != "two" {
		t.Fatalf("after replacing: %q, %v; want two", got, err)
	}
	if ok, err := public.Exists(c, "t/a.png"); !ok || err != nil {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	// Storages are separate namespaces.
	if _, err := private.Retrieve(c, "t/a.png"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("private storage sees the public file: %v", err)
	}
	if err := private.Store(c, "t/a.png", []byte("secret"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := private.PublicURL(c, "t/a.png"); !errors.Is(err, ErrNotPublic) {
		t.Fatalf("private URL: %v, want ErrNotPublic", err)
	}
	u, err := public.PublicURL(c, "t/a.png")
	if err != nil || u != "http://localhost:8080/serverpod_cloud_storage?method=file&path=t%2Fa.png" {
		t.Fatalf("PublicURL = %q, %v", u, err)
	}
	var added time.Time
	if err := d.QueryRow(c, `SELECT "addedTime" FROM serverpod_cloud_storage WHERE "storageId"='public' AND path='t/a.png'`).Scan(&added); err != nil || !added.Equal(now) {
		t.Fatalf("addedTime = %v, %v; want %v", added, err, now)
	}

	// An expired file is gone for readers.
	if err := public.Store(c, "t/old.png", []byte("x"), now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := public.Retrieve(c, "t/old.png"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired file: %v, want ErrNotFound", err)
	}

	if err := public.Delete(c, "t/a.png"); err != nil {
		t.Fatal(err)
	}
	if err := public.Delete(c, "t/a.png"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if ok, _ := public.Exists(c, "t/a.png"); ok {
		t.Fatal("file still there after Delete")
	}
	if got, err := private.Retrieve(c, "t/a.png"); err != nil || string(got) != "secret" {
		t.Fatalf("private file after deleting the public one: %q, %v", got, err)
	}
}

func TestHandler(t *testing.T) {
	d := open(t)
	c := d.With(context.Background())
	public := NewDatabase(Public, DefaultServer)
	png := []byte("\x89PNG fake")
	if err := public.Store(c, "h/pic one.png", png, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := public.Store(c, "h/notes.bin", []byte{1, 2}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(d, public, nil))
	defer srv.Close()

	get := func(method, target, body string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	q := func(p string) string {
		return Path + "?" + url.Values{"method": {"file"}, "path": {p}}.Encode()
	}
	tests := []struct {
		name, method, target, body string
		status                     int
		ctype                      string
		want                       []byte
	}{
		{"file", "GET", q("h/pic one.png"), "", 200, "image/png", png},
		{"head", "HEAD", q("h/pic one.png"), "", 200, "image/png", nil},
		{"unknown extension", "GET", q("h/notes.bin"), "", 200, "application/octet-stream", []byte{1, 2}},
		{"post with body", "POST", Path, `{"method":"file","path":"h/pic one.png"}`, 200, "image/png", png},
		{"missing", "GET", q("h/none.png"), "", 404, "", nil},
		{"no path", "GET", Path + "?method=file", "", 400, "", nil},
		{"other method", "GET", Path + "?method=thumbnail&path=x", "", 400, "", nil},
		{"upload with GET", "GET", Path + "?method=upload&path=x", "", 405, "", nil},
		{"bad body", "POST", Path, `[1]`, 400, "", nil},
		{"delete", "DELETE", q("h/pic one.png"), "", 405, "", nil},
	}
	for _, tt := range tests {
		resp, body := get(tt.method, tt.target, tt.body)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, resp.StatusCode, tt.status, body)
			continue
		}
		if tt.status != 200 {
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != tt.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tt.name, ct, tt.ctype)
		}
		if !bytes.Equal(body, tt.want) {
			t.Errorf("%s: body %q, want %q", tt.name, body, tt.want)
		}
	}

	// The URL PublicURL hands out is the one the handler serves.
	u, err := public.PublicURL(c, "h/pic one.png")
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(u)
	resp, body := get("GET", parsed.RequestURI(), "")
	if resp.StatusCode != 200 || !bytes.Equal(body, png) {
		t.Errorf("GET %s: %d %q", parsed.RequestURI(), resp.StatusCode, body)
	}
}
