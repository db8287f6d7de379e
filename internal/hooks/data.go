package hooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// A Subscriber is the data of subscriber.* events: the reader as the
// change left them, with the lists they are on (pending or active).
type Subscriber struct {
	ID         int64           `json:"id"`
	Email      string          `json:"email"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Attributes json.RawMessage `json:"attributes"`
	Lists      []string        `json:"lists"`
	CreatedAt  time.Time       `json:"created_at"`
}

// EmitSubscriber emits typ about subscriber id as tx sees them. Call it
// after the change (for subscriber.erased, before the row goes). A
// subscriber tx cannot find emits nothing.
func EmitSubscriber(ctx context.Context, tx sqlite.Querier, typ string, id int64) error {
	ids, err := wantedBy(ctx, tx, typ)
	if err != nil || len(ids) == 0 {
		return err // the data of an event nobody wants is not even read
	}
	var s Subscriber
	var attrs string
	err = tx.QueryRowContext(ctx, `SELECT id, email, name, status, attributes, created_at FROM subscribers WHERE id = ?`, id).
		Scan(&s.ID, &s.Email, &s.Name, &s.Status, &attrs, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("emit %s: %w", typ, err)
	}
	s.Attributes = json.RawMessage(attrs)
	if !json.Valid(s.Attributes) {
		s.Attributes = json.RawMessage(`{}`)
	}
	if s.Lists, err = column(ctx, tx, `SELECT l.slug FROM subscriptions s JOIN lists l ON l.id = s.list_id
		WHERE s.subscriber_id = ? AND s.status != 'unsubscribed' ORDER BY l.slug`, id); err != nil {
		return fmt.Errorf("emit %s: %w", typ, err)
	}
	_, err = emitTo(ctx, tx, ids, typ, s)
	return err
}

// ForgetSubscriber deletes, in tx, the subscriber events about subscriber
// id already delivered or given up on: their bodies hold the address and
// name of someone being erased, and would otherwise stay in the outbox
// for Keep. Events still pending go out first (an endpoint gets them in
// order, then subscriber.erased), and Prune deletes them after Keep.
func ForgetSubscriber(ctx context.Context, tx sqlite.Querier, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM webhook_events WHERE type LIKE 'subscriber.%'
		AND json_extract(body, '$.data.id') = ?
		AND NOT EXISTS (SELECT 1 FROM webhook_attempts a WHERE a.event_id = webhook_events.id AND a.state = 'pending')`, id)
	if err != nil {
		return fmt.Errorf("forget webhook events: %w", err)
	}
	return nil
}

// A Campaign is the data of campaign.* and digest.sent events.
type Campaign struct {
	ID      int64    `json:"id"`
	Kind    string   `json:"kind"`
	Subject string   `json:"subject"`
	Status  string   `json:"status"`
	Lists   []string `json:"lists"`
	// Total is the readers the campaign goes to: in campaign.started
	// those it is going to (EmitStarted), afterwards those its fan-out
	// made a delivery for, whatever became of their mail.
	Total      int        `json:"total"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// EmitCampaign emits typ about campaign id as tx sees it.
func EmitCampaign(ctx context.Context, tx *sql.Tx, typ string, id int64) error {
	ids, err := wantedBy(ctx, tx, typ)
	if err != nil || len(ids) == 0 {
		return err
	}
	c, err := campaignData(ctx, tx, typ, id)
	if c == nil || err != nil {
		return err
	}
	_, err = emitTo(ctx, tx, ids, typ, c)
	return err
}

// EmitStarted emits campaign.started about campaign id, which tx has
// just moved to sending, with total, the readers it is going to: its
// fan-out has made no delivery yet, so the deliveries counted (the total
// of the events after it) would say 0.
func EmitStarted(ctx context.Context, tx *sql.Tx, id int64, total int) error {
	ids, err := wantedBy(ctx, tx, CampaignStarted)
	if err != nil || len(ids) == 0 {
		return err
	}
	c, err := campaignData(ctx, tx, CampaignStarted, id)
	if c == nil || err != nil {
		return err
	}
	c.Total = total
	_, err = emitTo(ctx, tx, ids, CampaignStarted, c)
	return err
}

// Wanted reports whether an active endpoint wants typ, for an emitter
// whose data costs a read not worth making when nobody does.
func Wanted(ctx context.Context, q sqlite.Querier, typ string) (bool, error) {
	ids, err := wantedBy(ctx, q, typ)
	return len(ids) > 0, err
}

// campaignData reads the data of event typ about campaign id as tx sees
// it: nil for a campaign tx cannot find.
func campaignData(ctx context.Context, tx *sql.Tx, typ string, id int64) (*Campaign, error) {
	var c Campaign
	var started, finished sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT id, kind, subject, status, total, started_at, finished_at FROM campaigns WHERE id = ?`, id).
		Scan(&c.ID, &c.Kind, &c.Subject, &c.Status, &c.Total, &started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("emit %s: %w", typ, err)
	}
	if started.Valid {
		c.StartedAt = &started.Time
	}
	if finished.Valid {
		c.FinishedAt = &finished.Time
	}
	// In the campaign's order (campaigns.listOrder): a reader on several
	// of its lists gets the mail of the first.
	if c.Lists, err = column(ctx, tx, `SELECT l.slug FROM campaign_lists c JOIN lists l ON l.id = c.list_id
		WHERE c.campaign_id = ? ORDER BY c.position, c.list_id`, id); err != nil {
		return nil, fmt.Errorf("emit %s: %w", typ, err)
	}
	return &c, nil
}

// A Click is the data of link.clicked: the clicks on one link of one
// campaign since the last such event (at most one a minute per link).
type Click struct {
	CampaignID int64     `json:"campaign_id"`
	URL        string    `json:"url"`
	Clicks     int       `json:"clicks"`
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
}

// EmitClicks emits link.clicked with c in tx. The click recorder calls it
// once a minute at most per link, with the clicks it counted meanwhile.
func EmitClicks(ctx context.Context, tx *sql.Tx, c Click) error {
	return Emit(ctx, tx, LinkClicked, c)
}

// column returns the one text column of q's rows: [], never null in an
// event's JSON, when there are none.
func column(ctx context.Context, tx sqlite.Querier, q string, args ...any) ([]string, error) {
	out, err := sqlite.Column[string](tx.QueryContext(ctx, q, args...))
	if out == nil && err == nil {
		out = []string{}
	}
	return out, err
}

// StatusEvent returns the event type of a change to a subscriber whose
// status went from from to to: subscriber.confirmed, .unsubscribed or
// .bounced when it became that, subscriber.updated otherwise.
func StatusEvent(from, to string) string {
	if from != to {
		switch to {
		case "confirmed":
			return SubscriberConfirmed
		case "unsubscribed":
			return SubscriberUnsubscribed
		case "bounced":
			return SubscriberBounced
		}
	}
	return SubscriberUpdated
}

// EmitFinished emits the end of campaign id's sending: digest.sent for a
// digest, campaign.finished for a campaign.
func EmitFinished(ctx context.Context, tx *sql.Tx, id int64) error {
	var kind string
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM campaigns WHERE id = ?`, id).Scan(&kind); err != nil {
		return fmt.Errorf("emit finished: %w", err)
	}
	if kind == "digest" {
		return EmitCampaign(ctx, tx, DigestSent, id)
	}
	return EmitCampaign(ctx, tx, CampaignFinished, id)
}
