package campaigns_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// campaignEvent is a campaign event in the outbox, as an endpoint gets it.
type campaignEvent struct {
	Type string         `json:"type"`
	Data hooks.Campaign `json:"data"`
}

// campaignEvents returns the campaign.* events in db's outbox, oldest
// first.
func campaignEvents(t *testing.T, db *sqlite.DB) []campaignEvent {
	t.Helper()
	rows, err := db.Read.Query(`SELECT body FROM webhook_events WHERE type LIKE 'campaign.%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []campaignEvent
	for rows.Next() {
		var body string
		var ev campaignEvent
		if err := rows.Scan(&body); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatalf("event %s: %v", body, err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantAllEvents adds an endpoint on the loopback that wants every event.
func wantAllEvents(t *testing.T, e *env) {
	t.Helper()
	u, evs := "http://127.0.0.1:9/hook", hooks.Types
	if _, err := hooks.NewStore(e.db, hooks.Guard{AllowPrivate: true}).Create(context.Background(), hooks.Input{URL: &u, Events: &evs}); err != nil {
		t.Fatal(err)
	}
}

// An event's summary: what a receiver tells events apart by.
type eventSummary struct {
	Type, Status string
	Total        int
	Finished     bool
}

func summarize(evs []campaignEvent) []eventSummary {
	out := []eventSummary{}
	for _, ev := range evs {
		out = append(out, eventSummary{ev.Type, ev.Data.Status, ev.Data.Total, ev.Data.FinishedAt != nil})
	}
	return out
}

// campaign.started carries the readers the campaign is going to as its
// total, the audience the start answers with, though its fan-out has
// made no delivery yet; campaign.finished still counts the deliveries
// made. A reader pending, or unsubscribed from the list, is not counted,
// and one on two of its lists counts once.
func TestCampaignStartedTotalIsItsAudience(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	wantAllEvents(t, e)
	a, b := e.addList(t, "a"), e.addList(t, "b")
	e.addReaders(t, 9, a) // more than a fan-out page (7)
	e.addSubscriber(t, "both@example.com", "confirmed", a, b)
	e.addSubscriber(t, "b-only@example.com", "confirmed", b)
	e.addSubscriber(t, "pending@example.com", "pending", a)
	gone := e.addSubscriber(t, "gone@example.com", "confirmed", a)
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, gone)
	const audience = 11

	cid := e.create(t, "a", "b")
	c, err := e.svc.Send(ctx, cid)
	if err != nil {
		t.Fatal(err)
	}
	if c.Audience != audience {
		t.Fatalf("the start's audience = %d, want %d", c.Audience, audience)
	}
	evs := campaignEvents(t, e.db)
	if diff := cmp.Diff([]eventSummary{{hooks.CampaignStarted, campaigns.StatusSending, audience, false}}, summarize(evs)); diff != "" {
		t.Fatalf("after the start (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, evs[0].Data.Lists); diff != "" {
		t.Errorf("campaign.started lists (-want +got):\n%s", diff)
	}
	if evs[0].Data.StartedAt == nil {
		t.Error("campaign.started has no started_at")
	}

	// A reader who leaves during the fan-out is not sent to: the end
	// counts the deliveries made, as it always has.
	e.exec(t, `UPDATE subscribers SET status = 'unsubscribed' WHERE email = 'b-only@example.com'`)
	var rs []queue.Recipient
	e.svc.Kick = func(p *queue.SendPayload) { rs = append(rs, p.Recipients...) }
	e.fanout(t)
	e.svc.Kick = nil
	if len(rs) != audience-1 {
		t.Fatalf("%d recipients, want %d", len(rs), audience-1)
	}
	e.recordAll(t, cid, rs)
	want := []eventSummary{
		{hooks.CampaignStarted, campaigns.StatusSending, audience, false},
		{hooks.CampaignFinished, campaigns.StatusSent, audience - 1, true},
	}
	if diff := cmp.Diff(want, summarize(campaignEvents(t, e.db))); diff != "" {
		t.Errorf("after the last delivery (-want +got):\n%s", diff)
	}
}

// recordAll records every one of rs as sent.
func (e *env) recordAll(t *testing.T, cid int64, rs []queue.Recipient) {
	t.Helper()
	var results []queue.Result
	for _, r := range rs {
		results = append(results, queue.Result{DeliveryID: r.DeliveryID, SubscriberID: r.SubscriberID, Status: queue.ResultSent, At: time.Now().UTC()})
	}
	if err := e.svc.Record(context.Background(), cid, results); err != nil {
		t.Fatal(err)
	}
}

// A campaign cancelled after it started, while sending or paused, ends
// with campaign.finished once, its status cancelled, so integrations
// told it started learn it ended; what it had sent before counts in its
// total. One cancelled while scheduled never started and emits nothing.
func TestCancelledCampaignEmitsFinishedOnceIfStarted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	wantAllEvents(t, e)
	e.addReaders(t, 3, e.addList(t, "news"))

	at := time.Now().Add(48 * time.Hour)
	scheduled := &campaigns.Campaign{Subject: "Later", Body: "Hi", Lists: []string{"news"}, SendAt: &at}
	if err := e.svc.Schedule(ctx, scheduled); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, scheduled.ID); err != nil {
		t.Fatal(err)
	}
	if evs := campaignEvents(t, e.db); len(evs) != 0 {
		t.Fatalf("a scheduled campaign cancelled emitted %+v, want nothing", summarize(evs))
	}

	sending := e.create(t, "news")
	rs := e.recipientsKicked(t, sending, 3)
	e.recordAll(t, sending, rs[:1])
	c, err := e.svc.Cancel(ctx, sending)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, sending); err == nil {
		t.Error("cancelling twice: no error")
	}
	e.recordAll(t, sending, rs[1:]) // a task that was on the wire
	evs := campaignEvents(t, e.db)
	want := []eventSummary{
		{hooks.CampaignStarted, campaigns.StatusSending, 3, false},
		{hooks.CampaignFinished, campaigns.StatusCancelled, 3, true},
	}
	if diff := cmp.Diff(want, summarize(evs)); diff != "" {
		t.Fatalf("a campaign cancelled while sending (-want +got):\n%s", diff)
	}
	if got := evs[1].Data; got.ID != sending || !got.FinishedAt.Equal(*c.FinishedAt) {
		t.Errorf("campaign.finished is of campaign %d, finished %v; want %d, finished %v", got.ID, got.FinishedAt, sending, c.FinishedAt)
	}

	paused := e.create(t, "news")
	if _, err := e.svc.Send(ctx, paused); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Pause(ctx, paused); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cancel(ctx, paused); err != nil {
		t.Fatal(err)
	}
	want = append(want,
		eventSummary{hooks.CampaignStarted, campaigns.StatusSending, 3, false},
		eventSummary{hooks.CampaignFinished, campaigns.StatusCancelled, 0, true}, // cancelled before its fan-out made a delivery
	)
	evs = campaignEvents(t, e.db)
	if diff := cmp.Diff(want, summarize(evs)); diff != "" {
		t.Errorf("a campaign cancelled while paused (-want +got):\n%s", diff)
	}
	if evs[3].Data.ID != paused {
		t.Errorf("the last campaign.finished is of campaign %d, want %d", evs[3].Data.ID, paused)
	}
}
