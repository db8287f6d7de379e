package tracking

import (
	"testing"
	"time"
)

// Delivery ids are given out again once the newest deliveries are deleted
// (an erasure, the retention fold). A click or open of an old campaign's
// mail names a delivery that now belongs to another campaign's reader: it
// counts for its campaign with no delivery.
func TestReusedDeliveryIDIsNotAnotherReadersClick(t *testing.T) {
	db := openTestDB(t)
	rec := NewRecorder(db, testSecret, RecorderOptions{})
	defer rec.Close()

	old := newTestCampaign(t, db, On, true, fourLinks, 1)
	oldDelivery := old.deliveries[0]
	// The retention fold (or the reader's erasure) deletes the delivery.
	if _, err := db.Write.Exec(`DELETE FROM deliveries WHERE id = ?`, oldDelivery); err != nil {
		t.Fatal(err)
	}
	// The next campaign goes to another reader: its delivery reuses the id.
	next := newTestCampaign(t, db, On, true, fourLinks, 1)
	if next.deliveries[0] != oldDelivery {
		t.Fatalf("setup: the new delivery got id %d, not the freed %d", next.deliveries[0], oldDelivery)
	}

	// The first reader clicks a link (and shows the pixel) in the old mail.
	now := time.Now()
	if err := rec.Click(Hit{Campaign: old.id, Link: 1, Delivery: oldDelivery, Mode: On, Links: 4, At: now, Method: "GET", UserAgent: chrome}); err != nil {
		t.Fatal(err)
	}
	if err := rec.Open(Hit{Campaign: old.id, Delivery: oldDelivery, Mode: On, At: now, Method: "GET", UserAgent: chrome}); err != nil {
		t.Fatal(err)
	}
	rec.Flush()

	if n := count(t, db, `SELECT COUNT(*) FROM clicks WHERE campaign_id = ?`, old.id); n != 1 {
		t.Fatalf("%d clicks stored for the old campaign, want 1", n)
	}
	var who *int64
	if err := db.Read.QueryRow(`SELECT d.subscriber_id FROM clicks c LEFT JOIN deliveries d ON d.id = c.delivery_id WHERE c.campaign_id = ?`, old.id).Scan(&who); err != nil {
		t.Fatal(err)
	}
	if who != nil {
		t.Errorf("a click on campaign %d's mail is stored as subscriber %d's (the other reader's delivery %d of campaign %d); want delivery_id NULL",
			old.id, *who, oldDelivery, next.id)
	}
	who = nil
	if err := db.Read.QueryRow(`SELECT d.subscriber_id FROM opens o LEFT JOIN deliveries d ON d.id = o.delivery_id WHERE o.campaign_id = ?`, old.id).Scan(&who); err != nil {
		t.Fatal(err)
	}
	if who != nil {
		t.Errorf("an open of campaign %d's mail is stored as subscriber %d's; want delivery_id NULL", old.id, *who)
	}
}
