package campaigns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/queue"
)

// A Patch changes a draft or a scheduled campaign: only the fields given
// change. The same struct reads the API's PATCH body and the admin's edit
// form.
type Patch struct {
	Subject   *string      `json:"subject"`
	Preheader *string      `json:"preheader"`
	Body      *string      `json:"body"`
	Lists     *[]string    `json:"lists"`
	SendAt    OptionalTime `json:"send_at"`
	// SendZone is the time zone of the send time (Campaign.SendZone):
	// absent, it stays as it is while the campaign keeps a send time.
	SendZone *string `json:"send_zone"`
}

// OptionalTime is a time a patch sets, clears (null: send by hand) or,
// when absent, leaves as it is.
type OptionalTime struct {
	Set  bool
	Time *time.Time
}

// UnmarshalJSON reads null or an RFC 3339 time.
func (o *OptionalTime) UnmarshalJSON(b []byte) error {
	o.Set, o.Time = true, nil
	if string(b) == "null" {
		return nil
	}
	var t time.Time
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	o.Time = &t
	return nil
}

// editable says a campaign in status may still be changed or deleted.
func editable(status string) bool { return status == StatusDraft || status == StatusScheduled }

// NotEditable is the conflict of editing or deleting c once it has left
// draft and scheduled.
func NotEditable(c *Campaign, action string) error {
	return bulletin.Errorf(bulletin.ECONFLICT, "Campaign %d %s; only a draft or a scheduled campaign can be %s. Duplicate it to start a new draft.", c.ID, statusPhrase(c.Status), action)
}

// CheckPatch says what Update would refuse of p, writing nothing: a
// body refused for one member that did not decode (a send_at that is no
// time) names the faults of the others with it.
func (s *Service) CheckPatch(ctx context.Context, id int64, p Patch) error {
	_, err := s.patched(ctx, id, p)
	return err
}

// patched is draft or scheduled campaign id with p applied and checked,
// or what Update refuses of it.
func (s *Service) patched(ctx context.Context, id int64, p Patch) (*Campaign, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, s.orDigest(ctx, id, "edited", err)
	}
	if !editable(c.Status) {
		return nil, NotEditable(c, "edited")
	}
	kept := c.SendZone
	if p.Subject != nil {
		c.Subject = *p.Subject
	}
	if p.Preheader != nil {
		c.Preheader = *p.Preheader
	}
	stored := c.Body
	if p.Body != nil {
		c.Body = *p.Body
	}
	if p.Lists != nil {
		c.Lists = *p.Lists
	}
	if p.SendAt.Set {
		c.SendAt = p.SendAt.Time
	}
	if c.SendAt == nil {
		c.SendZone = "" // a draft again keeps no zone: it has no time
	}
	if p.SendZone != nil {
		c.SendZone = *p.SendZone
	}
	err = c.validate(s.now(), stored)
	// A send_at the patch leaves alone is the start's business, even if
	// it passed while the editor typed.
	if be := (*bulletin.Error)(nil); !p.SendAt.Set && errors.As(err, &be) && len(be.Fields) == 1 && be.Fields["send_at"] != "" {
		err = nil
	}
	if p.Lists != nil {
		// The lists are checked with the rest, so that one answer names
		// every fault: the stored ones name lists still there.
		unknown, lerr := unknownLists(ctx, s.db.Read, c.Lists)
		if lerr != nil {
			return nil, lerr
		}
		err = withListFault(err, unknown)
	}
	if err = withFixedZone(ctx, s.db.Read, err, c, kept); err != nil {
		return nil, err
	}
	return c, nil
}

