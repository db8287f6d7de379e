package bounces_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// movedDSN is a DSN of a hard failure (5.1.1) of the mail sent from rcpt,
// a VERP address, whose per-recipient block names finalRcpt.
func movedDSN(rcpt, finalRcpt string) []byte {
	return []byte(strings.ReplaceAll(`Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@relay.moved.test>
To: `+rcpt+`
Subject: Delivery failure
Date: Wed, 2 Dec 2026 10:00:00 +0000
Message-ID: <moved-dsn-`+strings.ReplaceAll(finalRcpt, "@", ".")+`@relay.moved.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="mv-b1"

--mv-b1
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--mv-b1
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.moved.test

Final-Recipient: rfc822; `+finalRcpt+`
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such user

--mv-b1--
`, "\n", "\r\n"))
}

// movedEnv is kit, whose address an editor changed from kit@old.test to
// kit@new.test after a campaign went to the old one, and two other
// readers at tidewater.test.
type movedEnv struct {
	*intakeEnv
	kit, ada, bo int64
	// rcpt is the VERP address kit's mail went out from.
	rcpt string
}

func newMoved(t *testing.T) movedEnv {
	t.Helper()
	e := movedEnv{intakeEnv: newIntake(t, nil)}
	cid := e.campaign(t)
	e.kit = e.reader(t, "kit@old.test")
	e.ada = e.reader(t, "ada@tidewater.test")
	e.bo = e.reader(t, "bo@tidewater.test")
	e.rcpt = e.delivered(t, cid, e.kit)
	e.exec(t, `UPDATE subscribers SET email = 'kit@new.test', email_key = 'kit@new.test', email_changed_at = ? WHERE id = ?`,
		sqlite.Now().Add(time.Second), e.kit)
	return e
}

// suppressions returns the suppression list's targets.
func (e movedEnv) suppressions(t *testing.T) []string {
	t.Helper()
	out, err := sqlite.Column[string](e.db.Read.Query(`SELECT target FROM suppressions ORDER BY target`))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A DSN's Final-Recipient is whatever its sender wrote. For a delivery
// sent before an editor changed the reader's address, the bounce is about
// the old address, but whoever holds that old mail's VERP address (the
// old mailbox's owner, anyone it was forwarded to) writes the report:
// naming another reader's address, or a bare domain, must not put that
// reader, or everyone at the domain, on the suppression list. README:
// such a bounce "suppresses the old address only". Once, it suppressed
// whatever the report named.
func TestMovedReaderDSNSuppressesOnlyTheOldAddress(t *testing.T) {
	for _, final := range []string{"ada@tidewater.test", "tidewater.test"} {
		t.Run(final, func(t *testing.T) {
			e := newMoved(t)
			if err := send(t, e.addr, e.rcpt, movedDSN(e.rcpt, final)); err != nil {
				t.Fatal(err)
			}
			want := readerState{"confirmed", "active", false}
			if diff := cmp.Diff(want, e.state(t, e.ada)); diff != "" {
				t.Errorf("ada, another reader, after a DSN on kit's old mail naming %q (-want +got):\n%s", final, diff)
			}
			if diff := cmp.Diff(want, e.state(t, e.bo)); diff != "" {
				t.Errorf("bo, another reader, after a DSN on kit's old mail naming %q (-want +got):\n%s", final, diff)
			}
		})
	}
}

// What a moved reader's old mail's DSN may suppress: the address it names
// when that is a whole address no reader has now (the old one, however it
// is written); nothing when it names another present reader's address, a
// bare domain, the reader's own new address or nothing usable. The bounce
// is recorded either way and the reader keeps their new address.
func TestMovedReaderDSNSuppressesNoReader(t *testing.T) {
	for _, tt := range []struct {
		final string
		want  []string
	}{
		{"kit@old.test", []string{"kit@old.test"}},
		{"Kit@OLD.test", []string{"kit@old.test"}},
		{"ada@tidewater.test", nil},
		{"ADA@Tidewater.Test", nil},
		{"tidewater.test", nil},
		{"@tidewater.test", nil},
		{"kit@new.test", nil},
		{"kit@", nil},
	} {
		t.Run(tt.final, func(t *testing.T) {
			e := newMoved(t)
			if err := send(t, e.addr, e.rcpt, movedDSN(e.rcpt, tt.final)); err != nil {
				t.Fatal(err)
			}
			if n := e.count(t, "events"); n != 1 {
				t.Fatalf("%d events recorded, want 1", n)
			}
			if diff := cmp.Diff(tt.want, e.suppressions(t)); diff != "" {
				t.Errorf("suppressed after a DSN on kit's old mail naming %q (-want +got):\n%s", tt.final, diff)
			}
			want := readerState{"confirmed", "active", false}
			for name, id := range map[string]int64{"kit": e.kit, "ada": e.ada, "bo": e.bo} {
				if diff := cmp.Diff(want, e.state(t, id)); diff != "" {
					t.Errorf("%s after a DSN on kit's old mail naming %q (-want +got):\n%s", name, tt.final, diff)
				}
			}
		})
	}
}

// The same holds for a complaint about a moved reader's old mail, whose
// Original-Rcpt-To its sender writes too: it unsubscribes the reader (they
// did complain) but suppresses no other reader's address, nor a domain.
func TestMovedReaderComplaintSuppressesNoOtherReader(t *testing.T) {
	for _, tt := range []struct {
		rcptTo string
		want   []string
	}{
		{"kit@old.test", []string{"kit@old.test"}},
		{"ada@tidewater.test", nil},
		{"tidewater.test", nil},
	} {
		t.Run(tt.rcptTo, func(t *testing.T) {
			e := newMoved(t)
			if err := send(t, e.addr, e.rcpt, fixture(t, "arf-abuse.eml", e.rcpt, tt.rcptTo)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, e.suppressions(t)); diff != "" {
				t.Errorf("suppressed after a complaint on kit's old mail naming %q (-want +got):\n%s", tt.rcptTo, diff)
			}
			if diff := cmp.Diff(readerState{"unsubscribed", "unsubscribed", false}, e.state(t, e.kit)); diff != "" {
				t.Errorf("kit, who complained (-want +got):\n%s", diff)
			}
			want := readerState{"confirmed", "active", false}
			for name, id := range map[string]int64{"ada": e.ada, "bo": e.bo} {
				if diff := cmp.Diff(want, e.state(t, id)); diff != "" {
					t.Errorf("%s after a complaint on kit's old mail naming %q (-want +got):\n%s", name, tt.rcptTo, diff)
				}
			}
		})
	}
}
