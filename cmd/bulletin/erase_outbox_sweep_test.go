package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
	"github.com/bulletinhq/bulletin/subscribers"
)

// outboxRecipients returns the X-Envelope-To line of each .eml file in
// dir, sorted.
func outboxRecipients(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := strings.Cut(string(raw), "X-Envelope-To: ")
		line, _, _ := strings.Cut(rest, "\r\n")
		to = append(to, line)
	}
	slices.Sort(to)
	return to
}

// sendTo writes a message to rcpt into out, as serve's outbox transport
// does.
func sendTo(t *testing.T, out *mailer.Outbox, rcpt ...string) {
	t.Helper()
	msg := []byte("To: " + rcpt[0] + "\r\nSubject: Hi\r\n\r\nHello\r\n")
	if err := out.Send(context.Background(), "bounce@example.com", rcpt, msg); err != nil {
		t.Fatal(err)
	}
}

// The sweep removes the outbox mail to every erased address, one erased
// through Store.Erase and one whose hash an older Bulletin put in erasures
// (its mail left in the outbox), each however its envelope cases it, and
// a mail naming an erased address beside a kept one; the kept readers'
// mail stays.
func TestSweepErasedOutboxRemovesTheMailToErasedAddresses(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bulletin.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := subscribers.NewStore(db)
	s.SetSecret([]byte("test secret"))
	sub, err := s.Create(ctx, &subscribers.NewSubscriber{Email: "Gone.Reader@example.com", Status: subscribers.StatusConfirmed})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, &subscribers.NewSubscriber{Email: "stays@example.com", Status: subscribers.StatusConfirmed}); err != nil {
		t.Fatal(err)
	}
	if err := s.Erase(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	// As an older version left it: the hash in erasures, nothing else.
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO erasures (email_hash, erased_at) VALUES (?, ?)`,
			s.EmailHash("old.reader@example.com"), sqlite.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "outbox")
	out, err := mailer.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	sendTo(t, out, "Gone.Reader@example.com")
	sendTo(t, out, "GONE.READER@Example.com")
	sendTo(t, out, "Old.Reader@EXAMPLE.com")
	sendTo(t, out, "old.reader@example.com")
	sendTo(t, out, "also@example.com", "old.reader@example.com")
	sendTo(t, out, "stays@example.com")
	sendTo(t, out, "stays@example.com")
	sendTo(t, out, "never.subscribed@example.com")

	asked := map[string]int{}
	erased := func(ctx context.Context, addr string) (bool, error) {
		asked[addr]++
		return s.Erased(ctx, addr)
	}
	n, err := sweepErasedOutbox(ctx, out, erased)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("the sweep removed %d mails, want 5", n)
	}
	want := []string{"<never.subscribed@example.com>", "<stays@example.com>", "<stays@example.com>"}
	if got := outboxRecipients(t, dir); !slices.Equal(got, want) {
		t.Errorf("after the sweep the outbox holds mail to %v, want %v", got, want)
	}
	for addr, k := range asked {
		if k != 1 {
			t.Errorf("the sweep asked %d times whether %s was erased, want once", k, addr)
		}
	}
}

// serve, on starting, removes the outbox mail to readers erased before:
// mail an older version left there (or that landed while the erasure
// looked through the outbox). It logs how many, not the address; the
// mail to another reader stays.
func TestServeRemovesTheOutboxMailOfReadersErasedBefore(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	token := apiToken(t, env)
	m, _, stderr := testMain(t, env)
	base, stop := startServe(t, m)
	api := jsonAPI(t, base, token)
	code, created := api("POST", "/api/v1/subscribers", `{"email":"Gone.Reader@example.com","status":"confirmed"}`)
	if code != http.StatusCreated {
		stop()
		t.Fatalf("create = %d %v", code, created)
	}
	if code, out := api("DELETE", fmt.Sprintf("/api/v1/subscribers/%v", created["id"]), ""); code != http.StatusNoContent {
		stop()
		t.Fatalf("erase = %d %v", code, out)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}

	// What serve finds on starting: mail to the erased reader, as a
	// version that did not remove it left it, and mail to another.
	dir := filepath.Join(env["BULLETIN_DATA"], "outbox")
	out, err := mailer.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	sendTo(t, out, "GONE.READER@Example.com")
	sendTo(t, out, "gone.reader@example.com")
	sendTo(t, out, "stays@example.com")

	m, _, stderr = testMain(t, env)
	_, stop = startServe(t, m)
	want := []string{"<stays@example.com>"}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if got := outboxRecipients(t, dir); slices.Equal(got, want) {
			break
		} else if time.Now().After(deadline) {
			stop()
			t.Fatalf("serve's outbox holds mail to %v, want only %v", got, want)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	log := stderr.String()
	if !strings.Contains(log, "removed the mail to readers erased before") || !strings.Contains(log, "removed=2") {
		t.Errorf("the log does not say serve removed 2 mails:\n%s", log)
	}
	if strings.Contains(strings.ToLower(log), "gone.reader") {
		t.Errorf("the log names the erased address:\n%s", log)
	}
}
