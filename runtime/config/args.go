package config

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

// Role is what a server process does.
type Role string

// Server roles, as Serverpod 2.4 names them.
const (
	// RoleMonolith serves the API, web and Insights servers and runs future
	// calls and health checks.
	RoleMonolith Role = "monolith"
	// RoleServerless serves requests but runs no maintenance tasks.
	RoleServerless Role = "serverless"
	// RoleMaintenance serves nothing: it runs maintenance tasks (and
	// migrations when asked) and exits.
	RoleMaintenance Role = "maintenance"
)

// LoggingMode is how much the server logs.
type LoggingMode string

// Logging modes.
const (
	LoggingNormal  LoggingMode = "normal"
	LoggingVerbose LoggingMode = "verbose"
)

// Args are a server's command-line flags.
type Args struct {
	Mode                 string      // --mode, -m
	ServerID             string      // --server-id, -i
	Logging              LoggingMode // --logging, -l
	Role                 Role        // --role, -r
	ApplyMigrations      bool        // --apply-migrations, -a
	ApplyRepairMigration bool        // --apply-repair-migration, -A
	// Rest holds the arguments that are not flags, which Serverpod ignores
	// and the program may use.
	Rest []string
}

// DefaultArgs are the values used for flags that are not given.
func DefaultArgs() Args {
	return Args{
		Mode:     ModeDevelopment,
		ServerID: DefaultServerID,
		Logging:  LoggingNormal,
		Role:     RoleMonolith,
	}
}

// ErrHelp is returned by ParseArgs when -h or --help is given; print
// ArgsUsage and exit 0.
var ErrHelp = pflag.ErrHelp

// ParseArgs parses a server's flags (os.Args[1:]) with Serverpod 2.4's
// names, short forms and defaults. Where Serverpod prints a warning and falls
// back to the defaults for a bad value, ParseArgs returns an error saying
// which flag is wrong and what it accepts, because a production server
// silently starting in development mode is worse than one that does not
// start.
func ParseArgs(args []string) (Args, error) {
	v := flagValues{args: DefaultArgs()}
	fs := v.flagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return v.args, ErrHelp
		}
		return v.args, &Error{Source: "command line", Msg: err.Error() + "; run with --help to list the flags"}
	}
	a := v.args
	if checkMode(a.Mode) != nil {
		return a, &Error{Source: "command line", Key: "--mode", Msg: fmt.Sprintf("unknown run mode %q; use development, test, staging or production", a.Mode)}
	}
	switch LoggingMode(v.logging) {
	case LoggingNormal, LoggingVerbose:
		a.Logging = LoggingMode(v.logging)
	default:
		return a, &Error{Source: "command line", Key: "--logging", Msg: fmt.Sprintf("unknown logging mode %q; use normal or verbose", v.logging)}
	}
	switch Role(v.role) {
	case RoleMonolith, RoleServerless, RoleMaintenance:
		a.Role = Role(v.role)
	default:
		return a, &Error{Source: "command line", Key: "--role", Msg: fmt.Sprintf("unknown role %q; use monolith, serverless or maintenance", v.role)}
	}
	if a.ServerID == "" {
		return a, &Error{Source: "command line", Key: "--server-id", Msg: "must not be empty"}
	}
	if rest := fs.Args(); len(rest) > 0 {
		a.Rest = rest
	}
	return a, nil
}

// flagValues receives the parsed flags; the enumerations are read as strings
// and checked afterwards so that a bad value gets a helpful message.
type flagValues struct {
	args          Args
	logging, role string
}

func (v *flagValues) flagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("server", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.StringVarP(&v.args.Mode, "mode", "m", ModeDevelopment, "run mode: development, test, staging or production")
	fs.StringVarP(&v.args.ServerID, "server-id", "i", DefaultServerID, "id of this server in a cluster (also $"+EnvServerID+")")
	fs.StringVarP(&v.logging, "logging", "l", string(LoggingNormal), "how much to log: normal or verbose")
	fs.StringVarP(&v.role, "role", "r", string(RoleMonolith), "monolith, serverless or maintenance")
	fs.BoolVarP(&v.args.ApplyMigrations, "apply-migrations", "a", false, "apply pending database migrations on start")
	fs.BoolVarP(&v.args.ApplyRepairMigration, "apply-repair-migration", "A", false, "apply the repair migration on start")
	return fs
}

// ArgsUsage describes the server flags, for --help.
func ArgsUsage() string {
	var v flagValues
	return "Flags:\n" + v.flagSet().FlagUsages()
}

// String describes the arguments the way Serverpod logs them at startup.
func (a Args) String() string {
	return fmt.Sprintf("mode: %s, role: %s, logging: %s, serverId: %s", a.Mode, a.Role, a.Logging, a.ServerID)
}
