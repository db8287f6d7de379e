package subscribers

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/settings"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/templates"
)

// ConfirmTTL is how long a confirmation link works.
const ConfirmTTL = 7 * 24 * time.Hour

// A MailRenderer renders a named mail into its text and HTML parts;
// *templates.Templates is one.
type MailRenderer interface {
	Mail(name string, data any) (text, html string, err error)
}

// A Confirmer sends confirmation mails: it handles TypeSubscriberConfirm
// tasks. Each row is claimed before its mail goes and cleared after, so a
// task run twice (a retry, a reconciler's copy) never mails twice. A
// confirmed reader with nothing to confirm (one who signed up again for
// lists they are on: see alreadyTx) gets the already-subscribed mail in
// its place, with the links to their preferences and to unsubscribe.
type Confirmer struct {
	Store     *Store
	Signer    *Signer
	Templates MailRenderer
	Transport mailer.Transport
	From      *mail.Address
	// BaseURL is the public URL the links start with.
	BaseURL string
	// VERP, when set, gives each confirmation its own envelope sender on
	// the bounce domain, naming its subscriber.
	VERP *bounces.VERP
	// Settings, when set, give the publication's name, brand, From and
	// public URL, in place of From and BaseURL.
	Settings Publisher
	// Log gets a warning for each confirmation that could not be sent
	// (slog.Default when nil).
	Log *slog.Logger
	// GiveWay paces each task (see pacer) so that the requests of the
	// server it runs in do not wait behind its mails; a command with
	// nothing else to do (an import) leaves it off and sends at full speed.
	GiveWay bool
	// Gate, when set, is the refusal gate of the process's mail (serve's:
	// its campaign batches wait at it too). While the mail server refuses
	// every message a task's mails wait behind its probe, each task's
	// mails no longer tried at each of its retries, and go once the probe
	// is taken; those still held after a while are handed back, which is
	// no failure. Only the tasks' mails go through it: Transport's other
	// users (a reader's request for a link, answered in their request)
	// do not wait.
	Gate *mailer.Gate

	warns warnGate // how often warn writes a WARN
}

// warnGate lets the same reason for not sending a confirmation reach the
// log as a WARN at most once each warnGap: a relay answering 451 for a
// minute made one WARN a confirmation and retry (195 lines for 40 signups
// in 80 s). The ones in between go to DEBUG, and the next WARN counts them.
type warnGate struct {
	mu     sync.Mutex
	reason string
	at     time.Time
	quiet  int
}

// warnGap is the least time between two WARNs of the same reason.
const warnGap = 10 * time.Second

// pass reports whether reason may be logged as a WARN now, and how many
// of its kind went to DEBUG since the last.
func (g *warnGate) pass(reason string, now time.Time) (bool, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if reason == g.reason && now.Sub(g.at) < warnGap {
		g.quiet++
		return false, 0
	}
	quiet := 0
	if reason == g.reason {
		quiet = g.quiet
	}
	g.reason, g.at, g.quiet = reason, now, 0
	return true, quiet
}

// ConfirmMail is the data of the mail/confirm templates.
type ConfirmMail struct {
	// Name is empty in the mail to a reader not yet confirmed: until they
	// click, their name is whatever anyone typed in a signup form (see
	// confirmRenderer). A confirmed reader asked for more lists is greeted
	// by their own name, as their other mail greets them.
	Name  string
	Email string
	// Lists are the names of the lists the link confirms.
	Lists []string
	// Confirmed is set in the mail to a reader confirmed already (who
	// signed up for more lists, or whom an import asked): ignoring it
	// leaves them as they are, not unmailed.
	Confirmed bool
	// Keeps are, for a Confirmed reader, the names of the lists they are
	// on, in list order, which they keep whatever they do with the mail.
	Keeps []string
	// PreferencesURL and UnsubscribeURL are, for a Confirmed reader, their
	// own links, as the already-subscribed mail gives them: they get mail
	// from the publisher, and every such mail carries both. Empty for a
	// reader not yet confirmed, who is on no list.
	PreferencesURL string
	UnsubscribeURL string
	ConfirmURL     string
	Publisher      string
	BaseURL        string
	Brand          templates.Brand
}

// AlreadyMail is the data of the mail/already templates: the mail a
// confirmed reader gets for signing up again with nothing new to confirm.
type AlreadyMail struct {
	// Name is the reader's own name, which their other mail greets them
	// by: never one typed in the signup that sent this mail (that one
	// waits, unconfirmed, as a confirmation's does). Empty when they have
	// none.
	Name  string
	Email string
	// Lists are the names of the lists the reader is on, in list order;
	// none when they have left every one since.
	Lists []string
	// PreferencesURL and UnsubscribeURL are the reader's own links, signed
	// as every other mail's are.
	PreferencesURL string
	UnsubscribeURL string
	Publisher      string
	BaseURL        string
	Brand          templates.Brand
}

// A Publisher tells the publication's settings in force
// (*settings.Store).
type Publisher interface {
	Publication(ctx context.Context) (settings.Publication, error)
}

// publication is what the mail shows of the publication: the settings,
// or From, BaseURL and the default brand without them. It is read for
// each batch, so a change in the admin shows in the next mail.
func (c *Confirmer) publication(ctx context.Context) (settings.Publication, error) {
	if c.Settings != nil {
		return c.Settings.Publication(ctx)
	}
	b := templates.DefaultBrand()
	p := settings.Publication{Name: cmp.Or(c.From.Name, b.Name), PublicURL: c.BaseURL, Accent: b.Accent,
		FromName: c.From.Name, FromAddress: c.From.Address, Credit: b.Credit}
	return p, nil
}

