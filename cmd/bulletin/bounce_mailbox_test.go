package main

import (
	"bytes"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// serve with BULLETIN_BOUNCE_MAILBOX polls the folder at start-up: a DSN
// delivered there bounces its reader and is moved to INBOX/Processed,
// and the log names the mailbox without its password.
func TestServePollsBounceMailbox(t *testing.T) {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("bounces", "Mailbox-Pass-42")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	m, _, stderr := testMain(t, map[string]string{
		"BULLETIN_BOUNCE_MAILBOX": "imap://bounces:Mailbox-Pass-42@" + ln.Addr().String() + "/INBOX",
		"BULLETIN_BOUNCE_DOMAIN":  "bounces.example.test",
		"BULLETIN_SECRET":         "bounce-mailbox-secret-0123456789abcdef",
	})
	defer func(d time.Duration) { bounceMailboxInterval = d }(bounceMailboxInterval)
	bounceMailboxInterval = 20 * time.Millisecond
	_, stop := startServe(t, m)
	db := m.app.DB
	sid, _, msg := sentDelivery(t, m)
	if _, err := user.Append("INBOX", bytes.NewReader([]byte(msg)), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	var status string
	var processed uint32
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if st, err := user.Status("INBOX/Processed", &imap.StatusOptions{NumMessages: true}); err == nil {
			processed = *st.NumMessages
		}
		if processed == 1 {
			break
		}
	}
	if processed != 1 {
		t.Errorf("INBOX/Processed has %d messages, want the DSN", processed)
	}
	if err := db.Read.QueryRow(`SELECT status FROM subscribers WHERE id = ?`, sid).Scan(&status); err != nil || status != "bounced" {
		t.Errorf("reader status %q (%v), want bounced", status, err)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited with %d\n%s", code, stderr)
	}
	logs := stderr.String()
	if !strings.Contains(logs, "imap://"+ln.Addr().String()+"/INBOX") {
		t.Errorf("log does not name the mailbox:\n%s", logs)
	}
	if strings.Contains(logs, "Mailbox-Pass-42") || strings.Contains(logs, "bounces:") {
		t.Errorf("log shows the credentials:\n%s", logs)
	}
}

// A bad BULLETIN_BOUNCE_MAILBOX stops start-up (exit 2) with a line that
// names the setting and says what to write, never the password.
func TestBounceMailboxConfig(t *testing.T) {
	domain := "bounces.example.test"
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"BULLETIN_BOUNCE_MAILBOX": "imaps://u:Hunter-2@mail.example.test/INBOX"}, "BULLETIN_BOUNCE_MAILBOX needs BULLETIN_BOUNCE_DOMAIN"},
		{map[string]string{"BULLETIN_BOUNCE_MAILBOX": "pop3://u:Hunter-2@mail.example.test/", "BULLETIN_BOUNCE_DOMAIN": domain}, "BULLETIN_BOUNCE_MAILBOX: use imaps://user:password@host"},
		{map[string]string{"BULLETIN_BOUNCE_MAILBOX": "imaps://mail.example.test/INBOX", "BULLETIN_BOUNCE_DOMAIN": domain}, "BULLETIN_BOUNCE_MAILBOX: the URL needs a user name and password"},
		{map[string]string{"BULLETIN_BOUNCE_MAILBOX": "imaps://u:Hunter-2@mail.example.test:0/INBOX", "BULLETIN_BOUNCE_DOMAIN": domain}, `BULLETIN_BOUNCE_MAILBOX: port "0"`},
		{map[string]string{"BULLETIN_BOUNCE_MAILBOX": "imaps://u:Hunter 2@mail.example.test/INBOX", "BULLETIN_BOUNCE_DOMAIN": domain}, "BULLETIN_BOUNCE_MAILBOX: not a URL"},
	}
	for _, tt := range tests {
		m, _, stderr := testMain(t, tt.env)
		code := m.Main(t.Context(), []string{"serve"})
		if code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("serve with %v = %d, %q; want 2 and %q", tt.env, code, stderr.String(), tt.want)
		}
		if strings.Contains(stderr.String(), "Hunter") {
			t.Errorf("the error shows the password: %s", stderr)
		}
	}
}
