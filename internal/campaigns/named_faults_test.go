package campaigns

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// namedFaults names the first maxFaults faults, asking for each in order
// and for no other, and counts the rest on one line more.
func TestNamedFaults(t *testing.T) {
	for _, c := range []struct {
		n         int
		wantAsked int
		wantLast  string
	}{
		{0, 0, ""},
		{1, 1, "fault 0"},
		{maxFaults, maxFaults, fmt.Sprintf("fault %d", maxFaults-1)},
		{maxFaults + 1, maxFaults, "1 more"},
		{maxFaults + 25, maxFaults, "25 more"},
	} {
		var asked []int
		faults := namedFaults(c.n, func(i int) error {
			asked = append(asked, i)
			return fmt.Errorf("fault %d", i)
		}, func(more int) error { return fmt.Errorf("%d more", more) })

		var want []int
		for i := range c.wantAsked {
			want = append(want, i)
		}
		if diff := cmp.Diff(want, asked); diff != "" {
			t.Errorf("%d faults: asked for (-want +got):\n%s", c.n, diff)
		}
		wantLen := c.wantAsked
		if c.n > maxFaults {
			wantLen++
		}
		if len(faults) != wantLen {
			t.Fatalf("%d faults: got %d errors, want %d: %v", c.n, len(faults), wantLen, errors.Join(faults...))
		}
		if wantLen > 0 && faults[len(faults)-1].Error() != c.wantLast {
			t.Errorf("%d faults: the last error is %q, want %q", c.n, faults[len(faults)-1].Error(), c.wantLast)
		}
	}
}