// ProcessTask implements asynq.Handler.
func (c *Confirmer) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := queue.ParseConfirmTask(t)
	if err != nil {
		return err
	}
	subs, err := c.Store.claimConfirms(ctx, p.Items)
	if err != nil {
		return err
	}
	pub, err := c.publication(ctx)
	if err != nil {
		return errors.Join(err, c.Store.finishConfirms(ctx, nil, ids(subs), nil))
	}
	var sent, failed, already []int64
	var refused []refusal
	var first, back error // the first failure, and the first mail handed back
	var nBack int
	fail := func(sub *claim, err error) {
		if errors.Is(err, mailer.ErrPermanent) && !handedBack(err) {
			// The relay refused the address for good: a bounce, as a
			// campaign's would be, never retried.
			refused = append(refused, refusal{sub: sub, reply: err.Error()})
			if sub.already {
				already = append(already, sub.ID)
			}
			c.refusedLog(sub.Subscriber, err)
			return
		}
		failed = append(failed, sub.ID) // flagged again, for the retry or the reconciler
		if handedBack(err) {
			c.handBack(sub.Subscriber, err)
			nBack++
			back = cmp.Or(back, err)
			return
		}
		c.warn(sub.Subscriber, err)
		first = cmp.Or(first, err)
	}
	r := newConfirmRenderer(c, pub)
	msgs := make([]mailer.Outgoing, 0, len(subs))
	composed := make([]*claim, 0, len(subs))
	pace := newPacer(c.GiveWay)
	for i, sub := range subs {
		if i > 0 {
			pace.yield()
		}
		m, err := c.compose(sub, r)
		if err != nil {
			fail(sub, err)
			continue
		}
		msgs = append(msgs, m)
		composed = append(composed, sub)
	}
	for i, err := range c.sendAll(ctx, msgs, pace) {
		if err != nil {
			fail(composed[i], err)
			continue
		}
		sent = append(sent, composed[i].ID)
		if composed[i].already {
			already = append(already, composed[i].ID)
		}
	}
	for _, m := range msgs {
		putMailBuf(m.Data) // a Transport keeps nothing it was given
	}
	if err := c.Store.finishConfirms(ctx, sent, failed, already, refused...); err != nil {
		return err
	}
	switch {
	case first != nil:
		return fmt.Errorf("send %d of %d confirmations: %w", len(failed), len(subs), first)
	case back != nil:
		// serve stops, or the mail server refuses every message: the
		// mails not sent are handed back (flagged), which is no failure
		// of the task's, and uses up none of its retries.
		return fmt.Errorf("%d of %d confirmations not sent for now: %w: %w", nBack, len(subs), back, queue.ErrHandedBack)
	}
	return nil
}

// handedBack reports whether err is that of a mail not sent for a reason
// that is no fault of its own: the process stops (mailer.ErrStopping), or
// the refusal gate held it back while the mail server refuses every
// message (queue.ErrHandedBack).
func handedBack(err error) bool {
	return errors.Is(err, mailer.ErrStopping) || errors.Is(err, queue.ErrHandedBack)
}

// handBack logs, at DEBUG, a confirmation to sub handed back (handedBack):
// the gate's and the stop's own lines say why, once.
func (c *Confirmer) handBack(sub *Subscriber, err error) {
	log := cmp.Or(c.Log, slog.Default())
	domain := sub.Email[strings.LastIndexByte(sub.Email, '@')+1:]
	if errors.Is(err, mailer.ErrStopping) {
		log.Debug("confirmation not sent as the process stops; the task retries", "subscriber", sub.ID, "domain", domain)
		return
	}
	log.Debug("confirmation held back while the mail server refuses every message; the task retries", "subscriber", sub.ID, "domain", domain)
}

func ids(subs []*claim) []int64 {
	out := make([]int64, len(subs))
	for i, sub := range subs {
		out[i] = sub.ID
	}
	return out
}

// warn logs why the confirmation to sub did not go: its id and domain,
// never the address (a relay's answer that echoes it gets it blanked) nor
// the link.
func (c *Confirmer) warn(sub *Subscriber, err error) {
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	domain := sub.Email[strings.LastIndexByte(sub.Email, '@')+1:]
	reason := blank(err.Error(), sub.Email)
	if errors.Is(err, context.Canceled) {
		// serve stopping: the task is handed back, nothing went wrong.
		log.Debug("confirmation not sent as the process stops; the task retries", "subscriber", sub.ID, "domain", domain)
		return
	}
	warn, quiet := c.warns.pass(reason, time.Now())
	if !warn {
		log.Debug("confirmation not sent; the task retries", "subscriber", sub.ID, "domain", domain, "reason", reason)
		return
	}
	attrs := []any{"subscriber", sub.ID, "domain", domain, "reason", reason}
	if quiet > 0 {
		attrs = append(attrs, "more_since_last", quiet)
	}
	log.Warn("confirmation not sent; the task retries", attrs...)
}

