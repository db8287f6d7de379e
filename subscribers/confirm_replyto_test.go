package subscribers

import (
	"mime"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// The confirmation carries the publication's Reply-To, as its other mail
// does; without a Reply-To in the settings it has none. (Composed mail
// by mail, it carries it too: TestConfirmReplyToWhenRenderedMailByMail.)
func TestConfirmMailCarriesTheReplyTo(t *testing.T) {
	for _, replyTo := range []string{"Desk Ø <desk@quayside.example>", ""} {
		box, _ := confirmWithSettings(t, &settings.Update{Publication: settings.Publication{
			Name: "Quayside Courier", PublicURL: "https://letters.quayside.example", Accent: "#b45309",
			PostalAddress: "4 Rope Walk, Falmouth", FromAddress: "post@quayside.example", ReplyTo: replyTo,
		}}, &Signup{Email: "zoe@example.org", Name: "Zoë", Lists: []string{"tides"}})
		raw, ok := box["zoe@example.org"]
		if !ok {
			t.Fatal("no confirmation")
		}
		got, err := new(mime.WordDecoder).DecodeHeader(mailtest.Parse(t, raw).Header.Get("Reply-To"))
		if err != nil {
			t.Fatal(err)
		}
		if got != replyTo {
			t.Errorf("settings Reply-To %q: the confirmation has Reply-To %q", replyTo, got)
		}
	}
}
