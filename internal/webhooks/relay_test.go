package webhooks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bulletinhq/bulletin/internal/events"
	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/internal/sqlite/sqlitetest"
)

// fixtureEvents reads a fixture through its provider, signed as it
// would be.
func fixtureEvents(t *testing.T, name string) []events.Event {
	t.Helper()
	body := read(t, name)
	var evs []events.Event
	var err error
	switch {
	case strings.HasPrefix(name, "ses_"):
		evs, err = (&SES{VERP: testVERP}).notification("sns-id", body)
	case strings.HasPrefix(name, "postmark_"):
		pm, _ := NewPostmark("u:p", testVERP)
		evs, err = pm.Events(context.Background(), http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("u:p"))}}, body)
	case strings.HasPrefix(name, "sendgrid_"):
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
		sg, _ := NewSendGrid(base64.StdEncoding.EncodeToString(der), testVERP)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sum := sha256.Sum256(append([]byte(ts), body...))
		sig, _ := ecdsa.SignASN1(rand.Reader, key, sum[:])
		evs, err = sg.Events(context.Background(), http.Header{SendGridTimestampHeader: {ts}, SendGridSignatureHeader: {base64.StdEncoding.EncodeToString(sig)}}, body)
	default:
		t.Fatalf("no provider for %s", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// Each provider's events carry its id of the message: SES's
// mail.messageId, the part of SendGrid's sg_message_id before the dot
// (the id of its "queued as" reply), Postmark's MessageID.
func TestFixturesCarryRelayID(t *testing.T) {
	cases := map[string][]string{
		"ses_bounce":            {"0100019a-5e2b-aaaa-bbbb-000000000001"},
		"ses_complaint":         {"0100019a-5e2b-aaaa-bbbb-000000000003"},
		"ses_bounce_relay":      {"0100019a6c1d4f2e-7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e-000000"},
		"sendgrid_bounce":       {"Qm9JLXhZ", "Qm9JLXhZ"},
		"sendgrid_complaint":    {"Qm9JLXhZ"},
		"sendgrid_bounce_relay": {"nhIMmON9SFOPcT0ii4nt2A"},
		"postmark_bounce":       {"5b1f3c2e-0a4d-4e8f-9c61-2d7a1f000001"},
		"postmark_complaint":    {"5b1f3c2e-0a4d-4e8f-9c61-2d7a1f000003"},
		"postmark_bounce_relay": {"8d3e7f21-4b5c-4a6d-9e8f-0a1b2c3d4e57"},
		"ses_delivery":          nil,
	}
	for name, want := range cases {
		var got []string
		for _, ev := range fixtureEvents(t, name) {
			got = append(got, ev.RelayID)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: relay ids (-want +got):\n%s", name, diff)
		}
	}
}

// A provider's bounce that reports another address than the reader's
// (where the mail was forwarded, an address another reader has) lands,
// through the relay's id of the message, on the delivery it is about,
// in a real database: the reader and the delivery are bounced, the other
// reader is untouched.
func TestRelayIDEventOnRightDelivery(t *testing.T) {
	cases := map[string]string{
		"ses_bounce_relay":      "0100019a6c1d4f2e-7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e-000000",
		"sendgrid_bounce_relay": "nhIMmON9SFOPcT0ii4nt2A",
		"postmark_bounce_relay": "8d3e7f21-4b5c-4a6d-9e8f-0a1b2c3d4e57",
	}
	for name, rid := range cases {
		t.Run(name, func(t *testing.T) {
			db := sqlitetest.Open(t)
			now := sqlite.Now()
			exec := func(q string, args ...any) int64 {
				t.Helper()
				res, err := db.Write.Exec(q, args...)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				id, _ := res.LastInsertId()
				return id
			}
			cid := exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('News', 'sent', ?, ?)`, now, now)
			reader := func(email, rid string) int64 {
				id := exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at, confirmed_at)
					VALUES (?, lower(?), 'confirmed', ?, ?, ?)`, email, email, now, now, now)
				exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at, relay_id) VALUES (?, ?, 'sent', ?, ?, NULLIF(?, ''))`,
					cid, id, now, now, rid)
				return id
			}
			robin := reader("Robin@Tidewater.test", rid)
			other := reader("robin.forwarded@elsewhere.example", "")

			evs := fixtureEvents(t, name)
			if n, err := events.NewStore(db).Record(context.Background(), evs); err != nil || n != 1 {
				t.Fatalf("Record = %d, %v; want 1 stored", n, err)
			}
			state := func(id int64) string {
				var s, d string
				if err := db.Read.QueryRow(`SELECT s.status, d.status FROM subscribers s JOIN deliveries d ON d.subscriber_id = s.id WHERE s.id = ?`, id).Scan(&s, &d); err != nil {
					t.Fatal(err)
				}
				return s + "/" + d
			}
			if got := state(robin); got != "bounced/bounced" {
				t.Errorf("reader and delivery %s, want bounced/bounced", got)
			}
			if got := state(other); got != "confirmed/sent" {
				t.Errorf("reader at the reported address %s, want confirmed/sent", got)
			}
			var esid, ecid int64
			var key string
			if err := db.Read.QueryRow(`SELECT campaign_id, subscriber_id, dedupe_key FROM events`).Scan(&ecid, &esid, &key); err != nil {
				t.Fatal(err)
			}
			if ecid != cid || esid != robin || key != events.DeliveryKey(events.BounceHard, cid, robin) {
				t.Errorf("event on campaign %d, reader %d, key %q; want %d, %d, the delivery's", ecid, esid, key, cid, robin)
			}
		})
	}
}
