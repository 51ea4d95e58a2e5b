package dart

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/gopod/gopod/generator/model"
)

// Serialization code of the model classes, written as Serverpod 2.4 writes
// it so that the JSON on the wire is the same (§5 of the protocol notes).

// autoSerialized types are JSON values as they are.
func autoSerialized(t *model.Type) bool {
	if t.Model != nil {
		return false
	}
	switch t.Name {
	case model.TypeInt, model.TypeBool, model.TypeDouble, model.TypeString:
		return true
	}
	return false
}

// immutable types need no copy in copyWith.
func immutable(t *model.Type) bool {
	if t.Model != nil {
		return t.IsEnum()
	}
	switch t.Name {
	case model.TypeString, model.TypeInt, model.TypeDouble, model.TypeBool, model.TypeDateTime,
		model.TypeDuration, model.TypeUUID, model.TypeURI, model.TypeBigInt:
		return true
	}
	return false
}

// fromJSON decodes the JSON value v (Dart code) as t.
func (l *library) fromJSON(v doc, t *model.Type) doc {
	q := ""
	if t.Nullable {
		q = "?"
	}
	switch {
	case t.IsEnum():
		raw := "int"
		if t.Model.Serialized == model.ByName {
			raw = "String"
		}
		return nullChecked(t, v, call(l.modelRef(t.Model)+".fromJson", paren(cast(v, raw))))
	case t.Model != nil && t.Model.Kind == model.Custom:
		// A custom class takes its JSON value as it is.
		return nullChecked(t, v, call(l.modelRef(t.Model)+".fromJson", v))
	case t.Model != nil:
		return nullChecked(t, v, call(l.modelRef(t.Model)+".fromJson", paren(cast(v, "Map<String, dynamic>"))))
	}
	switch t.Name {
	case model.TypeDouble:
		return chain(paren(cast(v, "num"+q)), text(q+".toDouble()"))
	case model.TypeDateTime, model.TypeDuration, model.TypeByteData, model.TypeUUID, model.TypeURI, model.TypeBigInt:
		return nullChecked(t, v, call(l.sp(t.Name+"JsonExtension")+".fromJson", v))
	case model.TypeList:
		elem := l.fromJSON(text("e"), t.Args[0])
		return chain(paren(cast(v, "List"+q)), callBlock(q+".map", closure("(e)", elem)), text(".toList()"))
	case model.TypeSet:
		elem := l.fromJSON(text("e"), t.Args[0])
		return nullChecked(t, v, callPlain(l.sp("SetJsonExtension")+".fromJson",
			paren(cast(v, "List")), cat(text("itemFromJson: "), closure("(e)", elem))))
	case model.TypeMap:
		key, value := t.Args[0], t.Args[1]
		if key.Name == model.TypeString && key.Model == nil {
			entry := call("MapEntry", l.fromJSON(text("k"), key), l.fromJSON(text("v"), value))
			return chain(paren(cast(v, "Map"+q)), callBlock(q+".map", closure("(k, v)", entry)))
		}
		mapType := "Map<" + l.typ(key) + ", " + l.typ(value) + ">"
		entry := cat(l.fromJSON(text("e['k']"), key), text(":"), split{value: l.fromJSON(text("e['v']"), value), indent: 4, preferNext: true})
		entries := grp(text("{"), indent(2, softLine, text("...t,"), spaceLine, entry), softLine, text("}"))
		return chain(paren(cast(v, "List"+q)), callPlain(q+".fold<"+mapType+">", text("{}"), closure("(t, e)", entries)))
	}
	// String, bool, int
	return cast(v, t.Name+q)
}

// jsonField is `jsonSerialization['name']`.
func jsonField(name string) doc {
	return minorGroup(text("jsonSerialization["), indent(4, softLine, text(quote(name))), text("]"))
}

// nullChecked guards decode with a null check when t is nullable.
func nullChecked(t *model.Type, v doc, decode doc) doc {
	if !t.Nullable {
		return decode
	}
	return cond(cat(v, text(" == null")), text("null"), decode)
}

// toJSON encodes the Dart value ref of type t for toJson().
func toJSON(ref string, t *model.Type) doc {
	if autoSerialized(t) {
		return text(ref)
	}
	method := ".toJson"
	if t.Nullable {
		method = "?.toJson"
	}
	var args []doc
	switch t.Name {
	case model.TypeList, model.TypeSet:
		if t.Model == nil && !autoSerialized(t.Args[0]) {
			args = append(args, cat(text("valueToJson: "), closure("(v)", toJSON("v", t.Args[0]))))
		}
	case model.TypeMap:
		if t.Model == nil {
			if !autoSerialized(t.Args[0]) {
				args = append(args, cat(text("keyToJson: "), closure("(k)", toJSON("k", t.Args[0]))))
			}
			if !autoSerialized(t.Args[1]) {
				args = append(args, cat(text("valueToJson: "), closure("(v)", toJSON("v", t.Args[1]))))
			}
		}
	}
	return chain(text(ref), call(method, args...))
}

