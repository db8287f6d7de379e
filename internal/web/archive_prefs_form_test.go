package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// cspDirective returns the value of directive name in policy, "" when
// the policy has none.
func cspDirective(policy, name string) (string, bool) {
	for _, d := range strings.Split(policy, ";") {
		d = strings.TrimSpace(d)
		if d == name || strings.HasPrefix(d, name+" ") {
			return strings.TrimSpace(strings.TrimPrefix(d, name)), true
		}
	}
	return "", false
}

// The archive's issue page shows a campaign's external images: its
// policy lets images come over https, and over http too on a site served
// over plain http (where the mail showed them and the archive did not),
// and nothing else is loosened; the other public pages keep images to
// this site.
func TestArchiveIssueAllowsHTTPSImages(t *testing.T) {
	e := newSubEnv(t, 0)
	_, issue := seedGolden(t, e)
	w := e.do("GET", "/archive/"+strconv.FormatInt(issue, 10), "", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "The bridge reopens on Monday") {
		t.Fatalf("archive issue = %d\n%s", w.Code, w.Body)
	}
	if img, _ := cspDirective(w.Header().Get("Content-Security-Policy"), "img-src"); img != "'self' data: https: http:" {
		t.Errorf("archive issue over plain http: img-src = %q, want 'self' data: https: http:", img)
	}
	e.srv.SecureCookies = true // served over https
	w = e.do("GET", "/archive/"+strconv.FormatInt(issue, 10), "", "")
	csp := w.Header().Get("Content-Security-Policy")
	if img, _ := cspDirective(csp, "img-src"); img != "'self' data: https:" {
		t.Errorf("archive issue over https: img-src = %q, want 'self' data: https: (policy %q)", img, csp)
	}
	want := map[string]string{"default-src": "'none'", "style-src": "'unsafe-inline'", "form-action": "'self'",
		"frame-ancestors": "'none'", "base-uri": "'none'"}
	for name, v := range want {
		if got, ok := cspDirective(csp, name); !ok || got != v {
			t.Errorf("archive issue %s = %q, want %q (policy %q)", name, got, v, csp)
		}
	}
	for _, name := range []string{"script-src", "connect-src", "frame-src", "object-src", "font-src", "media-src"} {
		if v, ok := cspDirective(csp, name); ok {
			t.Errorf("archive issue policy has %s %q: only images were to be loosened", name, v)
		}
	}
	for _, path := range []string{"/subscribe", "/archive", "/archive/999999"} {
		w := e.do("GET", path, "", "")
		if img, _ := cspDirective(w.Header().Get("Content-Security-Policy"), "img-src"); img != "'self' data:" {
			t.Errorf("%s img-src = %q, want 'self' data: (it shows no mail)", path, img)
		}
	}
}

var frequencyRadio = regexp.MustCompile(`<input type="radio" name="frequency" value="(daily|weekly)"`)

