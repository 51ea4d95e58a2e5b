package wire

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// dartDateTime follows the grammar of Dart's DateTime.parse: an optionally
// signed 4-6 digit year, optional separators, an optional time with an
// optional fraction, and an optional Z or numeric offset.
var dartDateTime = regexp.MustCompile(`^([+-]?\d{4,6})-?(\d\d)-?(\d\d)` +
	`(?:[ T](\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d+))?)?)?` +
	`( ?[zZ]| ?([-+])(\d\d)(?::?(\d\d))?)?)?$`)

// ParseDateTime parses s as Dart's DateTime.parse does and returns it in
// UTC. A value without a zone is taken as UTC. Precision is microseconds,
// like Dart's DateTime.
func ParseDateTime(s string) (time.Time, error) {
	m := dartDateTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("invalid DateTime %q: want ISO-8601 such as 2024-05-01T22:00:00.000Z", s)
	}
	num := func(i int) int {
		if m[i] == "" {
			return 0
		}
		n, _ := strconv.Atoi(m[i]) // the regexp admits digits only
		return n
	}
	year, month, day := num(1), num(2), num(3)
	hour, minute, sec := num(4), num(5), num(6)
	micro := 0
	if frac := m[7]; frac != "" {
		for len(frac) < 6 {
			frac += "0"
		}
		micro, _ = strconv.Atoi(frac[:6])
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("invalid DateTime %q: a field is out of range", s)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, micro*1000, time.UTC)
	if t.Day() != day && hour != 24 {
		return time.Time{}, fmt.Errorf("invalid DateTime %q: day %d does not exist in that month", s, day)
	}
	if m[9] != "" {
		offset := time.Duration(num(10))*time.Hour + time.Duration(num(11))*time.Minute
		if m[9] == "+" {
			t = t.Add(-offset)
		} else {
			t = t.Add(offset)
		}
	}
	return t, nil
}
