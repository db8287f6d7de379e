package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/subscribers"
)

// multipartOneClick is a multipart/form-data body of fields, as RFC 8058
// says a mail program should send List-Unsubscribe=One-Click, and its
// Content-Type.
func multipartOneClick(t *testing.T, fields ...string) (contentType, body string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.String()
}

// The one-click POST unsubscribes for a body carrying
// List-Unsubscribe=One-Click, urlencoded or multipart, for what the
// unsubscribe page's own button sends, and for no body at all; any other body used to unsubscribe
// the reader too (a link scanner's or prefetcher's POST, a form of
// someone else's), and now gets a 400 that says what to send, and changes
// nothing, on the link that stops all mail and on a list's link alike.
func TestOneClickUnsubscribeWantsItsBody(t *testing.T) {
	e := newSubEnv(t, 0)
	l, err := e.store.ListBySlug(context.Background(), "daily-news")
	if err != nil {
		t.Fatal(err)
	}
	const form = "application/x-www-form-urlencoded"
	mpCT, mpBody := multipartOneClick(t, "List-Unsubscribe", "One-Click")
	mpOtherCT, mpOtherBody := multipartOneClick(t, "unsubscribe", "yes")
	refused := []struct{ name, ct, body, query string }{
		{"another field", form, "unsubscribe=1", ""},
		{"another value", form, "List-Unsubscribe=Yes", ""},
		{"the page's field alone", form, "page=1", ""},
		{"the pair in the query only", form, "page=1", "?List-Unsubscribe=One-Click"},
		{"the pair as text/plain", "text/plain", "List-Unsubscribe=One-Click", ""},
		{"the pair without a type", "", "List-Unsubscribe=One-Click", ""},
		{"the pair as JSON", "application/json", `{"List-Unsubscribe":"One-Click"}`, ""},
		{"multipart without the pair", mpOtherCT, mpOtherBody, ""},
		{"multipart without a boundary", "multipart/form-data", mpBody, ""},
	}
	for i, c := range refused {
		id := e.addConfirmed("refused" + string(rune('a'+i)) + "@example.com")
		for _, link := range []string{
			"/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0),
			"/unsubscribe/" + e.signer.SignList(id, l.ID),
			"/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0) + ".",
			"/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0) + "/",
		} {
			w := e.do("POST", link+c.query, c.ct, c.body)
			if w.Code != http.StatusBadRequest || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") ||
				!strings.Contains(w.Body.String(), "POST List-Unsubscribe=One-Click as application/x-www-form-urlencoded or multipart/form-data") ||
				!strings.Contains(w.Body.String(), "Nothing was changed.") {
				t.Errorf("%s to %s = %d %q:\n%s\nwant 400 saying what to send", c.name, link, w.Code, w.Header().Get("Content-Type"), w.Body)
			}
		}
		sub, err := e.store.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Status != subscribers.StatusConfirmed || len(sub.Lists) != 2 {
			t.Errorf("%s: the reader is %s on %v, want confirmed on both lists", c.name, sub.Status, sub.Lists)
		}
	}

	// A body over the limit is refused as every route refuses one.
	big := e.addConfirmed("big@example.com")
	w := e.do("POST", "/unsubscribe/"+e.signer.Sign(subscribers.TokenUnsubscribe, big, 0), form,
		"List-Unsubscribe=One-Click&pad="+strings.Repeat("x", MaxBodyBytes))
	if w.Code != http.StatusRequestEntityTooLarge || e.status(big) != subscribers.StatusConfirmed {
		t.Errorf("a body over the limit = %d, reader %s; want 413 and confirmed", w.Code, e.status(big))
	}

	for _, c := range []struct{ name, ct, body string }{
		{"urlencoded", form, "List-Unsubscribe=One-Click"},
		{"urlencoded with a charset", form + "; charset=utf-8", "List-Unsubscribe=One-Click"},
		{"multipart", mpCT, mpBody},
		// A mail program that posts nothing at all is taken at its
		// word: RFC 8058 wants the pair, but refusing a reader's
		// unsubscribe for want of it costs more than a body that says
		// nothing else could.
		{"an empty body", form, ""},
		{"no body and no type", "", ""},
	} {
		id := e.addConfirmed(strings.ReplaceAll(c.name, " ", "-") + "@example.com")
		link := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0)
		if w := e.do("POST", link, c.ct, c.body); w.Code != http.StatusOK || e.status(id) != subscribers.StatusUnsubscribed {
			t.Errorf("one-click %s = %d, reader %s; want 200 and unsubscribed:\n%s", c.name, w.Code, e.status(id), w.Body)
		}
	}

	// The page's button posts its form's hidden fields to the page's own
	// address, on both kinds of link.
	hidden := regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]+)">`)
	page := e.addConfirmed("page@example.com")
	for _, link := range []string{
		"/unsubscribe/" + e.signer.SignList(page, l.ID),
		"/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, page, 0),
	} {
		body := e.do("GET", link, "", "").Body.String()
		if !strings.Contains(body, `<form method="post">`) {
			t.Fatalf("the page of %s has no form posting to itself:\n%s", link, body)
		}
		fields := hidden.FindAllStringSubmatch(body, -1)
		var pairs []string
		for _, f := range fields {
			pairs = append(pairs, f[1]+"="+f[2])
		}
		if w := e.do("POST", link, form, strings.Join(pairs, "&")); w.Code != http.StatusSeeOther {
			t.Errorf("the page's button (%s) on %s = %d, want 303:\n%s", pairs, link, w.Code, w.Body)
		}
	}
	if e.status(page) != subscribers.StatusUnsubscribed {
		t.Errorf("after the page's buttons the reader is %s, want unsubscribed", e.status(page))
	}

	// A test send's link changes nothing whatever it is sent.
	if w := e.do("POST", "/unsubscribe/"+campaigns.TestToken, form, ""); w.Code != http.StatusOK ||
		!strings.Contains(w.Body.String(), "This link is from a test send") {
		t.Errorf("a test link's POST = %d:\n%s", w.Code, w.Body)
	}
}
