package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The add form's address error is said under the address, not after the
// note's field, where it read as the note's; a note too long is said
// under the note. The note is optional, on the page as on the server
// (the API and the CSV import add entries without one): the page no
// longer marks required a field the server takes empty. Its limit is in
// characters, as the page's maxlength counts them.
func TestAdminSuppressionAddErrorsByTheirFields(t *testing.T) {
	e := newFeedbackEnv(t)
	a := e.a
	a.loginAs("editor@example.com", "correct horse battery")
	csrf := a.csrfOf("/admin/suppressions")
	form := func(body string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<form method="post" action="/admin/suppressions">.*?</form>`).FindString(body)
		if m == "" {
			t.Fatalf("no add form:\n%s", body)
		}
		return m
	}

	resp, body := a.postBody("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {"not an address"}, "note": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad address = %d, want 422", resp.StatusCode)
	}
	f := form(body)
	targetErr := strings.Index(f, `<p class="error" id="target-error">`)
	if targetErr < 0 || targetErr < strings.Index(f, `id="target"`) || targetErr > strings.Index(f, `<label for="note">`) {
		t.Errorf("the address's error is not between the address and the note's label:\n%s", f)
	}
	note := regexp.MustCompile(`<input id="note"[^>]*>`).FindString(f)
	if strings.Contains(note, "required") || strings.Contains(note, "aria-invalid") {
		t.Errorf("the note's field is marked required or at fault: %s", note)
	}
	if !strings.Contains(f, `<label for="note">Why <span class="muted">(optional, for your team)</span></label>`) {
		t.Errorf("the note's label does not say it is optional:\n%s", f)
	}

	resp = a.post("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {"nonote@example.com"}, "note": {""}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("add without a note = %d, want 303", resp.StatusCode)
	}
	if ok, _ := e.s.Events.Suppressed(context.Background(), "nonote@example.com"); !ok {
		t.Error("nonote@example.com is not suppressed")
	}

	resp, body = a.postBody("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {"long@example.com"}, "note": {strings.Repeat("x", 501)}})
	f = form(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(f, `aria-describedby="note-error"`) ||
		!strings.Contains(f, `<p class="error" id="note-error">Use at most 500 characters.</p>`) || strings.Contains(f, `id="target-error"`) {
		t.Errorf("a note too long = %d, want 422 with its error under the note:\n%s", resp.StatusCode, f)
	}
	// 500 characters of "é" are 1000 bytes, and within the limit.
	resp = a.post("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {"accents@example.com"}, "note": {strings.Repeat("é", 500)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a note of 500 accented letters = %d, want 303", resp.StatusCode)
	}
}
