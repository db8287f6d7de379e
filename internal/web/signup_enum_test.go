package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/subscribers"
)

// answer is what a client sees of a response: everything but Date.
type answer struct {
	Status int
	Header http.Header
	Body   string
}

// httpAnswer sends req over a real connection and reads the answer
// without following redirects.
func httpAnswer(t *testing.T, c *http.Client, req *http.Request) answer {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	res.Header.Del("Date")
	// The check-email page's cookie holds the address typed, which
	// differs with each signup's address, not with whether it is known.
	for i, v := range res.Header["Set-Cookie"] {
		if name, rest, ok := strings.Cut(v, ";"); ok && strings.HasPrefix(name, signupEmailCookie+"=") {
			res.Header["Set-Cookie"][i] = signupEmailCookie + "=<the address typed>;" + rest
		}
	}
	return answer{Status: res.StatusCode, Header: res.Header, Body: string(body)}
}

// TestSignupCannotTellAddressesApart signs up, over HTTP, a new, a pending,
// a confirmed, an unsubscribed and a bounced address, by the form and by
// JSON: status, headers (Location included) and bodies are byte for byte
// the same, so the endpoints cannot be used to learn who subscribes. The
// known readers are unchanged afterwards: only a click on the mailed link
// changes them.
func TestSignupCannotTellAddressesApart(t *testing.T) {
	e := newSubEnv(t, 0)
	ctx := context.Background()
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	if w := e.json("POST", "/api/v1/subscriptions", `{"email":"pending@example.com","lists":["daily-news"]}`); w.Code != http.StatusAccepted {
		t.Fatalf("pending signup: %d", w.Code)
	}
	e.runConfirmations()
	known := map[string]int64{"pending": e.lastID()}
	for _, k := range []struct{ kind, status string }{
		{"confirmed", subscribers.StatusConfirmed},
		{"unsubscribed", subscribers.StatusConfirmed},
		{"bounced", subscribers.StatusBounced},
	} {
		sub, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: k.kind + "@example.com", Status: k.status,
			Lists: []string{"daily-news"}, Attributes: map[string]any{"kept": true}})
		if err != nil {
			t.Fatal(err)
		}
		known[k.kind] = sub.ID
	}
	if err := e.store.Unsubscribe(ctx, known["unsubscribed"]); err != nil {
		t.Fatal(err)
	}
	before := map[string]*subscribers.Subscriber{}
	for kind, id := range known {
		sub, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		before[kind] = sub
	}

	kinds := []string{"new", "pending", "confirmed", "unsubscribed", "bounced"}
	for _, channel := range []string{"form", "json"} {
		answers := map[string]answer{}
		for _, kind := range kinds {
			email := kind + "@example.com"
			if kind == "new" {
				email = "new-" + channel + "@example.com"
			}
			var req *http.Request
			if channel == "form" {
				v := url.Values{"email": {email}, "name": {"Mallory"}, "list": {"daily-news", "weekend-culture"}}
				req, _ = http.NewRequest("POST", srv.URL+"/subscribe", strings.NewReader(v.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				body := `{"email":"` + email + `","name":"Mallory","lists":["daily-news","weekend-culture"],"attributes":{"kept":false}}`
				req, _ = http.NewRequest("POST", srv.URL+"/api/v1/subscriptions", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Origin", "https://publisher.example")
			}
			answers[kind] = httpAnswer(t, client, req)
		}
		want := answers["new"]
		if channel == "form" && (want.Status != http.StatusSeeOther || want.Header.Get("Location") != "/subscribe/check-email") {
			t.Fatalf("form answer to a new address: %d, Location %q", want.Status, want.Header.Get("Location"))
		}
		if channel == "json" && (want.Status != http.StatusAccepted || strings.TrimSpace(want.Body) != `{"status":"pending"}`) {
			t.Fatalf("JSON answer to a new address: %d %q", want.Status, want.Body)
		}
		for _, kind := range kinds[1:] {
			if diff := cmp.Diff(want, answers[kind]); diff != "" {
				t.Errorf("%s signup of a %s address answers otherwise than of a new one (-new +%s):\n%s", channel, kind, kind, diff)
			}
		}
	}

	for kind, id := range known {
		after, err := e.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		b := before[kind]
		if diff := cmp.Diff([]any{b.Name, b.Status, b.Lists, b.Attributes}, []any{after.Name, after.Status, after.Lists, after.Attributes}); diff != "" {
			t.Errorf("signups changed the %s reader (-before +after):\n%s", kind, diff)
		}
	}
}

// A confirmation token spelled with other unused trailing bits is not the
// token that was mailed: the page answers 400 and confirms nothing.
func TestConfirmRefusesNonCanonicalToken(t *testing.T) {
	e := newSubEnv(t, 0)
	e.json("POST", "/api/v1/subscriptions", `{"email":"canon@example.com","lists":["daily-news"]}`)
	id := e.lastID()
	tok := e.confirmToken(id)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	bad := tok[:len(tok)-1] + string(alphabet[strings.IndexByte(alphabet, tok[len(tok)-1])^1])
	if w := e.do("GET", "/confirm/"+bad, "", ""); w.Code != http.StatusBadRequest {
		t.Errorf("non-canonical token: %d, want 400", w.Code)
	}
	if got := e.status(id); got != subscribers.StatusPending {
		t.Errorf("status %s after a non-canonical link, want pending", got)
	}
	if w := e.do("GET", "/confirm/"+tok, "", ""); w.Code != http.StatusOK {
		t.Errorf("the token as mailed: %d", w.Code)
	}
}
