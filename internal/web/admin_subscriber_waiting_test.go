package web

import (
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/subscribers"
)

// An import that asks a confirmed reader to confirm a list they are not
// on mails them a link, and their admin page says so: which list, when
// the mail went and until when its link works. It said nothing, so an
// editor saw no trace of the import's question. A reader with no waiting
// request (or one for lists they are on, or whose link no longer works)
// shows no such line.
func TestAdminSubscriberPageSaysWhatWaitsForTheirClick(t *testing.T) {
	e := newAdminSubEnv(t)
	id := e.addConfirmed("ada@example.com") // on Daily News and Weekend Culture
	other := e.addConfirmed("bo@example.com")
	page := func(id int64) string {
		t.Helper()
		resp, body := e.a.get("/admin/subscribers/" + strconv.FormatInt(id, 10))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the reader's page: %d", resp.StatusCode)
		}
		return html.UnescapeString(body)
	}
	if body := page(id); strings.Contains(body, "Asked to join") {
		t.Fatalf("a reader nothing waits for:\n%s", body)
	}
	e.importReport("email,lists\nada@example.com,editors-desk\nbo@example.com,daily-news\n", nil)
	body := page(id)
	if !strings.Contains(body, "Asked to join Editor's Desk: a mail went to them ") || !strings.Contains(body, "whose link adds it when they click it (it works until ") {
		t.Errorf("the page does not say what waits for the reader's click:\n%s", body)
	}
	if strings.Contains(body, "Asked to join Editor's Desk, Daily News") || strings.Contains(body, "Asked to join Daily News") {
		t.Errorf("the page names lists the reader is on:\n%s", body)
	}
	if body := page(other); strings.Contains(body, "Asked to join") {
		t.Errorf("a reader the import found on its list:\n%s", body)
	}
	// Once the link has stopped working, nothing waits any more.
	if _, err := e.db.Write.Exec(`UPDATE signup_requests SET requested_at = ? WHERE subscriber_id = ?`,
		time.Now().Add(-subscribers.ConfirmTTL-time.Minute), id); err != nil {
		t.Fatal(err)
	}
	if body := page(id); strings.Contains(body, "Asked to join") {
		t.Errorf("a request whose link no longer works:\n%s", body)
	}
}
