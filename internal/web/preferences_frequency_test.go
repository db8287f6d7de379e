package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulletinhq/bulletin/subscribers"
)

// TestPreferencesOfferOnlyAFrequencyThatChangesSomething: a reader's
// frequency matters on a daily list only (a weekly list sends its digest
// to all alike), so the page offers daily or weekly whenever it shows a
// daily list, ticked or not, says what the reader's weekly lists send,
// and refuses, saving nothing, a frequency it did not offer.
func TestPreferencesOfferOnlyAFrequencyThatChangesSomething(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	for slug, l := range map[string]struct{ digest, day string }{"daily-news": {"daily", "friday"}, "weekend-culture": {"weekly", "saturday"}} {
		if _, err := e.store.UpdateList(ctx, slug, &subscribers.ListPatch{Digest: &l.digest, DigestWeekday: &l.day}); err != nil {
			t.Fatal(err)
		}
	}
	reader := func(email, frequency string, lists ...string) string {
		t.Helper()
		sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: email, Name: "Before", Status: subscribers.StatusConfirmed,
			Frequency: frequency, Lists: lists})
		if err != nil {
			t.Fatal(err)
		}
		return "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0)
	}
	weeklyOnly := reader("wes@example.org", "daily", "weekend-culture")
	both := reader("bo@example.org", "weekly", "daily-news", "weekend-culture")

	pages := []struct {
		name, path string
		radios     int
		want       []string
	}{
		{"on a weekly list only", weeklyOnly, 2, []string{
			"For Daily News, once you tick it above.", `value="daily" checked><span>Daily, at 00:00 UTC</span>`,
			"Weekend Culture: the weekly digest, sent on Saturdays at 00:00 UTC.",
		}},
		{"on a daily and a weekly list", both, 2, []string{
			"For Daily News.", `value="weekly" checked><span>Weekly, on Fridays at 00:00 UTC</span>`,
			"Weekend Culture: the weekly digest, sent on Saturdays at 00:00 UTC.",
		}},
	}
	for _, p := range pages {
		w := e.do("GET", p.path, "", "")
		body := html.UnescapeString(w.Body.String())
		if got := len(frequencyRadio.FindAllString(body, -1)); w.Code != http.StatusOK || got != p.radios {
			t.Errorf("%s: %d with %d radios, want 200 with %d:\n%s", p.name, w.Code, got, p.radios, body)
		}
		for _, s := range p.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q:\n%s", p.name, s, body)
			}
		}
	}

	stored := func(path string) *subscribers.Subscriber {
		t.Helper()
		id, err := e.signer.Verify(subscribers.TokenPreferences, strings.TrimPrefix(path, "/preferences/"))
		if err != nil {
			t.Fatal(err)
		}
		sub, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	posts := []struct {
		name, path, frequency string
		status                int
		message               string // the frequency's error, "" when saved
		want                  string // the frequency stored after
	}{
		{"none, to a reader shown a daily list", weeklyOnly, "", http.StatusUnprocessableEntity, "Choose daily or weekly.", "daily"},
		{"hourly, to a reader on a daily list", both, "hourly", http.StatusUnprocessableEntity, "Choose daily or weekly.", "weekly"},
		{"their own", weeklyOnly, "daily", http.StatusSeeOther, "", "daily"},
		{"weekly, to a reader shown a daily list they are not on", weeklyOnly, "weekly", http.StatusSeeOther, "", "weekly"},
		{"daily, offered", both, "daily", http.StatusSeeOther, "", "daily"},
	}
	for _, p := range posts {
		before := stored(p.path)
		w := e.form(p.path, url.Values{"name": {"After"}, "frequency": {p.frequency}, "list": {"weekend-culture"}})
		body := w.Body.String()
		if w.Code != p.status {
			t.Errorf("%s: %d, want %d:\n%s", p.name, w.Code, p.status, body)
			continue
		}
		after := stored(p.path)
		if p.message == "" {
			if after.Frequency != p.want || after.Name != "After" || strings.Join(after.Lists, ",") != "weekend-culture" {
				t.Errorf("%s: saved %+v, want frequency %s, name After, lists weekend-culture", p.name, after, p.want)
			}
			continue
		}
		if !strings.Contains(body, `<p class="error" id="frequency-error">`+p.message+`</p>`) {
			t.Errorf("%s: the page does not say %q:\n%s", p.name, p.message, body)
		}
		if diff := cmp.Diff(before, after, cmpopts.IgnoreUnexported(subscribers.Subscriber{})); diff != "" {
			t.Errorf("%s: a refused form changed the reader (-before +after):\n%s", p.name, diff)
		}
		if !frequencyRadio.MatchString(body) && !strings.Contains(body, `<input type="hidden" name="frequency" value="`+before.Frequency+`">`) {
			t.Errorf("%s: the form sent back does not carry the reader's own frequency, %s:\n%s", p.name, before.Frequency, body)
		}
	}
}
