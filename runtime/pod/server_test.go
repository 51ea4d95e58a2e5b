package pod

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gopod/gopod/wire"
)

// testException stands in for a generated `exception:` model.
type testException struct{ Reason string }

func (e *testException) Error() string     { return "test exception: " + e.Reason }
func (e *testException) ClassName() string { return "MyException" }
func (e *testException) EncodeJSON(enc *wire.Encoder) {
	enc.ObjectStart()
	enc.Key("reason")
	enc.String(e.Reason)
	enc.ObjectEnd()
}

type exampleEndpoint struct{ Endpoint }

type secureEndpoint struct{ Endpoint }

func (secureEndpoint) RequireLogin() bool { return true }

type adminEndpoint struct{ Endpoint }

func (adminEndpoint) RequiredScopes() []string { return []string{ScopeAdmin} }

// testDispatch is shaped like the code `gopod generate` writes.
func testDispatch() *Dispatch {
	d := NewDispatch("test")
	d.Add(NewConnector("example", "", &exampleEndpoint{},
		&Method{Name: "hello", Params: []Param{{Name: "name", Type: "String"}}, Call: func(s *Session, a *Args, e *wire.Encoder) error {
			name, err := Arg(a, "name", wire.DecodeString)
			if err != nil {
				return err
			}
			e.String("Hello " + name)
			return nil
		}},
		&Method{Name: "add", Params: []Param{{Name: "a", Type: "int"}, {Name: "b", Type: "int?", Nullable: true}}, Call: func(s *Session, a *Args, e *wire.Encoder) error {
			x, err := Arg(a, "a", wire.DecodeInt)
			if err != nil {
				return err
			}
			y, err := ArgPtr(a, "b", wire.DecodeInt)
			if err != nil {
				return err
			}
			if y != nil {
				x += *y
			}
			e.Int(x)
			return nil
		}},
		&Method{Name: "boom", Call: func(*Session, *Args, *wire.Encoder) error { panic("kaboom") }},
		&Method{Name: "fail", Call: func(*Session, *Args, *wire.Encoder) error { return errors.New("database is down") }},
		&Method{Name: "throw", Call: func(*Session, *Args, *wire.Encoder) error {
			return &testException{Reason: "nope"}
		}},
		&Method{Name: "nothing", Call: func(s *Session, a *Args, e *wire.Encoder) error { e.Null(); return nil }},
	))
	whoami := &Method{Name: "whoami", Call: func(s *Session, a *Args, e *wire.Encoder) error {
		id, ok := s.UserID()
		if !ok {
			e.Null()
			return nil
		}
		e.Int(id)
		return nil
	}}
	d.Add(NewConnector("secure", "", &secureEndpoint{}, whoami))
	d.Add(NewConnector("admin", "", &adminEndpoint{}, whoami))
	mod := NewDispatch("serverpod_auth")
	mod.Add(NewConnector("status", "serverpod_auth", &exampleEndpoint{}, whoami))
	d.AddModule("serverpod_auth", mod)
	return d
}

func testAuth(s *Session, key string) (*AuthenticationInfo, error) {
	switch key {
	case "42:secret":
		return &AuthenticationInfo{UserID: 42, AuthID: "42"}, nil
	case "1:admin":
		return &AuthenticationInfo{UserID: 1, Scopes: []string{ScopeAdmin}, AuthID: "1"}, nil
	case "crash":
		return nil, errors.New("auth store unreachable")
	}
	return nil, nil
}

func basic(key string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(key)) }

