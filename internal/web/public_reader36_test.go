package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// An erased reader's old mail still holds their unsubscribe and
// preferences links, signed as they should be. Followed, they say plainly
// that the address was erased, so the link no longer works, and lead to
// the signup form (see TestErasedReadersLinksStayTrueAfterTheAddressSignsUpAgain
// for why they say no more): the unsubscribe page (a 200, as what it asks
// for holds) offers no preferences page, and the preferences page is gone
// (410) rather than "not valid", which sent the reader looking for a newer
// mail that will never come. A link whose signature is bad still reads as
// a bad link.
func TestReader36ErasedReadersLinksSayTheAddressIsGone(t *testing.T) {
	e := newSubEnv(t, 0)
	id := e.addConfirmed("gone@example.org")
	unsub := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0)
	prefs := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, id, 0)
	if w := e.api("DELETE", fmt.Sprintf("/api/v1/subscribers/%d", id), ""); w.Code/100 != 2 {
		t.Fatalf("erase = %d:\n%s", w.Code, w.Body)
	}
	const form = "application/x-www-form-urlencoded"
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", unsub, "", http.StatusOK},
		{"POST", unsub, "List-Unsubscribe=One-Click&page=1", http.StatusOK}, // the page's button
		{"POST", unsub, "List-Unsubscribe=One-Click", http.StatusOK},        // RFC 8058
		{"GET", prefs, "", http.StatusGone},
		{"POST", prefs, "name=A&frequency=daily&list=daily-news", http.StatusGone},
	} {
		w := e.do(c.method, c.path, form, c.body)
		body := w.Body.String()
		if w.Code != c.status {
			t.Errorf("%s %s = %d, want %d", c.method, c.path, w.Code, c.status)
		}
		for _, want := range []string{
			"<h1>The address of this link was erased</h1>",
			"was erased, with everything we held about it, at your request or ours, so this link no longer works",
			`<a href="/subscribe">sign up again</a>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s %s: no %q:\n%s", c.method, c.path, want, body)
			}
		}
		for _, not := range []string{"/preferences/", "You are unsubscribed", "does not work", "not valid", "gone@example.org"} {
			if strings.Contains(body, not) {
				t.Errorf("%s %s: says %q:\n%s", c.method, c.path, not, body)
			}
		}
	}
	bad := e.do("GET", prefs[:len(prefs)-3], "", "")
	if bad.Code != http.StatusBadRequest || !strings.Contains(bad.Body.String(), "This preferences link does not work") {
		t.Errorf("a preferences link cut short = %d:\n%s", bad.Code, bad.Body)
	}
	bad = e.do("GET", unsub[:len(unsub)-3], "", "")
	if bad.Code != http.StatusBadRequest || !strings.Contains(bad.Body.String(), "This unsubscribe link does not work") {
		t.Errorf("an unsubscribe link cut short = %d:\n%s", bad.Code, bad.Body)
	}

	// With no public list the site takes no signups, and the page does
	// not send the reader to a form that answers "Not open yet".
	for _, slug := range []string{"daily-news", "weekend-culture"} {
		public := false
		if _, err := e.store.UpdateList(context.Background(), slug, &subscribers.ListPatch{Public: &public}); err != nil {
			t.Fatal(err)
		}
	}
	w := e.do("GET", prefs, "", "")
	if body := w.Body.String(); w.Code != http.StatusGone || strings.Contains(body, `href="/subscribe"`) || !strings.Contains(body, "takes no signups on this site") ||
		strings.Contains(body, "ask them to add you") { // the store refuses an editor's add of an erased address
		t.Errorf("preferences of an erased reader, signups closed = %d:\n%s", w.Code, body)
	}
}

// hiddenField matches a hidden input, name then value.
var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// The snippet of the one-list embed (?list=weekend-culture) answered with
// an address it cannot take comes back as that one-list form, with the
// error and what was typed: it was the hosted form with every public list,
// which offered lists the publisher's page did not. Posted again from
// there, fixed, it joins that one list. The hosted form with one list
// ticked stays the form of every list.
func TestReader36EmbedOneListFormComesBackAsItself(t *testing.T) {
	e := newSubEnv(t, 0)
	embed := e.do("GET", "/subscribe/embed?list=weekend-culture", "", "").Body.String()
	snippet, _, ok := strings.Cut(embed, "<h2>Preview</h2>")
	if !ok || !strings.Contains(snippet, "You are signing up for Weekend Culture.") {
		t.Fatalf("embed page:\n%s", embed)
	}
	posted := url.Values{"email": {"a@b"}, "name": {"Ann Lee"}, "website": {""}}
	for _, m := range hiddenField.FindAllStringSubmatch(embedUnescape(snippet), -1) {
		posted.Add(m[1], m[2])
	}
	if posted.Get("list") != "weekend-culture" || posted.Get(oneListField) == "" {
		t.Fatalf("the snippet posts %v", posted)
	}
	w := e.form("/subscribe", posted)
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("signup with a@b = %d:\n%s", w.Code, body)
	}
	for _, want := range []string{
		`<input type="hidden" name="list" value="weekend-culture">`,
		`<input type="hidden" name="` + oneListField + `" value="1">`,
		"<p>You are signing up for <strong>Weekend Culture</strong>.</p>",
		`value="a@b"`, `value="Ann Lee"`,
		`<p class="error" id="email-error">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the form sent back has no %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `type="checkbox"`) || strings.Contains(body, "Daily News") {
		t.Errorf("the form sent back offers other lists:\n%s", body)
	}

	again := url.Values{"email": {"ann@example.org"}, "name": {"Ann Lee"}, "website": {""}}
	for _, m := range hiddenField.FindAllStringSubmatch(body, -1) {
		again.Add(m[1], m[2])
	}
	if w := e.form("/subscribe", again); w.Code != http.StatusSeeOther {
		t.Fatalf("the fixed form = %d:\n%s", w.Code, w.Body)
	}
	id := e.lastID()
	e.mustConfirm(id)
	sub, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sub.Lists, ","); sub.Email != "ann@example.org" || got != "weekend-culture" {
		t.Errorf("the fixed form joined %s to %q, want ann@example.org to weekend-culture", sub.Email, got)
	}

	hosted := e.form("/subscribe", url.Values{"email": {"a@b"}, "list": {"weekend-culture"}}).Body.String()
	if !strings.Contains(hosted, `value="daily-news"`) || strings.Contains(hosted, "You join") {
		t.Errorf("the hosted form with one list ticked came back as a one-list form:\n%s", hosted)
	}
}

