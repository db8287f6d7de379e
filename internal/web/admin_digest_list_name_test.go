package web

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The page that asks before a digest goes read "Send the The Weekly
// digest now?" for a list named "The Weekly": it put "the" before the
// list's name. It names the list after "of", with no article of its own,
// in the heading and the title, whatever the name starts with.
func TestAdminDigestSendPageNamesAListStartingWithThe(t *testing.T) {
	_, a, db := newDigestAdminDB(t)
	execAt(t, db, time.Now(),
		`INSERT INTO lists (id, slug, name, public, digest, digest_hour, digest_weekday, created_at) VALUES (4, 'the-weekly', 'The Weekly', 1, 'weekly', 7, 'monday', ?)`,
		`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (1, 4, 'active', ?, ?)`,
	)
	resp, body := a.get("/admin/digests/the-weekly/run")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET the send page = %d:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{`<title>Send the digest of The Weekly · `, `<h1>Send the digest of The Weekly now?</h1>`} {
		if !strings.Contains(body, want) {
			t.Errorf("send page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(strings.ToLower(body), "the the") {
		t.Errorf("send page says \"the The\":\n%s", body)
	}
}