// clone copies the value of a field (root) or of a closure variable for
// copyWith: containers are rebuilt, models copied, ByteData cloned.
func (l *library) clone(t *model.Type, variable string, depth int, root bool) doc {
	// dart_style counts `this.x` as the start of a method chain.
	var target []doc
	if root {
		target = []doc{text("this"), text("." + variable)}
	} else {
		target = []doc{text(variable)}
	}
	chainOf := func(calls ...doc) doc {
		if root {
			return chain(target[0], append([]doc{target[1]}, calls...)...)
		}
		return chain(target[0], calls...)
	}
	dot := "."
	if t.Nullable {
		dot = "?."
	}
	if t.Model != nil || len(t.Args) == 0 {
		switch {
		case immutable(t):
			// A property alone is no method chain.
			return cat(target...)
		case t.Model == nil && t.Name == model.TypeByteData:
			return chainOf(text(dot + "clone()"))
		}
		return chainOf(text(dot + "copyWith()"))
	}
	switch t.Name {
	case model.TypeMap:
		k, v := fmt.Sprintf("key%d", depth), fmt.Sprintf("value%d", depth)
		entry := call("MapEntry", l.clone(t.Args[0], k, depth+1, false), l.clone(t.Args[1], v, depth+1, false))
		// The parameter list splits, so dart_style puts the body below.
		fn := indent(4, list("(", ")", text(k), text(v)), text(" =>"), indent(4, hard, entry))
		return chainOf(callBlock(dot+"map", fn))
	case model.TypeSet:
		e := fmt.Sprintf("e%d", depth)
		return chainOf(callBlock(dot+"map", closure("("+e+")", l.clone(t.Args[0], e, depth+1, false))), text(".toSet()"))
	}
	e := fmt.Sprintf("e%d", depth)
	return chainOf(callBlock(dot+"map", closure("("+e+")", l.clone(t.Args[0], e, depth+1, false))), text(".toList()"))
}

// defaultValue is the Dart expression of a field's model default.
func (l *library) defaultValue(f *model.Field) (doc, error) {
	raw := strings.TrimSpace(f.DefaultModel.Raw)
	t := f.Type
	bad := func() (doc, error) {
		return nil, fmt.Errorf("%s: field %s: default value %q is not valid for type %s", f.DefaultModel.Pos, f.Name, raw, t.NonNull())
	}
	if t.IsEnum() {
		for _, v := range t.Model.Values {
			if v.Name == raw {
				return text(l.typNullable(t, false) + "." + raw), nil
			}
		}
		return bad()
	}
	switch t.Name {
	case model.TypeInt:
		n, ok := new(big.Int).SetString(raw, 10)
		if !ok || !n.IsInt64() {
			return bad()
		}
		return text(n.String()), nil
	case model.TypeDouble:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return bad()
		}
		return text(dartDouble(x)), nil
	case model.TypeBool:
		if raw != "true" && raw != "false" {
			return bad()
		}
		return text(raw), nil
	case model.TypeString:
		s, ok := unquote(raw)
		if !ok {
			return bad()
		}
		return text(s), nil
	case model.TypeDateTime:
		if raw == "now" {
			return text("DateTime.now()"), nil
		}
		return call("DateTime.parse", text(quote(raw))), nil
	case model.TypeUUID:
		if raw == "random" {
			// serverpod_client exports package:uuid, so the client needs no
			// dependency of its own for this.
			return text(l.sp("Uuid") + "().v4obj()"), nil
		}
		s, ok := unquote(raw)
		if !ok {
			return bad()
		}
		return call(l.sp("UuidValue")+".fromString", text(s)), nil
	case model.TypeURI:
		s, ok := unquote(raw)
		if !ok {
			return bad()
		}
		return call("Uri.parse", text(s)), nil
	case model.TypeBigInt:
		if _, ok := new(big.Int).SetString(raw, 10); !ok {
			return bad()
		}
		return call("BigInt.parse", text(quote(raw))), nil
	case model.TypeDuration:
		parts, ok := parseDuration(raw)
		if !ok {
			return bad()
		}
		names := []string{"days", "hours", "minutes", "seconds", "milliseconds"}
		args := make([]doc, len(names))
		for i, n := range names {
			args[i] = named(n, text(strconv.FormatInt(parts[i], 10)))
		}
		return call("Duration", args...), nil
	}
	return bad()
}

var durationPart = regexp.MustCompile(`(\d+)(d|h|min|s|ms)`)
var durationFull = regexp.MustCompile(`^(\d+(d|h|min|s|ms)\s*)+$`)

// parseDuration reads `1d 2h 10min 30s 100ms` as Serverpod does (a repeated
// unit replaces the earlier one) and returns days, hours, minutes, seconds
// and milliseconds of the normalized total.
func parseDuration(s string) ([5]int64, bool) {
	var out [5]int64
	if !durationFull.MatchString(s) {
		return out, false
	}
	var units [5]int64
	for _, m := range durationPart.FindAllStringSubmatch(s, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return out, false
		}
		switch m[2] {
		case "d":
			units[0] = n
		case "h":
			units[1] = n
		case "min":
			units[2] = n
		case "s":
			units[3] = n
		case "ms":
			units[4] = n
		}
	}
	total := (((units[0]*24+units[1])*60+units[2])*60+units[3])*1000 + units[4]
	out[0] = total / 86_400_000
	out[1] = total / 3_600_000 % 24
	out[2] = total / 60_000 % 60
	out[3] = total / 1000 % 60
	out[4] = total % 1000
	return out, true
}

// dartDouble prints x as Dart prints a double literal (10.0, 10.5).
func dartDouble(x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// unquote turns a quoted default from a model file ('x' or "x", with \' and
// \" escapes) into a single-quoted Dart literal. Other backslash escapes are
// Dart escapes already and pass through.
func unquote(raw string) (string, bool) {
	if len(raw) < 2 || (raw[0] != '\'' && raw[0] != '"') || raw[len(raw)-1] != raw[0] {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			i++
			switch body[i] {
			case '\'':
				b.WriteString(`\'`)
			case '"':
				b.WriteByte('"')
			default:
				b.WriteByte('\\')
				b.WriteByte(body[i])
			}
		case c == '\'':
			b.WriteString(`\'`)
		case c == '$':
			b.WriteString(`\$`)
		case c == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String(), true
}
