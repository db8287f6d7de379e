package web

import (
	"html"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/mailer"
)

// With no SMTP server, mail going to the outbox, the import's report says
// its confirmation mails are written there, not sent, as the banners of
// a reader added do; it said they were on their way.
func TestAdminImportReportSaysOutbox(t *testing.T) {
	e := newAdminSubEnv(t)
	out, err := mailer.NewOutbox(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Outbox = out
	for file, want := range map[string]string{
		"email,lists\nsolo@example.com,daily-news\n":                           "1 confirmation mail is written to the Outbox, not sent: no SMTP server is set, so it reaches no one until one is.",
		"email,lists\nann@example.com,daily-news\nbo@example.com,daily-news\n": "2 confirmation mails are written to the Outbox, not sent: no SMTP server is set, so they reach no one until one is.",
	} {
		text := html.UnescapeString(textOf(e.importReport(file, nil)))
		if !strings.Contains(text, want) || strings.Contains(text, "on its way") || strings.Contains(text, "on their way") {
			t.Errorf("the report of %q does not say %q:\n%s", file, want, text)
		}
	}
}
