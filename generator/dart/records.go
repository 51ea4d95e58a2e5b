package dart

import (
	"strconv"

	"github.com/gopod/gopod/generator/endpoint"
)

// endpointTypes calls fn for every parameter and result type of the
// endpoints.
func (g *generator) endpointTypes(fn func(*endpoint.Type)) {
	for _, e := range g.endpoints {
		for _, m := range e.Methods {
			if m.Returns != nil {
				fn(m.Returns)
			}
			for _, p := range m.Params {
				fn(p.Type)
			}
		}
	}
}

// recordTypes lists the record types the endpoints use, nested ones
// included, each once (as non-nullable), in order of first use.
func (g *generator) recordTypes(l *library) []*endpoint.Type {
	var out []*endpoint.Type
	seen := map[string]bool{}
	g.endpointTypes(func(t *endpoint.Type) {
		t.Walk(func(t *endpoint.Type) {
			if t.Kind != endpoint.Record {
				return
			}
			nn := t.NonNull()
			if key := l.etyp(nn); !seen[key] {
				seen[key] = true
				out = append(out, nn)
			}
		})
	})
	return out
}

// endpointEntries adds the deserialize cases of an endpoint type that the
// base SerializationManager does not know: containers, records, and the
// types nested in them.
func (l *library) endpointEntries(t *endpoint.Type, add func(string, doc)) {
	if t.Kind == endpoint.Primitive || t.Kind == endpoint.Model {
		return
	}
	key := l.etyp(t)
	if t.Nullable || t.Kind == endpoint.Record {
		key = l.sp("getType") + "<" + key + ">()"
	}
	var decode doc
	switch t.Kind {
	case endpoint.List, endpoint.Set:
		to := ".toList()"
		if t.Kind == endpoint.Set {
			to = ".toSet()"
		}
		elem := "deserialize<" + l.etyp(t.Elem) + ">(e)"
		decode = chain(text("(data as List)"), callBlock(".map", closure("(e)", text(elem))), text(to))
	case endpoint.Map:
		k, v := l.etyp(t.Key), l.etyp(t.Elem)
		if !t.Key.Nullable && t.Key.Kind == endpoint.Primitive && t.Key.Name == "String" {
			decode = cat(text("(data as Map)"), callBlock(".map", closureKeep("(k, v)",
				callPlain("MapEntry", text("deserialize<"+k+">(k)"), text("deserialize<"+v+">(v)")))))
		} else {
			decode = callBlock("Map.fromEntries", cat(text("(data as List)"), callBlock(".map", closure("(e)",
				callPlain("MapEntry", text("deserialize<"+k+">(e['k'])"), text("deserialize<"+v+">(e['v'])"))))))
		}
	case endpoint.Record:
		var fields []doc
		for i, f := range t.Positional() {
			fields = append(fields, text("deserialize<"+l.etyp(f.Type)+">((data as Map)['p']["+strconv.Itoa(i)+"])"))
		}
		for _, f := range t.Named() {
			fields = append(fields, named(f.Name, text("deserialize<"+l.etyp(f.Type)+">((data as Map)['n']["+quote(f.Name)+"])")))
		}
		decode = recordLiteral(fields, len(t.Positional()) == 1 && len(t.Fields) == 1)
	}
	if t.Nullable {
		add(key, nullableData(decode))
	} else {
		add(key, as(decode, "T"))
	}
	if t.Key != nil {
		l.endpointEntries(t.Key, add)
	}
	if t.Elem != nil {
		l.endpointEntries(t.Elem, add)
	}
	for _, f := range t.Fields {
		l.endpointEntries(f.Type, add)
	}
}

// recordLiteral is a Dart record expression; a record of one positional
// field needs its trailing comma, (1,), where (1) would be just 1.
func recordLiteral(fields []doc, onePositional bool) doc {
	switch {
	case onePositional:
		return cat(text("("), fields[0], text(",)"))
	case len(fields) == 1:
		return cat(text("("), fields[0], text(")"))
	}
	return list("(", ")", fields...)
}

// recordFunctions are protocol.dart's mapRecordToJson, which turns every
// record type the endpoints use into {"p": [...], "n": {...}}, and
// mapRecordContainingContainerToJson, which does so inside Lists, Sets
// and Maps. The client calls them on record arguments.
func (g *generator) recordFunctions(l *library) doc {
	records := g.recordTypes(l)
	if len(records) == 0 {
		return concat{}
	}
	var cases concat
	for _, t := range records {
		var parts []doc
		value := func(f *endpoint.Field, access string) doc {
			expr := "record." + access
			switch {
			case f.Type.Kind == endpoint.Record:
				return text("mapRecordToJson(" + expr + ")")
			case f.Type.HasRecord():
				if f.Type.Nullable {
					return text(expr + " == null ? null : mapRecordContainingContainerToJson(" + expr + "!)")
				}
				return text("mapRecordContainingContainerToJson(" + expr + ")")
			}
			return text(expr)
		}
		if pos := t.Positional(); len(pos) > 0 {
			var items []doc
			for i, f := range pos {
				items = append(items, value(f, "$"+strconv.Itoa(i+1)))
			}
			parts = append(parts, named(quote("p"), list("[", "]", items...)))
		}
		if nm := t.Named(); len(nm) > 0 {
			var items []doc
			for _, f := range nm {
				items = append(items, named(quote(f.Name), value(f, f.Name)))
			}
			parts = append(parts, named(quote("n"), list("{", "}", items...)))
		}
		cases = append(cases, hard, ifBlock(text("record is "+l.etyp(t)), cat(text("return "), list("{", "}", parts...), text(";"))))
	}
	mapRecord := cat(
		text("/// Turns a record of a type the endpoints use into its JSON form; null stays null."), hard,
		text("Map<String, dynamic>? mapRecordToJson(Record? record) {"),
		indent(2, hard, ifBlock(text("record == null"), text("return null;")), cases,
			hard, text("throw Exception('Unsupported record type ${record.runtimeType}');")),
		hard, text("}"),
	)
	containers := cat(
		text("/// Turns the records inside a List, Set or Map (at any depth) into their JSON"), hard,
		text("/// form: a Map with String keys stays a Map, any other container becomes a List."), hard,
		text("Object? mapRecordContainingContainerToJson(Object obj) {"),
		indent(2,
			hard, text("Object? convert(Object? value) => switch (value) {"),
			indent(6,
				hard, text("Record r => mapRecordToJson(r),"),
				hard, text("Iterable<Object?> i => mapRecordContainingContainerToJson(i),"),
				hard, text("Map m => mapRecordContainingContainerToJson(m),"),
				hard, text("_ => value,")),
			hard, text("    };"),
			hard, ifBlock(text("obj is Map<String, dynamic>"),
				text("return obj.map((key, value) => MapEntry(key, convert(value)));")),
			hard, ifBlock(text("obj is Map"),
				text("return obj.entries"),
				text("    .map((entry) => {'k': convert(entry.key), 'v': convert(entry.value)})"),
				text("    .toList();")),
			hard, ifBlock(text("obj is Iterable"), text("return obj.map(convert).toList();")),
			hard, text("throw ArgumentError.value(obj, 'obj', 'Expected a List, Set or Map');")),
		hard, text("}"),
	)
	return cat(hard, mapRecord, hard, hard, containers, hard)
}
