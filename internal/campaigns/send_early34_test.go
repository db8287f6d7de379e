package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// A scheduled campaign sent now, before its time, forgets that time: it
// did not start then, and its send_at (in the answer, the API and the
// pages) would say it did. One sent by its schedule keeps the time.
func TestSendBeforeItsTimeForgetsTheSchedule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 2, e.addList(t, "news"))

	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	c := &campaigns.Campaign{Subject: "Later", Body: "Hi", Lists: []string{"news"}, SendAt: &at, SendZone: "Europe/Paris"}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	sent, err := e.svc.Send(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Status != campaigns.StatusSending || sent.SendAt != nil || sent.SendZone != "" {
		t.Errorf("the answer to send now: %s, send_at %v, zone %q; want sending, neither", sent.Status, sent.SendAt, sent.SendZone)
	}
	got, err := e.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SendAt != nil || got.SendZone != "" || got.StartedAt == nil {
		t.Errorf("stored: send_at %v, zone %q, started %v; want no schedule, started", got.SendAt, got.SendZone, got.StartedAt)
	}
}

// A campaign started by its schedule keeps its send_at, also when the
// start task runs a few seconds before it (as it may, up to 5 s).
func TestScheduledStartKeepsItsTime(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 2, e.addList(t, "news"))
	at := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	c := &campaigns.Campaign{Subject: "Now-ish", Body: "Hi", Lists: []string{"news"}, SendAt: &at, SendZone: "Europe/Paris"}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	task, _ := queue.NewStartTask(c.ID, at)
	if err := e.svc.HandleFanout(ctx, task); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != campaigns.StatusSending || got.SendAt == nil || !got.SendAt.Equal(at) || got.SendZone != "Europe/Paris" {
		t.Errorf("after its scheduled start: %s, send_at %v, zone %q; want sending at %v in Europe/Paris", got.Status, got.SendAt, got.SendZone, at)
	}
}
