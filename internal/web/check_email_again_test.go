package web

import (
	"net/url"
	"strings"
	"testing"
)

// After a signup from the one-list snippet (/subscribe/embed?list=SLUG,
// a form with one-list=1), the check-email page's "Sign up again with the
// right one" led to /subscribe, every list's form with none ticked. It
// leads back to that one-list form; the list rides in the page's URL, the
// address never does. A signup from every list's form still leads to it.
func TestCheckEmailSignUpAgainKeepsTheOneListForm(t *testing.T) {
	e := newSubEnv(t, 0)
	if embed := e.do("GET", "/subscribe/embed?list=weekend-culture", "", "").Body.String(); !strings.Contains(embed, `name="one-list" value="1"`) {
		t.Fatalf("the one-list snippet has no one-list field:\n%s", embed)
	}
	checkEmail := func(form url.Values) (to, page string) {
		t.Helper()
		w := e.form("/subscribe", form)
		to = w.Header().Get("Location")
		if w.Code != 303 || !strings.HasPrefix(to, "/subscribe/check-email") {
			t.Fatalf("signup = %d to %q, want 303 to the check-email page\n%s", w.Code, to, w.Body)
		}
		if strings.Contains(to, "zoe") || strings.Contains(to, "example") {
			t.Errorf("the check-email page's URL %q holds the address", to)
		}
		var cookie string
		for _, c := range w.Result().Cookies() {
			if c.Name == signupEmailCookie {
				cookie = c.Name + "=" + c.Value
			}
		}
		return to, e.do("GET", to, "", "", "Cookie", cookie).Body.String()
	}

	to, page := checkEmail(url.Values{"email": {"zoe@news.example"}, "list": {"weekend-culture"}, "one-list": {"1"}})
	if !strings.Contains(page, "zoe@news.example") {
		t.Errorf("the check-email page (%s) does not name the address:\n%s", to, page)
	}
	const again = `<a href="/subscribe?list=weekend-culture&amp;one-list=1">Sign up again</a>`
	if !strings.Contains(page, again) {
		t.Fatalf("after a one-list signup the check-email page does not lead back to its form (%s):\n%s", again, page)
	}
	form := e.do("GET", "/subscribe?list=weekend-culture&one-list=1", "", "").Body.String()
	if !strings.Contains(form, `<p>You are signing up for <strong>Weekend Culture</strong>.</p>`) ||
		!strings.Contains(form, `<input type="hidden" name="one-list" value="1">`) ||
		!strings.Contains(form, `<input type="hidden" name="list" value="weekend-culture">`) || strings.Contains(form, `type="checkbox"`) {
		t.Errorf("the one-list form's address does not show the one-list form:\n%s", form)
	}

	_, page = checkEmail(url.Values{"email": {"zoe@news.example"}, "list": {"weekend-culture"}})
	if !strings.Contains(page, `<a href="/subscribe">Sign up again</a>`) {
		t.Errorf("after a signup from every list's form the check-email page does not lead to it:\n%s", page)
	}
	// A list that is not public is no form to lead to.
	if page := e.do("GET", "/subscribe/check-email?list=nope", "", "").Body.String(); !strings.Contains(page, `<a href="/subscribe">Sign up again</a>`) {
		t.Errorf("?list=nope: the check-email page does not lead to every list's form:\n%s", page)
	}
}
