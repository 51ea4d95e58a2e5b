package db

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err means that the database could not be
// reached, rather than that a statement failed: no connection could be
// made, or the server is starting up, shutting down or ended the
// connection. Such a failure says nothing about the call, and trying again
// later may succeed; the server answers it with 503.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case strings.HasPrefix(pg.Code, "08"): // connection exception
			return true
		case pg.Code == "57P01", pg.Code == "57P02", pg.Code == "57P03": // admin shutdown, crash shutdown, cannot connect now
			return true
		}
	}
	return false
}

// RejectedValue reports whether PostgreSQL refused a value the statement
// carried rather than the statement itself: a string it cannot hold (a
// NUL, a character outside the encoding), text longer than its column, a
// number or date out of range, a value too large for an index. Such values
// come from a caller's input, so a server answers them as a bad request
// instead of a failure of its own. reason is PostgreSQL's message.
//
// Errors a statement's own text causes, such as division by zero or an
// invalid cast written in a query, are not counted: they are bugs to fix.
func RejectedValue(err error) (reason string, ok bool) {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return "", false
	}
	switch pg.Code {
	case "22001", // string_data_right_truncation: text longer than varchar(n)
		"22003", // numeric_value_out_of_range
		"22008", // datetime_field_overflow
		"22021", // character_not_in_repertoire: a NUL or invalid UTF-8
		"22P05", // untranslatable_character
		"54000": // program_limit_exceeded: an index row too large
		return pg.Message, true
	}
	return "", false
}
