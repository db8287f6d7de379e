package events_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// README: "A bounce of mail sent before an editor gave the reader a new
// address suppresses the old address only: the reader keeps getting mail
// at the new one." Two soft bounces of mail sent to the old address, then
// one soft bounce at the new address, is one soft bounce of the new
// address: the reader stays confirmed. The old address's soft bounces are
// stored under the reader's id, and once counted toward the threshold.
func TestOldAddressSoftBouncesDoNotCountAtNewAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	kit := e.reader(t, "kit@old.test") // delivery of e.campaign, sent to the old address
	now := sqlite.Now()
	c2 := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Two', 'sent', ?, ?)`, now, now)
	e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, c2, kit, now, now)

	// An editor gives kit a new address.
	e.exec(t, `UPDATE subscribers SET email = 'kit@new.test', email_key = 'kit@new.test', email_changed_at = ? WHERE id = ?`,
		now.Add(time.Second), kit)

	// Late soft bounces (mailbox full) of the two mails sent to the old address.
	for _, cid := range []int64{e.campaign, c2} {
		ev := events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", Email: "kit@old.test",
			CampaignID: cid, SubscriberID: kit}
		if n, err := e.store.Record(ctx, []events.Event{ev}); err != nil || n != 1 {
			t.Fatalf("Record old-address soft bounce = %d, %v", n, err)
		}
	}
	if got := e.state(t, kit).Status; got != "confirmed" {
		t.Fatalf("after the old address's soft bounces: %s, want confirmed", got)
	}

	// A campaign sent to the new address soft-bounces once.
	later := now.Add(2 * time.Second)
	c3 := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Three', 'sent', ?, ?)`, later, later)
	e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, c3, kit, later, later)
	ev := events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", Email: "kit@new.test",
		CampaignID: c3, SubscriberID: kit}
	if n, err := e.store.Record(ctx, []events.Event{ev}); err != nil || n != 1 {
		t.Fatalf("Record new-address soft bounce = %d, %v", n, err)
	}
	st := e.state(t, kit)
	if st.Status != "confirmed" || st.Suppressed {
		t.Errorf("one soft bounce at the new address: reader %s, kit@new.test suppressed %v; want confirmed and not suppressed "+
			"(the old address's soft bounces were counted toward the new one's threshold)", st.Status, st.Suppressed)
	}
}

// The soft bounces that do count are those of the reader's present
// address, whatever the case of its domain in the events stored for it;
// the threshold and its window are unchanged.
func TestSoftBouncesOfPresentAddressCountWhateverTheirCase(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	kit := e.reader(t, "kit@new.test")
	for _, email := range []string{"kit@NEW.test", "Kit@New.Test"} {
		e.exec(t, `INSERT INTO events (kind, source, status, diagnostic, subscriber_id, email, dedupe_key, at, recorded_at)
			VALUES ('bounce_soft', 'dsn', '4.2.2', '', ?, ?, ?, ?, ?)`, kit, email, "earlier:"+email, sqlite.Now(), sqlite.Now())
	}
	// One more of the present address, outside the window, counts nothing.
	e.exec(t, `INSERT INTO events (kind, source, status, diagnostic, subscriber_id, email, dedupe_key, at, recorded_at)
		VALUES ('bounce_soft', 'dsn', '4.2.2', '', ?, 'kit@new.test', 'long ago', ?, ?)`, kit,
		sqlite.Now().Add(-events.SoftWindow-day), sqlite.Now())
	ev := events.Event{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2", Email: "kit@new.test",
		CampaignID: e.campaign, SubscriberID: kit}
	if n, err := e.store.Record(ctx, []events.Event{ev}); err != nil || n != 1 {
		t.Fatalf("Record = %d, %v; want 1 stored", n, err)
	}
	if got := e.state(t, kit); got.Status != "bounced" || !got.Suppressed {
		t.Errorf("after the %d-th soft bounce of the present address: %+v, want bounced and suppressed", events.SoftBounces, got)
	}
}

