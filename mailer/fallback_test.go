package mailer_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// A fallback's two sides go one to readers with a name, the other to
// readers without, in a composed message and in Fill alike; its markers
// never show.
func TestFallbackSides(t *testing.T) {
	mk := mailer.NewMarkers()
	fallback := func(other string) string {
		return mk.Of(mailer.IfName) + mk.Of(mailer.Name) + mk.Of(mailer.ElseName) + other + mk.Of(mailer.EndName)
	}
	long := strings.Repeat("ö", 50)
	text := "Dear " + fallback("reader") + ", " + strings.Repeat("a", 70) + fallback(long) + "!\n" + fallback("x") + "\n"
	html := "<p>Dear " + fallback("reader &amp; friend") + ",</p>\n<p>" + fallback(long) + "</p>"
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{Markers: mk, From: &mail.Address{Address: "news@h.example"}, Subject: "s", Text: text, HTML: html})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, text, html string }{
		{"Ann", "Dear Ann, " + strings.Repeat("a", 70) + "Ann!\r\nAnn\r\n", "<p>Dear Ann,</p>\r\n<p>Ann</p>"},
		{"", "Dear reader, " + strings.Repeat("a", 70) + long + "!\r\nx\r\n", "<p>Dear reader &amp; friend,</p>\r\n<p>" + long + "</p>"},
	} {
		p := mailer.Personal{Email: "ann@example.com", Name: tc.name, Unsubscribe: "u", Preferences: "p"}
		raw, err := cm.Compose(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		got := parse(t, raw)
		if diff := cmp.Diff(tc.text, got.text); diff != "" {
			t.Errorf("name %q: text (-want +got):\n%s", tc.name, diff)
		}
		if diff := cmp.Diff(tc.html, got.html); diff != "" {
			t.Errorf("name %q: html (-want +got):\n%s", tc.name, diff)
		}
		for i, line := range strings.Split(string(raw), "\r\n") {
			if len(line) > 76 && !strings.Contains(line, ":") {
				t.Errorf("name %q: body line %d is %d octets, over quoted-printable's 76", tc.name, i, len(line))
			}
			if line == "=" { // a soft line break with nothing before it
				t.Errorf("name %q: body line %d is an empty soft line break", tc.name, i)
			}
		}
		if filled := mk.Fill(html, p, true); filled != strings.ReplaceAll(tc.html, "\r\n", "\n") {
			t.Errorf("name %q: Fill = %q, want %q", tc.name, filled, tc.html)
		}
	}
}
