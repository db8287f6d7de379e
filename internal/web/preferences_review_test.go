package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// prefsReader adds a confirmed reader on lists and returns them with
// their preferences page's path.
func (e *subEnv) prefsReader(email, frequency string, lists ...string) (*subscribers.Subscriber, string) {
	e.t.Helper()
	sub, err := e.store.Create(context.Background(), &subscribers.NewSubscriber{Email: email, Name: "Before",
		Status: subscribers.StatusConfirmed, Frequency: frequency, Lists: lists})
	if err != nil {
		e.t.Fatal(err)
	}
	return sub, "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, sub.ID, 0)
}

// savePrefs posts v to the preferences page at path and follows the
// redirect a saved form gets, as a browser does; it fails the test on
// any other answer.
func (e *subEnv) savePrefs(path string, v url.Values) string {
	e.t.Helper()
	w := e.form(path, v)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != path {
		e.t.Fatalf("save %v = %d to %q, want 303 to %s:\n%s", v, w.Code, w.Header().Get("Location"), path, w.Body)
	}
	page := e.followSaved(w)
	if page.Code != http.StatusOK {
		e.t.Fatalf("the page after saving = %d:\n%s", page.Code, page.Body)
	}
	return html.UnescapeString(page.Body.String())
}

// followSaved follows the redirect w, a saved preferences form's
// answer, with the cookie it sets, as a browser does.
func (e *subEnv) followSaved(w *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	e.t.Helper()
	var hdr []string
	for _, c := range w.Result().Cookies() {
		hdr = append(hdr, "Cookie", c.Name+"="+c.Value)
	}
	return e.do("GET", w.Header().Get("Location"), "", "", hdr...)
}

const stopAllMail = "Untick every list to stop all mail"

// After a one-click unsubscribe, or a save with every list unticked, the
// preferences page says no more mail will come and how to come back, and
// no longer offers to stop the mail; a reader on a list is told nothing
// more than before.
func TestPreferencesSayWhatTheReaderGets(t *testing.T) {
	e := newSubEnv(t, 0)
	gone := "You are unsubscribed from everything, so no more mail will come. Tick a list and save to come back."
	none := "You are on no list, so no more mail will come. Tick a list and save to get mail again."

	on, onPath := e.prefsReader("on@example.org", "daily", "daily-news")
	body := html.UnescapeString(e.do("GET", onPath, "", "").Body.String())
	if !strings.Contains(body, stopAllMail) || strings.Contains(body, `class="notice"`) {
		t.Errorf("a reader on a list: want no notice and the way to stop mail:\n%s", body)
	}
	// The form names the lists it shows, so a save leaves only those.
	for _, slug := range []string{"daily-news", "weekend-culture"} {
		if !strings.Contains(body, `<input type="hidden" name="shown" value="`+slug+`">`) {
			t.Errorf("the form does not say it shows %s:\n%s", slug, body)
		}
	}

	w := e.do("POST", "/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, on.ID, 0), "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click")
	if w.Code != http.StatusOK {
		t.Fatalf("one-click unsubscribe = %d", w.Code)
	}
	body = html.UnescapeString(e.do("GET", onPath, "", "").Body.String())
	if !strings.Contains(body, `<p class="notice" role="status">`+gone+`</p>`) || strings.Contains(body, stopAllMail) {
		t.Errorf("after a one-click unsubscribe: want %q and no offer to stop mail:\n%s", gone, body)
	}
	// Ticking a list again brings them back, and the notice goes.
	body = e.savePrefs(onPath, url.Values{"name": {"On"}, "frequency": {"daily"}, "list": {"weekend-culture"}})
	if !strings.Contains(body, `<p class="notice" role="status">Your preferences are saved.</p>`) || !strings.Contains(body, stopAllMail) {
		t.Errorf("after coming back: want the saved notice alone and the way to stop mail:\n%s", body)
	}
	if e.status(on.ID) != subscribers.StatusConfirmed {
		t.Errorf("after coming back the reader is %s", e.status(on.ID))
	}

	// Unticking every list is leaving everything, as the one-click link.
	off, offPath := e.prefsReader("off@example.org", "daily", "daily-news", "weekend-culture")
	body = e.savePrefs(offPath, url.Values{"name": {"Off"}, "frequency": {"daily"}})
	if !strings.Contains(body, `<p class="notice" role="status">Your preferences are saved. `+gone+`</p>`) || strings.Contains(body, stopAllMail) {
		t.Errorf("after unticking every list: want %q and no offer to stop mail:\n%s", gone, body)
	}
	if e.status(off.ID) != subscribers.StatusUnsubscribed {
		t.Errorf("after unticking every list the reader is %s, want unsubscribed", e.status(off.ID))
	}
	body = html.UnescapeString(e.do("GET", offPath, "", "").Body.String())
	if !strings.Contains(body, `<p class="notice" role="status">`+gone+`</p>`) || strings.Contains(body, "are saved") {
		t.Errorf("the page again, unflagged: want %q and no saved notice:\n%s", gone, body)
	}

	// A reader an editor added to no list is confirmed on none.
	_, nonePath := e.prefsReader("none@example.org", "daily")
	body = html.UnescapeString(e.do("GET", nonePath, "", "").Body.String())
	if !strings.Contains(body, `<p class="notice" role="status">`+none+`</p>`) || strings.Contains(body, stopAllMail) {
		t.Errorf("a confirmed reader on no list: want %q and no offer to stop mail:\n%s", none, body)
	}
}

// The digest frequency is chosen with the lists ticked in the same form:
// a reader on no daily list is offered it beside one, and a form ticking
// a daily list may choose daily, whatever the reader was on. A reader
// shown no daily list still cannot change it.
func TestPreferencesFrequencyGoesWithTheListsTicked(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	daily := "daily"
	if _, err := e.store.UpdateList(ctx, "daily-news", &subscribers.ListPatch{Digest: &daily}); err != nil {
		t.Fatal(err)
	}
	// Unsubscribed, from the one click, with the weekly frequency kept.
	left, leftPath := e.prefsReader("left@example.org", "weekly", "daily-news")
	if err := e.store.Unsubscribe(ctx, left.ID); err != nil {
		t.Fatal(err)
	}
	elsewhere, elsewherePath := e.prefsReader("else@example.org", "weekly", "weekend-culture")

	for _, r := range []struct {
		name string
		sub  *subscribers.Subscriber
		path string
	}{{"unsubscribed", left, leftPath}, {"on another list", elsewhere, elsewherePath}} {
		body := html.UnescapeString(e.do("GET", r.path, "", "").Body.String())
		if got := frequencyRadio.FindAllString(body, -1); len(got) != 2 || !strings.Contains(body, `value="weekly" checked`) ||
			strings.Contains(body, `type="hidden" name="frequency"`) || !strings.Contains(body, "For Daily News, once you tick it above.") {
			t.Errorf("%s: radios %v; want daily and weekly, weekly checked, said to be for Daily News once ticked:\n%s", r.name, got, body)
		}
		// What a browser posts: the list ticked again and daily chosen.
		e.savePrefs(r.path, url.Values{"name": {"Back"}, "frequency": {"daily"}, "list": {"daily-news"}})
		got, err := e.store.Get(ctx, r.sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Frequency != "daily" || strings.Join(got.Lists, ",") != "daily-news" || got.Status != subscribers.StatusConfirmed {
			t.Errorf("%s: saved %s, %s, %v; want daily, confirmed, on daily-news", r.name, got.Frequency, got.Status, got.Lists)
		}
	}

	off := "off"
	if _, err := e.store.UpdateList(ctx, "daily-news", &subscribers.ListPatch{Digest: &off}); err != nil {
		t.Fatal(err)
	}
	w := e.form(elsewherePath, url.Values{"name": {"Again"}, "frequency": {"weekly"}, "list": {"daily-news"}})
	if msg := "Your lists have no digest frequency to choose, so nothing was saved."; w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), msg) {
		t.Errorf("weekly with no daily list shown = %d, want 422 saying %q:\n%s", w.Code, msg, w.Body)
	}
	if got, _ := e.store.Get(ctx, elsewhere.ID); got.Frequency != "daily" || got.Name != "Back" {
		t.Errorf("a refused form changed the reader: %+v", got)
	}
}

