package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// A domain typed as 例え.jp is stored in its IDNA form, xn--r8jz45g.jp,
// and was shown so on the suppression list and on the page of the reader
// yamada@例え.jp, whose heading shows the address in Unicode: the editor
// could not tell the two were one domain. Both now show it as typed, as
// the subscriber pages show an address; a look-alike mixing scripts
// (pаypal.com with a Cyrillic а) still shows as stored. The forms still
// send the stored form, which a lift finds.
func TestAdminSuppressionShowsDomainsInUnicode(t *testing.T) {
	e := newFeedbackEnv(t)
	a := e.a
	a.loginAs("editor@example.com", "correct horse battery")
	ctx := context.Background()
	if err := e.s.Subscribers.CreateList(ctx, &subscribers.List{Slug: "news", Name: "News"}); err != nil {
		t.Fatal(err)
	}
	yamada, err := e.s.Subscribers.Create(ctx, &subscribers.NewSubscriber{Email: "yamada@例え.jp", Status: "confirmed", Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	csrf := a.csrfOf("/admin/suppressions")
	for _, target := range []string{"例え.jp", "p\u0430ypal.com", "anna@exämple.com"} {
		if resp := a.post("/admin/suppressions", url.Values{"csrf": {csrf}, "target": {target}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %s = %d", target, resp.StatusCode)
		}
	}
	_, body := a.get("/admin/suppressions")
	for _, want := range []string{"<code>例え.jp</code>", "<code>anna@exämple.com</code>", "<code>xn--pypal-4ve.com</code>",
		`<input type="hidden" name="target" value="xn--r8jz45g.jp">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the suppression list lacks %s", want)
		}
	}
	if strings.Contains(body, "<code>xn--r8jz45g.jp</code>") {
		t.Error("the suppression list shows 例え.jp as xn--r8jz45g.jp")
	}

	_, body = a.get(fmt.Sprintf("/admin/subscribers/%d", yamada.ID))
	if !strings.Contains(body, "Their domain 例え.jp is on the suppression list") {
		t.Errorf("yamada's page does not name the domain as typed:\n%s", body)
	}

	// A lift refused names the entry as typed too; one confirmed finds it.
	_, body = a.postBody("/admin/suppressions/lift", url.Values{"csrf": {csrf}, "target": {"xn--r8jz45g.jp"}, "reason": {"asked"}})
	if !strings.Contains(body, "Tick the box to confirm that 例え.jp may get mail again.") {
		t.Errorf("the refused lift does not name 例え.jp:\n%s", body)
	}
	resp := a.post("/admin/suppressions/lift", url.Values{"csrf": {csrf}, "target": {"xn--r8jz45g.jp"}, "reason": {"asked"}, "confirm": {"yes"}})
	if ok, _ := e.s.Events.Suppressed(ctx, "yamada@例え.jp"); resp.StatusCode != http.StatusSeeOther || ok {
		t.Errorf("lift = %d, still suppressed: %v", resp.StatusCode, ok)
	}
}
