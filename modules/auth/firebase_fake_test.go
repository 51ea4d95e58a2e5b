package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// firebaseUsers is a local stand-in for the two Google endpoints Firebase's
// revocation check calls, speaking their real shapes: the OAuth token
// endpoint, which grants an access token for a JWT signed with the
// service account's key (RFC 7523), and the Identity Toolkit's
// POST /v1/projects/{project}/accounts:lookup {"localId": [uid]}, which
// answers {"users": [{"localId", "disabled", "validSince", ...}]} with
// validSince in seconds, as a string.
type firebaseUsers struct {
	t       testing.TB
	srv     *httptest.Server
	key     *rsa.PrivateKey
	email   string
	keyFile string

	mu            sync.Mutex
	tokens        map[string]bool
	tokenRequests int
	lookups       int
	status        int                  // for lookups; 0 means 200
	disabled      map[string]bool      // by uid
	deleted       map[string]bool      // by uid
	validSince    map[string]time.Time // by uid
	seen          map[string]struct{}  // uids looked up
}

func newFirebaseUsers(t testing.TB) *firebaseUsers {
	f := &firebaseUsers{t: t, key: testKey(t, 1), email: "firebase-adminsdk@" + firebaseProj + ".iam.gserviceaccount.com",
		tokens: map[string]bool{}, disabled: map[string]bool{}, deleted: map[string]bool{},
		validSince: map[string]time.Time{}, seen: map[string]struct{}{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("POST /v1/projects/{project}/accounts:lookup", f.lookup)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)

	der, err := x509.MarshalPKCS8PrivateKey(f.key)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": firebaseProj, "private_key_id": "sa-key-1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": f.email, "client_id": "1234567890", "token_uri": f.srv.URL + "/token",
	})
	f.keyFile = filepath.Join(t.TempDir(), "firebase_service_account_key.json")
	if err := os.WriteFile(f.keyFile, file, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *firebaseUsers) fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": status, "message": msg}})
}

func (f *firebaseUsers) token(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenRequests++
	if r.FormValue("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		f.fail(w, 400, "unsupported_grant_type")
		return
	}
	jws, err := jose.ParseSigned(r.FormValue("assertion"), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		f.fail(w, 400, "invalid_grant: "+err.Error())
		return
	}
	payload, err := jws.Verify(&f.key.PublicKey)
	if err != nil {
		f.fail(w, 400, "invalid_grant: bad signature")
		return
	}
	var c struct {
		Iss, Scope, Aud string
		Iat, Exp        int64
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Iss != f.email || c.Aud != f.srv.URL+"/token" ||
		!strings.Contains(c.Scope, "https://www.googleapis.com/auth/identitytoolkit") || c.Exp <= c.Iat {
		f.fail(w, 400, "invalid_grant: claims")
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	tok := "ya29." + hex.EncodeToString(b)
	f.tokens[tok] = true
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "expires_in": 3599, "token_type": "Bearer"})
}

func (f *firebaseUsers) lookup(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	if f.status != 0 {
		f.fail(w, f.status, "UNAVAILABLE")
		return
	}
	if !f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
		f.fail(w, 401, "Request had invalid authentication credentials.")
		return
	}
	if r.PathValue("project") != firebaseProj {
		f.fail(w, 403, "PERMISSION_DENIED")
		return
	}
	var req struct {
		LocalID []string `json:"localId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.fail(w, 400, "INVALID_JSON")
		return
	}
	var users []map[string]any
	for _, uid := range req.LocalID {
		f.seen[uid] = struct{}{}
		if f.deleted[uid] {
			continue
		}
		u := map[string]any{"localId": uid, "lastLoginAt": "1700000000000", "createdAt": "1600000000000"}
		if f.disabled[uid] {
			u["disabled"] = true
		}
		if vs, ok := f.validSince[uid]; ok {
			u["validSince"] = strconv.FormatInt(vs.Unix(), 10)
		}
		users = append(users, u)
	}
	out := map[string]any{"kind": "identitytoolkit#GetAccountInfoResponse"}
	if users != nil {
		out["users"] = users
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (f *firebaseUsers) set(change func(f *firebaseUsers)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}