// A saved form is answered with a 303 to its page, which says it was
// saved, so a reload sends nothing again; the address carries the link's
// token and nothing the reader typed. A form refused is still sent back with a 422
// and the reader's choices, and a bad link gets no redirect.
func TestPreferencesSaveRedirects(t *testing.T) {
	e := newSubEnv(t, 0)
	sub, path := e.prefsReader("pat@example.org", "daily", "daily-news")

	w := e.form(path, url.Values{"name": {`Pat "<b>" ?saved=0#x`}, "frequency": {"daily"}, "list": {"weekend-culture"}})
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || loc != path || w.Header().Get("Cache-Control") != "no-store" ||
		w.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("save = %d to %q (%q, %q), want 303 to %s, no-store, no-referrer:\n%s", w.Code, loc,
			w.Header().Get("Cache-Control"), w.Header().Get("Referrer-Policy"), path, w.Body)
	}
	if strings.Contains(w.Body.String(), "Pat") {
		t.Errorf("the redirect echoes the name typed:\n%s", w.Body)
	}
	page := e.followSaved(w)
	if body := page.Body.String(); page.Code != http.StatusOK || !strings.Contains(body, "Your preferences are saved.") ||
		!strings.Contains(body, `value="Pat &#34;&lt;b&gt;&#34; ?saved=0#x"`) || !strings.Contains(body, `value="weekend-culture" checked`) {
		t.Errorf("the page saved = %d, want 200 saying so with what was saved:\n%s", page.Code, body)
	}
	if body := e.do("GET", path, "", "").Body.String(); strings.Contains(body, "are saved") {
		t.Errorf("the page unflagged says saved:\n%s", body)
	}

	w = e.form(path, url.Values{"name": {"Bad\x01"}, "frequency": {"daily"}, "list": {"daily-news", "weekend-culture"}})
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || w.Header().Get("Location") != "" || !strings.Contains(body, `id="name-error"`) ||
		!strings.Contains(body, `value="daily-news" checked`) || !strings.Contains(body, `value="weekend-culture" checked`) ||
		strings.Contains(body, "are saved") {
		t.Errorf("a refused form = %d, want 422 with the error and both lists ticked:\n%s", w.Code, body)
	}
	if got, _ := e.store.Get(context.Background(), sub.ID); strings.Join(got.Lists, ",") != "weekend-culture" {
		t.Errorf("a refused form changed the lists: %v", got.Lists)
	}

	w = e.form("/preferences/"+e.signer.Sign(subscribers.TokenUnsubscribe, sub.ID, 0), url.Values{"name": {"X"}, "frequency": {"daily"}})
	if w.Code != http.StatusBadRequest || w.Header().Get("Location") != "" {
		t.Errorf("a token of another purpose = %d to %q, want 400", w.Code, w.Header().Get("Location"))
	}
}
