package mailer_test

import (
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/mailer"
)

// A message with To set goes to that address, which its To header names
// alone, while its body shows the Name and Email it was given, a sample
// reader's, wherever it writes a reader's own: a test send reads as the
// preview does. A To that could break out of the header is refused, as
// an Email is.
func TestCampaignMessageToNamesItsAddressAlone(t *testing.T) {
	mk := mailer.NewMarkers()
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{
		Markers: mk,
		From:    &mail.Address{Name: "Harbour Times", Address: "news@harbour.example"},
		Subject: "[Test] Your page",
		Text:    "Hi " + mk.Of(mailer.Name) + ", https://harbour.example/u?e=" + mk.Of(mailer.EmailURL) + " (" + mk.Of(mailer.Email) + ")\n",
		HTML:    "<p>Hi " + mk.Of(mailer.Name) + ", <a href=\"https://harbour.example/u?e=" + mk.Of(mailer.EmailURL) + "\">" + mk.Of(mailer.Email) + "</a></p>",
		Date:    time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := cm.Compose(nil, mailer.Personal{Name: "Ada Reader", Email: "ada@example.com", To: "tester@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, raw)
	if to := p.header.Get("To"); to != "<tester@example.com>" && to != "tester@example.com" {
		t.Errorf("To: %q, want tester@example.com alone", to)
	}
	const link = "https://harbour.example/u?e=ada%40example.com"
	if want := "Hi Ada Reader, " + link + " (ada@example.com)"; !strings.Contains(p.text, want) {
		t.Errorf("text part, want %q:\n%s", want, p.text)
	}
	if want := `Hi Ada Reader, <a href="` + link + `">ada@example.com</a>`; !strings.Contains(p.html, want) {
		t.Errorf("HTML part, want %q:\n%s", want, p.html)
	}
	if strings.Contains(p.text+p.html, "tester") {
		t.Errorf("the body shows the To address:\n%s\n%s", p.text, p.html)
	}
	for _, bad := range []string{"a@example.com\r\nBcc: b@example.com", "a@example.com, b@example.com", "nobody"} {
		if _, err := cm.Compose(nil, mailer.Personal{Email: "ada@example.com", To: bad}); err == nil {
			t.Errorf("To %q composed", bad)
		}
	}
}
