package queue

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Delivery task types. A campaign:fanout turns a campaign's recipients into
// deliveries and mail:send tasks; a mail:send sends one batch; a
// delivery:record carries a stateless worker's results back to the primary.
const (
	TypeCampaignFanout = "campaign:fanout"
	TypeMailSend       = "mail:send"
	TypeDeliveryRecord = "delivery:record"
)

// SendMaxRetry is how often a mail:send task is retried for temporary
// failures before what is left counts as failed.
const SendMaxRetry = 8

// A FanoutPayload names the campaign to fan out. Start is set on the task
// that starts a scheduled campaign at its send_at.
type FanoutPayload struct {
	CampaignID int64 `json:"campaign_id"`
	Start      bool  `json:"start,omitempty"`
}

// NewFanoutTask returns the fan-out task of a campaign whose cursor is at
// after; the ID makes a re-enqueue of the same step a no-op.
func NewFanoutTask(campaignID, after int64) (*asynq.Task, []asynq.Option) {
	buf, _ := json.Marshal(FanoutPayload{CampaignID: campaignID})
	id := "fanout:" + strconv.FormatInt(campaignID, 10) + ":" + strconv.FormatInt(after, 10)
	return asynq.NewTask(TypeCampaignFanout, buf), []asynq.Option{
		asynq.Queue(QueueDefault), asynq.TaskID(id), asynq.MaxRetry(20), asynq.Timeout(30 * time.Minute),
	}
}

// NewStartTask returns the task that starts a scheduled campaign at sendAt.
func NewStartTask(campaignID int64, sendAt time.Time) (*asynq.Task, []asynq.Option) {
	buf, _ := json.Marshal(FanoutPayload{CampaignID: campaignID, Start: true})
	id := fmt.Sprintf("start:%d:%d", campaignID, sendAt.Unix())
	return asynq.NewTask(TypeCampaignFanout, buf), []asynq.Option{
		asynq.Queue(QueueDefault), asynq.TaskID(id), asynq.ProcessAt(sendAt), asynq.MaxRetry(20),
	}
}

// Content is what every message of a campaign shares: the parts rendered
// once, with placeholders where each recipient's fields go.
type Content struct {
	From    string `json:"from"`               // header From, "Name <addr>"
	ReplyTo string `json:"reply_to,omitempty"` // header Reply-To, when the list has one
	Subject string `json:"subject"`            // plain text; encoded when composed
	HTML    string `json:"html"`               // the whole HTML part
	Text    string `json:"text"`               // the whole text part
	ListID  string `json:"list_id"`            // List-Id value, "Name <slug.host>"
	BaseURL string `json:"base_url"`           // for the unsubscribe URL in headers
	// Markers is the nonce of the field markers HTML and Text were rendered
	// with (mailer.Markers); empty in tasks of older versions.
	Markers string `json:"markers,omitempty"`
}

// A Recipient is one delivery of a batch, with its signed link tokens.
type Recipient struct {
	DeliveryID   int64  `json:"d"`
	SubscriberID int64  `json:"s"`
	Email        string `json:"e"`
	Name         string `json:"n,omitempty"`
	Unsubscribe  string `json:"u"` // token for /unsubscribe/TOKEN
	Preferences  string `json:"p"` // token for /preferences/TOKEN
	// Reader is the tracking token of the delivery (tracking.Signer.Reader):
	// it ends each tracked link, BASE/r/LINK.READER, and names the open
	// pixel. Empty for mail no delivery records, such as test sends.
	Reader string `json:"r,omitempty"`
	// ReturnPath, when set, is the envelope sender (MAIL FROM) of this
	// delivery alone: its VERP address on the bounce domain.
	ReturnPath string `json:"rp,omitempty"`
}

// A SendPayload is one batch of a campaign: everything a sender needs, so a
// worker never opens the database.
type SendPayload struct {
	CampaignID int64       `json:"campaign_id"`
	Batch      int64       `json:"batch"`
	Content    Content     `json:"content"`
	Recipients []Recipient `json:"recipients"`
	// Since is when the recipients were read from the rows as able to get
	// mail: a worker skips those who left at or after it (GoneKey). Zero,
	// in a task queued before it was set, skips whoever left this week.
	Since time.Time `json:"since,omitzero"`
	// ClaimedUntil, when set, says the deliveries were inserted claimed
	// until then by this process (serve's fan-out sending its own pages),
	// so its sender need not claim them. It is never encoded: a queued
	// task always claims.
	ClaimedUntil time.Time `json:"-"`
}

