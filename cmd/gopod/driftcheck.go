package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gopod/gopod/runtime/db"
	"github.com/gopod/gopod/runtime/pod"
)

// driftChecker compares the database with the latest migration for a
// server that gopod run built without the comparison (the gopod_noatlas
// tag, see project.NoAtlasTag): the server asks for it through
// pod.DriftCheckEnv once it has found no pending migrations, and the
// outcome is logged as the server would have logged it. gopod links the
// comparison anyway, for gopod migrate --check-drift.
type driftChecker struct {
	ln      net.Listener
	token   string
	log     *slog.Logger
	project fs.FS
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
}

// maxDriftCheckRequest bounds what a connection may send: a connection
// string and a few names.
const maxDriftCheckRequest = 64 << 10

// driftCheckReadTimeout bounds reading a request; the server writes it at
// once.
const driftCheckReadTimeout = 5 * time.Second

// driftCheckStopTimeout bounds how long stop waits for a check in flight,
// which cancelling ends at once unless the database does not answer.
const driftCheckStopTimeout = 5 * time.Second

// startDriftChecker listens on loopback for the server's request. The
// project's migrations are read from project.
func startDriftChecker(log *slog.Logger, project fs.FS) (*driftChecker, error) {
	token := make([]byte, 16)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the server's schema comparison request: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &driftChecker{ln: ln, token: hex.EncodeToString(token), log: log, project: project, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	go c.serve()
	return c, nil
}

// env is the variable that tells the server where to send its request.
func (c *driftChecker) env() string {
	return pod.DriftCheckEnv + "=" + c.ln.Addr().String() + " " + c.token
}

// stop ends the checks, as the server has stopped: a check in flight is
// cancelled and logs nothing.
func (c *driftChecker) stop() {
	c.cancel()
	c.ln.Close()
	select {
	case <-c.done:
	case <-time.After(driftCheckStopTimeout):
	}
}

func (c *driftChecker) serve() {
	var checks sync.WaitGroup
	defer close(c.done)
	defer checks.Wait()
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return // stop closed the listener
		}
		checks.Go(func() {
			req, ok := c.read(conn)
			conn.Close()
			if ok {
				c.check(req)
			}
		})
	}
}

// read reads a request and reports whether it holds the token, that is,
// comes from the server gopod run started; anything else is ignored.
func (c *driftChecker) read(conn net.Conn) (pod.DriftCheckRequest, bool) {
	var req pod.DriftCheckRequest
	_ = conn.SetReadDeadline(time.Now().Add(driftCheckReadTimeout))
	if err := json.NewDecoder(io.LimitReader(conn, maxDriftCheckRequest)).Decode(&req); err != nil {
		return req, false
	}
	return req, subtle.ConstantTimeCompare([]byte(req.Token), []byte(c.token)) == 1
}

// check compares the server's database with the latest migration, with
// the server's own bounds, and logs the outcome unless the server stopped
// meanwhile.
func (c *driftChecker) check(req pod.DriftCheckRequest) {
	ctx, cancel := context.WithTimeout(c.ctx, pod.IntegrityCheckTimeout)
	defer cancel()
	in, err := checkIntegrity(ctx, req.Database, c.project, req.Module)
	if c.ctx.Err() != nil {
		return
	}
	pod.LogIntegrity(ctx, c.log, in, err, req.Mode)
}

func checkIntegrity(ctx context.Context, conn string, project fs.FS, module string) (*pod.Integrity, error) {
	d, err := db.Open(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return pod.CheckIntegrity(ctx, d, project, module)
}