func TestWireContract(t *testing.T) {
	srv := NewServer(testDispatch(), WithAuthenticationHandler(testAuth), WithLogger(slog.New(slog.DiscardHandler)))
	ts := httptest.NewServer(srv)
	defer ts.Close()

	big := `{"method":"hello","name":"` + strings.Repeat("x", DefaultMaxRequestSize) + `"}`
	for _, tc := range []struct {
		name     string
		method   string
		path     string
		body     string
		auth     string
		status   int
		wantBody string
		jsonBody bool
	}{
		{name: "method in body", path: "/example", body: `{"method":"hello","name":"Bob"}`, status: 200, wantBody: `"Hello Bob"`, jsonBody: true},
		{name: "method in path", path: "/example/hello", body: `{"name":"Bob"}`, status: 200, wantBody: `"Hello Bob"`, jsonBody: true},
		{name: "query parameters merged", path: "/example?method=hello&name=Andy", status: 200, wantBody: `"Hello Andy"`, jsonBody: true},
		{name: "query overrides body", path: "/example/hello?name=Query", body: `{"name":"Body"}`, status: 200, wantBody: `"Hello Query"`, jsonBody: true},
		{name: "int from query text", path: "/example/add?a=40&b=2", status: 200, wantBody: `42`, jsonBody: true},
		{name: "nullable parameter absent", path: "/example/add", body: `{"a":1}`, status: 200, wantBody: `1`, jsonBody: true},
		{name: "void result is null", path: "/example/nothing", status: 200, wantBody: `null`, jsonBody: true},
		{name: "missing parameter", path: "/example", body: `{"method":"hello"}`, status: 400, wantBody: "Missing required query parameter: name\n"},
		{name: "wrong parameter type", path: "/example/add", body: `{"a":"one"}`, status: 400, wantBody: "Invalid value for parameter a: expected an int, got the string \"one\"\n"},
		{name: "unknown endpoint", path: "/nope", body: `{"method":"hello"}`, status: 404, wantBody: "Endpoint nope not found\n"},
		{name: "unknown module endpoint", path: "/serverpod_auth.nope", body: `{"method":"x"}`, status: 404, wantBody: "Endpoint serverpod_auth.nope not found\n"},
		{name: "unknown method", path: "/example", body: `{"method":"goodbye"}`, status: 400, wantBody: "Method \"goodbye\" not found in endpoint: example\n"},
		{name: "no method", path: "/example", body: `{"name":"x"}`, status: 400, wantBody: "No method name specified in call to example\n"},
		{name: "invalid JSON", path: "/example", body: `{"method":`, status: 400, wantBody: "Invalid JSON in body: {\"method\":\n"},
		{name: "body not an object", path: "/example", body: `[1]`, status: 400, wantBody: "Invalid JSON in body: [1]\n"},
		{name: "invalid endpoint name", path: "/a.b.c", body: `{"method":"x"}`, status: 400, wantBody: "Endpoint a.b.c is not a valid endpoint name\n"},
		{name: "body too large", path: "/example", body: big, status: 413, wantBody: "Request size exceeds the maximum allowed size of 524288 bytes."},
		{name: "panic", path: "/example/boom", status: 500, wantBody: "Internal server error. Call log id: 1\n"},
		{name: "error", path: "/example/fail", status: 500, wantBody: "Internal server error. Call log id: 2\n"},
		{name: "serializable exception", path: "/example/throw", status: 400, wantBody: `{"className":"MyException","data":{"reason":"nope"}}`, jsonBody: true},
		{name: "malformed basic header", path: "/example/hello", body: `{"name":"x"}`, auth: "Basic not base64!", status: 400, wantBody: "Request has invalid \"authorization\" header: Basic not base64!\n"},
		{name: "basic header with three tokens", path: "/example/hello", body: `{"name":"x"}`, auth: "Basic YQ== YQ==", status: 400, wantBody: "Request has invalid \"authorization\" header: Basic YQ== YQ==\n"},
		{name: "login required without credentials", path: "/secure/whoami", status: 401},
		{name: "login required with a bad key", path: "/secure/whoami", auth: basic("42:wrong"), status: 401},
		{name: "login required with a key", path: "/secure/whoami", auth: basic("42:secret"), status: 200, wantBody: `42`, jsonBody: true},
		{name: "legacy auth in body", path: "/secure", body: `{"method":"whoami","auth":"42:secret"}`, status: 200, wantBody: `42`, jsonBody: true},
		{name: "missing scope", path: "/admin/whoami", auth: basic("42:secret"), status: 403},
		{name: "scope held", path: "/admin/whoami", auth: basic("1:admin"), status: 200, wantBody: `1`, jsonBody: true},
		{name: "failing auth handler", path: "/secure/whoami", auth: basic("crash"), status: 500, wantBody: "Internal server error. Call log id: 3\n"},
		{name: "module endpoint", path: "/serverpod_auth.status", body: `{"method":"whoami"}`, auth: basic("42:secret"), status: 200, wantBody: `42`, jsonBody: true},
		{name: "module endpoint, path form", path: "/serverpod_auth.status/whoami", status: 200, wantBody: `null`, jsonBody: true},
		{name: "options preflight", method: "OPTIONS", path: "/example", status: 200, wantBody: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "POST"
			}
			req, _ := http.NewRequest(method, ts.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (body %q)", resp.StatusCode, tc.status, body)
			}
			if tc.status != 401 && tc.status != 403 && string(body) != tc.wantBody {
				t.Errorf("body %q, want %q", body, tc.wantBody)
			}
			if (tc.status == 401 || tc.status == 403) && len(body) != 0 {
				t.Errorf("body %q, want empty", body)
			}
			if tc.jsonBody && resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Error("missing CORS header")
			}
		})
	}
}

var okLine = regexp.MustCompile(`^OK \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}(\d{3})?Z\n$`)

func TestHealthCheck(t *testing.T) {
	healthy := true
	srv := NewServer(NewDispatch("test"), WithLogger(slog.New(slog.DiscardHandler)),
		WithHealthCheck(func(_ context.Context) (string, string, bool) { return "serverpod_database", "unreachable", healthy }))
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		return rec.Code, rec.Body.String()
	}
	code, body := get()
	if code != 200 || !okLine.MatchString(body) {
		t.Errorf("healthy: %d %q", code, body)
	}
	healthy = false
	code, body = get()
	if code != 200 || !strings.HasPrefix(body, "SADNESS ") || !strings.HasSuffix(body, "\nserverpod_database: unreachable\n") {
		t.Errorf("unhealthy: %d %q", code, body)
	}
}
