//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/gopod/gopod/modules/auth"
	authdispatch "github.com/gopod/gopod/modules/auth/dispatch"
	"github.com/gopod/gopod/runtime/pod"
	"github.com/gopod/gopod/wire"
)

// projectName is the suite project's module name in serverpod_migrations.
const projectName = "faultsuite"

// statsPath answers the server's goroutine count, which the steady-load
// scenario watches.
const statsPath = "/faultsuite/stats"

// LoadEndpoint is the suite's endpoint, called as load.
type LoadEndpoint struct{ pod.Endpoint }

// RequireLogin: every call is authenticated by the auth module.
func (e *LoadEndpoint) RequireLogin() bool { return true }

// Read reads the caller's user row.
func (e *LoadEndpoint) Read(s *pod.Session) (string, error) {
	id, _ := s.UserID()
	var name *string
	err := s.Querier().QueryRow(s, `SELECT "userName" FROM "serverpod_user_info" WHERE "id" = $1`, id).Scan(&name)
	if err != nil {
		return "", fmt.Errorf("reading user %d: %w", id, err)
	}
	if name == nil {
		return "", nil
	}
	return *name, nil
}

// Write stores (client, seq) and answers seq once it is committed.
func (e *LoadEndpoint) Write(s *pod.Session, client string, seq int64) (int64, error) {
	_, err := s.Querier().Exec(s, `INSERT INTO "ack" ("client", "seq") VALUES ($1, $2)`, client, seq)
	if err != nil {
		return 0, fmt.Errorf("writing %s/%d: %w", client, seq, err)
	}
	return seq, nil
}

// Slow answers after ms milliseconds, for calls in flight at shutdown.
func (e *LoadEndpoint) Slow(s *pod.Session, ms int64) (int64, error) {
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return ms, nil
	case <-s.Done():
		return 0, s.Err()
	}
}

func newDispatch() *pod.Dispatch {
	ep := &LoadEndpoint{}
	d := pod.NewDispatch(projectName)
	d.Add(pod.NewConnector("load", "", ep,
		&pod.Method{Name: "read", Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
			r, err := ep.Read(s)
			if err != nil {
				return err
			}
			e.String(r)
			return nil
		}},
		&pod.Method{Name: "write", Params: []pod.Param{{Name: "client", Type: "String"}, {Name: "seq", Type: "int"}},
			Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
				client, err := pod.Arg(a, "client", wire.DecodeString)
				if err != nil {
					return err
				}
				seq, err := pod.Arg(a, "seq", wire.DecodeInt)
				if err != nil {
					return err
				}
				r, err := ep.Write(s, client, seq)
				if err != nil {
					return err
				}
				e.Int(r)
				return nil
			}},
		&pod.Method{Name: "slow", Params: []pod.Param{{Name: "ms", Type: "int"}},
			Call: func(s *pod.Session, a *pod.Args, e *wire.Encoder) error {
				ms, err := pod.Arg(a, "ms", wire.DecodeInt)
				if err != nil {
					return err
				}
				r, err := ep.Slow(s, ms)
				if err != nil {
					return err
				}
				e.Int(r)
				return nil
			}},
	))
	d.AddModule("serverpod_auth", authdispatch.New())
	return d
}

// serve runs the suite's server as a project's cmd/server runs it, in the
// working directory (the project), with Serverpod's flags.
func serve(args []string) int {
	module := auth.New(auth.Config{
		// The suite reads the code from the server's output.
		SendValidationEmail: func(s *pod.Session, email, code string) error {
			fmt.Fprintf(os.Stdout, "validation-code email=%s code=%s\n", email, code)
			return nil
		},
	})
	stats := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("goroutines") {
			// The stacks, for finding what a growing count is made of.
			_ = pprof.Lookup("goroutine").WriteTo(w, 1)
			return
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		_ = json.NewEncoder(w).Encode(map[string]any{"goroutines": runtime.NumGoroutine(), "heapInuse": m.HeapInuse})
	})
	return pod.Main(args, newDispatch(),
		pod.WithModule(module),
		pod.WithAuthenticationHandler(module.AuthenticationHandler),
		pod.WithRoute(statsPath, stats))
}
