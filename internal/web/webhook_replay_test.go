package web

import (
	"net/http"
	"testing"
)

// Mailgun signs a webhook's timestamp and token, not its event. The
// signature of one request, a harmless delivery, sent again with a
// complaint about another reader is refused, and the reader keeps their
// subscription; the same request sent again as it was (a retry whose
// answer was lost) is taken. A complaint with a token of its own is
// taken as before.
func TestMailgunTokenIsTakenOnce(t *testing.T) {
	e := newHookEnv(t)
	delivery := mailgunSign(e.fixture("mailgun_delivery"), hookMailgun, e.now, "captured-token")
	for range 2 {
		if code := e.post("/webhooks/mailgun", nil, delivery); code != http.StatusOK {
			t.Fatalf("a delivery webhook, sent once and again as it was = %d, want 200", code)
		}
	}
	before := e.state().Status["complain@example.org"]
	if before == "unsubscribed" || before == "" {
		t.Fatalf("setup: complain@example.org is %q", before)
	}
	forged := mailgunSign(e.fixture("mailgun_complaint"), hookMailgun, e.now, "captured-token")
	if code := e.post("/webhooks/mailgun", nil, forged); code != http.StatusUnauthorized {
		t.Errorf("the delivery's token with a complaint = %d, want 401", code)
	}
	if got := e.state().Status["complain@example.org"]; got != before {
		t.Errorf("after the refused replay complain@example.org is %q, want %q", got, before)
	}
	complaint := mailgunSign(e.fixture("mailgun_complaint"), hookMailgun, e.now, "a-token-of-its-own")
	if code := e.post("/webhooks/mailgun", nil, complaint); code != http.StatusOK {
		t.Errorf("a complaint with its own token = %d, want 200", code)
	}
	if got := e.state().Status["complain@example.org"]; got != "unsubscribed" {
		t.Errorf("after the complaint complain@example.org is %q, want unsubscribed", got)
	}
}
