package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/internal/sqlite"
)

// Issue 11, as a new user would try it: serve sends a campaign through a
// real Postfix on loopback, whose transport sends the bounce domain back
// to serve's intake. Postfix takes every message, then the readers' server
// refuses some (550 5.1.1, and 451 for one whose message Postfix gives up
// on at once): Postfix's own DSNs come back to the VERP addresses and
// those readers are bounced (the 451 one gets a soft bounce and stays).
// Then a mailbox provider's ARF complaint about a message a reader got,
// mailed to its VERP address through Postfix, unsubscribes that reader
// from every list and suppresses the address. Needs Debian's postfix and
// root: see postfixBin.
func TestPostfixRelaysBouncesAndComplaints(t *testing.T) {
	postfixBin(t) // skips before anything starts
	binary(t)     // built once for every test; not counted below
	start := time.Now()
	sink := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{RejectDomain: "gone.example.test"}))
	busy := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{TempFailRate: 1}))
	intake := freeAddr(t)
	pf := startPostfix(t, map[string]string{
		"readers.example.test": "smtp:[127.0.0.1]:" + port(sink.Addr()),
		"gone.example.test":    "smtp:[127.0.0.1]:" + port(sink.Addr()),
		"busy.example.test":    "smtp:[127.0.0.1]:" + port(busy.Addr()),
		"bounces.example.test": "smtp:[127.0.0.1]:" + port(intake),
	})

	c := newCluster(t, 0, 0,
		"BULLETIN_SMTP_URL=smtp://"+pf.Addr+"?tls=none",
		"BULLETIN_BOUNCE_DOMAIN=bounces.example.test",
		"BULLETIN_BOUNCE_ADDR="+intake,
		"BULLETIN_FROM=Harbour Gazette <news@harbour.test>",
		"BULLETIN_DKIM_SELECTOR=s1")
	if out, err := c.command("dkim", "keygen", "--selector", "s1").CombinedOutput(); err != nil {
		t.Fatalf("dkim keygen: %v\n%s", err, out)
	}
	key, err := dkim.Load(filepath.Join(c.data, "dkim"), "s1", dkim.RSA)
	if err != nil {
		t.Fatal(err)
	}
	good := []string{"ann@readers.example.test", "ben@readers.example.test", "cy@readers.example.test"}
	gone := []string{"dee@gone.example.test", "eli@gone.example.test"}
	const slow = "fay@busy.example.test"
	db, err := sqlite.Open(context.Background(), filepath.Join(c.data, "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := seedPostfixReaders(t, db, append(append(append([]string{}, good...), gone...), slow))

	_, addr := c.start("serve", "serve")
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(c.data, "serve.log"))
			t.Logf("serve's log:\n%s", b)
		}
	})
	waitListening(t, intake)
	id := c.startCampaign(addr)
	c.waitSent(addr, id, 30*time.Second)

	// Each reader's message is in Postfix's hands; it bounces them later.
	waitFor(t, 20*time.Second, "the good readers' messages at their server", func() bool {
		for _, a := range good {
			if sink.Count(a) == 0 {
				return false
			}
		}
		return true
	})
	for _, a := range gone {
		waitStatus(t, c, addr, ids[a], "bounced")
	}
	// Postfix gives up on the deferred message at its next try, its
	// lifetime being 3 s; on a loaded machine its queue manager once left
	// it untried past the wait below, so the test asks for tries.
	stopFlush := pf.flushEvery(2 * time.Second)
	evs := waitEvents(t, c, addr, id, "bounce", len(gone)+1)
	stopFlush()
	byReader := map[int64]postfixEvent{}
	for _, e := range evs {
		if e.SubscriberID == nil || e.CampaignID == nil || *e.CampaignID != id {
			t.Errorf("event %+v is not tied to a delivery of campaign %d", e, id)
			continue
		}
		byReader[*e.SubscriberID] = e
	}
	for _, a := range gone {
		e := byReader[ids[a]]
		if e.Source != "dsn" || e.Detail.Bounce != "hard" || e.Detail.Status != "5.1.1" || !strings.Contains(e.Detail.Diagnostic, "550") {
			t.Errorf("%s's event: %+v, want a hard bounce from a DSN with status 5.1.1 and the 550", a, e)
		}
	}
	if !strings.Contains(pf.log(), "status=expired, returned to sender") {
		t.Errorf("Postfix's log does not show it giving up on %s", slow)
	}
	if e := byReader[ids[slow]]; e.Source != "dsn" || e.Detail.Bounce != "soft" || !strings.HasPrefix(e.Detail.Status, "4.") {
		t.Errorf("%s's event: %+v, want a soft bounce from a DSN with a 4.x.x status", slow, e)
	}
	for _, a := range append(append([]string{}, good...), slow) {
		waitStatus(t, c, addr, ids[a], "confirmed")
	}
	wantDelivery := map[string]string{slow: "bounced"}
	for _, a := range good {
		wantDelivery[a] = "sent"
	}
	for _, a := range gone {
		wantDelivery[a] = "bounced"
	}
	for a, want := range wantDelivery {
		var status, lastErr string
		if err := db.Read.QueryRow(`SELECT status, last_error FROM deliveries WHERE campaign_id = ? AND subscriber_id = ?`, id, ids[a]).Scan(&status, &lastErr); err != nil || status != want {
			t.Errorf("%s's delivery: %q (%q, %v), want %s", a, status, lastErr, err, want)
		}
	}

	// The good messages came through once each, from their VERP address,
	// with a signature Postfix left valid.
	var ann smtptest.Message
	for _, m := range sink.Messages() {
		if len(m.To) != 1 {
			t.Errorf("a message to %v, want one recipient per message", m.To)
			continue
		}
		if !strings.HasPrefix(m.From, "bounce+") || !strings.HasSuffix(m.From, "@bounces.example.test") {
			t.Errorf("message to %s from %q, want a VERP address of bounces.example.test", m.To[0], m.From)
		}
		if !bytes.Contains(m.Data, []byte("by relay.example.test (Postfix)")) {
			t.Errorf("message to %s did not pass through Postfix:\n%s", m.To[0], m.Data)
		}
		dkimtest.RequireValid(t, m.Data, "harbour.test", 1, key)
		if m.To[0] == good[0] {
			ann = m
		}
	}
	for _, a := range good {
		if n := sink.Count(a); n != 1 {
			t.Errorf("%s got %d copies, want 1", a, n)
		}
	}
	if ann.From == "" {
		t.Fatalf("no message to %s", good[0])
	}

	// Ann's mailbox provider reports her complaint to the message's
	// return path, through Postfix.
	arf := arfReport(ann, good[0])
	if err := smtp.SendMail(pf.Addr, nil, "fbl@mailbox.example.test", []string{ann.From}, arf); err != nil {
		t.Fatalf("ARF report to Postfix: %v", err)
	}
	waitStatus(t, c, addr, ids[good[0]], "unsubscribed")
	var active int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM subscriptions WHERE subscriber_id = ? AND status = 'active'`, ids[good[0]]).Scan(&active); err != nil || active != 0 {
		t.Errorf("%s still has %d active subscriptions (%v), want none", good[0], active, err)
	}
	var sup struct {
		Items []struct{ Address, Reason string }
	}
	if code := c.api(addr, "GET", "/api/v1/suppressions?q=ann", nil, &sup); code != http.StatusOK || len(sup.Items) != 1 ||
		sup.Items[0].Address != good[0] || sup.Items[0].Reason != "complaint" {
		t.Errorf("suppressions for ann: %d %+v, want %s for a complaint", code, sup.Items, good[0])
	}
	cs := waitEvents(t, c, addr, id, "complaint", 1)
	if e := cs[0]; e.Source != "arf" || e.SubscriberID == nil || *e.SubscriberID != ids[good[0]] {
		t.Errorf("complaint event %+v, want one from ARF about %s", e, good[0])
	}
	for _, a := range good[1:] {
		waitStatus(t, c, addr, ids[a], "confirmed")
	}
	// Nothing was sent twice by the retries of anyone in the chain.
	for _, a := range good {
		if n := sink.Count(a); n != 1 {
			t.Errorf("%s got %d copies in the end, want 1", a, n)
		}
	}
	t.Logf("Postfix, serve, a campaign, %d DSNs and a complaint in %s", len(gone)+1, time.Since(start).Round(time.Millisecond))
}

// seedPostfixReaders adds confirmed readers to the list "news" and the
// first of them to a second list, "weekly", and returns their ids.
func seedPostfixReaders(t *testing.T, db *sqlite.DB, emails []string) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		now := time.Now().UTC()
		if _, err := tx.Exec(`INSERT INTO lists (id, slug, name, created_at) VALUES (2, 'weekly', 'Weekly', ?)`, now); err != nil {
			return err
		}
		for i, email := range emails {
			res, err := tx.Exec(`INSERT INTO subscribers (email, email_key, name, status, created_at, updated_at) VALUES (?, ?, ?, 'confirmed', ?, ?)`,
				email, email, strings.ToUpper(email[:1])+email[1:strings.IndexByte(email, '@')], now, now)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			ids[email] = id
			lists := []int{1}
			if i == 0 {
				lists = append(lists, 2)
			}
			for _, l := range lists {
				if _, err := tx.Exec(`INSERT INTO subscriptions (subscriber_id, list_id, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)`, id, l, now, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// arfReport is the RFC 5965 abuse report a mailbox provider sends about m,
// which it delivered to rcpt, quoting m's header.
func arfReport(m smtptest.Message, rcpt string) []byte {
	head, _, _ := bytes.Cut(m.Data, []byte("\r\n\r\n"))
	now := time.Now().UTC().Format(time.RFC1123Z)
	report := fmt.Sprintf(`From: Mailbox Feedback <fbl@mailbox.example.test>
