package main

import (
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gopod/gopod/runtime/pod"
)

// sendAs sends a request to c as a server does, with the given token.
func sendAs(t *testing.T, c *driftChecker, token, database string) {
	t.Helper()
	addr, _, _ := strings.Cut(strings.TrimPrefix(c.env(), pod.DriftCheckEnv+"="), " ")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := pod.DriftCheckRequest{Token: token, Database: database, Module: "shop", Mode: "development"}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		t.Fatal(err)
	}
}

// TestDriftCheckerAnswersItsServerOnly: gopod run makes the comparison
// for a request with its token, logs the outcome as the server would
// (here: the database cannot be reached), and ignores other requests.
func TestDriftCheckerAnswersItsServerOnly(t *testing.T) {
	var logs syncBuffer
	c, err := startDriftChecker(slog.New(slog.NewTextHandler(&logs, nil)), fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	// The request without the token names a database of its own, which
	// would see a connection were the request obeyed.
	trap, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer trap.Close()
	trapped := make(chan struct{}, 1)
	go func() {
		if conn, err := trap.Accept(); err == nil {
			conn.Close()
			trapped <- struct{}{}
		}
	}()
	sendAs(t, c, "not-the-token", "postgres://app@"+trap.Addr().String()+"/shop?sslmode=disable&connect_timeout=5")
	refused := "postgres://app@127.0.0.1:1/shop?sslmode=disable&connect_timeout=5"
	sendAs(t, c, c.token, refused)
	for range 200 {
		if strings.Contains(logs.String(), "could not compare") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case <-trapped:
		t.Error("the request without the token was obeyed: its database was connected to")
	case <-time.After(200 * time.Millisecond):
	}
	c.stop()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `level=WARN msg="could not compare the database with the migrations"`) {
		t.Errorf("want one warning that the database could not be compared, got:\n%s", logs.String())
	}
}

// TestDriftCheckerStopsWithTheServer: a check in flight when the server
// stops ends at once and logs nothing.
func TestDriftCheckerStopsWithTheServer(t *testing.T) {
	// A database that accepts connections and never answers.
	mute, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if conn, err := mute.Accept(); err == nil {
			accepted <- conn
		}
	}()
	var logs syncBuffer
	c, err := startDriftChecker(slog.New(slog.NewTextHandler(&logs, nil)), fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	sendAs(t, c, c.token, "postgres://app@"+mute.Addr().String()+"/shop?sslmode=disable")
	conn := <-accepted // the check is connecting
	defer conn.Close()
	c.stop()
	select {
	case <-c.done:
	default:
		t.Error("stop returned before the check ended")
	}
	if logs.String() != "" {
		t.Errorf("a check cancelled by the server's stop logged:\n%s", logs.String())
	}
}
