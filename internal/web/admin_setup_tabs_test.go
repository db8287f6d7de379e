package web

import (
	"net/http"
	"strings"
	"testing"
)

// The setup form opened in a first tab still sets Bulletin up after the
// page was opened again in a second tab and a post there was refused:
// showing the form keeps the browser's token. A post without the cookie
// says why it is refused.
func TestSetupFormStaysValidAcrossTabs(t *testing.T) {
	s, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}
	first := c.csrf()
	second := c.csrf()
	f := setupForm("", "")
	f.Set("password2", "another passphrase")
	if resp, body := c.post(&second, f); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("second tab, passwords that differ = %d, want 422:\n%s", resp.StatusCode, body)
	}

	stranger := &setupClient{t: t, h: h, peer: loopbackPeer, host: localHost}
	if resp, body := stranger.post(&first, setupForm("", "")); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "cookie") {
		t.Errorf("a post without the form's cookie = %d, want 403 saying the cookie was not sent:\n%s", resp.StatusCode, body)
	}

	if resp, body := c.post(&first, setupForm("", "")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first tab after the second's refusal = %d, want 303:\n%s", resp.StatusCode, body)
	}
	if !hasAdmin(t, s) {
		t.Error("no admin after the first tab's setup")
	}
}
