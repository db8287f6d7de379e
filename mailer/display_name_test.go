package mailer_test

import (
	"bytes"
	"net/mail"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/mailer"
)

// A display name keeps its commas, in a one-off mail and in a campaign's:
// From and To read back with exactly the names given, once each. A comma
// in a quoted-string or an encoded word is legal (RFC 5322 §3.2.4, RFC
// 2047), and the mail library would split the field at it.
func TestDisplayNamesKeepTheirCommas(t *testing.T) {
	for _, names := range [][2]string{
		{"Harbour Gazette, Ltd", "Doe, Jane"},
		{"Hafenzeitung, täglich", "Ünal, Zoë"},
	} {
		from := &mail.Address{Name: names[0], Address: "news@harbour.example"}
		to := &mail.Address{Name: names[1], Address: "jane@example.com"}
		check := func(kind string, raw []byte) {
			t.Helper()
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
			for _, c := range []struct {
				field string
				want  *mail.Address
			}{{"From", from}, {"To", to}} {
				got, err := msg.Header.AddressList(c.field)
				if err != nil || len(msg.Header[c.field]) != 1 || len(got) != 1 || *got[0] != *c.want {
					t.Errorf("%s: %s fields %q = %v (%v), want %v once", kind, c.field, msg.Header[c.field], got, err, c.want)
				}
			}
		}
		m := &mailer.Message{From: from, To: to, Subject: "Hello", Text: "t", HTML: "<p>h</p>"}
		raw, err := m.Compose()
		if err != nil {
			t.Fatal(err)
		}
		check("Message", raw)

		cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{From: from, Subject: "Hello", Text: "t", HTML: "<p>h</p>", Date: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		raw, err = cm.Compose(nil, mailer.Personal{Email: to.Address, Name: to.Name})
		if err != nil {
			t.Fatal(err)
		}
		check("CampaignMessage", raw)
	}
}
