package migrate

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"serverpod file", "BEGIN;\n\n--\n-- ACTION DROP TABLE\n--\nDROP TABLE \"a\" CASCADE;\n\nCOMMIT;\n",
			[]string{"BEGIN", `DROP TABLE "a" CASCADE`, "COMMIT"}},
		{"semicolon in string", "INSERT INTO t VALUES ('a;b'), ('it''s; fine');SELECT 1",
			[]string{"INSERT INTO t VALUES ('a;b'), ('it''s; fine')", "SELECT 1"}},
		{"escape string", `SELECT E'a\';b';SELECT 2;`, []string{`SELECT E'a\';b'`, "SELECT 2"}},
		{"identifier ending in e is not an escape string", `SELECT name'x' ; SELECT 'a\';`, []string{`SELECT name'x'`, `SELECT 'a\'`}},
		{"quoted identifier", `CREATE TABLE "we;ird""x" (a int);`, []string{`CREATE TABLE "we;ird""x" (a int)`}},
		{"line comment", "SELECT 1; -- a; b\nSELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"nested block comment", "/* a; /* b; */ c; */ SELECT 1;", []string{"SELECT 1"}},
		{"dollar quotes", "DO $$ BEGIN PERFORM 1; END $$;\nCREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;",
			[]string{"DO $$ BEGIN PERFORM 1; END $$", "CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql"}},
		{"positional parameter is no dollar quote", "PREPARE p AS SELECT $1; EXECUTE p(1);", []string{"PREPARE p AS SELECT $1", "EXECUTE p(1)"}},
		{"sql function body", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3;",
			[]string{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END", "SELECT 3"}},
		{"case in a create statement", "CREATE VIEW v AS SELECT CASE WHEN true THEN 1 END AS x; SELECT 2;",
			[]string{"CREATE VIEW v AS SELECT CASE WHEN true THEN 1 END AS x", "SELECT 2"}},
		{"parentheses", "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2); SELECT 3;",
			[]string{"CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2)", "SELECT 3"}},
		{"no final semicolon", "SELECT 1;\nSELECT 2\n\n", []string{"SELECT 1", "SELECT 2"}},
		{"empty statements", ";;  ;\n", nil},
		{"unterminated string", "SELECT 'abc;", []string{"SELECT 'abc;"}},
		{"non-ASCII", "COMMENT ON TABLE t IS 'Grüße; ok'; SELECT 'ü';", []string{"COMMENT ON TABLE t IS 'Grüße; ok'", "SELECT 'ü'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts := splitStatements(tt.src)
			var got []string
			for _, s := range stmts {
				got = append(got, s.text)
				if !strings.HasPrefix(tt.src[s.offset:], s.text) {
					t.Errorf("offset %d does not point at %q", s.offset, s.text)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("split(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := map[string]txControl{
		"BEGIN":             txBegin,
		"begin transaction": txBegin,
		"START TRANSACTION ISOLATION LEVEL SERIALIZABLE": txBegin,
		"COMMIT":                       txEnd,
		"end":                          txEnd,
		"COMMIT PREPARED 'x'":          txOther,
		"ROLLBACK":                     txOther,
		"ABORT":                        txOther,
		"ROLLBACK TO SAVEPOINT a":      txNone,
		"SAVEPOINT a":                  txNone,
		"PREPARE TRANSACTION 'x'":      txOther,
		"PREPARE p AS SELECT 1":        txNone,
		`CREATE TABLE "begin" (x int)`: txNone,
		"START_TIME":                   txNone,
	}
	for text, want := range tests {
		if got := classify(statement{text: text}); got != want {
			t.Errorf("classify(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestPosition(t *testing.T) {
	src := "ab\nçdé\nx"
	tests := []struct{ offset, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {len("ab\nçd"), 2, 3}, {len("ab\nçdé\n"), 3, 1},
	}
	for _, tt := range tests {
		if line, col := position(src, tt.offset); line != tt.line || col != tt.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tt.offset, line, col, tt.line, tt.col)
		}
	}
	// PostgreSQL counts characters from 1.
	text := "SELECT 'é', nope"
	if got := text[runeOffset(text, 13):]; got != "nope" {
		t.Errorf("runeOffset(13) points at %q, want nope", got)
	}
}

func FuzzSplitStatements(f *testing.F) {
	for _, seed := range []string{
		"BEGIN;\nCREATE TABLE \"a\" (\"id\" bigserial PRIMARY KEY);\nCOMMIT;\n",
		"SELECT 'a;b', E'\\';', \"x;y\", $$;$$, $t$ $$ ; $t$; /* ; /* ; */ */ -- ;\n",
		"CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END; (;);",
		"$", "'", "/*", "E'\\", "$a", "ü;é",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		prevEnd := 0
		for _, s := range splitStatements(src) {
			if s.offset < prevEnd || s.offset+len(s.text) > len(src) {
				t.Fatalf("statement %q at %d overlaps or overruns (previous ended at %d)", s.text, s.offset, prevEnd)
			}
			if src[s.offset:s.offset+len(s.text)] != s.text || s.text == "" {
				t.Fatalf("statement %q does not match the source at %d", s.text, s.offset)
			}
			prevEnd = s.offset + len(s.text)
		}
	})
}
