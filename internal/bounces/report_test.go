package bounces

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/events"
)

// fixtureRcpt and fixtureEmail fill the fixtures' {{RCPT}} (the VERP
// address the mail came back to) and {{EMAIL}} (the reader's address).
const (
	fixtureRcpt  = "bounce+abc@bounces.harbour.test"
	fixtureEmail = "robin@tidewater.test"
)

// fixture returns testdata/name with its placeholders filled.
func fixture(t testing.TB, name, rcpt, email string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("{{RCPT}}", rcpt, "{{EMAIL}}", email).Replace(string(raw))
	return []byte(s)
}

// TestParse reads each fixture as the intake does. Reasons are compared
// by their start, which is what the admin's inspection list groups by.
func TestParse(t *testing.T) {
	tests := []struct {
		file string
		want Report
	}{
		{"dsn-hard.eml", Report{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.1.1",
			Diagnostic: "550 5.1.1 <" + fixtureEmail + ">: mailbox unknown here", Recipient: fixtureEmail,
			MessageID: "<20260303091240.4QxY1Z2abc@relay.harbour.test>", OriginalID: "<campaign-7-reader-42@harbour.test>",
			Subject: "Undelivered Mail Returned to Sender"}},
		{"dsn-soft.eml", Report{Kind: events.BounceSoft, Source: events.SourceDSN, Status: "4.2.2",
			Diagnostic: "452 4.2.2 Over quota, try later", Recipient: fixtureEmail,
			MessageID: "<202603041640.gw1740@gateway.inlet.test>", OriginalID: "<digest-3-reader@harbour.test>",
			Subject: "Returned mail: see transcript for details"}},
		{"dsn-base64.eml", Report{Kind: events.BounceHard, Source: events.SourceDSN, Status: "5.2.1",
			Diagnostic: "550 5.2.1 This mailbox is disabled", Recipient: "lena@estuary.test",
			MessageID: "<ndr-b64@mail.estuary.test>", OriginalID: "<b64-original@harbour.test>",
			Subject: "Delivery Status Notification (Failure)"}},
		{"dsn-delayed.eml", Report{Reason: "a delivery status notification that reports no failure (delayed)",
			MessageID: "<delay-1@relay.harbour.test>", Subject: "Delayed Mail (still being retried)"}},
		{"arf-abuse.eml", Report{Kind: events.Complaint, Source: events.SourceARF, Recipient: fixtureEmail,
			Diagnostic: "feedback-type abuse from MailboxFBL/2.1", MessageID: "<fbl-0305-0001@complaints.mailbox.test>",
			OriginalID: "<arf-original@harbour.test>", Subject: "Complaint about a message from harbour.test"}},
		{"arf-notspam.eml", Report{Reason: "a feedback report of type not-spam, not a complaint",
			MessageID: "<fbl-notspam@complaints.mailbox.test>", Subject: "Not spam report"}},
		{"ndr-qmail.eml", Report{Kind: events.BounceHard, Source: events.SourceNDR, Status: "5.1.1",
			Diagnostic: "Sorry, no mailbox here by that name. (#5.1.1)", Recipient: fixtureEmail,
			MessageID: "<qmail-ndr-0305@mx.cove.test>", Subject: "failure notice"}},
		{"ndr-postfix.eml", Report{Kind: events.BounceHard, Source: events.SourceNDR, Status: "5.1.1",
			Diagnostic: "host mail.lagoon.test[198.51.100.80] said: 550 5.1.1 <" + fixtureEmail +
				">: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)",
			Recipient: fixtureEmail, MessageID: "<postfix-plain@old.lagoon.test>", Subject: "Undelivered Mail Returned to Sender"}},
		{"ndr-postfix-delay.eml", Report{Reason: "a delay warning (postfix): the sending MTA still tries",
			MessageID: "<postfix-delay@old.lagoon.test>", Subject: "Delayed Mail (still being retried)"}},
		{"ndr-exchange.eml", Report{Kind: events.BounceHard, Source: events.SourceNDR, Status: "5.1.10",
			Diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
			Recipient:  fixtureEmail, MessageID: "<exch-ndr-77@corp.delta.test>", Subject: "Undeliverable: This week in the harbour"}},
		{"ndr-gmail.eml", Report{Kind: events.BounceHard, Source: events.SourceNDR, Status: "5.1.1",
			Diagnostic: "550 5.1.1 The email account that you tried to reach does not exist.", Recipient: fixtureEmail,
			MessageID: "<gm-ndr-12@mail.googlemail.test>", Subject: "Delivery Status Notification (Failure)"}},
		{"ndr-gmail-html.eml", Report{Kind: events.BounceSoft, Source: events.SourceNDR, Status: "5.2.2",
			Diagnostic: "552 5.2.2 The recipient's inbox is out of storage space.", Recipient: fixtureEmail,
			MessageID: "<gm-ndr-13@mail.googlemail.test>", Subject: "Delivery Status Notification (Failure)"}},
		{"ndr-exim.eml", Report{Kind: events.BounceHard, Source: events.SourceNDR, Status: "5.1.1",
			Diagnostic: "host mx.tidewater.test [203.0.113.25] SMTP error from remote mail server after RCPT TO:<" + fixtureEmail +
				">: 550 5.1.1 <" + fixtureEmail + ">: Recipient address rejected: User unknown",
			Recipient: fixtureEmail, MessageID: "<E1exim-0306-0001@smtp.saltmarsh.test>",
			Subject: "Mail delivery failed: returning message to sender"}},
		{"ndr-exim-delay.eml", Report{Reason: "a delay warning (exim): the sending MTA still tries",
			MessageID: "<E1exim-0306-0002@smtp.saltmarsh.test>", Subject: "Warning: message 1exim-0306-0002 delayed 24 hours"}},
		{"ndr-yahoo.eml", Report{Kind: events.BounceHard, Source: events.SourceNDR, Status: "5.0.0",
			Diagnostic: "554 delivery error: dd Sorry, your message to " + fixtureEmail +
				" cannot be delivered. This mailbox is disabled (554.30). - mta7.mail.bay.test",
			Recipient: fixtureEmail, MessageID: "<yahoo-ndr-0306@mta7.mail.bay.test>", Subject: "Failure Notice"}},
		{"autoreply-header.eml", Report{Reason: "auto-reply (Auto-Submitted: auto-replied)",
			MessageID: "<ooo-1@delta.test>", Subject: "Re: This week in the harbour"}},
		{"autoreply-subject.eml", Report{Reason: "auto-reply (subject)",
			MessageID: "<ooo-2@delta.test>", Subject: "Automatic reply: This week in the harbour"}},
		{"autoreply-xautoreply.eml", Report{Reason: "auto-reply (X-Autoreply)",
			MessageID: "<ooo-3@delta.test>", Subject: "Re: Daily digest"}},
		{"unparsed.eml", Report{Reason: "neither a bounce nor a complaint Bulletin can read",
			MessageID: "<human-1@elsewhere.test>", Subject: "Question about your newsletter"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := Parse(fixture(t, tt.file, fixtureRcpt, fixtureEmail))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%s) (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

// TestParseOddInput gives Parse what is not a report at all.
func TestParseOddInput(t *testing.T) {
	tests := []struct {
		name, raw, reason string
	}{
		{"empty", "", "not a mail message: EOF"},
		{"no boundary", "Content-Type: multipart/report; report-type=delivery-status\n\nhi", "a multipart/report without a boundary"},
		{"report without its part", "Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n--x--\n",
			"a delivery-status report without its delivery-status part"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse([]byte(tt.raw))
			if got.Kind != "" || got.Reason != tt.reason {
				t.Errorf("Parse = kind %q, reason %q; want no kind, reason %q", got.Kind, got.Reason, tt.reason)
			}
		})
	}
}

// FuzzParse checks that no input makes Parse panic or report an event
// without its kind's source, or a status that is no status.
func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/*.eml")
	for _, n := range names {
		f.Add(fixture(f, filepath.Base(n), fixtureRcpt, fixtureEmail))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := Parse(raw)
		if r.Kind != "" && (r.Source == "" || r.Reason != "") {
			t.Fatalf("event without a source, or with a reason: %+v", r)
		}
		if r.Kind == "" && r.Reason == "" {
			t.Fatalf("neither an event nor a reason: %+v", r)
		}
		if r.Status != "" && !events.ValidStatus(r.Status) {
			t.Fatalf("bad status %q", r.Status)
		}
	})
}
