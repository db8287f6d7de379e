package web

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A send time the clocks go back past, 02:30 on the night Paris leaves
// summer time, happens twice: the campaign goes at the second, as it
// did, and its page and the form's preview now say so, where they said
// only "02:30 Europe/Paris (01:30 UTC)". A time that happens once has no
// such note.
func TestCampaignAtATimeThatHappensTwiceSaysWhichOne(t *testing.T) {
	e := newZone32Env(t)
	const note = "02:30 happens twice in Europe/Paris that night; the campaign goes at the second, 01:30 UTC."
	page := e.save(t, "", "2027-10-31T02:30", "Europe/Paris")
	_, raw := e.a.get(page)
	body := html.UnescapeString(raw)
	if !strings.Contains(body, "31 October 2027, 02:30 Europe/Paris (01:30 UTC)") || !strings.Contains(body, note) {
		t.Errorf("the campaign's page does not say which 02:30 it goes at (%q):\n%s", note, body)
	}
	_, raw = e.a.do("POST", "/admin/campaigns", url.Values{"csrf": {e.csrf}, "action": {"preview"}, "subject": {"Harbour news"},
		"body": {"Hello"}, "lists": {"news"}, "send_at": {"2027-10-31T02:30"}, "send_zone": {"Europe/Paris"}})
	if body := html.UnescapeString(raw); !strings.Contains(body, note) {
		t.Errorf("the form's preview does not say which 02:30 it is (%q):\n%s", note, body)
	}
	page = e.save(t, "", "2027-10-30T02:30", "Europe/Paris")
	if _, raw := e.a.get(page); strings.Contains(raw, "happens twice") {
		t.Errorf("a time that happens once is said to happen twice:\n%s", raw)
	}

	// The note names the first when that is the time kept (an instant
	// the API gave, with its offset).
	paris, _ := time.LoadLocation("Europe/Paris")
	first := time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)
	if got, want := twiceNote(first, paris), "02:30 happens twice in Europe/Paris that night; the campaign goes at the first, 00:30 UTC"; got != want {
		t.Errorf("twiceNote(00:30 UTC) = %q, want %q", got, want)
	}
}
