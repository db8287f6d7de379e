package subscribers

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/templates"
)

// heldBox is a transport that holds each message until release is
// closed (or its context ends), counting how many it holds at once.
type heldBox struct {
	entered chan string // each message's address, as it is handed over
	release chan struct{}

	mu       sync.Mutex
	sent     map[string]int
	now, max int
}

func newHeldBox() *heldBox {
	return &heldBox{entered: make(chan string, 1000), release: make(chan struct{}), sent: map[string]int{}}
}

func (b *heldBox) Send(ctx context.Context, from string, to []string, msg []byte) error {
	b.mu.Lock()
	if b.now++; b.now > b.max {
		b.max = b.now
	}
	b.mu.Unlock()
	defer func() { b.mu.Lock(); b.now--; b.mu.Unlock() }()
	b.entered <- to[0]
	select {
	case <-b.release:
	case <-ctx.Done():
		return fmt.Errorf("421 4.4.2 <%s>: %w", to[0], ctx.Err())
	}
	b.mu.Lock()
	b.sent[to[0]]++
	b.mu.Unlock()
	return nil
}

func (b *heldBox) count(addr string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sent[addr]
}

func (b *heldBox) total() (n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.sent {
		n += c
	}
	return n
}

// newDataLinksVia is DataLinks sending through tr, with n confirmed
// readers, reader0@example.org and on; its log goes to the returned
// builder.
func newDataLinksVia(t *testing.T, tr mailer.Transport, n int) (*DataLinks, []*Subscriber, *lockedLog) {
	t.Helper()
	store := newStore(t)
	var subs []*Subscriber
	for i := range n {
		sub, err := store.Create(context.Background(), &NewSubscriber{Email: fmt.Sprintf("reader%d@example.org", i), Status: StatusConfirmed, Lists: []string{"news"}})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c := &Confirmer{Store: store, Signer: NewSigner([]byte("golden-secret-0123456789abcdef!!")), Templates: tmpl, Transport: tr,
		From: &mail.Address{Name: "Harbour Gazette", Address: "news@news.example"}, BaseURL: "https://news.example"}
	d := NewDataLinks(c)
	log := &lockedLog{}
	d.Log = slog.New(slog.NewTextHandler(log, nil))
	return d, subs, log
}

// lockedLog is a log's output, safe for the senders' goroutines.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Send returns while the mail server holds the mail; the mails go from
// dataLinkSenders senders, no more at once however many readers ask,
// and a few more wait their turn. An ask past those is dropped and
// logged, and its reader may ask again at once; every mail taken goes
// once.
func TestDataLinkSendersAreBounded(t *testing.T) {
	box := newHeldBox()
	const queued = 3
	d, subs, log := newDataLinksVia(t, box, dataLinkSenders+queued+1)
	d.jobs = make(chan dataLinkJob, queued)
	defer d.Stop()
	released := false
	defer func() {
		if !released {
			close(box.release)
		}
	}()
	ctx := context.Background()

	for _, sub := range subs[:dataLinkSenders] {
		if err := d.Send(ctx, sub.ID, TokenDataDownload); err != nil {
			t.Fatal(err)
		}
	}
	for range dataLinkSenders { // every sender holds a mail
		<-box.entered
	}
	for _, sub := range subs[dataLinkSenders : dataLinkSenders+queued] {
		if err := d.Send(ctx, sub.ID, TokenDataDownload); err != nil {
			t.Fatalf("an ask while the senders are busy: %v, want it to wait its turn", err)
		}
	}
	last := subs[len(subs)-1]
	err := d.Send(ctx, last.ID, TokenDataDownload)
	if err == nil || strings.Contains(err.Error(), last.Email) {
		t.Fatalf("an ask past the senders and the queue: %v, want an error without the address", err)
	}

	released = true
	close(box.release)
	d.Wait()
	if box.max != dataLinkSenders {
		t.Errorf("%d mails were sent at once, want %d", box.max, dataLinkSenders)
	}
	for _, sub := range subs[:len(subs)-1] {
		if n := box.count(sub.Email); n != 1 {
			t.Errorf("%s got %d mails, want 1", sub.Email, n)
		}
	}
	if box.count(last.Email) != 0 {
		t.Fatalf("the ask dropped was mailed")
	}
	if err := d.Send(ctx, last.ID, TokenDataDownload); err != nil {
		t.Fatalf("the dropped reader's next ask: %v", err)
	}
	d.Wait()
	if box.count(last.Email) != 1 || box.total() != len(subs) {
		t.Errorf("the dropped reader asked again: %d mails to them, %d in all; want 1, %d", box.count(last.Email), box.total(), len(subs))
	}
	if strings.Contains(log.String(), "@example.org") {
		t.Errorf("the log names an address:\n%s", log)
	}
}

// Stop waits for the mails taken, on the wire or waiting for a sender,
// to go before it returns; an ask after it is refused and mails nothing.
func TestDataLinkStopSendsTheMailsTaken(t *testing.T) {
	box := newHeldBox()
	d, subs, _ := newDataLinksVia(t, box, dataLinkSenders+1)
	ctx := context.Background()
	for _, sub := range subs {
		if err := d.Send(ctx, sub.ID, TokenDataErase); err != nil {
			t.Fatal(err)
		}
	}
	for range dataLinkSenders {
		<-box.entered
	}
	stopped := make(chan struct{})
	go func() { d.Stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned while the mails taken were still held")
	default:
	}
	close(box.release)
	<-stopped
	for _, sub := range subs {
		if n := box.count(sub.Email); n != 1 {
			t.Errorf("%s got %d mails, want 1", sub.Email, n)
		}
	}
	other, err := d.c.Store.Create(ctx, &NewSubscriber{Email: "late@example.org", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Send(ctx, other.ID, TokenDataErase); err == nil {
		t.Error("an ask after Stop: no error")
	}
	if box.total() != len(subs) {
		t.Errorf("%d mails, want %d", box.total(), len(subs))
	}
}

// A mail still held when Stop's wait is over is cut short, and the log
// says how many went unsent, naming no address.
func TestDataLinkStopGivesUpAfterItsWait(t *testing.T) {
	box := newHeldBox() // never released
	d, subs, log := newDataLinksVia(t, box, 1)
	d.stopWait = 50 * time.Millisecond
	if err := d.Send(context.Background(), subs[0].ID, TokenDataDownload); err != nil {
		t.Fatal(err)
	}
	<-box.entered
	d.Stop()
	got := log.String()
	if !strings.Contains(got, "unsent_at_most=1") || !strings.Contains(got, "data link not sent") || strings.Contains(got, subs[0].Email) {
		t.Errorf("the log after a stop that gave up:\n%s", got)
	}
	if box.total() != 0 {
		t.Errorf("%d mails", box.total())
	}
}
