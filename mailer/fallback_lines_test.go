package mailer_test

import (
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// TestFallbackAcrossALineBreak: campaigns puts the space before a bare
// name in a fallback of its own, whose side for readers without a name
// is empty, and the text part's wrap may break the line in that space. A
// reader with a name reads the lines as wrapped; a reader without one
// reads neither the name nor the line break, the two lines as one: as
// they are when that fits in 72 columns, wrapped again when it does not,
// and when the paragraph is wrapped again for the reader's address too.
func TestFallbackAcrossALineBreak(t *testing.T) {
	mk := mailer.NewMarkers()
	lm, end := mk.LineMark(), mk.ParagraphEnd()
	ifName, name, elseName, endName := mk.Of(mailer.IfName), mk.Of(mailer.Name), mk.Of(mailer.ElseName), mk.Of(mailer.EndName)
	y := strings.Repeat("y", 67)
	rest := ", and then more words to go on with until this line is long too."
	// As campaigns renders the text, wrapped at 72 with the name measured
	// as nothing.
	text := lm + y + " Dear" + ifName + "\n" + name + elseName + endName + rest + end + "\n" +
		"\n" +
		"- " + lm + "Short, Dear" + ifName + "\n  " + name + elseName + endName + "." + end + "\n" +
		"\n" +
		lm + "Write to " + mk.Of(mailer.Email) + " dear" + ifName + "\n" + name + elseName + endName + ", soon." + end + "\n"
	cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{Markers: mk, From: &mail.Address{Address: "news@h.example"},
		Subject: "s", Text: text, HTML: "<p>x</p>"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    mailer.Personal
		want string
	}{
		{mailer.Personal{Email: "a@b.example"},
			y + "\nDear" + rest + "\n\n- Short, Dear.\n\nWrite to a@b.example dear, soon.\n"},
		{mailer.Personal{Email: address90},
			y + "\nDear" + rest + "\n\n- Short, Dear.\n\nWrite to\n" + address90 + "\ndear, soon.\n"},
		{mailer.Personal{Email: "a@b.example", Name: "Ann"},
			y + " Dear\nAnn" + rest + "\n\n- Short, Dear\n  Ann.\n\nWrite to a@b.example dear\nAnn, soon.\n"},
	} {
		raw, err := cm.Compose(nil, tc.p)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(parse(t, raw).text, "\r\n", "\n")
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q <%s>: text (-want +got):\n%s", tc.p.Name, tc.p.Email, diff)
		}
		for _, l := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(l); n > 72 && l != address90 {
				t.Errorf("%q <%s>: a line of %d columns: %q", tc.p.Name, tc.p.Email, n, l)
			}
		}
	}
}
