package campaigns_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/mailer"
)

// A reader of a campaign to two lists who is on the second list only gets
// a message of that list: its List-Id (SPEC §4) and a footer that names
// the list they joined (EMAIL.md), not the first list's.
func TestCampaignToTwoListsNamesTheReadersList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addList(t, "news")
	sports := e.addList(t, "sports")
	e.addSubscriber(t, "fan@example.com", "confirmed", sports)
	c := &campaigns.Campaign{Subject: "Match day", Body: "Kick-off at 3.", Lists: []string{"news", "sports"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	k := &envelopeTransport{}
	for _, p := range e.sendKicked(t, c.ID) {
		if err := mailer.SendNow(ctx, k, p); err != nil {
			t.Fatal(err)
		}
	}
	if len(k.msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(k.msgs))
	}
	pm := mailtest.Parse(t, k.msgs[0].data)
	if id := pm.Header.Get("List-Id"); !strings.HasSuffix(id, "<sports.news.example>") {
		t.Errorf("List-Id = %q for a reader of sports only, want …<sports.news.example>", id)
	}
	if !strings.Contains(pm.Text, "joined the list “List sports”") {
		t.Errorf("text footer does not name the reader's list:\n%s", pm.Text)
	}
}

// A campaign to several lists hands out, over pages, a batch per list:
// each reader once, in the batch of the first of the campaign's lists (in
// the order the campaign gives them, not their ids') they are active on, whose content names that list and carries its
// From and Reply-To. A list the campaign does not go to, or one the
// reader left, names no message. The reconciler rebuilds a lost batch
// with the same readers and the same list.
func TestCampaignToSeveralListsBatchesReadersByTheirList(t *testing.T) {
	e := newEnv(t) // pages of 7
	ctx := context.Background()
	other := e.addList(t, "other")
	news, sports, culture := e.addList(t, "news"), e.addList(t, "sports"), e.addList(t, "culture")
	e.exec(t, `UPDATE lists SET from_address = 'Sports Desk <sports@news.example>', reply_to = 'desk@news.example' WHERE id = ?`, sports)
	want := map[string]string{} // reader → the slug of their message's list
	for i := range 36 {
		addr := fmt.Sprintf("r%02d@example.com", i)
		switch i % 6 {
		case 0:
			e.addSubscriber(t, addr, "confirmed", news)
			want[addr] = "news"
		case 1:
			e.addSubscriber(t, addr, "confirmed", sports)
			want[addr] = "sports"
		case 2:
			e.addSubscriber(t, addr, "confirmed", culture)
			want[addr] = "culture"
		case 3: // culture comes first in the campaign, though sports has the lower id
			e.addSubscriber(t, addr, "confirmed", culture, sports)
			want[addr] = "culture"
		case 4:
			e.addSubscriber(t, addr, "confirmed", other, culture)
			want[addr] = "culture"
		case 5: // left news, still on sports
			id := e.addSubscriber(t, addr, "confirmed", news, sports)
			e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ? AND list_id = ?`, id, news)
			want[addr] = "sports"
		}
	}
	id := e.create(t, "culture", "sports", "news")
	if _, err := e.svc.Send(ctx, id); err != nil {
		t.Fatal(err)
	}
	e.fanout(t)
	tasks := e.q.take(queue.TypeMailSend) // Redis loses them
	handed := checkListBatches(t, "fan-out", tasks, want)

	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	rebuilt := checkListBatches(t, "reconcile", e.q.take(queue.TypeMailSend), want)
	if diff := cmp.Diff(handed, rebuilt); diff != "" {
		t.Errorf("rebuilt batches (-fan-out +reconcile):\n%s", diff)
	}
}

// checkListBatches checks that tasks give every reader of want one
// message, of the list want names, and returns the readers of each batch.
func checkListBatches(t *testing.T, step string, tasks []*asynq.Task, want map[string]string) map[int64][]string {
	t.Helper()
	batches := map[int64][]string{}
	got := map[string]string{}
	for _, task := range tasks {
		p := payload(t, task)
		if _, ok := batches[p.Batch]; ok {
			t.Errorf("%s: batch %d handed out twice", step, p.Batch)
		}
		for _, r := range p.Recipients {
			slug := want[r.Email]
			if !strings.HasSuffix(p.Content.ListID, "<"+slug+".news.example>") || !strings.Contains(p.Content.Text, "joined the list “List "+slug+"”") {
				t.Errorf("%s: %s, of %s, is in batch %d of List-Id %q", step, r.Email, slug, p.Batch, p.Content.ListID)
			}
			if sportsFrom := strings.Contains(p.Content.From, "sports@news.example"); sportsFrom != (slug == "sports") ||
				(p.Content.ReplyTo == "<desk@news.example>") != (slug == "sports") {
				t.Errorf("%s: %s, of %s, gets From %q, Reply-To %q", step, r.Email, slug, p.Content.From, p.Content.ReplyTo)
			}
			if _, twice := got[r.Email]; twice {
				t.Errorf("%s: %s handed out twice", step, r.Email)
			}
			got[r.Email] = slug
			batches[p.Batch] = append(batches[p.Batch], r.Email)
		}
		slices.Sort(batches[p.Batch])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: readers and their lists (-want +got):\n%s", step, diff)
	}
	return batches
}
