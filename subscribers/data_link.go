package subscribers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"sync"
	"time"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/templates"
)

// DataLinkTTL is how long the link of a data link mail works.
const DataLinkTTL = time.Hour

// DataLinkInterval is the least time between two data link mails to a
// reader for the same purpose: whoever holds a reader's preferences link
// cannot fill their inbox.
const DataLinkInterval = 10 * time.Minute

// DataLinkMail is the data of the mail/data_link templates: the link a
// reader asked for on their preferences page, to download their data
// or to erase it.
type DataLinkMail struct {
	// Name is the reader's own name, as their other mail greets them;
	// empty when they have none.
	Name  string
	Email string
	// Erase is whether the link opens the page that erases the reader;
	// else it downloads their data.
	Erase     bool
	URL       string
	Publisher string
	BaseURL   string
	Brand     templates.Brand
}

// DataLinks mails readers, at their request, the link that downloads
// their data (TokenDataDownload) or the one that erases it
// (TokenDataErase): proof that whoever follows it holds the mailbox,
// which a preferences link, forwarded with a mail, is not. The mail is
// sent as the confirmation is (Confirmer: its publication, templates,
// From, Reply-To and transport). At most one goes to a reader for a
// purpose each DataLinkInterval. The times are kept in memory: serve
// alone takes the requests, and a restart lets one more mail through.
//
// Send only takes the ask: the mail goes from a few senders of its own
// (dataLinkSenders), after the answer, so that a slow relay keeps no
// reader's page waiting, and the answer's time says nothing of whether a
// mail goes. Stop lets the mails taken go before serve stops.
type DataLinks struct {
	c   *Confirmer
	now func() time.Time
	// Log gets a warning for each mail that could not be sent, without
	// its address or link (the Confirmer's Log, or slog.Default, when nil).
	Log *slog.Logger

	mu      sync.Mutex
	last    map[dataLinkKey]time.Time // when each reader's latest mail of a purpose went
	pending int                       // mails taken and not yet sent or given up
	idle    *sync.Cond                // signalled when pending falls to 0
	stopped bool

	// stopWait is how long Stop waits (DataLinkStopWait).
	stopWait time.Duration
	start    sync.Once
	jobs     chan dataLinkJob
	ctx      context.Context // the senders', cancelled by Stop past its wait
	cancel   context.CancelFunc
	done     sync.WaitGroup // the senders
}

type dataLinkKey struct {
	id      int64
	purpose string
}

// A dataLinkJob is a mail Send took: reader id's link for purpose, asked
// at at (its turn in DataLinks.last, and the time the link counts from).
type dataLinkJob struct {
	key dataLinkKey
	at  time.Time
}

const (
	// dataLinkSenders is how many data link mails are sent at once.
	dataLinkSenders = 2
	// dataLinkQueue is how many more may wait for a sender: past it an
	// ask is dropped, logged, and its reader may ask again at once. Each
	// reader takes at most two places (one a purpose), so only a flood
	// of asks from many readers' links fills it.
	dataLinkQueue = 256
	// DataLinkSendWait bounds the sending of one data link mail.
	DataLinkSendWait = 30 * time.Second
	// DataLinkStopWait is how long Stop waits for the mails taken to go
	// before it gives up on the rest, logging how many.
	DataLinkStopWait = 5 * time.Second
)

// NewDataLinks returns the DataLinks that sends through c.
func NewDataLinks(c *Confirmer) *DataLinks {
	d := &DataLinks{c: c, now: time.Now, last: map[dataLinkKey]time.Time{},
		jobs: make(chan dataLinkJob, dataLinkQueue), stopWait: DataLinkStopWait}
	d.idle = sync.NewCond(&d.mu)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d
}

