package mailer_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/mailer"
)

// BenchmarkCampaignComposeRewrap is BenchmarkCampaignCompose's message
// with its greeting a paragraph marked for wrapping again, as campaigns
// renders one holding the name, composed for a reader whose long name
// makes it wrap again (named) and for one whose name fits (fits).
func BenchmarkCampaignComposeRewrap(b *testing.B) {
	body := strings.Repeat("A paragraph of the campaign, about the harbour and the town. ", 100)
	mk := mailer.NewMarkers()
	greeting := mk.LineMark() + "Hi " + mk.Of(mailer.Name) + ", thanks for reading the Harbour Gazette this winter, and\n" +
		"for every letter about the ferry timetable." + mk.ParagraphEnd() + "\n"
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk, From: &mail.Address{Address: "news@h.example"}, Subject: "s",
		Text: greeting + "\n" + body + "\n" + mk.Of(mailer.Unsubscribe),
		HTML: "<p>Hi " + mk.Of(mailer.Name) + "</p><p>" + body + "</p><a href=\"x/" + mk.Of(mailer.Unsubscribe) + "\">u</a>",
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct{ name, reader string }{{"named", "Alexandra-Konstantina Papadopoulou"}, {"fits", "Ann"}} {
		b.Run(tt.name, func(b *testing.B) {
			p := mailer.Personal{Email: "reader@example.com", Name: tt.reader, Unsubscribe: "AAAAAAAAAAoAAAAAAtIZiSc98AkLR25Qr6karw", Preferences: "x"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cm.Compose(nil, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
