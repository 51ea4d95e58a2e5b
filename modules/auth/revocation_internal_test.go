package auth

import (
	"reflect"
	"testing"
)

// TestPendingRevocations: revocations waiting for Redis are kept in order
// up to maxPending; past it they become one revocation of everything,
// which later ones do not add to.
func TestPendingRevocations(t *testing.T) {
	all := []revocation{{All: true}}
	for _, tt := range []struct {
		name string
		adds int
		want []revocation
	}{
		{"none", 0, nil},
		{"some", 2, []revocation{{User: 1}, {User: 2}}},
		{"at the bound", maxPending, nil}, // checked by length below
		{"past the bound", maxPending + 1, all},
		{"well past the bound", maxPending + 10, all},
	} {
		var p pendingRevocations
		for i := range tt.adds {
			p.add(revocation{User: int64(i + 1)})
		}
		got := p.take()
		if tt.adds == maxPending {
			if len(got) != maxPending || got[maxPending-1].User != maxPending {
				t.Errorf("%s: %d revocations, last %+v; want all %d in order", tt.name, len(got), got[len(got)-1], maxPending)
			}
		} else if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: took %+v, want %+v", tt.name, got, tt.want)
		}
		if again := p.take(); again != nil {
			t.Errorf("%s: a second take gave %+v, want nothing", tt.name, again)
		}
	}
}
