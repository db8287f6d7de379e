package web

import (
	"net/http"
	"strconv"
	"testing"
)

// eventKinds returns the kind of every event stored, by address.
func (e *hookEnv) eventKinds() map[string]string {
	e.t.Helper()
	rows, err := e.db.Read.Query(`SELECT email, kind FROM events`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, k string
		if err := rows.Scan(&a, &k); err != nil {
			e.t.Fatal(err)
		}
		out[a] = k
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// A SendGrid drop is an event only when its reason says something about
// the address: "Bounced Address" and "Invalid" are hard bounces, "Spam
// Reporting Address" a complaint; "Unsubscribed Address" unsubscribes the
// reader, stored as an unsubscribe (no bounce). A drop for the message's own fault
// ("Invalid SMTPAPI header", sent to every reader of the batch), the
// account's, or a reason Bulletin does not know changes no reader: it
// would otherwise bounce a whole audience for one badly built send.
func TestSendGridSenderSideDropIsNoBounce(t *testing.T) {
	cases := []struct {
		reason     string
		kind       string // of the event stored, "" for none
		readerGets string
	}{
		{"Invalid SMTPAPI header", "", "confirmed"},
		{"Spam Content", "", "confirmed"},
		{"Unsubscribed Address", "unsubscribe", "unsubscribed"}, // left through SendGrid: no bounce
		{"Recipient List over Package Quota", "", "confirmed"},
		{"Mailbox sorting hat says no", "", "confirmed"}, // a reason SendGrid may add one day
		{"Bounced Address", "bounce_hard", "bounced"},
		{"Invalid", "bounce_hard", "bounced"},
		{"Spam Reporting Address", "complaint", "unsubscribed"},
	}
	for _, tc := range cases {
		t.Run(tc.reason, func(t *testing.T) {
			e := newHookEnv(t)
			ts := strconv.FormatInt(e.now.Unix(), 10)
			body := []byte(`[` +
				`{"email":"delivered@example.com","timestamp":` + ts + `,"event":"dropped","reason":"` + tc.reason + `","sg_event_id":"ZHJvcC1raW5kcy0wMDE","sg_message_id":"ZHJvcGtpbmRzMQ.filter-7"},` +
				`{"email":"soft@example.com","timestamp":` + ts + `,"event":"dropped","reason":"` + tc.reason + `","sg_event_id":"ZHJvcC1raW5kcy0wMDI","sg_message_id":"ZHJvcGtpbmRzMg.filter-7"}` +
				`]`)
			if got := e.post("/webhooks/sendgrid", e.sendGridHeaders(body, e.now), body); got != http.StatusOK {
				t.Fatalf("status = %d, want 200", got)
			}
			st := e.state()
			kinds := e.eventKinds()
			for _, a := range []string{"delivered@example.com", "soft@example.com"} {
				if st.Status[a] != tc.readerGets || kinds[a] != tc.kind {
					t.Errorf("%s after a drop for %q: reader %s, event %q; want %s, %q", a, tc.reason, st.Status[a], kinds[a], tc.readerGets, tc.kind)
				}
			}
			want := 2
			if tc.kind == "" {
				want = 0
			}
			if st.Events != want {
				t.Errorf("%d events stored, want %d", st.Events, want)
			}
		})
	}
}

// Webhook bounces follow the rules DSNs do: a hard bounce is 5.x.x but a
// full mailbox (5.2.2) or a policy block (5.7.x). A provider that labels
// a full mailbox hard (SendGrid's "bounce" of type "bounce", Mailgun's
// permanent failure, an SES Permanent bounce) gives one soft bounce, the
// reader staying confirmed; an unknown mailbox (5.1.1) stays hard.
func TestProviderFullMailboxIsSoft(t *testing.T) {
	cases := []struct {
		name       string
		send       func(e *hookEnv) int
		kind       string
		readerGets string
	}{
		{"sendgrid 5.2.2", func(e *hookEnv) int {
			body := []byte(`[{"email":"soft@example.com","timestamp":` + strconv.FormatInt(e.now.Unix(), 10) + `,"event":"bounce","type":"bounce",` +
				`"sg_event_id":"ZnVsbC1tYWlsYm94LTAwMQ","sg_message_id":"ZnVsbG1ieA.filter-3","reason":"552 5.2.2 Quota exceeded for this mailbox","status":"5.2.2"}]`)
			return e.post("/webhooks/sendgrid", e.sendGridHeaders(body, e.now), body)
		}, "bounce_soft", "confirmed"},
		{"sendgrid 5.2.2 in the reason only", func(e *hookEnv) int {
			body := []byte(`[{"email":"soft@example.com","timestamp":` + strconv.FormatInt(e.now.Unix(), 10) + `,"event":"bounce","type":"bounce",` +
				`"sg_event_id":"ZnVsbC1tYWlsYm94LTAwMg","sg_message_id":"ZnVsbG1ieDI.filter-3","reason":"552 5.2.2 Quota exceeded for this mailbox"}]`)
			return e.post("/webhooks/sendgrid", e.sendGridHeaders(body, e.now), body)
		}, "bounce_soft", "confirmed"},
		{"mailgun 5.2.2", func(e *hookEnv) int {
			body := []byte(`{"signature":{"timestamp":"{{TIMESTAMP}}","token":"{{TOKEN}}","signature":"{{SIGNATURE}}"},` +
				`"event-data":{"id":"kinds-mg-full-1","timestamp":` + strconv.FormatInt(e.now.Unix(), 10) + `,"event":"failed","severity":"permanent",` +
				`"recipient":"soft@example.com","envelope":{"sender":"` + e.verp.Address(e.campaign, e.readers["soft@example.com"]) + `"},` +
				`"delivery-status":{"code":552,"enhanced-code":"5.2.2","message":"552 5.2.2 Quota exceeded for this mailbox"}}}`)
			return e.post("/webhooks/mailgun", nil, mailgunSign(body, hookMailgun, e.now, "kinds-token-full"))
		}, "bounce_soft", "confirmed"},
		{"mailgun 5.1.1", func(e *hookEnv) int {
			body := []byte(`{"signature":{"timestamp":"{{TIMESTAMP}}","token":"{{TOKEN}}","signature":"{{SIGNATURE}}"},` +
				`"event-data":{"id":"kinds-mg-gone-1","timestamp":` + strconv.FormatInt(e.now.Unix(), 10) + `,"event":"failed","severity":"permanent",` +
				`"recipient":"soft@example.com","envelope":{"sender":"` + e.verp.Address(e.campaign, e.readers["soft@example.com"]) + `"},` +
				`"delivery-status":{"code":550,"enhanced-code":"5.1.1","message":"550 5.1.1 No mailbox by that name"}}}`)
			return e.post("/webhooks/mailgun", nil, mailgunSign(body, hookMailgun, e.now, "kinds-token-gone"))
		}, "bounce_hard", "bounced"},
		{"ses Permanent 5.2.2", func(e *hookEnv) int {
			msg := []byte(`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",` +
				`"bouncedRecipients":[{"emailAddress":"soft@example.com","action":"failed","status":"5.2.2","diagnosticCode":"smtp; 552 5.2.2 Quota exceeded for this mailbox"}],` +
				`"timestamp":"2026-12-01T08:00:00.000Z","feedbackId":"kinds-ses-full-1"},` +
				`"mail":{"source":"` + e.verp.Address(e.campaign, e.readers["soft@example.com"]) + `","messageId":"kinds-ses-msg-1"}}`)
			return e.post("/webhooks/ses", nil, e.snsEnvelope("sns-kinds-full", msg, "2"))
		}, "bounce_soft", "confirmed"},
		{"ses Permanent 5.1.1", func(e *hookEnv) int {
			msg := []byte(`{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",` +
				`"bouncedRecipients":[{"emailAddress":"soft@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 No mailbox by that name"}],` +
				`"timestamp":"2026-12-01T08:00:00.000Z","feedbackId":"kinds-ses-gone-1"},` +
				`"mail":{"source":"` + e.verp.Address(e.campaign, e.readers["soft@example.com"]) + `","messageId":"kinds-ses-msg-2"}}`)
			return e.post("/webhooks/ses", nil, e.snsEnvelope("sns-kinds-gone", msg, "2"))
		}, "bounce_hard", "bounced"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newHookEnv(t)
			if got := tc.send(e); got != http.StatusOK {
				t.Fatalf("status = %d, want 200", got)
			}
			st := e.state()
			if st.Events != 1 {
				t.Fatalf("%d events stored, want 1", st.Events)
			}
			kind := e.eventKinds()["soft@example.com"]
			if got := st.Status["soft@example.com"]; got != tc.readerGets || kind != tc.kind {
				t.Errorf("reader %s, event %s; want %s and %s, as the same DSN gives", got, kind, tc.readerGets, tc.kind)
			}
		})
	}
}
