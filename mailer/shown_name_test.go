package mailer_test

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/mailer"
)

// A reader's name is shown with each run of white space in it as one
// space, in both parts and in the To header: a name stored before
// signups collapsed them read "Hello Padded   Name,". A lone space of
// another kind, such as the ideographic space between a Japanese family
// and given name, is kept.
func TestNameIsShownWithRunsOfSpacesCollapsed(t *testing.T) {
	mk := mailer.NewMarkers()
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk,
		From:    &mail.Address{Name: "Harbour Times", Address: "news@harbour.example"},
		Subject: "Ferries",
		Text:    "Hello " + mk.Of(mailer.Name) + ",\n",
		HTML:    "<p>Hello " + mk.Of(mailer.Name) + ",</p>",
		Date:    time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	for stored, want := range map[string]string{
		"Padded   Name":          "Padded Name",
		"Ann \u00a0\t Lee":       "Ann Lee",
		"Ann\r\n\r\nLee":         "Ann Lee",
		"山田\u3000太郎":             "山田\u3000太郎",
		"Zoë O'Hara":             "Zoë O'Hara",
		"Jean-Luc\u00a0Marchand": "Jean-Luc\u00a0Marchand",
	} {
		raw, err := cm.Compose(nil, mailer.Personal{Name: stored, Email: "ada@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		p := parse(t, raw)
		if !strings.Contains(p.text, "Hello "+want+",\r\n") {
			t.Errorf("%q: text part %q, want Hello %s,", stored, p.text, want)
		}
		if !strings.Contains(strings.ReplaceAll(p.html, "&#39;", "'"), "<p>Hello "+want+",</p>") {
			t.Errorf("%q: HTML part %q, want Hello %s,", stored, p.html, want)
		}
		if to, err := mail.ParseAddress(p.header.Get("To")); err != nil || to.Name != want {
			t.Errorf("%q: To %q (%v), want the name %q", stored, p.header.Get("To"), err, want)
		}
	}
}
