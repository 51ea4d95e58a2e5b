package pod

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/gopod/gopod/runtime/db"
)

// DriftCheckEnv names the environment variable through which gopod run
// offers to compare the database's schema with the latest migration for
// a server built without the comparison (the gopod_noatlas tag, which
// gopod run's development builds use: ariga.io/atlas, which the
// comparison needs, makes every such build slower). Its value is
// "<loopback address> <token>": the server connects to the address and
// sends a DriftCheckRequest holding the token, once it has found no
// pending migrations; gopod run then makes the check and logs its outcome
// as the server would have (LogIntegrity).
const DriftCheckEnv = "GOPOD_RUN_DRIFT_CHECK"

// DriftCheckRequest is what a server sends to the address of DriftCheckEnv,
// as one JSON object.
type DriftCheckRequest struct {
	// Token is the one of DriftCheckEnv: it tells gopod run that the
	// request comes from the server it started.
	Token string `json:"token"`
	// Database is the connection string of the server's database. For
	// the embedded development database it names the socket, the port
	// and the password that only the server knows until it has started.
	Database string `json:"database"`
	// Module is the project's module name in serverpod_migrations.
	Module string `json:"module"`
	// Mode is the server's run mode, which the logged commands name.
	Mode string `json:"mode"`
}

// driftCheckSendTimeout bounds handing the check to gopod run, which only
// has to accept a connection and read a line.
const driftCheckSendTimeout = 5 * time.Second

// handOffDrift asks gopod run to compare the schema, for a server built
// without the comparison (CheckIntegrity answered ErrDriftNotCompared
// with in saying nothing is pending). Without gopod run to ask, or when
// the server is not going to serve and so would not wait for the outcome,
// it says what was not checked, and where it can be.
func (s *Server) handOffDrift(ctx context.Context, in *Integrity, mode string, serving bool) {
	offer := os.Getenv(DriftCheckEnv)
	if offer == "" || !serving {
		s.log.Info("no pending database migrations; the schema was not compared with the latest migration, "+
			"since this server was built without the comparison (the gopod_noatlas tag): gopod migrate --check-drift"+modeFlagFor(mode)+" compares them",
			"version", in.Latest)
		return
	}
	if err := sendDriftCheck(ctx, offer, DriftCheckRequest{
		Database: db.Pool(s.db).Config().ConnString(),
		Module:   s.dispatch.ProjectName,
		Mode:     mode,
	}); err != nil && ctx.Err() == nil {
		s.log.Warn("could not ask gopod run to compare the database with the latest migration", "version", in.Latest, "error", err)
	}
}

// sendDriftCheck sends req to the address offer names, with its token.
func sendDriftCheck(ctx context.Context, offer string, req DriftCheckRequest) error {
	addr, token, ok := strings.Cut(offer, " ")
	if !ok || token == "" {
		return fmt.Errorf("%s is %q, not an address and a token", DriftCheckEnv, offer)
	}
	// The request carries the database's credentials: they only ever go
	// to this machine, whatever the variable says.
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s names %q, not a loopback address", DriftCheckEnv, addr)
	}
	req.Token = token
	ctx, cancel := context.WithTimeout(ctx, driftCheckSendTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	return json.NewEncoder(conn).Encode(req)
}
