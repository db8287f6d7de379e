package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDigestRunAudienceChanged checks that the digest's "Send now" page
// carries the readers it counted, and that a reader who confirms before
// the button is pressed brings the page back, 409, with the new count and
// a button to send to it, mailing nobody; that button then sends to both.
func TestDigestRunAudienceChanged(t *testing.T) {
	_, a, db := newDigestAdminDB(t)
	resp, body := a.get("/admin/digests/weekend/run")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the send page = %d:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`To 1 reader.`, `<input type="hidden" name="confirm" value="1">`, `<button type="submit">Send the digest to 1 reader</button>`} {
		if !strings.Contains(body, want) {
			t.Errorf("send page lacks %s:\n%s", want, body)
		}
	}
	token := csrfField.FindStringSubmatch(body)
	if token == nil {
		t.Fatalf("send page has no csrf field:\n%s", body)
	}

	// Meanwhile a second reader confirms.
	execAt(t, db, time.Now(),
		`INSERT INTO subscribers (id, email, email_key, name, status, created_at, updated_at) VALUES (2, 'b@x.example', 'b@x.example', 'Bo', 'confirmed', ?, ?)`,
		`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (2, 2, 'active', ?, ?)`,
	)
	before := digestPageState(t, db)
	resp, body = a.postBody("/admin/digests/weekend/run", url.Values{"csrf": {token[1]}, "confirm": {"1"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("send as the page said, after a reader confirmed = %d, want 409:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`<title>Error: Send the digest of Weekend · `,
		`<p class="error" role="alert">The audience changed since you looked: the digest now reaches 2 readers.</p>`,
		`<input type="hidden" name="confirm" value="2">`,
		`<button type="submit">Send the digest to 2 readers</button>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("409 page lacks %s:\n%s", want, body)
		}
	}
	if after := digestPageState(t, db); after != before {
		t.Errorf("the refused send changed the database: %s, was %s", after, before)
	}

	// Without a count (a form from before), it asks too.
	resp, body = a.postBody("/admin/digests/weekend/run", url.Values{"csrf": {token[1]}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `Confirm the send: the digest reaches 2 readers.`) {
		t.Errorf("send without confirm = %d, want 409 asking to confirm 2 readers:\n%s", resp.StatusCode, body)
	}

	// The page's new button sends, to both.
	resp = a.post("/admin/digests/weekend/run", url.Values{"csrf": {token[1]}, "confirm": {"2"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/admin/campaigns/\d+$`).MatchString(loc) {
		t.Fatalf("send to the new count = %d to %q, want 303 to the digest", resp.StatusCode, loc)
	}
	var deliveries int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE campaign_id = (SELECT MAX(id) FROM campaigns)`).Scan(&deliveries); err != nil {
		t.Fatal(err)
	}
	if deliveries != 2 {
		t.Errorf("the digest went to %d readers, want the 2 confirmed", deliveries)
	}

	// Pressed again, nothing is new: no count to match, the flash says so.
	resp = a.post("/admin/digests/weekend/run", url.Values{"csrf": {token[1]}, "confirm": {"2"}})
	checkFlashRedirect(t, "second send", resp, "/admin/digests", "digest-nothing-new")
}
