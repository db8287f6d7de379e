package campaigns_test

import (
	"context"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// missedOf is what each way of reading campaign id says of the send time
// it missed: Get, Entry, Recent and List, "" for none.
func missedOf(t *testing.T, e *env, id int64) []string {
	t.Helper()
	ctx := context.Background()
	show := func(c *campaigns.Campaign) string {
		if c.MissedSendAt == nil {
			return ""
		}
		return c.MissedSendAt.Format(time.RFC3339)
	}
	got, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := e.svc.Entry(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	recent, err := e.svc.Recent(ctx, "campaign", 10)
	if err != nil {
		t.Fatal(err)
	}
	listed, _, err := e.svc.List(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{show(got), show(entry.Campaign)}
	for _, c := range recent {
		if c.ID == id {
			out = append(out, show(c.Campaign))
		}
	}
	for _, c := range listed {
		if c.ID == id {
			out = append(out, show(c))
		}
	}
	return out
}

// A scheduled campaign that would reach nobody at its time is made a
// draft again, and keeps the time it missed, for its pages to say why:
// only the log said it. Saved again as a draft it still missed it;
// scheduled again, or sent, it forgets it.
func TestScheduledCampaignToNobodyKeepsTheTimeItMissed(t *testing.T) {
	ctx := context.Background()
	for _, then := range []string{"scheduled again", "sent"} {
		t.Run(then, func(t *testing.T) {
			e := newEnv(t)
			quiet := e.addList(t, "quiet")
			at := time.Now().Add(time.Minute).UTC().Truncate(time.Second)
			c := &campaigns.Campaign{Subject: "Nobody reads this", Body: "Hello", Lists: []string{"quiet"}, SendAt: &at}
			if err := e.svc.Schedule(ctx, c); err != nil {
				t.Fatal(err)
			}
			if got := missedOf(t, e, c.ID); got[0] != "" {
				t.Fatalf("scheduled, before its time: missed %q, want nothing", got)
			}
			campaigns.SetClock(e.svc.Store, func() time.Time { return at })
			e.fanout(t) // the start task, at its send time
			want := at.Format(time.RFC3339)
			got := missedOf(t, e, c.ID)
			if len(got) != 4 || got[0] != want || got[1] != want || got[2] != want || got[3] != want {
				t.Fatalf("a draft again: Get, Entry, Recent and List say it missed %q, want %s from each", got, want)
			}

			subject := "Nobody reads this yet"
			if _, err := e.svc.Update(ctx, c.ID, campaigns.Patch{Subject: &subject}); err != nil {
				t.Fatal(err)
			}
			if got := missedOf(t, e, c.ID); got[0] != want {
				t.Errorf("saved again as a draft: missed %q, want %s still", got[0], want)
			}

			e.addReaders(t, 1, quiet)
			switch then {
			case "scheduled again":
				later := at.Add(time.Hour)
				if _, err := e.svc.Update(ctx, c.ID, campaigns.Patch{SendAt: campaigns.OptionalTime{Set: true, Time: &later}}); err != nil {
					t.Fatal(err)
				}
			case "sent":
				if _, err := e.svc.Send(ctx, c.ID); err != nil {
					t.Fatal(err)
				}
			}
			if got := missedOf(t, e, c.ID); got[0] != "" || got[1] != "" {
				t.Errorf("%s: missed %q, want it forgotten", then, got)
			}
		})
	}
}
