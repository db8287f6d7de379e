package campaigns_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/loopback"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
)

// A test send says what did not go, and why, in the editor's terms: an
// address the mail server refuses is named on the To field with the
// server's answer, and stops no other address; a server that cannot be
// reached is a mail_server error naming what to check. It used to be a
// 500 "Something went wrong", and one refused address stopped the rest.
func TestTestSendSaysWhatTheMailServerAnswered(t *testing.T) {
	smtp := smtptest.Start(t, smtptest.WithFaults(smtptest.Faults{RejectDomain: "gone.example"}))
	ctx := context.Background()
	e := newEnv(t)
	e.addList(t, "news")
	c := &campaigns.Campaign{Subject: "Ferries", Body: "Hello.", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	e.svc.Transport = mailtest.SMTPTo(t, smtp.URL())
	err := e.svc.TestSend(ctx, c.ID, []string{"nobody@gone.example", "editor@example.com"})
	why := bulletin.ErrorFields(err)["to"]
	if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(why, `"nobody@gone.example": the mail server refused it (550`) ||
		!strings.Contains(why, "It went to editor@example.com.") {
		t.Errorf("a refused address: %v, to = %q; want it named with the server's 550, and the other address sent", err, why)
	}
	if smtp.Count("editor@example.com") != 1 {
		t.Errorf("the address after the refused one got %d test mails, want 1", smtp.Count("editor@example.com"))
	}

	closed := loopback.ClosedAddr(t)
	e.svc.Transport = mailtest.SMTPTo(t, "smtp://"+closed+"?tls=none")
	err = e.svc.TestSend(ctx, c.ID, []string{"editor@example.com"})
	msg := bulletin.ErrorMessage(err)
	if bulletin.ErrorCode(err) != bulletin.EMAILSERVER || !strings.Contains(msg, "could not be reached") || !strings.Contains(msg, "BULLETIN_SMTP_URL") {
		t.Errorf("an unreachable server: %v (%s); want a mail_server error saying so and what to check", err, bulletin.ErrorCode(err))
	}
}
