package mailer_test

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// A paragraph marked for wrapping again is still wrapped again when a
// fallback running across lines (a block only readers with a name read)
// ends after the prefix of its first line, or starts after its end mark,
// and when its side for readers without a name reads longer than it was
// measured ("your" for "’s"): each reader gets lines of at most 72
// columns, the prefix once, and the block between only when they have a
// name.
func TestCampaignMessageWrapsAgainBesideAFallbackAcrossLines(t *testing.T) {
	mk := mailer.NewMarkers()
	ifName, elseName, endName, name := mk.Of(mailer.IfName), mk.Of(mailer.ElseName), mk.Of(mailer.EndName), mk.Of(mailer.Name)
	yours := ifName + name + "’s" + elseName + "your" + endName
	x := strings.Repeat("x", 53)
	text := mk.LineMark() + "Here are " + yours + " picks: " + x + "\n" + // 72 columns, "’s" for the name
		"and more." + mk.ParagraphEnd() + ifName + "\n" +
		"\n" +
		name + elseName + endName + "\n" +
		"\n" +
		ifName + "3. " + elseName + "2. " + endName + mk.LineMark() + "Hello " + yours + " picks: " + x + "\n" +
		"   and more." + mk.ParagraphEnd() + "\n"
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{Markers: mk, Subject: "s",
		From: &mail.Address{Address: "news@h.example"}, Text: text, HTML: "<p>x</p>"})
	if err != nil {
		t.Fatal(err)
	}
	long := "Alexandra-Konstantina Papadopoulou"
	for _, tc := range []struct{ name, want string }{
		{"", "Here are your picks:\n" + x + " and more.\n\n2. Hello your picks:\n   " + x + " and more.\n"},
		{long, "Here are " + long + "’s picks:\n" + x + " and more.\n\n" + long + "\n\n" +
			"3. Hello " + long + "’s picks:\n   " + x + " and more.\n"},
	} {
		raw, err := cm.Compose(nil, mailer.Personal{Email: "ann@example.com", Name: tc.name})
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range bytes.Split(raw, []byte("\r\n")) {
			if len(l) > 76 {
				t.Errorf("name %q: line %d of the message is %d octets", tc.name, i+1, len(l))
			}
		}
		if diff := cmp.Diff(strings.ReplaceAll(tc.want, "\n", "\r\n"), parse(t, raw).text); diff != "" {
			t.Errorf("name %q: text (-want +got):\n%s", tc.name, diff)
		}
	}
}
