package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Lifting a suppression may be refused for its reason or for its
// confirmation box, or both. The page marks the field at fault, each tied
// to its own message beside it, with the keyboard on the first of them,
// as the other admin forms do: the reason field used to take the focus,
// unmarked, whichever was at fault. The page sent back shows the entry's
// row, open, even when it is not on the list's first page.
func TestA11ySuppressionLiftRefused(t *testing.T) {
	e := newFeedbackEnv(t)
	e.a.loginAs("editor@example.com", "correct horse battery")
	const target = "robin@tidewater.test"
	if _, _, err := e.s.Events.AddSuppression(context.Background(), target, "manual", "admin", "asked by phone"); err != nil {
		t.Fatal(err)
	}
	// Entries before it push it off the list's first page: the form
	// sent back shows its row all the same.
	for i := range suppressionsPageSize + 10 {
		if _, _, err := e.s.Events.AddSuppression(context.Background(), fmt.Sprintf("a%02d@bulk.test", i), "manual", "admin", ""); err != nil {
			t.Fatal(err)
		}
	}
	csrf := e.a.csrfOf("/admin/suppressions")
	const reason, box = "reason-" + target, "confirm-" + target
	for _, tc := range []struct {
		name   string
		form   url.Values
		want   map[string]string // field id → its message's id
		focus  string
		saying map[string]string // message id → what it says
	}{
		{"box not ticked", url.Values{"reason": {"back on board"}},
			map[string]string{box: "lift-confirm-error"}, box,
			map[string]string{"lift-confirm-error": "Tick the box to confirm that " + target + " may get mail again."}},
		{"no reason", url.Values{"reason": {"  "}, "confirm": {"yes"}},
			map[string]string{reason: "lift-reason-error"}, reason,
			map[string]string{"lift-reason-error": "Say why this address may get mail again (it is logged)."}},
		{"neither", url.Values{},
			map[string]string{reason: "lift-reason-error", box: "lift-confirm-error"}, reason, nil},
		{"a reason too long", url.Values{"reason": {strings.Repeat("x", 501)}, "confirm": {"yes"}},
			map[string]string{reason: "lift-reason-error"}, reason,
			map[string]string{"lift-reason-error": "Use at most 500 characters."}},
	} {
		tc.form.Set("csrf", csrf)
		tc.form.Set("target", target)
		resp, body := e.a.postBody("/admin/suppressions/lift", tc.form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: lift = %d, want 422:\n%s", tc.name, resp.StatusCode, body)
			continue
		}
		checkRefused(t, tc.name, body, tc.want, tc.focus)
		for id, msg := range tc.saying {
			if !strings.Contains(body, `id="`+id+`">`+msg+`</p>`) {
				t.Errorf("%s: message %s does not say %q:\n%s", tc.name, id, msg, body)
			}
		}
		if !strings.Contains(body, `<p class="error" id="lift-error" role="alert">`+target+` is still suppressed: fix the fields marked below.</p>`) {
			t.Errorf("%s: the page does not say at its top that nothing was lifted:\n%s", tc.name, body)
		}
		if ok, _ := e.s.Events.Suppressed(context.Background(), target); !ok {
			t.Fatalf("%s: a refused lift lifted", tc.name)
		}
	}
}

// A domain's entry sorts after the addresses at that domain, which its
// own search finds too: a lift of it refused shows its row even when a
// page of those addresses comes first.
func TestSuppressionLiftRefusedShowsADomainsRow(t *testing.T) {
	e := newFeedbackEnv(t)
	e.a.loginAs("editor@example.com", "correct horse battery")
	const target = "tidewater.test"
	if _, _, err := e.s.Events.AddSuppression(context.Background(), target, "manual", "admin", "a closed office"); err != nil {
		t.Fatal(err)
	}
	for i := range suppressionsPageSize + 5 {
		if _, _, err := e.s.Events.AddSuppression(context.Background(), fmt.Sprintf("a%02d@tidewater.test", i), "manual", "admin", ""); err != nil {
			t.Fatal(err)
		}
	}
	form := url.Values{"csrf": {e.a.csrfOf("/admin/suppressions")}, "target": {target}, "reason": {"reopened"}}
	resp, body := e.a.postBody("/admin/suppressions/lift", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("lift without the box = %d, want 422", resp.StatusCode)
	}
	checkRefused(t, "domain", body, map[string]string{"confirm-" + target: "lift-confirm-error"}, "confirm-"+target)
}

// Adding a domain leads to the list searched for it, which shows the
// domain's own entry first even when a page of addresses at that domain
// sorts before it.
func TestSuppressionAddedDomainShowsItsRow(t *testing.T) {
	e := newFeedbackEnv(t)
	e.a.loginAs("editor@example.com", "correct horse battery")
	for i := range suppressionsPageSize + 5 {
		if _, _, err := e.s.Events.AddSuppression(context.Background(), fmt.Sprintf("a%02d@harbour.test", i), "manual", "admin", ""); err != nil {
			t.Fatal(err)
		}
	}
	form := url.Values{"csrf": {e.a.csrfOf("/admin/suppressions")}, "target": {"harbour.test"}, "note": {"the office closed"}}
	resp, _ := e.a.postBody("/admin/suppressions", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding the domain: %d, want 303", resp.StatusCode)
	}
	page, body := e.a.followFlash(resp)
	if page.StatusCode != http.StatusOK || !strings.Contains(body, `id="reason-harbour.test"`) || !strings.Contains(body, "the office closed") {
		t.Errorf("after adding the domain (%s): %d, its row is not on the page:\n%.3000s", resp.Header.Get("Location"), page.StatusCode, body)
	}
}
