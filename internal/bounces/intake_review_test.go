package bounces_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Mail Bulletin sent to a reader who has since been erased still carries
// its VERP address, and whoever holds that mail can send a report to it.
// A complaint naming another reader, or a bounce naming a whole domain,
// is taken (250) and listed, but suppresses no one: the other reader
// keeps getting mail and the domain's readers too.
func TestReportToAnErasedReadersVERPSuppressesNoOne(t *testing.T) {
	e := newIntake(t, nil)
	cid := e.campaign(t)
	gone, kept := e.reader(t, "gone@firth.test"), e.reader(t, "kept@firth.test")
	rcpt := e.delivered(t, cid, gone)
	e.exec(t, `DELETE FROM subscribers WHERE id = ?`, gone)

	complaint := mail(
		"From: Feedback Loop <fbl@isp.test>",
		"To: "+rcpt,
		"Subject: Complaint report",
		"Message-ID: <fbl-review-1@isp.test>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=feedback-report; boundary="fb"`,
		"",
		"--fb",
		"Content-Type: text/plain",
		"",
		"A reader called this spam.",
		"--fb",
		"Content-Type: message/feedback-report",
		"",
		"Feedback-Type: abuse",
		"User-Agent: ReviewFBL/1.0",
		"Version: 1",
		"Original-Rcpt-To: <kept@firth.test>",
		"--fb--")
	bounce := mail(
		"From: MAILER-DAEMON@relay.firth.test",
		"To: "+rcpt,
		"Subject: Undelivered Mail Returned to Sender",
		"Message-ID: <dsn-review-1@relay.firth.test>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=delivery-status; boundary="ds"`,
		"",
		"--ds",
		"Content-Type: text/plain",
		"",
		"Your message could not be delivered.",
		"--ds",
		"Content-Type: message/delivery-status",
		"",
		"Reporting-MTA: dns; relay.firth.test",
		"",
		"Final-Recipient: rfc822; firth.test",
		"Action: failed",
		"Status: 5.1.1",
		"Diagnostic-Code: smtp; 550 5.1.1 no such user",
		"--ds--")
	for name, msg := range map[string][]byte{"complaint": complaint, "bounce": bounce} {
		if err := send(t, e.addr, rcpt, msg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if diff := cmp.Diff(readerState{"confirmed", "active", false}, e.state(t, kept)); diff != "" {
		t.Errorf("kept@firth.test after reports about an erased reader (-want +got):\n%s", diff)
	}
	if n := e.count(t, "suppressions"); n != 0 {
		t.Errorf("%d suppressions, want none", n)
	}
	if n := e.count(t, "events"); n != 2 {
		t.Errorf("%d events, want the 2 reports listed", n)
	}
}