// DeliveryIDs returns the delivery ids of rs, in order.
func DeliveryIDs(rs []Recipient) []int64 {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.DeliveryID
	}
	return ids
}

// NewSendTask returns the mail:send task of one batch. Its ID is derived
// from the batch, so the reconciler can rebuild a lost task without ever
// having two of the same batch waiting.
func NewSendTask(p *SendPayload) (*asynq.Task, []asynq.Option, error) {
	buf, err := json.Marshal(p)
	if err != nil {
		return nil, nil, fmt.Errorf("encode mail:send: %w", err)
	}
	id := fmt.Sprintf("send:%d:%d", p.CampaignID, p.Batch)
	return asynq.NewTask(TypeMailSend, buf), []asynq.Option{
		asynq.Queue(QueueSend), asynq.TaskID(id), asynq.MaxRetry(SendMaxRetry), asynq.Timeout(15 * time.Minute),
	}, nil
}

// Delivery result states, as the deliveries table spells them. Retry is a
// temporary failure that leaves the delivery queued.
const (
	ResultSent    = "sent"
	ResultBounced = "bounced"
	ResultFailed  = "failed"
	ResultRetry   = "retry"
	ResultSkipped = "skipped"
)

// A Result is the outcome of one delivery.
type Result struct {
	DeliveryID   int64  `json:"d"`
	SubscriberID int64  `json:"s"`
	Status       string `json:"st"`
	Reply        string `json:"r,omitempty"` // the SMTP reply or network error; empty when sent
	// RelayID is the id the relay gave a sent message in its reply
	// (mailer.RelayID), which its webhook events name it by.
	RelayID string    `json:"rid,omitempty"`
	At      time.Time `json:"at"`
}

// A RecordPayload carries results of one campaign back to the primary.
type RecordPayload struct {
	CampaignID int64    `json:"campaign_id"`
	Results    []Result `json:"results"`
}

// NewRecordTask returns a delivery:record task on the queue only the
// primary consumes. Recording is idempotent, so it needs no ID.
func NewRecordTask(p *RecordPayload) (*asynq.Task, []asynq.Option, error) {
	buf, err := json.Marshal(p)
	if err != nil {
		return nil, nil, fmt.Errorf("encode delivery:record: %w", err)
	}
	return asynq.NewTask(TypeDeliveryRecord, buf), []asynq.Option{
		asynq.Queue(QueueResults), asynq.MaxRetry(50),
	}, nil
}

// StopKey is the Redis key that tells senders a campaign is paused or
// cancelled; workers cannot read SQLite, so the primary sets it.
func StopKey(campaignID int64) string {
	return "bulletin:campaign:" + strconv.FormatInt(campaignID, 10) + ":stop"
}

// CancelledStopTTL is how long a cancelled campaign's StopKey stays:
// as long as asynq keeps an archived task (90 days), which an operator
// could run again, and far longer than a task queued before the cancel
// takes to run and retry, each run seeing the flag and ending. A paused
// campaign's flag has none: a pause lasts until a resume or a cancel,
// however long.
const CancelledStopTTL = 90 * 24 * time.Hour

// DoneKey is the Redis hash of a campaign's deliveries that a stateless
// worker has finished (id → result), so that a rerun of a task never sends
// one twice, and can report its result again.
func DoneKey(campaignID int64) string {
	return "bulletin:campaign:" + strconv.FormatInt(campaignID, 10) + ":done"
}

// RunKey is the Redis key that names the one run sending a batch of a
// campaign (a random id of the run), while it sends: a worker's run keeps
// it for RunTTL at a time, and takes it again when Redis has lost it. A
// Redis restarted without its data loses the batch's task while a worker
// still sends it, and the reconciler rebuilds the task from the rows; the
// run that finds the key another's does not send (mailer.BatchHolder).
func RunKey(campaignID, batch int64) string {
	return "bulletin:campaign:" + strconv.FormatInt(campaignID, 10) + ":batch:" + strconv.FormatInt(batch, 10) + ":run"
}

// RunTTL is how long a batch's RunKey outlives the last renewal of its
// run: asynq's lease, so that the batch of a worker killed with -9 is free
// by the time asynq hands its task to another.
const RunTTL = 30 * time.Second
