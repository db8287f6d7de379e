package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A file that marks readers confirmed (an export), uploaded without the
// consent box, is refused before anything is stored, as the command line
// refuses it: imported so, each reader would be pending and mailed a
// confirmation by surprise. The form again offers "Ask them again",
// which imports them pending; both boxes at once are refused too.
func TestAdminImportOfConfirmedRowsAsksWhichIsMeant(t *testing.T) {
	e := newAdminSubEnv(t)
	file := "email,name,lists,status\nada@example.com,Ada,daily-news,confirmed\nbo@example.com,Bo,daily-news,pending\n"

	resp, body := e.upload(file, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload of confirmed rows without consent = %d to %q, want 422:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	text := html.UnescapeString(body)
	if !strings.Contains(text, "The file marks 1 reader confirmed.") || !strings.Contains(text, "Nothing was imported.") {
		t.Errorf("the refusal does not say how many rows are confirmed and that nothing was stored:\n%s", body)
	}
	if !strings.Contains(body, `name="reconfirm"`) {
		t.Errorf("the form again does not offer to ask them again:\n%s", body)
	}
	for _, addr := range []string{"ada@example.com", "bo@example.com"} {
		if sub := e.byEmail(addr); sub != nil {
			t.Errorf("stored %+v from the refused file", sub)
		}
	}

	resp, body = e.upload(file, url.Values{"confirmed": {"on"}, "reconfirm": {"on"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "not both") {
		t.Errorf("both boxes = %d, want 422 saying not both:\n%s", resp.StatusCode, body)
	}

	// Asked again: the confirmed row is imported pending.
	report := e.importReport(file, url.Values{"reconfirm": {"on"}})
	if !strings.Contains(report, `<div class="stat">2</div>Added`) {
		t.Fatalf("import with Ask them again:\n%s", report)
	}
	if sub := e.byEmail("ada@example.com"); sub == nil || sub.Status != subscribers.StatusPending {
		t.Errorf("ada = %+v, want pending, to be asked by mail", sub)
	}
}

// The consent box imports the same file without a question, the
// confirmed row confirmed.
func TestAdminImportOfConfirmedRowsWithConsent(t *testing.T) {
	e := newAdminSubEnv(t)
	report := e.importReport("email,lists,status\nada@example.com,daily-news,confirmed\n", url.Values{"confirmed": {"on"}})
	if !strings.Contains(report, `<div class="stat">1</div>Added`) {
		t.Fatalf("import with consent:\n%s", report)
	}
	if sub := e.byEmail("ada@example.com"); sub == nil || sub.Status != subscribers.StatusConfirmed {
		t.Errorf("ada = %+v, want confirmed", sub)
	}
}
