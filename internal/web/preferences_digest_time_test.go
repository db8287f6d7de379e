package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// digestChoice is the preferences page's fieldset of digest choices.
var digestChoice = regexp.MustCompile(`(?s)<fieldset[^>]*>\s*<legend>Digest</legend>.*?</fieldset>`)

// zoneMarkup is a time zone's name in a digest choice's label, its parts
// kept whole and a break allowed after each "/" (labelRuns); zoneText
// leaves its words only.
var zoneMarkup = regexp.MustCompile(`<span class="zone">((?:<wbr>|<span>[^<]*</span>)+)</span>`)

func zoneText(s string) string {
	return zoneMarkup.ReplaceAllStringFunc(s, func(m string) string {
		return strings.NewReplacer(`<span class="zone">`, "", "<span>", "", "</span>", "", "<wbr>", "").Replace(m)
	})
}

// The preferences page says when each digest comes, as the confirmation
// page does ("07:00 (Europe/London time)"): its choices said only "Daily"
// and "Weekly, on Fridays". Daily lists of different hours or days are
// named each with theirs. The group of choices is described by the line
// naming the lists it is for, which stood apart from it, and by its
// error when it has one.
func TestPreferencesDigestChoiceSaysWhenAndForWhat(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	schedule := func(slug, digest, day, zone string, hour int) {
		t.Helper()
		if _, err := e.store.UpdateList(ctx, slug, &subscribers.ListPatch{Digest: &digest, DigestWeekday: &day, Timezone: &zone, DigestHour: &hour}); err != nil {
			t.Fatal(err)
		}
	}
	schedule("daily-news", "daily", "friday", "Europe/London", 7)
	schedule("weekend-culture", "weekly", "saturday", "Europe/Paris", 9)
	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ada@example.org", Status: subscribers.StatusConfirmed,
		Frequency: "daily", Lists: []string{"daily-news", "weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0)
	check := func(what, body string, inChoice, after []string) {
		t.Helper()
		body = html.UnescapeString(body)
		choice := digestChoice.FindString(body)
		if choice == "" {
			t.Fatalf("%s: no digest choice:\n%s", what, body)
		}
		for _, s := range inChoice {
			if !strings.Contains(zoneText(choice), s) && !strings.Contains(choice, s) {
				t.Errorf("%s: the choice lacks %s:\n%s", what, s, choice)
			}
		}
		_, rest, _ := strings.Cut(body, choice)
		for _, s := range after {
			if !strings.Contains(rest, s) {
				t.Errorf("%s: the page lacks %s after the choice:\n%s", what, s, body)
			}
		}
	}

	check("one daily list", e.do("GET", path, "", "").Body.String(), []string{
		`<fieldset aria-describedby="digest-for">`,
		`<p class="muted small" id="digest-for">For Daily News.</p>`,
		`value="daily" checked><span>Daily, at 07:00 (Europe/London time)</span>`,
		`value="weekly"><span>Weekly, on Fridays at 07:00 (Europe/London time)</span>`,
		`07:00 (<span class="zone"><span>Europe/</span><wbr><span>London</span></span> time)`,
	}, []string{"Weekend Culture: the weekly digest, sent on Saturdays at 09:00 (Europe/Paris time)."})

	// The confirmation page says the same of the same list.
	lists, err := e.store.Lists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		if l.Slug == "daily-news" && readerDigest(l, "daily") != "a digest of new stories every day at 07:00 (Europe/London time)" {
			t.Errorf("the confirmation page says %q of Daily News", readerDigest(l, "daily"))
		}
	}

	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "port-log", Name: "Port Log", Public: true, Digest: "daily",
		DigestHour: 18, DigestWeekday: "monday", Timezone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	check("two daily lists", e.do("GET", path, "", "").Body.String(), []string{
		`<span>Daily: Daily News at 07:00 (Europe/London time), Port Log at 18:00 (America/New York time)</span>`,
		`<span>Weekly: Daily News on Fridays at 07:00 (Europe/London time), Port Log on Mondays at 18:00 (America/New York time)</span>`,
	}, nil)

	w := e.form(path, url.Values{"name": {""}, "frequency": {"hourly"}, "list": {"daily-news"}, "shown": {"daily-news", "weekend-culture", "port-log"}})
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("an hourly digest: %d, want 422", w.Code)
	}
	check("a refused frequency", w.Body.String(), []string{`<fieldset aria-describedby="digest-for frequency-error">`},
		[]string{`<p class="error" id="frequency-error">Choose daily or weekly.</p>`})
}
