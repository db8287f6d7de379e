package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// An erased reader's old links said "We no longer hold your address" and
// "We will send nothing more to it": both false once the same address
// signs up again, stored anew as a new reader. The pages say only what is
// true of the link, and read the same before and after the address signs
// up again, so they tell no one holding an old mail whether it is on a
// list now. Neither link touches the new reader.
func TestErasedReadersLinksStayTrueAfterTheAddressSignsUpAgain(t *testing.T) {
	e := newSubEnv(t, 0)
	const addr = "gone@example.org"
	old := e.addConfirmed(addr)
	unsub := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, old, 0)
	prefs := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, old, 0)
	if w := e.api("DELETE", fmt.Sprintf("/api/v1/subscribers/%d", old), ""); w.Code/100 != 2 {
		t.Fatalf("erase = %d:\n%s", w.Code, w.Body)
	}
	const form = "application/x-www-form-urlencoded"
	requests := []struct {
		method, path, body string
		status             int
	}{
		{"GET", unsub, "", http.StatusOK},
		{"POST", unsub, "List-Unsubscribe=One-Click", http.StatusOK},
		{"GET", prefs, "", http.StatusGone},
	}
	pages := func() []string {
		t.Helper()
		var out []string
		for _, c := range requests {
			w := e.do(c.method, c.path, form, c.body)
			if w.Code != c.status {
				t.Errorf("%s %s = %d, want %d", c.method, c.path, w.Code, c.status)
			}
			out = append(out, w.Body.String())
		}
		return out
	}
	before := pages()

	if w := e.form("/subscribe", url.Values{"email": {addr}, "list": {"daily-news"}, "website": {""}}); w.Code != http.StatusSeeOther {
		t.Fatalf("signing up again = %d:\n%s", w.Code, w.Body)
	}
	again := e.lastID()
	if again == old {
		t.Fatalf("the address signed up again as reader %d, the erased one's id", again)
	}
	e.mustConfirm(again)
	after := pages()

	for i, c := range requests {
		if after[i] != before[i] {
			t.Errorf("%s %s reads otherwise once the address signed up again:\n%s\n---\nwas\n%s", c.method, c.path, after[i], before[i])
		}
		for _, want := range []string{
			"<h1>The address of this link was erased</h1>",
			"The address this link was made for was erased, with everything we held about it, at your request or ours, so this link no longer works",
			"If you have signed up again since, use the links in the mails we sent you after that.",
			`<a href="/subscribe">sign up again</a>`,
		} {
			if !strings.Contains(after[i], want) {
				t.Errorf("%s %s: no %q:\n%s", c.method, c.path, want, after[i])
			}
		}
		for _, not := range []string{"no longer hold", "send nothing more", "will send nothing", addr} {
			if strings.Contains(after[i], not) {
				t.Errorf("%s %s says %q, false or telling once the address signed up again:\n%s", c.method, c.path, not, after[i])
			}
		}
	}
	if got := e.status(again); got != subscribers.StatusConfirmed {
		t.Errorf("the reader who signed up again is %s after the old links, want confirmed", got)
	}
}
