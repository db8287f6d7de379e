package subscribers

import (
	"context"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
	"github.com/bulletinhq/bulletin/templates"
)

// dataLinkServes stands for the serves that, one after the other, run
// on one database file and send through one mail server (a real SMTP
// server on 127.0.0.1): each serve opens the file anew, as a process
// started after a kill does.
type dataLinkServes struct {
	t    *testing.T
	path string
	srv  *smtptest.Server
	ann  *Subscriber
}

const dataLinkAnn = "ann@example.org"

func newDataLinkServes(t *testing.T) *dataLinkServes {
	t.Helper()
	db := sqlitetest.Open(t)
	store := NewStore(db)
	if err := store.CreateList(context.Background(), &List{Slug: "news", Name: "News", Public: true}); err != nil {
		t.Fatal(err)
	}
	ann, err := store.Create(context.Background(), &NewSubscriber{Email: dataLinkAnn, Name: "Ann Lee", Status: StatusConfirmed, Lists: []string{"news"}})
	if err != nil {
		t.Fatal(err)
	}
	return &dataLinkServes{t: t, path: db.Path, srv: smtptest.Start(t), ann: ann}
}

// start is a serve's DataLinks, on the database file opened anew, as
// NewDataLinks makes it. killed is whether the serve is killed before
// its senders send anything: they never run.
func (e *dataLinkServes) start(killed bool) *DataLinks {
	t := e.t
	t.Helper()
	db, err := sqlite.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := NewStore(db)
	store.SetSecret([]byte("test secret that is long enough!"))
	tmpl, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	c := &Confirmer{Store: store, Signer: NewSigner([]byte("golden-secret-0123456789abcdef!!")), Templates: tmpl,
		Transport: mailtest.SMTPTo(t, e.srv.URL()),
		From:      &mail.Address{Name: "Harbour Gazette", Address: "news@news.example"}, BaseURL: "https://news.example"}
	d := NewDataLinks(c)
	if killed {
		d.start.Do(func() {})
	} else {
		t.Cleanup(d.Stop)
	}
	return d
}

// mails are the data link mails of purpose the server took, and the
// times their links work until.
func (e *dataLinkServes) mails(d *DataLinks, purpose string) []time.Time {
	t := e.t
	t.Helper()
	var until []time.Time
	for _, m := range e.srv.Messages() {
		subject := "Subject: Your data at "
		if purpose == TokenDataErase {
			subject = "Subject: Delete your data from "
		}
		if !strings.Contains(string(m.Data), subject) {
			continue
		}
		links := dataLinkToken.FindStringSubmatch(mailtest.Parse(t, m.Data).Text)
		if links == nil {
			t.Fatalf("a data link mail without its link:\n%s", m.Data)
		}
		id, u, err := d.c.Signer.VerifyUntil(purpose, links[2])
		if err != nil || id != e.ann.ID {
			t.Fatalf("the link's token: %d, %v; want %d's", id, err, e.ann.ID)
		}
		until = append(until, u)
	}
	return until
}

