package gocode

import (
	"strings"
	"unicode"
)

// initialisms are the words Go spells in one case (userId → UserID),
// following the Go team's naming convention.
var initialisms = map[string]string{
	"Acl": "ACL", "Api": "API", "Ascii": "ASCII", "Cpu": "CPU", "Css": "CSS", "Dns": "DNS",
	"Eof": "EOF", "Guid": "GUID", "Html": "HTML", "Http": "HTTP", "Https": "HTTPS", "Id": "ID",
	"Ip": "IP", "Json": "JSON", "Lhs": "LHS", "Qps": "QPS", "Ram": "RAM", "Rhs": "RHS",
	"Rpc": "RPC", "Sla": "SLA", "Smtp": "SMTP", "Sql": "SQL", "Ssh": "SSH", "Tcp": "TCP",
	"Tls": "TLS", "Ttl": "TTL", "Udp": "UDP", "Ui": "UI", "Uid": "UID", "Uuid": "UUID",
	"Uri": "URI", "Url": "URL", "Utf8": "UTF8", "Vm": "VM", "Xml": "XML", "Xmpp": "XMPP",
	"Xsrf": "XSRF", "Xss": "XSS",
}

// splitWords splits a camelCase or PascalCase name into words, keeping
// runs of capitals together (HTTPServer → HTTP, Server).
func splitWords(name string) []string {
	var words []string
	runes := []rune(name)
	start := 0
	for i := 1; i < len(runes); i++ {
		prev, cur := runes[i-1], runes[i]
		next := rune(0)
		if i+1 < len(runes) {
			next = runes[i+1]
		}
		boundary := unicode.IsUpper(cur) && (unicode.IsLower(prev) || unicode.IsDigit(prev) ||
			(unicode.IsUpper(prev) && unicode.IsLower(next)))
		if boundary {
			words = append(words, string(runes[start:i]))
			start = i
		}
	}
	return append(words, string(runes[start:]))
}

// exported turns a model-language name (camelCase, possibly with a
// leading underscore for hidden fields) into an exported Go name with Go's
// initialisms: userId → UserID, imageUrl → ImageURL.
func exported(name string) string {
	name = strings.TrimLeft(name, "_")
	if name == "" {
		return "X"
	}
	var b strings.Builder
	for _, w := range splitWords(name) {
		if w == "" {
			continue
		}
		title := strings.ToUpper(w[:1]) + w[1:]
		if up, ok := initialisms[title]; ok && strings.ToLower(w) == strings.ToLower(up) {
			title = up
		}
		b.WriteString(title)
	}
	return b.String()
}

// unexported is exported with its first word lower-cased (hidden fields,
// local variables): _cityCitizensCityId → cityCitizensCityID.
func unexported(name string) string {
	e := exported(name)
	words := splitWords(e)
	words[0] = strings.ToLower(words[0])
	out := strings.Join(words, "")
	if goKeywords[out] {
		return out + "_"
	}
	return out
}

var goKeywords = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true,
	"defer": true, "else": true, "fallthrough": true, "for": true, "func": true, "go": true,
	"goto": true, "if": true, "import": true, "interface": true, "map": true, "package": true,
	"range": true, "return": true, "select": true, "struct": true, "switch": true, "type": true,
	"var": true,
}