// Update applies p to draft or scheduled campaign id: a send_at makes it
// scheduled (and queues its start), a null one makes it a draft again.
func (s *Service) Update(ctx context.Context, id int64, p Patch) (*Campaign, error) {
	c, err := s.patched(ctx, id, p)
	if err != nil {
		return nil, err
	}
	now := s.now()
	html, text, err := RenderFor(c.Body, archiveReader)
	if err != nil {
		return nil, bulletin.Invalid(map[string]string{"body": err.Error()})
	}
	c.Status = StatusDraft
	if c.SendAt != nil {
		t := c.SendAt.UTC().Truncate(time.Second)
		c.SendAt, c.Status = &t, StatusScheduled
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Scheduled again, a draft forgets the time it missed; saved as a
		// draft, it still was not sent then.
		res, err := tx.ExecContext(ctx, `UPDATE campaigns SET subject = ?, preheader = ?, body = ?, body_html = ?, body_text = ?,
			status = ?, send_at = ?, send_zone = ?, missed_send_at = CASE WHEN ? THEN NULL ELSE missed_send_at END, updated_at = ?
			WHERE id = ? AND kind = 'campaign' AND status IN ('draft', 'scheduled')`,
			c.Subject, c.Preheader, c.Body, html, text, c.Status, c.SendAt, c.SendZone, c.SendAt != nil, now, id)
		if err != nil {
			return fmt.Errorf("update campaign: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bulletin.Errorf(bulletin.ECONFLICT, "Campaign %d started meanwhile; only a draft or a scheduled campaign can be edited.", id)
		}
		if p.Lists == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_lists WHERE campaign_id = ?`, id); err != nil {
			return fmt.Errorf("update campaign lists: %w", err)
		}
		return insertLists(ctx, tx, c)
	})
	if err != nil {
		return nil, err
	}
	if c.SendAt != nil {
		s.enqueueStart(ctx, id, *c.SendAt)
	}
	return s.Get(ctx, id)
}

// enqueueStart queues the start of a scheduled campaign; the reconciler
// queues it again should this fail or Redis lose it.
func (s *Service) enqueueStart(ctx context.Context, id int64, at time.Time) {
	t, opts := queue.NewStartTask(id, at)
	if err := queue.EnqueueUnique(ctx, s.Queue, t, opts...); err != nil {
		s.log().Error("enqueue campaign start; the reconciler will retry", "campaign", id, "err", err)
	}
}

// Deletable says c may be deleted: a draft, a scheduled campaign, or one
// cancelled before it started, which sent nothing. Older versions let a
// draft be cancelled; such a campaign is no history to keep. c's Stats
// must be filled (Get, Entry).
func (c *Campaign) Deletable() bool {
	return editable(c.Status) || c.NeverStarted() && c.Stats.Total == 0
}

// NeverStarted says c was cancelled before sending started, so before
// its first message was queued: it sent nothing.
func (c *Campaign) NeverStarted() bool { return c.Status == StatusCancelled && c.StartedAt == nil }

// Delete removes campaign id while it is a draft, scheduled, or cancelled
// before it started sending (see Deletable). A campaign that has started is
// history: cancel it instead.
func (s *Service) Delete(ctx context.Context, id int64) error {
	c, err := s.head(ctx, id)
	if err != nil {
		return s.orDigest(ctx, id, "deleted", err)
	}
	if !editable(c.Status) && !c.NeverStarted() {
		return NotDeletable(c)
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The deliveries and folded totals are checked here, in the
		// statement, rather than from head, which does not count them.
		res, err := tx.ExecContext(ctx, `DELETE FROM campaigns WHERE id = ? AND kind = 'campaign'
			AND (status IN ('draft', 'scheduled') OR (status = 'cancelled' AND started_at IS NULL
				AND folded_sent + folded_failed + folded_bounced + folded_skipped = 0
				AND NOT EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = campaigns.id)))`, id)
		if err != nil {
			return fmt.Errorf("delete campaign: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bulletin.Errorf(bulletin.ECONFLICT, "Campaign %d started or sent messages meanwhile; only a draft, a scheduled campaign or one cancelled before it started sending can be deleted.", id)
		}
		return nil
	})
}

// NotDeletable is the conflict of deleting c once it has started.
func NotDeletable(c *Campaign) error {
	return bulletin.Errorf(bulletin.ECONFLICT, "Campaign %d %s; only a draft, a scheduled campaign or one cancelled before it started sending can be deleted. Duplicate it to start a new draft.", c.ID, startedPhrase(c.Status))
}

// startedPhrase says what a campaign that has started is, after its name:
// one cancelled, since it can be deleted when it had not started, is said
// to have started first.
func startedPhrase(status string) string {
	if status == StatusCancelled {
		return "was cancelled after it started sending"
	}
	return statusPhrase(status)
}

// Duplicate makes a new draft from campaign id, whatever its status:
// "Copy of" its subject, its preheader, body and lists, no send time.
// The lists are those that still exist, since deleting a list takes it out
// of its campaigns; a campaign whose lists are all gone makes a draft
// without lists, as any campaign can be duplicated, and the editor names
// one before sending it.
func (s *Service) Duplicate(ctx context.Context, id int64) (*Campaign, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, s.orDigest(ctx, id, "duplicated", err)
	}
	subject := CopyPrefix + c.Subject
	if utf8.RuneCountInString(subject) > 200 {
		subject = string([]rune(subject)[:199]) + "…"
	}
	dup := &Campaign{Subject: subject, Preheader: c.Preheader, Body: c.Body, Lists: c.Lists}
	if err := s.create(ctx, dup, false, dup.Body); err != nil { // a copy of a body stored already
		return nil, err
	}
	return s.Get(ctx, dup.ID)
}
