package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// The archive dated every issue in UTC, while a digest's mail dates it in
// its list's zone: a Honolulu list's digest sent at 09:52 UTC (23:52 on 5
// December there) was "5 December 2026" in the mail and in its masthead
// on the issue's page, but "Digest sent 6 December 2026" above that
// masthead and 6 December on /archive. A digest is dated in its list's
// zone on both pages; a campaign in the zone it was scheduled in when it
// went at that time, else the zone its lists share, else UTC, as the
// admin dates it.
func TestArchiveDatesIssuesInTheirZone(t *testing.T) {
	db, h, token := digestServer(t)
	ctx := context.Background()
	if _, err := db.Write.Exec(`UPDATE lists SET timezone = 'Pacific/Honolulu' WHERE slug = 'news'`); err != nil {
		t.Fatal(err)
	}
	if w := do(t, h, "POST", "/api/v1/digests/run", token, `{"list":"news"}`); w.Code != 201 {
		t.Fatalf("run: %d %s", w.Code, w.Body)
	}
	sent := time.Date(2026, 12, 6, 9, 52, 0, 0, time.UTC) // 23:52 on 5 December in Honolulu
	if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = ? WHERE kind = 'digest'`, sent); err != nil {
		t.Fatal(err)
	}
	campaign := func(subject, zone string, lists ...string) int64 {
		c := &campaigns.Campaign{Subject: subject, Body: "Hello.", Lists: lists}
		if err := campaigns.NewStore(db).Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Write.Exec(`UPDATE campaigns SET status = 'sent', started_at = ?, send_zone = ? WHERE id = ?`, sent, zone, c.ID); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	ids := map[string]int64{
		"Honolulu only":      campaign("Honolulu only", "", "news"),
		"Scheduled in Tokyo": campaign("Scheduled in Tokyo", "Asia/Tokyo", "news"),
		"Two zones":          campaign("Two zones", "", "news", "desk"), // desk is in UTC
	}
	want := map[string]string{
		"Honolulu only":      "5 December 2026",
		"Scheduled in Tokyo": "6 December 2026", // 18:52 there
		"Two zones":          "6 December 2026",
	}

	page := func(path string) string {
		w := do(t, h, "GET", path, "", "")
		if w.Code != 200 {
			t.Fatalf("GET %s: %d\n%s", path, w.Code, w.Body)
		}
		return w.Body.String()
	}
	issue := page("/archive/1")
	if !strings.Contains(issue, "Digest sent 5 December 2026</p>") {
		t.Errorf("the digest's page does not say it was sent on 5 December, its date in Honolulu:\n%s", issue)
	}
	index := page("/archive")
	if !strings.Contains(index, `<a href="/archive/1" style="font-weight:600">`) {
		t.Fatalf("the archive does not list the digest:\n%s", index)
	}
	dateOf := func(id int64) string {
		i := strings.Index(index, `<a href="/archive/`+strconv.FormatInt(id, 10)+`"`)
		if i < 0 {
			t.Fatalf("the archive does not list issue %d:\n%s", id, index)
		}
		rest := index[i:]
		rest = rest[strings.Index(rest, `<div class="muted small">`)+len(`<div class="muted small">`):]
		return rest[:strings.Index(rest, " · ")]
	}
	if got := dateOf(1); got != "5 December 2026" {
		t.Errorf("the archive dates the digest %q, want 5 December 2026, its date in Honolulu", got)
	}
	for subject, id := range ids {
		if got := dateOf(id); got != want[subject] {
			t.Errorf("the archive dates %q %q, want %q", subject, got, want[subject])
		}
		if p := page("/archive/" + strconv.FormatInt(id, 10)); !strings.Contains(p, "· Sent "+want[subject]+" · News") {
			t.Errorf("the page of %q does not say Sent %s as the archive does:\n%s", subject, want[subject], p)
		}
	}
}
