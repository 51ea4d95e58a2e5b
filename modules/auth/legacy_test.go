package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gopod/gopod/modules/auth"
	"github.com/gopod/gopod/modules/auth/internal/password"
)

// Serverpod 2.4's regression values for the password "hunter2" (see the
// spec's conformance vectors): legacy SHA-256 with the default salt, with
// and without the email, 2.4's Argon2id and its migratedLegacy wrapping,
// all without a pepper.
const (
	vecLegacy         = "0713234b3cb6a6f98f6978f17a55a54578c580698dc1d56371502be6abb457eb"
	vecLegacyEmail    = "4005303e6e1effd8bc7293bc3e69fe3a480a88249453aef7f58fdcf264419147"
	vecLegacyEmailFor = "test@serverpod.dev"
	vecArgon2         = "$argon2id$c2VydmVycG9kIHBhc3N3b3JkIHNhbHQ=$lratTXSlVuxb6xwzHQzMu4Ra0pPVl1YLDdR8AwPY0gRlvF/5M7jxf6tODW9+KOgowfbP1tSGFHQebAjEOsmvL5NvAOrFDI3u0mD/414W8wR0Cni1KpATP7p5MHr5OZ2O4gEtOWfSJfgPTcq0X/uWZjRi1m4mc40TkyIFbMOfyO05JtoX0hi6r/4fTlIgIp1s7KgXEwF7B8IrmEb5zdnDgUs4qUifUM+SEH2S59fNBAt5CIviCOK7VreBztQw+L5S58ZHYSWWyB7bHJLcg1pDV9uiBb+q7qmXWJqDUBQjeJMH4nePzDmy7zarA04zQFhd6d5wIfZilJxJb8XXVGKZrQ=="
	vecMigrated       = "$migratedLegacy$c2VydmVycG9kIHBhc3N3b3JkIHNhbHQ=$zr46HulgsH9Kv8dZR/oNKPkltWHz5axYpINct5ZSRM7mgk7DMXeHI4vyPZkAvICQJPG50OKQdRAnIxaIyitIXvQBhQhcdHYZTAc2wOZfXEwDQGFJahy+N8xLwiT2FFlcaR7rorYKIEwpxZ+haihLauN4G4hFPVoftVbHz6KCY0ZzLbrHxbZtHCRWDy/dmlA0OegUu0Q1cwAXTCOZjobWOUn6uEM0/JbRJ26Mhe2UqTOFdSY/SSVIXyYuDrGDuOtm1OhOTcaLFA68FHANSOzlYPPUy6JHOvTeGfcsjdDWF720uVYUSxP5VDb4MvWWRoB212VXasswtNc2xwBOLO++4Q=="
)

// insert24User writes a user as Serverpod 2.4 does, with an email sign-in
// whose hash is given, and returns the user id.
func (e *env) insert24User(email, hash string) int64 {
	e.t.Helper()
	id := e.queryInt(`INSERT INTO serverpod_user_info ("userIdentifier", "userName", "email", "created", "scopeNames", "blocked")
    VALUES ($1, 'legacy', $1, '2024-06-01 12:00:00', '[]', false) RETURNING id`, email)
	e.exec(`INSERT INTO serverpod_email_auth ("userId", "email", "hash") VALUES ($1, $2, $3)`, id, email, hash)
	return id
}

