package wire

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// declPoint and declOops are a module's class and exception as generated
// now: tagged fields and a declaration, no codec methods.
type declPoint struct {
	X     int64      `wire:"x"`
	Color *declColor `wire:"color,null"`
}

type declOops struct {
	Reason declColorName `wire:"reason"`
}

func (e *declOops) Error() string     { return "oops" }
func (e *declOops) ClassName() string { return "mod.Oops" }

var declTestTypes = Declare([]TypeDef{
	{Name: "mod.Point", Type: (*declPoint)(nil)},
	{Name: "mod.Oops", Type: (*declOops)(nil), Exception: true},
})

type undeclared struct {
	A int64 `wire:"a"`
}

func TestClassNameOf(t *testing.T) {
	tests := []struct {
		v    any
		want string
		ok   bool
	}{
		{declPoint{}, "mod.Point", true},
		{&declPoint{}, "mod.Point", true},
		{(*declPoint)(nil), "mod.Point", true},
		{declColor(1), "TestEnum", true},
		{&declOops{}, "mod.Oops", true},
		{undeclared{}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		got, ok := ClassNameOf(tt.v)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ClassNameOf(%T) = %q, %v; want %q, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDeclaredTypesTravel(t *testing.T) {
	c := declColor(2)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"class", declPoint{X: 3, Color: &c}, `{"x":3,"color":2}`},
		{"class by pointer", &declPoint{X: 3}, `{"x":3}`},
		{"nil pointer", (*declPoint)(nil), `null`},
		{"enum by index", declColor(1), `1`},
		{"enum by name", declColorName(1), `"green"`},
		{"list of enums", []declColorName{0, 2}, `["red","blue"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := MarshalModel(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Fatalf("MarshalModel = %s, want %s", b, tt.want)
			}
			if reflect.TypeOf(tt.v).Kind() == reflect.Pointer {
				return
			}
			back := reflect.New(reflect.TypeOf(tt.v))
			if err := UnmarshalModel(b, back.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Elem().Interface(), tt.v) {
				t.Fatalf("round trip gave %#v, want %#v", back.Elem().Interface(), tt.v)
			}
		})
	}
}

func TestDeclaredEnumRefusesUnknownValues(t *testing.T) {
	var c declColor
	if err := UnmarshalModel([]byte(`3`), &c); err == nil || !strings.Contains(err.Error(), `"TestEnum"`) {
		t.Errorf("index 3: %v", err)
	}
	var n declColorName
	if err := UnmarshalModel([]byte(`"purple"`), &n); err == nil || !strings.Contains(err.Error(), `"TestEnumStringified"`) {
		t.Errorf("purple: %v", err)
	}
	if _, err := DecodeModel[declColorName](float64(1)); err == nil {
		t.Error("an index decoded as a by-name enum")
	}
}

func TestEncodeTaggedDeclared(t *testing.T) {
	e := NewEncoder(true)
	EncodeTagged(e, &declPoint{X: 1})
	b, err := e.Bytes()
	if err != nil || string(b) != `{"className":"mod.Point","data":{"x":1}}` {
		t.Fatalf("got %s, %v", b, err)
	}
	e = NewEncoder(true)
	EncodeTagged(e, undeclared{})
	if _, err := e.Bytes(); err == nil {
		t.Fatal("a type without a class name was encoded type-tagged")
	}
}

func TestTypesRegistry(t *testing.T) {
	r := declTestTypes.Registry()
	r.AddModule("mod", r)
	parse := func(s string) any {
		v, err := Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, name := range []string{"Point", "mod.Point"} {
		v, err := r.Decode(name, parse(`{"x":4}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p, ok := v.(declPoint); !ok || p.X != 4 {
			t.Fatalf("%s: got %#v", name, v)
		}
	}
	v, err := r.Decode("Oops", parse(`{"reason":"blue"}`))
	if err != nil {
		t.Fatal(err)
	}
	var oops *declOops
	if !errors.As(v.(error), &oops) || oops.Reason != 2 {
		t.Fatalf("exception decoded as %#v", v)
	}
}

func TestModelClassOfDeclared(t *testing.T) {
	if got := ModelClass[declPoint]().Name; got != "mod.Point" {
		t.Errorf("ModelClass name %q", got)
	}
	if got := ModelPtrClass[declColor]().Name; got != "TestEnum" {
		t.Errorf("ModelPtrClass name %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("ModelClass of an undeclared type did not panic")
		}
	}()
	ModelClass[undeclared]()
}

func TestDeclareRefusesNonIntEnums(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("an enum of a string type was declared")
		}
	}()
	type stringEnum string
	Declare([]TypeDef{{Name: "S", Type: (*stringEnum)(nil), Values: []string{"a"}}})
}

