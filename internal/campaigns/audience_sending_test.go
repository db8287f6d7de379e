package campaigns_test

import (
	"context"
	"testing"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// The answer to a send comes before the fan-out has made a delivery: it
// and every read until the fan-out is done show the readers the campaign
// is going to, not the deliveries made so far; then the deliveries, which
// stay what it was sent to whoever joins later.
func TestSendingCampaignShowsItsAudienceBeforeTheFanout(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	list := e.addList(t, "a")
	e.addSubscriber(t, "ann@x.example", "confirmed", list)
	e.addSubscriber(t, "bob@x.example", "confirmed", list)
	e.addSubscriber(t, "pat@x.example", "pending", list)
	cid := e.create(t, "a")
	c, err := e.svc.Send(ctx, cid)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != campaigns.StatusSending || c.Audience != 2 || c.Stats.Total != 0 {
		t.Errorf("the send's answer: status %s, audience %d, total %d; want sending, 2, 0", c.Status, c.Audience, c.Stats.Total)
	}
	if c, err = e.svc.Store.Get(ctx, cid); err != nil || c.Audience != 2 {
		t.Errorf("read before the fan-out: audience %d (%v), want 2", c.Audience, err)
	}
	// The progress page asks every 1.5 s: the count is not made again
	// for each read (a reader confirmed meanwhile shows a minute later).
	e.addSubscriber(t, "dee@x.example", "confirmed", list)
	if c, err = e.svc.Store.Get(ctx, cid); err != nil || c.Audience != 2 {
		t.Errorf("read again before the fan-out: audience %d (%v), want the 2 counted", c.Audience, err)
	}
	e.fanout(t)
	e.addSubscriber(t, "cy@x.example", "confirmed", list)
	if c, err = e.svc.Store.Get(ctx, cid); err != nil || c.Audience != 3 || c.Stats.Total != 3 {
		t.Errorf("read after the fan-out, a reader later: audience %d, total %d (%v); want the 3 fanned out", c.Audience, c.Stats.Total, err)
	}
}
