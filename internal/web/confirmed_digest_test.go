package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// confirmedItems are the lines of the "You will receive" list of the page
// a confirmation link opens, and the notes under it.
var (
	confirmedItem = regexp.MustCompile(`<li>(.*?)</li>`)
	confirmedNote = regexp.MustCompile(`<p class="muted small">(.*?)</p>`)
)

// The page a reader sees after clicking the confirmation link says when
// the digests of each list come, from the list's own settings: daily or
// weekly, on which day, at which hour in which zone; a daily list's
// weekly round-up to a reader who chose weekly. A list without digests
// says so, and that its editors' mails come: named alone, it read as a
// line left unfinished.
func TestConfirmedPageSaysWhenDigestsCome(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	for slug, p := range map[string]subscribers.ListPatch{
		"daily-news":      {Digest: new("daily"), DigestHour: new(7), DigestWeekday: new("friday"), Timezone: new("UTC")},
		"weekend-culture": {Digest: new("weekly"), DigestHour: new(9), DigestWeekday: new("saturday"), Timezone: new("America/New_York")},
	} {
		if _, err := e.store.UpdateList(ctx, slug, &p); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		email, frequency string
		want             []string
	}{
		{"daily@example.org", "daily", []string{
			"Daily News: a digest of new stories every day at 07:00 UTC",
			"Weekend Culture: a digest of new stories every Saturday at 09:00 (America/New York time)",
			"Editor's Desk: " + noDigestLine,
		}},
		{"weekly@example.org", "weekly", []string{
			"Daily News: a weekly round-up of new stories every Friday at 07:00 UTC",
			"Weekend Culture: a digest of new stories every Saturday at 09:00 (America/New York time)",
			"Editor's Desk: " + noDigestLine,
		}},
	} {
		sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: tc.email, Frequency: tc.frequency,
			Lists: []string{"daily-news", "weekend-culture", "editors-desk"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.QueueConfirm(ctx, sub.ID, nil); err != nil {
			t.Fatal(err)
		}
		w := e.do("GET", "/confirm/"+e.confirmToken(sub.ID), "", "")
		if w.Code != http.StatusOK {
			t.Fatalf("%s: confirm = %d:\n%s", tc.email, w.Code, w.Body)
		}
		if diff := cmp.Diff(tc.want, confirmedLines(w.Body.String())); diff != "" {
			t.Errorf("%s (%s): the lists (-want +got):\n%s", tc.email, tc.frequency, diff)
		}
		if notes := confirmedNote.FindAllStringSubmatch(w.Body.String(), -1); len(notes) != 0 {
			t.Errorf("%s: notes %q, want none", tc.email, notes)
		}
		// "every day" is no promise of a mail a day: said once.
		if n := strings.Count(w.Body.String(), "A digest goes only when there are new stories since the last one."); n != 1 {
			t.Errorf("%s: says %d times that a digest goes only with new stories, want once", tc.email, n)
		}
	}
}

// A reader who chose weekly on a daily list gets its daily digests until
// its next round-up: the confirmation page of a list they join meanwhile
// says so, as their preferences page does.
func TestConfirmedPageSaysWhenAChangeOfFrequencyTakesEffect(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	if _, err := e.store.UpdateList(ctx, "daily-news", &subscribers.ListPatch{Digest: new("daily"), DigestHour: new(6)}); err != nil {
		t.Fatal(err)
	}
	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "switch@example.org", Status: subscribers.StatusConfirmed,
		Frequency: "daily", Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetPreferences(ctx, sub.ID, subscribers.Preferences{Frequency: "weekly", Lists: []string{"daily-news"}}); err != nil {
		t.Fatal(err)
	}
	if w := e.form("/subscribe", url.Values{"email": {"switch@example.org"}, "list": {"weekend-culture"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("signup for another list = %d:\n%s", w.Code, w.Body)
	}
	e.runConfirmations()
	w := e.do("GET", "/confirm/"+e.confirmToken(sub.ID), "", "")
	if w.Code != http.StatusOK {
		t.Fatalf("confirm = %d:\n%s", w.Code, w.Body)
	}
	body := html.UnescapeString(w.Body.String())
	want := []string{"Daily News: a weekly round-up of new stories every Monday at 06:00 UTC", "Weekend Culture: " + noDigestLine}
	if diff := cmp.Diff(want, confirmedLines(w.Body.String())); diff != "" {
		t.Errorf("the lists (-want +got):\n%s", diff)
	}
	if note := "Daily News: daily digests until its next weekly round-up (Mondays), then weekly ones."; !strings.Contains(body, `<p class="muted small">`+note+`</p>`) {
		t.Errorf("the page does not say %q:\n%s", note, body)
	}
}

// noDigestLine is what the page says of a list without digests.
const noDigestLine = "our editors' mails as they send them, with no digest"

// confirmedLines are the items of the page's list of lists, as text.
func confirmedLines(body string) []string {
	var out []string
	for _, m := range confirmedItem.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}
