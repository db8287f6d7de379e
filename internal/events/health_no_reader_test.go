package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/google/go-cmp/cmp"
)

// The dashboard's seven-day rates count the bounces and complaints about
// readers' mail only. One about an address no reader has (a provider's
// webhook about mail another program sent) or about a test send
// suppresses nothing, and its mail is not in the sent count: it counted
// all the same, and a few such reports set off the warning. A reader's
// event still counts, found by delivery or by address, and so does the
// event of mail to a reader erased since, which stays without its reader.
func TestHealthLeavesOutEventsAboutNoReader(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ann := e.reader(t, "ann@example.org")
	e.reader(t, "bo@example.org")
	cy := e.reader(t, "cy@example.org")
	now := sqlite.Now()
	e.exec(t, `INSERT INTO sent_hours (hour, sent) VALUES (?, 100)`, now.Unix()/3600)

	evs := []events.Event{
		// About readers: these count.
		{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", CampaignID: e.campaign, SubscriberID: ann},
		{Kind: events.Complaint, Source: events.SourceSES, Email: "bo@example.org", Key: "ses:bo"},
		{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", CampaignID: e.campaign, SubscriberID: cy},
		// About no reader: these do not.
		{Kind: events.BounceHard, Source: events.SourceSendGrid, Status: "5.1.1", Email: "stranger@example.net", Key: "sg:stranger"},
		{Kind: events.BounceSoft, Source: events.SourceMailgun, Status: "4.2.2", Email: "other@example.net", Key: "mg:other"},
		{Kind: events.Complaint, Source: events.SourcePostmark, Email: "stranger@example.net", Key: "pm:stranger"},
		{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", Email: "colleague@example.net", NoReader: true, Key: "test:colleague"},
		{Kind: events.Complaint, Source: events.SourceARF, Email: "bo@example.org", NoReader: true, Key: "test:bo"}, // a test to a reader's address
	}
	if n, err := e.store.Record(ctx, evs); err != nil || n != len(evs) {
		t.Fatalf("Record = %d, %v; want all %d stored", n, err, len(evs))
	}
	// Cy is erased: the events of her mail lose her, not their campaign.
	e.exec(t, `DELETE FROM deliveries WHERE subscriber_id = ?`, cy)
	e.exec(t, `DELETE FROM subscriptions WHERE subscriber_id = ?`, cy)
	e.exec(t, `DELETE FROM subscribers WHERE id = ?`, cy)

	h, err := e.store.Health(ctx, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := events.Health{Since: now.Add(-time.Hour), Sent: 100, Bounces: 2, Complaints: 1}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("Health (-want +got):\n%s", diff)
	}
	// The three bounces about no reader made 5 % of 100 sent: the
	// dashboard's warning, for nothing Bulletin's readers did.
	if h.BounceRate() > events.WarnBounceRate {
		t.Errorf("bounce rate %.2f %%, past the warning's %.0f %%", 100*h.BounceRate(), 100*events.WarnBounceRate)
	}
}
