package config

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Keys of passwords.yaml that Serverpod and its auth module read.
const (
	PasswordDatabase      = "database"
	PasswordRedis         = "redis"
	PasswordServiceSecret = "serviceSecret"
	// PasswordAuthKeySalt is the salt of auth key hashes (serverpod_auth).
	PasswordAuthKeySalt = "authKeySalt"
	// PasswordEmailPepper is the pepper of email password hashes.
	PasswordEmailPepper = "emailPasswordPepper"
	// PasswordEmailSalt is the legacy salt of email password hashes.
	PasswordEmailSalt = "email_password_salt"
)

// passwordEnv maps Serverpod's named password variables to their keys.
var passwordEnv = map[string]string{
	EnvDatabasePassword: PasswordDatabase,
	EnvServiceSecret:    PasswordServiceSecret,
	EnvRedisPassword:    PasswordRedis,
}

// Passwords are the secrets for one run mode, by key.
type Passwords map[string]string

// Get returns the password stored under key.
func (p Passwords) Get(key string) (string, bool) {
	v, ok := p[key]
	return v, ok
}

// Keys lists the password keys in order, for diagnostics that must not
// print the values.
func (p Passwords) Keys() []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LoadPasswords reads the shared section and the runMode section of the
// passwords file at name and applies the environment, in Serverpod's order:
// shared, then the run mode, then SERVERPOD_DATABASE_PASSWORD,
// SERVERPOD_SERVICE_SECRET and SERVERPOD_REDIS_PASSWORD, then
// SERVERPOD_PASSWORD_<key>. A missing file means no passwords. Unlike
// Serverpod, a file that does not parse is an error rather than silently
// empty. env nil means the process environment.
func LoadPasswords(name, runMode string, env map[string]string) (Passwords, error) {
	f, err := readYAML(name)
	if err != nil {
		return nil, err
	}
	if env == nil {
		env = environ()
	}
	return passwordsFrom(f, runMode, env)
}

// ParsePasswords is LoadPasswords for a file already in memory; env nil
// means no environment variables.
func ParsePasswords(name string, data []byte, runMode string, env map[string]string) (Passwords, error) {
	f, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	return passwordsFrom(f, runMode, env)
}

func passwordsFrom(f *yamlFile, runMode string, env map[string]string) (Passwords, error) {
	p := Passwords{}
	for _, sectionName := range []string{"shared", runMode} {
		_, sec := child(f.root, sectionName)
		if isNull(sec) {
			continue
		}
		if sec.Kind != yaml.MappingNode {
			return nil, f.errorAt(sec, sectionName, "expected a mapping of password names to passwords, got "+describe(sec))
		}
		for i := 0; i+1 < len(sec.Content); i += 2 {
			k, v := sec.Content[i], resolve(sec.Content[i+1])
			key := join(sectionName, k.Value)
			if k.Kind != yaml.ScalarNode {
				return nil, f.errorAt(k, sectionName, "password names must be plain strings")
			}
			// Any scalar is taken by its literal text, so 0123 stays
			// 0123; Serverpod would reject an unquoted number.
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				return nil, f.errorAt(v, key, fmt.Sprintf("expected a password string, got %s; write the password in quotes", describe(v)))
			}
			p[k.Value] = v.Value
		}
	}
	for envVar, key := range passwordEnv {
		if v, ok := env[envVar]; ok {
			p[key] = v
		}
	}
	for k, v := range env {
		if name, ok := strings.CutPrefix(k, EnvPasswordPrefix); ok && name != "" {
			p[name] = v
		}
	}
	return p, nil
}
