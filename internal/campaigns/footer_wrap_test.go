package campaigns_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/settings"
)

// longPublication is a publication whose name and postal address are as
// long as the settings take them, more than a text line.
type longPublication struct{ p settings.Publication }

func (l longPublication) Publication(context.Context) (settings.Publication, error) { return l.p, nil }

// The text part's footer keeps to 72 columns too: a list's name of more
// than 22 characters made the line saying why the reader gets the mail
// longer than that, and the publisher's name and a postal line may be.
func TestTextFooterWraps(t *testing.T) {
	list := "The Harbour Gazette Weekly Round-up of Council and Ferry News"
	e := newGoldenEnv(t, "roundup", list, "off")
	pub := strings.Repeat("Harbour Gazette and Quayside Courier ", 3)
	postal := "Harbour Gazette Publishing Cooperative Ltd, Unit 4 The Old Net Loft, 12 North Quay Street, Porthaven"
	e.svc.Settings = longPublication{settings.Publication{Name: strings.TrimSpace(pub), PublicURL: "https://news.example",
		FromAddress: "news@news.example", Accent: "#1f5fbf", PostalAddress: "Newsroom\n" + postal, Credit: true}}
	e.sendCampaign(t, &campaigns.Campaign{Subject: "Winter", Lists: []string{"roundup"}, Body: "The ferry runs again."})
	text := mailtest.Parse(t, e.send(t)).Text
	footer := text[strings.Index(text, "-- \n"):]
	for _, l := range strings.Split(footer, "\n") {
		if utf8.RuneCountInString(l) > 72 && len(strings.Fields(l)) > 1 {
			t.Errorf("footer line of %d columns:\n%s", utf8.RuneCountInString(l), l)
		}
	}
	flat := strings.Join(strings.Fields(footer), " ")
	for _, want := range []string{strings.TrimSpace(pub), "You receive this because you joined the list “" + list + "”.", "Newsroom " + postal} {
		if !strings.Contains(flat, want) {
			t.Errorf("footer lacks %q:\n%s", want, footer)
		}
	}
}
