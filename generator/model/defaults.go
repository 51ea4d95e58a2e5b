package model

import (
	"math/big"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Default values: which types take them and which literals each accepts.

type defaultKind uint8

const (
	noDefault defaultKind = iota
	defaultInt
	defaultDouble
	defaultBool
	defaultString
	defaultDateTime
	defaultDuration
	defaultUUID
	defaultURI
	defaultBigInt
	defaultEnum
)

func defaultKindOf(t *Type) defaultKind {
	if t.IsEnum() {
		return defaultEnum
	}
	if t.Module != "" || t.URL != "" {
		return noDefault
	}
	switch t.Name {
	case TypeInt:
		return defaultInt
	case TypeDouble:
		return defaultDouble
	case TypeBool:
		return defaultBool
	case TypeString:
		return defaultString
	case TypeDateTime:
		return defaultDateTime
	case TypeDuration:
		return defaultDuration
	case TypeUUID:
		return defaultUUID
	case TypeURI:
		return defaultURI
	case TypeBigInt:
		return defaultBigInt
	}
	return noDefault
}

func (v *validator) checkDefaultKey(key string) func(string, *node) {
	return func(ctx string, k *node) {
		f := v.field(ctx)
		if f == nil {
			return
		}
		if defaultKindOf(f.Type) == noDefault {
			v.errorf(k.pos, `The "%s" key is not supported for "%s" types`, key, f.Type.Name)
		}
		if key != "defaultPersist" {
			return
		}
		if f.DefaultModel == nil && f.DefaultPersist != nil && !f.Type.Nullable {
			v.errorf(k.pos, `When setting only the "defaultPersist" key, its type should be nullable`)
		}
		if !f.Persist {
			v.errorf(k.pos, `The "defaultPersist" property is mutually exclusive with the "!persist" property.`)
		}
	}
}

var (
	intLiteralRE    = regexp.MustCompile(`^[+-]?\d+$`)
	doubleLiteralRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
	durationPartRE  = regexp.MustCompile(`(\d+)(d|h|min|s|ms)`)
	uuidRE          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)
)

const nilUUID = "00000000-0000-0000-0000-000000000000"

// checkDefault checks a default literal for the field's type. The messages
// are Serverpod's. Where Serverpod accepts literals that produce broken
// SQL (hexadecimal or NaN numbers, "random" for a Uri) gopod rejects them,
// and it accepts the YAML numbers of the map form for double and BigInt
// fields.
func (v *validator) checkDefault(key string) func(string, *node) {
	return func(ctx string, val *node) {
		f := v.field(ctx)
		if f == nil {
			return
		}
		kind := defaultKindOf(f.Type)
		if kind == noDefault {
			return
		}
		text, isString := val.str()
		numeric := val.kind == scalarNode && (val.typ == intScalar || val.typ == floatScalar)
		fail := func(format string, args ...any) { v.errorf(val.pos, format, args...) }

		switch kind {
		case defaultInt:
			if val.kind == scalarNode && val.typ == intScalar {
				return
			}
			if !isString || !intLiteralRE.MatchString(text) || !fitsInt64(text) {
				fail(`The "%s" value must be a valid integer (e.g., "%s"=10).`, key, key)
			}
		case defaultDouble:
			if numeric {
				return
			}
			if !isString || !doubleLiteralRE.MatchString(text) {
				fail(`The "%s" value must be a valid double (e.g., "%s"=10.5).`, key, key)
			}
		case defaultBool:
			if _, ok := val.boolValue(); ok {
				return
			}
			if !isString || (text != "true" && text != "false") {
				fail(`The "%s" value must be a valid boolean: "true" or "false"`, key)
			}
		case defaultString:
			v.checkStringDefault(key, val)
		case defaultDateTime:
			switch {
			case !isString || text == "":
				fail(`The "%s" value must be a valid UTC DateTime String or "now"`, key)
			case text == "now":
			default:
				if _, err := time.Parse("2006-01-02T15:04:05.000Z", text); err != nil {
					fail(`The "%s" value must be a valid UTC (yyyy-MM-dd'T'HH:mm:ss.SSS'Z') DateTime String or "now"`, key)
				}
			}
		case defaultDuration:
			if !isString || !durationLiteralRE.MatchString(strings.TrimSpace(text)) || !durationFits(text) {
				fail(`The "%s" value must be a valid duration in the format "Xd Xh Xmin Xs Xms" (e.g., "%s"=1d 2h 30min 45s 100ms).`, key, key)
			}
		case defaultUUID:
			v.checkQuotedDefault(key, val, "random",
				`The "%[1]s" value must be a "random" or valid UUID string (e.g., "%[1]s"=random or "%[1]s"='550e8400-e29b-41d4-a716-446655440000').`,
				`The "%[1]s" must be a quoted string (e.g., "%[1]s"=%[2]s550e8400-e29b-41d4-a716-446655440000%[2]s).`,
				`The "%[1]s" value must be a valid UUID (e.g., '550e8400-e29b-41d4-a716-446655440000').`,
				func(s string) bool { return s == nilUUID || uuidRE.MatchString(s) })
		case defaultURI:
			v.checkQuotedDefault(key, val, "",
				`The "%[1]s" value must be a a valid Uri string (e.g., "%[1]s"='http://serverpod.dev').`,
				`The "%[1]s" must be a quoted string (e.g., "%[1]s"=%[2]shttp://serverpod.dev%[2]s).`,
				`The "%[1]s" value must be a valid Uri (e.g., 'http://serverpod.dev').`,
				func(s string) bool { _, err := url.Parse(s); return err == nil })
		case defaultBigInt:
			if val.kind == scalarNode && val.typ == intScalar {
				return
			}
			if !isString || !intLiteralRE.MatchString(text) {
				fail(`The "%s" value must be a valid BigInt (e.g., "%s"='1234567890').`, key, key)
			}
		case defaultEnum:
			var names []string
			found := false
			for _, ev := range f.Type.Model.Values {
				if !contains(names, ev.Name) {
					names = append(names, ev.Name)
				}
				found = found || (isString && ev.Name == text)
			}
			if !found {
				fail(`The "%s" value must be a valid enum value from the set: (%s).`, key, strings.Join(names, ", "))
			}
		}
	}
}

