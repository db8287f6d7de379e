package subscribers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/loopback"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// An inFlight is a database whose readers get campaigns still going out,
// the stores of serve that read it, and the Redis of a separate send
// worker, which never reads it.
//
// Lists: news and sport (public), staff (private). Readers: ann on news
// and sport, bob and cat on news and staff. Campaigns, each with a
// delivery queued to each reader it names:
//
//	toNews      sending, to news            ann, bob, cat
//	toNewsStaff sending, to news and staff  ann, bob, cat
//	digest      a paused digest, to news    ann
//	notAnn      sending, to news            cat
//	sent        sent, to news               ann (left queued)
type inFlight struct {
	t                                         *testing.T
	db                                        *sqlite.DB
	s                                         *subscribers.Store
	q                                         *queue.Queue
	news, staff, sport                        int64
	ann, bob, cat                             int64
	toNews, toNewsStaff, digest, notAnn, sent int64
	deliveries                                map[[2]int64]int64 // campaign, subscriber → delivery
}

func newInFlight(t *testing.T, rdb redis.UniversalClient, log *slog.Logger) *inFlight {
	t.Helper()
	ctx := context.Background()
	db := sqlitetest.Open(t)
	e := &inFlight{t: t, db: db, s: subscribers.NewStore(db), q: queuetest.Embedded(t), deliveries: map[[2]int64]int64{}}
	if rdb == nil {
		rdb = e.q.Redis()
	}
	e.s.SetGoneRecorder(&queue.GoneSet{Redis: rdb, Log: log})
	for _, l := range []*subscribers.List{
		{Slug: "news", Name: "News", Public: true}, {Slug: "staff", Name: "Staff"}, {Slug: "sport", Name: "Sport", Public: true},
	} {
		if err := e.s.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	list := func(slug string) int64 {
		l, err := e.s.ListBySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	e.news, e.staff, e.sport = list("news"), list("staff"), list("sport")
	reader := func(email string, lists ...string) int64 {
		sub, err := e.s.Create(ctx, &subscribers.NewSubscriber{Email: email, Status: subscribers.StatusConfirmed, Lists: lists})
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	e.ann = reader("ann@example.com", "news", "sport")
	e.bob = reader("bob@example.com", "news", "staff")
	e.cat = reader("cat@example.com", "news", "staff")
	e.toNews = e.campaign("campaign", "sending", []int64{e.news}, e.ann, e.bob, e.cat)
	e.toNewsStaff = e.campaign("campaign", "sending", []int64{e.news, e.staff}, e.ann, e.bob, e.cat)
	e.digest = e.campaign("digest", "paused", []int64{e.news}, e.ann)
	e.notAnn = e.campaign("campaign", "sending", []int64{e.news}, e.cat)
	e.sent = e.campaign("campaign", "sent", []int64{e.news}, e.ann)
	return e
}

// campaign adds a campaign of kind in status to lists, with a delivery
// queued to each of readers, as its fan-out leaves them.
func (e *inFlight) campaign(kind, status string, lists []int64, readers ...int64) int64 {
	e.t.Helper()
	now := sqlite.Now()
	res, err := e.db.Write.Exec(`INSERT INTO campaigns (kind, subject, status, created_at, updated_at, started_at)
		VALUES (?, 'Harbour news', ?, ?, ?, ?)`, kind, status, now, now, now)
	if err != nil {
		e.t.Fatal(err)
	}
	cid, _ := res.LastInsertId()
	for _, l := range lists {
		if _, err := e.db.Write.Exec(`INSERT INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)`, cid, l); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, sid := range readers {
		res, err := e.db.Write.Exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at) VALUES (?, ?, 'queued', ?)`, cid, sid, now)
		if err != nil {
			e.t.Fatal(err)
		}
		e.deliveries[[2]int64{cid, sid}], _ = res.LastInsertId()
	}
	return cid
}

// claim runs a worker's RedisLedger.Claim on the deliveries of campaign
// cid to readers, in a batch read from the rows at since, and returns the
// readers whose delivery it claimed and those whose delivery it
// remembered as skipped.
func (e *inFlight) claim(cid int64, since time.Time, readers ...int64) (claimed, skipped []int64) {
	e.t.Helper()
	ctx := context.Background()
	p := e.payload(cid, since, readers...)
	claimed = e.claimWith(&mailer.RedisLedger{Redis: e.q.Redis(), Enqueuer: e.q.Client}, p)
	for _, sid := range readers {
		did := e.deliveries[[2]int64{cid, sid}]
		done, err := e.q.Redis().HGet(ctx, queue.DoneKey(cid), strconv.FormatInt(did, 10)).Result()
		if err == redis.Nil {
			continue
		}
		var r queue.Result
		if err != nil || json.Unmarshal([]byte(done), &r) != nil || r.Status != queue.ResultSkipped {
			e.t.Fatalf("delivery %d remembered as %q (%v), want skipped", did, done, err)
		}
		skipped = append(skipped, sid)
	}
	return claimed, skipped
}

// serveClaims runs serve's own ledger, which reads SQLite, on the
// deliveries of campaign cid to readers, and returns the readers whose
// delivery it claimed.
func (e *inFlight) serveClaims(cid int64, readers ...int64) []int64 {
	e.t.Helper()
	return e.claimWith(campaigns.NewStore(e.db).Ledger(), e.payload(cid, time.Now(), readers...))
}

// payload is a batch of campaign cid to readers, read from the rows at
// since.
func (e *inFlight) payload(cid int64, since time.Time, readers ...int64) *queue.SendPayload {
	p := &queue.SendPayload{CampaignID: cid, Since: since}
	for _, sid := range readers {
		did := e.deliveries[[2]int64{cid, sid}]
		p.Recipients = append(p.Recipients, queue.Recipient{DeliveryID: did, SubscriberID: sid, Email: "r@example.com"})
	}
	return p
}

// claimWith claims p's deliveries with l and returns their readers.
func (e *inFlight) claimWith(l mailer.Ledger, p *queue.SendPayload) []int64 {
	e.t.Helper()
	ids, stopped, err := l.Claim(context.Background(), p, p.Recipients)
	if err != nil || stopped {
		e.t.Fatalf("claim: stopped %v, %v", stopped, err)
	}
	var readers []int64
	for _, did := range ids {
		for _, r := range p.Recipients {
			if r.DeliveryID == did {
				readers = append(readers, r.SubscriberID)
			}
		}
	}
	return readers
}

// forget drops what workers remembered of campaign cid's deliveries, as
// if no task of it had run.
func (e *inFlight) forget(cid int64) {
	e.t.Helper()
	if err := e.q.Redis().Del(context.Background(), queue.DoneKey(cid)).Err(); err != nil {
		e.t.Fatal(err)
	}
}

// left returns the members of campaign cid's set of readers who left its
// lists, and of the set of those who left everything.
func (e *inFlight) left(cid int64) (left, gone []string) {
	e.t.Helper()
	ctx := context.Background()
	left, err := e.q.Redis().ZRange(ctx, queue.LeftKey(cid), 0, -1).Result()
	if err != nil {
		e.t.Fatal(err)
	}
	gone, err = e.q.Redis().ZRange(ctx, queue.GoneKey, 0, -1).Result()
	if err != nil {
		e.t.Fatal(err)
	}
	return left, gone
}

// members returns ids as the sorted members of a Redis set of readers.
func members(ids ...int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	slices.Sort(out)
	return out
}

// A reader who leaves one list by the link of its mail, and stays on
// another, is skipped by a send worker in the deliveries already queued
// of the campaigns still going out (a paused digest too) that they no
// longer get, as serve's own ledger skips them in SQLite; one still on
// another list of a campaign still gets it, and so do the readers who
// stayed: the worker claims what serve's ledger claims. A second click
// tells nothing more, and never that the reader left everything.
func TestLeaveListTellsWorkers(t *testing.T) {
	e := newInFlight(t, nil, nil)
	ctx := context.Background()
	since := time.Now().Add(-time.Minute)
	leave := func() {
		t.Helper()
		for _, sid := range []int64{e.ann, e.bob} {
			if err := e.s.LeaveList(ctx, sid, e.news); err != nil {
				t.Fatal(err)
			}
		}
	}
	leave()

	for _, c := range []struct {
		name                     string
		cid                      int64
		wantClaimed, wantSkipped []int64
	}{
		{"to news", e.toNews, []int64{e.cat}, []int64{e.ann, e.bob}},
		{"to news and staff", e.toNewsStaff, []int64{e.bob, e.cat}, []int64{e.ann}},
	} {
		claimed, skipped := e.claim(c.cid, since, e.ann, e.bob, e.cat)
		if diff := cmp.Diff(members(c.wantClaimed...), members(claimed...)); diff != "" {
			t.Errorf("%s: readers claimed (-want +got):\n%s", c.name, diff)
		}
		if diff := cmp.Diff(members(c.wantSkipped...), members(skipped...)); diff != "" {
			t.Errorf("%s: readers skipped (-want +got):\n%s", c.name, diff)
		}
		if diff := cmp.Diff(members(e.serveClaims(c.cid, e.ann, e.bob, e.cat)...), members(claimed...)); diff != "" {
			t.Errorf("%s: the worker claims other readers than serve (-serve +worker):\n%s", c.name, diff)
		}
	}
	for _, c := range []struct {
		name string
		cid  int64
		want []string
	}{
		{"paused digest", e.digest, members(e.ann)},
		{"campaign with no delivery to ann", e.notAnn, nil},
		{"sent campaign", e.sent, nil},
	} {
		if left, _ := e.left(c.cid); !slices.Equal(c.want, left) {
			t.Errorf("%s: recorded as left %v, want %v", c.name, left, c.want)
		}
	}
	if ttl := e.q.Redis().TTL(ctx, queue.LeftKey(e.toNews)).Val(); ttl <= 0 || ttl > queue.GoneFor {
		t.Errorf("%s expires in %s, want at most %s", queue.LeftKey(e.toNews), ttl, queue.GoneFor)
	}

	first := e.q.Redis().ZScore(ctx, queue.LeftKey(e.toNews), strconv.FormatInt(e.ann, 10)).Val()
	time.Sleep(2 * time.Millisecond) // the scores are milliseconds
	leave()
	if again := e.q.Redis().ZScore(ctx, queue.LeftKey(e.toNews), strconv.FormatInt(e.ann, 10)).Val(); again != first {
		t.Errorf("a second click recorded ann as left again, at %v after %v", again, first)
	}
	if _, gone := e.left(e.toNews); len(gone) > 0 {
		t.Errorf("recorded as gone from everything: %v; both readers still get another list", gone)
	}
}

// A reader who left a list and came back gets the batches still queued
// to them, read before they left or after they came back, as serve's own
// ledger sends them.
func TestLeaveListCameBack(t *testing.T) {
	e := newInFlight(t, nil, nil)
	ctx := context.Background()
	before := time.Now().Add(-time.Minute)
	if err := e.s.LeaveList(ctx, e.ann, e.news); err != nil {
		t.Fatal(err)
	}
	if claimed, skipped := e.claim(e.toNews, before, e.ann); len(claimed) != 0 || len(skipped) != 1 {
		t.Fatalf("batch read before ann left, while she is gone: claimed %v, skipped %v; want ann skipped", claimed, skipped)
	}
	e.forget(e.toNews)
	time.Sleep(2 * time.Millisecond) // the scores are milliseconds
	if err := e.s.SetPreferences(ctx, e.ann, subscribers.Preferences{Frequency: "daily", Lists: []string{"news", "sport"}}); err != nil {
		t.Fatal(err)
	}
	for _, since := range []time.Time{time.Now(), before} {
		if claimed, skipped := e.claim(e.toNews, since, e.ann); len(claimed) != 1 || len(skipped) != 0 {
			t.Errorf("batch read at %s, after ann came back: claimed %v, skipped %v; want ann claimed", since.Format(time.StampMilli), claimed, skipped)
		}
	}
	for _, cid := range []int64{e.toNews, e.toNewsStaff, e.digest} {
		if left, gone := e.left(cid); len(left) > 0 || len(gone) > 0 {
			t.Errorf("campaign %d: left %v, gone %v after ann came back; want nobody", cid, left, gone)
		}
	}
}

// A reader who unsubscribed from everything, signed up again and
// confirmed gets the deliveries still queued to them from a batch read
// before they left, as serve's own ledger sends them; so does one an
// editor sets back to confirmed on their lists.
func TestUnsubscribedAndBackTellsWorkers(t *testing.T) {
	e := newInFlight(t, nil, nil)
	ctx := context.Background()
	before := time.Now().Add(-time.Minute)
	for _, sid := range []int64{e.ann, e.bob} {
		if err := e.s.Unsubscribe(ctx, sid); err != nil {
			t.Fatal(err)
		}
	}
	if _, gone := e.left(e.toNews); !slices.Equal(gone, members(e.ann, e.bob)) {
		t.Fatalf("gone after unsubscribing: %v, want ann and bob", gone)
	}

	signups := subscribers.NewSignups(e.s, e.q.Client, nil)
	if err := signups.Signup(ctx, &subscribers.Signup{Email: "ann@example.com", Lists: []string{"news"}}); err != nil {
		t.Fatal(err)
	}
	signups.Close()
	if _, err := e.s.Confirm(ctx, e.ann); err != nil {
		t.Fatal(err)
	}
	confirmed, lists := subscribers.StatusConfirmed, []string{"news", "staff"}
	if _, err := e.s.Update(ctx, e.bob, &subscribers.Patch{Status: &confirmed, Lists: &lists}); err != nil {
		t.Fatal(err)
	}

	if _, gone := e.left(e.toNews); len(gone) > 0 {
		t.Errorf("still gone after coming back: %v", gone)
	}
	claimed, skipped := e.claim(e.toNews, before, e.ann, e.bob, e.cat)
	if diff := cmp.Diff(members(e.ann, e.bob, e.cat), members(claimed...)); diff != "" || len(skipped) > 0 {
		t.Errorf("worker claimed (-want +got):\n%s\nskipped %v", diff, skipped)
	}
	worker, _ := e.claim(e.toNewsStaff, before, e.ann, e.bob, e.cat)
	if diff := cmp.Diff(members(e.serveClaims(e.toNewsStaff, e.ann, e.bob, e.cat)...), members(worker...)); diff != "" {
		t.Errorf("the worker claims other readers than serve (-serve +worker):\n%s", diff)
	}
}

// Unticking a list on the preferences page tells workers as the list's
// link does.
func TestPreferencesTellWorkersOfListsLeft(t *testing.T) {
	e := newInFlight(t, nil, nil)
	ctx := context.Background()
	if err := e.s.SetPreferences(ctx, e.ann, subscribers.Preferences{Frequency: "daily", Lists: []string{"sport"}}); err != nil {
		t.Fatal(err)
	}
	e.annLeftNewsOnly()
}

// A Redis that does not answer costs the record for the workers, logged
// without the reader's address, never the reader's leaving: SQLite has it.
func TestLeaveListWhenRedisFails(t *testing.T) {
	down := redis.NewClient(&redis.Options{Addr: loopback.ClosedAddr(t), MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { down.Close() })
	var logs bytes.Buffer
	e := newInFlight(t, down, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	if err := e.s.LeaveList(ctx, e.ann, e.news); err != nil {
		t.Fatalf("leaving a list with Redis down: %v", err)
	}
	var status string
	if err := e.db.Read.QueryRow(`SELECT status FROM subscriptions WHERE subscriber_id = ? AND list_id = ?`, e.ann, e.news).Scan(&status); err != nil || status != subscribers.SubUnsubscribed {
		t.Errorf("ann's news subscription is %q (%v), want %s", status, err, subscribers.SubUnsubscribed)
	}
	got := logs.String()
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "left campaigns' lists") || !strings.Contains(got, "subscriber="+strconv.FormatInt(e.ann, 10)) {
		t.Errorf("no warning naming the reader's id logged:\n%s", got)
	}
	if strings.Contains(got, "ann@") {
		t.Errorf("the warning holds the reader's address:\n%s", got)
	}
}

// An editor who takes a reader off a list, but not off every one, tells
// the workers of the campaigns still going out to them that they no
// longer get, as the reader's own leaving does.
func TestAdminEditTellsWorkersOfListsLeft(t *testing.T) {
	e := newInFlight(t, nil, nil)
	lists := []string{"sport"}
	if _, err := e.s.Update(context.Background(), e.ann, &subscribers.Patch{Lists: &lists}); err != nil {
		t.Fatal(err)
	}
	e.annLeftNewsOnly()
}

// annLeftNewsOnly checks that ann, now on sport alone, is recorded as
// having left the three campaigns to news still going out to her, gone
// from none, and that a worker skips her delivery of one while cat's goes.
func (e *inFlight) annLeftNewsOnly() {
	e.t.Helper()
	for _, cid := range []int64{e.toNews, e.toNewsStaff, e.digest} {
		if left, gone := e.left(cid); !slices.Equal(left, members(e.ann)) || len(gone) > 0 {
			e.t.Errorf("campaign %d: left %v, gone %v; want ann left, nobody gone", cid, left, gone)
		}
	}
	if claimed, skipped := e.claim(e.toNews, time.Now().Add(-time.Minute), e.ann, e.cat); !slices.Equal(claimed, []int64{e.cat}) || !slices.Equal(skipped, []int64{e.ann}) {
		e.t.Errorf("claimed %v, skipped %v; want cat claimed, ann skipped", claimed, skipped)
	}
}
