package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/argon2"

	"github.com/gopod/gopod/modules/auth"
	authdispatch "github.com/gopod/gopod/modules/auth/dispatch"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"
)

// The server kinds a child process runs (-serve).
const (
	kindGopod  = "gopod"  // gopod's production server: pod.Main with the auth module
	kindBare   = "bare"   // a bare net/http JSON handler
	kindPgx    = "pgx"    // a raw pgx handler: key check + one read by id
	kindArgon2 = "argon2" // x/crypto's Argon2id behind a net/http handler
)

// Secrets of the benchmark's servers (passwords.yaml).
const (
	benchKeySalt = "loadbench-auth-key-salt"
	benchPepper  = "loadbench-pepper"
)

// childOptions is what the parent tells a server process.
type childOptions struct {
	kind, dbURL, cpuProfile string
}

// serve runs one server until SIGTERM. It prints "listening ADDR" on
// stdout once the server answers.
func serve(o childOptions) error {
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if o.kind == kindGopod {
		return serveGopod(o)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	var h http.Handler
	switch o.kind {
	case kindBare:
		h = http.HandlerFunc(bareHello)
	case kindPgx:
		pool, err := pgxpool.New(ctx, o.dbURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		h = &pgxHandler{pool: pool}
	case kindArgon2:
		h = newArgon2Handler()
	default:
		return fmt.Errorf("unknown server kind %q", o.kind)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	fmt.Printf("listening %s\n", ln.Addr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}

// callBody is the JSON body of the calls: Serverpod 2.4's clients post
// the method name with the arguments.
type callBody struct {
	Method   string `json:"method"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

func readCall(w http.ResponseWriter, r *http.Request) (callBody, bool) {
	var c callBody
	body, err := io.ReadAll(io.LimitReader(r.Body, pod.DefaultMaxRequestSize))
	if err != nil || json.Unmarshal(body, &c) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return c, false
	}
	return c, true
}

func writeJSON(w http.ResponseWriter, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(out)
}

// bareHello is the plain call written by hand with net/http and
// encoding/json: read the body, decode it, encode the answer.
func bareHello(w http.ResponseWriter, r *http.Request) {
	c, ok := readCall(w, r)
	if !ok {
		return
	}
	writeJSON(w, "Hello "+c.Name)
}

// pgxHandler is the signed-in call written by hand: parse the Basic
// authorization, find the key (cached in memory after its first use, as
// gopod's auth module caches keys), check sha256(salt + secret) against
// its hash in constant time, read the user's row by id with pgx and
// encode it.
type pgxHandler struct {
	pool *pgxpool.Pool
	keys sync.Map // key id → *keyRow
}

type keyRow struct {
	userID int64
	hash   string
}

type userRow struct {
	ID             int64     `json:"id"`
	UserIdentifier string    `json:"userIdentifier"`
	UserName       *string   `json:"userName,omitempty"`
	FullName       *string   `json:"fullName,omitempty"`
	Email          *string   `json:"email,omitempty"`
	Created        time.Time `json:"created"`
	ImageURL       *string   `json:"imageUrl,omitempty"`
	ScopeNames     []string  `json:"scopeNames"`
	Blocked        bool      `json:"blocked"`
}

func (h *pgxHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, ok := readCall(w, r); !ok {
		return
	}
	basic, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	raw, err := base64.StdEncoding.DecodeString(basic)
	idText, secret, found := strings.Cut(string(raw), ":")
	id, perr := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || !found || perr != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var k *keyRow
	if v, ok := h.keys.Load(id); ok {
		k = v.(*keyRow)
	} else {
		k = &keyRow{}
		if err := h.pool.QueryRow(r.Context(), `SELECT "userId", "hash" FROM "serverpod_auth_key" WHERE "id" = $1`, id).Scan(&k.userID, &k.hash); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.keys.Store(id, k)
	}
	sum := sha256.Sum256([]byte(benchKeySalt + secret))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(k.hash)) != 1 {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var u userRow
	var scopes string
	err = h.pool.QueryRow(r.Context(), `SELECT "id", "userIdentifier", "userName", "fullName", "email", "created", "imageUrl", "scopeNames", "blocked"
    FROM "serverpod_user_info" WHERE "id" = $1`, k.userID).Scan(&u.ID, &u.UserIdentifier, &u.UserName, &u.FullName, &u.Email, &u.Created, &u.ImageURL, &scopes, &u.Blocked)
	if err == nil {
		err = json.Unmarshal([]byte(scopes), &u.ScopeNames)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, &u)
}

// Argon2id parameters of gopod's password hashes (auth.PasswordCost's
// zero value): 19 MiB, 2 passes, 1 lane, 32 bytes.
const (
	argonMemoryKiB = 19456
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
)

// argon2Handler checks a password with x/crypto's Argon2id at gopod's
// cost, as many at a time as there are cores (the fastest the hash alone
// goes here), behind a net/http JSON handler.
type argon2Handler struct {
	slots chan struct{}
	salt  []byte
	want  []byte
}

func newArgon2Handler() *argon2Handler {
	salt := []byte("0123456789abcdef")
	return &argon2Handler{
		slots: make(chan struct{}, runtime.GOMAXPROCS(0)),
		salt:  salt,
		want:  argon2.IDKey([]byte(benchPassword), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen),
	}
}

func (h *argon2Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := readCall(w, r)
	if !ok {
		return
	}
	h.slots <- struct{}{}
	got := argon2.IDKey([]byte(c.Password), h.salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	<-h.slots
	writeJSON(w, map[string]bool{"success": subtle.ConstantTimeCompare(got, h.want) == 1})
}

// benchEndpoint holds the gopod side's own methods.
type benchEndpoint struct{ pod.Endpoint }

// meEndpoint requires a signed-in user.
type meEndpoint struct{ pod.Endpoint }

func (meEndpoint) RequireLogin() bool { return true }

// gopodDispatch is what gopod generates for an endpoint with hello(String
// name) and one, requiring sign-in, that reads the caller's UserInfo by
// id through the ORM; with the auth module's endpoints.
func gopodDispatch() *pod.Dispatch {
	d := pod.NewDispatch("loadbench")
	d.Add(pod.NewConnector("bench", "", &benchEndpoint{},
		&pod.Method{Name: "hello", Params: []pod.Param{{Name: "name", Type: "String"}}, Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
			name, err := pod.Arg(a, "name", wire.DecodeString)
			if err != nil {
				return err
			}
			e.String("Hello " + name)
			return nil
		}},
	))
	d.Add(pod.NewConnector("me", "", &meEndpoint{},
		&pod.Method{Name: "get", Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
			id, _ := s.UserID()
			u, err := db.FindByID(s, protocol.UserInfoDB, id)
			if err != nil {
				return err
			}
			wire.EncodeModelPtr[protocol.UserInfo](e, u)
			return nil
		}},
	))
	d.AddModule(auth.ModuleName, authdispatch.New())
	return d
}

// serveGopod runs gopod's server as a project would in production:
// pod.Main with --mode production, reading config/production.yaml and
// config/passwords.yaml from a project folder of its own.
func serveGopod(o childOptions) error {
	dir, err := os.MkdirTemp("", "gopod-loadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dbc, err := parseDBURL(o.dbURL)
	if err != nil {
		return err
	}
	prod := fmt.Sprintf(`apiServer:
  port: %d
  publicHost: localhost
  publicPort: %d
  publicScheme: http
database:
  host: %s
  port: %d
  name: %s
  user: %s
  requireSsl: false
`, port, port, dbc.host, dbc.port, dbc.name, dbc.user)
	passwords := fmt.Sprintf(`production:
  database: '%s'
  serviceSecret: 'loadbench-service-secret'
  authKeySalt: '%s'
  emailPasswordPepper: '%s'
  authCodeSecret: 'loadbench-code-secret-0123456789'
`, dbc.password, benchKeySalt, benchPepper)
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "production.yaml"), []byte(prod), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "passwords.yaml"), []byte(passwords), 0o600); err != nil {
		return err
	}
	if err := os.Chdir(dir); err != nil {
		return err
	}
	module := auth.New(auth.Config{
		// Every attempt counts as failed until its password is checked,
		// so 64 concurrent sign-ins of one account from one address
		// would be refused as too many; the limits are raised (their
		// queries still run) so that every sign-in of the load succeeds.
		MaxAllowedEmailSignInAttempts: 1 << 30,
		MaxFailedAttemptsPerIP:        1 << 30,
		// The parent reads the validation code of its one account from
		// this process's output.
		SendValidationEmail: func(s *pod.Session, email, code string) error {
			fmt.Printf("code %s %s\n", email, code)
			return nil
		},
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ready := make(chan struct{})
	go func() {
		defer close(ready)
		for range 600 {
			resp, err := http.Get("http://" + addr + "/")
			if err == nil {
				resp.Body.Close()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	go func() {
		<-ready
		fmt.Printf("listening %s\n", addr)
	}()
	code := pod.Main([]string{"--mode", "production"}, gopodDispatch(),
		pod.WithModule(module), pod.WithAuthenticationHandler(module.AuthenticationHandler))
	if code != 0 {
		return fmt.Errorf("gopod's server exited with status %d", code)
	}
	return nil
}

type dbSettings struct {
	host, name, user, password string
	port                       int
}

func parseDBURL(s string) (dbSettings, error) {
	cfg, err := pgxpool.ParseConfig(s)
	if err != nil {
		return dbSettings{}, fmt.Errorf("database URL: %w", err)
	}
	c := cfg.ConnConfig
	if c.Host == "" || strings.HasPrefix(c.Host, "/") {
		return dbSettings{}, errors.New("the database must be reachable over TCP")
	}
	return dbSettings{host: c.Host, port: int(c.Port), name: c.Database, user: c.User, password: c.Password}, nil
}
