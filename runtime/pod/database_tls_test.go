package pod

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gopod/gopod/runtime/config"
	"github.com/gopod/gopod/runtime/db"
)

// testDatabaseConfig is the test database as config/<mode>.yaml would name
// it.
func testDatabaseConfig(t *testing.T, requireSSL bool) config.Database {
	t.Helper()
	u, err := url.Parse(testDB)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		port = 5432
	}
	pw, _ := u.User.Password()
	return config.Database{Host: u.Hostname(), Port: port, User: u.User.Username(), Password: pw,
		Name: strings.TrimPrefix(u.Path, "/"), RequireSSL: requireSSL}
}

// TestConnStringTLSModes: the connection settings built for each value of
// database.requireSsl, as Serverpod 2.4's pool maps it (SslMode.require or
// SslMode.disable).
func TestConnStringTLSModes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		db         config.Database
		wantTLS    bool
		wantSSLArg string
	}{
		{"requireSsl false: no TLS at all", config.Database{Host: "db.example", Port: 5432, User: "u", Name: "n"}, false, "disable"},
		{"requireSsl true: TLS, no plain-text fallback", config.Database{Host: "db.example", Port: 5432, User: "u", Name: "n", RequireSSL: true}, true, "require"},
		{"unix socket: never TLS", config.Database{Host: "/run/postgresql", Port: 5432, User: "u", Name: "n", RequireSSL: true, IsUnixSocket: true}, false, "require"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := connString(tc.db)
			u, err := url.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			if got := u.Query().Get("sslmode"); got != tc.wantSSLArg {
				t.Errorf("sslmode = %q, want %q", got, tc.wantSSLArg)
			}
			cfg, err := pgconn.ParseConfig(s)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.TLSConfig != nil; got != tc.wantTLS {
				t.Errorf("TLS = %t, want %t", got, tc.wantTLS)
			}
			for _, fb := range cfg.Fallbacks {
				if tc.wantTLS && fb.TLSConfig == nil {
					t.Errorf("a fallback to plain text exists: %+v", fb)
				}
				if !tc.wantTLS && fb.TLSConfig != nil {
					t.Errorf("a fallback to TLS exists: %+v", fb)
				}
			}
			if tc.wantTLS && !cfg.TLSConfig.InsecureSkipVerify {
				t.Error("the certificate is verified; 2.4's SslMode.require does not verify it")
			}
		})
	}
}

// TestOpenDatabaseTLS connects to the test PostgreSQL with each value of
// requireSsl and asks the server whether the connection uses TLS. When the
// server has ssl off, requireSsl true must fail; when on, it must be TLS.
func TestOpenDatabaseTLS(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	plain, err := OpenDatabase(ctx, &config.Config{Database: testDatabaseConfig(t, false)}, t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close(ctx)
	if got := connectionUsesTLS(t, plain.DB); got {
		t.Error("requireSsl false: the connection uses TLS")
	}
	var serverSSL string
	if err := plain.DB.QueryRow(ctx, "SHOW ssl").Scan(&serverSSL); err != nil {
		t.Fatal(err)
	}

	secure, err := OpenDatabase(ctx, &config.Config{Database: testDatabaseConfig(t, true)}, t.TempDir(), log)
	if serverSSL != "on" {
		if err == nil {
			secure.Close(ctx)
			t.Fatal("requireSsl true connected to a server with ssl off")
		}
		if !strings.Contains(err.Error(), "requireSsl") {
			t.Errorf("the error does not say why: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer secure.Close(ctx)
	if got := connectionUsesTLS(t, secure.DB); !got {
		t.Error("requireSsl true: the connection does not use TLS")
	}
}

func connectionUsesTLS(t *testing.T, d *db.DB) bool {
	t.Helper()
	var ssl bool
	if err := d.QueryRow(context.Background(), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl); err != nil {
		t.Fatal(err)
	}
	return ssl
}

// TestOpenDatabaseTLSRefused: a server that declines TLS fails a
// requireSsl connection at once, with an error that names the setting.
// The server is a stand-in that answers PostgreSQL's SSLRequest with 'N'.
func TestOpenDatabaseTLSRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				req := make([]byte, 8) // length, then the SSLRequest code
				if _, err := io.ReadFull(c, req); err != nil {
					return
				}
				_, _ = c.Write([]byte{'N'})
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	cfg := &config.Config{Database: config.Database{Host: "127.0.0.1", Port: port, User: "u", Name: "n", RequireSSL: true}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	d, err := OpenDatabase(ctx, cfg, t.TempDir(), slog.New(slog.DiscardHandler))
	if err == nil {
		d.Close(ctx)
		t.Fatal("connected without TLS although requireSsl is true")
	}
	if !strings.Contains(err.Error(), "database.requireSsl is true but the server at 127.0.0.1:") {
		t.Errorf("error = %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("retried a refusal for %v", time.Since(start))
	}
}
