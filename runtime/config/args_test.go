package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want Args
	}{
		{"defaults", nil, DefaultArgs()},
		{"long forms", []string{"--mode", "production", "--server-id", "eu-1", "--logging", "verbose", "--role", "maintenance", "--apply-migrations", "--apply-repair-migration"},
			Args{Mode: ModeProduction, ServerID: "eu-1", Logging: LoggingVerbose, Role: RoleMaintenance, ApplyMigrations: true, ApplyRepairMigration: true}},
		{"long forms with =", []string{"--mode=staging", "--role=serverless"},
			Args{Mode: ModeStaging, ServerID: "default", Logging: LoggingNormal, Role: RoleServerless}},
		{"short forms", []string{"-m", "test", "-i", "2", "-l", "verbose", "-r", "serverless", "-a", "-A"},
			Args{Mode: ModeTest, ServerID: "2", Logging: LoggingVerbose, Role: RoleServerless, ApplyMigrations: true, ApplyRepairMigration: true}},
		{"combined short flags", []string{"-aA", "-mproduction"},
			Args{Mode: ModeProduction, ServerID: "default", Logging: LoggingNormal, Role: RoleMonolith, ApplyMigrations: true, ApplyRepairMigration: true}},
		{"positional arguments are kept", []string{"-a", "extra", "--", "-m"},
			Args{Mode: ModeDevelopment, ServerID: "default", Logging: LoggingNormal, Role: RoleMonolith, ApplyMigrations: true, Rest: []string{"extra", "-m"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseArgs(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseArgs(%q)\n got %#v\nwant %#v", tt.args, got, tt.want)
			}
		})
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "prod"}, `--mode: unknown run mode "prod"; use development, test, staging or production`},
		{[]string{"-l", "debug"}, `--logging: unknown logging mode "debug"; use normal or verbose`},
		{[]string{"--role=worker"}, `--role: unknown role "worker"; use monolith, serverless or maintenance`},
		{[]string{"--server-id="}, "--server-id: must not be empty"},
		{[]string{"--apply"}, "unknown flag: --apply"},
		{[]string{"-r"}, "flag needs an argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := ParseArgs(tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseArgs(%q) error = %v, want it to contain %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestParseArgsHelp(t *testing.T) {
	if _, err := ParseArgs([]string{"--help"}); !errors.Is(err, ErrHelp) {
		t.Errorf("--help: error = %v, want ErrHelp", err)
	}
	usage := ArgsUsage()
	for _, flag := range []string{"--mode", "--server-id", "--logging", "--role", "--apply-migrations", "--apply-repair-migration"} {
		if !strings.Contains(usage, flag) {
			t.Errorf("usage does not list %s:\n%s", flag, usage)
		}
	}
}
