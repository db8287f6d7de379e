package campaigns_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
)

// suppressTwo suppresses one address and one whole domain.
func suppressTwo(t *testing.T, store *events.Store) {
	t.Helper()
	for _, target := range []string{"gone@x.example", "blocked.example"} {
		if err := store.Suppress(context.Background(), target, events.ReasonManual, "admin"); err != nil {
			t.Fatal(err)
		}
	}
}

// A confirmed reader whose address, or whole domain, is suppressed is not
// counted in a campaign's audience and gets no delivery.
func TestCampaignLeavesOutSuppressedReaders(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	list := e.addList(t, "a")
	keep := e.addSubscriber(t, "keep@x.example", "confirmed", list)
	e.addSubscriber(t, "gone@x.example", "confirmed", list)
	e.addSubscriber(t, "anyone@blocked.example", "confirmed", list)
	suppressTwo(t, events.NewStore(e.db))
	cid := e.create(t, "a")
	if n, err := e.svc.Store.Audience(ctx, cid); err != nil || n != 1 {
		t.Errorf("audience = %d, %v; want 1", n, err)
	}
	if n, err := e.svc.Store.ListsAudience(ctx, []string{"a"}); err != nil || n != 1 {
		t.Errorf("audience of the list = %d, %v; want 1", n, err)
	}
	var got []int64
	for _, p := range e.sendKicked(t, cid) {
		for _, r := range p.Recipients {
			got = append(got, r.SubscriberID)
		}
	}
	if diff := cmp.Diff([]int64{keep}, got); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
}

// A campaign whose only readers are suppressed reaches nobody, and its
// send is refused as the send of a campaign to empty lists is.
func TestCampaignToSuppressedReadersOnlyIsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	list := e.addList(t, "a")
	e.addSubscriber(t, "gone@x.example", "confirmed", list)
	e.addSubscriber(t, "anyone@blocked.example", "confirmed", list)
	e.addSubscriber(t, "later@x.example", "pending", list)
	suppressTwo(t, events.NewStore(e.db))
	cid := e.create(t, "a")
	if ok, err := e.svc.Store.Reaches(ctx, cid); err != nil || ok {
		t.Errorf("reaches = %v, %v; want false", ok, err)
	}
	var berr *bulletin.Error
	if _, err := e.svc.Send(ctx, cid); !errors.As(err, &berr) || !strings.Contains(berr.Fields["lists"], "nobody") {
		t.Errorf("send: %v, want it refused: the campaign would reach nobody", err)
	}
	e.addSubscriber(t, "keep@x.example", "confirmed", list)
	if ok, err := e.svc.Store.Reaches(ctx, cid); err != nil || !ok {
		t.Errorf("reaches = %v, %v once a reader is confirmed; want true", ok, err)
	}
}

// A digest leaves out suppressed readers too.
func TestDigestLeavesOutSuppressedReaders(t *testing.T) {
	e := newDigestEnv(t)
	news := e.list(t, "news", "daily", true)
	e.article(t, news, "Harbour wall repaired", time.Now().Add(-time.Hour))
	for _, r := range []string{"keep@x.example", "gone@x.example", "anyone@blocked.example"} {
		e.reader(t, r, "confirmed", "daily", news)
	}
	suppressTwo(t, events.NewStore(e.db))
	d, err := e.svc.RunDigest(context.Background(), "news")
	if err != nil {
		t.Fatal(err)
	}
	if d.Recipients != 1 {
		t.Fatalf("digest to %d readers, want 1", d.Recipients)
	}
	e.send(t, d.ID)
	if _, ok := e.out.msgs["keep@x.example"]; !ok || len(e.out.msgs) != 1 {
		t.Errorf("mailed %d readers, want keep@x.example only", len(e.out.msgs))
	}
}

// A campaign to one list (whose fan-out walks the list's members) and one
// to two lists (which walks the readers) each give a delivery to exactly
// the confirmed, unsuppressed readers with an active subscription, once,
// over pages of 7, whatever else the other readers between them are.
func TestFanoutOfOneListAndOfTwo(t *testing.T) {
	e := newEnv(t)
	news, sport := e.addList(t, "news"), e.addList(t, "sport")
	want := map[string][]int64{}
	for i := range 40 {
		addr := fmt.Sprintf("r%02d@x.example", i)
		switch i % 8 {
		case 0, 1, 2: // on news, counted
			id := e.addSubscriber(t, addr, "confirmed", news)
			want["news"] = append(want["news"], id)
			want["both"] = append(want["both"], id)
		case 3: // on sport only
			want["both"] = append(want["both"], e.addSubscriber(t, addr, "confirmed", sport))
		case 4: // on both lists: once
			id := e.addSubscriber(t, addr, "confirmed", news, sport)
			want["news"] = append(want["news"], id)
			want["both"] = append(want["both"], id)
		case 5:
			e.addSubscriber(t, addr, []string{"pending", "bounced", "unsubscribed"}[i%3], news, sport)
		case 6: // left news
			id := e.addSubscriber(t, addr, "confirmed", news)
			e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, id)
		case 7:
			e.addSubscriber(t, fmt.Sprintf("r%02d@blocked.example", i), "confirmed", news, sport)
		}
	}
	suppressTwo(t, events.NewStore(e.db))
	for _, c := range []struct {
		name  string
		lists []string
	}{{"news", []string{"news"}}, {"both", []string{"news", "sport"}}} {
		var got []int64
		for _, p := range e.sendKicked(t, e.create(t, c.lists...)) {
			for _, r := range p.Recipients {
				got = append(got, r.SubscriberID)
			}
		}
		// A page's readers come in a batch per list (see batchNumber).
		slices.Sort(got)
		if diff := cmp.Diff(want[c.name], got); diff != "" {
			t.Errorf("campaign to %s: recipients (-want +got):\n%s", c.name, diff)
		}
	}
}