To: <%[1]s>
Subject: FW: complaint about a message from harbour.test
Date: %[3]s
Message-ID: <fbl-%[4]d@mailbox.example.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
  boundary="fbl-part"

--fbl-part
Content-Type: text/plain; charset=us-ascii

A reader of mailbox.example.test marked the attached message as spam.

--fbl-part
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: MailboxFBL/1.0
Version: 1
Original-Mail-From: <%[1]s>
Original-Rcpt-To: <%[2]s>
Arrival-Date: %[3]s
Source-IP: 127.0.0.1
Reported-Domain: harbour.test

--fbl-part
Content-Type: text/rfc822-headers

Return-Path: <%[1]s>
`, m.From, rcpt, now, time.Now().UnixNano())
	report = strings.ReplaceAll(report, "\n", "\r\n")
	return append(append([]byte(report), head...), "\r\n\r\n--fbl-part--\r\n"...)
}

// postfixEvent is an event as GET /api/v1/events gives it.
type postfixEvent struct {
	ID           int64  `json:"id"`
	Type         string `json:"type"`
	SubscriberID *int64 `json:"subscriber_id"`
	CampaignID   *int64 `json:"campaign_id"`
	Source       string `json:"source"`
	Detail       struct {
		Bounce, Status, Diagnostic, Email string
	} `json:"detail"`
}

// waitEvents waits until campaign id has n events of type typ and returns them.
func waitEvents(t *testing.T, c *cluster, addr string, id int64, typ string, n int) []postfixEvent {
	t.Helper()
	var page struct{ Items []postfixEvent }
	waitFor(t, 20*time.Second, fmt.Sprintf("%d %s events of campaign %d", n, typ, id), func() bool {
		page.Items = nil
		c.api(addr, "GET", fmt.Sprintf("/api/v1/events?type=%s&campaign=%d", typ, id), nil, &page)
		return len(page.Items) >= n
	})
	if len(page.Items) != n {
		t.Errorf("%d %s events, want %d: %+v", len(page.Items), typ, n, page.Items)
	}
	return page.Items
}

// waitStatus waits until subscriber id has status want.
func waitStatus(t *testing.T, c *cluster, addr string, id int64, want string) {
	t.Helper()
	var sub struct{ Email, Status string }
	waitFor(t, 20*time.Second, fmt.Sprintf("subscriber %d %s", id, want), func() bool {
		c.api(addr, "GET", fmt.Sprintf("/api/v1/subscribers/%d", id), nil, &sub)
		return sub.Status == want
	})
}

// waitFor polls cond until it holds, failing t after within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after %s", what, within)
		}
	}
}

// waitListening waits until something accepts TCP connections on addr.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	waitFor(t, 10*time.Second, "listener on "+addr, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// port returns the port of host:port.
func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
