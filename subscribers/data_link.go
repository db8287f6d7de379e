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

	sqlite3 "github.com/mattn/go-sqlite3"

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
// purpose each DataLinkInterval.
//
// Send commits the ask (a row of data_link_asks) and returns: the mail
// goes from a few senders of its own (dataLinkSenders), after the
// answer, so that a slow relay keeps no reader's page waiting, and the
// answer's time says nothing of whether a mail goes. The table, not
// memory, is what counts: the interval is read from it, so a restart
// lets no more mail through, and Resume, at serve's start, sends the
// asks a serve killed before their mail went had committed, while their
// link still works (asked within DataLinkTTL). Stop lets the mails taken
// go before serve stops; those it gives up on go at the next start.
type DataLinks struct {
	c   *Confirmer
	now func() time.Time
	// Log gets a warning for each mail that could not be sent, without
	// its address or link (the Confirmer's Log, or slog.Default, when nil).
	Log *slog.Logger

	mu      sync.Mutex
	queued  map[int64]bool // the asks (their rows' ids) taken and not yet sent or given up
	pending int            // mails taken and not yet sent or given up
	idle    *sync.Cond     // signalled when pending falls to 0
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

// A dataLinkJob is an ask to send: its row of data_link_asks (ask), for
// reader id's link for purpose, asked at at (the time the link counts
// from), with tries sends begun for it before.
type dataLinkJob struct {
	ask   int64
	key   dataLinkKey
	at    time.Time
	tries int
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
	// dataLinkTries is how many sends an ask gets at most. Each is
	// recorded (tries) before its mail goes and the mail marked sent
	// (sent_at) as soon as the transport accepts it; a serve killed
	// between the two leaves an ask that looks unsent, and the next serve
	// sends it again: a second copy of the same link, which the reader
	// may take for a glitch but which gives no one else anything. With
	// two tries there is at most one such copy, however often serve is
	// killed; an ask whose first send was cut short by a kill still gets
	// its second.
	dataLinkTries = 2
	// dataLinkKeep is how long an ask's row is kept: past DataLinkTTL its
	// link no longer works, so it is not sent, and it is past
	// DataLinkInterval, so it holds no turn. Rows older are deleted at
	// each ask and at Resume: the table holds about an hour's asks.
	dataLinkKeep = DataLinkTTL
	// dataLinkMarkWait bounds the writes that record a mail's fate after
	// it went: not the send's context, which Stop may have ended since.
	dataLinkMarkWait = 5 * time.Second
)

// The rows must hold each reader's turn as long as the interval lasts
// (a negative difference does not compile).
const _ = uint64(dataLinkKeep - DataLinkInterval)

// NewDataLinks returns the DataLinks that sends through c. Serve calls
// its Resume once at start.
func NewDataLinks(c *Confirmer) *DataLinks {
	d := &DataLinks{c: c, now: time.Now, queued: map[int64]bool{},
		jobs: make(chan dataLinkJob, dataLinkQueue), stopWait: DataLinkStopWait}
	d.idle = sync.NewCond(&d.mu)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d
}

// dataLinkTime is t as the database keeps it (sqlite.Now): stored times
// compare as text.
func dataLinkTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Send takes reader id's ask for the link of purpose, committing it, and
// returns: the mail goes afterwards, from DataLinks' own senders. Nothing
// goes when an ask of theirs for it was taken within DataLinkInterval, or
// their address cannot get mail (undeliverable): the error is nil then,
// as for a mail taken, and the ask takes as long. An erased reader is
// ENOTFOUND; an ask that could not be stored (a full disk) is the
// store's error, EUNAVAILABLE. A mail that could not be sent is logged,
// and leaves the reader free to ask again at once.
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
	d.start.Do(d.startSenders)
	d.mu.Lock()
	stopped := d.stopped
	d.mu.Unlock()
	if stopped {
		return fmt.Errorf("data link for subscriber %d: not sent, the server is stopping", id)
	}
	job, taken, err := d.c.Store.askDataLink(ctx, id, purpose, dataLinkTime(d.now()))
	if err != nil || !taken {
		return err
	}
	switch d.enqueue(job, true) {
	case dataLinkStopping:
		// Committed as Stop came: the next serve's Resume sends it.
		return fmt.Errorf("data link for subscriber %d: the server is stopping; it goes when serve starts again", id)
	case dataLinkFull:
		d.drop(job)
		return fmt.Errorf("data link for subscriber %d: not sent, %d mails wait already", id, dataLinkQueue)
	}
	return nil
}

