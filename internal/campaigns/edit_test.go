package campaigns_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
)

func ptr[T any](v T) *T { return &v }

// A patch changes only the fields it gives; a send_at schedules, a null
// one makes a draft again. Once the campaign is sending, paused or over,
// an edit or a delete is a conflict that says why; an unknown id is not
// found.
func TestUpdateAndDeleteOnlyWhileDraftOrScheduled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 2, e.addList(t, "news"))
	e.addList(t, "sport")
	c := &campaigns.Campaign{Subject: "Hello", Preheader: "First look", Body: "Hi {{ .Name }}", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Update(ctx, c.ID, campaigns.Patch{Subject: ptr("Hello again")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Hello again", "First look", "Hi {{ .Name }}", "news", "draft"},
		[]string{got.Subject, got.Preheader, got.Body, strings.Join(got.Lists, ","), got.Status}); diff != "" {
		t.Errorf("after a subject patch (-want +got):\n%s", diff)
	}
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	got, err = e.svc.Update(ctx, c.ID, campaigns.Patch{Lists: ptr([]string{"news", "sport"}), SendAt: campaigns.OptionalTime{Set: true, Time: &at}})
	if err != nil || got.Status != campaigns.StatusScheduled || !got.SendAt.Equal(at) || len(got.Lists) != 2 || got.Subject != "Hello again" {
		t.Fatalf("schedule by patch: %+v, %v", got, err)
	}
	if got, err = e.svc.Update(ctx, c.ID, campaigns.Patch{SendAt: campaigns.OptionalTime{Set: true}}); err != nil || got.Status != campaigns.StatusDraft || got.SendAt != nil {
		t.Fatalf("unschedule by patch: %+v, %v", got, err)
	}
	if _, err := e.svc.Update(ctx, c.ID, campaigns.Patch{Body: ptr("Hi {{ .Nmae }}")}); bulletin.ErrorCode(err) != bulletin.EINVALID {
		t.Errorf("bad body patch: %v, want a validation error", err)
	}
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	for _, status := range []string{"is sending already", "is paused", "has been cancelled"} {
		switch status {
		case "is paused":
			e.svc.Pause(ctx, c.ID)
		case "has been cancelled":
			e.svc.Cancel(ctx, c.ID)
		}
		_, err := e.svc.Update(ctx, c.ID, campaigns.Patch{Subject: ptr("Too late")})
		if bulletin.ErrorCode(err) != bulletin.ECONFLICT || !strings.Contains(bulletin.ErrorMessage(err), "Campaign "+strconv.FormatInt(c.ID, 10)+" "+status+"; only a draft or a scheduled campaign can be edited") {
			t.Errorf("edit while %s: %v, want a conflict saying why", status, err)
		}
		err = e.svc.Delete(ctx, c.ID)
		if bulletin.ErrorCode(err) != bulletin.ECONFLICT || !strings.Contains(bulletin.ErrorMessage(err), "can be deleted") {
			t.Errorf("delete while %s: %v, want a conflict saying why", status, err)
		}
	}
	if got, _ := e.svc.Get(ctx, c.ID); got.Subject != "Hello again" {
		t.Errorf("subject %q after refused edits", got.Subject)
	}

	d := e.create(t, "news")
	if err := e.svc.Delete(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Get(ctx, d); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("get after delete: %v, want not found", err)
	}
	if err := e.svc.Delete(ctx, d); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("delete twice: %v, want not found", err)
	}
	if _, err := e.svc.Update(ctx, 999, campaigns.Patch{}); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("patch unknown: %v, want not found", err)
	}
}

// A start task of a send time an edit moved does not start the campaign:
// only the task of its own time does.
func TestMovedScheduleStartsOnlyAtTheNewTime(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 1, e.addList(t, "news"))
	soon := time.Now().Add(time.Minute).UTC()
	c := &campaigns.Campaign{Subject: "Hello", Body: "Hi", Lists: []string{"news"}, SendAt: &soon}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(24 * time.Hour).UTC()
	if _, err := e.svc.Update(ctx, c.ID, campaigns.Patch{SendAt: campaigns.OptionalTime{Set: true, Time: &later}}); err != nil {
		t.Fatal(err)
	}
	e.fanout(t) // both start tasks, run now: before either time
	if got, _ := e.svc.Get(ctx, c.ID); got.Status != campaigns.StatusScheduled {
		t.Errorf("status %s after an early start task, want scheduled", got.Status)
	}
}