// embedUnescape turns the snippet shown as text in the embed page's
// textarea back into HTML.
func embedUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&quot;", `"`, "&amp;", "&").Replace(s)
}

// A refused signup says so first: its title starts "Error: ", and an
// error summary at the top of the form, announced (role="alert"), lists
// each fault with a link to its field, which is on the page with that id.
// The messages beside the fields stay, tied to them. The form as first
// shown has neither.
func TestReader36RefusedSignupSummarisesItsErrors(t *testing.T) {
	e := newSubEnv(t, 0)
	first := e.do("GET", "/subscribe", "", "").Body.String()
	if !strings.Contains(first, "<title>Subscribe · ") || strings.Contains(first, `class="error-summary"`) {
		t.Errorf("the form as first shown:\n%s", first)
	}
	w := e.form("/subscribe", url.Values{"email": {"a@b"}, "name": {"Ann\x01"}})
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "<title>Error: Subscribe · ") {
		t.Fatalf("refused signup = %d, title not Error: …:\n%s", w.Code, body)
	}
	summary := regexp.MustCompile(`(?s)<form[^>]*>\s*<div class="error-summary" role="alert">(.*?)</div>`).FindStringSubmatch(body)
	if summary == nil {
		t.Fatalf("no error summary at the top of the form:\n%s", body)
	}
	links := regexp.MustCompile(`<a href="#([a-z]+)">`).FindAllStringSubmatch(summary[1], -1)
	var ids []string
	for _, l := range links {
		ids = append(ids, l[1])
		if !strings.Contains(body, ` id="`+l[1]+`"`) {
			t.Errorf("the summary links #%s, which is not on the page", l[1])
		}
	}
	if got := strings.Join(ids, ","); got != "email,name,lists" {
		t.Errorf("the summary links %s, want email,name,lists:\n%s", got, summary[1])
	}
	for _, want := range []string{
		`aria-invalid="true" aria-describedby="email-error"`, `<p class="error" id="email-error">`,
		`aria-invalid="true" aria-describedby="name-error"`, `<p class="error" id="name-error">`,
		`<fieldset aria-describedby="lists-error">`, `<p class="error" id="lists-error">Choose at least one list.</p>`,
		"Lists: Choose at least one list.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("refused signup: no %q:\n%s", want, body)
		}
	}
}

// The signup rate limit's page tells the reader to go back in the
// browser, where the form (theirs, or the publisher's page with the
// embedded one) still holds what they typed, after the wait it gives; a
// link to an empty form is the second choice. It runs no script.
func TestReader36RateLimitPageSaysGoBack(t *testing.T) {
	e := newSubEnv(t, 1)
	var w = e.form("/subscribe", url.Values{"email": {"r1@example.com"}, "list": {"daily-news"}})
	for i := 0; i < 3 && w.Code != http.StatusTooManyRequests; i++ {
		w = e.form("/subscribe", url.Values{"email": {"r2@example.com"}, "list": {"daily-news"}})
	}
	body := w.Body.String()
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("no 429: %d", w.Code)
	}
	wait := w.Header().Get("Retry-After")
	for _, want := range []string{
		"Please wait " + wait + " second",
		"go back in your browser to the form, which still holds what you typed, and send it again",
		`<a href="/subscribe">Or start again on an empty signup form</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("429 page: no %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "Back to the signup form") {
		t.Errorf("429 page:\n%s", body)
	}
}

