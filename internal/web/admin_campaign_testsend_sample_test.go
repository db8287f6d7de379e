package web

import (
	"html"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A test sent from the campaign's page reads as the page's preview does,
// for the same sample reader: its name and its address. The test greeted
// "Hi Ada Reader" as the preview does, but a link writing {{ .Email }}
// read ?e=tester%40example.com where the preview's reads
// ?e=ada%40example.com. It goes to the tester, whom its To header names.
func TestCampaignTestSendReadsAsThePreview(t *testing.T) {
	srv := smtptest.Start(t)
	a, _, _, token := camp37Server(t, srv)
	page, _ := createCampaign(t, a, token, `{"subject":"Pier","lists":["news"],`+
		`"body":"Hi {{ .Name }},\n\nSee [your page](https://harbour.example/u?e={{ .Email }})."}`)
	const link = "https://harbour.example/u?e=ada%40example.com"
	_, body := a.get(page)
	if preview := html.UnescapeString(html.UnescapeString(body)); !strings.Contains(preview, "Hi Ada Reader,") || !strings.Contains(preview, link) {
		t.Fatalf("the page's preview does not show Ada Reader and %s:\n%s", link, body)
	}
	resp := a.post(page+"/test", url.Values{"csrf": {a.csrfOf(page)}, "to": {"tester@example.com"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("test send = %d, want 303", resp.StatusCode)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("the SMTP server got %d messages, want 1", len(msgs))
	}
	if len(msgs[0].To) != 1 || msgs[0].To[0] != "tester@example.com" {
		t.Errorf("RCPT TO %q, want tester@example.com", msgs[0].To)
	}
	m := mailtest.Parse(t, msgs[0].Data)
	if to, err := mail.ParseAddress(m.Header.Get("To")); err != nil || to.Address != "tester@example.com" || to.Name != "" {
		t.Errorf("To: %q, want tester@example.com alone", m.Header.Get("To"))
	}
	for part, text := range map[string]string{"text": m.Text, "HTML": m.HTML} {
		if !strings.Contains(text, "Hi Ada Reader,") || !strings.Contains(text, link) || strings.Contains(text, "tester") {
			t.Errorf("the test's %s part does not read as the preview (Hi Ada Reader, %s):\n%s", part, link, text)
		}
	}
}
