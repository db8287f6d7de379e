package mailer_test

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bulletinhq/bulletin/internal/dkim"
	"github.com/bulletinhq/bulletin/internal/dkim/dkimtest"
	"github.com/bulletinhq/bulletin/internal/queue/queuetest"
	"github.com/bulletinhq/bulletin/internal/smtptest"
	"github.com/bulletinhq/bulletin/mailer"
)

// smtpModes are the two ways a message goes on the wire: one BDAT chunk,
// or DATA with dot-stuffing, which the server takes off again.
var smtpModes = []struct {
	name string
	opts []smtptest.Option
}{
	{"bdat", nil},
	{"data", []smtptest.Option{smtptest.WithoutChunking()}},
}

// Every message a worker sends is signed twice (RSA and Ed25519), each
// signature verifies after the real SMTP transport and the test server,
// with a non-ASCII subject and a long folded From, and goes from the
// recipient's own return path; a message changed after signing fails, as
// does one with a second List-Unsubscribe added.
func TestSenderSignsEveryMessage(t *testing.T) {
	rsa, ed := dkimtest.Keys(t)
	for _, mode := range smtpModes {
		t.Run(mode.name, func(t *testing.T) {
			q := queuetest.Embedded(t)
			srv := smtptest.Start(t, mode.opts...)
			s := workerSender(t, q, srv)
			s.Signer = dkim.NewSigner([]dkim.Key{rsa, ed}, nil)
			p := sendPayload(3, time.Time{})
			p.Content.From = `"Hafenzeitung – Nachrichten aus dem Hafen, täglich und wöchentlich für alle Leser" <news@harbour.test>`
			p.Content.Subject = "Grüße aus dem Hafen: ein Betreff, der lang genug ist, um gefaltet zu werden – " + strings.Repeat("ä", 30)
			p.Content.Text = "Hallo " + mailer.Markers("").Of(mailer.Name) + ",\n.a dot first\nÜber 8 bit.\n"
			for i := range p.Recipients {
				p.Recipients[i].ReturnPath = fmt.Sprintf("bounce+tok%d@bounces.harbour.test", i+1)
				p.Recipients[i].Name = "Zoë Ünal"
			}
			runTask(t, s, p)
			msgs := srv.Messages()
			if len(msgs) != 3 {
				t.Fatalf("%d messages, want 3", len(msgs))
			}
			var froms []string
			for _, m := range msgs {
				froms = append(froms, m.From)
				dkimtest.RequireValid(t, m.Data, "harbour.test", 2, rsa, ed)
				for change, tampered := range map[string][]byte{
					"the body changed":                bytes.Replace(m.Data, []byte("Hallo"), []byte("Hello"), 1),
					"a List-Unsubscribe added on top": append([]byte("List-Unsubscribe: <https://evil.example/u>\r\n"), m.Data...),
				} {
					for _, v := range dkimtest.Verify(t, tampered, "harbour.test", rsa, ed) {
						if v.Err == nil {
							t.Errorf("a signature still verifies with %s", change)
						}
					}
				}
			}
			slices.Sort(froms)
			want := []string{"bounce+tok1@bounces.harbour.test", "bounce+tok2@bounces.harbour.test", "bounce+tok3@bounces.harbour.test"}
			if diff := cmp.Diff(want, froms); diff != "" {
				t.Errorf("MAIL FROM (-want +got):\n%s", diff)
			}
		})
	}
}