// TestServerpod24PasswordRows signs in users whose rows a Serverpod 2.4
// server wrote, in each of its hash formats, and checks the hash is
// upgraded to PHC Argon2id and still signs in.
func TestServerpod24PasswordRows(t *testing.T) {
	noPepper := map[string]string{auth.PasswordAuthKeySalt: "salty"}
	withPepper := map[string]string{auth.PasswordAuthKeySalt: "salty", auth.PasswordEmailPepper: "2.4 pepper"}
	peppered, err := password.New(password.Config{Pepper: "2.4 pepper", Serverpod24Format: true})
	if err != nil {
		t.Fatal(err)
	}
	pepperedHash, err := peppered.Hash(ctx, "hunter2")
	if err != nil {
		t.Fatal(err)
	}
	customSalt := sha256.Sum256([]byte("hunter2" + "my own salt" + ":" + "salted@example.com"))

	tests := []struct {
		name      string
		passwords map[string]string
		salty     auth.Flag
		email     string
		hash      string
	}{
		{"legacy without email salt", noPepper, auth.Off, newEmail("legacy"), vecLegacy},
		{"legacy with email salt", noPepper, auth.Unset, vecLegacyEmailFor, vecLegacyEmail},
		{"legacy with its own salt", map[string]string{auth.PasswordLegacySalt: "my own salt"}, auth.On, "salted@example.com", hex.EncodeToString(customSalt[:])},
		{"argon2id", noPepper, auth.Unset, newEmail("argon"), vecArgon2},
		{"argon2id with pepper", withPepper, auth.Unset, newEmail("pepper"), pepperedHash},
		{"migratedLegacy", noPepper, auth.Off, newEmail("migrated"), vecMigrated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvWith(t, tt.passwords, func(c *auth.Config) { c.ExtraSaltyHash = tt.salty })
			id := e.insert24User(tt.email, tt.hash)
			c := e.client()
			if r, _ := c.Email.Authenticate(ctx, tt.email, "hunter3"); r.Success {
				t.Fatal("a wrong password signs in")
			}
			if got := e.queryString(`SELECT hash FROM serverpod_email_auth WHERE "userId" = $1`, id); got != tt.hash {
				t.Fatal("a failed sign-in changed the hash")
			}
			r := e.signIn(c, tt.email, "hunter2")
			if *r.UserInfo.ID != id {
				t.Fatalf("signed in as %d, want %d", *r.UserInfo.ID, id)
			}
			upgraded := e.queryString(`SELECT hash FROM serverpod_email_auth WHERE "userId" = $1`, id)
			if !strings.HasPrefix(upgraded, fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", testCost.MemoryKiB, testCost.Time, testCost.Threads)) {
				t.Fatalf("hash after sign-in: %s; want PHC Argon2id", upgraded)
			}
			e.signIn(c, tt.email, "hunter2")
			if r, _ := c.Email.Authenticate(ctx, tt.email, "hunter2 "); r.Success {
				t.Error("the upgraded hash accepts another password")
			}
		})
	}
}

// TestCustomHashHooks: with the generator and validator hooks the module
// stores and checks what they say, and does not upgrade hashes.
func TestCustomHashHooks(t *testing.T) {
	e := newEnv(t, func(c *auth.Config) {
		c.PasswordHashGenerator = func(_ context.Context, pw string) (string, error) { return "plain:" + pw, nil }
		c.PasswordHashValidator = func(_ context.Context, pw, email, hash string) (bool, error) { return hash == "plain:"+pw, nil }
	})
	c := e.client()
	email := newEmail("hooks")
	e.signUp(c, "h", email, "hooked-password")
	if got := e.queryString(`SELECT hash FROM serverpod_email_auth WHERE email = $1`, email); got != "plain:hooked-password" {
		t.Fatalf("stored %q", got)
	}
	e.signIn(c, email, "hooked-password")
	if got := e.queryString(`SELECT hash FROM serverpod_email_auth WHERE email = $1`, email); got != "plain:hooked-password" {
		t.Errorf("the hash was rewritten to %q", got)
	}
}

// TestServerpod24AuthKey: a key row written by 2.4 (sha256 of salt and
// secret) authenticates, with the salt from passwords.yaml.
func TestServerpod24AuthKey(t *testing.T) {
	e := newEnv(t, nil)
	id := e.insert24User(newEmail("key24"), vecLegacy)
	sum := sha256.Sum256([]byte(testPasswords[auth.PasswordAuthKeySalt] + "0123456789abcdefABCDEF-_xyzXYZ01"))
	keyID := e.queryInt(`INSERT INTO serverpod_auth_key ("userId", hash, "scopeNames", method) VALUES ($1, $2, '[]', 'email') RETURNING id`,
		id, hex.EncodeToString(sum[:]))
	for _, tt := range []struct {
		key  string
		want int
	}{
		{fmt.Sprintf("%d:0123456789abcdefABCDEF-_xyzXYZ01", keyID), 200},
		{fmt.Sprintf("%d:0123456789abcdefABCDEF-_xyzXYZ02", keyID), 401},
		{fmt.Sprintf("%d:0123456789abcdefABCDEF-_xyzXYZ01:extra", keyID), 401},
		{fmt.Sprintf("0%d:0123456789abcdefABCDEF-_xyzXYZ01", keyID), 401},
		{"garbage", 401},
	} {
		status, body := e.raw("serverpod_auth.user", `{"method":"changeUserName","userName":"renamed"}`, tt.key)
		if status != tt.want {
			t.Errorf("key %q: status %d (%s), want %d", tt.key, status, body, tt.want)
		}
	}
}