// refusedLog logs, as warn does, a confirmation the relay refused for
// good (a 5xx to its address), which is recorded as a bounce and not
// tried again.
func (c *Confirmer) refusedLog(sub *Subscriber, err error) {
	log := cmp.Or(c.Log, slog.Default())
	domain := sub.Email[strings.LastIndexByte(sub.Email, '@')+1:]
	log.Warn("confirmation refused by the mail server; recorded as a bounce, not retried", "subscriber", sub.ID, "domain", domain,
		"reason", blank(err.Error(), sub.Email))
}

// blank replaces each occurrence of addr in msg, in any ASCII case, with
// "<recipient>".
func blank(msg, addr string) string {
	if addr == "" {
		return msg
	}
	var b strings.Builder
	low, key := asciiLower(msg), asciiLower(addr)
	for {
		i := strings.Index(low, key)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i])
		b.WriteString("<recipient>")
		msg, low = msg[i+len(key):], low[i+len(key):]
	}
}

// sendAll sends msgs and returns one error (nil for sent) per message, in
// order. A transport that sends batches (SMTP) gets them all at once, to
// go out pipelined over its connections, a few messages to a write; any
// other (the outbox, a signing transport) gets them one at a time, with
// pace between them.
func (c *Confirmer) sendAll(ctx context.Context, msgs []mailer.Outgoing, pace *pacer) []error {
	t := c.Gate.Transport(c.Transport)
	if b, ok := t.(mailer.BatchSender); ok {
		return b.SendBatch(ctx, msgs)
	}
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		pace.yield()
		errs[i] = t.Send(ctx, m.From, []string{m.To}, m.Data)
	}
	return errs
}

// A pacer lets a confirm task's loops (composing, then sending one at a
// time) give way to the signups that keep coming while it runs: it yields
// its P between two mails, and rests for paceRest once it has run for
// paceBurst since it last rested.
//
// A task's 256 outbox files are ~12 ms of system calls on one P.
// Yielding alone (Gosched) puts the task on the global run queue, which a
// P reads before it polls the network or takes work from the other P: the
// task kept its P for the whole batch, and the requests waited for the
// other one (the outbox run's p99 11.2–12.8 ms in nine runs; 7.4–8.6 with
// no mail sent at all). Resting parks the task, so that the P polls the
// network and runs the requests that wait: 9.1–11.5 ms in the nine runs
// alternating with those. Without the yields between mails the commit
// loop, which yields to the global queue too, waited out the task's
// bursts (11.1–12.6 ms, three runs). Pacing the composing loop as well
// measured 8.6–9.0 ms against 8.4–10.7 (three pairs). On an idle machine
// a rest lasts a millisecond (the poller's timeout), so a lone batch takes
// up to twice as long: ~25 ms for 256 outbox files. A pacer that is off
// does nothing: an import sending 20,000 confirmations to the outbox took
// 2.9 s paced, 1.6 s unpaced (1.8 s yielding after each mail).
type pacer struct {
	on    bool
	since time.Time
}

const (
	paceBurst = time.Millisecond
	paceRest  = 200 * time.Microsecond
)

func newPacer(on bool) *pacer { return &pacer{on: on, since: paceClock()} }

// yield is called between two mails.
func (p *pacer) yield() {
	if !p.on {
		return
	}
	if paceClock().Sub(p.since) < paceBurst {
		runtime.Gosched()
		return
	}
	pauseFor(paceRest)
	p.since = paceClock()
}

// paceClock and pauseFor are time.Now and time.Sleep, for a pacer; a test
// replaces them.
var (
	paceClock = time.Now
	pauseFor  = time.Sleep
)

// compose returns the confirmation to sub, or the already-subscribed
// mail, with its envelope. Both are transactional mail, answers to a
// signup: no List-Unsubscribe or List-Id. A mail to a confirmed reader
// (the already-subscribed mail, the confirmation of more lists) has the
// reader's preferences and unsubscribe links in its parts instead.
func (c *Confirmer) compose(sub *claim, r *confirmRenderer) (mailer.Outgoing, error) {
	var raw []byte
	var err error
	switch {
	case sub.already:
		raw, err = r.already(getMailBuf(), sub.Subscriber)
	case sub.confirmed:
		raw, err = r.more(getMailBuf(), sub, c.Signer.Sign(ConfirmPurpose(sub.confirmSentAt), sub.ID, ConfirmTTL))
	default:
		raw, err = r.message(getMailBuf(), sub.Subscriber, c.Signer.Sign(ConfirmPurpose(sub.confirmSentAt), sub.ID, ConfirmTTL))
	}
	if err != nil {
		putMailBuf(raw)
		return mailer.Outgoing{}, fmt.Errorf("compose confirmation for subscriber %d: %w", sub.ID, err)
	}
	returnPath := r.pub.FromAddress
	if c.VERP != nil {
		returnPath = c.VERP.AddressOf(bounces.Delivery{Kind: bounces.KindConfirm, SubscriberID: sub.ID})
	}
	return mailer.Outgoing{From: returnPath, To: sub.Email, Data: raw}, nil
}

