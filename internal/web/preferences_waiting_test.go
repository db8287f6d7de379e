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

// prefsListBox is a list's checkbox and label on the preferences page: its
// slug, whether it is ticked, and the text of its label.
var prefsListBox = regexp.MustCompile(`(?s)<label class="check"><input type="checkbox" name="list" value="([^"]+)"( checked)?>(.*?)</label>`)

// listLabels are the labels of the lists of the preferences page at
// path, by slug, with " [ticked]" after those ticked.
func listLabels(t *testing.T, e *subEnv, path string) map[string]string {
	t.Helper()
	w := e.do("GET", path, "", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s = %d", path, w.Code)
	}
	out := map[string]string{}
	for _, m := range prefsListBox.FindAllStringSubmatch(html.UnescapeString(w.Body.String()), -1) {
		out[m[1]] = m[3]
		if m[2] != "" {
			out[m[1]] += " [ticked]"
		}
	}
	return out
}

// A list that waits for the reader's confirmation says so on the
// preferences page: a reader on Weekend Culture who signed up for Daily
// News saw Daily News unticked like any other. What it says is what
// happens: the link in the mail adds it, and, for a reader who has
// confirmed their address, ticking it and saving joins it at once. A
// pending reader, for whom a list ticked waits for the same link, is not
// told to tick it.
func TestPreferencesSayWhichListsWaitForTheReader(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	const (
		link   = "Waiting for your confirmation: the link in the mail we sent you adds this list"
		orTick = ", or tick it and save to join it now."
	)
	ann, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.org", Status: subscribers.StatusConfirmed,
		Lists: []string{"weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []*subscribers.Signup{
		{Email: "ann@example.org", Lists: []string{"daily-news"}},
		{Email: "bo@example.org", Lists: []string{"weekend-culture"}},
		{Email: "bo@example.org", Lists: []string{"daily-news"}}, // within minutes: held for the same link
	} {
		if err := e.signups.Signup(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	bo, err := e.store.ByEmail(ctx, "bo@example.org")
	if err != nil {
		t.Fatal(err)
	}
	page := func(id int64) string { return "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, id, 0) }

	for _, tc := range []struct {
		name string
		id   int64
		note string
	}{
		{"a confirmed reader", ann.ID, link + orTick},
		{"a pending reader", bo.ID, link + "."},
	} {
		got := listLabels(t, e, page(tc.id))
		if l := got["daily-news"]; !strings.Contains(l, tc.note) || strings.HasSuffix(l, "[ticked]") {
			t.Errorf("%s: Daily News reads %q, want it unticked, saying %q", tc.name, l, tc.note)
		}
		if l := got["weekend-culture"]; strings.Contains(l, "Waiting") || !strings.HasSuffix(l, "[ticked]") {
			t.Errorf("%s: Weekend Culture, which they are on, reads %q", tc.name, l)
		}
	}

	// Ticked and saved, Daily News is Ann's at once, and waits no more.
	w := e.form(page(ann.ID), url.Values{"name": {""}, "frequency": {"daily"}, "list": {"weekend-culture", "daily-news"},
		"shown": {"daily-news", "weekend-culture"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save = %d:\n%s", w.Code, w.Body)
	}
	sub, err := e.store.Get(ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sub.Lists, ",") != "daily-news,weekend-culture" {
		t.Errorf("after ticking Daily News and saving, Ann is on %v", sub.Lists)
	}
	var status string
	if err := e.db.Read.QueryRow(`SELECT x.status FROM subscriptions x JOIN lists l ON l.id = x.list_id
		WHERE x.subscriber_id = ? AND l.slug = 'daily-news'`, ann.ID).Scan(&status); err != nil || status != subscribers.SubActive {
		t.Errorf("Ann's Daily News is %q (%v), want active, as the page said", status, err)
	}
	if l := listLabels(t, e, page(ann.ID))["daily-news"]; strings.Contains(l, "Waiting") || !strings.HasSuffix(l, "[ticked]") {
		t.Errorf("Daily News, joined, reads %q", l)
	}
}
