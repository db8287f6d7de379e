package bounces_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/events"
)

// Exim's bounce as it also comes: the remote answer on the host's line,
// a second failed address after the first, and the returned newsletter
// below, whose own words ("delivery attempts will continue") are not
// the bounce's. Yahoo's with a full mailbox is the soft bounce it is,
// and one whose returned copy says someone is "still trying" is still a
// bounce, not a delay.
func TestEximAndYahooBounceVariants(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want bounces.Report
	}{
		{"exim, answer on the host's line", mail(
			"From: Mail Delivery System <Mailer-Daemon@smtp.saltmarsh.test>",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: Mail delivery failed: returning message to sender",
			"Auto-Submitted: auto-replied",
			"",
			"This message was created automatically by mail delivery software.",
			"",
			"A message that you sent could not be delivered to one or more of its",
			"recipients. This is a permanent error. The following address(es) failed:",
			"",
			"  <moira@firth.test>",
			"    host mx.firth.test [198.51.100.7]: 550 5.1.1 <moira@firth.test>:",
			"    Recipient address rejected: User unknown",
			"  ewan@firth.test",
			"    Unrouteable address",
			"",
			"------ This is a copy of the message, including all the headers. ------",
			"",
			"Subject: This week in the harbour",
			"",
			"The ferry is late again. Delivery attempts will continue for some time,",
			"says the harbour master, and this warning may be repeated at intervals.",
		), bounces.Report{Kind: events.BounceHard, Source: events.SourceNDR, Status: "5.1.1", Recipient: "moira@firth.test",
			Diagnostic: "host mx.firth.test [198.51.100.7]: 550 5.1.1 <moira@firth.test>: Recipient address rejected: User unknown",
			Subject:    "Mail delivery failed: returning message to sender"}},
		{"yahoo, full mailbox", mail(
			"From: MAILER-DAEMON@mta7.mail.bay.test",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: Failure Notice",
			"",
			"Sorry, we were unable to deliver your message to the following address.",
			"",
			"<moira@firth.test>:",
			"Remote host said: 552 5.2.2 Mailbox is over quota [RCPT_TO]",
			"",
			"--- Below this line is a copy of the message.",
			"",
			"Subject: This week in the harbour",
			"",
			"The new pier is still not open; the council will continue to try.",
		), bounces.Report{Kind: events.BounceSoft, Source: events.SourceNDR, Status: "5.2.2", Recipient: "moira@firth.test",
			Diagnostic: "552 5.2.2 Mailbox is over quota [RCPT_TO]", Subject: "Failure Notice"}},
		{"yahoo, no such user, copy that is still trying", mail(
			"From: MAILER-DAEMON@mta7.mail.bay.test",
			"To: bounce+abc@bounces.harbour.test",
			"Subject: Failure Notice",
			"",
			"Sorry, we were unable to deliver your message to the following address.",
			"",
			"<moira@firth.test>:",
			"Remote host said: 550 5.1.1 unknown user [RCPT_TO]",
			"",
			"--- Below this line is a copy of the message.",
			"",
			"Subject: This week in the harbour",
			"",
			"The lifeboat crew are still trying to reach the wreck.",
		), bounces.Report{Kind: events.BounceHard, Source: events.SourceNDR, Status: "5.1.1", Recipient: "moira@firth.test",
			Diagnostic: "550 5.1.1 unknown user [RCPT_TO]", Subject: "Failure Notice"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, bounces.Parse(tc.raw)); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

// Mail that quotes an Exim or a Yahoo bounce is not one, through the
// intake: a reader's reply quoting it with "> ", one pasting it under
// their own words as a forward does, and an auto-reply quoting it. The
// reader stays as they were, nothing is suppressed, and each mail is
// kept for the admin with its reason.
func TestQuotedEximOrYahooBounceIsNoBounce(t *testing.T) {
	e := newIntake(t, nil)
	cid, sid := e.campaign(t), e.reader(t, "robin@tidewater.test")
	rcpt := e.delivered(t, cid, sid)
	msgs := map[string][]byte{
		"reply quoting exim": mail(
			"From: Robin Hale <robin@tidewater.test>",
			"To: "+rcpt,
			"Subject: Re: Mail delivery failed: returning message to sender",
			"",
			"Why did I get this? My address works.",
			"",
			"> This message was created automatically by mail delivery software.",
			">",
			"> A message that you sent could not be delivered to one or more of its",
			"> recipients. This is a permanent error. The following address(es) failed:",
			">",
			">   robin@tidewater.test",
			">     host mx.tidewater.test [203.0.113.25]: 550 5.1.1 User unknown"),
		"forward pasting yahoo": mail(
			"From: Robin Hale <robin@tidewater.test>",
			"To: "+rcpt,
			"Subject: Fw: Failure Notice",
			"",
			"Got this when I wrote to my sister, is your list the problem?",
			"",
			"-----Original Message-----",
			"Sorry, we were unable to deliver your message to the following address.",
			"",
			"<robin@tidewater.test>:",
			"Remote host said: 554 delivery error: dd This mailbox is disabled",
			""),
		"forward pasting exim": mail(
			"From: Robin Hale <robin@tidewater.test>",
			"To: "+rcpt,
			"Subject: Fw: Mail delivery failed",
			"",
			"See below.",
			"",
			"This message was created automatically by mail delivery software.",
			"",
			"A message that you sent could not be delivered to one or more of its",
			"recipients. This is a permanent error. The following address(es) failed:",
			"",
			"  robin@tidewater.test",
			"    host mx.tidewater.test [203.0.113.25]: 550 5.1.1 User unknown"),
		"auto-reply quoting yahoo": mail(
			"From: Robin Hale <robin@tidewater.test>",
			"To: "+rcpt,
			"Subject: Re: This week in the harbour",
			"Auto-Submitted: auto-replied",
			"",
			"I am away until Monday.",
			"",
			"> Sorry, we were unable to deliver your message to the following address.",
			">",
			"> <robin@tidewater.test>:",
			"> Remote host said: 554 delivery error: dd This mailbox is disabled"),
	}
	for name, msg := range msgs {
		if err := send(t, e.addr, rcpt, msg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if diff := cmp.Diff(readerState{"confirmed", "active", false}, e.state(t, sid)); diff != "" {
		t.Errorf("reader (-want +got):\n%s", diff)
	}
	if n := e.count(t, "events"); n != 0 {
		t.Errorf("%d events from mail quoting a bounce, want none", n)
	}
	if n := e.count(t, "suppressions"); n != 0 {
		t.Errorf("%d suppressions, want none", n)
	}
	kept, err := e.store.UnparsedMail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != len(msgs) {
		t.Errorf("%d mails kept, want %d", len(kept), len(msgs))
	}
	for _, u := range kept {
		if u.Reason != "neither a bounce nor a complaint Bulletin can read" && u.Reason != "auto-reply (Auto-Submitted: auto-replied)" {
			t.Errorf("kept with reason %q", u.Reason)
		}
	}
}
