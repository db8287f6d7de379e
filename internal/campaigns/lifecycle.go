package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/hooks"
	"github.com/bulletinhq/bulletin/internal/queue"
	"github.com/bulletinhq/bulletin/internal/tracking"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
	"github.com/bulletinhq/bulletin/templates"
)

// A Service runs campaigns: the store, and what sending needs around it.
type Service struct {
	*Store
	Queue     queue.Enqueuer
	Redis     redis.UniversalClient // for the stop flags workers read; may be nil
	Signer    *subscribers.Signer
	Templates *templates.Templates
	Transport mailer.Transport // for test sends and welcome mails
	// Gate, when set, is the refusal gate welcome mails wait at while the
	// mail server refuses every message, with the campaign batches of the
	// process (mailer.Gate); a test send, answered in its request, does
	// not.
	Gate *mailer.Gate
	// Welcomes holds the welcome mails HandleWelcome sends.
	Welcomes WelcomeStore
	BaseURL  string
	From     string
	// Settings, when set, give the publication's name, brand, public URL,
	// From and Reply-To, in place of BaseURL and From (see publication).
	Settings Publisher
	Log      *slog.Logger
	// VERP, when set, gives each delivery its own envelope sender on the
	// bounce domain (queue.Recipient.ReturnPath).
	VERP *bounces.VERP
	// Tracker, when set, signs the tracked links of campaigns and digests
	// and each delivery's reader token (SPEC §7); without it no link is
	// rewritten, whatever the lists say.
	Tracker *tracking.Signer
	// PageSize is the recipients per fan-out page and mail:send task.
	PageSize int
	// MaxQueued holds the fan-out back while this many deliveries of the
	// campaign wait, so memory stays flat for any list size.
	MaxQueued int
	// Kick, when set, is given each batch of a campaign to send at once in
	// this process, instead of queueing its mail:send task; it queues the
	// task (EnqueueSend) only for what it could not finish, such as
	// temporary failures. It may block while the local sender is busy,
	// which paces the fan-out. serve sets it when it sends itself: sending
	// then never waits for a queue poll, and no task decodes and claims a
	// batch already sent. A batch lost with the process is still queued in
	// its rows, and the reconciler queues its task. With Kick set, the
	// fan-out inserts each page's deliveries claimed by this process
	// (SendPayload.ClaimedUntil), so its sender need not claim them.
	Kick func(p *queue.SendPayload)

	// watch is the stall watcher's memory (Watch), which the campaign's
	// page reads (Stalled).
	watch watchState
}

// conflict is the answer to a lifecycle step the status does not allow:
// what c is now, then what the step needs.
func conflict(c *Campaign, action string) error {
	return bulletin.Errorf(bulletin.ECONFLICT, "Campaign %d %s; only %s can be %s.", c.ID, statusPhrase(c.Status), canBe[action], action)
}

// canBe names the campaigns a lifecycle step (transition's action) may
// be taken on.
var canBe = map[string]string{
	"sent":      "a draft or a scheduled campaign",
	"paused":    "a campaign that is sending",
	"resumed":   "a paused campaign",
	"cancelled": "a scheduled, sending or paused campaign",
}

// statusPhrase says what a campaign in status is, after its name:
// "Campaign 1 has been sent already".
func statusPhrase(status string) string {
	switch status {
	case StatusDraft:
		return "is a draft"
	case StatusSending:
		return "is sending already"
	case StatusSent:
		return "has been sent already"
	case StatusCancelled:
		return "has been cancelled"
	}
	return "is " + status // scheduled, paused
}

