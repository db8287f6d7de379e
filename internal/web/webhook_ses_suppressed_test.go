package web

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// SES accepted the message but did not send it, because the address is
// on the account's suppression list: told as a complaint (complaintSubType
// OnAccountSuppressionList) or as a bounce (bounceSubType the same). No
// one complained of this mail, so neither counts as a complaint; the
// address gets no mail through the account, so both are the hard bounce
// of the delivery they name (by SES's message id): the reader is bounced
// and the address suppressed for a bounce. A reader's real complaint is
// still one.
func TestSESSuppressionListDropIsNoComplaint(t *testing.T) {
	const messageID = "0100019a-5e2b-aaaa-bbbb-000000000031" // both fixtures'
	dropped := readerView{Status: "bounced", Lists: "active,active", Delivery: "bounced", Suppressed: "bounce",
		Events: "bounce_hard", Hooks: "subscriber.bounced"}
	for _, tc := range []struct {
		fixture, addr       string
		want                readerView
		bounces, complaints int
	}{
		{"ses_complaint_suppressed", "suppressed@example.com", dropped, 1, 0},
		{"ses_bounce_suppressed", "suppressed@example.com", dropped, 1, 0},
		{"ses_complaint", "complain@example.org", readerView{Status: "unsubscribed", Lists: "unsubscribed,unsubscribed", Delivery: "sent",
			Suppressed: "complaint", Events: "complaint", Hooks: "subscriber.complained"}, 0, 1},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			e := newHookEnv(t)
			e.addReader("suppressed@example.com", messageID)
			e.addReader("bystander@example.com", "")
			if got := e.send("ses", tc.fixture); got != http.StatusOK {
				t.Fatalf("status = %d, want 200", got)
			}
			if diff := cmp.Diff(tc.want, e.view(tc.addr)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.addr, diff)
			}
			if diff := cmp.Diff(readerView{Status: "confirmed", Lists: "active,active", Delivery: "sent"}, e.view("bystander@example.com")); diff != "" {
				t.Errorf("bystander (-want +got):\n%s", diff)
			}
			if bounces, complaints := e.rates(); bounces != tc.bounces || complaints != tc.complaints {
				t.Errorf("health counts %d bounces and %d complaints, want %d and %d", bounces, complaints, tc.bounces, tc.complaints)
			}
		})
	}
}