// sendBounce records reply as the relay's refusal of reader sid's
// delivery of campaign cid at send time, as the send path does: in the
// transaction that marks the delivery bounced.
func (e *env) sendBounce(t *testing.T, cid, sid int64, reply string) {
	t.Helper()
	ctx := context.Background()
	err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		var did int64
		if err := tx.QueryRowContext(ctx, `UPDATE deliveries SET status = 'bounced' WHERE campaign_id = ? AND subscriber_id = ?
			RETURNING id`, cid, sid).Scan(&did); err != nil {
			return err
		}
		ok, _, err := events.SendBounceTx(ctx, tx, did, reply, sqlite.Now())
		if err == nil && !ok {
			t.Errorf("SendBounceTx(%q): not new", reply)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A full mailbox (552 5.2.2) or a policy block (550 5.7.1) refused by the
// relay at send time is, by the README's rule ("A hard bounce (5.x.x,
// except a full mailbox or a policy block)"), a soft bounce, as the same
// status told by a DSN is (events.KindOf): so it is listed, by
// /admin/events and GET /api/v1/events, and counted as one, and the reader
// stays until the soft-bounce threshold. Such a refusal once was stored
// as bounce_hard.
func TestSendTimeFullMailboxIsNotHard(t *testing.T) {
	for _, reply := range []string{"552 5.2.2 <kit@old.test>: mailbox full", "550 5.7.1 Message refused by policy"} {
		t.Run(reply[:9], func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			kit := e.reader(t, "kit@old.test")
			e.sendBounce(t, e.campaign, kit, reply)
			list, _, err := e.store.List(ctx, events.Filter{Type: events.TypeBounce})
			if err != nil || len(list) != 1 {
				t.Fatalf("List = %v, %v; want one bounce", list, err)
			}
			if got, want := list[0].Kind(), events.KindOf(list[0].Detail.Status); got != want {
				t.Errorf("send-time refusal %q listed as %s, want %s (its status %s, as a DSN with it is)", reply, got, want, list[0].Detail.Status)
			}
			if diff := cmp.Diff(readerState{"confirmed", 0, "active,active", "bounced", false}, e.state(t, kit)); diff != "" {
				t.Errorf("reader after one soft send-time refusal (-want +got):\n%s", diff)
			}
			// The refused message counts as sent for the bounce rate:
			// sent_hours leaves refusals out.
			if h, err := e.store.Health(ctx, sqlite.Now().Add(-time.Hour)); err != nil || h.Sent != 1 || h.Bounces != 1 {
				t.Errorf("Health = %+v, %v; want 1 sent, 1 bounce", h, err)
			}
		})
	}
}

// Soft refusals at send time count toward the soft-bounce threshold as
// soft DSNs do: the SoftBounces-th within SoftWindow bounces the reader.
func TestSendTimeSoftRefusalsReachTheThreshold(t *testing.T) {
	e := newEnv(t)
	kit := e.reader(t, "kit@old.test")
	cids := []int64{e.campaign}
	for len(cids) < events.SoftBounces {
		now := sqlite.Now()
		cid := e.exec(t, `INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('More', 'sending', ?, ?)`, now, now)
		e.exec(t, `INSERT INTO deliveries (campaign_id, subscriber_id, status, updated_at) VALUES (?, ?, 'queued', ?)`, cid, kit, now)
		cids = append(cids, cid)
	}
	for i, cid := range cids {
		e.sendBounce(t, cid, kit, "552 5.2.2 mailbox full")
		want := "confirmed"
		if i == len(cids)-1 {
			want = "bounced"
		}
		if got := e.state(t, kit).Status; got != want {
			t.Errorf("after %d soft refusals: reader %s, want %s", i+1, got, want)
		}
	}
	if got := e.gone.list(); len(got) != 0 {
		t.Errorf("the store's GoneRecorder told %v: the send path tells its own", got)
	}
}

// A hard refusal at send time (550 5.1.1, or a bare 550 without a status)
// is listed as a hard bounce and left to the send path's own rule: the
// contract bounces a reader at their third (campaigns.HardBounces, tested
// there), so here the reader is untouched. A DSN of the same delivery
// later is the same event.
func TestSendTimeHardRefusalIsLeftToTheSendPath(t *testing.T) {
	for name, reply := range map[string]string{
		"5.1.1":     "550 5.1.1 <kit@old.test>: Recipient address rejected",
		"no status": "550 no such user",
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			kit := e.reader(t, "kit@old.test")
			e.sendBounce(t, e.campaign, kit, reply)
			list, _, err := e.store.List(ctx, events.Filter{Type: events.TypeBounce})
			if err != nil || len(list) != 1 || list[0].Kind() != events.BounceHard {
				t.Fatalf("List = %+v, %v; want one hard bounce", list, err)
			}
			if diff := cmp.Diff(readerState{"confirmed", 0, "active,active", "bounced", false}, e.state(t, kit)); diff != "" {
				t.Errorf("reader after a hard send-time refusal (-want +got):\n%s", diff)
			}
			ev := events.Event{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1", Email: "kit@old.test",
				CampaignID: e.campaign, SubscriberID: kit}
			if n, err := e.store.Record(ctx, []events.Event{ev}); err != nil || n != 0 {
				t.Errorf("Record of the DSN after the refusal = %d, %v; want 0 new", n, err)
			}
		})
	}
}
