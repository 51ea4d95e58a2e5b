package dartcheck

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want lists the expected problems as "line:col: what".
		want []string
	}{
		{
			name: "valid class",
			src: `import 'package:serverpod_client/serverpod_client.dart' as _i1;

abstract class Example implements _i1.SerializableModel {
  Example._({required this.name});

  String name;

  @override
  Map<String, dynamic> toJson() {
    return {'name': name};
  }
}
`,
		},
		{
			name: "valid enum with switch",
			src: `enum Color {
  red,
  green;

  static Color fromJson(int index) {
    switch (index) {
      case 0:
        return Color.red;
      default:
        throw ArgumentError('Value "$index" cannot be converted');
    }
  }
}
`,
		},
		{
			name: "missing semicolon",
			src:  "void f() {\n  print('a')\n}\n",
			want: []string{"2:13: missing ;"},
		},
		{
			name: "missing parenthesis",
			src:  "void f() {\n  g(1;\n}\n",
			want: []string{"2:6: missing )"},
		},
		{
			name: "field without semicolon",
			src:  "class A {\n  int x\n}\n",
			want: []string{"2:3: syntax error"},
		},
		{
			name: "stray token",
			src:  "class A {\n  void f() {\n    return ) ;\n  }\n}\n",
			want: []string{"3:12: syntax error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems, err := Check("x.dart", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range problems {
				s := p.String()
				if !strings.HasPrefix(s, "x.dart:") {
					t.Errorf("problem %q does not name the file", s)
				}
				got = append(got, strings.SplitN(strings.TrimPrefix(s, "x.dart:"), " near ", 2)[0])
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCheckFiles(t *testing.T) {
	files := map[string][]byte{
		"lib/ok.dart":     []byte("class A {}\n"),
		"lib/broken.dart": []byte("class B {\n  int x\n}\n"),
		"pubspec.yaml":    []byte("name: x\n"),
	}
	err := CheckFiles(files)
	if err == nil {
		t.Fatal("CheckFiles accepted a broken file")
	}
	if !strings.Contains(err.Error(), "lib/broken.dart:2:3") || strings.Contains(err.Error(), "ok.dart") {
		t.Errorf("error %q should name only lib/broken.dart:2:3", err)
	}
	delete(files, "lib/broken.dart")
	if err := CheckFiles(files); err != nil {
		t.Errorf("CheckFiles rejected valid files: %v", err)
	}
}

func TestTreeNavigation(t *testing.T) {
	tree, err := Parse([]byte("class A {\n  int f(String s) => s.length;\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	classes := tree.Root().FindAll("class_definition")
	if len(classes) != 1 {
		t.Fatalf("found %d classes, want 1", len(classes))
	}
	name, ok := classes[0].Field("name")
	if !ok || name.Text() != "A" || name.Line() != 1 {
		t.Errorf("class name = %q on line %d, want A on line 1", name.Text(), name.Line())
	}
	sigs := tree.Root().FindAll("function_signature")
	if len(sigs) != 1 {
		t.Fatalf("found %d function signatures, want 1", len(sigs))
	}
	if fn, _ := sigs[0].Field("name"); fn.Text() != "f" || fn.Line() != 2 {
		t.Errorf("function name = %q on line %d, want f on line 2", fn.Text(), fn.Line())
	}
}
