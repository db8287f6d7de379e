package web

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/sqlite"
	"github.com/bulletinhq/bulletin/mailer"
)

// TestOutboxShowsHeadersAsSent puts a message whose encoded words decode to
// a line break in the outbox: the viewer must not show it as a header of
// its own, while a plain encoded word still reads as its text.
func TestOutboxShowsHeadersAsSent(t *testing.T) {
	out, a := newOutboxAdmin(t)
	evil := "=?utf-8?q?a=0D=0AX-Evil:_1?="
	evilTo := "=?utf-8?q?Eve=0ABcc:_victim@example.org?= <eve@example.com>"
	msgs := []string{
		"From: news@example.com\r\nTo: " + evilTo + "\r\nSubject: " + evil + "\r\nX-Note: =?utf-8?b?b2sNCkZha2U6IHllcw==?=\r\n\r\nbody\r\n",
		"From: news@example.com\r\nTo: reader@example.com\r\nSubject: =?utf-8?q?Caf=C3=A9_news?=\r\n\r\nbody\r\n",
	}
	for _, m := range msgs {
		if err := out.Send(context.Background(), "news@example.com", []string{"reader@example.com"}, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	a.login("correct horse battery")
	_, list := a.get("/admin/outbox")
	names, err := out.List(0)
	if err != nil || len(names) != 2 {
		t.Fatalf("outbox = %v, %v", names, err)
	}
	_, bad := a.get("/admin/outbox/" + names[1])
	_, good := a.get("/admin/outbox/" + names[0])
	for page, body := range map[string]string{"list": list, "message": bad} {
		for _, decoded := range []string{"X-Evil: 1", "Bcc: victim", "Fake: yes"} {
			if strings.Contains(body, decoded) {
				t.Errorf("%s page shows %q as if it were a header of its own", page, decoded)
			}
		}
		if !strings.Contains(body, evil) {
			t.Errorf("%s page does not show the subject as sent, %s", page, evil)
		}
	}
	if !strings.Contains(bad, "=?utf-8?b?b2sNCkZha2U6IHllcw==?=") {
		t.Error("the message page does not show X-Note as sent")
	}
	if !strings.Contains(list, "Café news") || !strings.Contains(good, "<h1>Café news</h1>") {
		t.Error("a plain encoded subject is not decoded")
	}
}

// The links of a mail shown in the outbox open a tab of their own: the
// confirmation link, followed inside the frame, showed a broken page
// (Bulletin's pages refuse to be framed) though it confirmed the reader.
func TestOutboxFrameOpensLinksInATab(t *testing.T) {
	out, a := newOutboxAdmin(t)
	const msg = "From: news@example.com\r\nTo: reader@example.com\r\nSubject: Confirm\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<!DOCTYPE html><html><HEAD lang=en><title>t</title></HEAD><body><a href=\"http://127.0.0.1/confirm/x\">Confirm</a></body></html>\r\n--b--\r\n"
	if err := out.Send(context.Background(), "news@example.com", []string{"reader@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	a.login("correct horse battery")
	names, err := out.List(0)
	if err != nil || len(names) != 1 {
		t.Fatalf("outbox = %v, %v", names, err)
	}
	_, page := a.get("/admin/outbox/" + names[0])
	if !strings.Contains(page, `sandbox="allow-popups allow-popups-to-escape-sandbox"`) {
		t.Error("the frame does not let a link open a tab of its own")
	}
	// In the srcdoc attribute, escaped: <HEAD lang=en><base target="_blank">.
	if !strings.Contains(page, "&lt;HEAD lang=en&gt;&lt;base target=&#34;_blank&#34;&gt;&lt;title&gt;") {
		t.Errorf("the mail's links do not open in a tab of their own:\n%s", page)
	}
}

// newOutboxAdmin returns an admin server whose mail goes to an outbox of
// its own, the outbox, and a client of it.
func newOutboxAdmin(t *testing.T) (*mailer.Outbox, *adminClient) {
	t.Helper()
	out, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	_, a := newAdminServerWith(t, func(s *Server, _ *sqlite.DB) { s.Outbox = out })
	return out, a
}
