package auth_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/protocol"
	"github.com/gopod/gopod/runtime/pod"
)

// The scaffold's main.go wires the module with exactly these names.
var (
	_ func(*pod.Session, string, string) error             = auth.LogValidationEmail
	_ func(*pod.Session, *protocol.UserInfo, string) error = auth.LogPasswordResetEmail
	_ pod.Module                                           = auth.New(auth.Config{})
	_ pod.AuthenticationHandler                            = auth.New(auth.Config{}).AuthenticationHandler
)

func TestLogEmails(t *testing.T) {
	var buf bytes.Buffer
	srv := pod.NewServer(pod.NewDispatch("x"), pod.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	s := srv.NewSession(context.Background())
	if err := auth.LogValidationEmail(s, "a@b.cd", "Code1234"); err != nil {
		t.Fatal(err)
	}
	id, email := int64(7), "c@d.ef"
	if err := auth.LogPasswordResetEmail(s, &protocol.UserInfo{ID: &id, Email: &email}, "Reset987"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"email=a@b.cd", "code=Code1234", "email=c@d.ef", "code=Reset987"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// TestLogEmailsRefuseInProduction: outside development and test the
// stand-ins send nothing and log no code, so a production server that was
// never given a mailer cannot leak codes into its logs.
func TestLogEmailsRefuseInProduction(t *testing.T) {
	for _, mode := range []string{"staging", "production"} {
		var buf bytes.Buffer
		srv := pod.NewServer(pod.NewDispatch("x"), pod.WithRunMode(mode), pod.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
		s := srv.NewSession(context.Background())
		err := auth.LogValidationEmail(s, "a@b.cd", "Code1234")
		if err == nil || !strings.Contains(err.Error(), "SendValidationEmail") {
			t.Errorf("%s: validation stand-in: %v", mode, err)
		}
		id := int64(7)
		if err := auth.LogPasswordResetEmail(s, &protocol.UserInfo{ID: &id}, "Reset987"); err == nil {
			t.Errorf("%s: reset stand-in sent", mode)
		}
		if strings.Contains(buf.String(), "Code1234") || strings.Contains(buf.String(), "Reset987") {
			t.Errorf("%s: a code reached the log:\n%s", mode, buf.String())
		}
	}
}

// TestModuleNotRegistered: endpoints of a server without the module fail
// with a clear error instead of a nil dereference.
func TestModuleNotRegistered(t *testing.T) {
	e := newEnv(t, nil)
	srv := pod.NewServer(pod.NewDispatch("x"), pod.WithDatabase(e.db))
	var ep auth.StatusEndpoint
	_, err := ep.GetUserSettingsConfig(srv.NewSession(ctx))
	if err == nil || !strings.Contains(err.Error(), "pod.WithModule") {
		t.Errorf("error %v; want one that says how to register the module", err)
	}
}
