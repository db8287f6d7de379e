package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// TestAdminSubscriberFrequencyWhereItMatters: a reader's page offers the
// digest frequency by the rule of their preferences page: only when a
// daily list is on the page, the one kind of list that sends by it, with
// a line saying to which lists it applies. Shown for a reader on weekly
// lists with no daily list anywhere, it changed nothing; hidden, the form
// carries the stored frequency unchanged.
func TestAdminSubscriberFrequencyWhereItMatters(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "sunday", Name: "Sunday Edition", Public: true, Digest: "weekly"}); err != nil {
		t.Fatal(err)
	}
	ann, err := e.store.Create(ctx, &subscribers.NewSubscriber{Email: "ann@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"sunday"}})
	if err != nil {
		t.Fatal(err)
	}
	weekly := "weekly"
	if _, err := e.store.Update(ctx, ann.ID, &subscribers.Patch{Frequency: &weekly}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/admin/subscribers/%d", ann.ID)
	hidden := regexp.MustCompile(`<input type="hidden" name="frequency" value="([^"]*)">`)

	_, body := e.a.get(path)
	if strings.Contains(body, `<select id="frequency"`) || strings.Contains(body, "Digest frequency") {
		t.Errorf("with no daily list, the page offers a frequency that changes nothing:\n%s", body)
	}
	if m := hidden.FindStringSubmatch(body); m == nil || m[1] != "weekly" {
		t.Fatalf("the form does not carry the stored frequency (%v):\n%s", m, body)
	}
	// The form as the page has it saves, the frequency unchanged.
	resp, body := e.a.postBody(path, url.Values{"csrf": {e.csrf}, "email": {"ann@example.com"}, "name": {"Ann"}, "status": {"confirmed"}, "frequency": {"weekly"}, "list": {"sunday"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d:\n%s", resp.StatusCode, body)
	}
	if got, _ := e.store.Get(ctx, ann.ID); got.Frequency != "weekly" || got.Name != "Ann" {
		t.Errorf("saved frequency %q, name %q", got.Frequency, got.Name)
	}

	// A daily list on the page: the admin may tick it and choose in one
	// save, as the reader may on their preferences page, so the choice
	// shows, saying it changes nothing until they are on it.
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "morning", Name: "Morning Brief", Public: true, Digest: "daily"}); err != nil {
		t.Fatal(err)
	}
	_, body = e.a.get(path)
	select_ := regexp.MustCompile(`<select id="frequency" name="frequency" aria-describedby="frequency-hint">`)
	if !select_.MatchString(body) || hidden.MatchString(body) {
		t.Errorf("with a daily list on the page, no frequency select tied to its hint:\n%s", body)
	}
	if want := `<p class="muted" id="frequency-hint" style="margin:4px 0 0">Applies to daily lists only (Morning Brief), and they are on none: it changes nothing unless you tick one below.</p>`; !strings.Contains(body, want) {
		t.Errorf("lacks the hint %s:\n%s", want, body)
	}

	// On the daily list, the hint names it alone.
	if _, err := e.store.Update(ctx, ann.ID, &subscribers.Patch{Lists: &[]string{"sunday", "morning"}}); err != nil {
		t.Fatal(err)
	}
	_, body = e.a.get(path)
	if want := `id="frequency-hint" style="margin:4px 0 0">Applies to daily lists only: Morning Brief.</p>`; !select_.MatchString(body) || !strings.Contains(body, want) {
		t.Errorf("on the daily list: lacks the select or %s:\n%s", want, body)
	}
}
