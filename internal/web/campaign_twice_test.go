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

// West of UTC, Go's time.Date took the first of the two (01:30 in New
// York the night it leaves summer time was 05:30 UTC), east of it the
// second, while the README and the forms promise the second: a send time
// typed so now goes at the second in every zone.
func TestCampaignAtATimeThatHappensTwiceGoesAtTheSecondWestOfUTC(t *testing.T) {
	e := newZone32Env(t)
	const note = "01:30 happens twice in America/New_York that night; the campaign goes at the second, 06:30 UTC."
	page := e.save(t, "", "2027-11-07T01:30", "America/New_York")
	_, raw := e.a.get(page)
	if body := html.UnescapeString(raw); !strings.Contains(body, "7 November 2027, 01:30 America/New_York (06:30 UTC)") || !strings.Contains(body, note) {
		t.Errorf("the campaign's page does not say it goes at the second 01:30 (%q):\n%s", note, body)
	}
}

func TestParseLocalTakesTheSecondOfTwo(t *testing.T) {
	for _, c := range []struct {
		zone, local string
		want        time.Time
	}{
		{"Europe/Paris", "2027-10-31T02:30", time.Date(2027, 10, 31, 1, 30, 0, 0, time.UTC)},
		{"America/New_York", "2027-11-07T01:30", time.Date(2027, 11, 7, 6, 30, 0, 0, time.UTC)},
		// Lord Howe Island goes back by half an hour.
		{"Australia/Lord_Howe", "2027-04-04T01:45", time.Date(2027, 4, 3, 15, 15, 0, 0, time.UTC)},
		{"America/New_York", "2027-11-08T01:30", time.Date(2027, 11, 8, 6, 30, 0, 0, time.UTC)},
		{"UTC", "2027-11-07T01:30", time.Date(2027, 11, 7, 1, 30, 0, 0, time.UTC)},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseLocal(formTime, c.local, loc)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("parseLocal(%s in %s) = %v, %v; want %v", c.local, c.zone, got.UTC(), err, c.want)
		}
	}
}
