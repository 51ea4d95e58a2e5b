package storage

import (
	"encoding/json"
	"errors"
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
func Handler(d *db.DB, public Storage, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return &handler{db: d, public: public, log: log}
}

type handler struct {
	db     *db.DB
	public Storage
	log    *slog.Logger
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
