package main

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"
)

// sendBounce mails msg to rcpt over SMTP at addr with a null sender.
func sendBounce(addr, rcpt string, msg []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Mail(""); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// serve with BULLETIN_BOUNCE_ADDR takes DSNs to its VERP addresses and
// bounces their readers; it refuses mail to anything else.
func TestServeTakesBouncesOnBounceAddr(t *testing.T) {
	addr := freeAddr(t)
	m, _, stderr := testMain(t, map[string]string{
		"BULLETIN_BOUNCE_ADDR":   addr,
		"BULLETIN_BOUNCE_DOMAIN": "bounces.example.test",
		"BULLETIN_SECRET":        "bounce-secret-0123456789abcdef0123456",
	})
	_, stop := startServe(t, m)
	defer stop()
	db := m.app.DB
	sid, rcpt, msg := sentDelivery(t, m)

	if err := sendBounce(addr, rcpt, []byte(msg)); err != nil {
		t.Fatalf("DSN to %s: %v\n%s", rcpt, err, stderr)
	}
	var status string
	if err := db.Read.QueryRow(`SELECT status FROM subscribers WHERE id = ?`, sid).Scan(&status); err != nil || status != "bounced" {
		t.Errorf("reader status %q (%v), want bounced", status, err)
	}
	var te *textproto.Error
	if err := sendBounce(addr, "robin@tidewater.test", []byte(msg)); !errors.As(err, &te) || te.Code != 550 {
		t.Errorf("mail to a non-VERP address: %v, want 550", err)
	}
}

// BULLETIN_BOUNCE_ADDR without a bounce domain, or not host:port, stops
// start-up with a line that says what to set.
func TestBounceAddrConfig(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"BULLETIN_BOUNCE_ADDR": "127.0.0.1:2525"}, "BULLETIN_BOUNCE_ADDR needs BULLETIN_BOUNCE_DOMAIN"},
		{map[string]string{"BULLETIN_BOUNCE_ADDR": "2525", "BULLETIN_BOUNCE_DOMAIN": "bounces.example.test"}, `BULLETIN_BOUNCE_ADDR "2525": use host:port`},
	}
	for _, tt := range tests {
		m, _, stderr := testMain(t, tt.env)
		if code := m.Main(t.Context(), []string{"serve"}); code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("serve with %v = %d, %q; want 2 and %q", tt.env, code, stderr.String(), tt.want)
		}
	}
}

// sentDelivery stores a delivery of a sent campaign to a confirmed reader,
// robin@tidewater.test, and returns the reader's id, the delivery's VERP
// address on serve m and the hard-bounce DSN a relay would mail to it.
func sentDelivery(t *testing.T, m *Main) (sid int64, rcpt, dsn string) {
	t.Helper()
	now := time.Now().UTC()
	exec := func(q string, args ...any) int64 {
		t.Helper()
		res, err := m.app.DB.Write.Exec(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	sid = exec(`INSERT INTO subscribers (email, email_key, status, created_at, updated_at) VALUES ('robin@tidewater.test', 'robin@tidewater.test', 'confirmed', ?, ?)`, now, now)
	cid := exec(`INSERT INTO campaigns (subject, status, created_at, updated_at) VALUES ('Hi', 'sent', ?, ?)`, now, now)
	exec(`INSERT INTO deliveries (campaign_id, subscriber_id, status, sent_at, updated_at) VALUES (?, ?, 'sent', ?, ?)`, cid, sid, now, now)
	rcpt = m.verp(m.app.Secret).Address(cid, sid)
	raw, err := os.ReadFile("../../internal/bounces/testdata/dsn-hard.eml")
	if err != nil {
		t.Fatal(err)
	}
	return sid, rcpt, strings.NewReplacer("{{RCPT}}", rcpt, "{{EMAIL}}", "robin@tidewater.test").Replace(string(raw))
}
