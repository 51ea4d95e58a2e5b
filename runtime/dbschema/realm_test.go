package dbschema

import (
	"testing"
)

// TestRealmRoundTrip converts definitions to Atlas realms and back: what a
// database can hold survives, and the result converts to the same realm.
func TestRealmRoundTrip(t *testing.T) {
	for _, name := range []string{"definition.json", "definition_extras.json"} {
		t.Run(name, func(t *testing.T) {
			want := readDefinition(t, name)
			realm, err := ToRealm(want)
			if err != nil {
				t.Fatal(err)
			}
			back := FromSchema(realm.Schemas[0])
			for _, wt := range want.Tables {
				bt := back.Table(wt.Name)
				if !wt.IsManaged() {
					if bt != nil {
						t.Errorf("unmanaged table %s is in the realm", wt.Name)
					}
					continue
				}
				if bt == nil {
					t.Fatalf("table %s is missing", wt.Name)
				}
				compareInspected(t, wt, bt)
			}
			again, err := ToRealm(back)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Diff(back, back, DiffOptions{})
			if err != nil || !p.Empty() {
				t.Fatalf("a converted definition differs from itself: %v, %v", p, err)
			}
			if len(again.Schemas[0].Tables) != len(realm.Schemas[0].Tables) {
				t.Errorf("%d tables after the round trip, want %d", len(again.Schemas[0].Tables), len(realm.Schemas[0].Tables))
			}
		})
	}
}