// Send takes reader id's ask for the link of purpose and returns at
// once: the mail goes afterwards, from DataLinks' own senders. Nothing
// goes when one went to them within DataLinkInterval, or their address
// cannot get mail (undeliverable): the error is nil then, as for a mail
// taken, and the ask takes as long. An erased reader is ENOTFOUND. A mail
// that could not be sent is logged, and leaves the reader free to ask
// again at once.
func (d *DataLinks) Send(ctx context.Context, id int64, purpose string) error {
	if purpose != TokenDataDownload && purpose != TokenDataErase {
		return fmt.Errorf("data link: no such purpose %q", purpose)
	}
	r, err := d.c.Store.dataLinkReader(ctx, id)
	if err != nil {
		return err
	}
	if r.undeliverable() {
		return nil
	}
	job := dataLinkJob{key: dataLinkKey{id, purpose}, at: d.now()}
	if !d.reserve(job.key, job.at) {
		return nil
	}
	d.start.Do(d.startSenders)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		d.releaseLocked(job.key, job.at)
		return fmt.Errorf("data link for subscriber %d: not sent, the server is stopping", id)
	}
	select {
	case d.jobs <- job:
		d.pending++
		return nil
	default:
		d.releaseLocked(job.key, job.at)
		return fmt.Errorf("data link for subscriber %d: not sent, %d mails wait already", id, dataLinkQueue)
	}
}

// startSenders starts the goroutines that send the mails Send takes.
func (d *DataLinks) startSenders() {
	for range dataLinkSenders {
		d.done.Add(1)
		go func() {
			defer d.done.Done()
			for job := range d.jobs {
				d.sendJob(job)
			}
		}()
	}
}

// sendJob sends the mail of job, within DataLinkSendWait; a mail that
// could not be sent gives the reader's turn back, and is logged.
func (d *DataLinks) sendJob(job dataLinkJob) {
	ctx, cancel := context.WithTimeout(d.ctx, DataLinkSendWait)
	err := d.send(ctx, job.key.id, job.key.purpose, job.at)
	cancel()
	if err != nil && bulletin.ErrorCode(err) != bulletin.ENOTFOUND { // erased since: nothing to send
		d.release(job.key, job.at)
		d.log().Warn("data link not sent; the reader may ask again", "subscriber", job.key.id, "purpose", job.key.purpose, "err", err)
	}
	d.mu.Lock()
	if d.pending--; d.pending == 0 {
		d.idle.Broadcast()
	}
	d.mu.Unlock()
}

// Wait returns once every mail taken so far is sent or given up.
func (d *DataLinks) Wait() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.pending > 0 {
		d.idle.Wait()
	}
}

// Stop takes no more asks and waits, up to DataLinkStopWait, for the
// mails taken to be sent; then it cuts short those still sending, gives
// up on those still waiting and logs how many went unsent (their readers
// may ask again). serve stops it once its HTTP server has answered its
// last request, before its mail transport stops taking messages.
func (d *DataLinks) Stop() {
	d.start.Do(d.startSenders) // before done.Wait, whether or not Send came
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	d.stopped = true
	close(d.jobs) // under mu: Send sends on it only under mu, before stopped
	d.mu.Unlock()
	finished := make(chan struct{})
	go func() { d.done.Wait(); close(finished) }()
	select {
	case <-finished:
		d.cancel()
		return
	case <-time.After(d.stopWait):
	}
	d.mu.Lock()
	left := d.pending
	d.mu.Unlock()
	d.cancel() // the mails on the wire fail at once, those waiting at their start
	<-finished
	d.log().Warn("stopped before sending every data link mail asked for; those readers may ask again", "unsent_at_most", left)
}

func (d *DataLinks) log() *slog.Logger {
	switch {
	case d.Log != nil:
		return d.Log
	case d.c.Log != nil:
		return d.c.Log
	}
	return slog.Default()
}

// reserve takes the reader's turn for a mail of key's purpose at now, and
// reports whether it was theirs to take. Turns older than the interval
// are dropped as it goes: a map of the last ten minutes' asks.
func (d *DataLinks) reserve(key dataLinkKey, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, at := range d.last {
		if now.Sub(at) >= DataLinkInterval {
			delete(d.last, k)
		}
	}
	if _, taken := d.last[key]; taken {
		return false
	}
	d.last[key] = now
	return true
}

