package campaigns_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/mailer"
)

// BenchmarkComposeRenderedGreeting is the mailer's BenchmarkCampaignCompose
// on a body as Render makes it, "Hi {{ .Name }}," and a long paragraph,
// composed for a reader with a name and one without: the cost of a bare
// name's fallback in each message.
//
//	go test ./internal/campaigns -run '^$' -bench ComposeRenderedGreeting -benchmem
func BenchmarkComposeRenderedGreeting(b *testing.B) {
	body := "Hi {{ .Name }},\n\n" + strings.Repeat("A paragraph of the campaign, about the harbour and the town. ", 100) + "\n"
	mk := mailer.NewMarkers()
	html, text, err := campaigns.Render(body, mk)
	if err != nil {
		b.Fatal(err)
	}
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{Markers: mk, From: &mail.Address{Address: "news@h.example"},
		Subject: "s", Text: text + mk.Of(mailer.Unsubscribe), HTML: html + `<a href="x/` + mk.Of(mailer.Unsubscribe) + `">u</a>`})
	if err != nil {
		b.Fatal(err)
	}
	for _, tt := range []struct{ name, reader string }{{"named", "Ann Reader"}, {"nameless", ""}} {
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

// BenchmarkRenderNamelessBody is Render, once a campaign, on a body that
// writes the name bare, as a possessive, alone in blocks and in a heading
// wrapped before it, with prose around: the cost of working out what a
// reader without a name reads.
//
//	go test ./internal/campaigns -run '^$' -bench RenderNamelessBody -benchmem
func BenchmarkRenderNamelessBody(b *testing.B) {
	prose := strings.Repeat("A paragraph of the campaign, about the harbour and the town. ", 8) + "\n\n"
	body := "Dear {{ .Name }},\n\n" + prose + "Here are {{ .Name }}'s picks. " + prose + "**{{ .Name }}**\n\n" +
		"## Everything new at the harbour this winter: the ferry, the café and Dear {{ .Name }}, the rest\n\n" +
		"- {{ .Name }}\n- The ferry\n- The café\n\n" + strings.Repeat(prose, 10)
	mk := mailer.NewMarkers()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := campaigns.Render(body, mk); err != nil {
			b.Fatal(err)
		}
	}
}