// already appends the already-subscribed mail to sub, composed, to dst
// and returns it. It goes from, and with the Reply-To of, the
// confirmation, with the preferences and unsubscribe links every
// campaign carries. It is composed mail by mail: it answers only a
// confirmed reader's signup, a few an interval at most.
func (r *confirmRenderer) already(dst []byte, sub *Subscriber) ([]byte, error) {
	d := AlreadyMail{
		Name: oneLineName(sub.Name), Email: sub.Email, Lists: sub.Lists, Publisher: r.pub.Name, BaseURL: r.pub.PublicURL, Brand: r.pub.Brand(),
	}
	d.PreferencesURL, d.UnsubscribeURL = r.links(sub.ID)
	text, html, err := r.c.Templates.Mail("already", d)
	if err != nil {
		return dst, err
	}
	msg := &mailer.Message{
		From: r.from(), To: &mail.Address{Address: sub.Email},
		Subject: "Your subscription to " + r.pub.Name, Text: text, HTML: html, Date: r.date, Headers: r.headers(),
	}
	raw, err := msg.Compose()
	return append(dst, raw...), err
}

// links are the preferences and unsubscribe links of reader id, signed
// as every other mail's are, for the mails to a confirmed reader.
func (r *confirmRenderer) links(id int64) (preferences, unsubscribe string) {
	base := r.pub.PublicURL
	return base + "/preferences/" + r.c.Signer.Sign(TokenPreferences, id, 0),
		base + "/unsubscribe/" + r.c.Signer.Sign(TokenUnsubscribe, id, 0)
}

// oneLineName is name as a mail's text part may show it, on the greeting's
// line: a name stored before NormalizeName refused line breaks, other
// control characters and bidirectional overrides has each of them as a
// space, and one stored before it collapsed runs of white space has each
// run as one space, as a campaign's {{ .Name }} does. The HTML part
// escapes it too.
func oneLineName(name string) string {
	return strings.TrimSpace(mailer.CollapseSpaces(strings.Map(func(r rune) rune {
		if badNameRune(r) {
			return ' '
		}
		return r
	}, name)))
}

// mailBufs hold the bytes of confirmations once sent, for the next ones:
// a mail is a few kilobytes, and under a signup load composing them made
// a quarter of serve's garbage.
var mailBufs sync.Pool

func getMailBuf() []byte {
	if b, ok := mailBufs.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, 8<<10)
}

func putMailBuf(b []byte) {
	if cap(b) == 0 || cap(b) > 64<<10 {
		return // none, or a mail far past the usual: let it go
	}
	mailBufs.Put(&b)
}

// awaitingMail is the SQL condition on a subscribers row that a
// confirmation mail may go to: a pending subscriber, or a confirmed or
// unsubscribed one with a signup request waiting for its click (for a
// confirmed reader, maybe one that asks for nothing: see alreadyTx),
// whose address is not suppressed. A suppressed address signs up and is
// imported as any other (the answer tells nothing), and is mailed nothing.
const awaitingMail = `((status = 'pending' OR (status IN ('confirmed', 'unsubscribed')
	AND subscribers.id IN (SELECT subscriber_id FROM signup_requests))) AND NOT ` + events.SuppressedSQL + `)`

// claimChunk is how many confirmations claimConfirms claims in one
// transaction: each holds the one write connection, which the signups'
// group commit waits for, so a task claims in short turns (64 took 1.3 ms
// at the median, 5 ms at p90, with the signups beside, when the claim
// still read the rows inside its transaction). Under load nearly
// every task is full (250–256 signups in the signup benchmark): 16 a turn
// made 16 transactions of one task, each reading the lists' names and
// committing pages the next one rewrites, and cost 10–15 % of serve's CPU
// a signup against 64 (measured); a single turn of 256 measured no better
// than 4.
const claimChunk = 64

// A claim is a subscriber whose mail a confirm task claimed, with the
// name and lists the mail shows.
type claim struct {
	*Subscriber
	// already: a confirmed reader with nothing to confirm, whose mail is
	// the already-subscribed one; its Lists are those they are on.
	already bool
	// confirmed: a confirmed reader asked to confirm Lists, who keeps the
	// lists keeps (those they are on) whatever they do with the mail.
	// Both mails to a confirmed reader carry their own Name.
	confirmed bool
	keeps     []string
}