// resume is serve's start: Resume, then every mail it took sent.
func resume(t *testing.T, d *DataLinks) int {
	t.Helper()
	n, err := d.Resume(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d.Wait()
	return n
}

// A serve killed after the page answered and before the mail went lost
// it, though the reader was told it was on its way. The ask is committed
// before Send returns: the next serve sends it, once, with the link of
// the ask's time; a serve after that sends nothing more.
func TestDataLinkAskedBeforeAKillIsSentAfterIt(t *testing.T) {
	e := newDataLinkServes(t)
	ctx := context.Background()
	asked := time.Now().Add(-20 * time.Minute).Truncate(time.Second)
	killed := e.start(true)
	killed.now = func() time.Time { return asked }
	for _, purpose := range []string{TokenDataDownload, TokenDataErase} {
		if err := killed.Send(ctx, e.ann.ID, purpose); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.srv.Total(); n != 0 {
		t.Fatalf("%d mails from the serve killed before sending", n)
	}

	for i := range 2 { // the serve after the kill; the one after it
		d := e.start(false)
		took := resume(t, d)
		if want := []int{2, 0}[i]; took != want {
			t.Errorf("start %d after the kill resumed %d asks, want %d", i+1, took, want)
		}
		for _, purpose := range []string{TokenDataDownload, TokenDataErase} {
			until := e.mails(d, purpose)
			if len(until) != 1 || !until[0].Equal(asked.Add(DataLinkTTL)) {
				t.Errorf("start %d after the kill: %q links until %v, want one until %v (an hour from the ask)", i+1, purpose, until, asked.Add(DataLinkTTL))
			}
		}
	}
	if n := e.srv.Count(dataLinkAnn); n != 2 {
		t.Errorf("%d mails to the reader in all, want 2", n)
	}
}

// A mail sent is not sent again by the serve after, however it stopped;
// and the reader's turn (one mail a purpose each DataLinkInterval) holds
// across the restart, where it was kept in memory and a restart let one
// more through.
func TestDataLinkIntervalHoldsAcrossARestart(t *testing.T) {
	e := newDataLinkServes(t)
	ctx := context.Background()
	now := time.Now()
	first := e.start(false)
	first.now = func() time.Time { return now }
	if err := first.Send(ctx, e.ann.ID, TokenDataDownload); err != nil {
		t.Fatal(err)
	}
	first.Wait() // sent; then the serve is killed (no Stop)

	d := e.start(false)
	if n := resume(t, d); n != 0 {
		t.Errorf("the restart resumed %d asks, want none: the one asked was sent", n)
	}
	asks := []struct {
		after   time.Duration
		purpose string
		want    int // download mails in all
	}{
		{time.Minute, TokenDataDownload, 1},
		{9*time.Minute + 59*time.Second, TokenDataDownload, 1},
		{10 * time.Minute, TokenDataDownload, 2},
	}
	for _, a := range asks {
		d.now = func() time.Time { return now.Add(a.after) }
		if err := d.Send(ctx, e.ann.ID, a.purpose); err != nil {
			t.Fatal(err)
		}
		d.Wait()
		if got := len(e.mails(d, TokenDataDownload)); got != a.want {
			t.Fatalf("an ask %v after the first, after a restart: %d download mails, want %d", a.after, got, a.want)
		}
	}
	// The other purpose has its own turn.
	if err := d.Send(ctx, e.ann.ID, TokenDataErase); err != nil {
		t.Fatal(err)
	}
	d.Wait()
	if got := len(e.mails(d, TokenDataErase)); got != 1 {
		t.Errorf("%d erase mails, want 1", got)
	}
}

// An ask whose link would no longer work when the serve after the kill
// starts (asked DataLinkTTL ago or more) is not sent, and its row goes;
// one asked just within it is.
func TestDataLinkTooOldIsNotSentAfterARestart(t *testing.T) {
	e := newDataLinkServes(t)
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	killed := e.start(true)
	killed.now = func() time.Time { return now.Add(-DataLinkTTL - time.Second) }
	if err := killed.Send(ctx, e.ann.ID, TokenDataErase); err != nil {
		t.Fatal(err)
	}
	killed.now = func() time.Time { return now.Add(-DataLinkTTL + time.Minute) }
	if err := killed.Send(ctx, e.ann.ID, TokenDataDownload); err != nil {
		t.Fatal(err)
	}

	d := e.start(false)
	d.now = func() time.Time { return now }
	if n := resume(t, d); n != 1 {
		t.Errorf("resumed %d asks, want 1", n)
	}
	if got := e.mails(d, TokenDataErase); len(got) != 0 {
		t.Errorf("an erase link asked over an hour before the restart was mailed (until %v)", got)
	}
	if got := e.mails(d, TokenDataDownload); len(got) != 1 || !got[0].Equal(now.Add(time.Minute)) {
		t.Errorf("the download link asked within the hour: %v, want one until %v", got, now.Add(time.Minute))
	}
	var rows int
	if err := d.c.Store.db.Read.QueryRow(`SELECT COUNT(*) FROM data_link_asks`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d asks kept (%v), want the one of the last hour", rows, err)
	}
}

// A serve killed between the mail's send and its mark leaves an ask
// that looks unsent: the next serve sends it again, a second copy, and
// no serve after sends a third, however many kills.
func TestDataLinkKilledAfterTheSendSendsAtMostOneCopyMore(t *testing.T) {
	e := newDataLinkServes(t)
	ctx := context.Background()
	killed := e.start(true)
	if err := killed.Send(ctx, e.ann.ID, TokenDataDownload); err != nil {
		t.Fatal(err)
	}
	// As sendAsk leaves it once the transport took the mail, before
	// the mark: one try begun, not marked sent.
	if _, err := killed.c.Store.db.Write.Exec(`UPDATE data_link_asks SET tries = 1`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		d := e.start(false)
		resume(t, d)
		if i == 0 { // killed again between the send and the mark
			if _, err := d.c.Store.db.Write.Exec(`UPDATE data_link_asks SET sent_at = NULL`); err != nil {
				t.Fatal(err)
			}
		}
		if got := len(e.mails(d, TokenDataDownload)); got != 1 {
			t.Fatalf("start %d after a kill between the send and its mark: %d mails, want 1 (the copy; the first, not seen here, went before the kill)", i+1, got)
		}
	}
}

// An ask taken twice, by two serves on one file (or a Resume racing an
// ask's own Send), is sent once: each send begins by recording its try,
// and only the one whose record finds the ask as it read it sends.
func TestDataLinkResumedTwiceIsSentOnce(t *testing.T) {
	e := newDataLinkServes(t)
	killed := e.start(true)
	if err := killed.Send(context.Background(), e.ann.ID, TokenDataErase); err != nil {
		t.Fatal(err)
	}
	a, b := e.start(true), e.start(true) // both read the ask before either sends
	for _, d := range []*DataLinks{a, b} {
		if n, err := d.Resume(context.Background()); n != 1 || err != nil {
			t.Fatalf("resumed %d asks, %v; want the one by both", n, err)
		}
	}
	for _, d := range []*DataLinks{a, b} {
		d.start = sync.Once{}
		d.start.Do(d.startSenders)
		defer d.Stop()
	}
	a.Wait()
	b.Wait()
	if got := len(e.mails(a, TokenDataErase)); got != 1 {
		t.Errorf("%d mails, want 1", got)
	}
	var sent int
	if err := a.c.Store.db.Read.QueryRow(`SELECT COUNT(*) FROM data_link_asks WHERE sent_at IS NOT NULL`).Scan(&sent); err != nil || sent != 1 {
		t.Errorf("%d asks recorded sent (%v), want 1", sent, err)
	}
}