func TestFieldCodecOf(t *testing.T) {
	type withParent struct {
		newNested
		Tags []declColorName `wire:"tags,null"`
	}
	for _, tt := range []struct {
		field, want string
		set         func(m *withParent)
	}{
		{"Tags", `["blue"]`, func(m *withParent) { m.Tags = []declColorName{2} }},
		{"Tags", `null`, func(m *withParent) {}},
		{"Value", `"v"`, func(m *withParent) { m.Value = "v" }},
	} {
		c, err := FieldCodecOf(reflect.TypeFor[withParent](), tt.field)
		if err != nil {
			t.Fatal(err)
		}
		var m withParent
		tt.set(&m)
		sf, _ := reflect.TypeFor[withParent]().FieldByName(tt.field)
		p := reflect.ValueOf(&m).Elem().FieldByIndex(sf.Index).Addr().UnsafePointer()
		e := NewEncoder(false)
		c.Encode(e, p)
		if b, _ := e.Bytes(); string(b) != tt.want {
			t.Errorf("%s: encoded %s, want %s", tt.field, b, tt.want)
		}
		var back withParent
		q := reflect.ValueOf(&back).Elem().FieldByIndex(sf.Index).Addr().UnsafePointer()
		v, _ := Parse([]byte(tt.want))
		if err := c.Decode(v, q); err != nil || !reflect.DeepEqual(back, m) {
			t.Errorf("%s: decoded %#v, %v; want %#v", tt.field, back, err, m)
		}
	}
	if _, err := FieldCodecOf(reflect.TypeFor[withParent](), "Missing"); err == nil {
		t.Error("a missing field has a codec")
	}
}

func TestValuesWithoutWireFormAreErrors(t *testing.T) {
	if _, err := MarshalModel(make(chan int)); err == nil || !strings.Contains(err.Error(), "no wire form") {
		t.Errorf("MarshalModel(chan): %v", err)
	}
	var ch chan int
	if err := UnmarshalModel([]byte(`1`), &ch); err == nil {
		t.Error("UnmarshalModel into a chan succeeded")
	}
	var p declPoint
	if err := UnmarshalModel([]byte(`{"x":1}`), p); err == nil {
		t.Error("UnmarshalModel into a non-pointer succeeded")
	}
	if err := UnmarshalModel([]byte(`{"x":1}`), (*declPoint)(nil)); err == nil {
		t.Error("UnmarshalModel into a nil pointer succeeded")
	}
	// The failed plan left nothing behind: a good type still works.
	if b, err := MarshalModel(declPoint{X: 1}); err != nil || string(b) != `{"x":1}` {
		t.Errorf("after the failure: %s, %v", b, err)
	}
}

// declMoney is a custom class as a user writes one: JSON methods on the
// pointer and, as custom classes may have, a ClassName with a value
// receiver.
type declMoney struct{ Cents int64 }

func (m declMoney) ClassName() string       { return "Money" }
func (m *declMoney) EncodeJSON(e *Encoder)  { e.Int(m.Cents) }
func (m *declMoney) DecodeJSON(v any) error { c, err := DecodeInt(v); m.Cents = c; return err }

// TestNilPointersOfCustomClasses: generic code asks the class name of
// (*T)(nil) (ModelClass, messages' listeners), and a nil pointer is
// null; neither may call a method through the nil pointer.
func TestNilPointersOfCustomClasses(t *testing.T) {
	if name, ok := ClassNameOf((*declMoney)(nil)); name != "Money" || !ok {
		t.Errorf("ClassNameOf((*declMoney)(nil)) = %q, %v", name, ok)
	}
	if c := ModelClass[declMoney](); c.Name != "Money" {
		t.Errorf("ModelClass[declMoney]().Name = %q", c.Name)
	}
	if b, err := MarshalModel((*declMoney)(nil)); err != nil || string(b) != "null" {
		t.Errorf("MarshalModel((*declMoney)(nil)) = %s, %v; want null", b, err)
	}
	if b, err := MarshalModel(&declMoney{Cents: 5}); err != nil || string(b) != "5" {
		t.Errorf("MarshalModel(&declMoney{5}) = %s, %v", b, err)
	}
}

func TestEnumOutOfRangeIsAnEncodingError(t *testing.T) {
	for _, v := range []any{declColor(3), declColorName(-1), []declColor{1, 9}, &declPoint{Color: Ptr(declColor(5))}} {
		if b, err := MarshalModel(v); err == nil || !strings.Contains(err.Error(), "is not a value of enum") {
			t.Errorf("MarshalModel(%#v) = %s, %v; want an error", v, b, err)
		}
	}
}