// claimConfirms marks (confirm_queued = 2) the items whose row still awaits
// a mail flagged for that very request, returning those subscribers with
// the name and lists the mail shows: the reader's name, or the requested
// one when the reader has none (a confirmed reader's, their own only),
// and the lists the click will confirm; for a confirmed reader, the lists
// they are on as well (for the already-subscribed mail, when they have
// none to confirm, in Lists).
// Each item's claim stands alone, so they are claimed claimChunk at a
// time, in transactions of their own.
func (s *Store) claimConfirms(ctx context.Context, items []queue.ConfirmItem) ([]*claim, error) {
	var out []*claim
	for chunk := range slices.Chunk(items, claimChunk) {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		// A chunk is a few short statements: the task's end is honoured
		// between chunks, and each statement then runs on the calling
		// goroutine (the driver runs a cancellable one on a goroutine of
		// its own, to interrupt it).
		subs, err := s.claimChunk(context.WithoutCancel(ctx), chunk)
		out = append(out, subs...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// claimChunk claims items in one transaction; see claimConfirms. What the
// mails show (the rows, their requests and subscriptions, the lists'
// names) is read first, on the read pool: the write connection, which
// the signups' group commit waits for, is held only for the claim, one
// UPDATE that takes a row only while it still awaits the very request
// its item names, as read (the same confirm_sent_at, still flagged,
// still awaiting a mail). A row that changed in between (a click on an
// older link, an unsubscribe, a newer request) is not claimed: its
// state decides, as if the change had come before the read.
func (s *Store) claimChunk(ctx context.Context, items []queue.ConfirmItem) ([]*claim, error) {
	names, err := listNames(ctx, s.db.Read)
	if err != nil {
		return nil, err
	}
	rows, err := awaitingConfirm(ctx, s.db.Read, items)
	if err != nil {
		return nil, err
	}
	var mine []int64
	var want []claimWant
	for _, it := range items {
		r, ok := rows[it.ID]
		if !ok || slices.Contains(mine, it.ID) || !r.sentAt.Valid || r.sentAt.Time.UnixMicro() != it.SentAt {
			continue // sent already, superseded, confirmed, erased, or twice in the task
		}
		mine = append(mine, it.ID)
		want = append(want, claimWant{ID: it.ID, SentAt: r.sentText})
	}
	if len(mine) == 0 {
		return nil, nil
	}
	subs, err := subscriptionsOf(ctx, s.db.Read, mine)
	if err != nil {
		return nil, err
	}
	// What each mail shows is settled before the claim: a row claimed
	// and then found unmailable would wait for the reconciler.
	prepared := make(map[int64]*claim, len(mine))
	for _, id := range mine {
		r := rows[id]
		if r.sub.Lists, err = mailLists(names, subs[id], r.sub.Status, r.reqLists); err != nil {
			return nil, err
		}
		c := &claim{Subscriber: r.sub}
		if r.sub.Status == StatusConfirmed {
			// A confirmed reader's mail greets them by their own name, not
			// by one a signup asked for, and names the lists they are on.
			r.sub.Name = r.ownName
			if len(r.sub.Lists) == 0 {
				c.already, r.sub.Lists = true, activeNames(names, subs[id])
			} else {
				c.confirmed, c.keeps = true, activeNames(names, subs[id])
			}
		}
		prepared[id] = c
	}
	for i := range want {
		want[i].Link = !prepared[want[i].ID].already
	}
	var claimed map[int64]bool
	err = s.db.ConnTx(ctx, func(tx sqlite.Querier) error {
		claimed, err = claimRows(ctx, tx, want)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []*claim
	for _, id := range mine {
		if claimed[id] {
			out = append(out, prepared[id])
		}
	}
	return out, nil
}

// A claimWant is a row claimRows may claim: its id and its confirm_sent_at
// as stored, which the claim must still find, and whether its mail
// carries a confirmation link (all but the already-subscribed mail).
type claimWant struct {
	ID     int64  `json:"id"`
	SentAt string `json:"sent_at"`
	Link   bool   `json:"-"`
}

// claimRowsSQL claims (confirm_queued = 2) each row of a JSON array of
// claimWant that still holds the same confirm_sent_at, is still flagged,
// and still awaits a mail, returning the ids it claimed. The rows are
// found through the array (CROSS JOIN, as in awaitingConfirmSQL): without
// it SQLite walks subscribers_status for every pending reader, a claim
// that grows with the list and holds the write connection. When ?3 is
// true the rows' mails carry a confirmation link, and they get
// confirm_link_at, the time that link is signed for (ConfirmLink); the
// already-subscribed mail, which has none, leaves the link of the
// confirmation before it. The two kinds are claimed by a statement each
// (claimRows): a test of each row against the array, in the statement,
// made the claim of 64 rows parse the array 64 times more, and held the
// write connection long enough to double the signups' p99.
const claimRowsSQL = `UPDATE subscribers SET confirm_queued = 2, confirm_claimed_at = ?1,
	confirm_link_at = CASE WHEN ?3 THEN confirm_sent_at ELSE confirm_link_at END
	WHERE id IN (SELECT subscribers.id FROM json_each(?2) AS want CROSS JOIN subscribers ON subscribers.id = want.value ->> 'id'
		WHERE confirm_sent_at = want.value ->> 'sent_at' AND confirm_queued = 1 AND ` + awaitingMail + `)
	RETURNING id`

// claimRows runs claimRowsSQL for want, returning the ids claimed,
// dated by claimStamp(ctx).
func claimRows(ctx context.Context, tx sqlite.Querier, want []claimWant) (map[int64]bool, error) {
	claimed := make(map[int64]bool, len(want))
	stamp := claimStamp(ctx, time.Now())
	var links, others []claimWant
	for _, w := range want {
		if w.Link {
			links = append(links, w)
		} else {
			others = append(others, w)
		}
	}
	for _, group := range []struct {
		want []claimWant
		link bool
	}{{links, true}, {others, false}} {
		if len(group.want) == 0 {
			continue
		}
		if err := claimGroup(ctx, tx, group.want, group.link, stamp, claimed); err != nil {
			return nil, err
		}
	}
	return claimed, nil
}

// claimGroup is claimRows for rows whose mails all carry a confirmation
// link, or none does (link), adding the ids it claimed to claimed.
func claimGroup(ctx context.Context, tx sqlite.Querier, want []claimWant, link bool, stamp int64, claimed map[int64]bool) error {
	buf, err := json.Marshal(want)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, claimRowsSQL, stamp, string(buf), link)
	if err != nil {
		return fmt.Errorf("claim confirmation: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("claim confirmation: %w", err)
		}
		claimed[id] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("claim confirmation: %w", err)
	}
	return nil
}

// claimStamp is the confirm_claimed_at, in Unix seconds, of the claims a
// task run with ctx makes at now: now, for a task of the queue (asynq's);
// reconcileAge later for one run outside it, by import with the embedded
// Redis sending the confirmations of its readers in its own process. The
// reconciler of a serve that starts while such an import runs cannot
// tell its claims from those of the serve that died before (see
// lostBefore), and would take them while the import sends them: dated
// ahead, they are left to the age rule, which takes them once they are
// reconcileAge old by that date, 6 minutes after the claim if the import
// died with them.
func claimStamp(ctx context.Context, now time.Time) int64 {
	if _, ok := asynq.GetTaskID(ctx); !ok {
		now = now.Add(reconcileAge)
	}
	return now.Unix()
}

// activeNames returns the names of the lists in subs (list → status, from
// subscriptionsOf) the reader is active on, in list order, as mailLists
// orders its own.
func activeNames(names map[int64]string, subs map[int64]string) []string {
	var ids []int64
	for lid, st := range subs {
		if st == SubActive {
			ids = append(ids, lid)
		}
	}
	slices.Sort(ids)
	var out []string
	for _, lid := range ids {
		if n, ok := names[lid]; ok {
			out = append(out, n)
		}
	}
	return out
}

// An awaitingRow is a subscriber whose confirmation a task may send, with
// what the mail shows.
type awaitingRow struct {
	sub      *Subscriber // Name is the requested one when the reader has none
	ownName  string      // the reader's own name, "" when they have none
	sentAt   sql.NullTime
	sentText string // confirm_sent_at as stored, for the claim to compare
	reqLists string // the request's lists, a JSON array of ids
}

// awaitingConfirmSQL reads the rows of a JSON array of ids, each by its
// id: CROSS JOIN keeps SQLite from walking subscribers_status for the
// pending readers instead, which awaitingMail would let it.
const awaitingConfirmSQL = `SELECT subscribers.id, email, subscribers.name, status, confirm_sent_at, ifnull(confirm_sent_at, ''), r.name, r.lists
	FROM json_each(?) AS want CROSS JOIN subscribers ON subscribers.id = want.value
	LEFT JOIN signup_requests r ON r.subscriber_id = subscribers.id
	WHERE confirm_queued = 1 AND ` + awaitingMail

// awaitingConfirm reads the rows of items that are flagged for a mail
// (confirm_queued = 1) and may get one (awaitingMail), by id.
func awaitingConfirm(ctx context.Context, tx sqlite.Querier, items []queue.ConfirmItem) (map[int64]*awaitingRow, error) {
	want := make([]int64, len(items))
	for i, it := range items {
		want[i] = it.ID
	}
	rows, err := tx.QueryContext(ctx, awaitingConfirmSQL, idsJSON(want))
	if err != nil {
		return nil, fmt.Errorf("claim confirmation: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]*awaitingRow, len(items))
	for rows.Next() {
		r := &awaitingRow{sub: &Subscriber{}}
		var reqName, reqLists sql.NullString
		if err := rows.Scan(&r.sub.ID, &r.sub.Email, &r.sub.Name, &r.sub.Status, &r.sentAt, &r.sentText, &reqName, &reqLists); err != nil {
			return nil, fmt.Errorf("claim confirmation: %w", err)
		}
		r.ownName = r.sub.Name
		if r.sub.Name == "" {
			r.sub.Name = reqName.String
		}
		r.sub.confirmSentAt = r.sentAt.Time
		r.reqLists = cmp.Or(reqLists.String, "[]")
		out[r.sub.ID] = r
	}
	return out, rows.Err()
}

// A refusal is a mail the relay refused for good (a 5xx to its address),
// with its reply.
type refusal struct {
	sub   *claim
	reply string
}

// finishConfirms clears the flag of sent mails and hands failed ones back
// (confirm_queued = 1) for the retry or the reconciler. The request that
// marked an already-subscribed mail (already, of those sent or refused)
// has done its work and goes, unless a signup added a list to it
// meanwhile (its mail is then due: see holdRequest) or flagged a newer
// mail. A refused mail's flag is cleared too, and the refusal recorded
// as the reader's bounce (recordRefusals).
func (s *Store) finishConfirms(ctx context.Context, sent, failed, already []int64, refused ...refusal) error {
	if len(sent) == 0 && len(failed) == 0 && len(refused) == 0 {
		return nil
	}
	// The mails have gone: recording it must outlast the task's deadline
	// and a shutdown, or the rows would stay claimed and the reconciler
	// would send them again.
	ctx = context.WithoutCancel(ctx)
	// One statement for each outcome: the write connection is held for
	// two, not one per mail.
	var gone []int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if gone, err = recordRefusals(ctx, tx, refused); err != nil {
			return err
		}
		for _, o := range []struct {
			flag int
			ids  []int64
		}{{0, sent}, {1, failed}} {
			if len(o.ids) == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET confirm_queued = ?
				WHERE id IN (SELECT value FROM json_each(?)) AND confirm_queued = 2`, o.flag, idsJSON(o.ids)); err != nil {
				return fmt.Errorf("finish confirmations: %w", err)
			}
		}
		if len(already) == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM signup_requests WHERE lists = '[]' AND subscriber_id IN
			(SELECT id FROM subscribers WHERE id IN (SELECT value FROM json_each(?)) AND confirm_queued = 0)`, idsJSON(already))
		if err != nil {
			return fmt.Errorf("finish confirmations: %w", err)
		}
		return nil
	})
	if err == nil {
		s.recordGone(ctx, gone...)
	}
	return err
}

// Confirm carries out what the confirmation link of subscriber id stands
// for: a pending subscriber becomes confirmed with its lists active, and a
// waiting signup request (see signupTx) is applied, which confirms an
// unsubscribed reader again. Confirming twice changes nothing more. A
// bounced or erased subscriber is not found: the link is stale, and a new
// signup sends a new one. An unsubscribed one without a request left
// after the mail went (ErrUnsubscribedSince): a new signup starts again.
// Each list joined that has a welcome text gets its welcome mail recorded
// in the same transaction, and queued once committed.
//
// Confirm takes no link: /confirm goes through ConfirmLink, which checks
// that its link is the latest mail's.
func (s *Store) Confirm(ctx context.Context, id int64) (*Subscriber, error) {
	return s.confirm(ctx, id, nil)
}

// ConfirmLink carries out the confirmation link token, as Confirm does,
// when it is the link of the latest confirmation mail sent to its reader.
// A link from an older mail is stale: a newer mail went, naming every list
// the request holds. The latest mail's link applies the request as it
// stands at the click, with the lists of signups held within
// ConfirmInterval after that mail (holdRequest): the reader asked for
// them, no mail could go for them yet, and the page that answers the
// click shows every list the reader is on.
// The token is checked against a read before the write transaction, so a
// forged one never holds the write connection; the transaction then checks
// that no newer mail was flagged in between.
//
// The already-subscribed mail to a confirmed reader moves confirm_sent_at
// as a confirmation does, and carries no confirmation link: the link of
// the latest confirmation before it (confirm_link_at) still answers for
// a reader confirmed, "however often the link is clicked" (stillConfirmed).
//
// When every list the latest mail's link asked for has been deleted
// since, it returns ErrListsGone with the reader as they are, and changes
// nothing.
func (s *Store) ConfirmLink(ctx context.Context, signer *Signer, token string) (*Subscriber, error) {
	id, ok := signer.claimedID(token)
	if !ok {
		return nil, errStaleLink
	}
	var (
		status                    string
		sentAt, linkAt, changedAt sql.NullTime
		asking                    bool
	)
	err := s.db.Read.QueryRowContext(ctx, `SELECT status, confirm_sent_at, confirm_link_at, email_changed_at,
		EXISTS (SELECT 1 FROM signup_requests r WHERE r.subscriber_id = subscribers.id AND r.lists != '[]')
		FROM subscribers WHERE id = ?`, id).Scan(&status, &sentAt, &linkAt, &changedAt, &asking)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errStaleLink
	} else if err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	if !latestLink(signer, token, sentAt) {
		if stillConfirmed(signer, token, status, sentAt, linkAt, changedAt, asking) {
			return s.Get(ctx, id)
		}
		return nil, errStaleLink
	}
	if linkChecked != nil {
		linkChecked()
	}
	return s.confirm(ctx, id, func(now sql.NullTime) bool { return now.Valid && now.Time.Equal(sentAt.Time) })
}

// stillConfirmed reports whether token, not the link of the mail flagged
// at sentAt, is that of the latest confirmation mail (flagged at linkAt)
// to a reader who is confirmed, the mails sent since being
// already-subscribed ones only, which replace no link. It changes
// nothing: the reader is confirmed, and no list waits for a link (asking:
// a request of lists waits, which only a newer confirmation's link
// applies). A link mailed to an address the reader no longer has (an
// editor changed it since, changedAt) does not pass, as a link of the
// confirmations before linkAt does not, nor one for another reader,
// altered or expired.
func stillConfirmed(signer *Signer, token, status string, sentAt, linkAt, changedAt sql.NullTime, asking bool) bool {
	if status != StatusConfirmed || asking || !linkAt.Valid || (sentAt.Valid && linkAt.Time.Equal(sentAt.Time)) {
		return false
	}
	if changedAt.Valid && !changedAt.Time.Before(linkAt.Time) {
		return false
	}
	return latestLink(signer, token, linkAt)
}

// linkChecked, when set by a test, runs between ConfirmLink's check of the
// token and its transaction.
var linkChecked func()

// ConfirmPurpose is the token purpose of the link in the confirmation mail
// flagged at sentAt (the row's confirm_sent_at): the link passes until a
// newer confirmation mail is flagged.
func ConfirmPurpose(sentAt time.Time) string {
	return TokenConfirm + "@" + strconv.FormatInt(sentAt.UnixMicro(), 10)
}

// latestLink reports whether token is the link of the confirmation mail
// flagged at sentAt.
func latestLink(signer *Signer, token string, sentAt sql.NullTime) bool {
	if !sentAt.Valid {
		return false
	}
	if _, _, err := signer.verify(ConfirmPurpose(sentAt.Time), token); err == nil {
		return true
	}
	// A link mailed before links named their mail, signed for the bare
	// purpose, passes when it was made within the hour after sentAt: its
	// expiry is all it tells of when that was. Such links expire within
	// ConfirmTTL of the upgrade.
	_, exp, err := signer.verify(TokenConfirm, token)
	made := int64(exp) - int64(ConfirmTTL/time.Hour) - 1 // the hour it was made in
	at := sentAt.Time.Unix() / 3600
	return err == nil && made >= at && made <= at+1
}

// confirm is Confirm, refusing the link as stale when current is set and
// says no to the row's confirm_sent_at as the transaction reads it.
func (s *Store) confirm(ctx context.Context, id int64, current func(sentAt sql.NullTime) bool) (*Subscriber, error) {
	now := sqlite.Now()
	var welcomes []queue.WelcomePayload
	var d *departure // nil when nothing changed
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var status, email string
		var sentAt sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT status, email, confirm_sent_at FROM subscribers WHERE id = ?`, id).
			Scan(&status, &email, &sentAt)
		if errors.Is(err, sql.ErrNoRows) {
			return errStaleLink
		} else if err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		if current != nil && !current(sentAt) {
			return errStaleLink
		}
		req, err := loadRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case status == StatusBounced:
			return errStaleLink
		case status == StatusUnsubscribed && req == nil:
			return ErrUnsubscribedSince
		case status == StatusConfirmed && (req == nil || req.lists == "[]"):
			return nil // nothing to confirm; a request of no list marks an already-subscribed mail
		}
		if gone, err := listsGone(ctx, tx, id, status, req); err != nil {
			return err
		} else if gone {
			return ErrListsGone
		}
		before, err := activeLists(ctx, tx, id)
		if err != nil {
			return err
		}
		if status != StatusConfirmed {
			if err := confirmTx(ctx, tx, id, now); err != nil {
				return err
			}
		}
		if req != nil {
			if err := applyRequest(ctx, tx, id, req, now); err != nil {
				return err
			}
		}
		if welcomes, err = welcomeTx(ctx, tx, id, before, now); err != nil {
			return err
		}
		if err := hooks.EmitSubscriber(ctx, tx, hooks.StatusEvent(status, StatusConfirmed), id); err != nil {
			return err
		}
		// The person has consented again: an old erasure no longer stands
		// in the way of an import.
		if _, err := tx.ExecContext(ctx, `DELETE FROM erasures WHERE email_hash = ?`, s.EmailHash(email)); err != nil {
			return err
		}
		// A reader who left and confirms again gets the deliveries still
		// queued to them: workers are told they are back.
		got, err := departureTx(ctx, tx, id)
		d = &got
		return err
	})
	if errors.Is(err, ErrListsGone) {
		sub, gerr := s.Get(ctx, id)
		if gerr != nil {
			return nil, gerr
		}
		return sub, ErrListsGone
	} else if err != nil {
		return nil, err
	}
	s.queueWelcomes(ctx, welcomes)
	if d != nil {
		s.recordDeparture(ctx, id, *d)
	}
	return s.Get(ctx, id)
}

// errStaleLink answers a confirmation link that no longer applies.
var errStaleLink = bulletin.Errorf(bulletin.ENOTFOUND, "This link is no longer valid.")

// ErrUnsubscribedSince answers the link of the latest confirmation mail to
// a reader who was unsubscribed after it went (which ends the request it
// asked to confirm): it no longer applies, for that reason. Only the
// holder of the signed link learns it.
var ErrUnsubscribedSince = bulletin.Errorf(bulletin.ENOTFOUND, "You unsubscribed after this link was sent.")

// ErrListsGone answers the link of the latest confirmation mail when every
// list it asked the reader to confirm has been deleted since: the click
// confirms nothing and changes nothing (a pending reader stays pending, a
// confirmed one keeps their lists, an unsubscribed one stays so). Confirm
// and ConfirmLink return it with the reader as they are. When some of the
// lists are left, the click confirms those as always.
var ErrListsGone = bulletin.Errorf(bulletin.ENOTFOUND, "The list this link confirms no longer exists.")

// listsGone reports whether every list the confirmation of subscriber id
// (of status, with its request req, nil when none) asked for is deleted.
// The lists asked for are the request's, whose ids stay in it when a list
// goes, and for a pending reader their subscriptions, which go with the
// list: a pending reader with none left at all whom a signup mailed
// (confirm_unanswered, which an editor's or an import's mail does not
// count) asked for lists that are gone. A pending reader an editor added
// on no list asked for none, and confirms as before.
func listsGone(ctx context.Context, tx *sql.Tx, id int64, status string, req *request) (bool, error) {
	reqLists := "[]"
	if req != nil {
		reqLists = req.lists
	}
	var left, on, rows, unanswered int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM lists WHERE id IN (SELECT value FROM json_each(?))),
		(SELECT COUNT(*) FROM subscriptions WHERE subscriber_id = ? AND status != 'unsubscribed'),
		(SELECT COUNT(*) FROM subscriptions WHERE subscriber_id = ?),
		confirm_unanswered
		FROM subscribers WHERE id = ?`, reqLists, id, id, id).Scan(&left, &on, &rows, &unanswered)
	if err != nil {
		return false, fmt.Errorf("confirm: %w", err)
	}
	asked := reqLists != "[]"
	if status == StatusPending {
		// The confirmation activates their pending lists too.
		left += on
		asked = asked || (rows == 0 && unanswered > 0)
	}
	return asked && left == 0, nil
}

// confirmTx makes subscriber id confirmed and its pending lists active.
func confirmTx(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'confirmed', confirmed_at = ?, updated_at = ?,
		unsubscribed_at = NULL WHERE id = ?`, now, now, id); err != nil {
		return fmt.Errorf("confirm: %w", err)
	}
	if err := activatePending(ctx, tx, id, now); err != nil {
		return fmt.Errorf("confirm: %w", err)
	}
	return nil
}
