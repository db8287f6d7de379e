package subscribers_test

import (
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A list's name stands in subjects, the List-Id header and one-line
// footers: a line break or another control character in it is refused,
// as in the publication's name; any other letter is taken.
func TestListNameOnOneLine(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"Inj <List>\r\nX-Evil: 1", false},
		{"Two\nlines", false},
		{"Tab\there", false},
		{"Nul\x00", false},
		{"Harbour & Quay · Ø <weekly>", true},
	} {
		l := &subscribers.List{Slug: "news", Name: tt.name}
		err := l.Validate()
		got := bulletin.ErrorFields(err)["name"]
		switch {
		case tt.ok && err != nil:
			t.Errorf("%q refused: %v", tt.name, err)
		case !tt.ok && got != "write the name on one line, without control characters":
			t.Errorf("%q: name field %q, want it refused as not on one line", tt.name, got)
		}
	}
}
