package mailer_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// TestCampaignMessageReader fills the Reader field, each recipient's
// tracking token, into tracked links and the open pixel of both parts.
func TestCampaignMessageReader(t *testing.T) {
	mk := mailer.NewMarkers()
	rd := mk.Of(mailer.Reader)
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk, From: &mail.Address{Address: "news@h.example"}, Subject: "s",
		Text: "Read it (https://h.example/r/LINK." + rd + ")\n",
		HTML: `<p><a href="https://h.example/r/LINK.` + rd + `">Read it</a></p><img src="https://h.example/o/` + rd + `.gif" width="1" height="1" alt="">`,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, reader := range []string{"AAAAAAAAAAoAAAAAAtIZiSc98Ak", "BBBB-_b"} {
		raw, err := cm.Compose(nil, mailer.Personal{Email: "a@example.com", Reader: reader})
		if err != nil {
			t.Fatal(err)
		}
		got := parse(t, raw)
		want := parsed{
			header: got.header,
			text:   "Read it (https://h.example/r/LINK." + reader + ")\r\n",
			html:   `<p><a href="https://h.example/r/LINK.` + reader + `">Read it</a></p><img src="https://h.example/o/` + reader + `.gif" width="1" height="1" alt="">`,
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(parsed{})); diff != "" {
			t.Errorf("reader %q (-want +got):\n%s", reader, diff)
		}
		if strings.Contains(string(raw), "BLTN") {
			t.Errorf("reader %q: a marker is left in the message", reader)
		}
	}
	if _, err := cm.Compose(nil, mailer.Personal{Email: "a@example.com", Reader: `x"><script>`}); err == nil {
		t.Error("Compose took a reader token outside base64url")
	}
}

// BenchmarkCampaignComposeTracked is BenchmarkCampaignCompose's message
// with 20 tracked links and an open pixel: each is one Reader field more
// to fill in, nothing else per message.
func BenchmarkCampaignComposeTracked(b *testing.B) {
	body := strings.Repeat("A paragraph of the campaign, about the harbour and the town. ", 100)
	mk := mailer.NewMarkers()
	rd := mk.Of(mailer.Reader)
	var text, html strings.Builder
	for i := range 20 {
		link := "https://news.example/r/AQHTsizb3UJSIg" + string(rune('a'+i)) + "." + rd
		text.WriteString("A story (" + link + ")\n")
		html.WriteString(`<p><a href="` + link + `">A story</a></p>`)
	}
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk, From: &mail.Address{Address: "news@h.example"}, Subject: "s",
		Text: "Hi " + mk.Of(mailer.Name) + "\n" + body + "\n" + text.String() + mk.Of(mailer.Unsubscribe),
		HTML: "<p>Hi " + mk.Of(mailer.Name) + "</p><p>" + body + "</p>" + html.String() + "<a href=\"x/" + mk.Of(mailer.Unsubscribe) + "\">u</a>" +
			`<img src="https://news.example/o/` + rd + `.gif" width="1" height="1" alt="">`,
	})
	if err != nil {
		b.Fatal(err)
	}
	p := mailer.Personal{Email: "reader@example.com", Name: "Ann Reader", Unsubscribe: "AAAAAAAAAAoAAAAAAtIZiSc98AkLR25Qr6karw",
		Preferences: "x", Reader: "AQE7bYuD1TiG4g"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cm.Compose(nil, p); err != nil {
			b.Fatal(err)
		}
	}
}
