package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// unsubscribePosts are the two ways an unsubscribe link is posted to,
// each by a reader of its own: the page's button, which sends the page
// field too and is redirected to the page, and a mail program's RFC 8058
// one-click, answered at once.
var unsubscribePosts = []struct {
	email string
	form  url.Values
	code  int
}{
	{"page@example.com", url.Values{"List-Unsubscribe": {"One-Click"}, "page": {"1"}}, http.StatusSeeOther},
	{"client@example.com", url.Values{"List-Unsubscribe": {"One-Click"}}, http.StatusOK},
}

// The unsubscribe page's button is answered with a redirect to the page,
// which then says the reader is unsubscribed (a reload asks nothing); a
// mail program's one-click POST, which sends only List-Unsubscribe, gets
// its 200 at once. Both unsubscribe.
func TestUnsubscribePageRedirectsOneClickDoesNot38(t *testing.T) {
	e := newSubEnv(t, 0)
	for _, c := range unsubscribePosts {
		id := e.addConfirmed(c.email)
		link := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0)
		form := e.do("GET", link, "", "").Body.String()
		if c.form.Get("page") != "" && !strings.Contains(form, `<input type="hidden" name="page" value="1">`) {
			t.Fatalf("the page's form does not send the page field:\n%s", form)
		}
		w := e.form(link, c.form)
		if w.Code != c.code {
			t.Errorf("%s: POST = %d, want %d", c.email, w.Code, c.code)
		}
		if c.code == http.StatusSeeOther && w.Header().Get("Location") != link {
			t.Errorf("%s: redirected to %q, want the page %q", c.email, w.Header().Get("Location"), link)
		}
		if st := e.status(id); st != subscribers.StatusUnsubscribed {
			t.Errorf("%s: status %s after the POST, want unsubscribed", c.email, st)
		}
		if page := e.do("GET", link, "", "").Body.String(); !strings.Contains(page, "<h1>You are unsubscribed</h1>") {
			t.Errorf("%s: the page after the POST does not say it is done:\n%.400s", c.email, page)
		}
	}
}
