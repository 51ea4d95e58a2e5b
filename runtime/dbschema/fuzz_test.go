package dbschema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join("testdata", "serverpod24", name))
		if err != nil {
			f.Fatal(err)
		}
		// Small seeds keep the fuzzer's mutation and minimization fast.
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			f.Fatal(err)
		}
		f.Add(compact.Bytes())
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"moduleName":"m","tables":[{"name":"t","schema":"public","columns":[{"name":"id","columnType":6,"isNullable":false}],"foreignKeys":[],"indexes":[]}],"installedModules":[],"migrationApiVersion":1}`))
	f.Add([]byte(`{"actions":[{"type":"deleteTable","deleteTable":"t"}],"warnings":[{"type":"tableDropped","message":"m","table":"t","columns":[],"destrucive":true}],"migrationApiVersion":1}`))
}

// FuzzDecodeDefinition: a definition file never panics the decoder, and
// whatever decodes encodes to a fixed point.
func FuzzDecodeDefinition(f *testing.F) {
	addSeeds(f, "definition_extras.json", "definition_project.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := DecodeDefinition(data)
		if err != nil {
			return
		}
		once := EncodeDefinition(d)
		d2, err := DecodeDefinition(once)
		if err != nil {
			t.Fatalf("re-decoding the encoded definition: %v", err)
		}
		if twice := EncodeDefinition(d2); !bytes.Equal(once, twice) {
			t.Fatalf("encoding is not stable:\n%s\n%s", once, twice)
		}
		// Converting to a realm must fail cleanly or succeed, never panic.
		_, _ = ToRealm(d)
		_, _ = DefinitionSQL(d)
	})
}

// FuzzDecodeMigration: a migration file never panics the decoder, and
// whatever decodes encodes to a fixed point.
func FuzzDecodeMigration(f *testing.F) {
	addSeeds(f, "migration_alter.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMigration(data)
		if err != nil {
			return
		}
		once := EncodeMigration(m)
		m2, err := DecodeMigration(once)
		if err != nil {
			t.Fatalf("re-decoding the encoded migration: %v", err)
		}
		if twice := EncodeMigration(m2); !bytes.Equal(once, twice) {
			t.Fatalf("encoding is not stable:\n%s\n%s", once, twice)
		}
	})
}
