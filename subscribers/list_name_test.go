package subscribers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// A list's name stands in subjects, the List-Id header, one-line footers
// and the public form: a line break or another control character in it
// is refused, as in the publication's name, and so is what a reader's
// name may not hold (a line or paragraph separator, a direction
// override); any other letter is taken.
func TestListNameOnOneLine(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"Inj <List>\r\nX-Evil: 1", false},
		{"Two\nlines", false},
		{"Tab\there", false},
		{"Nul\x00", false},
		{"Line\u2028separator", false},
		{"Para\u2029graph", false},
		{"Over\u202eride", false},
		{"Isolate\u2066d\u2069", false},
		{"Byte\ufefforder", false},
		{"Harbour & Quay · Ø <weekly>", true},
	} {
		l := &subscribers.List{Slug: "news", Name: tt.name}
		err := l.Validate()
		got := bulletin.ErrorFields(err)["name"]
		switch {
		case tt.ok && err != nil:
			t.Errorf("%q refused: %v", tt.name, err)
		case !tt.ok && got != "write the name on one line as plain text, without control characters, line or paragraph separators or direction overrides":
			t.Errorf("%q: name field %q, want it refused as not on one line", tt.name, got)
		}
	}
}

// A welcome text saved before a check that only new texts get (a
// relative link) does not stop other changes to its list; a new text is
// checked.
func TestStoredWelcomeKeepsItsListEditable(t *testing.T) {
	db := sqlitetest.Open(t)
	s := subscribers.NewStore(db)
	ctx := context.Background()
	if err := s.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News", Public: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.Exec(`UPDATE lists SET welcome = ? WHERE slug = 'news'`, "Read [our story](/about)."); err != nil {
		t.Fatal(err)
	}
	check := func(md string) error {
		if strings.Contains(md, "](/") {
			return newOnly{}
		}
		return nil
	}
	daily := "daily"
	if _, err := s.UpdateList(ctx, "news", &subscribers.ListPatch{Digest: &daily}, check); err != nil {
		t.Errorf("turning the digest on: %v", err)
	}
	welcome := "Read [our rules](/rules)."
	_, err := s.UpdateList(ctx, "news", &subscribers.ListPatch{Welcome: &welcome}, check)
	if got := bulletin.ErrorFields(err)["welcome"]; got != "relative link" {
		t.Errorf("a new welcome with a relative link: %v (%q), want it refused", err, got)
	}
}

// newOnly is a refusal of new texts only, as campaigns' link check is.
type newOnly struct{}

func (newOnly) Error() string     { return "relative link" }
func (newOnly) NewTextOnly() bool { return true }
