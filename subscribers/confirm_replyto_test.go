package subscribers

import (
	"context"
	"mime"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// The confirmation carries the publication's Reply-To, as its other mail
// does, whether it is filled in around its markers or rendered in full (a
// name the fast path cannot take); without a Reply-To in the settings it
// has none.
func TestConfirmMailCarriesTheReplyTo(t *testing.T) {
	for _, replyTo := range []string{"Desk Ø <desk@quayside.example>", ""} {
		// A name with a control character, stored before names were
		// checked, goes the slow way.
		oddName := func(db *sqlite.DB) {
			if _, err := db.Write.ExecContext(context.Background(), "UPDATE subscribers SET name = 'Odd\x01One' WHERE email = 'odd@example.org'"); err != nil {
				t.Fatal(err)
			}
		}
		box, _ := confirmWithSettings(t, &settings.Update{Publication: settings.Publication{
			Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", Accent: "#b45309",
			PostalAddress: "4 Rope Walk, Falmouth", FromAddress: "post@quayside.example", ReplyTo: replyTo,
		}}, oddName,
			&Signup{Email: "zoe@example.org", Name: "Zoë", Lists: []string{"tides"}},
			&Signup{Email: "odd@example.org", Name: "Odd", Lists: []string{"tides"}})
		for _, to := range []string{"zoe@example.org", "odd@example.org"} {
			raw, ok := box[to]
			if !ok {
				t.Fatalf("no confirmation to %s", to)
			}
			pm := mailtest.Parse(t, raw)
			got, err := new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Reply-To"))
			if err != nil {
				t.Fatal(err)
			}
			if got != replyTo {
				t.Errorf("settings Reply-To %q: the confirmation to %s has Reply-To %q", replyTo, to, got)
			}
		}
	}
}
