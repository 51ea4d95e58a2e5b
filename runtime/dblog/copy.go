package dblog

import (
	"encoding/binary"
	"math"
	"strings"
	"time"
)

// copyData builds the data of one COPY ... FROM STDIN (FORMAT binary):
// PostgreSQL's binary copy format, a header, then per row its number of
// fields and each field as its length and bytes (-1 for null), then a
// trailer. The log tables' columns are Serverpod 2.4's, so the writer
// encodes each value for its column's type directly, without boxing it
// into an interface for a generic encoder: that was most of what writing a
// row cost the server. The bytes are those pgx writes for these types.
type copyData struct {
	b    []byte
	rows int
}

// copyHeader is the binary format's signature, flags and header extension
// length.
const copyHeader = "PGCOPY\n\377\r\n\000\000\000\000\000\000\000\000\000"

func (c *copyData) reset() {
	c.b = append(c.b[:0], copyHeader...)
	c.rows = 0
}

// bytes ends the data and returns it.
func (c *copyData) bytes() []byte {
	return binary.BigEndian.AppendUint16(c.b, 0xffff)
}

func (c *copyData) row(fields int) {
	c.rows++
	c.b = binary.BigEndian.AppendUint16(c.b, uint16(fields))
}

func (c *copyData) null() { c.b = binary.BigEndian.AppendUint32(c.b, math.MaxUint32) }

// int8 is a bigint.
func (c *copyData) int8(v int64) {
	c.b = binary.BigEndian.AppendUint32(c.b, 8)
	c.b = binary.BigEndian.AppendUint64(c.b, uint64(v))
}

// float8 is a double precision.
func (c *copyData) float8(v float64) {
	c.b = binary.BigEndian.AppendUint32(c.b, 8)
	c.b = binary.BigEndian.AppendUint64(c.b, math.Float64bits(v))
}

func (c *copyData) bool(v bool) {
	c.b = binary.BigEndian.AppendUint32(c.b, 1)
	if v {
		c.b = append(c.b, 1)
	} else {
		c.b = append(c.b, 0)
	}
}

func (c *copyData) text(s string) {
	c.b = binary.BigEndian.AppendUint32(c.b, uint32(len(s)))
	c.b = append(c.b, s...)
}

// microsecondsToY2K is how many microseconds PostgreSQL's epoch,
// 2000-01-01, is after Unix's.
const microsecondsToY2K = 946684800 * 1_000_000

// timestamp is a timestamp without time zone: t's wall clock, whatever its
// location, in microseconds since 2000-01-01 (as pgx stores a time.Time).
func (c *copyData) timestamp(t time.Time) {
	if t.Location() != time.UTC {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	c.int8(t.Unix()*1_000_000 + int64(t.Nanosecond())/1000 - microsecondsToY2K)
}

func (c *copyData) optText(p *string) {
	if p == nil {
		c.null()
		return
	}
	c.text(*p)
}

func (c *copyData) optInt8(p *int64) {
	if p == nil {
		c.null()
		return
	}
	c.int8(*p)
}

func (c *copyData) optFloat8(p *float64) {
	if p == nil {
		c.null()
		return
	}
	c.float8(*p)
}

func (c *copyData) optBool(p *bool) {
	if p == nil {
		c.null()
		return
	}
	c.bool(*p)
}

// copySQL is the statement that copies binary data into columns of table.
func copySQL(table string, columns []string) string {
	var b strings.Builder
	b.WriteString(`COPY "`)
	b.WriteString(table)
	b.WriteString(`" (`)
	for i, c := range columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('"')
		b.WriteString(c)
		b.WriteByte('"')
	}
	b.WriteString(") FROM STDIN (FORMAT binary)")
	return b.String()
}

var (
	sessionColumns = []string{"id", "serverId", "time", "module", "endpoint", "method", "duration", "numQueries",
		"slow", "error", "stackTrace", "authenticatedUserId", "isOpen", "touched"}
	logColumns = []string{"sessionLogId", "messageId", "reference", "serverId", "time", "logLevel",
		"message", "error", "stackTrace", "order"}
	queryColumns = []string{"serverId", "sessionLogId", "messageId", "query", "duration", "numRows",
		"error", "stackTrace", "slow", "order"}
	messageColumns = []string{"sessionLogId", "serverId", "messageId", "endpoint", "messageName",
		"duration", "error", "stackTrace", "slow", "order"}

	// The session rows numbered by the writer, and those the table numbers.
	copyNumberedSessions = copySQL("serverpod_session_log", sessionColumns)
	copyPlainSessions    = copySQL("serverpod_session_log", sessionColumns[1:])
	copyLogs             = copySQL("serverpod_log", logColumns)
	copyQueries          = copySQL("serverpod_query_log", queryColumns)
	copyMessages         = copySQL("serverpod_message_log", messageColumns)
)

// session adds a session row; withID says whether its id is written or
// left to the table's sequence.
func (c *copyData) session(s *sessionRow, withID bool) {
	if withID {
		c.row(len(sessionColumns))
		c.int8(s.id)
	} else {
		c.row(len(sessionColumns) - 1)
	}
	c.text(s.serverID)
	c.timestamp(s.time)
	c.optText(s.module)
	c.optText(s.endpoint)
	c.optText(s.method)
	c.optFloat8(s.duration)
	c.optInt8(s.numQueries)
	c.optBool(s.slow)
	c.optText(s.err)
	c.optText(s.stackTrace)
	c.optInt8(s.authenticatedUserID)
	c.optBool(s.isOpen)
	c.timestamp(s.touched)
}

func (c *copyData) log(l *logRow) {
	c.row(len(logColumns))
	c.int8(l.sessionLogID)
	c.optInt8(l.messageID)
	c.optText(l.reference)
	c.text(l.serverID)
	c.timestamp(l.time)
	c.int8(l.level)
	c.text(l.message)
	c.optText(l.err)
	c.optText(l.stackTrace)
	c.int8(l.order)
}

func (c *copyData) query(q *queryRow) {
	c.row(len(queryColumns))
	c.text(q.serverID)
	c.int8(q.sessionLogID)
	c.optInt8(q.messageID)
	c.text(q.query)
	c.float8(q.duration)
	c.optInt8(q.numRows)
	c.optText(q.err)
	c.optText(q.stackTrace)
	c.bool(q.slow)
	c.int8(q.order)
}

func (c *copyData) message(m *messageRow) {
	c.row(len(messageColumns))
	c.int8(m.sessionLogID)
	c.text(m.serverID)
	c.int8(m.messageID)
	c.text(m.endpoint)
	c.text(m.messageName)
	c.float8(m.duration)
	c.optText(m.err)
	c.optText(m.stackTrace)
	c.bool(m.slow)
	c.int8(m.order)
}