// The preferences page offers the digest frequency only when a list the
// reader is on sends daily digests; without the choice, saving keeps the
// reader's frequency.
func TestPreferencesDigestChoiceOnlyWithADigestList(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "fay@example.org", Status: subscribers.StatusConfirmed,
		Frequency: "weekly", Lists: []string{"daily-news"}})
	if err != nil {
		t.Fatal(err)
	}
	pref := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0)
	digest := func(slug, d string) {
		t.Helper()
		if _, err := e.store.UpdateList(ctx, slug, &subscribers.ListPatch{Digest: &d}); err != nil {
			t.Fatal(err)
		}
	}
	// A private list with a digest, which the reader is not on, is not
	// shown: it offers nothing.
	digest("editors-desk", "daily")

	w := e.do("GET", pref, "", "")
	body := w.Body.String()
	if w.Code != http.StatusOK || frequencyRadio.MatchString(body) || strings.Contains(body, "<legend>Digest</legend>") {
		t.Fatalf("no list shown has a digest, yet the page offers a frequency: %d\n%s", w.Code, body)
	}
	if !strings.Contains(body, `<input type="hidden" name="frequency" value="weekly">`) {
		t.Errorf("the page does not keep the reader's frequency in the form:\n%s", body)
	}
	// What the browser posts: the hidden frequency with the rest.
	w = e.form(pref, url.Values{"name": {"Fay"}, "frequency": {"weekly"}, "list": {"daily-news", "weekend-culture"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != pref {
		t.Fatalf("save = %d to %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	if w = e.followSaved(w); !strings.Contains(w.Body.String(), "Your preferences are saved.") || frequencyRadio.MatchString(w.Body.String()) {
		t.Fatalf("the page saved = %d\n%s", w.Code, w.Body)
	}
	if got, _ := e.store.Get(ctx, sub.ID); got.Frequency != "weekly" || got.Name != "Fay" || strings.Join(got.Lists, ",") != "daily-news,weekend-culture" {
		t.Errorf("after saving: %+v", got)
	}

	// A weekly list sends its digest to all its readers alike: the page
	// says so and offers no choice. A daily list sends by the reader's
	// frequency: the page offers it.
	digest("weekend-culture", "weekly")
	body = e.do("GET", pref, "", "").Body.String()
	if frequencyRadio.MatchString(body) || !strings.Contains(body, `<input type="hidden" name="frequency" value="weekly">`) ||
		!strings.Contains(body, "Weekend Culture: the weekly digest, sent on Mondays at 00:00 UTC.") {
		t.Errorf("with a weekly digest list shown: want no radios, the hidden frequency and what the list sends:\n%s", body)
	}
	digest("weekend-culture", "daily")
	body = e.do("GET", pref, "", "").Body.String()
	if got := frequencyRadio.FindAllStringSubmatch(body, -1); len(got) != 2 || !strings.Contains(body, `value="weekly" checked`) {
		t.Errorf("with a daily digest list shown: radios %v, want daily and weekly, weekly checked:\n%s", got, body)
	}
	if strings.Contains(body, `type="hidden" name="frequency"`) {
		t.Errorf("with a daily digest list shown the page still has the hidden frequency")
	}
}

var maxlengthOf = func(field string) *regexp.Regexp {
	return regexp.MustCompile(`<input id="` + field + `"[^>]*\smaxlength="(\d+)"`)
}

// The new-campaign and edit forms let an editor type exactly what the
// server takes: a subject and a preheader of the form's maxlength are
// saved, one character more is refused.
func TestCampaignFormMaxlengthMatchesServer(t *testing.T) {
	_, a, _, _ := campaignServer(t)
	a.login("correct horse battery")
	csrf := a.csrfOf("/admin/campaigns/new")
	_, newForm := a.get("/admin/campaigns/new")
	resp := a.post("/admin/campaigns", url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}})
	page := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	_, editForm := a.get(page + "/edit")

	for _, form := range []struct{ name, body, post string }{{"new", newForm, "/admin/campaigns"}, {"edit", editForm, page + "/edit"}} {
		for _, field := range []string{"subject", "preheader"} {
			m := maxlengthOf(field).FindStringSubmatch(form.body)
			if m == nil {
				t.Fatalf("%s form: no maxlength on %s:\n%s", form.name, field, form.body)
			}
			n, _ := strconv.Atoi(m[1])
			for _, tc := range []struct {
				len  int
				want int
			}{{n, http.StatusSeeOther}, {n + 1, http.StatusUnprocessableEntity}} {
				v := url.Values{"csrf": {csrf}, "action": {"save"}, "subject": {"Hi"}, "body": {"Hello"}, "lists": {"news"}}
				v.Set(field, strings.Repeat("é", tc.len))
				resp, body := a.postBody(form.post, v)
				if resp.StatusCode != tc.want {
					t.Errorf("%s form, %s maxlength %d: %d characters = %d, want %d:\n%s", form.name, field, n, tc.len, resp.StatusCode, tc.want, body)
				}
			}
		}
	}
}

var checkedList = regexp.MustCompile(`name="list" value="([a-z-]+)" checked`)

// A preferences form sent back to be fixed keeps the lists as the reader
// ticked them: it used to tick again a list they had just unticked, so
// after fixing the name they stayed on a list they meant to leave.
func TestPreferencesErrorKeepsTheListsTicked(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "gus@example.org", Status: subscribers.StatusConfirmed,
		Lists: []string{"daily-news", "weekend-culture"}})
	if err != nil {
		t.Fatal(err)
	}
	pref := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0)
	w := e.form(pref, url.Values{"name": {strings.Repeat("n", 150)}, "frequency": {"daily"}, "list": {"weekend-culture"}})
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a 150-character name: %d, want 422\n%s", w.Code, w.Body)
	}
	var ticked []string
	for _, m := range checkedList.FindAllStringSubmatch(w.Body.String(), -1) {
		ticked = append(ticked, m[1])
	}
	if strings.Join(ticked, ",") != "weekend-culture" {
		t.Errorf("the form sent back ticks %v, want only weekend-culture as the reader left it", ticked)
	}
	if got, _ := e.store.Get(ctx, sub.ID); strings.Join(got.Lists, ",") != "daily-news,weekend-culture" {
		t.Errorf("a refused form changed the reader's lists: %v", got.Lists)
	}
}
