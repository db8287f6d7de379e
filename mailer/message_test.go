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
	head := string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
	for i, line := range strings.Split(head, "\r\n") {
		_, value, _ := strings.Cut(strings.TrimLeft(line, " "), ": ")
		if len(line) > 78 && strings.Contains(strings.TrimSpace(value), " ") {
			t.Errorf("header line %d not folded (%d octets): %q", i, len(line), line)
		}
	}
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
