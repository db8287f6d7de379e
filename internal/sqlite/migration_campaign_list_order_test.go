package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A database at 091 gets campaign_lists.position, each campaign's lists
// numbered in the order of their ids, the order every campaign was read
// and sent in until then, whatever order its rows were inserted in (a
// campaign given its lists as ["weekend", "news"] stored them so): what
// is scheduled, paused or sending keeps the list whose mail each reader
// gets. A row inserted after it without a position (a digest's one list)
// gets 0.
func TestCampaignListPositionsKeepTheOrderOfIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulletin.db")
	db := open(t, path)
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`ALTER TABLE campaign_lists DROP COLUMN position`,
		`DELETE FROM migrations WHERE name = 'migration/092_campaign_list_order.sql'`,
		`INSERT INTO lists (id, slug, name, created_at) VALUES (1, 'news', 'News', ?1), (2, 'deals', 'Deals', ?1), (3, 'weekend', 'Weekend', ?1)`,
		`INSERT INTO campaigns (id, kind, subject, status, created_at, updated_at) VALUES
			(1, 'campaign', 'Two', 'scheduled', ?1, ?1), (2, 'campaign', 'Three', 'sending', ?1, ?1),
			(3, 'campaign', 'One', 'sent', ?1, ?1), (4, 'digest', 'Digest', 'sent', ?1, ?1)`,
		// Inserted in the order given, not that of the ids.
		`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (1, 3), (1, 1), (2, 2), (2, 3), (2, 1), (3, 2), (4, 3)`,
	} {
		if _, err := db.Write.ExecContext(ctx, q, at); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	db = open(t, path)
	defer db.Close()
	got := column(t, db.Read, `SELECT campaign_id || ':' || list_id || '@' || position FROM campaign_lists ORDER BY campaign_id, position`)
	want := []string{"1:1@0", "1:3@1", "2:1@0", "2:2@1", "2:3@2", "3:2@0", "4:3@0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("campaign lists after the migration (-want +got):\n%s", diff)
	}
	if _, err := db.Write.ExecContext(ctx, `INSERT INTO campaign_lists (campaign_id, list_id) VALUES (3, 1)`); err != nil {
		t.Fatal(err)
	}
	if got := column(t, db.Read, `SELECT position FROM campaign_lists WHERE campaign_id = 3 AND list_id = 1`); !cmp.Equal(got, []string{"0"}) {
		t.Errorf("a row inserted without a position has %v, want [0]", got)
	}
}