// Resume takes the asks committed and not sent, by a serve killed before
// their mails went (or stopped before it sent them all), whose link still
// works: asked within DataLinkTTL, and not sent already. Each is sent
// once, as the asks Send takes are; those this DataLinks holds already
// are not taken twice. It deletes the rows past dataLinkKeep, and
// reports how many asks it took. serve calls it once as it starts.
func (d *DataLinks) Resume(ctx context.Context) (int, error) {
	jobs, err := d.c.Store.unsentDataLinks(ctx, dataLinkTime(d.now()))
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	d.start.Do(d.startSenders)
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return 0, nil
	}
	var take []dataLinkJob
	for _, job := range jobs {
		if !d.queued[job.ask] {
			d.queued[job.ask] = true // so that no other Resume takes it
			take = append(take, job)
		}
	}
	// Counted now, so that Wait waits for them all, the ones still
	// waiting for a place in the queue too.
	d.pending += len(take)
	d.mu.Unlock()
	go d.feed(take)
	return len(take), nil
}

// feed queues the jobs Resume took, waiting for a place as the senders
// free them; on a Stop it leaves the rest, which the next serve sends.
func (d *DataLinks) feed(jobs []dataLinkJob) {
	for i, job := range jobs {
		for {
			switch d.enqueue(job, false) {
			case dataLinkQueued:
			case dataLinkFull:
				select {
				case <-time.After(20 * time.Millisecond):
				case <-d.ctx.Done():
				}
				continue
			case dataLinkStopping:
				d.mu.Lock()
				for _, j := range jobs[i:] {
					delete(d.queued, j.ask)
				}
				d.doneLocked(len(jobs) - i)
				d.mu.Unlock()
				return
			}
			break
		}
	}
}

type dataLinkQueueing int

const (
	dataLinkQueued dataLinkQueueing = iota
	dataLinkFull
	dataLinkStopping
)

// enqueue hands job to the senders, if the queue has room and Stop has
// not come; fresh is whether it is a new ask, not yet counted in pending
// and queued (Resume counts its own).
func (d *DataLinks) enqueue(job dataLinkJob, fresh bool) dataLinkQueueing {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped { // jobs is closed: Send and feed send on it only under mu, before stopped
		return dataLinkStopping
	}
	select {
	case d.jobs <- job:
		if fresh {
			d.queued[job.ask] = true
			d.pending++
		}
		return dataLinkQueued
	default:
		return dataLinkFull
	}
}

