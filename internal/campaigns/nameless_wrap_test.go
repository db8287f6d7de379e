package campaigns_test

import (
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/mailer"
)

// TestTextPartJoinsTheLinesAroundALeftOutName: the text part is wrapped
// for readers with a name, and may break a line in the space before the
// name. A reader without one does not read that line break either: the
// word before the name and the punctuation after it stay together, and a
// line made too long by the join is wrapped again, its prefix kept. A
// reader with a name reads the lines as they were wrapped before.
func TestTextPartJoinsTheLinesAroundALeftOutName(t *testing.T) {
	x, y, z := strings.Repeat("x", 10), strings.Repeat("y", 56), strings.Repeat("z", 66)
	q := strings.Repeat("q", 63)
	rest := "and then more words to go on with until this line is long too."
	body := x + " " + y + " Dear {{ .Name }}, " + rest + "\n\n" + // "Dear" ends at column 72
		z + " Dear {{ .Name }},\n\n" + // at column 71: "Dear," fits
		"> " + q + " Hello {{ .Name }}! " + rest + "\n" // at column 70 after "> "
	cm := winterMessage(t, body)
	for _, tc := range []struct{ name, want string }{
		{"", x + " " + y + "\nDear, " + rest + "\n\n" +
			z + " Dear,\n\n" +
			"> " + q + " Hello!\n> " + rest + "\n"},
		{"Al", x + " " + y + " Dear\nAl, " + rest + "\n\n" +
			z + " Dear\nAl,\n\n" +
			"> " + q + " Hello\n> Al! " + rest + "\n"},
		{"Alexandra-Konstantina Papadopoulou", x + " " + y + " Dear\nAlexandra-Konstantina Papadopoulou, and then more words to go on with\nuntil this line is long too.\n\n" +
			z + " Dear\nAlexandra-Konstantina Papadopoulou,\n\n" +
			"> " + q + " Hello\n> Alexandra-Konstantina Papadopoulou! and then more words to go on with\n> until this line is long too.\n"},
	} {
		raw, err := cm.Compose(nil, mailer.Personal{Email: "ann@example.org", Name: tc.name})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(mailtest.Parse(t, raw).Text, "\r\n", "\n")
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("name %q: text part (-want +got):\n%s", tc.name, diff)
		}
		for _, l := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(l); n > 72 {
				t.Errorf("name %q: a line of %d columns: %q", tc.name, n, l)
			}
		}
	}
}

// winterMessage is the campaign message of body as a send makes it:
// rendered, its text part's rules marked, from news@news.example.
func winterMessage(t *testing.T, body string) *mailer.CampaignMessage {
	t.Helper()
	mk := mailer.NewMarkers()
	html, text, err := campaigns.Render(body, mk)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{Markers: mk, Subject: "Winter",
		From: &mail.Address{Address: "news@news.example"}, Text: mk.Rules(text), HTML: html})
	if err != nil {
		t.Fatal(err)
	}
	return cm
}
