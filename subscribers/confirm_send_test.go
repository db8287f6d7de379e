package subscribers

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/mailer"
)

// slowBox takes 400 µs of a fake clock for each mail and refuses the
// mails to refused@example.com, recording the order they came in.
type slowBox struct {
	now *time.Time
	got []string
}

func (b *slowBox) Send(_ context.Context, _ string, to []string, _ []byte) error {
	*b.now = b.now.Add(400 * time.Microsecond)
	b.got = append(b.got, to[0])
	if to[0] == "refused@example.com" {
		return errors.New("550 no such mailbox")
	}
	return nil
}

// TestSendAllRestsAfterEachBurst sends ten mails one at a time, each
// taking 400 µs: sendAll rests before the 4th, 7th and 10th, each time
// the mails since the last rest have taken paceBurst or more, never after
// the last, and returns each mail's own outcome in order.
func TestSendAllRestsAfterEachBurst(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var rests []time.Duration
	var restedBefore []int
	box := &slowBox{now: &now}
	fakePacing(t, &now, func(d time.Duration) {
		rests = append(rests, d)
		restedBefore = append(restedBefore, len(box.got))
		now = now.Add(d)
	})

	var msgs []mailer.Outgoing
	var want []string
	for i := range 10 {
		to := "reader" + string(rune('a'+i)) + "@example.com"
		if i == 4 {
			to = "refused@example.com"
		}
		msgs = append(msgs, mailer.Outgoing{From: "news@example.com", To: to, Data: []byte("mail")})
		want = append(want, to)
	}
	c := &Confirmer{Transport: box}
	errs := c.sendAll(context.Background(), msgs, newPacer(true))

	if diff := cmp.Diff(want, box.got); diff != "" {
		t.Errorf("mails sent (-want +got):\n%s", diff)
	}
	for i, err := range errs {
		if (err != nil) != (i == 4) {
			t.Errorf("mail %d: error %v", i, err)
		}
	}
	if diff := cmp.Diff([]int{3, 6, 9}, restedBefore); diff != "" {
		t.Errorf("rested after how many mails (-want +got):\n%s", diff)
	}
	for _, d := range rests {
		if d != paceRest {
			t.Errorf("rested %s, want %s", d, paceRest)
		}
	}
}

// TestSendAllBatchSenderNeverRests: a transport that sends batches gets
// the whole batch in one call, with no rest however long it takes.
func TestSendAllBatchSenderNeverRests(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	fakePacing(t, &now, func(time.Duration) { t.Error("sendAll rested before a batch sender") })
	box := &batchBox{}
	msgs := sameMails(300)
	errs := (&Confirmer{Transport: box}).sendAll(context.Background(), msgs, newPacer(true))
	if box.calls != 1 || box.mails != 300 || len(errs) != 300 {
		t.Errorf("batch sender got %d calls with %d mails, %d outcomes; want 1 call of 300 mails, 300 outcomes",
			box.calls, box.mails, len(errs))
	}
}

// batchBox is a BatchSender counting its calls and the mails in them.
type batchBox struct{ calls, mails int }

func (b *batchBox) Send(context.Context, string, []string, []byte) error {
	b.mails++
	return nil
}

func (b *batchBox) SendBatch(_ context.Context, msgs []mailer.Outgoing) []error {
	b.calls++
	b.mails += len(msgs)
	return make([]error, len(msgs))
}

// TestSendAllUnpacedNeverRests: with the pacer off (a command, not a
// server: Confirmer.GiveWay unset) the same slow mails go out without a
// rest.
func TestSendAllUnpacedNeverRests(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	fakePacing(t, &now, func(time.Duration) { t.Error("an unpaced sendAll rested") })
	box := &slowBox{now: &now}
	msgs := sameMails(10)
	c := &Confirmer{Transport: box}
	c.sendAll(context.Background(), msgs, newPacer(c.GiveWay))
	if len(box.got) != 10 {
		t.Errorf("sent %d mails, want 10", len(box.got))
	}
}

// fakePacing has pacers read the time at *now and rest with pause until
// t ends.
func fakePacing(t *testing.T, now *time.Time, pause func(time.Duration)) {
	clock, sleep := paceClock, pauseFor
	t.Cleanup(func() { paceClock, pauseFor = clock, sleep })
	paceClock = func() time.Time { return *now }
	pauseFor = pause
}

// sameMails returns n mails to one reader.
func sameMails(n int) []mailer.Outgoing {
	msgs := make([]mailer.Outgoing, n)
	for i := range msgs {
		msgs[i] = mailer.Outgoing{From: "news@example.com", To: "reader@example.com", Data: []byte("mail")}
	}
	return msgs
}
