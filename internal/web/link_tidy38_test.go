package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A reader link with characters no token holds after its token (a full
// stop or a ">" an auto-linker or a copy took with it, a slash, a
// space) leads to the link as mailed; one whose token was changed, or
// that has more path after it, is still a bad link.
func TestReaderLinksWithAStrayEndWork38(t *testing.T) {
	e := newSubEnv(t, 0)
	id := e.addConfirmed("tidy@example.com")
	unsub := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, id, 0)
	prefs := "/preferences/" + e.signer.Sign(subscribers.TokenPreferences, id, 0)
	for _, c := range []struct{ path, want string }{
		{unsub + ".", unsub},
		{unsub + "%3E", unsub},
		{unsub + ").", unsub},
		{unsub + "%20", unsub},
		{prefs + "/", prefs},
		{prefs + ".?saved=1", prefs + "?saved=1"},
		{prefs + "/?saved=1", prefs + "?saved=1"},
	} {
		w := e.do("GET", c.path, "", "")
		if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != c.want {
			t.Errorf("GET %s = %d to %q, want 301 to %q", c.path, w.Code, w.Header().Get("Location"), c.want)
		}
	}
	if w := e.do("GET", prefs, "", ""); w.Code != http.StatusOK {
		t.Errorf("GET the link as mailed = %d, want 200", w.Code)
	}
	tampered := prefs[:len(prefs)-3] + "AAA"
	if prefs[len(prefs)-3:] == "AAA" {
		tampered = prefs[:len(prefs)-3] + "BBB"
	}
	for _, path := range []string{tampered, prefs + "/more", prefs + "/more/", "/preferences/...", "/preferences/abc."} {
		w := e.do("GET", path, "", "")
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "does not work") {
			t.Errorf("GET %s = %d, want 400 and the bad link's page:\n%.300s", path, w.Code, w.Body.String())
		}
	}
	// A POST is served with the token as mailed: the one-click
	// unsubscribe of a link with a full stop after it works.
	if w := e.form(unsub+".", url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK {
		t.Fatalf("one-click POST with a stray full stop = %d, want 200", w.Code)
	}
	if st := e.status(id); st != subscribers.StatusUnsubscribed {
		t.Errorf("after the one-click POST the reader is %s, want unsubscribed", st)
	}
	// So does one with a slash after it (it was a 400, where the full
	// stop's worked); more path after the token is still a bad link.
	other := e.addConfirmed("slash@example.com")
	slashed := "/unsubscribe/" + e.signer.Sign(subscribers.TokenUnsubscribe, other, 0)
	if w := e.form(slashed+"/more", url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusBadRequest {
		t.Errorf("one-click POST with more path after the token = %d, want 400", w.Code)
	}
	if st := e.status(other); st != subscribers.StatusConfirmed {
		t.Fatalf("after a POST to a bad link the reader is %s, want confirmed", st)
	}
	if w := e.form(slashed+"/", url.Values{"List-Unsubscribe": {"One-Click"}}); w.Code != http.StatusOK {
		t.Fatalf("one-click POST with a slash after the token = %d, want 200:\n%.300s", w.Code, w.Body.String())
	}
	if st := e.status(other); st != subscribers.StatusUnsubscribed {
		t.Errorf("after the one-click POST with a slash the reader is %s, want unsubscribed", st)
	}
}