// A duplicate of any campaign, sent ones too, is a new draft with the
// same content, "Copy of" its subject and no send time.
func TestDuplicate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addReaders(t, 1, e.addList(t, "news"))
	at := time.Now().Add(time.Hour)
	c := &campaigns.Campaign{Subject: "Winter", Preheader: "Ferries", Body: "Hi {{ .Name | default \"friend\" }}", Lists: []string{"news"}, SendAt: &at}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Send(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Duplicate(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Copy of Winter", "Ferries", c.Body, "news", "draft"}
	if diff := cmp.Diff(want, []string{got.Subject, got.Preheader, got.Body, strings.Join(got.Lists, ","), got.Status}); diff != "" || got.ID == c.ID || got.SendAt != nil {
		t.Errorf("duplicate (-want +got):\n%s (id %d of %d, send_at %v)", diff, got.ID, c.ID, got.SendAt)
	}
	if _, err := e.svc.Duplicate(ctx, 999); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("duplicate unknown: %v", err)
	}
}

// The audience is every confirmed reader of the campaign's lists once,
// whatever how many of them they are on, without bounced, pending or
// unsubscribed readers: exactly whom the fan-out then sends to.
func TestAudienceCountsEachReaderOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	news, sport := e.addList(t, "news"), e.addList(t, "sport")
	e.addList(t, "empty")
	e.addReaders(t, 3, news, sport) // on both lists: counted once
	e.addSubscriber(t, "only-news@example.com", "confirmed", news)
	e.addSubscriber(t, "bounced@example.com", "bounced", news, sport)
	e.addSubscriber(t, "pending@example.com", "pending", sport)
	left := e.addSubscriber(t, "left@example.com", "confirmed", sport)
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, left)

	id := e.create(t, "news", "sport")
	c, err := e.svc.Get(ctx, id)
	if err != nil || c.Audience != 4 {
		t.Fatalf("audience = %d, %v; want 4", c.Audience, err)
	}
	if n, err := e.svc.ListsAudience(ctx, []string{"sport", "news", "empty"}); err != nil || n != 4 {
		t.Errorf("lists audience = %d, %v; want 4", n, err)
	}
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	c, _ = e.svc.Get(ctx, id)
	if c.Stats.Total != 4 || c.Audience != 4 {
		t.Errorf("after the fan-out: %d deliveries, audience %d; want the 4 announced", c.Stats.Total, c.Audience)
	}
}

// A read of several campaigns counts each set of lists once and gives
// every draft the audience of its own lists; a sent campaign shows its
// deliveries.
func TestListShowsEachDraftItsOwnAudience(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	news, sport := e.addList(t, "news"), e.addList(t, "sport")
	e.addReaders(t, 2, news)
	e.addSubscriber(t, "only-sport@example.com", "confirmed", sport)
	sent := e.create(t, "news")
	if _, err := e.svc.Send(ctx, sent); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	e.addSubscriber(t, "late@example.com", "confirmed", news) // after the send
	want := map[int64]int{sent: 2}
	for _, d := range []struct {
		lists []string
		n     int
	}{{[]string{"news"}, 3}, {[]string{"sport"}, 1}, {[]string{"news"}, 3}, {[]string{"news", "sport"}, 4}, {[]string{"sport"}, 1}} {
		want[e.create(t, d.lists...)] = d.n
	}
	list, _, err := e.svc.List(ctx, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	recent, err := e.svc.Recent(ctx, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	got, gotRecent := map[int64]int{}, map[int64]int{}
	for _, c := range list {
		got[c.ID] = c.Audience
	}
	for _, r := range recent {
		gotRecent[r.ID] = r.Audience
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List audiences (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, gotRecent); diff != "" {
		t.Errorf("Recent audiences (-want +got):\n%s", diff)
	}
}

// Sending to nobody is refused with a validation error that says so; the
// campaign stays a draft.
func TestSendToNobodyIsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l := e.addList(t, "quiet")
	e.addSubscriber(t, "gone@example.com", "bounced", l)
	id := e.create(t, "quiet")
	_, err := e.svc.Send(ctx, id)
	if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(bulletin.ErrorFields(err)["lists"], "nobody") {
		t.Fatalf("send to nobody: %v, want a validation error on lists", err)
	}
	if c, _ := e.svc.Get(ctx, id); c.Status != campaigns.StatusDraft {
		t.Errorf("status %s, want draft", c.Status)
	}
	if _, err := e.svc.Send(ctx, 999); bulletin.ErrorCode(err) != bulletin.ENOTFOUND {
		t.Errorf("send unknown: %v", err)
	}
}
