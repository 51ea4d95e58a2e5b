package config

import (
	"fmt"
	"strings"
)

// Error reports a bad configuration value. It names where the value came
// from (a file position, an environment variable or a command-line flag), the
// key, and what is wrong with it.
type Error struct {
	File   string // configuration file, empty when the value came from elsewhere
	Line   int    // 1-based line in File, 0 when unknown
	Column int    // 1-based column in File, 0 when unknown
	Source string // environment variable or flag, when the value did not come from File
	Key    string // dotted key path such as "apiServer.port"
	Msg    string // what is wrong and what to do about it
}

func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Line, e.Column)
	case e.File != "":
		fmt.Fprintf(&b, "%s: ", e.File)
	case e.Source != "":
		fmt.Fprintf(&b, "%s: ", e.Source)
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}
