package bounces_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/bounces"
)

// arfBase64 is an ARF report from a feedback loop, mailed to the loop's
// own address (not a VERP one), whose returned headers are a base64
// text/rfc822-headers part (RFC 5965 §2; MIME allows base64 for any
// text part): the Return-Path and the Message-ID are in it only encoded.
func arfBase64(returnPath, messageID string) []byte {
	headers := "Return-Path: <" + returnPath + ">\r\n" +
		"From: Harbour Gazette <news@harbour.test>\r\n" +
		"To: kai@tidewater.test\r\n" +
		"Subject: Tides and timetables\r\n" +
		"Message-ID: " + messageID + "\r\n" +
		"Date: Tue, 1 Dec 2026 07:00:00 +0000\r\n"
	enc := base64.StdEncoding.EncodeToString([]byte(headers))
	var wrapped strings.Builder
	for len(enc) > 76 {
		wrapped.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	wrapped.WriteString(enc + "\r\n")
	return []byte(strings.ReplaceAll(`Delivered-To: loop@harbour.test
From: Feedback Loop <fbl@loop.example>
To: loop@harbour.test
Subject: Complaint about a message
Date: Wed, 2 Dec 2026 09:00:00 +0000
Message-ID: <arf-b64-1@loop.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="fb-64"

--fb-64
Content-Type: text/plain; charset=utf-8

A reader marked this message as spam.

--fb-64
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: LoopTest/2.1
Version: 1
Arrival-Date: Wed, 2 Dec 2026 08:58:00 +0000

--fb-64
Content-Type: text/rfc822-headers; charset=us-ascii
Content-Transfer-Encoding: base64

`, "\n", "\r\n") + wrapped.String() + "\r\n--fb-64--\r\n")
}

// An ARF complaint in the bounce mailbox whose returned headers are base64
// is recorded on the delivery its returned Message-ID names (README:
// Bulletin writes the delivery's VERP token as the Message-ID's left
// side; "Each DSN or ARF complaint about one of your deliveries is
// recorded"): the reader is unsubscribed and suppressed.
func TestMailboxARFWithBase64Headers(t *testing.T) {
	e := newIMAP(t, nil, imapPass)
	cid := e.campaign(t)
	kai := e.reader(t, "kai@tidewater.test")
	rk := e.delivered(t, cid, kai)
	local, _, _ := strings.Cut(rk, "@")
	msgID := "<" + local + "@harbour.test>"
	if _, err := e.verp.ParseMessageID(msgID); err != nil {
		t.Fatalf("sanity: the Message-ID does not name the delivery: %v", err)
	}
	e.deliver(t, "INBOX", arfBase64(rk, msgID))
	st := e.poll(t)
	if diff := cmp.Diff(readerState{"unsubscribed", "unsubscribed", true}, e.state(t, kai)); diff != "" {
		t.Errorf("kai after an ARF complaint whose returned headers are base64 (poll %+v) (-want +got):\n%s", st, diff)
	}
	if st.Events != 1 || st.Kept != 0 {
		t.Errorf("poll %+v, want 1 event and nothing kept", st)
	}
}

// A Message-ID is trusted as a VERP address is: only under the
// installation's MAC. A report whose returned Message-ID (and Return-Path)
// carry a token altered by one character, or made under another secret,
// names no delivery: it is kept for the admin and no reader changes.
func TestMailboxARFWithBase64HeadersForgedMessageID(t *testing.T) {
	e := newIMAP(t, nil, imapPass)
	cid := e.campaign(t)
	kai := e.reader(t, "kai@tidewater.test")
	rk := e.delivered(t, cid, kai)
	local, _, _ := strings.Cut(rk, "@")
	flip := "a"
	if strings.HasSuffix(local, "a") {
		flip = "b"
	}
	altered := local[:len(local)-1] + flip
	other := bounces.NewVERP([]byte("someone else's secret"), bounceDomain).Address(cid, kai)
	otherLocal, _, _ := strings.Cut(other, "@")
	for name, l := range map[string]string{"altered": altered, "other secret": otherLocal} {
		t.Run(name, func(t *testing.T) {
			msgID := "<" + l + "@harbour.test>"
			if _, err := e.verp.ParseMessageID(msgID); err == nil {
				t.Fatalf("sanity: forged Message-ID %s parses", msgID)
			}
			e.deliver(t, "INBOX", arfBase64(l+"@"+bounceDomain, msgID))
			st := e.poll(t)
			if diff := cmp.Diff(readerState{"confirmed", "active", false}, e.state(t, kai)); diff != "" {
				t.Errorf("kai after a complaint naming a forged Message-ID (poll %+v) (-want +got):\n%s", st, diff)
			}
			if st.Events != 0 || st.Kept != 1 {
				t.Errorf("poll %+v, want no event and the mail kept", st)
			}
		})
	}
}
