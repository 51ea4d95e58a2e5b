package endpoint

import (
	"fmt"
	"go/types"
	"strconv"

	"github.com/gopod/gopod/generator/model"
)

// goForm maps a Go type of an endpoint signature to its Type. The rule is
// one: a pointer makes the type it points to nullable. *int64 is int?,
// *[]int64 is List<int>?, *protocol.Example is Example?; and since
// *url.URL and *big.Int are already Uri and BigInt, **url.URL and
// **big.Int are Uri? and BigInt?.
func (d *discoverer) goForm(t types.Type) (*Type, error) {
	if isStreamLike(t) {
		return nil, fmt.Errorf("type %s: a stream is an endpoint method's parameter or result (iter.Seq2[T, error]), never part of another type", types.TypeString(t, shortQualifier))
	}
	switch t := types.Unalias(t).(type) {
	case *types.Basic:
		switch t.Kind() {
		case types.Int64:
			return prim(model.TypeInt), nil
		case types.Float64:
			return prim(model.TypeDouble), nil
		case types.Bool:
			return prim(model.TypeBool), nil
		case types.String:
			return prim(model.TypeString), nil
		case types.Int, types.Int32, types.Int16, types.Int8, types.Uint, types.Uint64, types.Uint32, types.Uint16, types.Uint8, types.Uintptr:
			return nil, fmt.Errorf("type %s is not supported; use int64 (Serverpod's int)", t)
		case types.Float32:
			return nil, fmt.Errorf("type float32 is not supported; use float64 (Serverpod's double)")
		}
	case *types.Pointer:
		elem := types.Unalias(t.Elem())
		switch {
		case isNamed(elem, "net/url", "URL"):
			return prim(model.TypeURI), nil
		case isNamed(elem, "math/big", "Int"):
			return prim(model.TypeBigInt), nil
		}
		inner, err := d.goForm(elem)
		if err != nil {
			return nil, err
		}
		if inner.Nullable {
			return nil, fmt.Errorf("type %s is not supported; one pointer makes a value nullable", t)
		}
		inner.Nullable = true
		return inner, nil
	case *types.Slice:
		if b, ok := types.Unalias(t.Elem()).(*types.Basic); ok && b.Kind() == types.Byte {
			return prim(model.TypeByteData), nil
		}
		if isNamed(t.Elem(), wirePkg, "Entry") {
			args := types.Unalias(t.Elem()).(*types.Named).TypeArgs()
			k, err := d.goForm(args.At(0))
			if err != nil {
				return nil, err
			}
			v, err := d.goForm(args.At(1))
			if err != nil {
				return nil, err
			}
			if k.Kind == Primitive && k.Name == model.TypeString && !k.Nullable {
				return nil, fmt.Errorf("type %s is not supported; use map[string]%s (a Map with String keys is a JSON object)", t, types.TypeString(args.At(1), shortQualifier))
			}
			return &Type{Kind: Map, Name: model.TypeMap, Key: k, Elem: v, Entries: true}, nil
		}
		elem, err := d.goForm(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Type{Kind: List, Name: model.TypeList, Elem: elem}, nil
	case *types.Map:
		k, err := d.goForm(t.Key())
		if err != nil {
			return nil, err
		}
		if k.Nullable || (k.Kind == Primitive && (k.Name == model.TypeURI || k.Name == model.TypeBigInt)) {
			return nil, fmt.Errorf("type %s is not supported: Go compares pointer keys by address; use []wire.Entry[%s, %s]", t,
				types.TypeString(t.Key(), shortQualifier), types.TypeString(t.Elem(), shortQualifier))
		}
		v, err := d.goForm(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Type{Kind: Map, Name: model.TypeMap, Key: k, Elem: v}, nil
	case *types.Struct:
		return d.record(t)
	case *types.Named:
		switch {
		case isNamed(t, "time", "Time"):
			return prim(model.TypeDateTime), nil
		case isNamed(t, "time", "Duration"):
			return prim(model.TypeDuration), nil
		case isNamed(t, wirePkg, "UUID"):
			return prim(model.TypeUUID), nil
		case isNamed(t, wirePkg, "Set"):
			elem, err := d.goForm(t.TypeArgs().At(0))
			if err != nil {
				return nil, err
			}
			return &Type{Kind: Set, Name: model.TypeSet, Elem: elem}, nil
		case isNamed(t, "net/url", "URL"):
			return nil, fmt.Errorf("type url.URL is not supported; use *url.URL (Serverpod's Uri) or **url.URL (Uri?)")
		case isNamed(t, "math/big", "Int"):
			return nil, fmt.Errorf("type big.Int is not supported; use *big.Int (Serverpod's BigInt) or **big.Int (BigInt?)")
		case isNamed(t, podPkg, "Named"), isNamed(t, podPkg, "Optional"):
			return nil, fmt.Errorf("%s is embedded in a struct of parameters, not used as a type", t)
		}
		if o := t.Obj(); o.Pkg() != nil {
			if m := d.opts.Models[o.Pkg().Path()+"."+o.Name()]; m != nil {
				return &Type{Kind: Model, Name: m.ClassName, Model: m}, nil
			}
		}
		if embeds(t, podPkg, "Named") || embeds(t, podPkg, "Optional") {
			return nil, fmt.Errorf("%s holds optional or named parameters: take it as the method's last parameter", t)
		}
		return nil, fmt.Errorf("type %s is not a model: use a type generated from a model file, or one of the model language's types", t)
	}
	return nil, fmt.Errorf("type %s is not supported by endpoint methods", t)
}

func prim(name string) *Type { return &Type{Kind: Primitive, Name: name} }

func shortQualifier(p *types.Package) string { return p.Name() }

// record maps an anonymous struct to a Dart record: fields P1, P2, ...
// (in that order, first) are its positional fields, every other field a
// named one, named by its Go name with the leading capital lower-cased.
func (d *discoverer) record(st *types.Struct) (*Type, error) {
	t := &Type{Kind: Record, Name: "Record"}
	if st.NumFields() == 0 {
		return nil, fmt.Errorf("an empty struct is not a record; a record needs at least one field")
	}
	names := map[string]bool{}
	positional := true
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		switch {
		case f.Embedded():
			return nil, fmt.Errorf("record field %s is embedded; a record's fields are P1, P2, ... for positional fields and named fields", f.Name())
		case !f.Exported():
			return nil, fmt.Errorf("record field %s must be exported: generated code in other packages builds the record", f.Name())
		case st.Tag(i) != "":
			return nil, fmt.Errorf("record field %s has a tag; a record is matched by its field names and types, so tags are not used", f.Name())
		}
		ft, err := d.goForm(f.Type())
		if err != nil {
			return nil, fmt.Errorf("record field %s: %w", f.Name(), err)
		}
		field := &Field{GoName: f.Name(), Type: ft}
		if positional && f.Name() == "P"+strconv.Itoa(i+1) {
			t.Fields = append(t.Fields, field)
			continue
		}
		positional = false
		if isPositionalName(f.Name()) {
			return nil, fmt.Errorf("record field %s is out of place: positional fields are P1, P2, ... in order, before the named ones", f.Name())
		}
		field.Name = lowerLeading(f.Name())
		if names[field.Name] {
			return nil, fmt.Errorf("record fields named %s twice", field.Name)
		}
		names[field.Name] = true
		t.Fields = append(t.Fields, field)
	}
	return t, nil
}

func isPositionalName(s string) bool {
	if len(s) < 2 || s[0] != 'P' {
		return false
	}
	_, err := strconv.Atoi(s[1:])
	return err == nil
}
