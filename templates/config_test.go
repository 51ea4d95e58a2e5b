package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gopod/gopod/runtime/config"
)

// TestCreatedConfigLoads: every run mode's file a new project gets loads,
// and the files for servers behind a load balancer say to set its
// addresses as trusted proxies.
func TestCreatedConfigLoads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if _, err := Create(CreateOptions{Dir: dir, Name: "shop", Module: "example.com/shop", GopodDir: "/opt/gopod", GopodGoMod: gopodGoMod, GopodGoSum: []byte("sum\n"), Auth: true}); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{config.ModeDevelopment, config.ModeTest, config.ModeStaging, config.ModeProduction} {
		cfg, err := config.Load(config.Options{Dir: dir, RunMode: mode, Env: map[string]string{}})
		if err != nil {
			t.Errorf("%s: %v", mode, err)
			continue
		}
		if mode == config.ModeStaging || mode == config.ModeProduction {
			text, _ := os.ReadFile(filepath.Join(dir, "config", mode+".yaml"))
			if !strings.Contains(string(text), "trustedProxies") || !strings.Contains(string(text), "SERVERPOD_HTTP_TRUSTED_PROXIES") {
				t.Errorf("%s.yaml says nothing of trusted proxies:\n%s", mode, text)
			}
			if cfg.HTTP.TrustedProxies != nil || cfg.Database.Embedded {
				t.Errorf("%s: trusted proxies %v, embedded database %v", mode, cfg.HTTP.TrustedProxies, cfg.Database.Embedded)
			}
		}
	}
}
