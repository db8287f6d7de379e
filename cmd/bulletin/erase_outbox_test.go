package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/mailer"
)

// Erasing a reader through the API removes their mail from the outbox
// (with no SMTP server set, serve writes it there, their address, name and
// links in it): the confirmation serve wrote them, and a message whose
// envelope cases their address otherwise. Another reader's mail stays.
func TestAPIEraseRemovesTheReadersOutboxMail(t *testing.T) {
	env := map[string]string{"BULLETIN_DATA": t.TempDir()}
	token := apiToken(t, env)
	m, _, stderr := testMain(t, env)
	base, stopServe := startServe(t, m)
	stopped := false
	stop := func() int { stopped = true; return stopServe() }
	defer func() {
		if !stopped {
			stop()
		}
	}()
	api := jsonAPI(t, base, token)
	if code, out := api("POST", "/api/v1/lists", `{"slug":"news","name":"News","public":true}`); code != http.StatusCreated {
		t.Fatalf("create list = %d %v", code, out)
	}
	ids := map[string]any{}
	for _, email := range []string{"Gone.Reader@example.com", "stays@example.com"} {
		code, out := api("POST", "/api/v1/subscribers", `{"email":"`+email+`","name":"Reader Name","lists":["news"]}`)
		if code != http.StatusCreated {
			t.Fatalf("create %s = %d %v", email, code, out)
		}
		ids[email] = out["id"]
	}
	dir := filepath.Join(env["BULLETIN_DATA"], "outbox")
	recipients := func() []string { return outboxRecipients(t, dir) }
	for deadline := time.Now().Add(20 * time.Second); len(recipients()) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the outbox holds %v, want both readers' confirmations", recipients())
		}
	}
	// A mail whose envelope cases their address otherwise.
	out, err := mailer.NewOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Send(context.Background(), "bounce@example.com", []string{"GONE.READER@Example.com"}, []byte("To: GONE.READER@Example.com\r\nSubject: Hi\r\n\r\nHello\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := recipients(); len(got) != 3 {
		t.Fatalf("the outbox holds %v, want 3 mails", got)
	}

	if code, out := api("DELETE", fmt.Sprintf("/api/v1/subscribers/%v", ids["Gone.Reader@example.com"]), ""); code != http.StatusNoContent {
		t.Fatalf("erase = %d %v", code, out)
	}
	if got := recipients(); len(got) != 1 || got[0] != "<stays@example.com>" {
		t.Errorf("after the erasure the outbox holds mail to %v, want only <stays@example.com>", got)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
	if log := stderr.String(); strings.Contains(strings.ToLower(log), "gone.reader") {
		t.Errorf("the log names the erased address:\n%s", log)
	}
}
