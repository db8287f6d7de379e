package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bulletinhq/bulletin/internal/bounces"
	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	"github.com/bulletinhq/bulletin/internal/mailtest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/subscribers"
)

// The already-subscribed mail, which serve sends a confirmed reader who
// signs up again for a list they are on, goes out as every other kind
// does: over SMTP from its own VERP return path (a confirmation's, naming
// the reader its links are signed for), signed with the RSA and the
// Ed25519 key of the From domain, which go-msgauth and dkimpy verify after
// SMTP. With BULLETIN_INTEGRATION set and SpamAssassin installed, it
// scores below 0.5 as every kind does.
func TestAlready31MailSignedFromItsReturnPath(t *testing.T) {
	in := newSignedInstall(t) // seeded: tom.mcallister@example.org is a confirmed reader of daily-news
	base, stop := in.serve()
	defer stop()

	const addr = "tom.mcallister@example.org"
	resp, err := http.Post(base+"/api/v1/subscriptions", "application/json",
		strings.NewReader(`{"email":"`+addr+`","lists":["daily-news"]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("signup: %d", resp.StatusCode)
	}
	msg := in.wait("mail to the reader", func(m smtptest.Message) bool { return len(m.To) == 1 && m.To[0] == addr })
	pm := mailtest.Parse(t, msg.Data)
	if s := pm.Header.Get("Subject"); s != "Your subscription to Harbour Gazette" {
		t.Fatalf("Subject %q, want the already-subscribed mail's", s)
	}
	d, err := bounces.NewVERP([]byte(kindsSecret), "bounces.harbour.test").Parse(msg.From)
	if err != nil || d.Kind != bounces.KindConfirm || d.SubscriberID <= 0 {
		t.Errorf("MAIL FROM %q names %+v (%v), want a confirmation's of the reader", msg.From, d, err)
	}
	signer := subscribers.NewSigner([]byte(kindsSecret))
	links := regexp.MustCompile(`https://harbour\.test/(preferences|unsubscribe)/([A-Za-z0-9_-]+)`).FindAllStringSubmatch(pm.Text, -1)
	if len(links) != 2 {
		t.Fatalf("links %v, want the preferences and the unsubscribe link", links)
	}
	for _, l := range links {
		if id, err := signer.Verify(l[1], l[2]); err != nil || id != d.SubscriberID {
			t.Errorf("%s link names reader %d (%v), the return path %d", l[1], id, err, d.SubscriberID)
		}
	}

	rsa, ed := in.keys()
	dkimtest.RequireValid(t, msg.Data, "harbour.test", 2, rsa, ed)
	dkimtest.RequireDkimpy(t, "harbour.test", 2, []dkim.Key{rsa, ed}, msg.Data)

	if os.Getenv("BULLETIN_INTEGRATION") == "" {
		return
	}
	sa, err := exec.LookPath("spamassassin")
	if err != nil {
		t.Log("spamassassin is missing: the mail's score is not checked")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sa, "-L", "-t", "--cf", "bayes_auto_learn 0", "--cf", "use_bayes 0")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	cmd.Stdin = bytes.NewReader(append([]byte("Return-Path: <"+msg.From+">\r\n"), msg.Data...))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("spamassassin: %v", err)
	}
	score, rules := spamReport(out)
	t.Logf("already-subscribed mail: score %.1f, rules %s", score, rules)
	if score >= 0.5 {
		t.Errorf("the already-subscribed mail scores %.1f (want below 0.5): %s", score, rules)
	}
}