// TestMigrateLegacyPasswordHashes: the batch migration wraps 2.4's legacy
// SHA-256 hashes, with and without the email in them, in Argon2id, leaves
// every other hash alone, and the users sign in as before.
func TestMigrateLegacyPasswordHashes(t *testing.T) {
	for _, tt := range []struct {
		name  string
		salty auth.Flag
		email string
		hash  string
	}{
		{"without email salt", auth.Off, newEmail("batch"), vecLegacy},
		{"with email salt", auth.Unset, vecLegacyEmailFor, vecLegacyEmail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvWith(t, map[string]string{auth.PasswordAuthKeySalt: "salty", auth.PasswordEmailPepper: "batch pepper"},
				func(c *auth.Config) { c.ExtraSaltyHash = tt.salty })
			// Other tests' legacy rows would be migrated too.
			e.exec(`DELETE FROM serverpod_email_auth WHERE hash NOT LIKE '%$%' OR email = $1`, tt.email)
			e.exec(`DELETE FROM serverpod_user_info WHERE email = $1`, tt.email)
			id := e.insert24User(tt.email, tt.hash)
			others := []int64{
				e.insert24User(newEmail("argon"), vecArgon2),
				e.insert24User(newEmail("broken"), "not-a-hash"),
			}
			for range 3 {
				e.insert24User(newEmail("more"), vecLegacy)
			}
			s := e.server.NewSession(ctx)

			n, err := e.module.MigrateLegacyPasswordHashes(s, auth.MigrateOptions{BatchSize: 2, Max: 2})
			if err != nil || n != 2 {
				t.Fatalf("with Max 2: migrated %d, %v", n, err)
			}
			n, err = e.module.MigrateLegacyPasswordHashes(s, auth.MigrateOptions{BatchSize: 2})
			if err != nil || n != 2 {
				t.Fatalf("the rest: migrated %d, %v; want 2", n, err)
			}
			if n, err := e.module.MigrateLegacyPasswordHashes(s, auth.MigrateOptions{}); err != nil || n != 0 {
				t.Fatalf("again: migrated %d, %v; want 0", n, err)
			}
			migrated := e.queryString(`SELECT hash FROM serverpod_email_auth WHERE "userId" = $1`, id)
			if !strings.HasPrefix(migrated, "$migratedLegacy$") {
				t.Fatalf("hash after the migration: %s", migrated)
			}
			if got := e.queryString(`SELECT hash FROM serverpod_email_auth WHERE "userId" = $1`, others[0]); got != vecArgon2 {
				t.Error("an Argon2id hash was changed")
			}
			if got := e.queryString(`SELECT hash FROM serverpod_email_auth WHERE "userId" = $1`, others[1]); got != "not-a-hash" {
				t.Error("a malformed hash was changed")
			}
			// The 2.4 server's format, with the pepper: it verifies there too.
			h24, err := password.New(password.Config{Pepper: "batch pepper", NoLegacyEmailSalt: tt.salty == auth.Off, Serverpod24Format: true})
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := h24.Verify(ctx, "hunter2", tt.email, migrated); !ok || err != nil {
				t.Errorf("the migrated hash does not verify hunter2: %v, %v", ok, err)
			}
			c := e.client()
			if r, _ := c.Email.Authenticate(ctx, tt.email, "hunter3"); r.Success {
				t.Fatal("a wrong password signs in")
			}
			e.signIn(c, tt.email, "hunter2")
			if got := e.queryString(`SELECT hash FROM serverpod_email_auth WHERE "userId" = $1`, id); !strings.HasPrefix(got, "$argon2id$v=19$") {
				t.Errorf("hash after sign-in: %s; want PHC Argon2id", got)
			}
		})
	}

	custom := newEnv(t, func(c *auth.Config) {
		c.PasswordHashValidator = func(context.Context, string, string, string) (bool, error) { return false, nil }
	})
	if _, err := custom.module.MigrateLegacyPasswordHashes(custom.server.NewSession(ctx), auth.MigrateOptions{}); !errors.Is(err, auth.ErrCustomHashing) {
		t.Errorf("with a custom validator: %v, want ErrCustomHashing", err)
	}
}
