package mailer_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/bulletinhq/bulletin/mailer"
)

func TestComposeParsesBackAsMultipartAlternative(t *testing.T) {
	subject := "Harbour Gazette — 5 new stories: Café Lindqvist opens on Quay Street and the swing bridge reopens after repairs"
	m := &mailer.Message{
		From:    &mail.Address{Name: "Harbour Gazette", Address: "news@harbour.example"},
		To:      &mail.Address{Name: "Zoë Marchetti", Address: "Zoe@example.com"},
		Subject: subject,
		Text:    "Plain text ✓",
		HTML:    "<p>" + strings.Repeat("long line ", 200) + "</p>",
		Headers: [][2]string{{"List-Unsubscribe", "<https://harbour.example/unsubscribe/abc>"}},
	}
	raw, err := m.Compose()
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line %d is %d octets", i, len(line))
		}
	}
	checkHeaderLines(t, raw)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	if got, err := dec.DecodeHeader(msg.Header.Get("Subject")); err != nil || got != subject {
		t.Errorf("Subject = %q, %v; want %q", got, err, subject)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasSuffix(id, "@harbour.example>") {
		t.Errorf("Message-Id = %q, want the sending domain on the right", id)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "Zoe@example.com" || to[0].Name != "Zoë Marchetti" {
		t.Errorf("To = %v, %v", to, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, %v", mt, err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		types = append(types, ct)
		body, _ := io.ReadAll(p) // NextPart decodes quoted-printable
		if ct == "text/plain" && string(body) != "Plain text ✓" {
			t.Errorf("text part = %q", body)
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Errorf("parts = %v, want text/plain then text/html", types)
	}
}

func TestComposeRefusesHeaderInjection(t *testing.T) {
	from := &mail.Address{Address: "news@harbour.example"}
	cases := []struct {
		name string
		m    mailer.Message
	}{
		{"address with CRLF", mailer.Message{From: from, To: &mail.Address{Address: "a@b.c\r\nBcc: x@y.z"}}},
		{"address with comma", mailer.Message{From: from, To: &mail.Address{Address: "a@b.c, x@y.z"}}},
		{"extra header with LF", mailer.Message{From: from, To: &mail.Address{Address: "a@b.c"}, Headers: [][2]string{{"List-Id", "x\nBcc: y@z"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if raw, err := tc.m.Compose(); err == nil {
				t.Errorf("Compose succeeded:\n%s", raw)
			}
		})
	}
	// Line breaks in a subject or name are neutralised, never passed on.
	m := mailer.Message{From: from, To: &mail.Address{Name: "Eve\r\nBcc: x@y.z", Address: "eve@example.com"},
		Subject: "Hi\r\nBcc: x@y.z", Text: "t", HTML: "<p>h</p>"}
	raw, err := m.Compose()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Header["Bcc"]) != 0 {
		t.Errorf("a Bcc header was injected: %q", msg.Header["Bcc"])
	}
}

// checkHeaderLines fails t for a header line of raw longer than 78
// octets that could have been folded, or holding an encoded word and
// longer than 76 octets (RFC 2047 §2).
func checkHeaderLines(t *testing.T, raw []byte) {
	t.Helper()
	head := string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
	for i, line := range strings.Split(head, "\r\n") {
		_, value, _ := strings.Cut(strings.TrimLeft(line, " "), ": ")
		switch {
		case strings.Contains(line, "=?") && len(line) > 76:
			t.Errorf("header line %d with an encoded word is %d octets (> 76): %q", i, len(line), line)
		case len(line) > 78 && strings.Contains(strings.TrimSpace(value), " "):
			t.Errorf("header line %d not folded (%d octets): %q", i, len(line), line)
		}
	}
}

// TestComposeEncodedWordLinesWithin76: RFC 2047 §2 limits each line of a
// header field holding an encoded word to 76 octets. Go's encoder writes
// words of up to 75, too long for the line of "Subject: ", so a
// subject's first word is shorter; a name in To or From folds before its
// first word when that is too long, as does List-Id's name in B words.
// Every field decodes back, a campaign message's for each reader too,
// and a subject has no fold before its first word, which Python's email
// reads as a leading space.
func TestComposeEncodedWordLinesWithin76(t *testing.T) {
	for _, subject := range []string{
		"Daily News — 9 new stories: Ropewalk Lane community garden plants its first orchard",
		strings.Repeat("é", 70),
		"日本語の件名はとても長いのでエンコードされた単語が複数になりますよね本当に",
		"Harbour notes 🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊 and the ferry",
		"Café",
	} {
		name := "Zoë Marchetti-Lindqvist, Ropewalk Lane Community Garden Association Secretary"
		list := "Café (daily) — the Ropewalk Lane Community Garden Association's news"
		listID := mime.BEncoding.Encode("utf-8", list) + " <cafe.harbour.example>"
		m := &mailer.Message{
			From:    &mail.Address{Name: "Harbour Gazette — Café Lindqvist and the Quayside Community Newsletter", Address: "news@harbour.example"},
			To:      &mail.Address{Name: name, Address: "zoe@example.com"},
			Subject: subject,
			Text:    "t", HTML: "<p>h</p>",
			Headers: [][2]string{{"List-Id", listID}},
		}
		raw, err := m.Compose()
		if err != nil {
			t.Fatal(err)
		}
		cm, err := mailer.NewCampaignMessage(mailer.CampaignContent{From: m.From, Subject: subject, Text: "t", HTML: "<p>h</p>", Headers: m.Headers})
		if err != nil {
			t.Fatal(err)
		}
		personal, err := cm.Compose(nil, mailer.Personal{Email: "zoe@example.com", Name: name})
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range [][]byte{raw, personal} {
			checkHeaderLines(t, raw)
			if !bytes.Contains(raw, []byte("\r\nSubject: =?")) {
				t.Errorf("Subject's first word is not on its line:\n%s", raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
			}
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil || got != subject {
				t.Errorf("Subject = %q, %v; want %q", got, err, subject)
			}
			if to, err := msg.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Name != name {
				t.Errorf("To = %v, %v; want %q", to, err, name)
			}
			if got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("List-Id")); err != nil || got != list+" <cafe.harbour.example>" {
				t.Errorf("List-Id = %q, %v; want %q", got, err, list)
			}
		}
	}
}
