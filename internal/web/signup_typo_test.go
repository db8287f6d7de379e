package web

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// typoEnv is a subEnv served over a real loopback connection, with a
// client that reads redirects rather than following them.
type typoEnv struct {
	*subEnv
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
}

func newTypoEnv(t *testing.T, rate int) *typoEnv {
	t.Helper()
	e := newSubEnv(t, rate)
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &typoEnv{subEnv: e, t: t, srv: srv, client: client}
}

// post sends the signup form v over HTTP.
func (e *typoEnv) post(v url.Values) answer {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+"/subscribe", strings.NewReader(v.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return httpAnswer(e.t, e.client, req)
}

// stored are the addresses of every subscriber, in the order stored.
func (e *typoEnv) stored() []string {
	e.t.Helper()
	rows, err := e.db.Read.Query(`SELECT email FROM subscribers ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return got
}

// mailedTo are the recipients of the confirmation mails sent so far.
func (e *typoEnv) mailedTo() []string {
	e.t.Helper()
	e.runConfirmations()
	var to []string
	for _, m := range e.sent.all() {
		to = append(to, m.To...)
	}
	return to
}

// checkSignedUp fails unless a is the answer every signup gets.
func checkSignedUp(t *testing.T, what string, a answer) {
	t.Helper()
	if a.Status != http.StatusSeeOther || a.Header.Get("Location") != "/subscribe/check-email" {
		t.Fatalf("%s: status %d to %q, want 303 to /subscribe/check-email:\n%s", what, a.Status, a.Header.Get("Location"), a.Body)
	}
}

// checkAsks fails unless page is the form asking whether typed is meant
// or suggested, both answers offered and the question tied to the field.
func checkAsks(t *testing.T, what string, a answer, typed, suggested string) {
	t.Helper()
	if a.Status != http.StatusOK {
		t.Fatalf("%s: status %d, want 200 with the question:\n%s", what, a.Status, a.Body)
	}
	page := strings.ReplaceAll(html.UnescapeString(a.Body), "<wbr>", "") // where an address may wrap (addressParts)
	for _, want := range []string{
		`<title>Check your address: Subscribe`,
		`aria-describedby="email-typo">`,
		`<p id="email-typo" style="margin:0">Did you mean <strong>` + suggested + `</strong>?</p>`,
		`role="group" aria-labelledby="email-typo"`,
		`<button type="submit" name="use-address" value="` + suggested + `" style="margin-top:.6rem">Yes, use ` + suggested + `</button>`,
		`<button type="submit" class="secondary" name="keep-address" value="` + typed + `" style="margin-top:.6rem">No, ` + typed + ` is right</button>`,
		`<button type="submit">Subscribe</button>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("%s: the page lacks %s:\n%s", what, want, page)
		}
	}
	if strings.Contains(page, `class="error`) {
		t.Errorf("%s: the question comes with an error:\n%s", what, page)
	}
}

