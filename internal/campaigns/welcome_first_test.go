package campaigns_test

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// orderTransport keeps, in the order they were handed to it, each
// message's recipient and subject.
type orderTransport struct {
	mu  sync.Mutex
	got map[string][]string // subjects by recipient, in order
}

func (o *orderTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.got == nil {
		o.got = map[string][]string{}
	}
	for _, t := range to {
		o.got[t] = append(o.got[t], subject)
	}
	return nil
}

func (o *orderTransport) of(addr string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.got[addr]...)
}

// welcomeFirstEnv is a daily list "quay" with a welcome mail, a reader on
// it welcomed long ago (e.reader), and a new reader, pending, whose
// confirmation records their welcome mail and queues its task.
type welcomeFirstEnv struct {
	*goldenEnv
	store  *subscribers.Store
	out    *orderTransport
	sender *mailer.Sender
	fresh  int64 // the new reader
}

const freshAddr = "new.reader@quay.example"

func newWelcomeFirstEnv(t *testing.T) *welcomeFirstEnv {
	t.Helper()
	g := newGoldenEnv(t, "quay", "Quay", "daily")
	e := &welcomeFirstEnv{goldenEnv: g, store: subscribers.NewStore(g.db), out: &orderTransport{}}
	e.store.SetWelcomeQueue(g.q)
	g.svc.Welcomes, g.svc.Transport = e.store, e.out
	e.sender = &mailer.Sender{Batch: mailer.Batch(e.out, 1), Ledger: g.svc.Ledger()}
	now := sqlite.Now()
	e.exec(t, `UPDATE lists SET welcome = ? WHERE id = ?`, "Welcome to **the Quay letter**: a digest of the harbour's news, daily.", g.list)
	e.exec(t, `INSERT INTO welcomes (subscriber_id, list_id, queued_at, sent_at) VALUES (?, ?, ?, ?)`,
		g.reader, g.list, now.Add(-30*24*time.Hour), now.Add(-30*24*time.Hour))
	e.fresh = e.exec(t, `INSERT INTO subscribers (email, email_key, name, status, frequency, created_at, updated_at)
		VALUES (?, ?, 'New Reader', 'pending', 'daily', ?, ?)`, freshAddr, freshAddr, now, now)
	e.exec(t, `INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)`,
		e.fresh, g.list, now, now)
	id := e.exec(t, `INSERT INTO articles (url, title, summary, body, author, published_at, created_at) VALUES (?, ?, ?, '', '', ?, ?)`,
		"https://news.example/ferry", "Ferry timetable changes", "Fewer crossings at night.", now.Add(-time.Hour), now)
	e.exec(t, `INSERT INTO article_lists (article_id, list_id) VALUES (?, ?)`, id, g.list)
	return e
}

