package tracking

import (
	"fmt"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

var testSecret = []byte("test secret 0123456789abcdef0123")

// openTestDB opens a migrated database.
func openTestDB(t testing.TB) *sqlite.DB {
	t.Helper()
	return sqlitetest.Open(t)
}

// testCampaign is a sent campaign with links and one delivery per reader.
type testCampaign struct {
	id         int64
	deliveries []int64
	subs       []int64
}

func newTestCampaign(t testing.TB, db *sqlite.DB, mode Mode, opens bool, links []string, readers int) *testCampaign {
	t.Helper()
	now := sqlite.Now()
	res, err := db.Write.Exec(`INSERT INTO campaigns (subject, status, tracking, opens, created_at, updated_at) VALUES ('Test', 'sent', ?, ?, ?, ?)`,
		string(mode), opens, now, now)
	if err != nil {
		t.Fatal(err)
	}
	c := &testCampaign{}
	c.id, _ = res.LastInsertId()
	for i, u := range links {
		if _, err := db.Write.Exec(`INSERT INTO campaign_links (campaign_id, idx, url) VALUES (?, ?, ?)`, c.id, i, u); err != nil {
			t.Fatal(err)
		}
	}
	for i := range readers {
		addr := fmt.Sprintf("r%d-c%d@example.com", i, c.id)
		res, err := db.Write.Exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES (?, ?, 'confirmed', ?, ?)`, addr, addr, now, now)
		if err != nil {
			t.Fatal(err)
		}
		sub, _ := res.LastInsertId()
		res, err = db.Write.Exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, c.id, sub, now, now)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := res.LastInsertId()
		c.subs = append(c.subs, sub)
		c.deliveries = append(c.deliveries, d)
	}
	return c
}

func count(t testing.TB, db *sqlite.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
