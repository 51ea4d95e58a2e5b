package pod

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
)

// TestNoAtlasBuildLeavesAtlasOut: a server built with the gopod_noatlas
// tag, as gopod run builds one for development, compiles and does not link
// ariga.io/atlas (nor what it brings), and one built without the tag
// does, so that the comparison at start is there in staging and
// production builds.
func TestNoAtlasBuildLeavesAtlasOut(t *testing.T) {
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goCmd); err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to list the dependencies with")
		}
	}
	// The runtime and the modules are what a project's cmd/server imports
	// of gopod.
	packages := []string{"github.com/gopod/gopod/runtime/pod", "github.com/gopod/gopod/modules/..."}
	for _, tc := range []struct {
		tags      string
		wantAtlas bool
	}{
		{"", true},
		{"gopod_noatlas", false},
	} {
		// The build compiles, too: no test here runs it otherwise.
		if out, err := exec.Command(goCmd, append([]string{"build", "-tags", tc.tags}, packages...)...).CombinedOutput(); err != nil {
			t.Fatalf("go build -tags %q: %v\n%s", tc.tags, err, out)
		}
		cmd := exec.Command(goCmd, append([]string{"list", "-deps", "-tags", tc.tags}, packages...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps -tags %q: %v\n%s", tc.tags, err, stderrOf(err))
		}
		var atlas []string
		for _, pkg := range strings.Fields(string(out)) {
			for _, heavy := range []string{"ariga.io/", "github.com/hashicorp/hcl", "github.com/zclconf/go-cty"} {
				if strings.HasPrefix(pkg, heavy) {
					atlas = append(atlas, pkg)
				}
			}
		}
		if got := len(atlas) > 0; got != tc.wantAtlas {
			t.Errorf("tags %q: links atlas %v, want %v (%q)", tc.tags, got, tc.wantAtlas, atlas)
		}
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// TestHandOffDrift: a server built without the schema comparison asks gopod
// run for it with its database's connection string, its module and its
// mode, and logs nothing; run on its own, it says the comparison was not
// made and how to make it.
func TestHandOffDrift(t *testing.T) {
	const conn = "postgres://app:secret@127.0.0.1:1/shop?sslmode=disable"
	pool, err := pgxpool.New(context.Background(), conn) // connects lazily: never here
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	in := &Integrity{Latest: shopV1, Installed: shopV1}

	t.Run("under gopod run", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		t.Setenv(DriftCheckEnv, ln.Addr().String()+" tok3n")
		got := make(chan DriftCheckRequest, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			var req DriftCheckRequest
			_ = json.NewDecoder(c).Decode(&req)
			got <- req
		}()
		var logs bytes.Buffer
		s := NewServer(NewDispatch("shop"), WithDatabase(db.New(pool)), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		s.handOffDrift(context.Background(), in, config.ModeTest, true)
		want := DriftCheckRequest{Token: "tok3n", Database: conn, Module: "shop", Mode: config.ModeTest}
		if req := <-got; req != want {
			t.Errorf("request %+v, want %+v", req, want)
		}
		if logs.Len() != 0 {
			t.Errorf("the server logged:\n%s", logs.String())
		}
	})

	for _, tc := range []struct {
		name    string
		offer   string
		serving bool
	}{
		{"on its own", "", true},
		// The maintenance role exits before gopod run could answer.
		{"under gopod run, not serving", "127.0.0.1:1 tok3n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(DriftCheckEnv, tc.offer)
			var logs bytes.Buffer
			s := NewServer(NewDispatch("shop"), WithDatabase(db.New(pool)), WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			s.handOffDrift(context.Background(), in, config.ModeTest, tc.serving)
			for _, want := range []string{"level=INFO", "not compared", "gopod migrate --check-drift --mode test", "version=" + shopV1} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the record lacks %q:\n%s", want, logs.String())
				}
			}
		})
	}
}

// TestDriftCheckGoesToLoopbackOnly: the request carries the database's
// password, so an offer naming another machine is refused before any
// connection is made.
func TestDriftCheckGoesToLoopbackOnly(t *testing.T) {
	for _, offer := range []string{"192.0.2.1:9000 tok3n", "example.com:9000 tok3n", "[2001:db8::1]:9000 tok3n", "no-port tok3n", "127.0.0.1:9000"} {
		err := sendDriftCheck(context.Background(), offer, DriftCheckRequest{Database: "postgres://app:secret@db/shop"})
		if err == nil || !strings.Contains(err.Error(), DriftCheckEnv) {
			t.Errorf("offer %q: %v, want a refusal naming %s", offer, err, DriftCheckEnv)
		}
	}
}
