// Package hooks sends outgoing webhooks (SPEC §7): endpoints that want some
// event types, an outbox of events written in the same transaction as the
// change each reports, and their delivery, signed the Standard Webhooks
// way, retried with backoff for 24 hours.
//
// SQLite is the queue: Emit writes an event and one attempt row per
// endpoint that wants it; a Dispatcher claims due attempts in batches and
// hands each batch (one endpoint, up to Batch events) to an asynq task,
// whose handler posts them concurrently and records every outcome in one
// transaction. A claim is a lease on the rows, so a task lost with Redis or
// a crash is claimed again when the lease runs out.
package hooks

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Event types an endpoint can ask for.
const (
	SubscriberCreated      = "subscriber.created"
	SubscriberConfirmed    = "subscriber.confirmed"
	SubscriberUpdated      = "subscriber.updated"
	SubscriberUnsubscribed = "subscriber.unsubscribed"
	SubscriberBounced      = "subscriber.bounced"
	SubscriberComplained   = "subscriber.complained"
	SubscriberErased       = "subscriber.erased"
	CampaignStarted        = "campaign.started"
	CampaignFinished       = "campaign.finished"
	DigestSent             = "digest.sent"
	LinkClicked            = "link.clicked"
)

// TestEvent is the type of the event the admin's "send test event" posts
// to one endpoint; no endpoint subscribes to it.
const TestEvent = "webhook.test"

// Types lists every event type an endpoint may subscribe to, in the order
// the admin shows them.
var Types = []string{
	SubscriberCreated, SubscriberConfirmed, SubscriberUpdated, SubscriberUnsubscribed,
	SubscriberBounced, SubscriberComplained, SubscriberErased,
	CampaignStarted, CampaignFinished, DigestSent, LinkClicked,
}

// knownType reports whether t is one of Types.
func knownType(t string) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// A Body is what every webhook request posts.
type Body struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// Emit writes an event of type typ with data to the outbox in tx, with an
// attempt for every active endpoint that wants typ, so that it commits or
// rolls back with the change it reports. With no such endpoint it writes
// nothing.
func Emit(ctx context.Context, tx *sql.Tx, typ string, data any) error {
	ids, err := wantedBy(ctx, tx, typ)
	if err != nil || len(ids) == 0 {
		return err
	}
	_, err = emitTo(ctx, tx, ids, typ, data)
	return err
}

// wantedBy returns the active endpoints that want typ.
func wantedBy(ctx context.Context, tx sqlite.Querier, typ string) ([]int64, error) {
	ids, err := sqlite.Column[int64](tx.QueryContext(ctx, `SELECT id FROM webhook_endpoints WHERE active = 1
		AND EXISTS (SELECT 1 FROM json_each(webhook_endpoints.events) WHERE value = ?)`, typ))
	if err != nil {
		return nil, fmt.Errorf("emit %s: %w", typ, err)
	}
	return ids, nil
}

// emitTo writes the event and one attempt per endpoint in ids, due now,
// and returns the event's webhook-id.
func emitTo(ctx context.Context, tx sqlite.Querier, ids []int64, typ string, data any) (string, error) {
	now := sqlite.Now()
	body, err := json.Marshal(Body{Type: typ, Timestamp: now, Data: data})
	if err != nil {
		return "", fmt.Errorf("emit %s: %w", typ, err)
	}
	msgID := NewMessageID()
	res, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (msg_id, type, body, created_at) VALUES (?, ?, ?, ?)`,
		msgID, typ, body, now)
	if err != nil {
		return "", fmt.Errorf("emit %s: %w", typ, err)
	}
	eid, err := res.LastInsertId()
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (endpoint_id, event_id, next_at) VALUES (?, ?, ?)`,
			id, eid, now); err != nil {
			return "", fmt.Errorf("emit %s: %w", typ, err)
		}
	}
	return msgID, nil
}

// NewMessageID returns a new webhook-id: "msg_" and 26 random base32
// characters (130 bits).
func NewMessageID() string { return "msg_" + rand.Text() }
