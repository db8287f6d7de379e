package campaigns_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// A test mail reads as the preview does for every field, the reader's
// address as well as their name: both are the sample reader's. The test
// mail greeted Ada Reader but put the tester's own address where the body
// writes {{ .Email }}, in its text and in a link, where the preview shows
// ada@example.com. The message still goes to the tester, named alone in
// its To header.
func TestTestSendShowsTheSampleReadersAddress(t *testing.T) {
	e := newEnv(t)
	k := &envelopeTransport{}
	e.svc.Transport = k
	e.addList(t, "news")
	c := &campaigns.Campaign{Subject: "Your page", Lists: []string{"news"},
		Body: "Hi {{ .Name }}, we write to {{ .Email }}.\n\nSee [your page](https://harbour.example/u?e={{ .Email }})."}
	ctx := context.Background()
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	preview, err := e.svc.PreviewMail(ctx, c.ID, campaigns.SampleReader)
	if err != nil {
		t.Fatal(err)
	}
	const link, shown = "https://harbour.example/u?e=ada%40example.com", "we write to ada@example.com."
	for _, want := range []string{"Hi Ada Reader,", shown, `href="` + link + `"`} {
		if !strings.Contains(preview, want) {
			t.Fatalf("the preview does not say %q:\n%s", want, preview)
		}
	}
	if err := e.svc.TestSend(ctx, c.ID, []string{"tester@example.com"}); err != nil {
		t.Fatal(err)
	}
	if len(k.msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(k.msgs))
	}
	msg := k.msgs[0]
	if len(msg.to) != 1 || msg.to[0] != "tester@example.com" {
		t.Errorf("RCPT TO %q, want tester@example.com alone", msg.to)
	}
	m := mailtest.Parse(t, msg.data)
	if to, err := mail.ParseAddress(m.Header.Get("To")); err != nil || to.Address != "tester@example.com" || to.Name != "" {
		t.Errorf("To: %q (%v), want tester@example.com alone", m.Header.Get("To"), err)
	}
	for _, want := range []string{"Hi Ada Reader,", shown, `href="` + link + `"`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the test mail's HTML part does not say %q, as the preview does:\n%s", want, m.HTML)
		}
	}
	for _, want := range []string{"Hi Ada Reader,", shown, link} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the test mail's text part does not say %q:\n%s", want, m.Text)
		}
	}
	if body := m.Text + m.HTML; strings.Contains(body, "tester") {
		t.Errorf("the test mail's body shows the tester's address:\n%s", body)
	}
}
