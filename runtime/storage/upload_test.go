package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// uploadEnv is a handler served over HTTP, with storages whose URLs point
// at it.
type uploadEnv struct {
	srv             *httptest.Server
	public, private *Database
}

func newUploadEnv(t *testing.T, now func() time.Time) *uploadEnv {
	t.Helper()
	e := &uploadEnv{}
	var h http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	u, _ := url.Parse(e.srv.URL)
	port, _ := strconv.Atoi(u.Port())
	addr := Server{Scheme: "http", Host: u.Hostname(), Port: port}
	e.public = NewDatabase(Public, addr).WithClock(now)
	e.private = NewDatabase(Private, addr).WithClock(now)
	h = Handler(database, e.public, nil, e.public, e.private)
	return e
}

// describe returns the URL of a new upload description, checking its form.
func (e *uploadEnv) describe(t *testing.T, st *Database, path string, o UploadOptions) string {
	t.Helper()
	desc, err := st.CreateDirectFileUploadDescription(database.With(context.Background()), path, o)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		URL  string `json:"url"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(desc), &d); err != nil || d.Type != "binary" || !strings.HasPrefix(desc, `{"url":"`) {
		t.Fatalf("description %s: %v", desc, err)
	}
	want := e.srv.URL + Path + "?method=upload&storage=" + st.ID() + "&path=" + url.QueryEscape(path) + "&key="
	if !strings.HasPrefix(d.URL, want) {
		t.Fatalf("upload URL %s, want it to start %s", d.URL, want)
	}
	return d.URL
}

// post uploads data as Serverpod's FileUploader does.
func post(t *testing.T, target string, data []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", target, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Accept", "*/*")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestDirectUpload(t *testing.T) {
	c := database.With(context.Background())
	e := newUploadEnv(t, time.Now)
	photo := []byte("\x89PNG a photo")
	target := e.describe(t, e.public, "u/photo 1.png", UploadOptions{})

	if code, body := post(t, target, photo); code != 200 || body != "true" {
		t.Fatalf("upload: %d %q", code, body)
	}
	// Until verified, the file is not served.
	if _, err := e.public.Retrieve(c, "u/photo 1.png"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unverified upload retrieved: %v", err)
	}
	if ok, err := e.public.VerifyDirectFileUpload(c, "u/photo 1.png"); !ok || err != nil {
		t.Fatalf("verify: %v, %v", ok, err)
	}
	if ok, err := e.public.VerifyDirectFileUpload(c, "u/photo 1.png"); ok || err != nil {
		t.Fatalf("verifying twice: %v, %v; want false as Serverpod", ok, err)
	}
	if ok, err := e.public.VerifyDirectFileUpload(c, "u/none.png"); ok || err != nil {
		t.Fatalf("verifying a path never uploaded: %v, %v", ok, err)
	}
	got, err := e.public.Retrieve(c, "u/photo 1.png")
	if err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("read back %q, %v", got, err)
	}
	if ok, err := e.public.Exists(c, "u/photo 1.png"); !ok || err != nil {
		t.Fatalf("Exists: %v, %v", ok, err)
	}
	pub, err := e.public.PublicURL(c, "u/photo 1.png")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(pub)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(served, photo) || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET %s: %d %q %s", pub, resp.StatusCode, served, resp.Header.Get("Content-Type"))
	}
	// The description was used up.
	if code, _ := post(t, target, []byte("again")); code != http.StatusForbidden {
		t.Errorf("second upload with the same description: %d, want 403", code)
	}

	// A private storage takes uploads but has no public URL.
	secret := e.describe(t, e.private, "u/secret.txt", UploadOptions{})
	if code, _ := post(t, secret, []byte("s3cret")); code != 200 {
		t.Fatalf("private upload: %d", code)
	}
	if ok, _ := e.private.VerifyDirectFileUpload(c, "u/secret.txt"); !ok {
		t.Fatal("private upload not verified")
	}
	if got, err := e.private.Retrieve(c, "u/secret.txt"); err != nil || string(got) != "s3cret" {
		t.Fatalf("private read back %q, %v", got, err)
	}
	if _, err := e.private.PublicURL(c, "u/secret.txt"); !errors.Is(err, ErrNotPublic) {
		t.Errorf("private PublicURL: %v", err)
	}
	if err := e.private.Delete(c, "u/secret.txt"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.private.Exists(c, "u/secret.txt"); ok {
		t.Error("deleted file exists")
	}
}

func TestRefusedUploads(t *testing.T) {
	e := newUploadEnv(t, time.Now)
	small := e.describe(t, e.public, "r/small.bin", UploadOptions{MaxFileSize: 8})
	tests := []struct {
		name   string
		target string
		data   []byte
		status int
	}{
		{"over the limit", small, []byte("123456789"), http.StatusRequestEntityTooLarge},
		{"wrong key", strings.Replace(small, "key=", "key=X", 1), []byte("1"), http.StatusForbidden},
		{"other path", strings.Replace(small, "small.bin", "other.bin", 1), []byte("1"), http.StatusForbidden},
		{"unknown storage", strings.Replace(small, "storage=public", "storage=elsewhere", 1), []byte("1"), http.StatusBadRequest},
		{"no key", strings.Split(small, "&key=")[0], []byte("1"), http.StatusBadRequest},
		// A refused upload leaves the description usable.
		{"at the limit", small, []byte("12345678"), http.StatusOK},
	}
	for _, tt := range tests {
		if code, body := post(t, tt.target, tt.data); code != tt.status {
			t.Errorf("%s: %d %q, want %d", tt.name, code, body, tt.status)
		}
	}

	// A description made eleven minutes ago has expired.
	past := newUploadEnv(t, func() time.Time { return time.Now().Add(-11 * time.Minute) })
	expired := past.describe(t, past.public, "r/late.bin", UploadOptions{})
	expired = strings.Replace(expired, past.srv.URL, e.srv.URL, 1)
	if code, body := post(t, expired, []byte("late")); code != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Errorf("expired upload: %d %q", code, body)
	}
	if ok, _ := e.public.Exists(database.With(context.Background()), "r/late.bin"); ok {
		t.Error("an expired upload stored a file")
	}
}

func TestDeleteExpired(t *testing.T) {
	c := database.With(context.Background())
	now := time.Now()
	// By this storage's clock it is an hour ago: its descriptions expire
	// fifty minutes before now.
	e := newUploadEnv(t, func() time.Time { return now.Add(-time.Hour) })
	if code, _ := post(t, e.describe(t, e.public, "x/unverified.bin", UploadOptions{}), []byte("u")); code != 200 {
		t.Fatalf("upload: %d", code)
	}
	e.describe(t, e.public, "x/unused.bin", UploadOptions{})
	if err := e.public.Store(c, "x/temporary.bin", []byte("t"), now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := e.public.Store(c, "x/kept.bin", []byte("k"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	files, uploads, err := DeleteExpired(c, now)
	if err != nil || files < 2 || uploads < 1 {
		t.Fatalf("DeleteExpired = %d files, %d descriptions, %v", files, uploads, err)
	}
	for _, p := range []string{"x/unverified.bin", "x/temporary.bin"} {
		if ok, _ := e.public.Exists(c, p); ok {
			t.Errorf("%s is still there", p)
		}
	}
	if ok, _ := e.public.Exists(c, "x/kept.bin"); !ok {
		t.Error("a file without expiration was deleted")
	}
	var n int
	if err := database.QueryRow(c, `SELECT count(*) FROM serverpod_cloud_storage_direct_upload WHERE "path" = 'x/unused.bin'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the expired description is still there (%d, %v)", n, err)
	}
}