// A one-off message (a confirmation) sent through Signing verifies after
// SMTP, with an 8-bit body given with bare LF line ends, alone or in a
// batch; without a signer, Signing is the transport itself.
func TestSigningTransport(t *testing.T) {
	rsa, ed := dkimtest.Keys(t)
	for _, mode := range smtpModes {
		t.Run(mode.name, func(t *testing.T) {
			srv := smtptest.Start(t, mode.opts...)
			smtp := smtpTo(t, srv)
			tr := mailer.Signing(smtp, dkim.NewSigner([]dkim.Key{rsa, ed}, nil))
			raw, err := (&mailer.Message{
				From:    &mail.Address{Name: "Café News", Address: "news@harbour.test"},
				To:      &mail.Address{Name: "Zoë", Address: "zoe@example.com"},
				Subject: "Bitte bestätigen Sie Ihr Abonnement",
				Text:    "Hallo Zoë,\n.bitte klicken\n", HTML: "<p>Hallo Zoë</p>",
			}).Compose()
			if err != nil {
				t.Fatal(err)
			}
			eightBit := strings.ReplaceAll("From: news@harbour.test\r\nTo: zoe@example.com\r\nSubject: 8bit\r\n"+
				"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n.Punkt\r\n", "\r\n", "\n")
			for _, m := range [][]byte{raw, []byte(eightBit)} {
				if err := tr.Send(context.Background(), "news@harbour.test", []string{"zoe@example.com"}, m); err != nil {
					t.Fatal(err)
				}
			}
			// As a batch (a confirm task's mails), each signed, each
			// result its own: a message without a From cannot be signed
			// and fails alone.
			b, ok := tr.(mailer.BatchSender)
			if !ok {
				t.Fatal("Signing over SMTP does not send batches")
			}
			errs := b.SendBatch(context.Background(), []mailer.Outgoing{
				{From: "news@harbour.test", To: "a@example.com", Data: raw},
				{From: "news@harbour.test", To: "b@example.com", Data: []byte("Subject: no From\r\n\r\nHi\r\n")},
				{From: "news@harbour.test", To: "c@example.com", Data: []byte(eightBit)},
			})
			if errs[0] != nil || errs[1] == nil || errs[2] != nil {
				t.Errorf("batch results %v, want only the second failed", errs)
			}
			if n := len(srv.Messages()); n != 4 || srv.Count("b@example.com") != 0 {
				t.Errorf("%d messages accepted, %d to b@, want 4 and none", n, srv.Count("b@example.com"))
			}
			for _, m := range srv.Messages() {
				dkimtest.RequireValid(t, m.Data, "harbour.test", 2, rsa, ed)
			}
			if mailer.Signing(smtp, nil) != mailer.Transport(smtp) {
				t.Errorf("Signing without a signer wraps the transport")
			}
		})
	}
}

// Debian's dkimpy (python3-dkim) verifies a message the sender signed,
// with the test's public key given in place of the DNS.
func TestDkimpyVerifies(t *testing.T) {
	verifier, err := exec.LookPath("dkimverify")
	if err != nil {
		t.Skip("dkimverify is missing: apt-get install -y python3-dkim")
	}
	// The interpreter dkimverify runs on has the module, whatever python3
	// comes first in PATH.
	head, _ := os.ReadFile(verifier)
	py, _, _ := strings.Cut(strings.TrimPrefix(string(head), "#!"), "\n")
	if py = strings.TrimSpace(py); exec.Command(py, "-c", "import dkim").Run() != nil {
		t.Skipf("%s cannot import dkim", py)
	}
	rsa, ed := dkimtest.Keys(t)
	q := queuetest.Embedded(t)
	srv := smtptest.Start(t)
	s := workerSender(t, q, srv)
	s.Signer = dkim.NewSigner([]dkim.Key{rsa, ed}, nil)
	p := sendPayload(1, time.Time{})
	p.Content.Subject = "Grüße aus dem Hafen"
	runTask(t, s, p)
	dir := t.TempDir()
	file := filepath.Join(dir, "msg.eml")
	if err := os.WriteFile(file, srv.Messages()[0].Data, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `import sys, dkim
recs = {b"rsa1._domainkey.harbour.test.": sys.argv[2].encode(), b"ed1._domainkey.harbour.test.": sys.argv[3].encode()}
msg = open(sys.argv[1], "rb").read()
d = dkim.DKIM(msg)
sigs = [i for i, (k, v) in enumerate(d.headers) if k.lower() == b"dkim-signature"]
ok = [d.verify(idx=i, dnsfunc=lambda name, timeout=5: recs.get(name)) for i in range(len(sigs))]
print(ok)
sys.exit(0 if ok == [True, True] else 1)
`
	out, err := exec.Command(py, "-c", script, file, rsa.RecordValue(), ed.RecordValue()).CombinedOutput()
	if err != nil {
		t.Errorf("dkimpy: %v\n%s", err, out)
	}
}

// smtpTo is a real SMTP transport to srv.
func smtpTo(t *testing.T, srv *smtptest.Server) *mailer.SMTP {
	t.Helper()
	return smtpFromURL(t, srv.URL())
}

// smtpFromURL is an SMTP pool of 2 connections, 5 s timeouts, to the
// server of an SMTP URL, closed when the test ends.
func smtpFromURL(t *testing.T, rawURL string) *mailer.SMTP {
	t.Helper()
	cfg, err := mailer.ParseSMTPURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Conns, cfg.Timeout = 2, 5*time.Second
	smtp, err := mailer.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtp.Close() })
	return smtp
}