// doneLocked counts n mails taken as sent or given up.
func (d *DataLinks) doneLocked(n int) {
	if d.pending -= n; d.pending == 0 {
		d.idle.Broadcast()
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

// sendJob sends the mail of job, within DataLinkSendWait, and records
// it sent. A mail that could not be sent is logged and its ask dropped,
// giving the reader's turn back, except one that Stop cut short, which
// the next serve sends.
func (d *DataLinks) sendJob(job dataLinkJob) {
	ctx, cancel := context.WithTimeout(d.ctx, DataLinkSendWait)
	fate, err := d.sendAsk(ctx, job)
	cancel()
	switch {
	case fate == dataLinkSent:
		// The transport took it: mark it at once, whatever Stop does.
		mctx, mcancel := context.WithTimeout(context.Background(), dataLinkMarkWait)
		err := d.c.Store.dataLinkSent(mctx, job.ask, dataLinkTime(d.now()))
		mcancel()
		if err != nil {
			d.log().Error("data link sent but not recorded so; the next serve may send it once more", "subscriber", job.key.id, "purpose", job.key.purpose, "err", err)
		}
	case fate == dataLinkTaken: // sent, or being sent, by another: leave it be
	case err == nil, bulletin.ErrorCode(err) == bulletin.ENOTFOUND: // nothing to send: erased, or bounced, since, or too late
		d.drop(job)
	case d.ctx.Err() != nil:
		d.log().Warn("data link not sent before serve stopped; it goes when serve starts again", "subscriber", job.key.id, "purpose", job.key.purpose, "err", err)
	default:
		d.drop(job)
		d.log().Warn("data link not sent; the reader may ask again", "subscriber", job.key.id, "purpose", job.key.purpose, "err", err)
	}
	d.mu.Lock()
	delete(d.queued, job.ask)
	d.doneLocked(1)
	d.mu.Unlock()
}

// The fates of a data link ask a sender takes.
type dataLinkFate int

const (
	dataLinkUnsent dataLinkFate = iota // not sent: the error says why, or, when nil, there was nothing to send
	dataLinkSent                       // the transport took the mail
	dataLinkTaken                      // sent, or being sent, by another sender since it was read
)

// sendAsk records a try of job's ask and sends its mail. Nothing goes,
// and no error, when its link no longer works or the reader can no
// longer get mail (dataLinkUnsent), or when another sender took the ask
// since it was read (dataLinkTaken).
func (d *DataLinks) sendAsk(ctx context.Context, job dataLinkJob) (dataLinkFate, error) {
	now := d.now()
	if !now.Before(job.at.Add(DataLinkTTL)) {
		return dataLinkUnsent, nil
	}
	if ok, err := d.c.Store.tryDataLink(ctx, job.ask, job.tries); err != nil {
		return dataLinkUnsent, err
	} else if !ok {
		return dataLinkTaken, nil
	}
	if sent, err := d.send(ctx, job.key.id, job.key.purpose, job.at, now); !sent {
		return dataLinkUnsent, err
	}
	return dataLinkSent, nil
}

// drop deletes job's ask, unless it was sent: the reader's turn is free.
func (d *DataLinks) drop(job dataLinkJob) {
	ctx, cancel := context.WithTimeout(context.Background(), dataLinkMarkWait)
	defer cancel()
	if err := d.c.Store.dropDataLink(ctx, job.ask); err != nil {
		d.log().Warn("data link ask not dropped; the reader may ask again once the interval is over", "subscriber", job.key.id, "purpose", job.key.purpose, "err", err)
	}
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
// up on those still waiting and logs how many went unsent: their asks
// stay in data_link_asks, and the next serve sends them (Resume). serve
// stops it once its HTTP server has answered its last request, before
// its mail transport stops taking messages.
func (d *DataLinks) Stop() {
	d.start.Do(d.startSenders) // before done.Wait, whether or not Send came
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	d.stopped = true
	close(d.jobs) // under mu: Send and feed send on it only under mu, before stopped
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
	d.log().Warn("stopped before sending every data link mail asked for; serve sends those whose link still works when it starts again", "unsent_at_most", left)
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

// send composes and sends the mail of purpose to reader id, with a link
// that works from at, when they asked, until DataLinkTTL later, dated
// now, and reports whether the transport took it: not when the reader
// can no longer get mail (undeliverable), which is no error.
func (d *DataLinks) send(ctx context.Context, id int64, purpose string, at, now time.Time) (bool, error) {
	c := d.c
	reader, err := c.Store.dataLinkReader(ctx, id)
	if err != nil || reader.undeliverable() {
		return false, err
	}
	email, name := reader.email, reader.name
	pub, err := c.publication(ctx)
	if err != nil {
		return false, fmt.Errorf("data link: %w", err)
	}
	m := DataLinkMail{Name: oneLineName(name), Email: email, Erase: purpose == TokenDataErase,
		Publisher: pub.Name, BaseURL: pub.PublicURL, Brand: pub.Brand()}
	token := c.Signer.SignUntil(purpose, id, at.Add(DataLinkTTL))
	subject := "Your data at " + pub.Name
	m.URL = pub.PublicURL + "/data/" + token
	if m.Erase {
		subject, m.URL = "Delete your data from "+pub.Name, pub.PublicURL+"/erase/"+token
	}
	text, html, err := c.Templates.Mail("data_link", m)
	if err != nil {
		return false, fmt.Errorf("data link: %w", err)
	}
	r := newConfirmRenderer(c, pub)
	msg := &mailer.Message{From: r.from(), To: &mail.Address{Address: email},
		Subject: subject, Text: text, HTML: html, Date: now, Headers: r.headers()}
	raw, err := msg.Compose()
	if err != nil {
		return false, fmt.Errorf("data link: %w", err)
	}
	// The envelope's sender is the From address, not a VERP one: a
	// bounce of this mail is no confirmation's, nor a campaign's.
	// The ask is marked sent (sendJob) right after the transport takes
	// the mail; a kill between the two sends it once more at the next
	// start (dataLinkTries): at most one second copy of the link.
	if err := c.Transport.Send(ctx, pub.FromAddress, []string{email}, raw); err != nil {
		// Never the address in a log: a relay's answer that echoes it
		// gets it blanked, as a confirmation's does.
		return false, fmt.Errorf("send data link to subscriber %d: %s", id, blank(err.Error(), email))
	}
	return true, nil
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

// askDataLink commits reader id's ask for purpose's link at at, unless
// an ask of theirs for it within DataLinkInterval holds their turn, and
// reports whether it did. It deletes the asks past dataLinkKeep as it
// goes. A reader erased meanwhile is errNoSubscriber.
func (s *Store) askDataLink(ctx context.Context, id int64, purpose string, at time.Time) (dataLinkJob, bool, error) {
	job := dataLinkJob{key: dataLinkKey{id, purpose}, at: at}
	taken := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM data_link_asks WHERE asked_at <= ?`, at.Add(-dataLinkKeep)); err != nil {
			return err
		}
		var turn bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM data_link_asks
			WHERE subscriber_id = ? AND purpose = ? AND asked_at > ?)`, id, purpose, at.Add(-DataLinkInterval)).Scan(&turn); err != nil || turn {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO data_link_asks (subscriber_id, purpose, asked_at) VALUES (?, ?, ?)`, id, purpose, at)
		var e sqlite3.Error
		if errors.As(err, &e) && e.ExtendedCode == sqlite3.ErrConstraintForeignKey {
			return errNoSubscriber
		} else if err != nil {
			return err
		}
		job.ask, err = res.LastInsertId()
		taken = err == nil
		return err
	})
	if err != nil && !errors.Is(err, errNoSubscriber) {
		return job, false, fmt.Errorf("data link for subscriber %d: store the ask: %w", id, err)
	}
	return job, taken, err
}

// unsentDataLinks deletes the asks past dataLinkKeep and returns those
// not sent, with a try left, whose link still works at now: asked within
// DataLinkTTL, oldest first.
func (s *Store) unsentDataLinks(ctx context.Context, now time.Time) ([]dataLinkJob, error) {
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM data_link_asks WHERE asked_at <= ?`, now.Add(-dataLinkKeep))
		return err
	}); err != nil {
		return nil, fmt.Errorf("data links: delete the old asks: %w", err)
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, subscriber_id, purpose, asked_at, tries FROM data_link_asks
		WHERE asked_at > ? AND sent_at IS NULL AND tries < ? ORDER BY asked_at, id`, now.Add(-DataLinkTTL), dataLinkTries)
	if err != nil {
		return nil, fmt.Errorf("data links: read the unsent asks: %w", err)
	}
	defer rows.Close()
	var jobs []dataLinkJob
	for rows.Next() {
		var j dataLinkJob
		if err := rows.Scan(&j.ask, &j.key.id, &j.key.purpose, &j.at, &j.tries); err != nil {
			return nil, fmt.Errorf("data links: read the unsent asks: %w", err)
		}
		j.at = j.at.UTC()
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("data links: read the unsent asks: %w", err)
	}
	return jobs, nil
}

// tryDataLink records a send begun for ask, which had tries sends begun
// before, and reports whether it was this sender's to begin: not when
// the ask was sent, deleted, or tried by another since it was read.
func (s *Store) tryDataLink(ctx context.Context, ask int64, tries int) (bool, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE data_link_asks SET tries = tries + 1
			WHERE id = ? AND tries = ? AND tries < ? AND sent_at IS NULL`, ask, tries, dataLinkTries)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("data link: record the send: %w", err)
	}
	return n == 1, nil
}

// dataLinkSent records ask sent at at.
func (s *Store) dataLinkSent(ctx context.Context, ask int64, at time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE data_link_asks SET sent_at = ? WHERE id = ?`, at, ask)
		return err
	})
}

// dropDataLink deletes ask unless it was sent.
func (s *Store) dropDataLink(ctx context.Context, ask int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM data_link_asks WHERE id = ? AND sent_at IS NULL`, ask)
		return err
	})
}