// release gives back the turn reserve took at now, unless another took
// it since.
func (d *DataLinks) release(key dataLinkKey, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.releaseLocked(key, now)
}

func (d *DataLinks) releaseLocked(key dataLinkKey, now time.Time) {
	if d.last[key].Equal(now) {
		delete(d.last, key)
	}
}

// send composes and sends the mail of purpose to reader id, with a link
// that works from now until DataLinkTTL later.
func (d *DataLinks) send(ctx context.Context, id int64, purpose string, now time.Time) error {
	c := d.c
	reader, err := c.Store.dataLinkReader(ctx, id)
	if err != nil || reader.undeliverable() {
		return err
	}
	email, name := reader.email, reader.name
	pub, err := c.publication(ctx)
	if err != nil {
		return fmt.Errorf("data link: %w", err)
	}
	m := DataLinkMail{Name: oneLineName(name), Email: email, Erase: purpose == TokenDataErase,
		Publisher: pub.Name, BaseURL: pub.PublicURL, Brand: pub.Brand()}
	token := c.Signer.SignUntil(purpose, id, now.Add(DataLinkTTL))
	subject := "Your data at " + pub.Name
	m.URL = pub.PublicURL + "/data/" + token
	if m.Erase {
		subject, m.URL = "Delete your data from "+pub.Name, pub.PublicURL+"/erase/"+token
	}
	text, html, err := c.Templates.Mail("data_link", m)
	if err != nil {
		return fmt.Errorf("data link: %w", err)
	}
	r := newConfirmRenderer(c, pub)
	msg := &mailer.Message{From: r.from(), To: &mail.Address{Address: email},
		Subject: subject, Text: text, HTML: html, Date: now, Headers: r.headers()}
	raw, err := msg.Compose()
	if err != nil {
		return fmt.Errorf("data link: %w", err)
	}
	// The envelope's sender is the From address, not a VERP one: a
	// bounce of this mail is no confirmation's, nor a campaign's.
	if err := c.Transport.Send(ctx, pub.FromAddress, []string{email}, raw); err != nil {
		// Never the address in a log: a relay's answer that echoes it
		// gets it blanked, as a confirmation's does.
		return fmt.Errorf("send data link to subscriber %d: %s", id, blank(err.Error(), email))
	}
	return nil
}

// A dataLinkAsker is what the data link mails need of the reader who
// asks for one.
type dataLinkAsker struct {
	email, name, status string
	// bounced is whether the address, or its domain, is on the
	// suppression list for a bounce.
	bounced bool
}

// undeliverable is whether mail to the reader's address cannot arrive:
// they are bounced, or their address or domain was suppressed for a
// bounce (a reader who had unsubscribed stays unsubscribed when a bounce
// comes). No data link mail goes to it. An address suppressed for
// another reason (a complaint, an editor's entry) still gets the link its
// owner asks for: the suppression list keeps from them the mail they did
// not ask for, and the right to get or erase their data stays theirs.
func (a dataLinkAsker) undeliverable() bool {
	return a.status == StatusBounced || a.bounced
}

// dataLinkReader returns the address, name and status of subscriber id,
// and whether the address or its domain is suppressed for a bounce.
func (s *Store) dataLinkReader(ctx context.Context, id int64) (dataLinkAsker, error) {
	var a dataLinkAsker
	err := s.db.Read.QueryRowContext(ctx, `SELECT email, name, status,
		EXISTS (SELECT 1 FROM suppressions WHERE reason = ? AND target IN (email_key, substr(email_key, instr(email_key, '@') + 1)))
		FROM subscribers WHERE id = ?`, events.ReasonBounce, id).
		Scan(&a.email, &a.name, &a.status, &a.bounced)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errNoSubscriber
	} else if err != nil {
		return a, fmt.Errorf("data link reader: %w", err)
	}
	return a, nil
}
