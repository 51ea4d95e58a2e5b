package model

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PostgreSQL truncates identifiers at 63 bytes. Serverpod keeps 7 of them
// free in table names for the "_id_seq" and "_fk_<n>" suffixes it derives,
// and 2 in column names for the "Id" suffix of implicit foreign keys.
const (
	maxIdentifierLength = 63
	maxTableNameLength  = maxIdentifierLength - 7
	maxFieldNameLength  = maxIdentifierLength - 2
	maxIndexNameLength  = maxIdentifierLength
)

// The name rules of Serverpod's string validators. RE2 has no look-behind;
// Serverpod's PascalCase pattern only uses one that always holds, so it
// reduces to the simpler form below.
var (
	classNameRE       = regexp.MustCompile(`^[A-Z]([A-Z0-9]*[a-z0-9]*)*([A-Z])?$`)
	camelCaseRE       = regexp.MustCompile(`^[a-z]+((\d)|([A-Z0-9][a-z0-9]+))*([A-Z])?$`)
	camelCaseUpperRE  = regexp.MustCompile(`^[a-z]+([A-Z][a-z0-9]*)*$`)
	pascalCaseRE      = regexp.MustCompile(`^[A-Z][a-zA-Z0-9]*$`)
	allCapsRE         = regexp.MustCompile(`^[A-Z]+$`)
	snakeCaseRE       = regexp.MustCompile(`^[a-z]+[a-z0-9_]*$`)
	mixedSnakeCaseRE  = regexp.MustCompile(`^[a-z]+((\d)|([A-Z0-9_][a-z0-9_]+))*([A-Z])?$`)
	enumValueRE       = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	typeIdentifierRE  = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)
	moduleNicknameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	durationLiteralRE = regexp.MustCompile(`^(\d+(d|h|min|s|ms)\s*)+$`)
)

// isValidFieldName reports whether name is an acceptable Dart variable name.
func isValidFieldName(name string) bool {
	return utf8.RuneCountInString(name) == 1 || camelCaseRE.MatchString(name) || camelCaseUpperRE.MatchString(name)
}

// isTolerableFieldName reports whether an invalid field name is still close
// enough to a Dart name that Serverpod only advises against it.
func isTolerableFieldName(name string) bool {
	if isValidFieldName(name) {
		return false
	}
	return allCapsRE.MatchString(name) || pascalCaseRE.MatchString(name) || snakeCaseRE.MatchString(name)
}

// reservedClassNames would shadow types of the model language. Serverpod
// reserves the first five; gopod also reserves the remaining scalar names,
// which Serverpod accepts but then generates uncompilable code for.
var reservedClassNames = map[string]bool{
	"List": true, "Set": true, "Map": true, "String": true, "DateTime": true,
	"Duration": true, "UuidValue": true, "Uri": true, "BigInt": true, "ByteData": true,
}

// reservedWords may not name a field or an enum value: they are Dart
// keywords or members every generated class has.
var reservedWords = setOf(
	"toJson", "toJsonForProtocol", "fromJson", "toString", "hashCode", "runtimeType", "noSuchMethod",
	"abstract", "else", "import", "super", "as", "enum", "in", "switch", "assert", "export",
	"interface", "sync", "async", "extend", "is", "this", "await", "extension", "library", "throw",
	"break", "external", "mixin", "true", "case", "factory", "new", "try", "class", "final", "catch",
	"false", "null", "typedef", "on", "var", "const", "finally", "operator", "void", "continue",
	"for", "part", "while", "covariant", "function", "rethrow", "with", "default", "get", "return",
	"yield", "deferred", "hide", "set", "do", "if", "show", "dynamic", "implements", "static",
)

// reservedTableFieldNames clash with the generated database helpers of table classes.
var reservedTableFieldNames = setOf(
	"count", "insert", "update", "deleteRow", "delete", "findById", "findSingleRow", "find",
	"setColumn", "toJsonForDatabase", "tableName", "include", "db", "table",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// capitalize upper-cases the first letter and lower-cases the rest, which is
// what Serverpod's string helper does when it builds implicit field names.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[size:])
}

// camelCase joins the words of s (split at spaces and underscores) in camel
// case. Every word after the first is capitalized, so "userNotes" becomes
// "Usernotes": implicit foreign key names depend on this exact spelling.
func camelCase(s string, lowerFirst bool) string {
	parts := splitKeepEmpty(s)
	var b strings.Builder
	for i, p := range parts {
		if i == 0 && lowerFirst {
			b.WriteString(strings.ToLower(p))
		} else {
			b.WriteString(capitalize(p))
		}
	}
	return b.String()
}

// splitKeepEmpty splits s at every space and underscore, keeping empty words.
func splitKeepEmpty(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '_' {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// truncateIdentifier shortens identifier to maxLength, replacing its tail
// with the start of its SHA-256 digest so that different long names stay
// different.
func truncateIdentifier(identifier string, maxLength int) string {
	const hashLength = 4
	if len(identifier) <= maxLength {
		return identifier
	}
	sum := sha256.Sum256([]byte(identifier))
	return identifier[:maxLength-hashLength] + hex.EncodeToString(sum[:])[:hashLength]
}

// implicitIDFieldName is the name of the foreign key field injected for a
// relation field: the field name, truncated to leave room for "Id".
func implicitIDFieldName(fieldName string) string {
	return truncateIdentifier(fieldName, maxFieldNameLength) + "Id"
}

// implicitListFieldName is the hidden foreign key that an unnamed list
// relation `parent.field` injects into the child class.
func implicitListFieldName(parentTable, fieldName string) string {
	return implicitIDFieldName("_" + camelCase(parentTable, true) + camelCase(fieldName, false) + camelCase(parentTable, false))
}
