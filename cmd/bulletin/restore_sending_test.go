package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// restore of a backup taken mid-campaign says, as it restores, which
// campaigns and digests serve sends on as it starts (id, subject, the
// deliveries still queued), that readers mailed after the backup get
// them again, and how to pause them. It said nothing, and serve sent the
// rest, again, as it started. Paused, sent, draft and future campaigns
// are not named: serve leaves them as they are.
func TestRestoreNamesWhatGoesOutAtStart(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": src}, "", "seed"); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	db, err := sqlite.Open(ctx, filepath.Join(src, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	past, future := now.Add(-time.Hour), now.Add(24*time.Hour)
	campaign := func(kind, subject, status string, sendAt *time.Time, fanoutDone bool) int64 {
		t.Helper()
		res, err := db.Write.Exec(`INSERT INTO campaigns (kind, subject, status, send_at, fanout_done, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			kind, subject, status, sendAt, fanoutDone, now, now)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	deliveries := func(id int64, status string, n int) {
		t.Helper()
		if _, err := db.Write.Exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at)
			SELECT ?, id, ?, ? FROM subscribers WHERE id NOT IN (SELECT subscriber_id FROM deliveries WHERE campaign_id = ?) ORDER BY id LIMIT ?`,
			id, status, now, id, n); err != nil {
			t.Fatal(err)
		}
	}
	spring := campaign("campaign", "Spring sale", "sending", nil, true)
	deliveries(spring, "sent", 4)
	deliveries(spring, "queued", 7)
	digest := campaign("digest", "Daily News:\n6 December", "sending", nil, true)
	deliveries(digest, "queued", 1)
	launch := campaign("campaign", "Launch", "sending", nil, false)
	deliveries(launch, "queued", 2)
	late := campaign("campaign", "Late", "scheduled", &past, false)
	campaign("campaign", "Tomorrow", "scheduled", &future, false)
	held := campaign("campaign", "Held", "paused", nil, true)
	deliveries(held, "queued", 3)
	campaign("campaign", "Done", "sent", nil, true)
	campaign("campaign", "Draft", "draft", nil, false)
	db.Close()

	backup := filepath.Join(t.TempDir(), "b.db")
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": src}, "", "backup", backup); code != 0 {
		t.Fatal(stderr)
	}
	data := t.TempDir()
	code, stdout, stderr := run(t, map[string]string{"BULLETIN_DATA": data}, "", "restore", backup)
	if code != 0 || !strings.HasPrefix(stdout, "restored ") {
		t.Fatalf("restore: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	want := strings.Join([]string{
		"Warning: the restored database has 4 campaigns or digests that bulletin serve sends on as soon as it starts; " +
			"readers mailed after this backup was taken are not recorded in it and get the mail again:",
		fmt.Sprintf(`  campaign %d "Spring sale": sending, 7 deliveries still queued`, spring),
		fmt.Sprintf(`  digest %d "Daily News: 6 December": sending, 1 delivery still queued`, digest),
		fmt.Sprintf(`  campaign %d "Launch": sending, 2 deliveries still queued, and the rest of its readers still to queue`, launch),
		fmt.Sprintf(`  campaign %d "Late": scheduled for %s, a time already past: it starts at once`, late, past.Format("2006-01-02 15:04 UTC")),
		"To hold one, pause or cancel it on its page, /admin/campaigns/ID (or POST /api/v1/campaigns/ID/pause), as soon as serve is up: " +
			"a pause stops the messages not yet on the wire. No command pauses one with serve stopped; " +
			"with BULLETIN_REDIS_URL, start serve with --no-send and the workers stopped, pause, then start the workers.",
		"",
	}, "\n")
	if !strings.HasPrefix(stderr, want) {
		t.Errorf("restore said\n%s\nwant first\n%s", stderr, want)
	}

	// A backup with nothing going out restores without a word of it.
	quiet := t.TempDir()
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": quiet}, "", "migrate"); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, map[string]string{"BULLETIN_DATA": quiet}, "", "backup", backup); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr = run(t, map[string]string{"BULLETIN_DATA": t.TempDir()}, "", "restore", backup)
	if code != 0 || strings.Contains(stderr, "Warning") {
		t.Errorf("restore of a backup with nothing going out: exit %d, stderr %q", code, stderr)
	}
}