// durationUnits are the milliseconds in each unit of a duration literal.
var durationUnits = map[string]int64{"d": 86400000, "h": 3600000, "min": 60000, "s": 1000, "ms": 1}

func fitsInt64(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// durationFits reports whether every component of a duration literal fits
// the milliseconds the column stores.
func durationFits(s string) bool {
	total := new(big.Int)
	for _, m := range durationPartRE.FindAllStringSubmatch(s, -1) {
		n, ok := new(big.Int).SetString(m[1], 10)
		if !ok {
			return false
		}
		unit := durationUnits[m[2]]
		total.Add(total, n.Mul(n, big.NewInt(unit)))
	}
	return total.IsInt64()
}

func (v *validator) checkStringDefault(key string, val *node) {
	text, ok := val.str()
	generic := `The "%[1]s" must be a quoted string (e.g., "%[1]s"='This is a string' or "%[1]s"="This is a string").`
	switch {
	case !ok || text == "":
		v.errorf(val.pos, generic, key)
	case fullSingleQuotedRE.MatchString(text) || fullDoubleQuotedRE.MatchString(text):
	case strings.HasPrefix(text, "'"):
		v.errorf(val.pos, `For single quoted "%[1]s" string values, single quotes must be escaped or use double quotes (e.g., "%[1]s"='This "is" a string' or "%[1]s"='This \'is\' a string').`, key)
	case strings.HasPrefix(text, `"`):
		v.errorf(val.pos, `For double quoted "%[1]s" string values, double quotes must be escaped or use single quotes (e.g., "%[1]s"="This 'is' a string" or "%[1]s"="This \"is\" a string").`, key)
	default:
		v.errorf(val.pos, generic, key)
	}
}

// checkQuotedDefault checks the defaults of UuidValue and Uri fields: a
// keyword (if any) or a quoted literal that valid accepts. The message
// formats take the key and the quote character.
func (v *validator) checkQuotedDefault(key string, val *node, keyword, invalid, unquoted, bad string, valid func(string) bool) {
	text, ok := val.str()
	switch {
	case !ok || text == "":
		v.errorf(val.pos, invalid, key)
	case keyword != "" && text == keyword:
	case strings.HasPrefix(text, "'"):
		if !fullSingleQuotedRE.MatchString(text) {
			v.errorf(val.pos, unquoted, key, "'")
		} else if !valid(text[1 : len(text)-1]) {
			v.errorf(val.pos, bad, key)
		}
	case strings.HasPrefix(text, `"`):
		if !fullDoubleQuotedRE.MatchString(text) {
			v.errorf(val.pos, unquoted, key, `"`)
		} else if !valid(text[1 : len(text)-1]) {
			v.errorf(val.pos, bad, key)
		}
	default:
		v.errorf(val.pos, invalid, key)
	}
}