// drain runs what the queue holds of fan-outs and sends, as serve's
// workers do, until nothing of them is left; welcome mails wait.
func (e *welcomeFirstEnv) drain(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for {
		fanouts, sends := e.q.take(queue.TypeCampaignFanout), e.q.take(queue.TypeMailSend)
		if len(fanouts)+len(sends) == 0 {
			return
		}
		for _, task := range fanouts {
			if err := e.svc.HandleFanout(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		for _, task := range sends {
			p := payload(t, task)
			if err := e.sender.Send(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// confirmThenDigest confirms the new reader, which records their welcome
// mail and queues its task, and runs the list's digest by hand at once.
func (e *welcomeFirstEnv) confirmThenDigest(t *testing.T) *campaigns.Digest {
	t.Helper()
	ctx := context.Background()
	if _, err := e.store.Confirm(ctx, e.fresh); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.RunDigest(ctx, "quay")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// welcome runs the queued welcome mail tasks.
func (e *welcomeFirstEnv) welcome(t *testing.T) {
	t.Helper()
	for _, task := range e.q.take(queue.TypeWelcomeSend) {
		if err := e.svc.HandleWelcome(context.Background(), task); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *welcomeFirstEnv) status(t *testing.T, id int64) string {
	t.Helper()
	var st string
	if err := e.db.Read.QueryRow(`SELECT status FROM campaigns WHERE id = ?`, id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// wantSubjects checks the subjects addr got, in order: the welcome's, then
// the digest's, once each.
func wantSubjects(t *testing.T, out *orderTransport, addr string, want ...string) {
	t.Helper()
	got := out.of(addr)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s got %q, want %q", addr, got, want)
	}
}

// A digest run by hand moments after a reader confirmed (tester's
// report: the digest arrived a few milliseconds before the welcome) goes
// at once to the list's other readers, and to the new reader only after
// their welcome mail: the digest's fan-out and the reconciler leave them
// out while the welcome is on its way, and the welcome's task hands the
// digest to them once it has sent the welcome. Each goes once; the digest
// is sent when the new reader has it.
func TestDigestWaitsForTheWelcomeMail(t *testing.T) {
	e := newWelcomeFirstEnv(t)
	ctx := context.Background()
	d := e.confirmThenDigest(t)
	if d.ID == 0 || d.Recipients != 2 {
		t.Fatalf("digest = %+v, want one to both readers (the new one's delivery is held, not left out)", d)
	}
	// The welcome task has not run yet; the digest's have.
	e.drain(t)
	wantSubjects(t, e.out, goldenReader.Address, d.Subject)
	wantSubjects(t, e.out, freshAddr)
	// Nor does the reconciler (or the stall watcher, which calls it) send
	// the held delivery before the welcome.
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	wantSubjects(t, e.out, freshAddr)
	if st := e.status(t, d.ID); st != campaigns.StatusSending {
		t.Fatalf("digest %s while a reader still waits for it, want sending", st)
	}

	e.welcome(t)
	e.drain(t)
	wantSubjects(t, e.out, freshAddr, "Welcome to Quay", d.Subject)
	wantSubjects(t, e.out, goldenReader.Address, d.Subject)
	if st := e.status(t, d.ID); st != campaigns.StatusSent {
		t.Errorf("digest %s once every reader has it, want sent", st)
	}

	// Nothing goes twice: the reconciler, the welcome's task run again.
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	t2, _ := queue.NewWelcomeTask(queue.WelcomePayload{SubscriberID: e.fresh, ListID: e.list})
	if err := e.svc.HandleWelcome(ctx, t2); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	wantSubjects(t, e.out, freshAddr, "Welcome to Quay", d.Subject)
	wantSubjects(t, e.out, goldenReader.Address, d.Subject)
	var sent int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE campaign_id = ? AND status = 'sent'`, d.ID).Scan(&sent); err != nil || sent != 2 {
		t.Errorf("%d deliveries sent (%v), want 2", sent, err)
	}
}

// The digest held for a welcome is not lost when the welcome's task
// dies after sending it, before it handed the digest out: the
// reconciler sends it, once, after the welcome.
func TestDigestHeldForAWelcomeSurvivesALostRelease(t *testing.T) {
	e := newWelcomeFirstEnv(t)
	ctx := context.Background()
	d := e.confirmThenDigest(t)
	e.drain(t)
	e.welcome(t)
	if lost := e.q.take(queue.TypeMailSend); len(lost) != 1 {
		t.Fatalf("%d mail:send tasks after the welcome, want 1 (the held digest)", len(lost))
	}
	wantSubjects(t, e.out, freshAddr, "Welcome to Quay")
	if _, err := e.svc.Reconcile(ctx, e.q); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	wantSubjects(t, e.out, freshAddr, "Welcome to Quay", d.Subject)
	if st := e.status(t, d.ID); st != campaigns.StatusSent {
		t.Errorf("digest %s, want sent", st)
	}
}

// A digest sent with `bulletin digest run` (SendQueued, in its own
// process) leaves the new reader's mail to serve too, which sends it
// after the welcome.
func TestDigestRunLeavesTheWelcomedReaderToServe(t *testing.T) {
	e := newWelcomeFirstEnv(t)
	ctx := context.Background()
	d := e.confirmThenDigest(t)
	e.q.take(queue.TypeCampaignFanout) // the CLI sends itself
	if _, err := e.svc.SendQueued(ctx, d.ID, e.sender.Send); err != nil {
		t.Fatal(err)
	}
	wantSubjects(t, e.out, goldenReader.Address, d.Subject)
	wantSubjects(t, e.out, freshAddr)
	e.welcome(t)
	e.drain(t)
	wantSubjects(t, e.out, freshAddr, "Welcome to Quay", d.Subject)
}

// A welcome the mail server has refused with temporary errors for longer
// than a digest holds (an hour) no longer holds it: the digest is not
// "sending" for ever for one reader's mailbox.
func TestDigestHoldsForAWelcomeAnHourAtMost(t *testing.T) {
	e := newWelcomeFirstEnv(t)
	ctx := context.Background()
	if _, err := e.store.Confirm(ctx, e.fresh); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `UPDATE welcomes SET queued_at = ? WHERE subscriber_id = ?`, sqlite.Now().Add(-61*time.Minute), e.fresh)
	d, err := e.svc.RunDigest(ctx, "quay")
	if err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	wantSubjects(t, e.out, freshAddr, d.Subject)
	if st := e.status(t, d.ID); st != campaigns.StatusSent {
		t.Errorf("digest %s, want sent", st)
	}
}

// serve's own sender (Kick), to which the fan-out hands each batch
// claimed, does not get the held delivery either, nor its claim: the
// welcome's task hands it out, once.
func TestDigestWaitsForTheWelcomeMailWithServesSender(t *testing.T) {
	e := newWelcomeFirstEnv(t)
	ctx := context.Background()
	d := e.confirmThenDigest(t)
	kicked := 0
	e.svc.Kick = func(p *queue.SendPayload) {
		kicked += len(p.Recipients)
		if err := e.sender.Send(ctx, p); err != nil {
			t.Error(err)
		}
	}
	e.drain(t)
	if kicked != 1 {
		t.Errorf("serve's sender was handed %d readers, want 1 (the one welcomed long ago)", kicked)
	}
	var claimed int
	if err := e.db.Read.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE subscriber_id = ? AND claimed_until IS NOT NULL`, e.fresh).Scan(&claimed); err != nil || claimed != 0 {
		t.Errorf("%d held deliveries claimed (%v), want 0", claimed, err)
	}
	wantSubjects(t, e.out, freshAddr)
	e.welcome(t)
	e.drain(t)
	wantSubjects(t, e.out, freshAddr, "Welcome to Quay", d.Subject)
	wantSubjects(t, e.out, goldenReader.Address, d.Subject)
	if st := e.status(t, d.ID); st != campaigns.StatusSent {
		t.Errorf("digest %s, want sent", st)
	}
}

// A reader who leaves the list while their welcome is on its way gets
// neither: the welcome is dropped, the digest held for it skipped, and
// the digest is sent without waiting for the reconciler.
func TestDigestHeldForAWelcomeSkipsAReaderWhoLeft(t *testing.T) {
	e := newWelcomeFirstEnv(t)
	d := e.confirmThenDigest(t)
	e.drain(t)
	e.exec(t, `UPDATE subscriptions SET status = 'unsubscribed' WHERE subscriber_id = ?`, e.fresh)
	e.welcome(t)
	e.drain(t)
	wantSubjects(t, e.out, freshAddr)
	var st string
	if err := e.db.Read.QueryRow(`SELECT status FROM deliveries WHERE campaign_id = ? AND subscriber_id = ?`, d.ID, e.fresh).Scan(&st); err != nil || st != "skipped" {
		t.Errorf("the held delivery is %q (%v), want skipped", st, err)
	}
	if st := e.status(t, d.ID); st != campaigns.StatusSent {
		t.Errorf("digest %s, want sent", st)
	}
}

// A digest whose only mail left waits for a welcome is not stalled: its
// page does not say it sent nothing for a while, nor does the watcher
// queue its work again.
func TestDigestHeldForAWelcomeIsNotStalled(t *testing.T) {
	e := newWelcomeFirstEnv(t)
	ctx := context.Background()
	d := e.confirmThenDigest(t)
	e.drain(t)
	later := time.Now().Add(5 * time.Minute)
	campaigns.SetClock(e.svc.Store, func() time.Time { return later })
	c := &campaigns.Campaign{ID: d.ID, Status: campaigns.StatusSending}
	if st, err := e.svc.Stalled(ctx, c); err != nil || st != nil {
		t.Errorf("Stalled = %+v, %v; want nil while the welcome is on its way", st, err)
	}
	// An hour on, the hold is over: the delivery is work left.
	later = later.Add(time.Hour)
	if st, err := e.svc.Stalled(ctx, c); err != nil || st == nil {
		t.Errorf("Stalled = %+v, %v; want stalled once the hold is over", st, err)
	}
}
