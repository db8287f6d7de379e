package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// A reader's page says when they left each list they are no longer on,
// now that the link in a list's mail leaves that list alone.
func TestAdminSubscriberPageSaysWhenAListWasLeft(t *testing.T) {
	e := newAdminSubEnv(t)
	ctx := context.Background()
	id := e.addConfirmed("left@example.com") // on Daily News and Weekend Culture
	weekend, err := e.store.ListBySlug(ctx, "weekend-culture")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.LeaveList(ctx, id, weekend.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Write.Exec(`UPDATE subscriptions SET updated_at = '2026-03-04 10:00:00' WHERE subscriber_id = ? AND list_id = ?`, id, weekend.ID); err != nil {
		t.Fatal(err)
	}
	resp, body := e.a.get("/admin/subscribers/" + strconv.FormatInt(id, 10))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the reader's page: %d", resp.StatusCode)
	}
	if !strings.Contains(body, `> Weekend Culture <span class="muted">(left 4 March 2026)</span></label>`) {
		t.Errorf("the page does not say when Weekend Culture was left:\n%s", body)
	}
	if !strings.Contains(body, `checked> Daily News</label>`) {
		t.Errorf("the list the reader is on is not shown ticked, alone:\n%s", body)
	}
	if n := strings.Count(body, "(left "); n != 1 {
		t.Errorf("%d lists said left, want 1", n)
	}
}
