package web

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
)

// Mailgun reports a message it will retry as a temporary failure, which
// Bulletin stores as a soft bounce of the delivery, and later the same
// message as failed for good. The permanent failure (5.1.1) is not
// dropped as the delivery's bounce stored already: the reader is bounced
// at once, and the one event of the delivery is the hard one.
func TestMailgunPermanentAfterTemporaryBounces(t *testing.T) {
	e := newHookEnv(t)
	verp := e.verp.Address(e.campaign, e.readers["delivered@example.com"])
	ts := strconv.FormatInt(e.now.Unix(), 10)
	temporary := []byte(`{"signature":{"timestamp":"{{TIMESTAMP}}","token":"{{TOKEN}}","signature":"{{SIGNATURE}}"},` +
		`"event-data":{"id":"review-mg-temp-1","timestamp":` + ts + `.25,"event":"failed","severity":"temporary","reason":"greylisted",` +
		`"recipient":"delivered@example.com","envelope":{"sender":"` + verp + `"},` +
		`"delivery-status":{"attempt-no":1,"code":451,"enhanced-code":"4.7.1","message":"451 4.7.1 Greylisted, come back in 5 minutes","retry-seconds":600}}}`)
	permanent := []byte(`{"signature":{"timestamp":"{{TIMESTAMP}}","token":"{{TOKEN}}","signature":"{{SIGNATURE}}"},` +
		`"event-data":{"id":"review-mg-perm-1","timestamp":` + ts + `.75,"event":"failed","severity":"permanent","reason":"bounce",` +
		`"recipient":"delivered@example.com","envelope":{"sender":"` + verp + `"},` +
		`"delivery-status":{"attempt-no":2,"code":550,"enhanced-code":"5.1.1","message":"550 5.1.1 No mailbox by that name"}}}`)
	if code := e.post("/webhooks/mailgun", nil, mailgunSign(temporary, hookMailgun, e.now, "review-token-temp")); code != http.StatusOK {
		t.Fatalf("temporary failure = %d, want 200", code)
	}
	if got := e.state().Status["delivered@example.com"]; got != "confirmed" {
		t.Fatalf("after the temporary failure the reader is %q", got)
	}
	if code := e.post("/webhooks/mailgun", nil, mailgunSign(permanent, hookMailgun, e.now, "review-token-perm")); code != http.StatusOK {
		t.Fatalf("permanent failure = %d, want 200", code)
	}
	st := e.state()
	if got := st.Status["delivered@example.com"]; got != "bounced" {
		t.Errorf("after the permanent 5.1.1 the reader is %q, want bounced", got)
	}
	if st.Events != 1 || e.eventKinds()["delivered@example.com"] != string(events.BounceHard) {
		t.Errorf("%d events, kind %q; want the delivery's one, hard", st.Events, e.eventKinds()["delivered@example.com"])
	}
	if ok, err := events.NewStore(e.db).Suppressed(context.Background(), "delivered@example.com"); err != nil || !ok {
		t.Errorf("delivered@example.com suppressed = %v, %v; want true", ok, err)
	}
}

// A signed provider event about an address no reader has is taken (200,
// so that the provider does not retry it) and suppresses that address
// only when it is one whole address: an event naming a bare domain does
// not stop mail to every reader of the domain.
func TestWebhookBareDomainSuppressesNoDomain(t *testing.T) {
	e := newHookEnv(t)
	ts := strconv.FormatInt(e.now.Unix(), 10)
	body := []byte(`[` +
		`{"email":"example.com","timestamp":` + ts + `,"event":"bounce","type":"bounce","sg_event_id":"cmV2aWV3LWRvbWFpbi0x","sg_message_id":"cmV2aWV3MQ.filter-9","reason":"550 5.1.1 no such user","status":"5.1.1"},` +
		`{"email":"stranger@example.net","timestamp":` + ts + `,"event":"bounce","type":"bounce","sg_event_id":"cmV2aWV3LWRvbWFpbi0y","sg_message_id":"cmV2aWV3Mg.filter-9","reason":"550 5.1.1 no such user","status":"5.1.1"}` +
		`]`)
	if code := e.post("/webhooks/sendgrid", e.sendGridHeaders(body, e.now), body); code != http.StatusOK {
		t.Fatalf("status = %d, want 200", code)
	}
	store := events.NewStore(e.db)
	for addr := range e.readers {
		if ok, err := store.Suppressed(context.Background(), addr); err != nil || ok {
			t.Errorf("%s suppressed = %v, %v after an event naming example.com; want false", addr, ok, err)
		}
	}
	// A bounce about an address no reader has changes no one and
	// suppresses nothing, on every path (a test send's, a stranger's).
	if ok, err := store.Suppressed(context.Background(), "stranger@example.net"); err != nil || ok {
		t.Errorf("stranger@example.net suppressed = %v, %v; want false (an address no reader has)", ok, err)
	}
}
