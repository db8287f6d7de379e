package web

import (
	"net/http"
	"strings"
	"testing"
)

// The setup page opened from another host, before anything is posted, is
// the form with its code field and a line saying where the code is: a
// page like any form, 200, not titled "Error: " nor saying it in red as
// an alert. Only a form posted with faults is. A post without the code
// is still refused (403), with the same words as its error; and a server
// that has no code, where setup from another host cannot be done at all,
// still answers 403 and offers no form.
func TestSetupFromElsewhereIsNoErrorBeforeAPost(t *testing.T) {
	s, _, h := newSetupServer(t)
	c := &setupClient{t: t, h: h, peer: remotePeer}
	resp, body := c.do("GET", "/admin/setup", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="code"`) {
		t.Fatalf("GET /admin/setup from elsewhere = %d, want 200 with the code field:\n%s", resp.StatusCode, body)
	}
	checkFresh(t, "setup from elsewhere", body)
	p := readA11y(t, body)
	if p.title != "Set up Bulletin · Bulletin" {
		t.Errorf("title %q, want the page's own", p.title)
	}
	hint := p.byID["setup-hint"]
	if hint == nil || strings.Contains(classOf(hint), "error") || !strings.Contains(body, `<p id="setup-hint">`+htmlText(setupNeedsCode)+`</p>`) {
		t.Errorf("the page does not say where the code is as a plain line:\n%s", body)
	}
	if strings.Contains(body, `role="alert"`) || strings.Contains(body, `class="error"`) {
		t.Errorf("the page shows an error before anything was posted:\n%s", body)
	}
	if !strings.Contains(body, `id="code" name="code" value="" required autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="XXXX-XXXX-XXXX-XXXX" style="width:100%" aria-describedby="setup-hint">`) {
		t.Errorf("the code field is not described by the line about the code:\n%s", body)
	}

	// Posted without the code: refused, and now it is an error.
	csrf := csrfField.FindStringSubmatch(body)[1]
	resp, body = c.post(&csrf, setupForm("", ""))
	if p := readA11y(t, body); resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(p.title, "Error: ") ||
		!strings.Contains(body, `<p class="error" id="setup-error" role="alert">`+htmlText(setupNeedsCode)+`</p>`) {
		t.Errorf("POST without the code = %d titled %q, want 403, an error title and the alert:\n%s", resp.StatusCode, p.title, body)
	}
	if hasAdmin(t, s) {
		t.Fatal("setup without the code made an admin")
	}

	// No code at all: nothing to type, no form, and no error title.
	s.Setup = nil
	c = &setupClient{t: t, h: s.Handler(), peer: remotePeer}
	resp, body = c.do("GET", "/admin/setup", nil)
	if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "<form") || !strings.Contains(body, "Restart") {
		t.Errorf("GET /admin/setup from elsewhere with no code = %d, want 403 without a form, saying to restart serve:\n%s", resp.StatusCode, body)
	}
	if p := readA11y(t, body); p.title != "Set up Bulletin · Bulletin" {
		t.Errorf("with no code: title %q, want the page's own", p.title)
	}
}

// htmlText is s as html/template writes it in text: the apostrophe is
// escaped.
func htmlText(s string) string {
	return strings.ReplaceAll(s, "'", "&#39;")
}