// A refused preferences form says so first too: "Error: " in its title
// and a summary at the top of the form linking to the part at fault.
func TestReader36RefusedPreferencesSummariseTheirErrors(t *testing.T) {
	e := newSubEnv(t, 0)
	id := e.addConfirmed("bo@example.org")
	w := e.form("/preferences/"+e.signer.Sign(subscribers.TokenPreferences, id, 0),
		url.Values{"name": {"Bo\x01"}, "frequency": {"daily"}, "list": {"editors-desk"}})
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "<title>Error: Your preferences · ") {
		t.Fatalf("refused preferences = %d, title not Error: …:\n%s", w.Code, body)
	}
	summary := regexp.MustCompile(`(?s)<form[^>]*>\s*<div class="error-summary" role="alert">(.*?)</div>`).FindStringSubmatch(body)
	if summary == nil || !strings.Contains(summary[1], `<a href="#name">Name: `) || !strings.Contains(summary[1], `<a href="#lists">Lists: Choose among the lists shown.</a>`) {
		t.Fatalf("no error summary naming the name and the lists at the top of the form:\n%s", body)
	}
	for _, id := range []string{`id="name"`, `<legend id="lists">`, `<p class="error" id="name-error">`, `<p class="error" id="lists-error">`} {
		if !strings.Contains(body, id) {
			t.Errorf("refused preferences: no %s:\n%s", id, body)
		}
	}
	if first := e.do("GET", "/preferences/"+e.signer.Sign(subscribers.TokenPreferences, id, 0), "", "").Body.String(); strings.Contains(first, `class="error-summary"`) || !strings.Contains(first, "<title>Your preferences · ") {
		t.Errorf("the page as first shown:\n%s", first)
	}
}
