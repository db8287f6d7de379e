package campaigns_test

import (
	"context"
	"mime"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/internal/bulletin"
	"github.com/bulletinhq/bulletin/internal/campaigns"
	"github.com/bulletinhq/bulletin/internal/mailtest"
)

// isASCII says whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// A public URL with an internationalised host (https://bücher.example)
// goes into List-Unsubscribe and List-Id in its IDNA form: both take ASCII
// only (RFC 8058, RFC 2919), and a host left raw made the composer encode
// the whole header as RFC 2047 words, which is no one-click unsubscribe
// and split the token's marker so the reader's token was never filled in.
func TestIDNPublicURLKeepsListHeadersASCII(t *testing.T) {
	e := newEnv(t)
	e.svc.BaseURL = "https://bücher.example"
	k := &envelopeTransport{}
	e.svc.Transport = k
	e.addList(t, "news")
	ctx := context.Background()
	c := &campaigns.Campaign{Subject: "Ferries", Body: "Hello.", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.TestSend(ctx, c.ID, []string{"editor@example.com"}); err != nil {
		t.Fatal(err)
	}
	if len(k.msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(k.msgs))
	}
	pm := mailtest.Parse(t, k.msgs[0].data)
	lu := pm.Header.Get("List-Unsubscribe")
	if dec, _ := new(mime.WordDecoder).DecodeHeader(lu); !strings.HasSuffix(dec, "/unsubscribe/test>") {
		t.Errorf("List-Unsubscribe decodes to %q: the recipient's token (test) was not filled in", dec)
	}
	if want := "<https://xn--bcher-kva.example/unsubscribe/test>"; lu != want {
		t.Errorf("List-Unsubscribe = %q, want %s", lu, want)
	}
	if id := pm.Header.Get("List-Id"); !strings.HasSuffix(id, "<news.xn--bcher-kva.example>") || !isASCII(id) {
		t.Errorf("List-Id = %q, want …<news.xn--bcher-kva.example>", id)
	}
	if strings.Contains(pm.HTML+pm.Text, "bücher") {
		t.Errorf("the body names the host outside ASCII:\n%s", pm.Text)
	}
}

// A test send to an address with an internationalised domain
// (editor@bücher.example) goes out as a signup's address would be stored,
// with the domain in its IDNA form in RCPT TO and in To: Bulletin does
// not send with SMTPUTF8, so raw UTF-8 is allowed in neither (RFC 5321,
// RFC 5322). An address that cannot be made ASCII is a validation error.
func TestTestSendToIDNAddressGoesOutInASCII(t *testing.T) {
	e := newEnv(t)
	k := &envelopeTransport{}
	e.svc.Transport = k
	e.addList(t, "news")
	ctx := context.Background()
	c := &campaigns.Campaign{Subject: "Ferries", Body: "Hello.", Lists: []string{"news"}}
	if err := e.svc.Schedule(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.TestSend(ctx, c.ID, []string{"editor@bücher.example"}); err != nil {
		t.Fatal(err)
	}
	if len(k.msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(k.msgs))
	}
	m := k.msgs[0]
	if len(m.to) != 1 || m.to[0] != "editor@xn--bcher-kva.example" {
		t.Errorf("RCPT TO %q, want editor@xn--bcher-kva.example", m.to)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(m.data)))
	if err != nil {
		t.Fatal(err)
	}
	if to := msg.Header.Get("To"); !isASCII(to) || !strings.Contains(to, "editor@xn--bcher-kva.example") {
		t.Errorf("To: %q, want <editor@xn--bcher-kva.example>", to)
	}

	for _, bad := range []string{"édith@example.com", "editor@bücher..example", "Editor <editor@example.com>"} {
		err := e.svc.TestSend(ctx, c.ID, []string{bad})
		if bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("test send to %q: %v, want a validation error", bad, err)
		}
	}
	if len(k.msgs) != 1 {
		t.Errorf("%d messages after the refused addresses, want 1", len(k.msgs))
	}
}
