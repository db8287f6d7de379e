package bounces

import (
	"testing"

	"github.com/bulletinhq/bulletin/internal/events"
)

// A bounce that names the remote host by its IP address is not read by
// it: an IP that starts with 2, 4 or 5 (5.9.x.x is Hetzner's, 2.x
// Orange's) is no enhanced status code. Postfix puts it in brackets before
// the reply, here a full mailbox (4.2.2, soft); qmail starts its answer
// with it, here a spam block (5.7.1, soft too).
func TestBounceIPAddressIsNotAStatus(t *testing.T) {
	cases := map[string]struct {
		raw, status string
	}{
		"postfix": {"From: MAILER-DAEMON@old.lagoon.test (Mail Delivery System)\r\n" +
			"To: bounce+abc@bounces.harbour.test\r\n" +
			"Subject: Undelivered Mail Returned to Sender\r\n" +
			"Message-Id: <postfix-ip@old.lagoon.test>\r\n" +
			"\r\n" +
			"This is the mail system at host old.lagoon.test.\r\n" +
			"\r\n" +
			"<robin@tidewater.test>: host mx.tidewater.test[5.9.10.20] said: 452 4.2.2\r\n" +
			"    Mailbox full (in reply to RCPT TO command)\r\n", "4.2.2"},
		"qmail": {"From: MAILER-DAEMON@mx.cove.test\r\n" +
			"To: bounce+abc@bounces.harbour.test\r\n" +
			"Subject: failure notice\r\n" +
			"\r\n" +
			"Hi. This is the qmail-send program at mx.cove.test.\r\n" +
			"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n" +
			"This is a permanent error; I've given up. Sorry it didn't work out.\r\n" +
			"\r\n" +
			"<robin@tidewater.test>:\r\n" +
			"5.9.10.20 failed after I sent the message.\r\n" +
			"Remote host said: 554 5.7.1 Message rejected as spam\r\n" +
			"\r\n", "5.7.1"},
	}
	for name, c := range cases {
		r := Parse([]byte(c.raw))
		if r.Status != c.status || r.Kind != events.BounceSoft {
			t.Errorf("%s: status %q kind %q (diagnostic %q); want %s bounce_soft", name, r.Status, r.Kind, r.Diagnostic, c.status)
		}
	}
}

// An enhanced code is still read where it ends a sentence, and an IP
// address is never one, wherever it stands.
func TestEnhancedCodeBesideDots(t *testing.T) {
	cases := map[string]string{
		"550 The mailbox does not exist: 5.1.1.":           "5.1.1",
		"452 mailbox full, 4.2.2. Try again later":         "4.2.2",
		"mx[5.9.10.20] said: 550 5.7.1 blocked":            "5.7.1",
		"5.9.10.20 does not like you: 421 try again later": "4.0.0",
	}
	for diagnostic, want := range cases {
		if got := statusOf("", diagnostic, false); got != want {
			t.Errorf("statusOf(%q) = %q, want %q", diagnostic, got, want)
		}
	}
}
