package events_test

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// "Three soft bounces within 30 days" are three mails: reports of one
// campaign's mail under different keys (a DSN, a provider's webhook, a
// provider's retry under a new id) count once, an event whose campaign is
// not known counts on its own, and a third mail bounces the reader.
func TestSoftBouncesCountMailsNotReports(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.reader(t, "full@harbour.test")
	now := sqlite.Now()
	campaign := func() int64 {
		cid := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Another', 'sent', ?, ?)`, now, now)
		e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, cid, id, now, now)
		return cid
	}
	soft := func(cid int64, key string) events.Event {
		return events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", Diagnostic: "452 4.2.2 Mailbox full",
			Email: "full@harbour.test", CampaignID: cid, SubscriberID: id, Key: key}
	}
	second, third := campaign(), campaign()
	steps := []struct {
		name string
		ev   events.Event
		want string
	}{
		{"the campaign's DSN", soft(e.campaign, ""), "confirmed"},
		{"the same mail by webhook", soft(e.campaign, "sendgrid:one"), "confirmed"},
		{"the same mail, the provider's retry", soft(e.campaign, "sendgrid:two"), "confirmed"},
		{"a mail of no known campaign", soft(0, "postmark:three"), "confirmed"},
		{"the second campaign's mail", soft(second, ""), "bounced"},
		{"the third campaign's mail", soft(third, ""), "bounced"},
	}
	for _, s := range steps {
		if n, err := e.store.Record(ctx, []events.Event{s.ev}); err != nil || n != 1 {
			t.Fatalf("%s: %d new, %v; want 1", s.name, n, err)
		}
		if got := e.state(t, id); got.Status != s.want || got.Suppressed != (s.want == "bounced") {
			t.Errorf("after %s: %+v, want %s", s.name, got, s.want)
		}
	}
}

// Three soft bounces of one campaign, each told under its own key, leave
// the reader subscribed; three of three campaigns bounce them.
func TestThreeSoftBouncesOfOneCampaignAreOne(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := sqlite.Now()
	one, three := e.reader(t, "one@harbour.test"), e.reader(t, "three@harbour.test")
	cids := []int64{e.campaign}
	for len(cids) < 3 {
		cid := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Next', 'sent', ?, ?)`, now, now)
		e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, cid, three, now, now)
		cids = append(cids, cid)
	}
	for i, key := range []string{"dsn:a", "mailgun:b", "ses:c"} {
		ev := events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", Email: "one@harbour.test",
			CampaignID: e.campaign, SubscriberID: one, Key: key}
		if n, err := e.store.Record(ctx, []events.Event{ev}); err != nil || n != 1 {
			t.Fatalf("report %d: %d new, %v", i+1, n, err)
		}
	}
	if got := e.state(t, one); got.Status != "confirmed" || got.Suppressed {
		t.Errorf("three reports of one campaign's mail: %+v, want confirmed and not suppressed", got)
	}
	for _, cid := range cids {
		ev := events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", Email: "three@harbour.test",
			CampaignID: cid, SubscriberID: three}
		if n, err := e.store.Record(ctx, []events.Event{ev}); err != nil || n != 1 {
			t.Fatalf("campaign %d: %d new, %v", cid, n, err)
		}
	}
	if got := e.state(t, three); got.Status != "bounced" || !got.Suppressed {
		t.Errorf("soft bounces of three campaigns: %+v, want bounced and suppressed", got)
	}
}