// A mistyped domain on the form stores nothing and mails no one: the form
// comes back as it was sent, asking "Did you mean …?" at the address,
// with a button for each answer. Each answer then signs up without a
// second question: "use" the address suggested, "keep" the one typed,
// each with its confirmation mail and the page every signup ends on.
func TestSubscribeFormAsksAboutAMistypedDomain(t *testing.T) {
	e := newTypoEnv(t, 0)
	form := url.Values{"email": {"Zoe@GMIAL.com"}, "name": {"Zoë <Lee>"}, "list": {"daily-news", "weekend-culture"}}
	a := e.post(form)
	checkAsks(t, "zoe@gmial.com", a, "Zoe@gmial.com", "Zoe@gmail.com")
	page := html.UnescapeString(a.Body)
	for _, want := range []string{`name="email" value="Zoe@GMIAL.com"`, `name="name" value="Zoë <Lee>"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form asking lost what was typed, %s:\n%s", want, page)
		}
	}
	if diff := cmp.Diff([]string{"daily-news", "weekend-culture"}, tickedLists(a.Body)); diff != "" {
		t.Errorf("lists ticked (-want +got):\n%s", diff)
	}
	if got := e.stored(); len(got) != 0 {
		t.Errorf("the question stored %v", got)
	}
	if got := e.mailedTo(); len(got) != 0 {
		t.Errorf("the question mailed %v", got)
	}

	// "Yes" signs up the address suggested, and its confirmation goes.
	use := url.Values{"use-address": {"Zoe@gmail.com"}}
	for k, v := range form {
		use[k] = v
	}
	checkSignedUp(t, "use", e.post(use))
	if diff := cmp.Diff([]string{"Zoe@gmail.com"}, e.stored()); diff != "" {
		t.Errorf("stored after \"use\" (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Zoe@gmail.com"}, e.mailedTo()); diff != "" {
		t.Errorf("confirmations after \"use\" (-want +got):\n%s", diff)
	}
	sub, err := e.store.Get(t.Context(), e.lastID())
	if err != nil {
		t.Fatal(err)
	}
	if sub.Name != "Zoë <Lee>" {
		t.Errorf("name %q, want the one typed", sub.Name)
	}

	// "No" signs up the address as typed.
	checkSignedUp(t, "keep", e.post(url.Values{"email": {"ann@hotmial.com"}, "list": {"daily-news"},
		"keep-address": {"ann@hotmial.com"}}))
	if diff := cmp.Diff([]string{"Zoe@gmail.com", "ann@hotmial.com"}, e.stored()); diff != "" {
		t.Errorf("stored after \"keep\" (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Zoe@gmail.com", "ann@hotmial.com"}, e.mailedTo()); diff != "" {
		t.Errorf("confirmations after \"keep\" (-want +got):\n%s", diff)
	}
}

// An answer counts for the address in the field only: one changed to
// another typo is asked about again, whichever button came with it; one
// changed to a good address is signed up as it is, even with "use" (the
// Enter key's button) and the old suggestion.
func TestSubscribeFormAnswerHoldsForItsAddressOnly(t *testing.T) {
	e := newTypoEnv(t, 0)
	for _, tt := range []struct {
		name, answer, value string
	}{
		{"kept", "keep-address", "zoe@gmial.com"},
		{"used", "use-address", "zoe@gmail.com"},
		{"no answer", "", ""},
		{"kept, another address", "keep-address", "bob@gmail.con"},
	} {
		v := url.Values{"email": {"zoe@yahooo.com"}, "list": {"daily-news"}}
		if tt.answer != "" {
			v.Set(tt.answer, tt.value)
		}
		checkAsks(t, tt.name, e.post(v), "zoe@yahooo.com", "zoe@yahoo.com")
	}
	if got := e.stored(); len(got) != 0 {
		t.Errorf("asking again stored %v", got)
	}
	checkSignedUp(t, "corrected by hand", e.post(url.Values{"email": {"zoe@example.org"}, "list": {"daily-news"},
		"use-address": {"zoe@gmail.com"}}))
	checkSignedUp(t, "a listed domain", e.post(url.Values{"email": {"eve@yahoo.com"}, "list": {"daily-news"}}))
	if diff := cmp.Diff([]string{"zoe@example.org", "eve@yahoo.com"}, e.stored()); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
}

// A form with a fault is sent back to fix with its errors and no
// question, whatever its domain; fixed, it asks.
func TestSubscribeFormFaultWinsOverTheQuestion(t *testing.T) {
	e := newTypoEnv(t, 0)
	for _, tt := range []struct {
		name string
		form url.Values
		says string
	}{
		{"no list", url.Values{"email": {"zoe@gmial.com"}}, "Choose at least one list."},
		{"unknown list", url.Values{"email": {"zoe@gmial.com"}, "list": {"nope"}}, "nope"},
		{"bad name", url.Values{"email": {"zoe@gmial.com"}, "name": {"Zoe\x07"}, "list": {"daily-news"}}, "control characters"},
		{"bad address", url.Values{"email": {"zoe@@gmial.com"}, "list": {"daily-news"}}, "one @"},
	} {
		a := e.post(tt.form)
		if a.Status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(a.Body), tt.says) {
			t.Errorf("%s: status %d, want 422 saying %q:\n%s", tt.name, a.Status, tt.says, a.Body)
		}
		if strings.Contains(a.Body, "Did you mean") || strings.Contains(a.Body, "email-typo") {
			t.Errorf("%s: the question comes with the error:\n%s", tt.name, a.Body)
		}
		if !strings.Contains(a.Body, "<title>Error: Subscribe") {
			t.Errorf("%s: the title does not say Error", tt.name)
		}
	}
	checkAsks(t, "fixed", e.post(url.Values{"email": {"zoe@gmial.com"}, "list": {"daily-news"}}), "zoe@gmial.com", "zoe@gmail.com")
	if got := e.stored(); len(got) != 0 {
		t.Errorf("stored %v", got)
	}
}

// An address at a listed domain, or at one far from them all, signs up at
// once as before, with the same answer as every signup.
func TestSubscribeFormSignsUpAGoodAddressAtOnce(t *testing.T) {
	e := newTypoEnv(t, 0)
	first := e.post(url.Values{"email": {"zoe@gmail.com"}, "list": {"daily-news"}})
	checkSignedUp(t, "gmail.com", first)
	second := e.post(url.Values{"email": {"max@example.org"}, "list": {"daily-news"}})
	checkSignedUp(t, "example.org", second)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("answers differ (-gmail.com +example.org):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"zoe@gmail.com", "max@example.org"}, e.mailedTo()); diff != "" {
		t.Errorf("confirmations (-want +got):\n%s", diff)
	}
	// The answer after an answered question is that page too, byte for byte.
	third := e.post(url.Values{"email": {"kim@gmial.com"}, "list": {"daily-news"}, "use-address": {"kim@gmail.com"}})
	if diff := cmp.Diff(first, third); diff != "" {
		t.Errorf("answers differ (-signup +after the question):\n%s", diff)
	}
}

// The one-list form of an embedded snippet asks as itself, its list
// carried on; the honeypot drops a bot's post before any question; the
// rate limit counts the question's posts; and the JSON signup, the
// publisher's own code, signs up a mistyped domain as sent.
func TestSubscribeFormQuestionKeepsTheFormsRules(t *testing.T) {
	e := newTypoEnv(t, 3)
	a := e.post(url.Values{"email": {"zoe@gmial.com"}, "list": {"daily-news"}, oneListField: {"1"}})
	checkAsks(t, "one-list form", a, "zoe@gmial.com", "zoe@gmail.com")
	for _, want := range []string{`<input type="hidden" name="list" value="daily-news">`, `<input type="hidden" name="one-list" value="1">`,
		`You are signing up for <strong>Daily News</strong>.`} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("the one-list form asking lacks %s:\n%s", want, a.Body)
		}
	}
	if strings.Contains(a.Body, `type="checkbox"`) {
		t.Errorf("the one-list form asking shows every list:\n%s", a.Body)
	}
	checkSignedUp(t, "honeypot", e.post(url.Values{"email": {"bot@gmial.com"}, "list": {"daily-news"}, honeypotField: {"x"}}))
	if got := e.stored(); len(got) != 0 {
		t.Errorf("stored %v", got)
	}
	e.post(url.Values{"email": {"zoe@gmial.com"}, "list": {"daily-news"}})
	if a := e.post(url.Values{"email": {"zoe@gmial.com"}, "list": {"daily-news"}, "use-address": {"zoe@gmail.com"}}); a.Status != http.StatusTooManyRequests {
		t.Errorf("the 4th post in a minute with a limit of 3: status %d, want 429", a.Status)
	}

	api := newSubEnv(t, 0)
	if w := api.json("POST", "/api/v1/subscriptions", `{"email":"zoe@gmial.com","lists":["daily-news"]}`); w.Code != http.StatusAccepted {
		t.Fatalf("JSON signup: %d %s", w.Code, w.Body)
	}
	var got string
	if err := api.db.Read.QueryRow(`SELECT email FROM subscribers`).Scan(&got); err != nil || got != "zoe@gmial.com" {
		t.Errorf("JSON signup stored %q, %v; want zoe@gmial.com as sent", got, err)
	}
}

// The question writes the address typed, which is the reader's input, as
// text and in attribute values, escaped: an "&" or a "'" in the local
// part, which an address may hold, is no markup.
func TestSubscribeFormQuestionEscapesTheAddress(t *testing.T) {
	e := newTypoEnv(t, 0)
	a := e.post(url.Values{"email": {"a&b'c@gmial.com"}, "list": {"daily-news"}})
	if a.Status != http.StatusOK {
		t.Fatalf("status %d, want 200 with the question:\n%s", a.Status, a.Body)
	}
	body := strings.ReplaceAll(a.Body, "<wbr>", "") // where an address may wrap (addressParts)
	for _, want := range []string{
		`Did you mean <strong>a&amp;b&#39;c@gmail.com</strong>?`,
		`name="use-address" value="a&amp;b&#39;c@gmail.com"`,
		`name="keep-address" value="a&amp;b&#39;c@gmial.com"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s, escaped:\n%s", want, a.Body)
		}
	}
	if strings.Contains(body, "a&b'c@") {
		t.Errorf("the page holds the address unescaped:\n%s", a.Body)
	}
}
