package gocode

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dave/jennifer/jen"
	"github.com/gopod/gopod/generator/model"
)

// unquoteDart reads a model-language string literal: single or double
// quoted, with \' and \" escapes.
func unquoteDart(raw string) string {
	if len(raw) >= 2 && (raw[0] == '\'' || raw[0] == '"') && raw[len(raw)-1] == raw[0] {
		raw = raw[1 : len(raw)-1]
	}
	return strings.NewReplacer(`\'`, `'`, `\"`, `"`).Replace(raw)
}

var durationPart = regexp.MustCompile(`(\d+)\s*(d|h|min|s|ms)`)

// durationMillis totals a model-language duration such as "1d 2h 10min".
func durationMillis(raw string) (int64, error) {
	var total int64
	parts := durationPart.FindAllStringSubmatch(raw, -1)
	if len(parts) == 0 {
		return 0, fmt.Errorf("invalid duration %q", raw)
	}
	unit := map[string]int64{"d": 86400000, "h": 3600000, "min": 60000, "s": 1000, "ms": 1}
	for _, p := range parts {
		n, err := strconv.ParseInt(p[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %w", raw, err)
		}
		total += n * unit[p[2]]
	}
	return total, nil
}

// defaultExpr is the Go expression of a default literal for a value of the
// non-nullable type t.
func (g *typer) defaultExpr(t *model.Type, raw string) (*jen.Statement, error) {
	if t.IsEnum() {
		return jen.Qual(g.pkgOf(t.Model), enumConst(t.Model, raw)), nil
	}
	switch t.Name {
	case model.TypeInt:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid int default %q", raw)
		}
		return jen.Lit(int(n)), nil
	case model.TypeDouble:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid double default %q", raw)
		}
		return jen.Lit(f), nil
	case model.TypeBool:
		return jen.Lit(raw == "true"), nil
	case model.TypeString:
		return jen.Lit(unquoteDart(raw)), nil
	case model.TypeDateTime:
		if raw == "now" {
			return jen.Qual("time", "Now").Call(), nil
		}
		ts, err := time.Parse("2006-01-02T15:04:05.000Z", raw)
		if err != nil {
			return nil, fmt.Errorf("invalid DateTime default %q", raw)
		}
		return jen.Qual("time", "Date").Call(jen.Lit(ts.Year()), jen.Qual("time", ts.Month().String()), jen.Lit(ts.Day()),
			jen.Lit(ts.Hour()), jen.Lit(ts.Minute()), jen.Lit(ts.Second()), jen.Lit(ts.Nanosecond()), jen.Qual("time", "UTC")), nil
	case model.TypeDuration:
		ms, err := durationMillis(raw)
		if err != nil {
			return nil, err
		}
		return jen.Lit(int(ms)).Op("*").Qual("time", "Millisecond"), nil
	case model.TypeUUID:
		if raw == "random" {
			return jen.Qual(wirePkg, "NewUUID").Call(), nil
		}
		return jen.Qual(wirePkg, "MustParseUUID").Call(jen.Lit(unquoteDart(raw))), nil
	case model.TypeURI:
		return jen.Qual(wirePkg, "MustParseURI").Call(jen.Lit(unquoteDart(raw))), nil
	case model.TypeBigInt:
		return jen.Qual(wirePkg, "MustParseBigInt").Call(jen.Lit(unquoteDart(raw))), nil
	}
	return nil, fmt.Errorf("type %s cannot have a default", t)
}

// fieldDefault is the expression assigned to a field of type t (nullable or
// not) for its model default.
func (g *typer) fieldDefault(t *model.Type, raw string) (*jen.Statement, error) {
	v, err := g.defaultExpr(t.NonNull(), raw)
	if err != nil || !pointer(t) {
		return v, err
	}
	return jen.Qual(wirePkg, "Ptr").Types(g.baseType(t)).Call(v), nil
}

// enumConst names the Go constant of an enum value: Color + red → ColorRed.
func enumConst(m *model.Model, value string) string {
	return m.ClassName + exported(value)
}
