package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gopod/gopod/runtime/db"
)

// maxArgsBody bounds the JSON body a POST to the handler may carry: the
// arguments are two short strings.
const maxArgsBody = 64 << 10

// Handler serves the files of the public storage at their public URLs, as
// Serverpod 2.4's serverpod_cloud_storage endpoint does: GET (or POST)
// Path?method=file&path=<path> answers the file's bytes, or 404. Mount it
// with pod.WithRoute(storage.Path, storage.Handler(database, public, log)).
// log may be nil.
//
// It also takes the direct uploads that the upload storages allowed
// (POST Path?method=upload&storage=<id>&path=<path>&key=<key>, the file as
// the body), answering 200 and true when the file is stored. Unlike
// Serverpod 2.4, which answers 200 and false, a refused upload gets an
// error status with the reason (Serverpod's FileUploader reports any
// status but 200 as a failure): 403 for a wrong or expired key, 413 for a
// file over the description's size limit.
func Handler(d *db.DB, public Storage, log *slog.Logger, uploads ...*Database) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &handler{db: d, public: public, log: log, uploads: map[string]*Database{}}
	for _, u := range uploads {
		h.uploads[u.ID()] = u
	}
	return h
}

type handler struct {
	db      *db.DB
	public  Storage
	log     *slog.Logger
	uploads map[string]*Database
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("method") == "upload" {
		h.serveUpload(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	args, err := readArgs(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if args["method"] != "file" {
		http.Error(w, `the storage endpoint serves method "file" only`, http.StatusBadRequest)
		return
	}
	p, ok := args["path"]
	if !ok || p == "" {
		http.Error(w, `missing argument "path"`, http.StatusBadRequest)
		return
	}
	if h.db == nil {
		http.Error(w, "this server has no database", http.StatusServiceUnavailable)
		return
	}
	data, err := h.public.Retrieve(h.db.With(r.Context()), p)
	if errors.Is(err, ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "serving a stored file", "path", p, "error", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType(p))
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// readArgs merges a POST's JSON object body with the query parameters,
// which win, as Serverpod does for endpoint calls.
func readArgs(r *http.Request) (map[string]string, error) {
	args := map[string]string{}
	if r.Method == http.MethodPost && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxArgsBody+1))
		if err != nil {
			return nil, errors.New("failed to read the request body")
		}
		if len(body) > maxArgsBody {
			return nil, errors.New("the request body is too large")
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			var obj map[string]any
			if err := json.Unmarshal(body, &obj); err != nil {
				return nil, errors.New("the request body is not a JSON object")
			}
			for k, v := range obj {
				if s, ok := v.(string); ok {
					args[k] = s
				}
			}
		}
	}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			args[k] = v[0]
		}
	}
	return args, nil
}

// contentType names the types Serverpod 2.4 names, by extension, and
// falls back to the standard library's table.
func contentType(p string) string {
	ext := strings.ToLower(path.Ext(p))
	switch ext {
	case ".js":
		return "text/javascript"
	case ".css":
		return "text/css"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".svg":
		return "image/svg+xml"
	case ".ttf":
		return "application/x-font-ttf"
	case ".woff":
		return "application/x-font-woff"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// serveUpload stores the request body as a direct upload. Its arguments
// come from the query only: the body is the file.
func (h *handler) serveUpload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		w.Header().Set("Allow", "POST, PUT")
		http.Error(w, "an upload is a POST of the file", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	for _, name := range []string{"storage", "path", "key"} {
		if q.Get(name) == "" {
			http.Error(w, fmt.Sprintf("missing argument %q", name), http.StatusBadRequest)
			return
		}
	}
	st := h.uploads[q.Get("storage")]
	if st == nil {
		http.Error(w, fmt.Sprintf("storage %q takes no uploads", q.Get("storage")), http.StatusBadRequest)
		return
	}
	if h.db == nil {
		http.Error(w, "this server has no database", http.StatusServiceUnavailable)
		return
	}
	err := st.upload(h.db.With(r.Context()), q.Get("path"), q.Get("key"), r.Body, r.ContentLength)
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, "true")
	case errors.Is(err, errUploadNotAllowed), errors.Is(err, errUploadExpired):
		http.Error(w, err.Error(), http.StatusForbidden)
	case errors.Is(err, errUploadTooLarge):
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
	case errors.Is(err, errUploadBody):
		http.Error(w, err.Error(), http.StatusBadRequest)
	default:
		h.log.ErrorContext(r.Context(), "storing an upload", "storage", st.ID(), "path", q.Get("path"), "error", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
	}
}
