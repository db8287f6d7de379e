package campaigns_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

// The campaigns' refusals read as the rest of Bulletin's: a missing list
// is `there is no list "nope"` in a field and `There is no list "nope".`
// on its own, as the subscribers package says it; a list not chosen is
// "choose at least one list", as the signup form says it; a missing
// campaign is "There is no campaign N."; a step the status does not
// allow says what the campaign is and what the step needs.
func TestRefusalsWording(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 1, e.addList(t, "news"))
	draft := e.create(t, "news")
	sending := e.create(t, "news")
	if _, err := e.svc.Send(ctx, sending); err != nil {
		t.Fatal(err)
	}
	sent := e.create(t, "news")
	e.exec(t, `UPDATE campaigns SET status = 'sent', started_at = CURRENT_TIMESTAMP, finished_at = CURRENT_TIMESTAMP WHERE id = ?`, sent)
	stopped := e.create(t, "news")
	e.exec(t, `UPDATE campaigns SET status = 'cancelled', started_at = CURRENT_TIMESTAMP, finished_at = CURRENT_TIMESTAMP WHERE id = ?`, stopped)
	step := func(f func(context.Context, int64) (*campaigns.Campaign, error), id int64) func() error {
		return func() error { _, err := f(ctx, id); return err }
	}
	type refusal struct{ Code, Message string }
	tests := []struct {
		name string
		do   func() error
		want refusal
	}{
		{"a campaign naming a missing list", func() error {
			return e.svc.Create(ctx, &campaigns.Campaign{Subject: "Hi", Body: "Hello", Lists: []string{"nope"}})
		}, refusal{bulletin.EINVALID, `lists: there is no list "nope"`}},
		{"a campaign naming no list", func() error {
			return e.svc.Create(ctx, &campaigns.Campaign{Subject: "Hi", Body: "Hello"})
		}, refusal{bulletin.EINVALID, "lists: choose at least one list"}},
		{"the digest of a missing list", func() error { _, err := e.svc.RunDigest(ctx, "nope"); return err },
			refusal{bulletin.ENOTFOUND, `There is no list "nope".`}},
		{"a missing campaign", func() error { _, err := e.svc.Get(ctx, 999); return err },
			refusal{bulletin.ENOTFOUND, "There is no campaign 999."}},
		{"send a sending campaign", step(e.svc.Send, sending),
			refusal{bulletin.ECONFLICT, fmt.Sprintf("Campaign %d is sending already; only a draft or a scheduled campaign can be sent.", sending)}},
		{"send a sent campaign", step(e.svc.Send, sent),
			refusal{bulletin.ECONFLICT, fmt.Sprintf("Campaign %d has been sent already; only a draft or a scheduled campaign can be sent.", sent)}},
		{"pause a draft", step(e.svc.Pause, draft),
			refusal{bulletin.ECONFLICT, fmt.Sprintf("Campaign %d is a draft; only a campaign that is sending can be paused.", draft)}},
		{"resume a sent campaign", step(e.svc.Resume, sent),
			refusal{bulletin.ECONFLICT, fmt.Sprintf("Campaign %d has been sent already; only a paused campaign can be resumed.", sent)}},
		{"cancel a sent campaign", step(e.svc.Cancel, sent),
			refusal{bulletin.ECONFLICT, fmt.Sprintf("Campaign %d has been sent already; only a scheduled, sending or paused campaign can be cancelled.", sent)}},
		{"edit a sent campaign", func() error {
			subject := "Too late"
			_, err := e.svc.Update(ctx, sent, campaigns.Patch{Subject: &subject})
			return err
		}, refusal{bulletin.ECONFLICT, fmt.Sprintf("Campaign %d has been sent already; only a draft or a scheduled campaign can be edited. Duplicate it to start a new draft.", sent)}},
		{"delete a sent campaign", func() error { return e.svc.Delete(ctx, sent) },
			refusal{bulletin.ECONFLICT, fmt.Sprintf("Campaign %d has been sent already; only a draft, a scheduled campaign or one cancelled before it started sending can be deleted. Duplicate it to start a new draft.", sent)}},
		{"delete a campaign cancelled while sending", func() error { return e.svc.Delete(ctx, stopped) },
			refusal{bulletin.ECONFLICT, fmt.Sprintf("Campaign %d was cancelled after it started sending; only a draft, a scheduled campaign or one cancelled before it started sending can be deleted. Duplicate it to start a new draft.", stopped)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			got := refusal{bulletin.ErrorCode(err), bulletin.ErrorMessage(err)}
			if got.Code == bulletin.EINVALID {
				for field, why := range bulletin.ErrorFields(err) {
					got.Message = field + ": " + why
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("refusal (-want +got):\n%s", diff)
			}
		})
	}
}
