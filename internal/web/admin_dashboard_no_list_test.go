package web

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/subscribers"
)

// The dashboard's count of confirmed readers says apart how many of them
// are on no list (their only list was deleted), who get no mail, and
// only when there are any; the lists page counts as it did.
func TestAdminDashboardConfirmedOnNoList(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	if err := e.store.CreateList(ctx, &subscribers.List{Slug: "bulk", Name: "Bulk"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*subscribers.NewSubscriber{
		{Email: "ann@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"daily-news"}},
		{Email: "bo@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"bulk"}},
		{Email: "cy@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"bulk"}},
		{Email: "di@example.com", Status: subscribers.StatusConfirmed, Lists: []string{"bulk", "weekend-culture"}},
		{Email: "ed@example.com", Status: subscribers.StatusPending, Lists: []string{"bulk"}},
	} {
		if _, err := e.store.Create(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	confirmed := regexp.MustCompile(`<div class="muted">Confirmed</div>(.*?)</div></div>`)
	readers := regexp.MustCompile(`<td class="readers" data-label="Readers">(.*?)</td>`)
	_, lists := e.a.get("/admin/lists")
	before := readers.FindAllStringSubmatch(lists, -1)
	if len(before) != 4 {
		t.Fatalf("the lists page has %d readers cells, want 4:\n%s", len(before), lists)
	}
	_, dash := e.a.get("/admin")
	if m := confirmed.FindStringSubmatch(dash); m == nil || m[1] != `<div class="stat">4` {
		t.Errorf("with every reader on a list, the confirmed count is %q, want 4 and no more:\n%s", m, dash)
	}

	if err := e.store.DeleteList(ctx, "bulk"); err != nil {
		t.Fatal(err)
	}
	_, dash = e.a.get("/admin")
	want := `<div class="stat">4</div><div class="muted" style="font-size:.85rem">2 on no list, so they get no mail`
	if m := confirmed.FindStringSubmatch(dash); m == nil || html.UnescapeString(m[1]) != want {
		t.Errorf("after the list's deletion the confirmed count is %q, want %q:\n%s", m, want, dash)
	}
	_, lists = e.a.get("/admin/lists")
	after := readers.FindAllStringSubmatch(lists, -1)
	var got, kept []string
	for _, m := range after {
		got = append(got, m[1])
	}
	for _, m := range before[:3] { // bulk, the newest, is last
		kept = append(kept, m[1])
	}
	if strings.Join(got, "\n") != strings.Join(kept, "\n") {
		t.Errorf("the lists page's counts changed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(kept, "\n"))
	}
}