// transition moves campaign id from one of from to status to, in tx.
func (s *Service) transition(ctx context.Context, id int64, action, to string, from ...string) (*Campaign, error) {
	c, err := s.head(ctx, id)
	if err != nil {
		return nil, s.orDigest(ctx, id, action, err)
	}
	now := s.now()
	var lang string
	if to == StatusSending {
		lang = s.publication(ctx).Brand().Lang()
	}
	audience := -1 // counted as it started, when campaign.started was wanted
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		set, args := stamp(to, now, lang)
		q := `UPDATE campaigns SET status = ?, updated_at = ?` + set + ` WHERE id = ? AND status IN (?` + strings.Repeat(",?", len(from)-1) + `)`
		args = append([]any{to, now}, append(args, id)...)
		for _, f := range from {
			args = append(args, f)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("%s campaign: %w", action, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// c's status may be one of from, read before another
			// request moved it: say what it is now (on a failure, what
			// it was).
			tx.QueryRowContext(ctx, `SELECT status FROM campaigns WHERE id = ?`, id).Scan(&c.Status)
			return conflict(c, action)
		}
		switch {
		case to == StatusSending && c.StartedAt == nil:
			audience, err = startedTx(ctx, tx, id, now)
		case to == StatusCancelled:
			err = cancelledTx(ctx, tx, id, now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if audience >= 0 {
		// The start's answer (Get) gives the count its event gave, and
		// reads every reader of the lists once, not twice.
		s.fanning.put(id, audience, now)
	}
	if to == StatusPaused || to == StatusCancelled {
		s.recordStop(ctx, id, to, now)
	}
	return s.Get(ctx, id)
}

// startedTx follows the start of campaign id in tx: it emits
// campaign.started and forgets a send time still to come. It returns the
// readers the campaign is going to, the event's total, or -1 when no
// endpoint wants the event: the count reads every reader of its lists
// (tenths of a second for a million) while tx holds the write lock.
func startedTx(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (int, error) {
	audience := -1
	if want, err := hooks.Wanted(ctx, tx, hooks.CampaignStarted); err != nil {
		return -1, err
	} else if want {
		// Its fan-out has made no delivery yet: the deliveries the other
		// events count would say 0.
		if err := tx.QueryRowContext(ctx, campaignAudienceSQL, id).Scan(&audience); err != nil {
			return -1, fmt.Errorf("campaign audience: %w", err)
		}
		if err := hooks.EmitStarted(ctx, tx, id, audience); err != nil {
			return -1, err
		}
	}
	// A scheduled campaign sent before its time did not start then: its
	// send_at would tell the API and the pages a time that never came.
	// Its scheduled start, up to 5 s early (startScheduled), keeps it.
	early := now.Add(5 * time.Second).UTC().Truncate(time.Second)
	_, err := tx.ExecContext(ctx, `UPDATE campaigns SET send_at = NULL, send_zone = '' WHERE id = ? AND send_at > ?`, id, early)
	return audience, err
}

// cancelledTx follows the cancel of campaign id in tx: what was not sent
// is skipped, and a campaign that had started sending emits
// campaign.finished, its status cancelled, so that integrations told it
// started learn it ended. One cancelled before it started (scheduled)
// was never said to start and emits nothing. The event comes once: only
// one cancel moves a campaign, and a cancelled one is never sent
// (completeTx).
func cancelledTx(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped', claimed_until = NULL, updated_at = ?
		WHERE campaign_id = ? AND status = 'queued'`, now, id); err != nil {
		return fmt.Errorf("cancel campaign: %w", err)
	}
	// Read here, not from the campaign read before tx: a scheduled
	// campaign may have started meanwhile.
	var started bool
	if err := tx.QueryRowContext(ctx, `SELECT started_at IS NOT NULL FROM campaigns WHERE id = ?`, id).Scan(&started); err != nil {
		return fmt.Errorf("cancel campaign: %w", err)
	}
	if !started {
		return nil
	}
	return hooks.EmitCampaign(ctx, tx, hooks.CampaignFinished, id)
}

// stamp returns the extra SET clause of a transition to to, and its
// arguments. Each forgets the readers not reached that an earlier pause
// counted: a campaign sending again has none, and recordStop counts a
// pause's or a cancel's as they are now. A campaign starting keeps lang,
// the publication's language now (templates.Brand.Lang), for its mails
// and its archive page; one resumed keeps the language it started in.
// It forgets the send time it once missed (Campaign.MissedSendAt): it
// is sent now.
func stamp(to string, now time.Time, lang string) (string, []any) {
	switch to {
	case StatusSending:
		return `, started_at = COALESCE(started_at, ?), language = CASE WHEN language = '' THEN ? ELSE language END,
			not_reached = NULL, missed_send_at = NULL`, []any{now, lang}
	case StatusPaused:
		return `, not_reached = NULL`, nil
	case StatusCancelled:
		return `, finished_at = ?, not_reached = NULL`, []any{now}
	}
	return "", nil
}

// NoListMessage is why a campaign with no list, its lists deleted, is
// not sent.
const NoListMessage = "choose at least one list: every list of this campaign was deleted"

// Send starts a draft or scheduled campaign now. Sending twice is a
// conflict.
// A campaign its lists give no reader is refused: there is nobody to send
// it to, which is surely not what the editor meant.
func (s *Service) Send(ctx context.Context, id int64) (*Campaign, error) {
	ok, err := s.Reaches(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		if c, err := s.head(ctx, id); err != nil || !editable(c.Status) {
			_, err = s.transition(ctx, id, "sent", StatusSending, StatusDraft, StatusScheduled)
			return nil, err // not found, or the conflict of sending twice
		}
		if c, err := s.Get(ctx, id); err == nil && len(c.Lists) == 0 {
			// Its lists were deleted (a draft may outlive them, or be
			// duplicated from a campaign that did).
			return nil, bulletin.Invalid(map[string]string{"lists": NoListMessage})
		}
		return nil, bulletin.Invalid(map[string]string{"lists": "have no confirmed reader: this campaign would reach nobody"})
	}
	return s.start(ctx, id)
}

// start moves a draft or scheduled campaign to sending and queues its
// fan-out.
func (s *Service) start(ctx context.Context, id int64) (*Campaign, error) {
	c, err := s.transition(ctx, id, "sent", StatusSending, StatusDraft, StatusScheduled)
	if err != nil {
		return nil, err
	}
	// Only one start can move the campaign from draft or scheduled: the
	// line is written once, however many tasks and requests try.
	s.logSending(id, "campaign", c.Audience)
	s.lowerStop(ctx, id)
	s.forgetWorkersSent(ctx, id)
	if s.Kick != nil {
		go s.fanoutNow(context.WithoutCancel(ctx), id)
	}
	return c, s.enqueueFanout(ctx, s.Queue, id)
}

// fanoutNow runs the fan-out at once in this process, so the first
// message leaves without waiting for the queue to be polled. The queued
// fan-out task, should it run meanwhile, takes the pages after the cursor
// this one has moved, and carries on if this process dies.
func (s *Service) fanoutNow(ctx context.Context, id int64) {
	if err := s.fanout(ctx, id); err != nil {
		s.log().Error("fan-out; the queued fan-out goes on", "campaign", id, "err", err)
	}
}

// Pause stops a sending campaign after the messages in flight.
func (s *Service) Pause(ctx context.Context, id int64) (*Campaign, error) {
	c, err := s.transition(ctx, id, "paused", StatusPaused, StatusSending)
	if err == nil {
		s.raiseStop(ctx, id, 0)
		s.log().Info("campaign paused", "campaign", id)
	}
	return c, err
}

// Resume sends the rest of a paused campaign.
func (s *Service) Resume(ctx context.Context, id int64) (*Campaign, error) {
	c, err := s.transition(ctx, id, "resumed", StatusSending, StatusPaused)
	if err != nil {
		return nil, err
	}
	s.lowerStop(ctx, id)
	s.log().Info("campaign resumed", "campaign", id)
	if _, err := s.reconcileCampaign(ctx, s.Queue, id); err != nil {
		return nil, err
	}
	return c, nil
}

// Cancel stops a scheduled, sending or paused campaign for good; what
// was not sent is skipped. A draft has nothing to cancel: it is deleted
// instead (a cancelled draft could be neither edited nor deleted).
func (s *Service) Cancel(ctx context.Context, id int64) (*Campaign, error) {
	c, err := s.transition(ctx, id, "cancelled", StatusCancelled, StatusScheduled, StatusSending, StatusPaused)
	if err == nil {
		// A cancel is for good: once the tasks queued before it have run
		// (seen the flag and ended), nothing reads the flag again.
		s.raiseStop(ctx, id, queue.CancelledStopTTL)
		s.log().Info("campaign cancelled", "campaign", id)
		return c, nil
	}
	if bulletin.ErrorCode(err) == bulletin.ECONFLICT {
		if h, herr := s.head(ctx, id); herr == nil && h.Status == StatusDraft {
			return nil, bulletin.Errorf(bulletin.ECONFLICT, "Campaign %d is a draft: nothing is being sent, so there is nothing to cancel. Delete the draft instead.", id)
		}
	}
	return nil, err
}

// raiseStop raises the flag stateless workers check before each chunk
// and while its messages wait to go out (mailer.StopChecker), for ttl
// (0: until lowered). The primary's own sender reads the status from
// SQLite instead, so a failure here is logged, not returned.
func (s *Service) raiseStop(ctx context.Context, id int64, ttl time.Duration) {
	if s.Redis == nil {
		return
	}
	if err := s.Redis.Set(ctx, queue.StopKey(id), "1", ttl).Err(); err != nil {
		s.log().Error("raise campaign stop flag", "campaign", id, "err", err)
	}
}

// forgetWorkersSent empties the hash where workers remember, by
// delivery, what they sent of campaign id (queue.DoneKey), as it starts:
// it has sent nothing yet. A database restored from a backup gives the
// next campaign the id of one made after the backup, and its deliveries
// the same ids for the same readers; the workers' memory of that lost
// campaign, kept a week, had them report every reader sent unmailed. A
// failure is logged: the hash is that rare case's only.
func (s *Service) forgetWorkersSent(ctx context.Context, id int64) {
	if s.Redis == nil {
		return
	}
	if err := s.Redis.Del(ctx, queue.DoneKey(id)).Err(); err != nil {
		s.log().Error("forget what workers sent of an earlier campaign of the same id", "campaign", id, "err", err)
	}
}

// lowerStop lowers the flag raiseStop raised, as a campaign starts or
// resumes.
func (s *Service) lowerStop(ctx context.Context, id int64) {
	if s.Redis == nil {
		return
	}
	if err := s.Redis.Del(ctx, queue.StopKey(id)).Err(); err != nil {
		s.log().Error("lower campaign stop flag", "campaign", id, "err", err)
	}
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// TestToken stands for the reader's token in the unsubscribe and
// preferences links of a test send, whose readers are on no list: those
// pages answer it with a note that the link works in the real mail.
const TestToken = "test"

// TestSend sends the campaign now to at most 10 addresses, with "[Test]"
// before the subject; its unsubscribe and preferences links hold
// TestToken in place of a reader's token. It reads as the preview does,
// for SampleReader, name and address: a test for a reader without a name
// greeted the editor "Hello reader," where the preview said "Hello Ada
// Reader,", and one for the editor's own address put it where the body
// writes {{ .Email }} (a link's ?e=tester%40…) beside the sample's name.
// Both are the body's alone: the To header names the editor's address.
// Each address is normalised as a signup's is
// (subscribers.NormalizeEmail): Bulletin does not send with
// SMTPUTF8, so a domain outside ASCII goes on the wire, in RCPT TO and in
// To, in its IDNA form, and an address that cannot be made ASCII is a
// validation error.
func (s *Service) TestSend(ctx context.Context, id int64, to []string) error {
	if len(to) == 0 || len(to) > 10 {
		return bulletin.Invalid(map[string]string{"to": "give from 1 to 10 addresses"})
	}
	addrs := make([]string, len(to))
	for i, a := range to {
		var why string
		if addrs[i], why = subscribers.NormalizeEmail(a); why != "" {
			return bulletin.Invalid(map[string]string{"to": fmt.Sprintf("%q: %s", a, why)})
		}
	}
	cs, err := s.contents(ctx, id)
	if err != nil {
		return err
	}
	// A test reader is on none of the lists: it gets the first list's mail.
	content := cs[0]
	content.Subject = "[Test] " + content.Subject
	var sent, refused, failed []string
	var trouble error
	for _, a := range addrs {
		p := &queue.SendPayload{CampaignID: id, Content: *content, Recipients: []queue.Recipient{{Email: a, Unsubscribe: TestToken,
			Preferences: TestToken, ReturnPath: s.returnPath(bounces.Delivery{Kind: bounces.KindTest, CampaignID: id})}}}
		// Each address on its own: one the server refuses stops no other.
		switch err := mailer.SendTest(ctx, s.Transport, p, SampleReader); {
		case err == nil:
			sent = append(sent, a)
		case errors.Is(err, mailer.ErrPermanent):
			refused = append(refused, fmt.Sprintf("%q: the mail server refused it (%s)", a, serverAnswer(err)))
		default:
			failed, trouble = append(failed, a), err
		}
	}
	return testSendError(sent, refused, failed, trouble)
}

// testSendError says what of a test send did not go, and why, in the
// editor's terms: nil when every address got its mail. An address the
// mail server refused is the address's fault (validation, on the "to"
// field); a server that could not be reached, or answered "try later",
// is the server's (mail_server, a 502), and names what to check.
func testSendError(sent, refused, failed []string, trouble error) error {
	var also string
	if len(sent) > 0 {
		also = " It went to " + strings.Join(sent, ", ") + "."
	}
	if len(failed) > 0 {
		return bulletin.Errorf(bulletin.EMAILSERVER, "The test mail to %s was not sent: %s. Check BULLETIN_SMTP_URL and the mail server, then send the test again.%s",
			strings.Join(failed, ", "), serverTrouble(trouble), also)
	}
	if len(refused) > 0 {
		return bulletin.Invalid(map[string]string{"to": strings.Join(refused, "; ") + "; check the address." + also})
	}
	return nil
}

// serverAnswer is the mail server's reply in err: "550 5.1.1 No such
// user", or err's text when it holds none.
func serverAnswer(err error) string {
	var se *mailer.SendError
	if errors.As(err, &se) {
		return se.Error()
	}
	return err.Error()
}

// serverTrouble says why a message did not go for now: the server's
// temporary answer, or why it could not be reached.
func serverTrouble(err error) string {
	var se *mailer.SendError
	if errors.As(err, &se) && se.Code != 0 {
		return "the mail server answered " + se.Error() + " (try again later)"
	}
	return "the mail server could not be reached (" + serverAnswer(err) + ")"
}

// Schedule creates c and, when it has a send_at, queues its start then.
// The reconciler queues it again should Redis lose it.
func (s *Service) Schedule(ctx context.Context, c *Campaign) error {
	if err := s.Create(ctx, c); err != nil {
		return err
	}
	if c.SendAt == nil {
		return nil
	}
	s.enqueueStart(ctx, c.ID, *c.SendAt)
	return nil
}

// startScheduled runs the start task of a scheduled campaign. A task of an
// earlier send time, which an edit moved, or of a campaign sent by hand,
// made a draft again, cancelled or deleted meanwhile, does nothing: the
// task of the campaign's own send time starts it.
func (s *Service) startScheduled(ctx context.Context, id int64) error {
	c, err := s.head(ctx, id)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if c.Status != StatusScheduled || c.SendAt == nil || c.SendAt.After(s.now().Add(5*time.Second)) {
		return nil
	}
	// Send refuses a campaign that would reach nobody (422), and its
	// scheduled start must too: started, it would be sent to 0 of 0 and
	// published in the archive as an issue nobody got.
	ok, err := s.Reaches(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		if done, err := s.unschedule(ctx, c); done || err != nil {
			return err
		}
	}
	if _, err := s.start(ctx, id); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		return err
	}
	return nil
}

// unschedule makes scheduled campaign c, due now and reaching nobody, a
// draft again with its content as it is and no send time, and logs why:
// no editor waits for an answer, so the log and the campaign tell them:
// its missed_send_at keeps the time it was not sent at, for its pages
// (Campaign.MissedSendAt). It looks again in its transaction, so an edit
// meanwhile is not undone: it is done (true) when it made c a draft or c
// is no longer due, and not when a reader of c's lists confirmed
// meanwhile, for the caller to start c after all.
func (s *Service) unschedule(ctx context.Context, c *Campaign) (bool, error) {
	now := s.now()
	moved := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var status string
		var sendAt sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT status, send_at FROM campaigns WHERE id = ?`, c.ID).Scan(&status, &sendAt)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotDue
		} else if err != nil {
			return fmt.Errorf("unschedule campaign: %w", err)
		}
		if status != StatusScheduled || !sendAt.Valid || sendAt.Time.After(now.Add(5*time.Second)) {
			return errNotDue
		}
		var reaches bool
		if err := tx.QueryRowContext(ctx, campaignReachesSQL, c.ID).Scan(&reaches); err != nil {
			return fmt.Errorf("campaign audience: %w", err)
		}
		if reaches {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET status = ?, send_at = NULL, send_zone = '', missed_send_at = ?, updated_at = ? WHERE id = ?`,
			StatusDraft, sendAt.Time.UTC(), now, c.ID); err != nil {
			return fmt.Errorf("unschedule campaign: %w", err)
		}
		moved = true
		return nil
	})
	switch {
	case errors.Is(err, errNotDue):
		return true, nil // deleted, sent, edited or moved meanwhile
	case err != nil:
		return false, err
	case !moved:
		return false, nil
	}
	s.log().Warn("scheduled campaign not sent: its lists have no confirmed reader, so it would reach nobody; it is a draft again",
		"campaign", c.ID, "subject", c.Subject, "send_at", c.SendAt.UTC())
	return true, nil
}

// errNotDue rolls back unschedule's transaction when the campaign is no
// longer a scheduled one due now.
var errNotDue = errors.New("campaign not due")
