package pod

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopod/gopod/runtime/config"
)

// TestEmbeddedOnlyInDevelopment replays the second half of finding 11: a
// staging or production configuration without a database host used to
// start the embedded development database. Now it is refused before
// anything starts, with what to configure.
func TestEmbeddedOnlyInDevelopment(t *testing.T) {
	for _, mode := range []string{config.ModeStaging, config.ModeProduction} {
		dir := t.TempDir()
		cfg, err := config.Parse("x.yaml", []byte("apiServer:\n  port: 8080\n"), mode, "", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = OpenDatabase(context.Background(), cfg, dir, slog.New(slog.DiscardHandler))
		for _, want := range []string{"config/" + mode + ".yaml names no database host", "development and test modes only",
			"SERVERPOD_DATABASE_HOST", "config/passwords.yaml"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: err = %v, want it to say %q", mode, err, want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".gopod")); !os.IsNotExist(err) {
			t.Errorf("%s: .gopod was created: %v", mode, err)
		}
	}
}
